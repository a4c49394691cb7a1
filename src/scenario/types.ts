// The validated scenario: plain data, every duration in integer milliseconds, every quantity a number
// (cpu in millicores, memory in bytes), every default filled in from the version profile
// (docs/fidelity.md#version-profiles). This is what the loader produces and what the model, chaos and SLOs consume.

import type { Count, KubernetesConfig, LeaderElectionConfig, RangeMs } from '../k8s/config.js';
import type { ControlPlaneTopology } from '../model/infra/control-plane-layout.js';
import type { TaintEffect, Toleration } from '../k8s/objects.js';
import type { Capacity, NodeSpec, WorkloadKind, WorkloadSpec } from '../k8s/workloads.js';
import type { ServiceSpec } from '../k8s/services.js';
import type { NodeAutoRepairConfig } from '../model/cloud/node-auto-repair.js';
import type { ClusterAutoscalerConfig } from '../model/autoscaler/options.js';

// The component configurations and the desired state of nodes and workloads are defined in src/k8s, which
// the model imports too; they are re-exported here so the scenario's readers find its whole shape in one place.
export type {
  Capacity,
  Count,
  KubernetesConfig,
  LeaderElectionConfig,
  NodeSpec,
  RangeMs,
  TaintEffect,
  Toleration,
  WorkloadKind,
  WorkloadSpec,
};

export const FAULT_TYPES = [
  'node-crash',
  'kubelet-stop',
  'network-partition',
  'network-degrade',
  'zone-outage',
  'apiserver-outage',
  'etcd-member-down',
  'apiserver-slow',
  'etcd-slow',
  'controller-manager-crash',
  'scheduler-crash',
  'clock-skew',
  'node-delete',
  'node-out-of-service',
  'pod-force-delete',
  'node-cordon',
  'node-uncordon',
  'node-drain',
  'node-shutdown',
  'app-degrade',
  'kube-proxy-stop',
  'node-pool-upgrade',
  'vm-delete',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** A selector from docs/scenario-format.md#target-selectors. Exactly one of the selecting fields is set (random carries `from`). */
export interface Target {
  node?: string;
  nodes?: string[];
  zone?: string;
  labels?: Record<string, string>;
  random?: number;
  from?: Target;
  instance?: string;
  /**
   * Several control-plane members by instance name. apiserver-outage and etcd-member-down without a
   * target get every member of their component here (SPEC: "default all").
   */
  instances?: string[];
  workload?: string;
  /** app-degrade, with `workload`: how many of its pods (a count or a percentage); absent: all of them. */
  pods?: Count;
  /**
   * With `instance: leader` (or `leader` among `instances`): whose leader. The loader fills in
   * kube-controller-manager for network-partition, network-degrade and clock-skew; crash faults leave
   * it out (their type names the component).
   */
  component?: LeaderComponent;
  /** The literal `control-plane` (network-partition's default `from`). */
  controlPlane?: boolean;
}

export interface FaultSpec {
  name: string;
  type: FaultType;
  atMs: number;
  /** Absent: the fault lasts to the end of the run. */
  durationMs?: number;
  target: Target;
  /** network-partition: the other side (default: the control plane). */
  from?: Target;
  /** network-degrade: TCP segment loss probability 0..1. */
  loss?: number;
  /** network-degrade: extra latency per message; apiserver-slow / etcd-slow: extra time per request at the targets. */
  latency?: RangeMs;
  /** clock-skew: jump of the clock. */
  offsetMs?: number;
  /** clock-skew: clock rate (1 = real time). */
  rate?: number;
  /** controller-manager-crash / scheduler-crash: a clean stop (SIGTERM) instead of a crash. */
  graceful?: boolean;
  /** node-drain: kubectl drain --timeout (absent: wait forever). */
  timeoutMs?: number;
  /** node-drain: kubectl drain --disable-eviction (DELETE instead of the Eviction API). */
  disableEviction?: boolean;
  /** node-drain: kubectl drain --grace-period, in ms (absent: each pod's own). */
  gracePeriodMs?: number;
  /** app-degrade: what the application does (default readiness). */
  symptom?: AppSymptom;
  /** node-pool-upgrade: extra nodes allowed during the upgrade (default 1). */
  maxSurge?: Count;
  /** node-pool-upgrade: nodes allowed to be unavailable at once (default 0). */
  maxUnavailable?: Count;
  /** node-pool-upgrade: per node, how long PodDisruptionBudgets are respected (default 1h). */
  drainTimeoutMs?: number;
}

/**
 * How an app-degrade fault's application fails: its readiness probes, its liveness probes, both, or its
 * containers crash (and crash again on every restart while the fault lasts).
 */
export type AppSymptom = 'readiness' | 'liveness' | 'probes' | 'crash';

export { SLO_TYPES, type SloType } from '../trace/summary.js';

export type LeaderComponent = 'kube-controller-manager' | 'kube-scheduler';

export type SloSpec =
  | { name: string; type: 'recovery-time'; workload: string; after: string; maxMs: number }
  | { name: string; type: 'min-available'; workload: string; min: Count; window?: { fromMs: number; toMs: number } }
  | { name: string; type: 'unavailable-time'; workload: string; threshold?: Count; maxMs: number }
  | { name: string; type: 'detection-time'; after: string; maxMs: number }
  | { name: string; type: 'eviction-time'; after: string; workload?: string; maxMs: number }
  | { name: string; type: 'leaderless-time'; component: LeaderComponent; maxMs: number }
  | { name: string; type: 'max-concurrent-leaders'; component: LeaderComponent; max: number }
  | { name: string; type: 'stuck-terminating'; workload: string; max: number }
  | { name: string; type: 'drain-time'; after: string; maxMs: number }
  | { name: string; type: 'blocked-evictions'; workload?: string; after?: string; maxMs: number }
  | { name: string; type: 'upgrade-time'; after: string; maxMs: number }
  /** minPercent: the lowest share of requests allowed to succeed; rollingWindowMs absent: over the run. */
  | { name: string; type: 'request-success-rate'; service: string; minPercent: number; rollingWindowMs?: number }
  | { name: string; type: 'failed-requests'; service: string; max: number }
  | { name: string; type: 'stale-endpoint-time'; service: string; maxMs: number };

export interface Scenario {
  metadata: { name: string; description?: string };
  spec: {
    seed: number;
    durationMs: number;
    kubernetes: KubernetesConfig;
    /** topology absent: managed. */
    controlPlane: { zones: string[]; topology?: ControlPlaneTopology };
    nodes: NodeSpec[];
    workloads: WorkloadSpec[];
    faults: FaultSpec[];
    slos: SloSpec[];
    /** Services (from workloads' `service` shorthand); absent when there are none. */
    services?: ServiceSpec[];
    /** Managed node auto-repair (model/cloud/node-auto-repair.ts); absent: off. */
    nodeAutoRepair?: NodeAutoRepairConfig;
    /** The cluster autoscaler (spec.autoscaler); absent: none. */
    autoscaler?: ClusterAutoscalerConfig;
  };
}

// What the cluster is asked to run: its nodes and its workloads (Deployments, StatefulSets, DaemonSets)
// with their pod templates, reduced to the fields failure handling reads. These are the desired state the
// simulated controllers reconcile towards; the objects they create (Pods, Nodes) are in objects.ts.
import type { Count, RangeMs } from './config.js';
import type { Taint, Toleration } from './objects.js';
import type { PodScheduling, PriorityClass } from './scheduling.js';

export interface Capacity {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

/** One node after expanding `count` (worker-a-0, worker-a-1, ...). */
export interface NodeSpec {
  name: string;
  zone: string;
  labels: Record<string, string>;
  /** Schedulable capacity (a kubectl Node's status.allocatable). */
  capacity: Capacity;
  /** spec.taints a Node has from the start (a scenario's node group or an imported Node). Default none. */
  taints?: Taint[];
  /** spec.unschedulable (cordoned) from the start. Default false. */
  unschedulable?: boolean;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface WorkloadSpec {
  kind: WorkloadKind;
  name: string;
  /** metadata.namespace; "default" when absent. */
  namespace?: string;
  /** "Kind/name" (or "namespace/Kind/name" outside the default namespace): how SLOs, faults and the trace refer to it. */
  id: string;
  /** Desired replicas; for a DaemonSet, 0 (one pod per eligible node instead). */
  replicas: number;
  requests: { cpuMilli: number; memoryBytes: number };
  /** As written by the user; the simulated API server adds the default 300 s ones at admission. */
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  spreadAcrossZones: boolean;
  /**
   * The pod template's labels, affinity, topology spread constraints and priority. Absent: a scenario
   * workload without them (labels app=<name>, no affinity, no constraints, priority 0).
   */
  scheduling?: PodScheduling;
  startup: { imagePull: RangeMs; ready: RangeMs };
  /**
   * The containers' readiness, liveness and startup probes (core/v1 Probe), one of each at most for the
   * pod. Absent: no probes (Ready once the containers run and startup.ready has passed, as before).
   */
  probes?: PodProbes;
  terminationGracePeriodMs: number;
  podDisruptionBudget?: PdbSpec;
  /**
   * A StatefulSet's spec.volumeClaimTemplates: one PersistentVolumeClaim per template per ordinal,
   * `<template>-<set>-<ordinal>`, kept across pod replacements (model/volume). Absent or empty: no volumes.
   */
  volumeClaimTemplates?: VolumeClaimTemplate[];
  /** Where it was defined, for messages: "spec.workloads[2]" or "document 3 (apps/v1 StatefulSet)". */
  origin: string;
}

/** core/v1 PersistentVolumeAccessMode. */
export type VolumeAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export const VOLUME_ACCESS_MODES: readonly VolumeAccessMode[] = [
  'ReadWriteOnce',
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOncePod',
];

/** One entry of a StatefulSet's spec.volumeClaimTemplates, reduced to what failure handling reads. */
export interface VolumeClaimTemplate {
  /** metadata.name: the claims are `<name>-<set>-<ordinal>`. */
  name: string;
  accessModes: VolumeAccessMode[];
  /** spec.resources.requests.storage, in bytes. */
  storageBytes: number;
  /** Absent: the cluster's default StorageClass (a zonal block disk with WaitForFirstConsumer binding). */
  storageClassName?: string;
}

/** Whether a claim's volume can be attached to one node only (ReadWriteOnce, ReadWriteOncePod). */
export function isSingleNodeVolume(t: Pick<VolumeClaimTemplate, 'accessModes'>): boolean {
  return !t.accessModes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany');
}

/** The PersistentVolumeClaim of template `template` for a StatefulSet pod (stateful_set_utils.go getPersistentVolumeClaimName). */
export function claimName(template: string, setName: string, ordinal: number): string {
  return `${template}-${setName}-${ordinal}`;
}

/** The kind in a workload id: "Deployment/api" and "shop/Deployment/api" are both Deployments. */
export function workloadKindOf(id: string): string {
  const end = id.lastIndexOf('/');
  if (end < 0) return '';
  return id.slice(id.lastIndexOf('/', end - 1) + 1, end);
}

/**
 * What a workload's pod names start with: its name, or "namespace/name" outside the default namespace,
 * since hasim's API server keeps all pods in one namespace and two namespaces may each have an "api".
 */
export function podNamePrefix(w: Pick<WorkloadSpec, 'name' | 'namespace'>): string {
  return w.namespace === undefined || w.namespace === 'default' ? w.name : `${w.namespace}/${w.name}`;
}

/** A core/v1 Probe's timing; its handler (HTTP, TCP, exec, gRPC) does not change what hasim models. */
export interface ProbeSpec {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
}

/** A pod's probes (readinessProbe, livenessProbe, startupProbe of its containers). */
export interface PodProbes {
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
  startup?: ProbeSpec;
}

/** core/v1 Probe defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe): period 10 s, timeout 1 s, thresholds 3 and 1. */
export const PROBE_DEFAULTS: ProbeSpec = {
  initialDelayMs: 0,
  periodMs: 10_000,
  timeoutMs: 1_000,
  failureThreshold: 3,
  successThreshold: 1,
};

/** unhealthyPodEvictionPolicy of a policy/v1 PodDisruptionBudget (default IfHealthyBudget). */
export type UnhealthyPodEvictionPolicy = 'IfHealthyBudget' | 'AlwaysAllow';

/** The spec of a PodDisruptionBudget selecting exactly one workload's pods (one of minAvailable, maxUnavailable). */
export interface PdbSpec {
  minAvailable?: Count;
  maxUnavailable?: Count;
  unhealthyPodEvictionPolicy?: UnhealthyPodEvictionPolicy;
}

/** A pod's startup when its workload does not say: image pull 1-5 s, Ready 2 s after its containers start. */
export const DEFAULT_STARTUP = { imagePull: { minMs: 1_000, maxMs: 5_000 }, ready: { minMs: 2_000, maxMs: 2_000 } };

export type { PodScheduling, PriorityClass };

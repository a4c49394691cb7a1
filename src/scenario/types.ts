// The validated scenario: plain data, every duration in integer milliseconds, every quantity a number
// (cpu in millicores, memory in bytes), every default filled in from the version profile
// (K8S-SEMANTICS §9.1). This is what the loader produces and what the model, chaos and SLOs consume.

/** An inclusive range of milliseconds (min === max for a fixed value). */
export interface RangeMs {
  minMs: number;
  maxMs: number;
}

export interface LeaderElectionConfig {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ControllerManagerConfig {
  replicas: number;
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  unhealthyZoneThreshold: number;
  largeClusterSizeThreshold: number;
  evictionMode: 'taint' | 'legacy';
  podEvictionTimeoutMs: number;
  leaderElection: LeaderElectionConfig;
}

export interface KubernetesConfig {
  /** "1.31", "1.32", ... (major.minor) */
  version: string;
  controllerManager: ControllerManagerConfig;
  scheduler: { replicas: number; leaderElection: LeaderElectionConfig };
  apiServer: {
    replicas: number;
    defaultNotReadyTolerationSeconds: number;
    defaultUnreachableTolerationSeconds: number;
  };
  etcd: { members: number };
  kubelet: {
    nodeStatusUpdateFrequencyMs: number;
    nodeStatusReportFrequencyMs: number;
    nodeLeaseDurationSeconds: number;
  };
  network: { latency: RangeMs };
}

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
  capacity: Capacity;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Toleration {
  key?: string;
  operator: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect;
  /** Absent: tolerate forever. */
  tolerationSeconds?: number;
}

/** minAvailable / maxUnavailable / min: an absolute count or a percentage of desired. */
export interface Count {
  value: number;
  percent: boolean;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface WorkloadSpec {
  kind: WorkloadKind;
  name: string;
  /** "Kind/name", how SLOs, faults and the trace refer to it. */
  id: string;
  /** Desired replicas; for a DaemonSet, 0 (one pod per eligible node instead). */
  replicas: number;
  requests: { cpuMilli: number; memoryBytes: number };
  /** As written by the user; the simulated API server adds the default 300 s ones at admission. */
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  spreadAcrossZones: boolean;
  startup: { imagePull: RangeMs; ready: RangeMs };
  terminationGracePeriodMs: number;
  podDisruptionBudget?: { minAvailable?: Count; maxUnavailable?: Count };
  /** Where it was defined, for messages: "spec.workloads[2]" or "document 3 (apps/v1 StatefulSet)". */
  origin: string;
}

export const FAULT_TYPES = [
  'node-crash',
  'kubelet-stop',
  'network-partition',
  'network-degrade',
  'zone-outage',
  'apiserver-outage',
  'etcd-member-down',
  'controller-manager-crash',
  'scheduler-crash',
  'clock-skew',
  'node-delete',
  'node-out-of-service',
  'pod-force-delete',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** A selector from SPEC §2.1. Exactly one of the selecting fields is set (random carries `from`). */
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
  /** network-degrade: message loss probability 0..1. */
  loss?: number;
  /** network-degrade: extra latency per message. */
  latency?: RangeMs;
  /** clock-skew: jump of the clock. */
  offsetMs?: number;
  /** clock-skew: clock rate (1 = real time). */
  rate?: number;
  /** controller-manager-crash / scheduler-crash: a clean stop (SIGTERM) instead of a crash. */
  graceful?: boolean;
}

export const SLO_TYPES = [
  'recovery-time',
  'min-available',
  'unavailable-time',
  'detection-time',
  'eviction-time',
  'leaderless-time',
  'max-concurrent-leaders',
  'stuck-terminating',
] as const;
export type SloType = (typeof SLO_TYPES)[number];

export type LeaderComponent = 'kube-controller-manager' | 'kube-scheduler';

export type SloSpec =
  | { name: string; type: 'recovery-time'; workload: string; after: string; maxMs: number }
  | { name: string; type: 'min-available'; workload: string; min: Count; window?: { fromMs: number; toMs: number } }
  | { name: string; type: 'unavailable-time'; workload: string; threshold?: Count; maxMs: number }
  | { name: string; type: 'detection-time'; after: string; maxMs: number }
  | { name: string; type: 'eviction-time'; after: string; workload?: string; maxMs: number }
  | { name: string; type: 'leaderless-time'; component: LeaderComponent; maxMs: number }
  | { name: string; type: 'max-concurrent-leaders'; component: LeaderComponent; max: number }
  | { name: string; type: 'stuck-terminating'; workload: string; max: number };

export interface Scenario {
  metadata: { name: string; description?: string };
  spec: {
    seed: number;
    durationMs: number;
    kubernetes: KubernetesConfig;
    controlPlane: { zones: string[] };
    nodes: NodeSpec[];
    workloads: WorkloadSpec[];
    faults: FaultSpec[];
    slos: SloSpec[];
  };
}

// The scheduling-relevant fields of a pod template (k8s.io/api core/v1 PodSpec: affinity,
// topologySpreadConstraints, priority) and of scheduling.k8s.io/v1 PriorityClass, with upstream's names
// and shapes, reduced to what kube-scheduler's default profile and DefaultPreemption read. The manifest
// reader (src/scenario/manifests.ts) and the scenario shorthand both produce these; the scheduler's
// plugins (src/model/scheduler/plugins/) consume them.

/** metav1.LabelSelectorRequirement operators. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values: string[];
}

/** metav1.LabelSelector. Both parts empty selects everything; an absent selector (undefined) selects nothing. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

/** core/v1 NodeSelectorOperator. */
export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  key: string;
  operator: NodeSelectorOperator;
  values: string[];
}

/** core/v1 NodeSelectorTerm: its requirements are ANDed. matchFields is read for metadata.name only. */
export interface NodeSelectorTerm {
  matchExpressions: NodeSelectorRequirement[];
  matchFields: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  /** requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: the terms are ORed. Absent: no requirement. */
  required?: NodeSelectorTerm[];
  /** preferredDuringSchedulingIgnoredDuringExecution. */
  preferred: PreferredSchedulingTerm[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  /** Empty: the pod's own namespace (unless namespaceSelector says otherwise). */
  namespaces: string[];
  /** Absent: only `namespaces`; present and empty: every namespace. */
  namespaceSelector?: LabelSelector;
  topologyKey: string;
  matchLabelKeys: string[];
  mismatchLabelKeys: string[];
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  required: PodAffinityTerm[];
  preferred: WeightedPodAffinityTerm[];
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}

export type UnsatisfiableConstraintAction = 'DoNotSchedule' | 'ScheduleAnyway';
export type NodeInclusionPolicy = 'Honor' | 'Ignore';

/** core/v1 TopologySpreadConstraint. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: UnsatisfiableConstraintAction;
  labelSelector?: LabelSelector;
  /** Absent: 1 (upstream treats nil as 1). Only meaningful with DoNotSchedule. */
  minDomains?: number;
  /** Absent: Honor. */
  nodeAffinityPolicy?: NodeInclusionPolicy;
  /** Absent: Ignore. */
  nodeTaintsPolicy?: NodeInclusionPolicy;
  matchLabelKeys: string[];
}

export type PreemptionPolicy = 'PreemptLowerPriority' | 'Never';

/** A pod template's scheduling fields, as a workload carries them. */
export interface PodScheduling {
  /** The pod template's labels (what selectors of spread constraints, affinity terms and PDBs match). */
  labels: Record<string, string>;
  affinity?: Affinity;
  /** As written; empty means the scheduler's system default constraints apply (if enabled). */
  topologySpreadConstraints: TopologySpreadConstraint[];
  priorityClassName?: string;
  /** Resolved at admission from the PriorityClass (or the global default class, or 0). */
  priority: number;
  preemptionPolicy: PreemptionPolicy;
  /** Absent: default-scheduler. */
  schedulerName?: string;
}

/** scheduling.k8s.io/v1 PriorityClass. */
export interface PriorityClass {
  name: string;
  value: number;
  globalDefault: boolean;
  preemptionPolicy: PreemptionPolicy;
}

/** The system PriorityClasses every cluster has (pkg/apis/scheduling: SystemCriticalPriority = 2e9). */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    name: 'system-cluster-critical',
    value: 2_000_000_000,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
  },
  {
    name: 'system-node-critical',
    value: 2_000_001_000,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
  },
];

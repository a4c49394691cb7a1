// The cluster autoscaler's settings (cluster-autoscaler config/autoscaling_options.go and the flags of
// main.go), each with upstream's default, and its node groups. The scenario loader fills them in
// (docs/scenario-format.md#autoscaler); the autoscaler gets them at construction.
import type { LeaderElectionConfig } from '../../k8s/config.js';
import type { NodeSpec } from '../../k8s/workloads.js';

/** --expander: random (default) or least-waste. */
export const EXPANDERS = ['random', 'least-waste'] as const;
export type Expander = (typeof EXPANDERS)[number];

export interface NodeGroupSpec {
  /** The node group's id (a managed instance group, an Auto Scaling group). */
  name: string;
  zone: string;
  minSize: number;
  maxSize: number;
  /** The shape of its nodes (TemplateNodeInfo): capacity, labels, taints; the name is each node's own. */
  template: NodeSpec;
  /** Its nodes at the start of the run. */
  initialNodes: string[];
  /** New nodes are named `<namePrefix><k>`, k counting on from the initial nodes. */
  namePrefix: string;
  firstIndex: number;
}

export interface ClusterAutoscalerConfig {
  replicas: number;
  leaderElection: LeaderElectionConfig;
  /** --scan-interval (10 s): how often RunOnce runs. */
  scanIntervalMs: number;
  expander: Expander;
  /** --balance-similar-node-groups (false). */
  balanceSimilarNodeGroups: boolean;
  /** --scale-down-enabled (true). */
  scaleDownEnabled: boolean;
  /** --scale-down-unneeded-time (10 m). */
  scaleDownUnneededTimeMs: number;
  /** --scale-down-delay-after-add (10 m). */
  scaleDownDelayAfterAddMs: number;
  /** --scale-down-utilization-threshold (0.5). */
  scaleDownUtilizationThreshold: number;
  /** --max-total-unready-percentage (45). */
  maxTotalUnreadyPercentage: number;
  /** --ok-total-unready-count (3). */
  okTotalUnreadyCount: number;
  /** --max-node-provision-time (15 m). */
  maxNodeProvisionTimeMs: number;
  nodeGroups: NodeGroupSpec[];
}

export const AUTOSCALER_DEFAULTS = {
  scanIntervalMs: 10_000,
  expander: 'random' as Expander,
  balanceSimilarNodeGroups: false,
  scaleDownEnabled: true,
  scaleDownUnneededTimeMs: 10 * 60_000,
  scaleDownDelayAfterAddMs: 10 * 60_000,
  scaleDownUtilizationThreshold: 0.5,
  maxTotalUnreadyPercentage: 45,
  okTotalUnreadyCount: 3,
  maxNodeProvisionTimeMs: 15 * 60_000,
};

/** --max-node-startup-time (15 m): a NotReady node younger than this is NotStarted, not Unready. */
export const MAX_NODE_STARTUP_TIME_MS = 15 * 60_000;
/** The initial and the longest back-off of a node group whose scale-up failed (utils/backoff: 5 m, 30 m). */
export const INITIAL_NODE_GROUP_BACKOFF_MS = 5 * 60_000;
export const MAX_NODE_GROUP_BACKOFF_MS = 30 * 60_000;
/** --max-pod-eviction-time (2 m): how long a scale-down keeps retrying refused evictions. */
export const MAX_POD_EVICTION_TIME_MS = 2 * 60_000;
/** core/scaledown/actuation/drain.go DefaultEvictionRetryTime: a refused eviction is retried after 10 s. */
export const EVICTION_RETRY_MS = 10_000;
/** --scale-down-delay-after-failure (3 m). */
export const SCALE_DOWN_DELAY_AFTER_FAILURE_MS = 3 * 60_000;
/** The taint a node being scaled down carries (utils/taints ToBeDeletedTaint), NoSchedule. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

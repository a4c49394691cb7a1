// The model's fast paths, and the switch that turns them off. Each fast path skips work whose outcome is
// already fixed, and each says in its own file why the outcome is the same; the plain behaviour it stands
// in for stays in the code as the reference. A run with every fast path off (REFERENCE_BEHAVIOUR) is the
// reference run: tests and `npm run vopr` compare its trace with the fast run's, byte for byte. One switch
// per fast path lets a difference be bisected.
export interface FastPaths {
  /**
   * Kubelets send a lease renewal ahead of time, and skip idle node-status syncs, while hosts, links, clocks
   * and API members stay as they are; a world change that can reach a kubelet (its own host's, or the
   * control plane's) undoes what it still has ahead (infra/world.ts).
   */
  speculation: boolean;
  /**
   * A healthy kubelet's lease renewals are played only when someone could tell the difference
   * (apiserver/lease-chains.ts). Needs speculation; never with traced heartbeats.
   */
  leaseChains: boolean;
  /**
   * A watch event that every handler of an informer calls quiet goes into its cache without a delivery
   * event of its own (apiserver/quiet-deliveries.ts).
   */
  quietDeliveries: boolean;
  /**
   * The node lifecycle controller's pass takes a short path for a node with nothing to do whose record has
   * not changed (nodelifecycle/nlc-core.ts, monitorNodeHealth).
   */
  nodeLifecycleQuietNodes: boolean;
  /**
   * The pass does not read the lease of a healthy node whose renewals are chained and whose grace period
   * cannot run out (nodelifecycle/node-lifecycle-controller.ts). Needs leaseChains and quiet nodes.
   */
  nodeLifecycleLeaseSkip: boolean;
  /**
   * The node lifecycle controller's NoExecute tainting pass (every 100 ms) is not run while every zone
   * queue is empty; the kernel keeps its place, and a node put into a queue schedules the next pass there
   * (nodelifecycle/idle-tainting-loop.ts).
   */
  nodeLifecycleIdleTainting: boolean;
  /**
   * The leader electors of a Lease play their renewals and failed attempts as a chain without events while
   * nothing can observe or disturb them, and only when something could (leaderelection/quiet-chain.ts).
   */
  leaderElectionChains: boolean;
  /** The scheduler filters nodes 32 at a time over bitsets instead of node by node (scheduler/accelerator.ts). */
  schedulerWordWalk: boolean;
  /** The scheduler reuses the verdict of an identical failed cycle instead of filtering again (scheduler/verdicts.ts). */
  schedulerReusedVerdicts: boolean;
  /**
   * InterPodAffinity's Filter has a word form: the nodes in a domain holding pods that a term selects, as
   * a bitset built from the cache's counts, so the walk by words takes pods with pod (anti-)affinity terms
   * or selected by an existing pod's anti-affinity (scheduler/plugins/inter-pod-affinity.ts). Needs
   * schedulerWordWalk.
   */
  schedulerAffinityWords: boolean;
  /**
   * PodTopologySpread's Score (the system default spreading included) scores every feasible node in one
   * call from the cache's position columns instead of PreScore and Score node by node through the
   * framework (scheduler/plugins/pod-topology-spread.ts scoreAll).
   */
  schedulerColumnScores: boolean;
  /**
   * PodTopologySpread brings a constraint's eligible nodes and domains up to date from the nodes added,
   * removed or relabelled since it last looked, instead of walking every node again after each such
   * change, while every node with the constraint's key takes part (scheduler/plugins/pod-topology-spread.ts
   * eligibilityAfter).
   */
  schedulerSpreadDeltas: boolean;
  /**
   * When the scheduler cache's node order changes (a node added, removed or relabelled), only the positions
   * whose node changed are written again in its columns, instead of every position, and the nodes that
   * keep their position keep their memoized fits and scores (scheduler/cache.ts keepPositions).
   */
  schedulerKeptPositions: boolean;
  /**
   * The traffic meter keeps what requests meet between changes of the rules, the routed pods and the
   * world, and on a write of a Service's slices works out only the nodes behind (traffic/traffic-meter.ts).
   */
  trafficKeptOutcomes: boolean;
  /**
   * kube-proxies that relist between two deliveries of a Service's slices program one shared rules list
   * instead of a copy each, and a node's own rules are compared with the API server's slice by slice,
   * skipping the slices both hold (proxy/kube-proxy.ts, cachedRules and rulesBehind).
   */
  proxySharedRules: boolean;
  /**
   * With trafficKeptOutcomes, the traffic meter works out a new picked list's dead endpoints from the list
   * it replaces, by the slices written since (Cluster policy without PreferClose: it picks slice by slice)
   * or else the endpoints between the lists' common head and tail, instead of looking at every endpoint
   * again (traffic/traffic-meter.ts, pick and retrack).
   */
  trafficDiffedPicks: boolean;
  /**
   * With trafficKeptOutcomes, the traffic meter keeps the causes of a picked list's dead endpoints up to
   * date as pods die and revive and hosts change power, instead of looking at every dead pod again after
   * each change of the world (traffic/dead-causes.ts).
   */
  trafficKeptCauses: boolean;
  /**
   * A slice written since (a new list whose unchanged endpoints are the same objects) is compared with the
   * one it replaces from both ends, and only the endpoints between their common head and tail leave and
   * enter kube-proxy's routed pods and the traffic meter's picked lists, instead of the whole old slice
   * and the whole new one (proxy/kube-proxy.ts forChangedEndpoints).
   */
  sliceMiddles: boolean;
  /**
   * The cluster autoscaler reuses a loop's unschedulable pods, scale-up estimates and unneeded nodes while
   * no Node or Pod it schedules with has changed, instead of rebuilding its scheduling snapshot
   * (autoscaler/static-autoscaler.ts, ScanReuse).
   */
  autoscalerReusedScans: boolean;
  /**
   * The cluster autoscaler's filterOutSchedulable skips, for each Pending pod, the nodes that a node-local
   * filter (unschedulable, taints, node affinity, resources) rejected for an earlier pod of the same kind
   * in the same snapshot, instead of walking every node from the first again (autoscaler/snapshot.ts
   * fitsAnyNodeKnown).
   */
  autoscalerKnownRejections: boolean;
  /**
   * The traffic meter takes the powered-on nodes that do not follow the kube-proxy fleet together, one
   * client position per zone and rules map they share (nodes cut off between two of the fleet's syncs,
   * or relisted between two deliveries, share one), instead of one position per node, and keeps their
   * stale-since times from one evaluation to the next (traffic/traffic-meter.ts groupedView, groupedStale).
   */
  trafficGroupedNodes: boolean;
}

export const FAST_PATH_NAMES = [
  'speculation',
  'leaseChains',
  'quietDeliveries',
  'nodeLifecycleQuietNodes',
  'nodeLifecycleLeaseSkip',
  'nodeLifecycleIdleTainting',
  'schedulerWordWalk',
  'schedulerReusedVerdicts',
  'schedulerAffinityWords',
  'schedulerColumnScores',
  'schedulerSpreadDeltas',
  'schedulerKeptPositions',
  'trafficKeptOutcomes',
  'proxySharedRules',
  'trafficDiffedPicks',
  'trafficKeptCauses',
  'sliceMiddles',
  'autoscalerReusedScans',
  'autoscalerKnownRejections',
  'trafficGroupedNodes',
  'leaderElectionChains',
] as const satisfies readonly (keyof FastPaths)[];

export const ALL_FAST_PATHS: Readonly<FastPaths> = Object.freeze({
  speculation: true,
  leaseChains: true,
  quietDeliveries: true,
  nodeLifecycleQuietNodes: true,
  nodeLifecycleLeaseSkip: true,
  nodeLifecycleIdleTainting: true,
  schedulerWordWalk: true,
  schedulerReusedVerdicts: true,
  schedulerAffinityWords: true,
  schedulerColumnScores: true,
  schedulerSpreadDeltas: true,
  schedulerKeptPositions: true,
  trafficKeptOutcomes: true,
  proxySharedRules: true,
  trafficDiffedPicks: true,
  trafficKeptCauses: true,
  sliceMiddles: true,
  autoscalerReusedScans: true,
  autoscalerKnownRejections: true,
  trafficGroupedNodes: true,
  leaderElectionChains: true,
});

/** Every fast path off: the plain upstream behaviour. */
export const REFERENCE_BEHAVIOUR: Readonly<FastPaths> = Object.freeze({
  speculation: false,
  leaseChains: false,
  quietDeliveries: false,
  nodeLifecycleQuietNodes: false,
  nodeLifecycleLeaseSkip: false,
  nodeLifecycleIdleTainting: false,
  schedulerWordWalk: false,
  schedulerReusedVerdicts: false,
  schedulerAffinityWords: false,
  schedulerColumnScores: false,
  schedulerSpreadDeltas: false,
  schedulerKeptPositions: false,
  trafficKeptOutcomes: false,
  proxySharedRules: false,
  trafficDiffedPicks: false,
  trafficKeptCauses: false,
  sliceMiddles: false,
  autoscalerReusedScans: false,
  autoscalerKnownRejections: false,
  trafficGroupedNodes: false,
  leaderElectionChains: false,
});

/** Fills in the fast paths not named (on), and turns off those whose prerequisite is off. */
export function resolveFastPaths(given: Partial<FastPaths> | undefined): FastPaths {
  const fp: FastPaths = { ...ALL_FAST_PATHS, ...given };
  if (!fp.speculation) fp.leaseChains = false;
  if (!fp.leaseChains || !fp.nodeLifecycleQuietNodes) fp.nodeLifecycleLeaseSkip = false;
  if (!fp.schedulerWordWalk) fp.schedulerAffinityWords = false;
  return fp;
}

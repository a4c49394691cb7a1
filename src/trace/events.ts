// The trace event vocabulary (docs/scenario-format.md#trace-events-eventsjsonl), one JSON object a line in events.jsonl. Types are dotted, noun
// first, past tense. The required fields are SPEC's; the extra types and fields let SLOs and reports
// work from a saved trace alone (topology, desired counts, where pods really run).

export type ReadyStatus = 'True' | 'False' | 'Unknown';
export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

interface FaultFields {
  fault: string;
  faultType: string;
  targets: string[];
}
interface TaintFields {
  node: string;
  key: string;
  effect: string;
}
interface LeaderFields {
  component: string;
  instance: string;
}

/** Each event type and its fields (besides atMs and type). */
export type TraceEventFields = {
  'run.started': {
    scenario: string;
    seed: number;
    durationMs: number;
    kubernetesVersion: string;
    hasimVersion: string;
  };
  'fault.started': FaultFields;
  'fault.ended': FaultFields;
  /** A Node object exists (at start, or after re-registration). Extra: lets reports lay out lanes by zone. */
  'node.created': { node: string; zone: string };
  /** by: who deleted the Node (an operator, the cloud node lifecycle controller, ...); absent in older traces. */
  'node.deleted': { node: string; by?: string };
  'node.ready.changed': {
    node: string;
    from: ReadyStatus | 'None';
    to: ReadyStatus;
    by: 'kubelet' | 'node-lifecycle-controller';
  };
  'node.taint.added': TaintFields;
  'node.taint.removed': TaintFields;
  'node.lease.renewed': { node: string };
  /** Host power (node-crash, zone-outage) as the infrastructure sees it, not as Kubernetes does. */
  'host.powered.off': { host: string };
  'host.powered.on': { host: string };
  /** A worker host finished booting (bootMs after its power came on): its kubelet starts now. */
  'host.booted': { host: string; bootMs: number };
  /** A node's VM was created (node-provisioning.ts) or deleted for good. */
  'node.provisioned': { node: string; zone: string };
  'node.terminated': { node: string };
  /** Managed auto-repair re-creates a node's VM (model/cloud/node-auto-repair.ts). */
  'node.repair.started': { node: string; ready: string; unhealthyForMs: number };
  /** Desired replicas of a workload (DaemonSets change with eligible nodes). */
  'workload.desired.changed': { workload: string; desired: number };
  'pod.created': { pod: string; workload: string };
  'pod.scheduled': { pod: string; node: string };
  'pod.unschedulable': { pod: string; reason: string };
  /**
   * The scheduler nominated a node for a pending pod that preempted pods there (status.nominatedNodeName);
   * `node` is empty when a nomination is cleared.
   */
  'pod.nominated': { pod: string; node: string };
  /** The scheduler deleted `pod` (of `workload`, on `node`) to make room for `preemptor` (of `preemptorWorkload`). */
  'pod.preempted': { pod: string; workload: string; node: string; preemptor: string; preemptorWorkload: string };
  'pod.ready.changed': { pod: string; ready: boolean; by: string };
  /** Containers started / stopped on their node: what really runs, whatever the API server believes. */
  'pod.started': { pod: string; node: string };
  'pod.stopped': { pod: string; node: string; reason: string };
  'pod.deleted': { pod: string; reason: string };
  /**
   * Volumes (model/volume): a StatefulSet claim's PersistentVolume provisioned in the zone of the node its
   * first pod was scheduled to (WaitForFirstConsumer); from then on its pods are pinned to that zone.
   */
  'volume.bound': { claim: string; workload: string; zone: string; node: string };
  /** The attach-detach controller started attaching the claim's disk to a node, and the cloud finished it. */
  'volume.attach.started': { claim: string; node: string; pod: string };
  'volume.attached': { claim: string; node: string };
  /**
   * A pod on `node` needs a ReadWriteOnce disk still attached to `attachedTo`: the controller's Multi-Attach
   * error (reconciler.go reportMultiAttachError), traced once per pod and node.
   */
  'volume.multiattach.error': { claim: string; node: string; pod: string; attachedTo: string };
  /**
   * A detach started. reason: `unmounted` (the node reported the volume no longer in use),
   * `maxWaitForUnmountDuration` (a force detach from an unhealthy node after the 6-minute wait),
   * `out-of-service` (a force detach at once from a node with the out-of-service taint). waitedMs: since
   * the controller first wanted the detach.
   */
  'volume.detach.started': { claim: string; node: string; reason: string; waitedMs: number };
  'volume.detached': { claim: string; node: string };
  /**
   * A probe's result for a pod's containers changed (failureThreshold failures or successThreshold successes in
   * a row): every failure, and the recovery after one; a container's first success is not traced.
   */
  'pod.probe.changed': {
    pod: string;
    node: string;
    probe: 'readiness' | 'liveness' | 'startup';
    result: 'Success' | 'Failure';
  };
  /** A pod's containers exited (a crash, or killed after a failed liveness or startup probe) and start again after backOffMs. */
  'pod.restart.scheduled': { pod: string; node: string; reason: string; backOffMs: number };
  /** An app-degrade fault made a pod's application fail (its requests fail) or recover. */
  'pod.app.changed': { pod: string; failing: boolean; fault: string };
  /** The pod's phase became Failed (a graceful node shutdown terminated it). */
  'pod.failed': { pod: string; node: string; reason: string; message: string };
  'pod.removed': { pod: string };
  'leader.acquired': LeaderFields;
  'leader.lost': LeaderFields;
  'component.started': LeaderFields;
  'component.stopped': LeaderFields;
  /**
   * The etcd leader stopped leading (apiserver/etcd-raft.ts): its member stopped, it stepped down after an
   * election timeout without hearing from a majority (`check quorum`), or it heard a newer term.
   */
  'etcd.leader.lost': { member: string; term: number; reason: string };
  /** An etcd member won an election; leaderlessMs: how long no leader could commit before it. */
  'etcd.leader.elected': { member: string; term: number; leaderlessMs: number };
  /** spec.unschedulable changed (kubectl cordon / uncordon, drain). */
  'node.unschedulable.changed': { node: string; unschedulable: boolean; by: string };
  /** A PodDisruptionBudget's status counts changed (by the disruption controller or the Eviction API). */
  'pdb.status.changed': {
    pdb: string;
    workload: string;
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    by: string;
  };
  /** The Eviction API refused to evict a pod (429 while its PDB allows no disruption, 403, 500). */
  'pod.eviction.refused': {
    pod: string;
    node: string;
    workload: string;
    pdb: string;
    code: number;
    message: string;
    by: string;
  };
  /** kubectl drain (a node-drain fault) on one node: started after the cordon, finished, timed out or failed. */
  'node.drain.started': { node: string; fault: string; pods: number };
  'node.drain.finished': { node: string; fault: string; evicted: number };
  'node.drain.timedout': { node: string; fault: string; timeoutMs: number; remaining: string[]; message: string };
  'node.drain.failed': { node: string; fault: string; message: string };
  /** Graceful node shutdown (a node-shutdown fault): the kubelet's shutdown manager saw the shutdown coming. */
  /** A node-pool-upgrade fault: the pool, each node replaced (with its replacement), the end. */
  'nodepool.upgrade.started': { fault: string; nodes: number; maxSurge: number; maxUnavailable: number };
  'node.upgrade.started': { fault: string; node: string; surge: boolean };
  'node.upgrade.finished': { fault: string; node: string; replacement: string; durationMs: number };
  'nodepool.upgrade.finished': { fault: string; nodes: number; durationMs: number };
  'node.shutdown.started': { node: string; fault: string; shutdownGracePeriodMs: number };
  'zone.state.changed': { zone: string; from: ZoneState; to: ZoneState };
  /** The cluster autoscaler raised a node group's target size (IncreaseSize), for `pods` Pending pods. */
  'nodegroup.scaled.up': { nodeGroup: string; from: number; to: number; pods: number; nodes: string[]; reason: string };
  /** VMs of a scale-up that never registered within maxNodeProvisionTime: removed, the group backed off. */
  'nodegroup.scaleup.failed': { nodeGroup: string; nodes: string[]; backoffMs: number; reason: string };
  /** The cluster autoscaler removed an unneeded node (drained, then its VM deleted: DeleteNodes). */
  'nodegroup.scaled.down': { nodeGroup: string; node: string; from: number; to: number; reason: string };
  /** A scale-down gave up on a node (an eviction refused for maxPodEvictionTime); the node stays. */
  'nodegroup.scaledown.failed': { nodeGroup: string; node: string; reason: string };
  /** The cluster autoscaler stopped acting: too many nodes unready (IsClusterHealthy false). */
  'autoscaler.halted': { reason: string; unready: number; total: number };
  /** The cluster autoscaler acts again: the cluster is healthy by its rule. */
  'autoscaler.resumed': { unready: number; total: number };
  'slo.violated': { slo: string; measured: number | string };
  /** The EndpointSlice controller wrote a Service's slices: its endpoints by condition, as now published. */
  'service.endpoints.changed': {
    service: string;
    ready: number;
    serving: number;
    terminating: number;
    endpoints: number;
  };
  /**
   * The EndpointSlice controller's topology cache added, reallocated or removed a Service's zone hints: `hints`,
   * whether the endpoints have them now; `zones`, how many endpoints are hinted for each zone ("zone-a 3,
   * zone-b 3"); `reason`, upstream's event message (TopologyAwareHintsEnabled / Disabled), or "Hints
   * reallocated".
   */
  'service.hints.changed': { service: string; hints: boolean; reason: string; zones: string };
  /**
   * What a Service's requests meet changed (endpoints died or came back, kube-proxy rules changed, links were
   * cut): the request rates from then on, and why some fail.
   */
  'service.traffic.changed': {
    service: string;
    /** Requests per second sent, and failing, from now until the next change. */
    requestsPerSecond: number;
    failingPerSecond: number;
    /** failing / requests (1 when nothing is sent). */
    successRate: number;
    /** Endpoints in some node's rules whose containers are not running. */
    deadEndpoints: number;
    /** Nodes whose rules send some of the traffic to a dead endpoint, and since when the longest-stale one has. */
    staleNodes: number;
    staleSinceMs?: number;
    /** Nodes whose kube-proxy rules differ from what the API server holds (not synced yet, or cut off). */
    behindNodes: number;
    cause: string;
  };
};

export type TraceEventType = keyof TraceEventFields;

export type TraceEvent = {
  [K in TraceEventType]: { atMs: number; type: K } & TraceEventFields[K];
}[TraceEventType];

export type TraceEventOf<K extends TraceEventType> = Extract<TraceEvent, { type: K }>;

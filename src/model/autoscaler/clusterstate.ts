// The autoscaler's view of the cluster's health (cluster-autoscaler clusterstate/clusterstate.go,
// ClusterStateRegistry): each node's readiness (updateReadinessStats), the nodes a scale-up is still
// waiting for (GetUpcomingNodes), the VMs that never registered within --max-node-provision-time
// (LongUnregistered: the scale-up failed), and IsClusterHealthy: with more than --ok-total-unready-count
// (3) nodes unready and more than --max-total-unready-percentage (45%) of them, the autoscaler does
// nothing at all in that loop ("Cluster is not ready for autoscaling"), so that it does not make a large
// outage worse.
// A registered node that has not started still counts as upcoming, and the scale-up snapshot holds a
// template node in its place (static_autoscaler.go: "Some upcoming nodes can already be registered in the
// cluster, but not yet ready - we still inject replacements for them"), so a scan in the seconds between a
// new node's registration and its Ready does not scale up again for the same pods.
// Readiness, as GetReadinessState and updateReadinessStats: Ready=True is Ready; a node not Ready that was
// created less than --max-node-startup-time (15 m) ago is NotStarted; any other is Unready. hasim's nodes
// present at the start stand for nodes running since long before t = 0, so they never count as NotStarted.
// Simplified: no per-node-group health (IsNodeGroupHealthy), no Deleted/ResourceUnready classes.
import { type Node, readyCondition } from '../../k8s/objects.js';
import { MAX_NODE_STARTUP_TIME_MS } from './options.js';

export type NodeReadiness = 'Ready' | 'NotStarted' | 'Unready';

export function nodeReadiness(node: Node, nowMs: number, preexisting: boolean): NodeReadiness {
  if (readyCondition(node)?.status === 'True') return 'Ready';
  if (!preexisting && nowMs - node.metadata.creationTimestampMs < MAX_NODE_STARTUP_TIME_MS) return 'NotStarted';
  return 'Unready';
}

export interface Readiness {
  ready: number;
  notStarted: number;
  unready: number;
  /** Every registered node counted. */
  total: number;
}

export function countReadiness(readiness: Iterable<NodeReadiness>): Readiness {
  const r: Readiness = { ready: 0, notStarted: 0, unready: 0, total: 0 };
  for (const x of readiness) {
    r.total++;
    if (x === 'Ready') r.ready++;
    else if (x === 'NotStarted') r.notStarted++;
    else r.unready++;
  }
  return r;
}

export interface HealthOptions {
  maxTotalUnreadyPercentage: number;
  okTotalUnreadyCount: number;
}

/** IsClusterHealthy. */
export function isClusterHealthy(r: Readiness, o: HealthOptions): boolean {
  return !(r.unready > o.okTotalUnreadyCount && r.unready > (o.maxTotalUnreadyPercentage / 100) * r.total);
}

/** What a node group's VMs are doing, from the cloud's list and the registered Nodes. */
export interface GroupState {
  targetSize: number;
  /** VMs with a registered Node. */
  registered: number;
  /**
   * The scale-up in progress (GetUpcomingNodes: target size less the Ready, Unready and long-unregistered
   * ones): VMs without a Node, asked for less than maxNodeProvisionTime ago, and registered Nodes that have
   * not started (not Ready yet, created less than --max-node-startup-time ago).
   */
  upcoming: number;
  /** The upcoming VMs whose Node is registered (NotStarted): a template node stands in for each. */
  registeredUpcoming: string[];
  /** VMs without a Node for longer than maxNodeProvisionTime: the scale-up failed for them. */
  longUnregistered: string[];
}

export function groupState(
  instances: ReadonlyArray<{ name: string; requestedAtMs: number }>,
  /** The readiness of the VM's Node, undefined while it has not registered. */
  readinessOf: (nodeName: string) => NodeReadiness | undefined,
  nowMs: number,
  maxNodeProvisionTimeMs: number,
): GroupState {
  const s: GroupState = {
    targetSize: instances.length,
    registered: 0,
    upcoming: 0,
    registeredUpcoming: [],
    longUnregistered: [],
  };
  for (const i of instances) {
    const readiness = readinessOf(i.name);
    if (readiness !== undefined) {
      s.registered++;
      if (readiness === 'NotStarted') {
        s.upcoming++;
        s.registeredUpcoming.push(i.name);
      }
    } else if (nowMs - i.requestedAtMs >= maxNodeProvisionTimeMs) s.longUnregistered.push(i.name);
    else s.upcoming++;
  }
  return s;
}

// The cluster autoscaler's scheduling simulation (cluster-autoscaler simulator/clustersnapshot and
// simulator/predicatechecker): a copy of the cluster's nodes and bound pods, into which template nodes
// are added and pods placed, judged by the scheduler's own Filter plugins (scheduler/framework.ts, the
// default profile) exactly as kube-scheduler would judge them. A snapshot is built from the autoscaler's
// informer caches when a loop needs one (pods are Pending, or a scale-down candidate's pods must find a new
// home) and thrown away after it: the cost of a loop with nothing to do is not O(pods).
import type { Node, Pod } from '../../k8s/objects.js';
import type { NodeSpec } from '../../k8s/workloads.js';
import { MEMO_SCORE_MASK, type NodeInfo, SchedulerCache } from '../scheduler/cache.js';
import { CycleState, DEFAULT_PLUGINS, Framework, type FilterPlugin, SKIP, SUCCESS } from '../scheduler/framework.js';

/** A Ready, schedulable Node object with the template's shape, named `name` (TemplateNodeInfo). */
export function templateNode(template: NodeSpec, name: string): Node {
  return {
    kind: 'Node',
    metadata: {
      name,
      uid: 0,
      resourceVersion: 0,
      creationTimestampMs: 0,
      labels: { ...template.labels, 'kubernetes.io/hostname': name },
    },
    spec: { taints: template.taints ?? [], unschedulable: false },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTimeMs: 0, lastTransitionTimeMs: 0, reason: '', message: '' },
      ],
      capacity: { ...template.capacity },
    },
  };
}

/**
 * The Filter plugins whose verdict on a node depends only on that node and the pod: its unschedulable
 * flag, taints, labels, and capacity and usage for NodeResourcesFit, whose rejection stands while usage
 * only grows. While pods are only placed (filterOutSchedulable), a node one of them rejected stays rejected
 * for every pod with the same inputs to them.
 */
const NODE_LOCAL_FILTERS: ReadonlySet<string> = new Set([
  'NodeUnschedulable',
  'TaintToleration',
  'NodeAffinity',
  'NodeResourcesFit',
]);

/**
 * Fast path autoscalerKnownRejections (fast-paths.ts): per kind of pod (the active filters and the node-local
 * filters' inputs, their verdictKey), the positions of one node order that a node-local filter rejected, as
 * skip pointers: next[p] is p when position p is not known rejected, else a later position to look at
 * (path halving keeps the chains short). Valid while pods are only placed and the order stays.
 */
export class KnownRejections {
  order: readonly NodeInfo[] | undefined;
  readonly next = new Map<string, Int32Array>();
}

/** Whether a pod counts where it is bound: not finished (a Failed pod's resources are free). */
export function podOccupies(pod: Pod): boolean {
  return pod.spec.nodeName !== undefined && pod.status.phase !== 'Failed' && pod.status.phase !== 'Succeeded';
}

export class SchedulingSnapshot {
  private readonly cache = new SchedulerCache();
  private readonly framework: Framework;
  private readonly state = new CycleState();
  private readonly requestIds = new Map<string, number>();
  private readonly active: FilterPlugin[] = [];

  constructor(nodes: Iterable<Node>, pods: Iterable<Pod>) {
    this.framework = new Framework(this.cache, DEFAULT_PLUGINS, MEMO_SCORE_MASK);
    this.cache.columns.resourceScore = this.framework.resourceScore;
    for (const n of nodes) this.cache.setNode(n);
    for (const p of pods) if (podOccupies(p)) this.cache.addOrUpdatePod(p, p.spec.nodeName!);
  }

  addNode(node: Node): void {
    this.cache.setNode(node);
  }

  removeNode(name: string): void {
    this.cache.removeNode(name);
  }

  /** Places the pod on the node in the snapshot (its resources and topology counts follow). */
  place(pod: Pod, nodeName: string): void {
    this.cache.addOrUpdatePod({ ...pod, spec: { ...pod.spec, nodeName } }, nodeName);
  }

  /** Takes a pod out of the snapshot (it is being moved). */
  unplace(podName: string): void {
    this.cache.removePod(podName);
  }

  /** The names of the snapshot's nodes, in the scheduler's node order. */
  nodeNames(): string[] {
    return this.cache.order().map((i) => i.name);
  }

  /**
   * PredicateChecker.CheckPredicates: whether every Filter plugin of the default profile passes `pod` on
   * `nodeName` (PreFilter first; a plugin answering Skip is not asked).
   */
  fits(pod: Pod, nodeName: string): boolean {
    const state = this.state;
    state.order = this.cache.order();
    const info = this.cache.nodes.get(nodeName);
    if (info === undefined || info.node === undefined || info.pos < 0) return false;
    this.prepare(pod);
    const pos = info.pos;
    for (const p of this.active) if (p.filter(state, pos) !== SUCCESS) return false;
    return true;
  }

  /** FitsAnyNode: the first node in the scheduler's order that passes every Filter, if any. */
  fitsAnyNode(pod: Pod, except?: ReadonlySet<string>): string | undefined {
    const order = this.cache.order();
    this.state.order = order;
    this.prepare(pod);
    for (const info of order) {
      if (except?.has(info.name)) continue;
      let ok = true;
      for (const p of this.active)
        if (p.filter(this.state, info.pos) !== SUCCESS) {
          ok = false;
          break;
        }
      if (ok) return info.name;
    }
    return undefined;
  }

  /**
   * fitsAnyNode for filterOutSchedulable (no nodes left out), skipping the nodes `known` says a node-local
   * filter rejected for a pod of the same kind since the snapshot last changed otherwise than by placing
   * pods. The nodes it does look at are looked at in the same order with the same filters, so the answer
   * is fitsAnyNode's.
   */
  fitsAnyNodeKnown(pod: Pod, known: KnownRejections): string | undefined {
    const order = this.cache.order();
    if (known.order !== order) {
      known.order = order;
      known.next.clear();
    }
    this.state.order = order;
    this.prepare(pod);
    let key = '';
    for (const f of this.active) {
      key += `${f.name}\u0000`;
      if (NODE_LOCAL_FILTERS.has(f.name)) {
        if (f.verdictKey === undefined) return this.fitsAnyNode(pod);
        key += `${f.verdictKey(pod)}\u0001`;
      }
    }
    let next = known.next.get(key);
    if (next === undefined) {
      next = new Int32Array(order.length + 1);
      for (let p = 0; p <= order.length; p++) next[p] = p;
      known.next.set(key, next);
    }
    const n = order.length;
    for (let p = skipTo(next, 0); p < n; p = skipTo(next, p + 1)) {
      let rejectedBy: FilterPlugin | undefined;
      for (const f of this.active)
        if (f.filter(this.state, p) !== SUCCESS) {
          rejectedBy = f;
          break;
        }
      if (rejectedBy === undefined) return order[p].name;
      if (NODE_LOCAL_FILTERS.has(rejectedBy.name)) next[p] = p + 1;
    }
    return undefined;
  }

  private prepare(pod: Pod): void {
    const state = this.state;
    const req = pod.spec.requests;
    state.pod = pod;
    state.cpuMilli = req.cpuMilli;
    state.memBytes = req.memoryBytes;
    const key = `${req.cpuMilli}/${req.memoryBytes}`;
    let id = this.requestIds.get(key);
    if (id === undefined) this.requestIds.set(key, (id = this.requestIds.size));
    state.requestId = id;
    state.cycle++;
    state.cols = this.cache.columns;
    state.fitIndex = undefined;
    this.active.length = 0;
    for (const p of this.framework.filters) if (p.preFilter?.(state) !== SKIP) this.active.push(p);
  }
}

/** The first position at or after p not known rejected (KnownRejections.next), halving the path walked. */
function skipTo(next: Int32Array, p: number): number {
  while (next[p] !== p) {
    next[p] = next[next[p]];
    p = next[p];
  }
  return p;
}

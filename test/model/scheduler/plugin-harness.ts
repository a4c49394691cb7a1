// A scheduler cache with nodes and bound pods, and one plugin run over it the way a cycle runs it, for
// the upstream plugin test vectors (pkg/scheduler/framework/plugins/*/*_test.go). Each existing pod is a
// workload of its own, so selectors see each pod's labels and namespace.
import type { Node, Pod, Taint, Toleration } from '../../../src/k8s/objects.js';
import type { Affinity, TopologySpreadConstraint } from '../../../src/k8s/scheduling.js';
import { SchedulerCache } from '../../../src/model/scheduler/cache.js';
import {
  CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  SKIP,
  StatusTable,
  SUCCESS,
  type ScorePlugin,
} from '../../../src/model/scheduler/framework.js';

export interface NodeArgs {
  name: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export interface PodArgs {
  name: string;
  node?: string;
  labels?: Record<string, string>;
  namespace?: string;
  terminating?: boolean;
  workload?: string;
  constraints?: TopologySpreadConstraint[];
  affinity?: Affinity;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
}

export function node(a: NodeArgs): Node {
  return {
    kind: 'Node',
    metadata: { name: a.name, uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: a.labels ?? {} },
    spec: { taints: a.taints ?? [], unschedulable: false },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTimeMs: 0, lastTransitionTimeMs: 0, reason: '', message: '' },
      ],
      capacity: { cpuMilli: 4000, memoryBytes: 2 ** 34, pods: 110 },
    },
  };
}

let uid = 0;

export function pod(a: PodArgs): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name: a.name,
      uid: ++uid,
      resourceVersion: 1,
      creationTimestampMs: 0,
      labels: a.labels ?? {},
      namespace: a.namespace ?? 'default',
      workload: a.workload ?? `Manual/${a.name}`,
      deletionTimestampMs: a.terminating ? 1 : undefined,
      deletionGracePeriodSeconds: undefined,
    },
    spec: {
      nodeName: a.node,
      tolerations: a.tolerations ?? [],
      nodeSelector: a.nodeSelector ?? {},
      requests: { cpuMilli: 0, memoryBytes: 0 },
      terminationGracePeriodSeconds: 30,
      affinity: a.affinity,
      topologySpreadConstraints: a.constraints ?? [],
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      ordinal: undefined,
    },
    status: { phase: a.node === undefined ? 'Pending' : 'Running', ready: a.node !== undefined },
  };
}

/** A cache holding the nodes and the existing pods, and a cycle state for `incoming`. */
export function cluster(
  nodes: NodeArgs[],
  existing: PodArgs[],
  incoming: Pod,
): { cache: SchedulerCache; state: CycleState; handle: (statuses: StatusTable) => FrameworkHandle } {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(node(n));
  for (const p of existing) cache.addOrUpdatePod(pod(p), p.node!);
  const state = new CycleState();
  state.pod = incoming;
  state.cycle = 1;
  state.order = cache.order();
  state.cols = cache.columns;
  return { cache, state, handle: (statuses) => ({ cache, statuses, filterBit: 1 }) };
}

export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable';

/**
 * PreFilter then Filter on every node, by node name: Success, or the status's reasons. A PreFilter Skip
 * passes every node. `word` also answers from the plugin's word form, when it has one this cycle.
 */
export function runFilter(
  create: (h: FrameworkHandle) => FilterPlugin,
  nodes: NodeArgs[],
  existing: PodArgs[],
  incoming: Pod,
): { reasons: Record<string, string>; words: Record<string, boolean> | undefined } {
  const statuses = new StatusTable();
  const { state, handle } = cluster(nodes, existing, incoming);
  const plugin = create(handle(statuses));
  const skip = plugin.preFilter?.(state) === SKIP;
  const reasons: Record<string, string> = {};
  state.order.forEach((info, pos) => {
    const s = skip ? SUCCESS : plugin.filter(state, pos);
    reasons[info.name] =
      s === SUCCESS ? 'Success' : statuses.statusReasons[s].map((r) => statuses.reasons[r]).join(', ');
  });
  const form = skip ? undefined : plugin.wordFilter?.(state);
  let words: Record<string, boolean> | undefined;
  if (form?.kind === 'exact') {
    words = {};
    for (const info of state.order) {
      const p = info.pos;
      words[info.name] = form.bits.some((b) => (b[p >>> 5] & (1 << (p & 31))) !== 0);
    }
  }
  return { reasons, words };
}

/**
 * PreScore, Score and NormalizeScore over the candidate nodes (the others are in the cluster but failed
 * Filter). A plugin with `scoreAll` (the fast path schedulerColumnScores) is also run that way, and a
 * score that differs throws.
 */
export function runScore(
  create: (h: FrameworkHandle) => ScorePlugin,
  candidates: NodeArgs[],
  failed: NodeArgs[],
  existing: PodArgs[],
  incoming: Pod,
): Record<string, number> | 'skip' {
  const statuses = new StatusTable();
  const { state, handle } = cluster([...candidates, ...failed], existing, incoming);
  const plugin = create(handle(statuses));
  if (plugin.scoreSkip?.(state) === true) return 'skip';
  const names = new Set(candidates.map((n) => n.name));
  const found = new Int32Array(state.order.filter((i) => names.has(i.name)).map((i) => i.pos));
  const count = found.length;
  plugin.preScore?.(state, found, count);
  const scores = new Int32Array(count);
  for (let k = 0; k < count; k++) scores[k] = plugin.score!(state, found[k]);
  plugin.normalizeScore?.(state, scores, count, found);
  const out: Record<string, number> = {};
  for (let k = 0; k < count; k++) out[state.order[found[k]].name] = scores[k];
  if (plugin.scoreAll !== undefined) {
    // The fast path (schedulerColumnScores) on the same cluster, from a fresh plugin: the same scores.
    const again = cluster([...candidates, ...failed], existing, incoming);
    const fast = create(again.handle(new StatusTable()));
    fast.scoreSkip?.(again.state);
    const all = new Int32Array(count);
    fast.scoreAll!(again.state, found, count, all);
    for (let k = 0; k < count; k++)
      if (all[k] !== scores[k])
        throw new Error(
          `scoreAll gives ${state.order[found[k]].name} ${all[k]}, PreScore and Score per node ${scores[k]}`,
        );
  }
  return out;
}

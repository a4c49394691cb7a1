// kube-scheduler's scheduling loop (pkg/scheduler/schedule_one.go) with the default plugins hasim's
// objects can exercise. Runs inside the elected kube-scheduler process (scheduler-process.ts) and starts
// with empty queues and cache on every acquisition of the lease.
//
// One pod at a time: pop from activeQ (scheduler-queue.ts), Filter, Score, assume the pod on the chosen
// node in the cache (scheduler-cache.ts), then bind asynchronously (POST binding = set spec.nodeName;
// the store traces `pod.scheduled`). A failed bind forgets the assumed pod and backs off.
//
// Filter, in upstream's plugin order, the first failure per node counting:
//   NodeUnschedulable (spec.unschedulable unless tolerated), TaintToleration (NoSchedule/NoExecute taints),
//   node Ready condition True (not an upstream plugin any more — the NoSchedule condition taints do that
//   job — but hasim also closes the short window before the taint lands), NodeAffinity (nodeSelector),
//   NodeResourcesFit (cpu, memory, pod count vs capacity), PodTopologySpread (zone, maxSkew 1,
//   whenUnsatisfiable DoNotSchedule, upstream defaults nodeAffinityPolicy Honor / nodeTaintsPolicy Ignore:
//   every zone with a node matching the pod's selector is a domain, even one whose nodes are all down,
//   so after a zone outage has evicted its pods, replacements that would raise the skew stay Pending).
// Score: NodeResourcesFit LeastAllocated + NodeResourcesBalancedAllocation (weights 1, integer scores
// 0..100 each); ties broken by the scheduler's seeded stream (upstream: reservoir sampling).
// Sampling (numFeasibleNodesToFind): with fewer than 100 nodes all are examined; otherwise filtering stops
// after max(100, n · max(5, 50 − n/125) / 100) feasible nodes, starting where the previous cycle stopped.
// On no fit the pod gets upstream's FitError message in a `pod.unschedulable` trace — when it first
// becomes unschedulable and whenever the message changes, not on every attempt.
//
// Modelled time: a cycle costs CYCLE_BASE_MS plus CYCLE_PER_NODE_MS per node examined (≈1.5 ms at 5,000
// nodes, ≈670 pods/s); cycles run back to back while activeQ has pods.
// Left out: priorities and preemption (PostFilter), the default soft spreading constraints, image
// locality, inter-pod affinity, volumes, client-side QPS limits of the binding client.
import type { Rng } from '../../engine/index.js';
import type { Node, Pod } from '../api/objects.js';
import { fail } from '../apiserver/store.js';
import { CONTROLLER_REQUEST_TIMEOUT_MS, type Controller, type ControllerContext } from './controller.js';
import { type NodeInfo, SchedulerCache } from './scheduler-cache.js';
import {
  BACKOFF_FLUSH_PERIOD_MS,
  type FilterPlugin,
  type QueuedPodInfo,
  SchedulingQueue,
  UNSCHEDULABLE_FLUSH_PERIOD_MS,
} from './scheduler-queue.js';
import { untoleratedTaint } from './workload-pods.js';

const ACTOR = 'kube-scheduler';
export const CYCLE_BASE_MS = 0.5;
export const CYCLE_PER_NODE_MS = 0.002;
const MAX_NODE_SCORE = 100;
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50;
const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** numFeasibleNodesToFind with percentageOfNodesToScore unset (adaptive). */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = BASE_PERCENTAGE_OF_NODES_TO_SCORE - Math.trunc(numAllNodes / 125);
  if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}

export interface SchedulerStats {
  attempts: number;
  scheduled: number;
  nodesEvaluated: number;
}

export interface SchedulerController extends Controller {
  readonly stats: SchedulerStats;
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  /** Called after every scheduling attempt (tests and benchmarks). */
  readonly attemptListeners: Array<(pod: string, atMs: number, node: string | undefined) => void>;
}

// Fixed failure messages (FitError reasons), indexed by FailCode. The filter counts rejections per code in
// a typed array and the rejecting plugins in a bit mask: a Map/Set update per rejected node showed up as the
// largest single cost of a zone outage at scale.
const FAIL_UNSCHEDULABLE = 0;
const FAIL_NOT_READY = 1;
const FAIL_SELECTOR = 2;
const FAIL_TOO_MANY_PODS = 3;
const FAIL_CPU = 4;
const FAIL_MEMORY = 5;
const FAIL_SPREAD = 6;
const FAIL_SPREAD_LABEL = 7;
const FAIL_MESSAGES: readonly string[] = [
  'node(s) were unschedulable',
  'node(s) were not ready',
  "node(s) didn't match Pod's node affinity/selector",
  'Too many pods',
  'Insufficient cpu',
  'Insufficient memory',
  "node(s) didn't match pod topology spread constraints",
  "node(s) didn't match pod topology spread constraints (missing required label)",
];
/** The plugin each FailCode belongs to, as a bit of the rejectors mask. */
const PLUGINS: readonly FilterPlugin[] = ['NodeUnschedulable', 'TaintToleration', 'NodeReady', 'NodeAffinity', 'NodeResourcesFit', 'PodTopologySpread'];
const BIT_UNSCHEDULABLE = 1 << 0;
const BIT_TAINT = 1 << 1;
const BIT_READY = 1 << 2;
const BIT_AFFINITY = 1 << 3;
const BIT_FIT = 1 << 4;
const BIT_SPREAD = 1 << 5;
/** One immutable rejectors set per mask: the queue only reads them, so they are shared. */
const REJECTOR_SETS: ReadonlyArray<ReadonlySet<FilterPlugin>> = Array.from(
  { length: 1 << PLUGINS.length },
  (_, mask) => new Set(PLUGINS.filter((_p, i) => (mask & (1 << i)) !== 0)),
);

/** The per-attempt state of the pod being scheduled. */
interface PodState {
  pod: Pod;
  cpu: number;
  mem: number;
  requestKey: string;
  selector: Array<[string, string]>;
  toleratesUnschedulable: boolean;
  spread: boolean;
  minMatch: number;
  /** By zone id: 0 not computed yet this cycle, 1 one more pod there keeps the skew within 1, 2 it does not. */
  zoneAllowed: Uint8Array;
}

export function scheduler(ctx: ControllerContext): SchedulerController {
  const proc = ctx.proc;
  const rng: Rng = proc.rng('scheduler');
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue(() => proc.now());
  const stats: SchedulerStats = { attempts: 0, scheduled: 0, nodesEvaluated: 0 };
  const attemptListeners: SchedulerController['attemptListeners'] = [];
  let started = false;
  let nextStartNodeIndex = 0;
  let loopPending = false;
  let carryMs = 0;
  let pendingMove: Set<FilterPlugin> | undefined;
  let pendingMoveAll = false;
  let movePending = false;
  // Reused buffers: a cycle allocates nothing per node.
  const feasible: NodeInfo[] = [];
  const ties: NodeInfo[] = [];
  const failCounts = new Int32Array(FAIL_MESSAGES.length);
  // Untolerated-taint reasons: each distinct message gets an id; a cycle counts rejections per id and
  // remembers which ids it touched. The TaintToleration verdict is memoized per taint list (the cache's
  // taintSetId) for the cycle: few distinct lists exist, so tolerations are matched a handful of times per
  // cycle instead of once per tainted node.
  const taintMessageIds = new Map<string, number>();
  const taintMessages: string[] = [];
  let taintCounts = new Int32Array(8);
  const taintTouched: number[] = [];
  /** By taint set id: the cycle the verdict below was computed in. */
  let taintMemoCycle = new Int32Array(8);
  /** By taint set id: 0 tolerated, k + 1 rejected with taint message id k. */
  let taintMemoVerdict = new Int32Array(8);
  let cycle = 0;
  let rejectorMask = 0;

  // ---- informer handlers ----

  ctx.pods.addHandlers({
    onAdd(p) {
      if (p.spec.nodeName !== undefined) {
        cache.addOrUpdatePod(p, p.spec.nodeName);
        requestMove(['PodTopologySpread']);
      } else if (p.metadata.deletionTimestampMs === undefined) {
        queue.add(p);
        kick();
      }
    },
    onUpdate(prev, next) {
      if (next.spec.nodeName !== undefined) {
        queue.delete(next.metadata.name);
        cache.addOrUpdatePod(next, next.spec.nodeName);
        if (prev.spec.nodeName === undefined || (prev.metadata.deletionTimestampMs === undefined) !== (next.metadata.deletionTimestampMs === undefined)) {
          requestMove(['PodTopologySpread']);
        }
      } else queue.update(next);
    },
    onDelete(p) {
      queue.delete(p.metadata.name);
      if (cache.hasPod(p.metadata.name)) {
        cache.removePod(p.metadata.name);
        requestMove(['NodeResourcesFit', 'PodTopologySpread']);
      }
    },
  });

  ctx.nodes.addHandlers({
    onAdd(n) {
      cache.setNode(n);
      requestMove(undefined);
    },
    onUpdate(prev, next) {
      cache.setNode(next);
      const helps = nodeChangeHelps(prev, next);
      if (helps.length > 0) requestMove(helps);
    },
    onDelete(n) {
      cache.removeNode(n.metadata.name);
      requestMove(['PodTopologySpread']);
    },
  });

  /** Coalesces cluster events into one MoveAllToActiveOrBackoffQueue per millisecond. */
  function requestMove(plugins: FilterPlugin[] | undefined): void {
    if (!started) return;
    if (plugins === undefined) pendingMoveAll = true;
    else {
      pendingMove ??= new Set();
      for (const p of plugins) pendingMove.add(p);
    }
    if (movePending) return;
    movePending = true;
    proc.after(0, () => {
      movePending = false;
      const all = pendingMoveAll;
      const set = pendingMove;
      pendingMoveAll = false;
      pendingMove = undefined;
      if (queue.unschedulableSize === 0) return;
      if (queue.moveAllToActiveOrBackoff(all ? undefined : set)) kick();
    }, `${ACTOR}/move`);
  }

  // ---- the scheduling loop ----

  function kick(): void {
    if (!started || loopPending || queue.activeSize === 0) return;
    loopPending = true;
    proc.after(0, runCycles, `${ACTOR}/schedule`);
  }

  /** Runs cycles until one virtual millisecond of work has accumulated, then yields. */
  function runCycles(): void {
    loopPending = false;
    while (carryMs < 1) {
      const info = queue.pop();
      if (!info) {
        carryMs = 0;
        return;
      }
      carryMs += scheduleOne(info);
    }
    const waitMs = Math.floor(carryMs);
    carryMs -= waitMs;
    if (queue.activeSize > 0) {
      loopPending = true;
      proc.after(waitMs, runCycles, `${ACTOR}/schedule`);
    } else carryMs = 0;
  }

  /** One scheduling cycle; returns its modelled duration in ms. */
  function scheduleOne(info: QueuedPodInfo): number {
    stats.attempts++;
    const pod = info.pod;
    const order = cache.order();
    const n = order.length;
    const st = podState(pod);
    const toFind = numFeasibleNodesToFind(n);
    feasible.length = 0;
    failCounts.fill(0);
    for (const id of taintTouched) taintCounts[id] = 0;
    taintTouched.length = 0;
    cycle++;
    if (taintMemoCycle.length < cache.taintSets.length) {
      taintMemoCycle = new Int32Array(cache.taintSets.length * 2);
      taintMemoVerdict = new Int32Array(cache.taintSets.length * 2);
    }
    rejectorMask = 0;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < toFind; i++) {
      const node = order[(nextStartNodeIndex + i) % n];
      processed++;
      if (filter(st, node)) feasible.push(node);
    }
    if (n > 0) nextStartNodeIndex = (nextStartNodeIndex + processed) % n;
    stats.nodesEvaluated += processed;
    const costMs = CYCLE_BASE_MS + CYCLE_PER_NODE_MS * processed;
    const name = pod.metadata.name;

    if (feasible.length === 0) {
      const reason = fitError(n);
      if (info.lastReason !== reason) {
        info.lastReason = reason;
        proc.ctx.trace.emit('pod.unschedulable', { pod: name, reason });
      }
      queue.addUnschedulableIfNotPresent(info, REJECTOR_SETS[rejectorMask]);
      for (const l of attemptListeners) l(name, proc.ctx.sim.nowMs, undefined);
      return costMs;
    }
    const host = selectHost(st);
    cache.addOrUpdatePod(pod, host.name); // assume
    stats.scheduled++;
    for (const l of attemptListeners) l(name, proc.ctx.sim.nowMs, host.name);
    bind(info, host.name);
    return costMs + CYCLE_PER_NODE_MS * feasible.length;
  }

  function podState(pod: Pod): PodState {
    const spread = pod.spec.spreadAcrossZones;
    let minMatch = 0;
    if (spread) {
      minMatch = Infinity;
      for (const z of cache.domains(pod.spec.nodeSelector)) minMatch = Math.min(minMatch, cache.zoneCount(pod.metadata.workload, z));
      if (minMatch === Infinity) minMatch = 0;
    }
    return {
      pod,
      cpu: pod.spec.requests.cpuMilli,
      mem: pod.spec.requests.memoryBytes,
      requestKey: `${pod.spec.requests.cpuMilli}/${pod.spec.requests.memoryBytes}`,
      selector: Object.entries(pod.spec.nodeSelector),
      toleratesUnschedulable: untoleratedTaint([{ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }], pod.spec.tolerations) === undefined,
      spread,
      minMatch,
      zoneAllowed: zoneMemo(),
    };
  }

  /** The per-cycle zone memo, cleared (reallocated only when a zone appeared). */
  let zoneMemoBuf = new Uint8Array(0);
  function zoneMemo(): Uint8Array {
    if (zoneMemoBuf.length < cache.zoneIdCount) zoneMemoBuf = new Uint8Array(cache.zoneIdCount + 8);
    else zoneMemoBuf.fill(0);
    return zoneMemoBuf;
  }

  function reject(bit: number, code: number): false {
    rejectorMask |= bit;
    failCounts[code]++;
    return false;
  }

  function filter(st: PodState, info: NodeInfo): boolean {
    if (info.unschedulable && !st.toleratesUnschedulable) return reject(BIT_UNSCHEDULABLE, FAIL_UNSCHEDULABLE);
    const taintSetId = info.taintSetId;
    if (taintSetId !== 0) {
      let verdict: number;
      if (taintMemoCycle[taintSetId] === cycle) verdict = taintMemoVerdict[taintSetId];
      else {
        verdict = taintVerdict(cache.taintSets[taintSetId], st.pod);
        taintMemoCycle[taintSetId] = cycle;
        taintMemoVerdict[taintSetId] = verdict;
      }
      if (verdict !== 0) {
        rejectorMask |= BIT_TAINT;
        if (taintCounts[verdict - 1]++ === 0) taintTouched.push(verdict - 1);
        return false;
      }
    }
    if (!info.ready) return reject(BIT_READY, FAIL_NOT_READY);
    for (let i = 0; i < st.selector.length; i++) if (info.labels[st.selector[i][0]] !== st.selector[i][1]) return reject(BIT_AFFINITY, FAIL_SELECTOR);
    let fits = true;
    if (info.podCount + 1 > info.podCap) fits = reject(BIT_FIT, FAIL_TOO_MANY_PODS);
    if (st.cpu > 0 && info.cpuUsedMilli + st.cpu > info.cpuCapMilli) fits = reject(BIT_FIT, FAIL_CPU);
    if (st.mem > 0 && info.memUsedBytes + st.mem > info.memCapBytes) fits = reject(BIT_FIT, FAIL_MEMORY);
    if (!fits) return false;
    if (st.spread) {
      if (info.zone === '') return reject(BIT_SPREAD, FAIL_SPREAD_LABEL);
      let allowed = st.zoneAllowed[info.zoneId];
      if (allowed === 0) {
        allowed = cache.zoneCount(st.pod.metadata.workload, info.zone) + 1 - st.minMatch <= 1 ? 1 : 2;
        st.zoneAllowed[info.zoneId] = allowed;
      }
      if (allowed === 2) return reject(BIT_SPREAD, FAIL_SPREAD);
    }
    return true;
  }

  /** 0 if the pod tolerates every NoSchedule/NoExecute taint of the list, else 1 + the id of the first untolerated one's message. */
  function taintVerdict(taints: Node['spec']['taints'], pod: Pod): number {
    const t = untoleratedTaint(taints, pod.spec.tolerations);
    if (t === undefined) return 0;
    const msg = `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
    let id = taintMessageIds.get(msg);
    if (id === undefined) {
      id = taintMessages.length;
      taintMessageIds.set(msg, id);
      taintMessages.push(msg);
      if (taintCounts.length <= id) {
        const grown = new Int32Array(id * 2);
        grown.set(taintCounts);
        taintCounts = grown;
      }
    }
    return id + 1;
  }

  /** FitError.Error(): "0/N nodes are available: <count reason>, ... ." sorted as strings. */
  function fitError(numAllNodes: number): string {
    const parts: string[] = [];
    for (let code = 0; code < failCounts.length; code++) if (failCounts[code] > 0) parts.push(`${failCounts[code]} ${FAIL_MESSAGES[code]}`);
    for (const id of taintTouched) parts.push(`${taintCounts[id]} ${taintMessages[id]}`);
    parts.sort();
    return `0/${numAllNodes} nodes are available${parts.length > 0 ? ': ' + parts.join(', ') : ''}.`;
  }

  /** A node's score only changes with its usage or the pod's requests: reuse the last one when neither did. */
  function score(st: PodState, info: NodeInfo): number {
    if (info.scoreVersion === info.usageVersion && info.scoreKey === st.requestKey) return info.score;
    info.score = scoreNode(info.cpuCapMilli, info.memCapBytes, info.cpuUsedMilli + st.cpu, info.memUsedBytes + st.mem);
    info.scoreVersion = info.usageVersion;
    info.scoreKey = st.requestKey;
    return info.score;
  }

  function selectHost(st: PodState): NodeInfo {
    if (feasible.length === 1) return feasible[0];
    let best = -1;
    ties.length = 0;
    for (const info of feasible) {
      const s = score(st, info);
      if (s > best) {
        best = s;
        ties.length = 0;
        ties.push(info);
      } else if (s === best) ties.push(info);
    }
    return ties.length === 1 ? ties[0] : ties[Math.floor(rng.next() * ties.length)];
  }

  function bind(info: QueuedPodInfo, nodeName: string): void {
    const pod = info.pod;
    const name = pod.metadata.name;
    proc.call(
      `${ACTOR}/bind`,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) => {
        const cur = s.pods.get(name);
        if (!cur || cur.metadata.uid !== pod.metadata.uid) return fail('NotFound');
        if (cur.spec.nodeName !== undefined) return fail('Conflict');
        return s.update({ ...cur, spec: { ...cur.spec, nodeName } }, ACTOR);
      },
      (r) => {
        if (r.ok) {
          queue.delete(name);
          return;
        }
        // ForgetPod, then back off (an error, not a plugin rejection: straight to backoffQ).
        const cur = ctx.pods.get(name);
        if (cur?.spec.nodeName === undefined) cache.removePod(name);
        if (r.reason === 'NotFound' || cur === undefined || cur.spec.nodeName !== undefined) {
          queue.delete(name);
          return;
        }
        queue.addUnschedulableIfNotPresent(info, new Set());
      },
    );
  }

  return {
    name: ACTOR,
    stats,
    queue,
    cache,
    attemptListeners,
    start() {
      started = true;
      proc.loop({ periodMs: BACKOFF_FLUSH_PERIOD_MS, label: `${ACTOR}/flush-backoff` }, () => {
        if (queue.flushBackoffCompleted()) kick();
      });
      proc.loop({ periodMs: UNSCHEDULABLE_FLUSH_PERIOD_MS, initialDelayMs: UNSCHEDULABLE_FLUSH_PERIOD_MS, label: `${ACTOR}/flush-unschedulable` }, () => {
        if (queue.flushUnschedulableLeftover()) kick();
      });
      kick();
    },
  };
}

/**
 * LeastAllocated + BalancedAllocation for cpu and memory, each an integer 0..100 as upstream
 * (fractions here are at most 1, so `| 0` truncates exactly like int64 conversion).
 */
export function scoreNode(cpuCap: number, memCap: number, cpuReq: number, memReq: number): number {
  const cpuFrac = cpuCap > 0 && cpuReq < cpuCap ? cpuReq / cpuCap : 1;
  const memFrac = memCap > 0 && memReq < memCap ? memReq / memCap : 1;
  const cpuLeast = ((1 - cpuFrac) * MAX_NODE_SCORE) | 0;
  const memLeast = ((1 - memFrac) * MAX_NODE_SCORE) | 0;
  const least = ((cpuLeast + memLeast) / 2) | 0;
  const balanced = ((1 - Math.abs(cpuFrac - memFrac) / 2) * MAX_NODE_SCORE) | 0;
  return least + balanced;
}

/** Which rejections a node update may undo (the node became more permissive). Heartbeats undo none. */
function nodeChangeHelps(prev: Node, next: Node): FilterPlugin[] {
  const out: FilterPlugin[] = [];
  if (prev.spec.unschedulable && !next.spec.unschedulable) out.push('NodeUnschedulable');
  if (prev.spec.taints !== next.spec.taints && prev.spec.taints.some((t) => !next.spec.taints.some((u) => u.key === t.key && u.effect === t.effect))) {
    out.push('TaintToleration');
  }
  const wasReady = prev.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const isReady = next.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  if (!wasReady && isReady) out.push('NodeReady');
  if (prev.metadata.labels !== next.metadata.labels) out.push('NodeAffinity', 'PodTopologySpread');
  const a = prev.status.capacity;
  const b = next.status.capacity;
  if (b.cpuMilli > a.cpuMilli || b.memoryBytes > a.memoryBytes || b.pods > a.pods) out.push('NodeResourcesFit');
  return out;
}

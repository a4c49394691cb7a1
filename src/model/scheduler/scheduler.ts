// kube-scheduler's scheduling loop (pkg/scheduler/schedule_one.go) with the default plugins hasim's
// objects can exercise. Runs inside the elected kube-scheduler process (scheduler-process.ts) and starts
// with empty queues and cache on every acquisition of the lease.
//
// One pod at a time: pop from activeQ (queue.ts), Filter, Score, assume the pod on the chosen
// node in the cache (cache.ts), then bind asynchronously (POST binding = set spec.nodeName;
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
// The filter walks bitsets of the nodes (cache.ts NodeColumns: Ready, untainted and schedulable,
// per zone, and per request with room) 32 nodes at a time for pods without nodeSelector whose request is
// indexed (the first 16 distinct requests), node by node otherwise; both find the same feasible nodes in
// the same order, hence the same nodes examined and ties.
// On no fit the pod gets upstream's FitError message in a `pod.unschedulable` trace — when it first
// becomes unschedulable and whenever the message changes, not on every attempt.
//
// Modelled time: a cycle costs CYCLE_BASE_MS plus CYCLE_PER_NODE_MS per node examined (≈1.5 ms at 5,000
// nodes, ≈670 pods/s); cycles run back to back while activeQ has pods.
// Left out: priorities and preemption (PostFilter), the default soft spreading constraints, image
// locality, inter-pod affinity, volumes, client-side QPS limits of the binding client.
import type { Rng } from '../../engine/index.js';
import { type Node, type Pod, podSpec } from '../../k8s/objects.js';
import { fail } from '../apiserver/store.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ProcessContext,
} from '../controllermanager/controller.js';
import {
  COL_NO_ZONE,
  COL_READY,
  COL_UNSCHEDULABLE,
  FIT_CPU,
  FIT_MEMORY,
  FIT_TOO_MANY_PODS,
  HOT_MEMO,
  HOT_MEMO_REQ,
  HOT_META,
  HOT_STRIDE,
  HOT_TAINTS,
  MEMO_FIT_SHIFT,
  MEMO_SCORE_MASK,
  META_ZONE_SHIFT,
  SCORE_LEVELS,
  type FitIndex,
  type NodeColumns,
  type NodeInfo,
  SchedulerCache,
} from './cache.js';
import {
  BACKOFF_FLUSH_PERIOD_MS,
  type FilterPlugin,
  type QueuedPodInfo,
  SchedulingQueue,
  UNSCHEDULABLE_FLUSH_PERIOD_MS,
} from './queue.js';
import { untoleratedTaint } from '../../k8s/tolerations.js';

const ACTOR = 'kube-scheduler';
const SCHEDULE_LABEL = `${ACTOR}/schedule`;
const MOVE_LABEL = `${ACTOR}/move`;
const BIND_LABEL = `${ACTOR}/bind`;
export const CYCLE_BASE_MS = 0.5;
export const CYCLE_PER_NODE_MS = 0.002;
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50;
const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** The number of set bits of a 32-bit word. */
function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** numFeasibleNodesToFind with percentageOfNodesToScore unset (adaptive). */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = BASE_PERCENTAGE_OF_NODES_TO_SCORE - Math.trunc(numAllNodes / 125);
  if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}

/** Test switches. */
export const schedulerChecks = {
  /** Run every cycle whose failed verdict would be reused, and throw if its outcome differs. */
  verifyReusedVerdicts: false,
  /** Filter again node by node after every walk by words, and throw if the nodes examined, feasible count or ties differ. */
  verifyWordWalk: false,
};

export interface SchedulerStats {
  attempts: number;
  scheduled: number;
  nodesEvaluated: number;
  /** Attempts that reused the verdict of an identical failed cycle (counted in nodesEvaluated as examining every node). */
  verdictsReused: number;
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
const PLUGINS: readonly FilterPlugin[] = [
  'NodeUnschedulable',
  'TaintToleration',
  'NodeReady',
  'NodeAffinity',
  'NodeResourcesFit',
  'PodTopologySpread',
];
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

const UNSCHEDULABLE_TAINT: Node['spec']['taints'] = [{ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }];
/**
 * Distinct requests the filter indexes (NodeColumns.addFitIndex) at most: every change of a node's usage
 * recomputes its fit for each, and pods with other requests are filtered node by node.
 */
const MAX_FIT_INDEXES = 16;
const NO_SELECTOR: Array<[string, string]> = [];

/** The per-attempt state of the pod being scheduled (one object, refilled every cycle). */
interface PodState {
  pod: Pod;
  cpu: number;
  mem: number;
  /** A small integer per distinct (cpu, memory) request: the key of the fit and score memo (NodeColumns). */
  requestId: number;
  selector: Array<[string, string]>;
  toleratesUnschedulable: boolean;
  spread: boolean;
  minMatch: number;
  /** By zone id: 0 not computed yet this cycle, 1 one more pod there keeps the skew within 1, 2 it does not. */
  zoneAllowed: Uint8Array;
}

export function scheduler(ctx: ProcessContext): SchedulerController {
  const proc = ctx.proc;
  // Fast paths (model/fast-paths.ts): without them every cycle filters node by node, and none is skipped.
  const { schedulerWordWalk: wordWalk, schedulerReusedVerdicts: reuseVerdicts } = proc.ctx.fastPaths;
  const rng: Rng = proc.rng('scheduler');
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue(() => proc.now());
  const stats: SchedulerStats = { attempts: 0, scheduled: 0, nodesEvaluated: 0, verdictsReused: 0 };
  const attemptListeners: SchedulerController['attemptListeners'] = [];
  let started = false;
  let nextStartNodeIndex = 0;
  let loopPending = false;
  let carryMs = 0;
  let pendingMoveMask = 0;
  let pendingMoveAll = false;
  let movePending = false;
  // Reused buffers: a cycle allocates nothing per node.
  let feasibleCount = 0;
  /** Positions in order() of the feasible nodes with the best score, bestCount of them. */
  let ties = new Int32Array(0);
  let bestCount = 0;
  /** Set by walkByLevels: the ties are the walk's bits in this score level (walkWords/walkBits[0..lazyLast]), not listed in `ties`. */
  let lazyTies: Uint32Array | undefined;
  let lazyLast = 0;
  /** walkByLevels' scratch: the words of the walk, in walk order, and their feasible bits. */
  let walkWords = new Int32Array(0);
  let walkBits = new Int32Array(0);
  /** cpu request -> memory request -> request id. */
  const requestIds = new Map<number, Map<number, number>>();
  let requestIdCount = 0;
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
        if (
          prev.spec.nodeName === undefined ||
          (prev.metadata.deletionTimestampMs === undefined) !== (next.metadata.deletionTimestampMs === undefined)
        ) {
          requestMove(['PodTopologySpread']);
        }
      } else queue.update(next);
    },
    // A bound pod's status changing (its kubelet reporting Ready, the node lifecycle controller marking it
    // not ready): onUpdate would find it out of the queue and accounted as it is, and request no move. Only
    // a later event of this informer can put it back in the queue or change its accounting.
    quiet(prev, next) {
      const nodeName = next.spec.nodeName;
      if (nodeName === undefined || prev.spec.nodeName !== nodeName || prev.metadata.uid !== next.metadata.uid)
        return false;
      if ((prev.metadata.deletionTimestampMs === undefined) !== (next.metadata.deletionTimestampMs === undefined))
        return false;
      return queue.get(next.metadata.name) === undefined && cache.accounts(next, nodeName);
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
    // The plugins as a mask of PLUGINS: the move takes the shared set of that mask (no set per request).
    else for (const p of plugins) pendingMoveMask |= 1 << PLUGINS.indexOf(p);
    if (movePending) return;
    movePending = true;
    proc.post(0, runMove, MOVE_LABEL);
  }

  function runMove(): void {
    movePending = false;
    const all = pendingMoveAll;
    const mask = pendingMoveMask;
    pendingMoveAll = false;
    pendingMoveMask = 0;
    if (queue.unschedulableSize === 0) return;
    if (queue.moveAllToActiveOrBackoff(all ? undefined : REJECTOR_SETS[mask])) kick();
  }

  // ---- the scheduling loop ----

  function kick(): void {
    if (!started || loopPending || queue.activeSize === 0) return;
    loopPending = true;
    proc.post(0, runCycles, SCHEDULE_LABEL);
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
      proc.post(waitMs, runCycles, SCHEDULE_LABEL);
    } else carryMs = 0;
  }

  /** One scheduling cycle; returns its modelled duration in ms. */
  function scheduleOne(info: QueuedPodInfo): number {
    stats.attempts++;
    const pod = info.pod;
    const order = cache.order();
    const cols = cache.columns;
    const n = order.length;
    const failed = n > 0 && reuseVerdicts ? sameClassFailure(pod) : undefined;
    if (failed) stats.verdictsReused++;
    if (failed && !schedulerChecks.verifyReusedVerdicts) {
      // Every node examined, as in the cycle reused: sampling ends where it started.
      nextStartNodeIndex = (nextStartNodeIndex + n) % n;
      stats.nodesEvaluated += n;
      return unschedulable(info, failed.reason, failed.rejectorMask, CYCLE_BASE_MS + CYCLE_PER_NODE_MS * n);
    }
    const st = podState(pod);
    const toFind = numFeasibleNodesToFind(n);
    if (ties.length < toFind) ties = new Int32Array(toFind);
    cycle++;
    if (taintMemoCycle.length < cache.taintSets.length) {
      taintMemoCycle = new Int32Array(cache.taintSets.length * 2);
      taintMemoVerdict = new Int32Array(cache.taintSets.length * 2);
    }
    feasibleCount = 0;
    const processed = n > 0 ? filterNodes(st, cols, order, nextStartNodeIndex % n, toFind) : 0;
    if (n > 0) nextStartNodeIndex = (nextStartNodeIndex + processed) % n;
    stats.nodesEvaluated += processed;
    const costMs = CYCLE_BASE_MS + CYCLE_PER_NODE_MS * processed;
    const name = pod.metadata.name;

    if (feasibleCount === 0) {
      // Every node was examined and rejected: now count why (FitError).
      const fit = st.selector.length === 0 && wordWalk ? fitIndexes[st.requestId] : undefined;
      if (fit === undefined) countRejections(st, cols, order);
      else countRejectionsByWords(st, cols, order, fit);
      const reason = fitError(n);
      if (failed && (reason !== failed.reason || rejectorMask !== failed.rejectorMask)) {
        throw proc.ctx.sim.bug(
          `scheduler: reused verdict for ${pod.metadata.name} differs from its cycle's: ${failed.reason}, now ${reason}`,
        );
      }
      if (n > 0) rememberFailure(pod, reason, rejectorMask);
      return unschedulable(info, reason, rejectorMask, costMs);
    }
    if (failed)
      throw proc.ctx.sim.bug(`scheduler: reused verdict for ${pod.metadata.name} (${failed.reason}) but it fits now`);
    const host = order[selectHost()].name;
    cache.addOrUpdatePod(pod, host); // assume
    stats.scheduled++;
    for (const l of attemptListeners) l(name, proc.ctx.sim.nowMs, host);
    bind(info, host);
    return costMs + CYCLE_PER_NODE_MS * feasibleCount;
  }

  /** The end of a cycle that found no feasible node. */
  function unschedulable(info: QueuedPodInfo, reason: string, mask: number, costMs: number): number {
    const name = info.pod.metadata.name;
    if (info.lastReason !== reason) {
      info.lastReason = reason;
      proc.ctx.trace.emit('pod.unschedulable', { pod: name, reason });
    }
    queue.addUnschedulableIfNotPresent(info, REJECTOR_SETS[mask]);
    for (const l of attemptListeners) l(name, proc.ctx.sim.nowMs, undefined);
    return costMs;
  }

  // ---- failed-cycle memo ----
  // A cycle that finds no feasible node has examined every node, so its outcome (the FitError message
  // and the rejecting plugins) sums per-node verdicts over all nodes and does not depend on where
  // sampling started. Each verdict depends only on the node's state in the cache and on the pod's
  // scheduling class: what podState and filterNodes read of the pod (requests, tolerations, nodeSelector,
  // spreadAcrossZones and, when spreading, the workload's zone counts). So while cache.filterGen and the
  // workload's zone-count version are unchanged, a pod of the same class fails with the same outcome:
  // it is reused instead of filtering all nodes again (a zone outage retries thousands of pods that fit
  // nowhere). The cycle's visible effects — stats, modelled cost, trace, queue — stay the same.

  interface FailedCycle {
    reason: string;
    rejectorMask: number;
    /** The workload's zone-count version (0 without spreading). */
    zoneVersion: number;
  }
  /** By class key; holds entries of cache generation failedCyclesGen only. */
  const failedCycles = new Map<string, FailedCycle>();
  let failedCyclesGen = -1;

  function classKey(pod: Pod): string {
    const s = pod.spec;
    // Numbers and JSON texts hold no raw newline; the free-form workload id comes last.
    return `${s.requests.cpuMilli}\n${s.requests.memoryBytes}\n${JSON.stringify(s.tolerations)}\n${JSON.stringify(s.nodeSelector)}\n${s.spreadAcrossZones ? `spread\n${pod.metadata.workload}` : '-'}`;
  }

  function classZoneVersion(pod: Pod): number {
    return pod.spec.spreadAcrossZones ? cache.zoneVersion(pod.metadata.workload) : 0;
  }

  function currentFailures(): Map<string, FailedCycle> {
    if (failedCyclesGen !== cache.filterGen) {
      failedCycles.clear();
      failedCyclesGen = cache.filterGen;
    }
    return failedCycles;
  }

  function sameClassFailure(pod: Pod): FailedCycle | undefined {
    const failures = currentFailures();
    if (failures.size === 0) return undefined;
    const f = failures.get(classKey(pod));
    return f !== undefined && f.zoneVersion === classZoneVersion(pod) ? f : undefined;
  }

  function rememberFailure(pod: Pod, reason: string, mask: number): void {
    currentFailures().set(classKey(pod), { reason, rejectorMask: mask, zoneVersion: classZoneVersion(pod) });
  }

  // ---- filter and score ----

  const podStateBuf: PodState = {
    pod: undefined as unknown as Pod,
    cpu: 0,
    mem: 0,
    requestId: 0,
    selector: NO_SELECTOR,
    toleratesUnschedulable: false,
    spread: false,
    minMatch: 0,
    zoneAllowed: new Uint8Array(0),
  };
  function podState(pod: Pod): PodState {
    const spread = pod.spec.spreadAcrossZones;
    let minMatch = 0;
    if (spread) {
      minMatch = Infinity;
      for (const z of cache.domains(pod.spec.nodeSelector))
        minMatch = Math.min(minMatch, cache.zoneCount(pod.metadata.workload, z));
      if (minMatch === Infinity) minMatch = 0;
    }
    const req = pod.spec.requests;
    podStateBuf.pod = pod;
    podStateBuf.cpu = req.cpuMilli;
    podStateBuf.mem = req.memoryBytes;
    podStateBuf.requestId = requestId(req.cpuMilli, req.memoryBytes);
    podStateBuf.selector = NO_SELECTOR;
    for (const _ in pod.spec.nodeSelector) {
      podStateBuf.selector = Object.entries(pod.spec.nodeSelector);
      break;
    }
    podStateBuf.toleratesUnschedulable =
      pod.spec.tolerations.length > 0 && untoleratedTaint(UNSCHEDULABLE_TAINT, pod.spec.tolerations) === undefined;
    podStateBuf.spread = spread;
    podStateBuf.minMatch = minMatch;
    podStateBuf.zoneAllowed = zoneMemo();
    return podStateBuf;
  }

  function requestId(cpu: number, mem: number): number {
    let byMem = requestIds.get(cpu);
    if (!byMem) requestIds.set(cpu, (byMem = new Map()));
    let id = byMem.get(mem);
    if (id === undefined) byMem.set(mem, (id = requestIdCount++));
    return id;
  }

  /** The per-cycle zone memo, cleared (reallocated only when a zone appeared). */
  let zoneMemoBuf = new Uint8Array(0);
  function zoneMemo(): Uint8Array {
    if (zoneMemoBuf.length < cache.zoneIdCount) zoneMemoBuf = new Uint8Array(cache.zoneIdCount + 8);
    else zoneMemoBuf.fill(0);
    return zoneMemoBuf;
  }

  /** By request id: the request's fit index, once it has one. */
  const fitIndexes: Array<FitIndex | undefined> = [];

  /** findFeasible, by words when the pod has no nodeSelector and its request has (or gets) a fit index. */
  function filterNodes(st: PodState, cols: NodeColumns, order: NodeInfo[], start: number, toFind: number): number {
    lazyTies = undefined; // the walks below list their ties, except walkByLevels
    let fit: FitIndex | undefined;
    if (st.selector.length === 0 && wordWalk) {
      fit = fitIndexes[st.requestId];
      if (fit === undefined && cols.fitIndexes.length < MAX_FIT_INDEXES)
        fitIndexes[st.requestId] = fit = cols.addFitIndex(st.cpu, st.mem, order.length);
    }
    if (fit === undefined) return findFeasible(st, cols, order, start, toFind);
    const processed = findFeasibleByWords(st, cols, order, start, toFind, fit);
    if (schedulerChecks.verifyWordWalk) verifyWordWalk(st, cols, order, start, toFind, processed);
    return processed;
  }

  /**
   * Runs the Filter plugins over the nodes of order() from position `start` on, wrapping around, until
   * `toFind` nodes passed or every node was examined; returns how many were examined. The feasible nodes
   * with the best score go to `ties`, in the order found (as upstream's pass over the feasible list
   * collects them). A node passes only if every plugin passes it, so the plugins are asked cheapest and
   * most selective first; why nodes were rejected matters only when none passed (countRejections).
   * One flat loop over the typed node records with the cycle's state in locals. It filters the pods that
   * findFeasibleByWords does not, and is what verifyWordWalk checks that walk against.
   */
  function findFeasible(st: PodState, cols: NodeColumns, order: NodeInfo[], start: number, toFind: number): number {
    const n = order.length;
    const hot = cols.hot;
    const { requestId, spread, selector, toleratesUnschedulable } = st;
    const unschedulableMask = toleratesUnschedulable ? 0 : COL_UNSCHEDULABLE;
    let found = 0;
    let best = -1;
    let tieCount = 0;
    let processed = 0;
    let p = start;
    while (processed < n && found < toFind) {
      processed++;
      const i = p;
      if (++p === n) p = 0;
      const h = i * HOT_STRIDE;
      const meta = hot[h + HOT_META];
      if (spread && ((meta & COL_NO_ZONE) !== 0 || !zoneAllows(st, meta >> META_ZONE_SHIFT, order[i].zone))) continue;
      if ((meta & unschedulableMask) !== 0 || (meta & COL_READY) === 0) continue;
      const taintSetId = hot[h + HOT_TAINTS];
      if (taintSetId !== 0 && taintVerdictOf(taintSetId, st.pod) !== 0) continue;
      if (selector.length > 0 && !matchesSelector(order[i].labels, selector)) continue;
      const memo = hot[h + HOT_MEMO_REQ] === requestId ? hot[h + HOT_MEMO] : fitAndScore(st, cols, i);
      if (memo > MEMO_SCORE_MASK) continue;
      // Feasible. Score: memo holds it (no FIT_ bits above it).
      found++;
      if (memo > best) {
        best = memo;
        tieCount = 0;
        ties[tieCount++] = i;
      } else if (memo === best) ties[tieCount++] = i;
    }
    feasibleCount = found;
    bestCount = tieCount;
    return processed;
  }

  /** The bitsets of the zones PodTopologySpread allows this cycle, allowedZoneCount of them (collectAllowedZones). */
  const allowedZones: Uint32Array[] = [];
  let allowedZoneCount = 0;

  /** Collects the zones PodTopologySpread allows this cycle (none unless the pod spreads). */
  function collectAllowedZones(st: PodState, cols: NodeColumns): void {
    allowedZoneCount = 0;
    if (!st.spread) return;
    for (let z = 0; z < cols.zones.length; z++)
      if (zoneAllows(st, z, cache.zoneName(z))) allowedZones[allowedZoneCount++] = cols.zones[z];
  }

  /** The nodes of word w in a zone collected by collectAllowedZones. */
  function inAllowedZones(w: number): number {
    let bits = 0;
    for (let z = 0; z < allowedZoneCount; z++) bits |= allowedZones[z][w];
    return bits;
  }

  /** The word of the walk's k-th step: `start`'s word, the words after it, those before it, then `start`'s word again. */
  function walkWord(k: number, startWord: number, words: number): number {
    return startWord + k < words ? startWord + k : startWord + k - words;
  }

  /**
   * The candidates of the walk's k-th step, in word w: its Ready nodes within reach (from `start` on in the
   * first step, before it in the last), in an allowed zone if the pod spreads.
   */
  function walkCandidates(
    st: PodState,
    ready: Uint32Array,
    k: number,
    w: number,
    words: number,
    startBit: number,
  ): number {
    const candidates = ready[w] & (k === 0 ? -1 << startBit : k === words ? (1 << startBit) - 1 : -1);
    return st.spread ? candidates & inAllowedZones(w) : candidates;
  }

  /**
   * findFeasible for a pod without nodeSelector, over the cache's bitsets 32 positions at a time: the
   * Ready nodes, less those outside the zones PodTopologySpread allows, less the plain nodes (Ready,
   * schedulable, untainted) without room for the request, are the candidates; a plain candidate is
   * feasible, any other goes through NodeUnschedulable, TaintToleration and the fit bit one by one. The
   * feasible nodes are visited in findFeasible's order, with the same scores, so the ties, the count and
   * the nodes examined (up to the toFind-th feasible node, or all) are the same. At 5,000 nodes, where a
   * cycle examines ~900 nodes to find 500 feasible ones, that is ~30 words of each bitset and 500 score
   * bytes instead of ~900 node records.
   */
  function findFeasibleByWords(
    st: PodState,
    cols: NodeColumns,
    order: NodeInfo[],
    start: number,
    toFind: number,
    fit: FitIndex,
  ): number {
    const n = order.length;
    const { ready, plain, hot } = cols;
    const { fits, scores } = fit;
    collectAllowedZones(st, cols);
    const byLevels = walkByLevels(st, cols, n, start, toFind, fit);
    if (byLevels >= 0) return byLevels;
    const unschedulableMask = st.toleratesUnschedulable ? 0 : COL_UNSCHEDULABLE;
    const words = (n + 31) >>> 5;
    const startWord = start >>> 5;
    const startBit = start & 31;
    let found = 0;
    let best = -1;
    let tieCount = 0;
    // The start word's bits from `start` on, the words after it, those before it, then its bits before `start`.
    for (let k = 0; k <= words; k++) {
      const w = walkWord(k, startWord, words);
      const candidates = walkCandidates(st, ready, k, w, words, startBit);
      const odd = candidates & ~plain[w];
      let bits = (candidates & fits[w]) | odd;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const i = (w << 5) | (31 - Math.clz32(low));
        if ((odd & low) !== 0) {
          const h = i * HOT_STRIDE;
          if ((hot[h + HOT_META] & unschedulableMask) !== 0) continue;
          const taintSetId = hot[h + HOT_TAINTS];
          if (taintSetId !== 0 && taintVerdictOf(taintSetId, st.pod) !== 0) continue;
          if ((fits[w] & low) === 0) continue;
        }
        const score = scores[i];
        found++;
        if (score > best) {
          best = score;
          tieCount = 0;
          ties[tieCount++] = i;
        } else if (score === best) ties[tieCount++] = i;
        if (found === toFind) {
          feasibleCount = found;
          bestCount = tieCount;
          return i >= start ? i - start + 1 : i + n - start + 1;
        }
      }
    }
    feasibleCount = found;
    bestCount = tieCount;
    return n;
  }

  /**
   * findFeasibleByWords when every candidate the walk examines is plain (the common case: no taint, no
   * cordon among them), without visiting the feasible nodes one by one. Pass one counts the feasible
   * nodes word by word (candidates with room) up to the toFind-th; pass two takes the best score whose
   * bitset (FitIndex.levels) meets them; pass three counts the nodes of that score: in walk order, they
   * are the ties findFeasible finds (tie() picks one). Returns the nodes examined, or -1 (nothing set) when a candidate in
   * reach is not plain: then findFeasibleByWords filters it node by node. At 5,000 nodes a cycle finds
   * 500 feasible nodes: ~30 words per pass instead of 500 score comparisons.
   */
  function walkByLevels(
    st: PodState,
    cols: NodeColumns,
    n: number,
    start: number,
    toFind: number,
    fit: FitIndex,
  ): number {
    const { ready, plain } = cols;
    const { fits, levels, levelCounts } = fit;
    const words = (n + 31) >>> 5;
    const startWord = start >>> 5;
    const startBit = start & 31;
    if (walkWords.length < words + 1) {
      walkWords = new Int32Array(words + 1);
      walkBits = new Int32Array(words + 1);
    }
    // Pass one: the feasible bits of each word in walk order, up to the toFind-th feasible node.
    let found = 0;
    let last = words;
    let lastNode = -1;
    for (let k = 0; k <= words; k++) {
      const w = walkWord(k, startWord, words);
      const candidates = walkCandidates(st, ready, k, w, words, startBit);
      if ((candidates & ~plain[w]) !== 0) return -1;
      let bits = candidates & fits[w];
      walkWords[k] = w;
      const count = bitCount(bits);
      if (found + count >= toFind) {
        // Keep the bits up to the toFind-th feasible node: the walk stops there.
        let kept = 0;
        for (let need = toFind - found; need > 0; need--) {
          const low = bits & -bits;
          bits ^= low;
          kept |= low;
        }
        walkBits[k] = kept;
        found = toFind;
        last = k;
        lastNode = (w << 5) | (31 - Math.clz32(kept));
        break;
      }
      walkBits[k] = bits;
      found += count;
    }
    feasibleCount = found;
    bestCount = 0;
    const processed = lastNode < 0 ? n : lastNode >= start ? lastNode - start + 1 : lastNode + n - start + 1;
    if (found === 0) return processed;
    // Pass two: the best score among them, from the highest score any fitting node has.
    let best = -1;
    for (let v = SCORE_LEVELS - 1; v >= 0 && best < 0; v--) {
      if (levelCounts[v] === 0) continue;
      const level = levels[v]!;
      for (let k = 0; k <= last; k++) {
        if ((walkBits[k] & level[walkWords[k]]) !== 0) {
          best = v;
          break;
        }
      }
    }
    // Pass three: how many nodes have that score. They are the ties, in walk order; selectHost takes the
    // one it draws without listing them all (tiesOf lists them).
    const level = levels[best]!;
    let tieCount = 0;
    for (let k = 0; k <= last; k++) tieCount += bitCount(walkBits[k] & level[walkWords[k]]);
    bestCount = tieCount;
    lazyTies = level;
    lazyLast = last;
    return processed;
  }

  /** The j-th tie (0-based) in walk order. */
  function tie(j: number): number {
    const level = lazyTies;
    if (level === undefined) return ties[j];
    for (let k = 0; k <= lazyLast; k++) {
      let bits = walkBits[k] & level[walkWords[k]];
      const count = bitCount(bits);
      if (j >= count) {
        j -= count;
        continue;
      }
      for (; j > 0; j--) bits &= bits - 1;
      return (walkWords[k] << 5) | (31 - Math.clz32(bits & -bits));
    }
    throw proc.ctx.sim.bug(`scheduler: tie ${j} past the walk's ${bestCount} ties`);
  }

  /** The ties listed in `ties` (as the node-by-node walks leave them). */
  function listTies(): void {
    if (lazyTies === undefined) return;
    for (let j = 0; j < bestCount; j++) ties[j] = tie(j);
    lazyTies = undefined;
  }

  /** schedulerChecks.verifyWordWalk: filters the cycle again node by node (leaving the same results in place). */
  function verifyWordWalk(
    st: PodState,
    cols: NodeColumns,
    order: NodeInfo[],
    start: number,
    toFind: number,
    processed: number,
  ): void {
    listTies();
    const walked = [processed, feasibleCount, ...ties.subarray(0, bestCount)];
    const looped = [findFeasible(st, cols, order, start, toFind), feasibleCount, ...ties.subarray(0, bestCount)];
    if (walked.length === looped.length && walked.every((x, k) => x === looped[k])) return;
    const show = (r: number[]) =>
      `examined ${r[0]}, ${r[1]} feasible, ${r.length - 2} ties ${r.slice(2, 12).join(' ')}${r.length > 12 ? ' ...' : ''}`;
    throw proc.ctx.sim.bug(
      `scheduler: filtering ${st.pod.metadata.name} from node ${start} by words: ${show(walked)}; node by node: ${show(looped)}`,
    );
  }

  /**
   * After a cycle that found no feasible node (so examined every node): counts each node under the
   * first plugin that rejects it, in upstream's plugin order (NodeResourcesFit counts every insufficient
   * resource), as upstream's per-node statuses do, and collects the rejecting plugins.
   */
  function countRejections(st: PodState, cols: NodeColumns, order: NodeInfo[]): void {
    startCounting();
    let mask = 0;
    for (let i = 0; i < order.length; i++) mask |= rejectNode(st, cols, order, i);
    rejectorMask = mask;
  }

  function startCounting(): void {
    failCounts.fill(0);
    for (const id of taintTouched) taintCounts[id] = 0;
    taintTouched.length = 0;
  }

  /** Counts the node at i under the first plugin that rejects it; returns that plugin's BIT_. */
  function rejectNode(st: PodState, cols: NodeColumns, order: NodeInfo[], i: number): number {
    const hot = cols.hot;
    const fails = failCounts;
    const h = i * HOT_STRIDE;
    const meta = hot[h + HOT_META];
    // NodeUnschedulable
    if ((meta & COL_UNSCHEDULABLE) !== 0 && !st.toleratesUnschedulable) {
      fails[FAIL_UNSCHEDULABLE]++;
      return BIT_UNSCHEDULABLE;
    }
    // TaintToleration
    const taintSetId = hot[h + HOT_TAINTS];
    if (taintSetId !== 0) {
      const verdict = taintVerdictOf(taintSetId, st.pod);
      if (verdict !== 0) {
        if (taintCounts[verdict - 1]++ === 0) taintTouched.push(verdict - 1);
        return BIT_TAINT;
      }
    }
    // Node Ready
    if ((meta & COL_READY) === 0) {
      fails[FAIL_NOT_READY]++;
      return BIT_READY;
    }
    // NodeAffinity
    if (st.selector.length > 0 && !matchesSelector(order[i].labels, st.selector)) {
      fails[FAIL_SELECTOR]++;
      return BIT_AFFINITY;
    }
    // NodeResourcesFit
    const memo = hot[h + HOT_MEMO_REQ] === st.requestId ? hot[h + HOT_MEMO] : fitAndScore(st, cols, i);
    if (memo > MEMO_SCORE_MASK) {
      const lacks = memo >> MEMO_FIT_SHIFT;
      if ((lacks & FIT_TOO_MANY_PODS) !== 0) fails[FAIL_TOO_MANY_PODS]++;
      if ((lacks & FIT_CPU) !== 0) fails[FAIL_CPU]++;
      if ((lacks & FIT_MEMORY) !== 0) fails[FAIL_MEMORY]++;
      return BIT_FIT;
    }
    // PodTopologySpread
    if (st.spread) {
      if ((meta & COL_NO_ZONE) !== 0) {
        fails[FAIL_SPREAD_LABEL]++;
        return BIT_SPREAD;
      }
      if (!zoneAllows(st, meta >> META_ZONE_SHIFT, order[i].zone)) {
        fails[FAIL_SPREAD]++;
        return BIT_SPREAD;
      }
    }
    throw proc.ctx.sim.bug(`scheduler: node ${order[i].name} passes every filter after a cycle found none`);
  }

  /**
   * countRejections for a pod without nodeSelector whose request has a fit index, 32 positions at a
   * time: a plain node (Ready, schedulable, untainted) can only be rejected by NodeResourcesFit (the fit
   * index's bitsets say for what) or PodTopologySpread (its zone), so those are counted with popcounts;
   * every other node goes through rejectNode, in position order as countRejections takes them. A cycle
   * that fits nowhere (a zone outage retries thousands) examined all 5,000 nodes one by one before.
   * schedulerChecks.verifyWordWalk counts node by node too and compares.
   */
  function countRejectionsByWords(st: PodState, cols: NodeColumns, order: NodeInfo[], fit: FitIndex): void {
    const n = order.length;
    const { plain, zones } = cols;
    const { fits, tooManyPods, noCpu, noMemory } = fit;
    startCounting();
    const fails = failCounts;
    collectAllowedZones(st, cols);
    let mask = 0;
    const words = (n + 31) >>> 5;
    for (let w = 0; w < words; w++) {
      const inRange = w === words - 1 && (n & 31) !== 0 ? (1 << (n & 31)) - 1 : -1;
      const plainBits = plain[w] & inRange;
      const lacking = plainBits & ~fits[w];
      if (lacking !== 0) {
        mask |= BIT_FIT;
        fails[FAIL_TOO_MANY_PODS] += bitCount(lacking & tooManyPods[w]);
        fails[FAIL_CPU] += bitCount(lacking & noCpu[w]);
        fails[FAIL_MEMORY] += bitCount(lacking & noMemory[w]);
      }
      const fitting = plainBits & fits[w];
      if (fitting !== 0) {
        let inAnyZone = 0;
        for (let z = 0; z < zones.length; z++) inAnyZone |= zones[z][w];
        if (!st.spread || (fitting & inAnyZone & inAllowedZones(w)) !== 0) {
          const i = (w << 5) | (31 - Math.clz32(fitting & -fitting));
          throw proc.ctx.sim.bug(`scheduler: node ${order[i].name} passes every filter after a cycle found none`);
        }
        mask |= BIT_SPREAD;
        fails[FAIL_SPREAD_LABEL] += bitCount(fitting & ~inAnyZone);
        fails[FAIL_SPREAD] += bitCount(fitting & inAnyZone);
      }
      let others = inRange & ~plainBits;
      while (others !== 0) {
        const low = others & -others;
        others ^= low;
        mask |= rejectNode(st, cols, order, (w << 5) | (31 - Math.clz32(low)));
      }
    }
    rejectorMask = mask;
    if (schedulerChecks.verifyWordWalk) verifyRejections(st, cols, order);
  }

  /** schedulerChecks.verifyWordWalk: counts node by node again and compares (leaving the same counts in place). */
  function verifyRejections(st: PodState, cols: NodeColumns, order: NodeInfo[]): void {
    const byWords = [rejectorMask, ...failCounts, ...taintTouched.map((id) => `${id}:${taintCounts[id]}`).sort()].join(
      ' ',
    );
    countRejections(st, cols, order);
    const byNode = [rejectorMask, ...failCounts, ...taintTouched.map((id) => `${id}:${taintCounts[id]}`).sort()].join(
      ' ',
    );
    if (byWords !== byNode)
      throw proc.ctx.sim.bug(
        `scheduler: counting why ${st.pod.metadata.name} fits nowhere by words gave ${byWords}; node by node ${byNode}`,
      );
  }

  /** PodTopologySpread for a node in this zone: one more pod there keeps the skew within 1. Memoized per zone for the cycle. */
  function zoneAllows(st: PodState, zoneId: number, zone: string): boolean {
    let allowed = st.zoneAllowed[zoneId];
    if (allowed === 0) {
      allowed = cache.zoneCount(st.pod.metadata.workload, zone) + 1 - st.minMatch <= 1 ? 1 : 2;
      st.zoneAllowed[zoneId] = allowed;
    }
    return allowed === 1;
  }

  /** NodeResourcesFit's insufficient resources on the node at p and its score, as HOT_MEMO; memoized. */
  function fitAndScore(st: PodState, cols: NodeColumns, p: number): number {
    const memo = cols.fitMemo(p, st.cpu, st.mem);
    const h = p * HOT_STRIDE;
    cols.hot[h + HOT_MEMO] = memo;
    cols.hot[h + HOT_MEMO_REQ] = st.requestId;
    return memo;
  }

  function matchesSelector(labels: Node['metadata']['labels'], selector: Array<[string, string]>): boolean {
    for (let k = 0; k < selector.length; k++) if (labels[selector[k][0]] !== selector[k][1]) return false;
    return true;
  }

  /** The taint verdict (as taintVerdict) for this cycle's pod; memoized per taint list for the cycle. */
  function taintVerdictOf(taintSetId: number, pod: Pod): number {
    if (taintMemoCycle[taintSetId] === cycle) return taintMemoVerdict[taintSetId];
    const verdict = taintVerdict(cache.taintSets[taintSetId], pod);
    taintMemoCycle[taintSetId] = cycle;
    taintMemoVerdict[taintSetId] = verdict;
    return verdict;
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
    for (let code = 0; code < failCounts.length; code++)
      if (failCounts[code] > 0) parts.push(`${failCounts[code]} ${FAIL_MESSAGES[code]}`);
    for (const id of taintTouched) parts.push(`${taintCounts[id]} ${taintMessages[id]}`);
    parts.sort();
    return `0/${numAllNodes} nodes are available${parts.length > 0 ? ': ' + parts.join(', ') : ''}.`;
  }

  /** The position of the feasible node with the best score (filterNodes collected them); ties broken by the seeded stream. */
  function selectHost(): number {
    return bestCount === 1 ? tie(0) : tie(Math.floor(rng.next() * bestCount));
  }

  function bind(info: QueuedPodInfo, nodeName: string): void {
    const pod = info.pod;
    const name = pod.metadata.name;
    // A bind that succeeds needs no answer: its pod leaves the queue when the informer brings it back
    // bound (onUpdate), and nothing looks the pod up in the queue before that (it is in no sub-queue,
    // and its name is not added again while it exists).
    proc.callForFailure(
      BIND_LABEL,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) => {
        const cur = s.pods.get(name);
        if (!cur || cur.metadata.uid !== pod.metadata.uid) return fail('NotFound');
        if (cur.spec.nodeName !== undefined) return fail('Conflict');
        return s.update({ ...cur, spec: podSpec(cur.spec, nodeName) }, ACTOR);
      },
      (r) => {
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
      proc.loop(
        {
          periodMs: UNSCHEDULABLE_FLUSH_PERIOD_MS,
          initialDelayMs: UNSCHEDULABLE_FLUSH_PERIOD_MS,
          label: `${ACTOR}/flush-unschedulable`,
        },
        () => {
          if (queue.flushUnschedulableLeftover()) kick();
        },
      );
      kick();
    },
  };
}

/** Which rejections a node update may undo (the node became more permissive). Heartbeats undo none. */
function nodeChangeHelps(prev: Node, next: Node): FilterPlugin[] {
  const out: FilterPlugin[] = [];
  if (prev.spec.unschedulable && !next.spec.unschedulable) out.push('NodeUnschedulable');
  if (
    prev.spec.taints !== next.spec.taints &&
    prev.spec.taints.some((t) => !next.spec.taints.some((u) => u.key === t.key && u.effect === t.effect))
  ) {
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

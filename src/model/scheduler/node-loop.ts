// The reference path of a cycle's Filter and Score: node by node, each Filter plugin in the profile's
// order asked through its `filter`, each Score plugin that scores the pod through its `score`. It filters every pod the
// accelerator (accelerator.ts) does not: a Filter without a word form runs for the pod, or the fast path
// is off (fast-paths.ts schedulerWordWalk). The accelerator's self-check compares its walk with this loop.
import { MEMO_SCORE_MASK } from './cache.js';
import type { FeasibleNodes } from './feasible-nodes.js';
import { type CycleState, type Diagnosis, type FilterPlugin, type Framework, SUCCESS } from './framework.js';

export class NodeLoop {
  /** With Score plugins besides the resource scores: the feasible nodes found, and their scores. */
  found = new Int32Array(0);
  total = new Int32Array(0);
  private scores = new Int32Array(0);

  constructor(
    private readonly framework: Framework,
    private readonly out: FeasibleNodes,
    private readonly bug: (message: string) => Error,
    /** The fast path schedulerColumnScores: a plugin with `scoreAll` scores every feasible node in one call. */
    private readonly columnScores = false,
  ) {}

  /**
   * Runs the Filter plugins over the nodes of order() from position `start` on, wrapping around, until
   * `toFind` nodes passed or every node was examined; returns how many were examined. The feasible nodes
   * with the best score go to `out.ties`, in the order found (as upstream's pass over the feasible list
   * collects them).
   */
  filter(state: CycleState, active: readonly FilterPlugin[], start: number, toFind: number): number {
    const n = state.order.length;
    const { cols, requestId, cpuMilli, memBytes } = state;
    const scored = state.scorers.length > 0;
    if (scored) this.reserve(toFind);
    const ties = this.out.ties;
    let found = 0;
    let best = -1;
    let tieCount = 0;
    let processed = 0;
    let p = start;
    nodes: while (processed < n && found < toFind) {
      processed++;
      const i = p;
      if (++p === n) p = 0;
      for (let k = 0; k < active.length; k++) if (active[k].filter(state, i) !== SUCCESS) continue nodes;
      // Feasible. The resource scores are memoized with NodeResourcesFit's fit.
      const score = cols.memo(i, requestId, cpuMilli, memBytes) & MEMO_SCORE_MASK;
      if (scored) {
        this.found[found] = i;
        this.total[found] = score;
      } else if (score > best) {
        best = score;
        tieCount = 0;
        ties[tieCount++] = i;
      } else if (score === best) ties[tieCount++] = i;
      found++;
    }
    this.out.feasibleCount = found;
    this.out.bestCount = tieCount;
    if (scored) this.score(state, found);
    return processed;
  }

  /**
   * After a cycle that found no feasible node (so examined every node): counts each node under the first
   * plugin that rejects it, in the profile's order, as upstream's per-node statuses do.
   */
  countRejections(state: CycleState, active: readonly FilterPlugin[], diag: Diagnosis): void {
    diag.start();
    for (let i = 0; i < state.order.length; i++) this.rejectNode(state, active, i, 0, diag);
  }

  /** Counts the node at i under the first plugin from active[from] on that rejects it. */
  rejectNode(state: CycleState, active: readonly FilterPlugin[], i: number, from: number, diag: Diagnosis): void {
    for (let k = from; k < active.length; k++) {
      const status = active[k].filter(state, i);
      if (status !== SUCCESS) {
        diag.record(status);
        return;
      }
    }
    throw this.bug(`scheduler: node ${state.order[i].name} passes every filter after a cycle found none`);
  }

  /** Makes room for toFind feasible nodes to be scored (the accelerator's walk fills found/total, then calls score). */
  reserve(toFind: number): void {
    if (this.found.length >= toFind) return;
    this.found = new Int32Array(toFind);
    this.total = new Int32Array(toFind);
    this.scores = new Int32Array(toFind);
  }

  /** Score and NormalizeScore of each plugin over the feasible nodes, times its weight; then the ties. */
  score(state: CycleState, count: number): void {
    const { found, total, scores } = this;
    const { scorers, scoreWeights } = state;
    for (let s = 0; s < scorers.length; s++) {
      const plugin = scorers[s];
      if (this.columnScores && plugin.scoreAll !== undefined) plugin.scoreAll(state, found, count, scores);
      else {
        plugin.preScore?.(state, found, count);
        for (let k = 0; k < count; k++) scores[k] = plugin.score!(state, found[k]);
        plugin.normalizeScore?.(state, scores, count, found);
      }
      for (let k = 0; k < count; k++) total[k] += scoreWeights[s] * scores[k];
    }
    const ties = this.out.ties;
    let best = -Infinity;
    let tieCount = 0;
    for (let k = 0; k < count; k++) {
      if (total[k] > best) {
        best = total[k];
        tieCount = 0;
        ties[tieCount++] = found[k];
      } else if (total[k] === best) ties[tieCount++] = found[k];
    }
    this.out.bestCount = tieCount;
  }
}

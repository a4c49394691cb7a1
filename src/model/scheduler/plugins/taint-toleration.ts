// TaintToleration (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go). Filter: rejects
// a node with a NoSchedule or NoExecute taint the pod does not tolerate, with the reason "node(s) had
// untolerated taint {key: value}" of the first such taint. Score (default weight 3; PreScore,
// countIntolerableTaintsPreferNoSchedule, NormalizeScore): the node's PreferNoSchedule taints that the
// pod's tolerations with effect PreferNoSchedule or none do not tolerate, normalised in reverse
// (helper.DefaultNormalizeScore: the fewest score 100).
//
// hasim skips the Score while no node has a PreferNoSchedule taint: upstream then scores every node
// 100, which changes no choice. The Filter's verdict is memoized per distinct taint
// list (the cache's taintSetId) for the cycle: few lists exist, so tolerations are matched a handful of
// times per cycle instead of once per tainted node.
import type { Node, Pod } from '../../../k8s/objects.js';
import { toleratesTaint, untoleratedTaint } from '../../../k8s/tolerations.js';
import { HOT_STRIDE, HOT_TAINTS, type SchedulerCache } from '../cache.js';
import {
  type CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  type ScorePlugin,
  type StatusTable,
  SUCCESS,
  type SureWordFilter,
} from '../framework.js';

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = 'TaintToleration';
  private readonly cache: SchedulerCache;
  private readonly statuses: StatusTable;
  private readonly filterBit: number;
  /** Untolerated-taint message -> status id. */
  private readonly statusByMessage = new Map<string, number>();
  /** By taint set id: the cycle the verdict below was computed in. */
  private memoCycle = new Int32Array(8);
  /** By taint set id: the status (SUCCESS if tolerated). */
  private memoStatus = new Int32Array(8);
  /** The word form, its bitset refreshed each cycle (the cache replaces its arrays when it grows). */
  private readonly words: { kind: 'sure'; bits: Uint32Array };

  constructor(h: FrameworkHandle) {
    this.cache = h.cache;
    this.statuses = h.statuses;
    this.filterBit = h.filterBit;
    this.words = { kind: 'sure', bits: h.cache.columns.plain };
  }

  readonly events = {
    // A NoSchedule/NoExecute taint (by key and effect) went away.
    nodeUpdate: (prev: Node, next: Node) =>
      prev.spec.taints !== next.spec.taints &&
      prev.spec.taints.some((t) => !next.spec.taints.some((u) => u.key === t.key && u.effect === t.effect)),
  };

  preFilter(): number {
    const sets = this.cache.taintSets.length;
    if (this.memoCycle.length < sets) {
      this.memoCycle = new Int32Array(sets * 2);
      this.memoStatus = new Int32Array(sets * 2);
    }
    return SUCCESS;
  }

  filter(state: CycleState, pos: number): number {
    const taintSetId = state.cols.hot[pos * HOT_STRIDE + HOT_TAINTS];
    if (taintSetId === 0) return SUCCESS;
    if (this.memoCycle[taintSetId] === state.cycle) return this.memoStatus[taintSetId];
    const status = this.verdict(this.cache.taintSets[taintSetId], state.pod);
    this.memoCycle[taintSetId] = state.cycle;
    this.memoStatus[taintSetId] = status;
    return status;
  }

  wordFilter(state: CycleState): SureWordFilter {
    this.words.bits = state.cols.plain;
    return this.words;
  }

  verdictKey(pod: Pod): string {
    return JSON.stringify(pod.spec.tolerations);
  }

  scoreSkip(): boolean {
    return this.cache.preferNoScheduleNodes === 0;
  }

  score(state: CycleState, pos: number): number {
    const taints = state.order[pos].taints;
    const tolerations = state.pod.spec.tolerations;
    let n = 0;
    for (const t of taints) {
      if (t.effect !== 'PreferNoSchedule') continue;
      // getAllTolerationPreferNoSchedule: only tolerations with effect PreferNoSchedule or none count.
      let tolerated = false;
      for (const tol of tolerations)
        if ((tol.effect === undefined || tol.effect === 'PreferNoSchedule') && toleratesTaint(tol, t)) {
          tolerated = true;
          break;
        }
      if (!tolerated) n++;
    }
    return n;
  }

  /** helper.DefaultNormalizeScore(MaxNodeScore, reverse = true). */
  normalizeScore(_state: CycleState, scores: Int32Array, count: number): void {
    let max = 0;
    for (let k = 0; k < count; k++) if (scores[k] > max) max = scores[k];
    for (let k = 0; k < count; k++)
      scores[k] = max === 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - Math.trunc((MAX_NODE_SCORE * scores[k]) / max);
  }

  private verdict(taints: Node['spec']['taints'], pod: Pod): number {
    const t = untoleratedTaint(taints, pod.spec.tolerations);
    if (t === undefined) return SUCCESS;
    const message = `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
    let status = this.statusByMessage.get(message);
    if (status === undefined) {
      status = this.statuses.unschedulableAndUnresolvable(this.filterBit, message);
      this.statusByMessage.set(message, status);
    }
    return status;
  }
}

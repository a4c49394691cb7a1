// TaintToleration (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go), its Filter:
// rejects a node with a NoSchedule or NoExecute taint the pod does not tolerate, with the reason
// "node(s) had untolerated taint {key: value}" of the first such taint.
//
// Fidelity: upstream also scores (PreferNoSchedule taints, default weight 3); hasim has no Score for it
// yet, so PreferNoSchedule taints do not steer placement. The verdict is memoized per distinct taint
// list (the cache's taintSetId) for the cycle: few lists exist, so tolerations are matched a handful of
// times per cycle instead of once per tainted node.
import type { Node, Pod } from '../../../k8s/objects.js';
import { untoleratedTaint } from '../../../k8s/tolerations.js';
import { HOT_STRIDE, HOT_TAINTS, type SchedulerCache } from '../cache.js';
import {
  type CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  type StatusTable,
  SUCCESS,
  type SureWordFilter,
} from '../framework.js';

export class TaintToleration implements FilterPlugin {
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

  private verdict(taints: Node['spec']['taints'], pod: Pod): number {
    const t = untoleratedTaint(taints, pod.spec.tolerations);
    if (t === undefined) return SUCCESS;
    const message = `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
    let status = this.statusByMessage.get(message);
    if (status === undefined) {
      status = this.statuses.unschedulable(this.filterBit, message);
      this.statusByMessage.set(message, status);
    }
    return status;
  }
}

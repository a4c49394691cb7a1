// NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go): rejects a
// node with spec.unschedulable (cordoned) unless the pod tolerates the node.kubernetes.io/unschedulable
// NoSchedule taint.
//
// Fidelity: upstream returns UnschedulableAndUnresolvable (which only preemption reads; hasim has none)
// and works out the toleration at every Filter call; here PreFilter works it out once per cycle.
import type { Node, Pod } from '../../../k8s/objects.js';
import { untoleratedTaint } from '../../../k8s/tolerations.js';
import { COL_UNSCHEDULABLE, HOT_META, HOT_STRIDE } from '../cache.js';
import {
  type CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  SUCCESS,
  type SureWordFilter,
} from '../framework.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const TAINT_NODE_UNSCHEDULABLE: Node['spec']['taints'] = [
  { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
];

export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';
  private readonly unschedulable: number;
  /** COL_UNSCHEDULABLE, or 0 when this cycle's pod tolerates cordoned nodes. */
  private rejectMask = COL_UNSCHEDULABLE;
  /** The word form, its bitset refreshed each cycle (the cache replaces its arrays when it grows). */
  private readonly words: { kind: 'sure'; bits: Uint32Array };

  constructor(h: FrameworkHandle) {
    this.unschedulable = h.statuses.unschedulableAndUnresolvable(h.filterBit, ERR_REASON_UNSCHEDULABLE);
    // Plain nodes (Ready, schedulable, untainted) pass; the others are asked one by one.
    this.words = { kind: 'sure', bits: h.cache.columns.plain };
  }

  readonly events = {
    nodeUpdate: (prev: Node, next: Node) => prev.spec.unschedulable && !next.spec.unschedulable,
  };

  preFilter(state: CycleState): number {
    const tolerations = state.pod.spec.tolerations;
    const tolerates = tolerations.length > 0 && untoleratedTaint(TAINT_NODE_UNSCHEDULABLE, tolerations) === undefined;
    this.rejectMask = tolerates ? 0 : COL_UNSCHEDULABLE;
    return SUCCESS;
  }

  filter(state: CycleState, pos: number): number {
    return (state.cols.hot[pos * HOT_STRIDE + HOT_META] & this.rejectMask) !== 0 ? this.unschedulable : SUCCESS;
  }

  wordFilter(state: CycleState): SureWordFilter {
    this.words.bits = state.cols.plain;
    return this.words;
  }

  verdictKey(pod: Pod): string {
    return JSON.stringify(pod.spec.tolerations);
  }
}

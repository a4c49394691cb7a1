// NodeReady: hasim's own filter, not an upstream plugin. It rejects a node whose Ready condition is not
// True. Upstream has no such Filter any more: the node lifecycle controller's node.kubernetes.io/
// not-ready and unreachable NoSchedule taints do that job through TaintToleration. hasim keeps it
// because it also closes the short window between the condition changing and the taint landing;
// removing it is a behaviour change (issue 14).
import type { Node, Pod } from '../../../k8s/objects.js';
import { COL_READY, HOT_META, HOT_STRIDE } from '../cache.js';
import {
  type CycleState,
  type Diagnosis,
  type ExactWordFilter,
  type FilterPlugin,
  type FrameworkHandle,
  SUCCESS,
} from '../framework.js';
import { bitCount } from '../bits.js';

export const ERR_REASON_NOT_READY = 'node(s) were not ready';

const isReady = (n: Node) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

export class NodeReady implements FilterPlugin {
  readonly name = 'NodeReady';
  private readonly notReady: number;
  private readonly notReadyReason: number;
  private readonly bits: Uint32Array[];
  private readonly words: ExactWordFilter;

  constructor(h: FrameworkHandle) {
    this.notReady = h.statuses.unschedulable(h.filterBit, ERR_REASON_NOT_READY);
    this.notReadyReason = h.statuses.reason(ERR_REASON_NOT_READY);
    const reason = this.notReadyReason;
    this.bits = [h.cache.columns.ready];
    this.words = {
      kind: 'exact',
      bits: this.bits,
      count: (_w: number, rejected: number, diag: Diagnosis) => diag.add(reason, bitCount(rejected)),
    };
  }

  readonly events = {
    nodeUpdate: (prev: Node, next: Node) => !isReady(prev) && isReady(next),
  };

  filter(state: CycleState, pos: number): number {
    return (state.cols.hot[pos * HOT_STRIDE + HOT_META] & COL_READY) === 0 ? this.notReady : SUCCESS;
  }

  wordFilter(state: CycleState): ExactWordFilter {
    this.bits[0] = state.cols.ready;
    return this.words;
  }

  verdictKey(_pod: Pod): string {
    return '';
  }
}

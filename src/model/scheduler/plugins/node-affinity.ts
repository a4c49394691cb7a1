// NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go), for the pod's
// nodeSelector: rejects a node whose labels lack one of the selector's key=value pairs. PreFilter answers
// Skip for a pod without a selector, as upstream does for a pod without nodeSelector and affinity.
//
// Fidelity: hasim pods have no spec.affinity, so there are no required or preferred node affinity terms
// and no Score (upstream's default weight 2 applies to preferred terms). Upstream returns
// UnschedulableAndUnresolvable (only preemption reads it). It has no word form: a pod with a selector is
// filtered node by node.
import type { Node, Pod } from '../../../k8s/objects.js';
import { type CycleState, type FilterPlugin, type FrameworkHandle, SKIP, SUCCESS } from '../framework.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const NO_SELECTOR: Array<[string, string]> = [];

export class NodeAffinity implements FilterPlugin {
  readonly name = 'NodeAffinity';
  private readonly mismatch: number;
  private selector = NO_SELECTOR;

  constructor(h: FrameworkHandle) {
    this.mismatch = h.statuses.unschedulable(h.filterBit, ERR_REASON_POD);
  }

  readonly events = {
    nodeUpdate: (prev: Node, next: Node) => prev.metadata.labels !== next.metadata.labels,
  };

  preFilter(state: CycleState): number {
    for (const _ in state.pod.spec.nodeSelector) {
      this.selector = Object.entries(state.pod.spec.nodeSelector);
      return SUCCESS;
    }
    this.selector = NO_SELECTOR;
    return SKIP;
  }

  filter(state: CycleState, pos: number): number {
    const labels = state.order[pos].labels;
    const selector = this.selector;
    for (let k = 0; k < selector.length; k++) if (labels[selector[k][0]] !== selector[k][1]) return this.mismatch;
    return SUCCESS;
  }

  verdictKey(pod: Pod): string {
    return JSON.stringify(pod.spec.nodeSelector);
  }
}

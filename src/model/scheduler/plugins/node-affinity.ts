// NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go): Filter for the pod's
// nodeSelector and required node affinity (nodeaffinity.GetRequiredNodeAffinity: the selector's pairs
// ANDed with the required terms, which are ORed; every operator, Gt and Lt as integers, matchFields on
// metadata.name; src/k8s/selectors.ts), rejecting with "node(s) didn't match Pod's node
// affinity/selector"; Score for its preferred terms (default weight 2): the sum of the weights of the
// terms the node matches, normalised with the highest node at 100 (helper.DefaultNormalizeScore).
// PreFilter answers Skip for a pod with neither a selector nor required terms; the Score has nothing to
// do (PreScore Skip) without preferred terms.
//
// Fidelity: upstream returns UnschedulableAndUnresolvable (only preemption reads it) and its PreFilter
// may narrow the nodes to those a matchFields term names; hasim filters them all. The plugin's
// AddedAffinity argument (none by default) is not modelled. No word form: a pod with a selector or
// required terms is filtered node by node.
import type { Node, Pod } from '../../../k8s/objects.js';
import type { NodeSelectorTerm, PreferredSchedulingTerm } from '../../../k8s/scheduling.js';
import { matchesRequiredNodeAffinity, nodeSelectorTermMatches } from '../../../k8s/selectors.js';
import {
  type CycleState,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  type ScorePlugin,
} from '../framework.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const NO_SELECTOR: Readonly<Record<string, string>> = {};

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeAffinity';
  private readonly mismatch: number;
  private selector = NO_SELECTOR;
  private required: readonly NodeSelectorTerm[] | undefined;
  private preferred: readonly PreferredSchedulingTerm[] = [];

  constructor(h: FrameworkHandle) {
    this.mismatch = h.statuses.unschedulableAndUnresolvable(h.filterBit, ERR_REASON_POD);
  }

  readonly events = {
    nodeUpdate: (prev: Node, next: Node) => prev.metadata.labels !== next.metadata.labels,
  };

  preFilter(state: CycleState): number {
    const spec = state.pod.spec;
    this.selector = spec.nodeSelector;
    this.required = spec.affinity?.nodeAffinity?.required;
    if (this.required !== undefined) return SUCCESS;
    for (const _ in spec.nodeSelector) return SUCCESS;
    return SKIP;
  }

  filter(state: CycleState, pos: number): number {
    const info = state.order[pos];
    return matchesRequiredNodeAffinity(this.selector, this.required, info.name, info.labels) ? SUCCESS : this.mismatch;
  }

  verdictKey(pod: Pod): string {
    const required = pod.spec.affinity?.nodeAffinity?.required;
    return required === undefined
      ? JSON.stringify(pod.spec.nodeSelector)
      : JSON.stringify([pod.spec.nodeSelector, required]);
  }

  scoreSkip(state: CycleState): boolean {
    this.preferred = state.pod.spec.affinity?.nodeAffinity?.preferred ?? [];
    return this.preferred.length === 0;
  }

  score(state: CycleState, pos: number): number {
    const info = state.order[pos];
    let score = 0;
    for (const t of this.preferred)
      if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, info.name, info.labels)) score += t.weight;
    return score;
  }

  /** helper.DefaultNormalizeScore(MaxNodeScore, false): the highest score becomes 100, the others in proportion. */
  normalizeScore(_state: CycleState, scores: Int32Array, count: number): void {
    let max = 0;
    for (let k = 0; k < count; k++) if (scores[k] > max) max = scores[k];
    if (max === 0) return;
    for (let k = 0; k < count; k++) scores[k] = Math.trunc((MAX_NODE_SCORE * scores[k]) / max);
  }
}

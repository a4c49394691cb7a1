// Resolves a fault's `target` selector (docs/scenario-format.md#target-selectors) to node names. `random: K` picks K nodes from its
// `from` selector with the fault's own seeded stream, so adding a fault does not change another's pick.
import type { Rng } from '../engine/index.js';
import type { NodeSpec, Target } from '../scenario/types.js';

export function selectNodes(target: Target, nodes: readonly NodeSpec[], rng: Rng): string[] {
  if (target.random !== undefined) {
    const pool = selectNodes(target.from ?? { labels: {} }, nodes, rng);
    return rng.sample(pool, target.random);
  }
  if (target.node !== undefined) return [target.node];
  if (target.nodes !== undefined) return [...target.nodes];
  if (target.zone !== undefined) return nodes.filter((n) => n.zone === target.zone).map((n) => n.name);
  if (target.labels !== undefined) {
    const want = Object.entries(target.labels);
    return nodes.filter((n) => want.every(([k, v]) => n.labels[k] === v)).map((n) => n.name);
  }
  return [];
}

// Choosing among scale-up options (cluster-autoscaler expander/): `random` (expander/random, the default)
// picks one option uniformly, from the autoscaler's own seeded stream; `least-waste`
// (expander/waste/waste.go) keeps the options that would leave the smallest share of the new nodes'
// cpu and memory unrequested (wasted cpu fraction + wasted memory fraction), then picks at random among
// those. And --balance-similar-node-groups (processors/nodegroupset: FindSimilarNodeGroups with
// IsCloudProviderNodeInfoSimilar, then BalanceScaleUpBetweenGroups): node groups whose nodes differ only in
// zone and hostname labels share the new nodes so that their sizes stay level.
import type { Pod } from '../../k8s/objects.js';
import type { NodeSpec } from '../../k8s/workloads.js';
import type { Rng } from '../../engine/index.js';
import type { Expander } from './options.js';

export interface ScaleUpOption {
  group: string;
  nodeCount: number;
  pods: readonly Pod[];
  template: NodeSpec;
}

/** WastedScore: the unrequested share of the new nodes' cpu plus that of their memory. */
export function wastedScore(o: ScaleUpOption): number {
  let cpu = 0;
  let mem = 0;
  for (const p of o.pods) {
    cpu += p.spec.requests.cpuMilli;
    mem += p.spec.requests.memoryBytes;
  }
  const cpuCap = o.template.capacity.cpuMilli * o.nodeCount;
  const memCap = o.template.capacity.memoryBytes * o.nodeCount;
  return (cpuCap > 0 ? (cpuCap - cpu) / cpuCap : 0) + (memCap > 0 ? (memCap - mem) / memCap : 0);
}

/** BestOption: options in a stable order (by group name) in, one out. */
export function bestOption(expander: Expander, options: readonly ScaleUpOption[], rng: Rng): ScaleUpOption {
  let pool = [...options].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  if (expander === 'least-waste') {
    const scores = pool.map(wastedScore);
    const least = Math.min(...scores);
    pool = pool.filter((_o, k) => scores[k] === least);
  }
  return pool.length === 1 ? pool[0] : pool[Math.floor(rng.next() * pool.length)];
}

/** Labels that may differ between similar node groups (nodegroupset's BasicIgnoredLabels, in part). */
const IGNORED_LABELS = new Set([
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'kubernetes.io/hostname',
]);

/** IsCloudProviderNodeInfoSimilar, reduced to what hasim's nodes have: capacity, labels, taints. */
export function similarTemplates(a: NodeSpec, b: NodeSpec): boolean {
  const ca = a.capacity;
  const cb = b.capacity;
  if (ca.cpuMilli !== cb.cpuMilli || ca.pods !== cb.pods) return false;
  // MaxMemoryDifferenceRatio: 1.5% of the larger.
  if (Math.abs(ca.memoryBytes - cb.memoryBytes) > 0.015 * Math.max(ca.memoryBytes, cb.memoryBytes)) return false;
  const keys = new Set([...Object.keys(a.labels), ...Object.keys(b.labels)]);
  for (const k of keys) if (!IGNORED_LABELS.has(k) && a.labels[k] !== b.labels[k]) return false;
  const ta = JSON.stringify(a.taints ?? []);
  const tb = JSON.stringify(b.taints ?? []);
  return ta === tb;
}

/**
 * BalanceScaleUpBetweenGroups: `newNodes` spread over the groups, each new node to the group that is
 * smallest at that moment (ties by name), none beyond its maximum. Returns the increase per group.
 */
export function balanceScaleUp(
  groups: ReadonlyArray<{ name: string; size: number; maxSize: number }>,
  newNodes: number,
): Map<string, number> {
  const sizes = groups.map((g) => ({ ...g }));
  const out = new Map<string, number>();
  for (let k = 0; k < newNodes; k++) {
    let best: (typeof sizes)[number] | undefined;
    for (const g of sizes) {
      if (g.size >= g.maxSize) continue;
      if (best === undefined || g.size < best.size || (g.size === best.size && g.name < best.name)) best = g;
    }
    if (best === undefined) break;
    best.size++;
    out.set(best.name, (out.get(best.name) ?? 0) + 1);
  }
  return out;
}

// The autoscalerKnownRejections fast path (model/autoscaler/snapshot.ts fitsAnyNodeKnown): filterOutSchedulable
// skips the nodes a node-local filter rejected for an earlier Pending pod of the same kind. Random snapshots
// (nodes of several sizes, tainted, unschedulable, unready or labelled apart; bound pods; Pending pods of
// workloads with and without zone spreading, tolerations and node selectors) must give the same unschedulable
// pods and the same placements both ways, and whole runs with the autoscaler the same trace byte for byte.
import { toJsonl } from '../../../src/engine/index.js';
import type { Node, Pod } from '../../../src/k8s/objects.js';
import { filterOutSchedulable } from '../../../src/model/autoscaler/static-autoscaler.js';
import { SchedulingSnapshot, templateNode } from '../../../src/model/autoscaler/snapshot.js';
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { scaleScenario } from '../../../bench/scale-scenario.js';
import { pod } from '../scheduler/plugin-harness.js';

const GiB = 2 ** 30;
const ZONE = 'topology.kubernetes.io/zone';

/** A small seeded generator for the test's choices (mulberry32). */
function rngOf(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function world(seed: number): { nodes: Node[]; bound: Pod[]; pending: Pod[] } {
  const r = rngOf(seed);
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  const nodes: Node[] = [];
  for (let i = 0; i < 40; i++) {
    const zone = zones[i % 3];
    const n = templateNode(
      {
        name: 't',
        zone,
        labels: { [ZONE]: zone, ...(r() < 0.3 ? { disk: 'ssd' } : {}) },
        capacity: { cpuMilli: r() < 0.5 ? 2000 : 4000, memoryBytes: 8 * GiB, pods: r() < 0.1 ? 2 : 110 },
        ...(r() < 0.15 ? { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' as const }] } : {}),
      },
      `node-${String(i).padStart(2, '0')}`,
    );
    if (r() < 0.1) n.spec = { ...n.spec, unschedulable: true };
    if (r() < 0.05) n.status = { ...n.status, conditions: [{ ...n.status.conditions[0], status: 'False' }] };
    nodes.push(n);
  }
  const kinds = [
    { name: 'web', cpu: 500, spread: true, tolerate: false, ssd: false },
    { name: 'api', cpu: 1000, spread: true, tolerate: true, ssd: false },
    { name: 'batch', cpu: 1500, spread: false, tolerate: true, ssd: false },
    { name: 'db', cpu: 700, spread: false, tolerate: false, ssd: true },
  ];
  const make = (name: string, k: (typeof kinds)[number], node?: string): Pod => {
    const p = pod({
      name,
      node,
      labels: { app: k.name },
      workload: `Deployment/${k.name}`,
      constraints: k.spread
        ? [
            {
              maxSkew: 1,
              topologyKey: ZONE,
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { app: k.name }, matchExpressions: [] },
              matchLabelKeys: [],
            },
          ]
        : [],
      tolerations: k.tolerate ? [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }] : [],
      nodeSelector: k.ssd ? { disk: 'ssd' } : {},
    });
    p.spec.requests = { cpuMilli: k.cpu, memoryBytes: GiB / 2 };
    return p;
  };
  const bound: Pod[] = [];
  for (let i = 0; i < 60; i++) {
    const k = kinds[Math.floor(r() * kinds.length)];
    bound.push(make(`bound-${i}`, k, nodes[Math.floor(r() * nodes.length)].metadata.name));
  }
  const pending: Pod[] = [];
  for (let i = 0; i < 120; i++) pending.push(make(`pending-${String(i).padStart(3, '0')}`, kinds[i % kinds.length]));
  pending.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  return { nodes, bound, pending };
}

function filterOut(seed: number, skip: boolean): { unschedulable: string[]; placed: string[] } {
  const { nodes, bound, pending } = world(seed);
  const snapshot = new SchedulingSnapshot(nodes, bound);
  const placed: string[] = [];
  const place = snapshot.place.bind(snapshot);
  snapshot.place = (p: Pod, node: string) => {
    placed.push(`${p.metadata.name}@${node}`);
    place(p, node);
  };
  const unschedulable = filterOutSchedulable(snapshot, pending, skip).map((p) => p.metadata.name);
  return { unschedulable, placed };
}

describe('filterOutSchedulable skipping the nodes known rejected (autoscalerKnownRejections)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('places and leaves out the same pods, seed %i', (seed) => {
    const fast = filterOut(seed, true);
    expect(fast).toEqual(filterOut(seed, false));
    expect(fast.placed.length).toBeGreaterThan(20);
    expect(fast.unschedulable.length).toBeGreaterThan(0);
  });

  it('a zone outage at 30 nodes with the autoscaler: the same trace with and without it', () => {
    const s = scaleScenario(30, 900, 30, 'zones', false, false, false, true);
    const fast = toJsonl(runScenario(s, { seed: 1 }).events);
    expect(fast).toContain('nodegroup.scaled.up');
    expect(
      toJsonl(runScenario(s, { seed: 1, fastPaths: { ...ALL_FAST_PATHS, autoscalerKnownRejections: false } }).events),
    ).toBe(fast);
    expect(toJsonl(runScenario(s, { seed: 1, fastPaths: REFERENCE_BEHAVIOUR }).events)).toBe(fast);
  });
});

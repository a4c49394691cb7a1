// The fast path schedulerKeptPositions (scheduler/cache.ts keepPositions): when the node order changes, the
// cache writes its columns only at the positions whose node changed. Two caches are fed the same random
// changes (nodes added, removed, relabelled, moved to another zone, made unready or unschedulable, tainted;
// pods bound and removed, also while the order is invalid), one with the fast path and one rebuilding
// every position; after each round both must hold the same order and the same columns: every field the
// filter and score loop reads, the bitsets over the whole of their words, the fit indexes with their score
// levels, and the same fit and score for each position and request.
import type { Node } from '../../../src/k8s/objects.js';
import { type FitIndex, HOT_META, HOT_STRIDE, HOT_TAINTS, SchedulerCache } from '../../../src/model/scheduler/cache.js';
import { node, pod } from './plugin-harness.js';

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

const ZONE = 'topology.kubernetes.io/zone';
const REQUESTS = [
  { cpuMilli: 500, memoryBytes: 2 ** 30 },
  { cpuMilli: 1500, memoryBytes: 2 ** 31 },
  { cpuMilli: 3000, memoryBytes: 2 ** 32 },
];

function score(cpuCap: number, memCap: number, cpuReq: number, memReq: number): number {
  return Math.max(0, Math.min(100, Math.floor(100 - (50 * cpuReq) / cpuCap - (50 * memReq) / memCap)));
}

function newCache(kept: boolean): { cache: SchedulerCache; indexes: FitIndex[] } {
  const cache = new SchedulerCache();
  cache.keptPositions = kept;
  cache.columns.resourceScore = score;
  return { cache, indexes: [] };
}

function nodeIn(name: string, zone: string, r: () => number): Node {
  const n = node({ name, labels: { [ZONE]: zone, 'kubernetes.io/hostname': name } });
  const ready = r() < 0.9;
  return {
    ...n,
    spec: {
      unschedulable: r() < 0.1,
      taints: r() < 0.1 ? [{ key: 'example.com/dedicated', effect: 'NoSchedule', timeAddedMs: 0 }] : [],
    },
    status: {
      ...n.status,
      conditions: [{ ...n.status.conditions[0], status: ready ? 'True' : 'False' }],
      capacity: { cpuMilli: r() < 0.5 ? 4000 : 8000, memoryBytes: 2 ** 34, pods: r() < 0.2 ? 3 : 110 },
    },
  };
}

/** Everything a reader of the columns can see, for the positions of the order. */
function view(cache: SchedulerCache): unknown {
  const order = cache.order();
  const n = order.length;
  const c = cache.columns;
  const words = (n + 31) >>> 5;
  const hot: number[] = [];
  // The memo fields differ by design (a full rebuild forgets every memo): the memos below are compared instead.
  for (let p = 0; p < n; p++) hot.push(c.hot[p * HOT_STRIDE + HOT_META], c.hot[p * HOT_STRIDE + HOT_TAINTS]);
  const memos = REQUESTS.map((q, id) => order.map((_, p) => c.memo(p, 100 + id, q.cpuMilli, q.memoryBytes)));
  const bits = (b: Uint32Array) => [...b.subarray(0, Math.max(words, 1))];
  return {
    names: order.map((i) => i.name),
    pos: order.map((i) => i.pos),
    hot,
    podCount: [...c.podCount.subarray(0, n)],
    podCap: [...c.podCap.subarray(0, n)],
    cpuUsed: [...c.cpuUsed.subarray(0, n)],
    cpuCap: [...c.cpuCap.subarray(0, n)],
    memUsed: [...c.memUsed.subarray(0, n)],
    memCap: [...c.memCap.subarray(0, n)],
    ready: bits(c.ready),
    plain: bits(c.plain),
    zones: c.zones.map(bits),
    memos,
    fits: c.fitIndexes.map((x) => ({
      fits: bits(x.fits),
      tooManyPods: bits(x.tooManyPods),
      noCpu: bits(x.noCpu),
      noMemory: bits(x.noMemory),
      levelCounts: [...x.levelCounts],
      levels: x.levels.map((l) => (l === undefined ? [] : bits(l))),
      scores: order.map((_, p) => ((x.fits[p >>> 5] & (1 << (p & 31))) !== 0 ? x.scores[p] : -1)),
    })),
  };
}

describe('the scheduler cache keeps the columns of nodes whose position did not change (schedulerKeptPositions)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives the columns of a full rebuild after every change, seed %i', (seed) => {
    const r = rngOf(seed);
    const kept = newCache(true);
    const full = newCache(false);
    const both = (fn: (c: SchedulerCache) => void) => {
      fn(kept.cache);
      fn(full.cache);
    };
    const zones = ['zone-a', 'zone-b', 'zone-c'];
    const live = new Map<string, Node>();
    const pods = new Map<string, string>();
    let made = 0;
    let podSeq = 0;
    for (let i = 0; i < 60; i++) {
      const n = nodeIn(`node-${String(made++).padStart(3, '0')}`, zones[i % 3], r);
      live.set(n.metadata.name, n);
      both((c) => c.setNode(n));
    }
    both((c) => c.order());
    for (const q of REQUESTS.slice(0, 2)) {
      const n = kept.cache.order().length;
      kept.indexes.push(kept.cache.columns.addFitIndex(q.cpuMilli, q.memoryBytes, n));
      full.indexes.push(full.cache.columns.addFitIndex(q.cpuMilli, q.memoryBytes, n));
    }
    for (let round = 0; round < 40; round++) {
      const changes = 1 + Math.floor(r() * 6);
      for (let k = 0; k < changes; k++) {
        const names = [...live.keys()].sort();
        const x = r();
        if (x < 0.25 || names.length < 10) {
          // A new node, named to land anywhere in its zone's name order (a replacement sorts after its original).
          const base = names.length > 0 && r() < 0.7 ? `${names[Math.floor(r() * names.length)]}-u` : 'node-';
          const n = nodeIn(`${base}${String(made++).padStart(3, '0')}`, zones[Math.floor(r() * 3)], r);
          live.set(n.metadata.name, n);
          both((c) => c.setNode(n));
        } else if (x < 0.45) {
          const name = names[Math.floor(r() * names.length)];
          live.delete(name);
          both((c) => c.removeNode(name));
        } else if (x < 0.7) {
          // An update: readiness, unschedulable, taints, capacity, or a move to another zone (a new labels object).
          const name = names[Math.floor(r() * names.length)];
          const prev = live.get(name)!;
          const fresh = nodeIn(name, r() < 0.2 ? zones[Math.floor(r() * 3)] : prev.metadata.labels[ZONE], r);
          const n: Node = r() < 0.5 ? { ...fresh, metadata: prev.metadata } : fresh;
          live.set(name, n);
          both((c) => c.setNode(n));
        } else if (x < 0.9 || pods.size === 0) {
          const at = names[Math.floor(r() * names.length)];
          const p = pod({ name: `pod-${podSeq++}`, node: at, workload: `Deployment/w${Math.floor(r() * 3)}` });
          const q = REQUESTS[Math.floor(r() * REQUESTS.length)];
          p.spec.requests = { cpuMilli: q.cpuMilli, memoryBytes: q.memoryBytes };
          pods.set(p.metadata.name, at);
          both((c) => c.addOrUpdatePod(p, at));
        } else {
          const name = [...pods.keys()][Math.floor(r() * pods.size)];
          pods.delete(name);
          both((c) => c.removePod(name));
        }
        // Sometimes the scheduler reads the order between two changes, sometimes not.
        if (r() < 0.3) both((c) => c.order());
      }
      expect(view(kept.cache)).toEqual(view(full.cache));
    }
    expect(kept.cache.order().length).toBeGreaterThan(20);
  });

  it('a node removed and added again before the order is read, back at its old position, is placed again', () => {
    const r = rngOf(1);
    const kept = newCache(true);
    const full = newCache(false);
    const both = (fn: (c: SchedulerCache) => void) => {
      fn(kept.cache);
      fn(full.cache);
    };
    const zones = ['zone-a', 'zone-b', 'zone-c'];
    const nodes = Array.from({ length: 9 }, (_, i) => nodeIn(`node-${i}`, zones[i % 3], r));
    for (const n of nodes) both((c) => c.setNode(n));
    // A pod keeps the node's entry in the cache while the node is gone (the same NodeInfo comes back).
    const p = pod({ name: 'pod-0', node: 'node-4', workload: 'Deployment/w0' });
    both((c) => c.addOrUpdatePod(p, 'node-4'));
    both((c) => c.order());
    const before = kept.cache.order().findIndex((i) => i.name === 'node-4');
    both((c) => c.removeNode('node-4'));
    both((c) => c.setNode(nodes[4]));
    const order = kept.cache.order();
    full.cache.order();
    expect(order.findIndex((i) => i.name === 'node-4')).toBe(before);
    expect(order.map((i) => i.pos)).toEqual(order.map((_, at) => at));
    expect(view(kept.cache)).toEqual(view(full.cache));
  });
});

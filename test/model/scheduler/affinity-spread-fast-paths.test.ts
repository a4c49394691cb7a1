// The fast paths schedulerAffinityWords (InterPodAffinity's Filter as bitsets), schedulerColumnScores
// (PodTopologySpread's Score from the cache's position columns) and schedulerSpreadDeltas (its eligible
// domains kept from the node label changes) against the framework's node-by-node path, and
// schedulerKeptPositions (the cache's columns written only where the node order changed) against a full
// rewrite:
// randomized clusters with required and preferred pod (anti-)affinity on several keys, the system default
// spreading and ScheduleAnyway constraints, nodes added, removed and relabelled and pods deleted, run with
// and without the fast paths; the traces must be the same byte for byte. With schedulerChecks.verifyWordWalk
// every walk by words is also compared with the node loop inside the run (nodes examined, feasible count,
// ties, and the rejection counts of the FitError message).
import { toJsonl } from '../../../src/engine/index.js';
import type { Node } from '../../../src/k8s/objects.js';
import type {
  Affinity,
  PodAffinityTerm,
  PodScheduling,
  TopologySpreadConstraint,
} from '../../../src/k8s/scheduling.js';
import type { WorkloadSpec } from '../../../src/k8s/workloads.js';
import { buildCluster } from '../../../src/model/cluster.js';
import { ALL_FAST_PATHS, type FastPaths, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { schedulerChecks, type SchedulerController } from '../../../src/model/scheduler/scheduler.js';
import { FakeNodes, GiB, scenario, workload } from '../workloads/fixtures.js';

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

const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const RACK = 'example.com/rack';
const CLUSTER = 'example.com/cluster';

function term(app: string, topologyKey: string): PodAffinityTerm {
  return {
    labelSelector: { matchLabels: { app }, matchExpressions: [] },
    namespaces: [],
    topologyKey,
    matchLabelKeys: [],
    mismatchLabelKeys: [],
  };
}

function scheduling(app: string, over: Partial<PodScheduling> = {}): PodScheduling {
  return {
    labels: { app },
    topologySpreadConstraints: [],
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    ...over,
  };
}

/** Workloads with every kind of term the fast paths read, sizes and keys drawn from the seed. */
function randomWorkloads(r: () => number): WorkloadSpec[] {
  const n = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const key = () => [HOSTNAME, ZONE, RACK][n(0, 2)];
  const anti = (app: string, k: string): Affinity => ({
    podAntiAffinity: { required: [term(app, k)], preferred: [] },
  });
  const spreadAnyway: TopologySpreadConstraint = {
    maxSkew: n(1, 3),
    topologyKey: r() < 0.5 ? RACK : HOSTNAME,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { tier: 'web' }, matchExpressions: [] },
    matchLabelKeys: [],
    nodeTaintsPolicy: r() < 0.5 ? 'Honor' : 'Ignore',
  };
  const ws: WorkloadSpec[] = [
    // Required anti-affinity with itself on the hostname (the benchmark's case) and on a drawn key.
    workload('Deployment', 'solo', {
      replicas: n(20, 90),
      scheduling: scheduling('solo', { affinity: anti('solo', HOSTNAME) }),
    }),
    workload('Deployment', 'apart', {
      replicas: n(2, 8),
      scheduling: scheduling('apart', { affinity: anti('apart', key()) }),
    }),
    // Pods that an existing pod's anti-affinity selects: guard's term keeps plain's pods out of its domains
    // and outcast's out of the cluster (every node has the same CLUSTER value; guard's higher priority
    // places it first).
    workload('Deployment', 'guard', {
      replicas: n(3, 12),
      scheduling: scheduling('guard', {
        priority: 1000,
        affinity: { podAntiAffinity: { required: [term('plain', key()), term('outcast', CLUSTER)], preferred: [] } },
      }),
    }),
    workload('Deployment', 'plain', { replicas: n(10, 60) }),
    workload('Deployment', 'outcast', { replicas: n(1, 3) }),
    // Required affinity to another workload (Pending until one of its pods runs in the domain), and to itself
    // (the first of a group may go anywhere with the key).
    workload('Deployment', 'follower', {
      replicas: n(3, 15),
      scheduling: scheduling('follower', {
        affinity: { podAffinity: { required: [term('plain', key())], preferred: [] } },
      }),
    }),
    workload('StatefulSet', 'pack', {
      replicas: n(3, 15),
      scheduling: scheduling('pack', {
        affinity: {
          podAffinity: { required: [term('pack', key())], preferred: [] },
          podAntiAffinity: { required: [], preferred: [{ weight: n(1, 100), podAffinityTerm: term('solo', key()) }] },
        },
      }),
    }),
    // The system default spreading (no constraints) and a ScheduleAnyway constraint over several workloads.
    workload('Deployment', 'web-a', {
      replicas: n(10, 80),
      scheduling: scheduling('web-a', { labels: { app: 'web-a', tier: 'web' } }),
    }),
    workload('Deployment', 'web-b', {
      replicas: n(10, 40),
      scheduling: scheduling('web-b', {
        labels: { app: 'web-b', tier: 'web' },
        topologySpreadConstraints: [spreadAnyway],
      }),
    }),
    workload('Deployment', 'big', { replicas: n(5, 40), requests: { cpuMilli: 1500, memoryBytes: GiB } }),
  ];
  return ws;
}

/** Runs one randomized cluster with these fast paths; returns its trace. */
function runCluster(seed: number, fastPaths: Partial<FastPaths>): { trace: string; scheduled: number } {
  const r = rngOf(seed);
  const ws = randomWorkloads(r);
  const cluster = buildCluster(scenario(ws, seed).spec, { seed, clockStepsPossible: false, fastPaths });
  const nodes = new FakeNodes(cluster);
  const store = cluster.ctx.api.store;
  const sim = cluster.ctx.sim;
  const names: string[] = [];
  const addNode = (name: string) => {
    const zone = `zone-${'abc'[Math.floor(r() * 3)]}`;
    // Most nodes in a rack, some without the label (a term's key missing); a few small ones.
    const labels: Record<string, string> = { [CLUSTER]: 'one' };
    if (r() < 0.85) labels[RACK] = `rack-${Math.floor(r() * 9)}`;
    nodes.add(name, { zone, labels, cpuMilli: r() < 0.2 ? 2000 : 4000, pods: r() < 0.1 ? 3 : 110 });
    if (r() < 0.1) nodes.addTaint(name, { key: 'dedicated', value: 'x', effect: 'NoSchedule' });
    names.push(name);
  };
  const count = 110 + Math.floor(r() * 90);
  for (let i = 0; i < count; i++) addNode(`node-${i}`);
  // Later: nodes go and come and racks change; in between, pods are deleted (their replacements are scheduled).
  for (let step = 1; step <= 6; step++) {
    sim.at(step * 20_000, () => {
      for (let k = 0; k < 4; k++) {
        const victim = names[Math.floor(r() * names.length)];
        if (store.nodes.has(victim)) store.deleteNode(victim, 'test');
      }
      for (let k = 0; k < 3; k++) addNode(`node-${names.length}`);
      for (let k = 0; k < 5; k++) {
        const name = names[Math.floor(r() * names.length)];
        if (!store.nodes.has(name)) continue;
        store.patch<Node>(
          'Node',
          name,
          (nd) => ({
            ...nd,
            metadata: { ...nd.metadata, labels: { ...nd.metadata.labels, [RACK]: `rack-${Math.floor(r() * 9)}` } },
          }),
          'test',
        );
      }
    });
    // Pods deleted between the node changes: the cache's columns follow pod events, not only rebuilds.
    sim.at(step * 20_000 + 10_000, () => {
      const pods = [...store.pods.values()]
        .filter((p) => p.spec.nodeName !== undefined)
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      for (let k = 0; k < 15 && pods.length > 0; k++) {
        const p = pods[Math.floor(r() * pods.length)];
        store.deletePod(p.metadata.name, { gracePeriodSeconds: 0, reason: 'test' }, 'test');
      }
    });
  }
  sim.run(150_000);
  const sched = cluster.schedulers.find((p) => p.isLeader)?.scheduler as SchedulerController;
  return { trace: toJsonl(cluster.ctx.trace.events), scheduled: sched.stats.scheduled };
}

const SEEDS = [1, 2, 3, 4, 5, 6];

describe('the scheduler fast paths for inter-pod affinity and topology spread scores', () => {
  it.each(SEEDS)('inter-pod affinity filtered by words gives the trace of the node-by-node filter, seed %i', (seed) => {
    schedulerChecks.verifyWordWalk = true;
    let fast;
    try {
      fast = runCluster(seed, ALL_FAST_PATHS);
    } finally {
      schedulerChecks.verifyWordWalk = false;
    }
    const slow = runCluster(seed, { schedulerAffinityWords: false });
    expect(fast.scheduled).toBeGreaterThan(100);
    expect(fast.trace).toBe(slow.trace);
  });

  it.each(SEEDS)(
    'topology spread scores from the cache columns give the trace of PreScore and Score per node, seed %i',
    (seed) => {
      const fast = runCluster(seed, ALL_FAST_PATHS);
      const slow = runCluster(seed, { schedulerColumnScores: false });
      expect(fast.trace).toBe(slow.trace);
    },
  );

  it.each(SEEDS)(
    "topology spread's eligible domains kept from the node label changes give the trace of walking the nodes, seed %i",
    (seed) => {
      const fast = runCluster(seed, ALL_FAST_PATHS);
      const slow = runCluster(seed, { schedulerSpreadDeltas: false });
      expect(fast.trace).toBe(slow.trace);
    },
  );

  it.each(SEEDS)(
    'columns written only where the node order changed give the trace of writing every position, seed %i',
    (seed) => {
      const fast = runCluster(seed, ALL_FAST_PATHS);
      const slow = runCluster(seed, { schedulerKeptPositions: false });
      expect(fast.trace).toBe(slow.trace);
    },
  );

  it("a zone's last node removed takes the zone out of the spread's domains with label deltas too", () => {
    // Zones a and b with 4 nodes each, zone c with 1: 9 pods spread over zones (DoNotSchedule, maxSkew 1).
    // Zone c's node goes, and its pod is deleted: its replacement goes to a or b only if zone c (now
    // without nodes) is no longer a domain with 0 pods (skew against the minimum of a and b, 3 vs 4).
    const run = (fastPaths: Partial<FastPaths>) => {
      const spread: TopologySpreadConstraint = {
        maxSkew: 1,
        topologyKey: ZONE,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'zonal' }, matchExpressions: [] },
        matchLabelKeys: [],
      };
      const ws = [
        workload('Deployment', 'zonal', {
          replicas: 9,
          scheduling: scheduling('zonal', { topologySpreadConstraints: [spread] }),
        }),
      ];
      const cluster = buildCluster(scenario(ws, 1).spec, { seed: 1, clockStepsPossible: false, fastPaths });
      const nodes = new FakeNodes(cluster);
      const store = cluster.ctx.api.store;
      for (const z of ['a', 'b']) for (let i = 0; i < 4; i++) nodes.add(`node-${z}-${i}`, { zone: `zone-${z}` });
      nodes.add('node-c-0', { zone: 'zone-c' });
      cluster.ctx.sim.at(20_000, () => store.deleteNode('node-c-0', 'test'));
      cluster.ctx.sim.at(25_000, () => {
        for (const p of [...store.pods.values()])
          if (p.spec.nodeName === 'node-c-0')
            store.deletePod(p.metadata.name, { gracePeriodSeconds: 0, reason: 'test' }, 'test');
      });
      cluster.ctx.sim.run(60_000);
      const bound = [...store.pods.values()].filter((p) => p.spec.nodeName !== undefined).length;
      return { trace: toJsonl(cluster.ctx.trace.events), bound };
    };
    const fast = run(ALL_FAST_PATHS);
    expect(fast.bound).toBe(9);
    expect(fast.trace).toBe(run({ schedulerSpreadDeltas: false }).trace);
  });

  it("every fast path on gives the reference behaviour's trace", () => {
    for (const seed of [11, 12])
      expect(runCluster(seed, ALL_FAST_PATHS).trace).toBe(runCluster(seed, REFERENCE_BEHAVIOUR).trace);
  });

  it('the randomized clusters leave some pods Pending for each reason the word form counts', () => {
    // Without these rejections the tests above would not compare the FitError messages' counts.
    const reasons = new Set<string>();
    for (const seed of SEEDS) {
      const r = rngOf(seed);
      randomWorkloads(r);
      const trace = runCluster(seed, ALL_FAST_PATHS).trace;
      for (const m of trace.matchAll(
        /node\(s\) didn't (match pod affinity rules|match pod anti-affinity rules|satisfy existing pods anti-affinity rules)/g,
      ))
        reasons.add(m[1]);
    }
    expect([...reasons].sort()).toEqual([
      'match pod affinity rules',
      'match pod anti-affinity rules',
      'satisfy existing pods anti-affinity rules',
    ]);
  });
});

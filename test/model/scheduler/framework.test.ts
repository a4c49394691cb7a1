import type { Pod } from '../../../src/k8s/objects.js';
import type { TopologySpreadConstraint } from '../../../src/k8s/scheduling.js';
import {
  type CycleState,
  DEFAULT_PLUGINS,
  type ExactWordFilter,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginRegistration,
  type ScorePlugin,
  SUCCESS,
} from '../../../src/model/scheduler/framework.js';
import { schedulerChecks } from '../../../src/model/scheduler/scheduler.js';
import { bitCount } from '../../../src/model/scheduler/bits.js';
import { GiB, type Fixture, addZonalNodes, fixture, workload } from '../workloads/fixtures.js';

/** The constraint a scenario's spreadAcrossZones stands for, selecting every pod of the namespace. */
const ZONE_SPREAD: TopologySpreadConstraint[] = [
  {
    maxSkew: 1,
    topologyKey: 'topology.kubernetes.io/zone',
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: {}, matchExpressions: [] },
    matchLabelKeys: [],
  },
];

/** A test-only filter: rejects the nodes whose name ends in an odd digit. No word form unless `words`. */
class RejectOdd implements FilterPlugin {
  readonly name = 'RejectOdd';
  readonly events = {};
  private readonly status: number;
  private readonly reason: number;
  private readonly bits: Uint32Array[] = [new Uint32Array(0)];

  constructor(h: FrameworkHandle) {
    this.status = h.statuses.unschedulable(h.filterBit, 'node(s) were odd');
    this.reason = h.statuses.reason('node(s) were odd');
  }

  filter(state: CycleState, pos: number): number {
    return isOdd(state.order[pos].name) ? this.status : SUCCESS;
  }

  verdictKey(): string {
    return '';
  }

  /** The same verdicts as a bitset (used by OddWithWords only). */
  words(state: CycleState): ExactWordFilter {
    const n = state.order.length;
    const even = new Uint32Array((n + 31) >>> 5);
    for (let p = 0; p < n; p++) if (!isOdd(state.order[p].name)) even[p >>> 5] |= 1 << (p & 31);
    this.bits[0] = even;
    const reason = this.reason;
    return { kind: 'exact', bits: this.bits, count: (_w, rejected, diag) => diag.add(reason, bitCount(rejected)) };
  }
}

/** RejectOdd with a word form: the accelerator can take its cycles. */
class OddWithWords extends RejectOdd {
  wordFilter(state: CycleState): ExactWordFilter {
    return this.words(state);
  }
}

const isOdd = (name: string) => /[13579]$/.test(name);

function withProfile<T>(profile: readonly PluginRegistration[], run: () => T): T {
  schedulerChecks.profile = profile;
  try {
    return run();
  } finally {
    schedulerChecks.profile = DEFAULT_PLUGINS;
  }
}

/** 3 zones x 60 nodes (above 100 nodes, so sampling stops early and wraps around), 150 pods. */
function placements(profile: readonly PluginRegistration[]): { where: string[]; f: Fixture } {
  return withProfile(profile, () => {
    const f = fixture([
      workload('Deployment', 'web', { replicas: 120, spreadAcrossZones: true }),
      workload('Deployment', 'big', { replicas: 30, requests: { cpuMilli: 1500, memoryBytes: GiB } }),
    ]);
    addZonalNodes(f, 60);
    f.run(60_000);
    const where = f.pods().map((p) => `${p.metadata.name}@${p.spec.nodeName ?? '-'}`);
    return { where, f };
  });
}

describe('scheduling framework', () => {
  it('runs a filter plugin without a word form node by node, and skips the nodes it rejects', () => {
    const { where, f } = placements([...DEFAULT_PLUGINS, { name: 'RejectOdd', create: (h) => new RejectOdd(h) }]);
    const sched = f.schedulerController();
    expect(sched.stats.scheduled).toBe(150);
    expect(where.filter((w) => w.endsWith('@-'))).toEqual([]);
    expect(where.filter((w) => isOdd(w))).toEqual([]);
    // The accelerator took no cycle: it indexes a request only for a cycle it walks.
    expect(sched.cache.columns.fitIndexes).toHaveLength(0);
  });

  it('places pods the same whether the plugin is answered node by node or by words', () => {
    const plain = placements([...DEFAULT_PLUGINS, { name: 'RejectOdd', create: (h) => new RejectOdd(h) }]);
    schedulerChecks.verifyWordWalk = true;
    try {
      const words = placements([...DEFAULT_PLUGINS, { name: 'RejectOdd', create: (h) => new OddWithWords(h) }]);
      expect(words.f.schedulerController().cache.columns.fitIndexes.length).toBeGreaterThan(0);
      expect(words.where).toEqual(plain.where);
    } finally {
      schedulerChecks.verifyWordWalk = false;
    }
    // Without the plugin the placements differ: the plugin decided something.
    expect(placements(DEFAULT_PLUGINS).where).not.toEqual(plain.where);
  });

  it('counts each node under the first plugin in the profile that rejects it', () => {
    for (const plugin of [RejectOdd, OddWithWords]) {
      const f = withProfile([{ name: 'RejectOdd', create: (h) => new plugin(h) }, ...DEFAULT_PLUGINS], () => {
        const f = fixture([
          workload('Deployment', 'web', { replicas: 1, requests: { cpuMilli: 5000, memoryBytes: 0 } }),
        ]);
        for (let i = 0; i < 4; i++) f.nodes.add(`node-${i}`, { cpuMilli: 2000 });
        f.run(10_000);
        return f;
      });
      expect(f.events('pod.unschedulable').map((e) => e.reason)).toEqual([
        '0/4 nodes are available: 2 Insufficient cpu, 2 node(s) were odd.',
      ]);
      // A pod that is rejected by RejectOdd waits for an event that may help it (none: RejectOdd names none).
      expect(f.schedulerController().queue.get(f.active('Deployment/web')[0].metadata.name)?.rejectors).toEqual(
        new Set(['RejectOdd', 'NodeResourcesFit']),
      );
    }
  });

  it('adds a Score plugin with its weight, and its NormalizeScore, to the resource scores', () => {
    // A test-only score: 1 for nodes of zone-c, else 0, normalized to 100 for the best; weight 3 outweighs
    // the resource scores' differences between empty nodes.
    const zoneC: ScorePlugin = {
      name: 'PreferZoneC',
      score: (state, pos) => (state.order[pos].zone === 'zone-c' ? 1 : 0),
      normalizeScore: (_state, scores, count) => {
        let max = 0;
        for (let k = 0; k < count; k++) max = Math.max(max, scores[k]);
        for (let k = 0; k < count; k++) scores[k] = max === 0 ? 0 : (scores[k] * 100) / max;
      },
    };
    schedulerChecks.verifyWordWalk = true;
    try {
      const f = withProfile([...DEFAULT_PLUGINS, { name: 'PreferZoneC', create: () => zoneC, weight: 3 }], () => {
        const f = fixture([workload('Deployment', 'web', { replicas: 12 })]);
        addZonalNodes(f, 40);
        f.run(30_000);
        return f;
      });
      expect(f.active('Deployment/web').map((p) => p.spec.nodeName!.slice(0, 8))).toEqual(Array(12).fill('worker-c'));
      // The feasible nodes were found by words (a fit index was built) and scored by the node loop's Score step.
      expect(f.schedulerController().cache.columns.fitIndexes).toHaveLength(1);
    } finally {
      schedulerChecks.verifyWordWalk = false;
    }
  });

  it('keys reused verdicts by what the filter plugins read of the pod', () => {
    const f = fixture([]);
    f.run(5000);
    const fw = f.schedulerController().framework;
    const pod = (over: Partial<Pod['spec']>, workloadId = 'Deployment/a'): Pod => ({
      kind: 'Pod',
      metadata: {
        name: 'p',
        uid: 0,
        resourceVersion: 0,
        creationTimestampMs: 0,
        labels: {},
        namespace: 'default',
        workload: workloadId,
      },
      spec: {
        tolerations: [],
        nodeSelector: {},
        requests: { cpuMilli: 100, memoryBytes: GiB },
        terminationGracePeriodSeconds: 30,
        affinity: undefined,
        topologySpreadConstraints: [],
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
        ...over,
      },
      status: { phase: 'Pending', ready: false },
    });
    const base = fw.verdictKey(pod({}));
    expect(fw.verdictsKeyed).toBe(true);
    // Another workload without spreading fails alike; one with spreading reads its own zone counts.
    expect(fw.verdictKey(pod({}, 'Deployment/b'))).toBe(base);
    expect(fw.verdictKey(pod({ topologySpreadConstraints: ZONE_SPREAD }, 'Deployment/b'))).not.toBe(
      fw.verdictKey(pod({ topologySpreadConstraints: ZONE_SPREAD })),
    );
    for (const over of [
      { requests: { cpuMilli: 200, memoryBytes: GiB } },
      { nodeSelector: { pool: 'x' } },
      { tolerations: [{ key: 'k', operator: 'Exists' as const }] },
      { topologySpreadConstraints: ZONE_SPREAD },
    ])
      expect(fw.verdictKey(pod(over))).not.toBe(base);
    // A filter that does not say what it reads turns reuse off.
    const unkeyed: FilterPlugin = { name: 'Unkeyed', events: {}, filter: () => SUCCESS };
    const g = withProfile([...DEFAULT_PLUGINS, { name: 'Unkeyed', create: () => unkeyed }], () => {
      const g = fixture([]);
      g.run(5000);
      return g;
    });
    expect(g.schedulerController().framework.verdictsKeyed).toBe(false);
  });
  it('reports no nodes at all after scheduling onto a node that is then deleted', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 1 })]);
    f.nodes.add('only');
    f.run(5000);
    expect(f.active('Deployment/web')[0].spec.nodeName).toBe('only');
    f.store.deleteNode('only', 'test');
    f.run(6000);
    f.store.create(
      {
        ...f.active('Deployment/web')[0],
        metadata: { ...f.active('Deployment/web')[0].metadata, name: 'late', uid: 0 },
        spec: { ...f.active('Deployment/web')[0].spec, nodeName: undefined },
      },
      'test',
    );
    f.run(8000);
    expect(f.events('pod.unschedulable').map((e) => [e.pod, e.reason])).toContainEqual([
      'late',
      '0/0 nodes are available.',
    ]);
  });
});

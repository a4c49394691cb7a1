// PodTopologySpread against upstream's unit-test vectors: pkg/scheduler/framework/plugins/
// podtopologyspread/filtering_test.go (TestSingleConstraint, TestMultipleConstraints) and scoring_test.go
// (TestPodTopologySpreadScore), each test named after the upstream case. Upstream's "zone" label is
// topology.kubernetes.io/zone here, so the Filter's word form is checked against the per-node verdicts too.
import type { LabelSelector, TopologySpreadConstraint } from '../../../src/k8s/scheduling.js';
import {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  LABEL_HOSTNAME,
  LABEL_ZONE,
  PodTopologySpread,
} from '../../../src/model/scheduler/plugins/pod-topology-spread.js';
import { type NodeArgs, type PodArgs, pod, runFilter, runScore } from './plugin-harness.js';

const create = (h: Parameters<typeof runFilter>[0] extends (h: infer H) => unknown ? H : never) =>
  new PodTopologySpread(h);

const exists = (key: string): LabelSelector => ({
  matchLabels: {},
  matchExpressions: [{ key, operator: 'Exists', values: [] }],
});
const FOO = exists('foo');

function spread(
  maxSkew: number,
  topologyKey: string,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
  labelSelector: LabelSelector | undefined,
  more: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable, labelSelector, matchLabelKeys: [], ...more };
}

/** node-a, node-b in zone1; node-x, node-y in zone2; each with a "node" label of its name. */
const FOUR_NODES: NodeArgs[] = [
  ['node-a', 'zone1'],
  ['node-b', 'zone1'],
  ['node-x', 'zone2'],
  ['node-y', 'zone2'],
].map(([name, zone]) => ({ name, labels: { [LABEL_ZONE]: zone, node: name } }));

const foo = (name: string, node: string, more: Partial<PodArgs> = {}): PodArgs => ({
  name,
  node,
  labels: { foo: '' },
  ...more,
});
/** Matching pods spread 2/1/0/3 over node-a, node-b, node-x, node-y. */
const SPREAD_2_1_0_3: PodArgs[] = [
  foo('p-a1', 'node-a'),
  foo('p-a2', 'node-a'),
  foo('p-b1', 'node-b'),
  foo('p-y1', 'node-y'),
  foo('p-y2', 'node-y'),
  foo('p-y3', 'node-y'),
];

const OK = 'Success';
const SKEW = ERR_REASON_CONSTRAINTS_NOT_MATCH;
const LABEL = ERR_REASON_NODE_LABEL_NOT_MATCH;

function filterCase(incoming: PodArgs, nodes: NodeArgs[], existing: PodArgs[], want: Record<string, string>): void {
  const { reasons, words } = runFilter(create, nodes, existing, pod(incoming));
  expect(reasons).toEqual(want);
  if (words !== undefined) {
    const fromWords = Object.fromEntries(Object.entries(words).map(([n, pass]) => [n, pass ? OK : 'rejected']));
    const fromNodes = Object.fromEntries(Object.entries(reasons).map(([n, r]) => [n, r === OK ? OK : 'rejected']));
    expect(fromWords).toEqual(fromNodes);
  }
}

describe('PodTopologySpread Filter (upstream TestSingleConstraint)', () => {
  const p = (c: TopologySpreadConstraint, more: Partial<PodArgs> = {}): PodArgs => ({
    name: 'p',
    labels: { foo: '' },
    constraints: [c],
    ...more,
  });

  it('no existing pods', () => {
    filterCase(p(spread(1, LABEL_ZONE, 'DoNotSchedule', FOO)), FOUR_NODES, [], {
      'node-a': OK,
      'node-b': OK,
      'node-x': OK,
      'node-y': OK,
    });
  });

  it("no existing pods, incoming pod doesn't match itself", () => {
    filterCase(p(spread(1, LABEL_ZONE, 'DoNotSchedule', exists('bar'))), FOUR_NODES, [], {
      'node-a': OK,
      'node-b': OK,
      'node-x': OK,
      'node-y': OK,
    });
  });

  it('existing pods in a different namespace do not count', () => {
    filterCase(
      p(spread(1, LABEL_ZONE, 'DoNotSchedule', FOO)),
      FOUR_NODES,
      [
        foo('p-a1', 'node-a', { namespace: 'ns1' }),
        foo('p-b1', 'node-a', { namespace: 'ns2' }),
        foo('p-x1', 'node-x'),
        foo('p-y1', 'node-y'),
      ],
      { 'node-a': OK, 'node-b': OK, 'node-x': SKEW, 'node-y': SKEW },
    );
  });

  it('pods spread across zones as 3/3, all nodes fit', () => {
    filterCase(p(spread(1, LABEL_ZONE, 'DoNotSchedule', FOO)), FOUR_NODES, SPREAD_2_1_0_3, {
      'node-a': OK,
      'node-b': OK,
      'node-x': OK,
      'node-y': OK,
    });
  });

  it("pods spread across zones as 1/2 due to absence of label 'zone' on node-b", () => {
    const nodes = FOUR_NODES.map((n) => (n.name === 'node-b' ? { name: 'node-b', labels: { zon: 'zone1' } } : n));
    filterCase(
      p(spread(1, LABEL_ZONE, 'DoNotSchedule', FOO)),
      nodes,
      [foo('p-a1', 'node-a'), foo('p-b1', 'node-b'), foo('p-x1', 'node-x'), foo('p-y1', 'node-y')],
      { 'node-a': OK, 'node-b': LABEL, 'node-x': SKEW, 'node-y': SKEW },
    );
  });

  it("pod cannot be scheduled as all nodes don't have label 'rack'", () => {
    filterCase(p(spread(1, 'rack', 'DoNotSchedule', FOO)), [FOUR_NODES[0], FOUR_NODES[2]], [], {
      'node-a': LABEL,
      'node-x': LABEL,
    });
  });

  it('pods spread across nodes as 2/1/0/3, only node-x fits', () => {
    filterCase(p(spread(1, 'node', 'DoNotSchedule', FOO)), FOUR_NODES, SPREAD_2_1_0_3, {
      'node-a': SKEW,
      'node-b': SKEW,
      'node-x': OK,
      'node-y': SKEW,
    });
  });

  it('pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit', () => {
    filterCase(p(spread(2, 'node', 'DoNotSchedule', FOO)), FOUR_NODES, SPREAD_2_1_0_3, {
      'node-a': SKEW,
      'node-b': OK,
      'node-x': OK,
      'node-y': SKEW,
    });
  });

  it("pods spread across nodes as 2/1/0/3, but pod doesn't match itself", () => {
    filterCase(p(spread(1, 'node', 'DoNotSchedule', FOO), { labels: { bar: '' } }), FOUR_NODES, SPREAD_2_1_0_3, {
      'node-a': SKEW,
      'node-b': OK,
      'node-x': OK,
      'node-y': SKEW,
    });
  });

  it('incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits', () => {
    const affinity = {
      nodeAffinity: {
        required: [
          {
            matchExpressions: [{ key: 'node', operator: 'In' as const, values: ['node-a', 'node-y'] }],
            matchFields: [],
          },
        ],
        preferred: [],
      },
    };
    filterCase(p(spread(1, 'node', 'DoNotSchedule', FOO), { affinity }), FOUR_NODES, SPREAD_2_1_0_3, {
      'node-a': OK,
      'node-b': OK, // upstream's test runs no NodeAffinity filter either
      'node-x': OK,
      'node-y': SKEW,
    });
  });

  it('terminating Pods should be excluded', () => {
    filterCase(
      p(spread(1, 'node', 'DoNotSchedule', FOO)),
      [
        { name: 'node-a', labels: { node: 'node-a' } },
        { name: 'node-b', labels: { node: 'node-b' } },
      ],
      [foo('p-a', 'node-a', { terminating: true }), foo('p-b', 'node-b')],
      { 'node-a': OK, 'node-b': SKEW },
    );
  });
});

describe('PodTopologySpread Filter (upstream TestMultipleConstraints)', () => {
  const p: PodArgs = {
    name: 'p',
    labels: { foo: '' },
    constraints: [spread(1, LABEL_ZONE, 'DoNotSchedule', FOO), spread(1, 'node', 'DoNotSchedule', FOO)],
  };

  it('two Constraints on zone and node, spreads = [3/3, 2/1/0/3]', () => {
    filterCase(p, FOUR_NODES, SPREAD_2_1_0_3, { 'node-a': SKEW, 'node-b': SKEW, 'node-x': OK, 'node-y': SKEW });
  });

  it('two Constraints on zone and node, spreads = [3/4, 2/1/0/4]', () => {
    filterCase(p, FOUR_NODES, [...SPREAD_2_1_0_3, foo('p-y4', 'node-y')], {
      'node-a': SKEW,
      'node-b': SKEW,
      'node-x': SKEW,
      'node-y': SKEW,
    });
  });
});

describe('PodTopologySpread minDomains and node inclusion policies', () => {
  it('minDomains above the number of domains makes the global minimum 0', () => {
    // Two zones with 1 and 1 matching pods; minDomains 3: skew is 1 + 1 − 0 = 2 > maxSkew 1 everywhere.
    filterCase(
      { name: 'p', labels: { foo: '' }, constraints: [spread(1, LABEL_ZONE, 'DoNotSchedule', FOO, { minDomains: 3 })] },
      FOUR_NODES,
      [foo('p-a1', 'node-a'), foo('p-x1', 'node-x')],
      { 'node-a': SKEW, 'node-b': SKEW, 'node-x': SKEW, 'node-y': SKEW },
    );
  });

  it('nodeTaintsPolicy Honor leaves a tainted node out of the domains', () => {
    // zone2's only nodes are tainted: with Honor zone2 is no domain, the minimum is zone1's 1 and zone1 fits.
    const nodes = FOUR_NODES.map((n) =>
      n.name === 'node-x' || n.name === 'node-y'
        ? { ...n, taints: [{ key: 'dedicated', effect: 'NoSchedule' as const }] }
        : n,
    );
    const c = (policy: 'Honor' | 'Ignore') => ({
      name: 'p',
      labels: { foo: '' },
      constraints: [spread(1, LABEL_ZONE, 'DoNotSchedule', FOO, { nodeTaintsPolicy: policy })],
    });
    filterCase(c('Honor'), nodes, [foo('p-a1', 'node-a')], { 'node-a': OK, 'node-b': OK, 'node-x': OK, 'node-y': OK });
    filterCase(c('Ignore'), nodes, [foo('p-a1', 'node-a')], {
      'node-a': SKEW,
      'node-b': SKEW,
      'node-x': OK,
      'node-y': OK,
    });
  });

  it('matchLabelKeys adds the pod’s own label values to the selector', () => {
    // Only the pods with the same "rev" count: rev=2 has none in zone1 and one in zone2.
    filterCase(
      {
        name: 'p',
        labels: { foo: '', rev: '2' },
        constraints: [spread(1, LABEL_ZONE, 'DoNotSchedule', FOO, { matchLabelKeys: ['rev'] })],
      },
      FOUR_NODES,
      [
        foo('p-a1', 'node-a', { labels: { foo: '', rev: '1' } }),
        foo('p-a2', 'node-a', { labels: { foo: '', rev: '1' } }),
        foo('p-x1', 'node-x', { labels: { foo: '', rev: '2' } }),
      ],
      { 'node-a': OK, 'node-b': OK, 'node-x': SKEW, 'node-y': SKEW },
    );
  });
});

describe('PodTopologySpread Score (upstream TestPodTopologySpreadScore)', () => {
  const hostNodes = (...names: string[]): NodeArgs[] =>
    names.map((name) => ({ name, labels: { [LABEL_HOSTNAME]: name } }));
  /** `null`: no labelSelector at all (selects nothing). */
  const soft = (maxSkew: number, key: string, sel: LabelSelector | null = FOO) =>
    spread(maxSkew, key, 'ScheduleAnyway', sel ?? undefined);
  const incoming = (...constraints: TopologySpreadConstraint[]) => pod({ name: 'p', labels: { foo: '' }, constraints });
  const run = (p = incoming(), candidates: NodeArgs[], failed: NodeArgs[], existing: PodArgs[]) =>
    runScore(create, candidates, failed, existing, p);
  /** 4/3/2/1 over node-a..node-d. */
  const SPREAD_4_3_2_1 = [
    ...['a1', 'a2', 'a3', 'a4'].map((n) => foo(`p-${n}`, 'node-a')),
    ...['b1', 'b2', 'b3'].map((n) => foo(`p-${n}`, 'node-b')),
    ...['c1', 'c2'].map((n) => foo(`p-${n}`, 'node-c')),
    foo('p-d1', 'node-d'),
  ];
  const SPREAD_2_1_0_3_ABCD = [
    foo('p-a1', 'node-a'),
    foo('p-a2', 'node-a'),
    foo('p-b1', 'node-b'),
    foo('p-d1', 'node-d'),
    foo('p-d2', 'node-d'),
    foo('p-d3', 'node-d'),
  ];

  it('one constraint on node, no existing pods', () => {
    expect(run(incoming(soft(1, LABEL_HOSTNAME)), hostNodes('node-a', 'node-b'), [], [])).toEqual({
      'node-a': 100,
      'node-b': 100,
    });
  });

  it('one constraint on node, only one node is candidate', () => {
    expect(
      run(incoming(soft(1, LABEL_HOSTNAME)), hostNodes('node-a'), hostNodes('node-b'), [
        foo('p-a1', 'node-a'),
        foo('p-a2', 'node-a'),
        foo('p-b1', 'node-b'),
      ]),
    ).toEqual({ 'node-a': 100 });
  });

  it('one constraint on node, all 4 nodes are candidates', () => {
    expect(
      run(
        incoming(soft(1, LABEL_HOSTNAME)),
        hostNodes('node-a', 'node-b', 'node-c', 'node-d'),
        [],
        SPREAD_2_1_0_3_ABCD,
      ),
    ).toEqual({ 'node-a': 20, 'node-b': 60, 'node-c': 100, 'node-d': 0 });
  });

  it('one constraint on node, null selector', () => {
    expect(
      run(
        incoming(soft(1, LABEL_HOSTNAME, null)),
        hostNodes('node-a', 'node-b', 'node-c', 'node-d'),
        [],
        SPREAD_2_1_0_3_ABCD,
      ),
    ).toEqual({ 'node-a': 100, 'node-b': 100, 'node-c': 100, 'node-d': 100 });
  });

  it('one constraint on node, all 4 nodes are candidates, maxSkew=2', () => {
    expect(
      run(
        incoming(soft(2, LABEL_HOSTNAME)),
        hostNodes('node-a', 'node-b', 'node-c', 'node-d'),
        [],
        SPREAD_2_1_0_3_ABCD,
      ),
    ).toEqual({ 'node-a': 33, 'node-b': 66, 'node-c': 100, 'node-d': 16 });
  });

  it('one constraint on node, all 4 nodes are candidates, maxSkew=3', () => {
    expect(
      run(incoming(soft(3, LABEL_HOSTNAME)), hostNodes('node-a', 'node-b', 'node-c', 'node-d'), [], SPREAD_4_3_2_1),
    ).toEqual({ 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 });
  });

  it("system defaulting, nodes don't have zone, pods match service", () => {
    // Upstream selects with a Service's selector; hasim with the owning Deployment's template labels.
    const p = pod({ name: 'p', labels: { foo: '' }, workload: 'Deployment/p' });
    expect(run(p, hostNodes('node-a', 'node-b', 'node-c', 'node-d'), [], SPREAD_4_3_2_1)).toEqual({
      'node-a': 44,
      'node-b': 66,
      'node-c': 77,
      'node-d': 100,
    });
  });

  it('one constraint on node, 3 out of 4 nodes are candidates', () => {
    expect(
      run(incoming(soft(1, LABEL_HOSTNAME)), hostNodes('node-a', 'node-b', 'node-x'), hostNodes('node-y'), [
        ...['a1', 'a2', 'a3', 'a4'].map((n) => foo(`p-${n}`, 'node-a')),
        foo('p-b1', 'node-b'),
        foo('p-b2', 'node-b'),
        foo('p-x1', 'node-x'),
        ...['y1', 'y2', 'y3'].map((n) => foo(`p-${n}`, 'node-y')),
      ]),
    ).toEqual({ 'node-a': 33, 'node-b': 83, 'node-x': 100 });
  });

  it("one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key", () => {
    expect(
      run(
        incoming(soft(1, LABEL_HOSTNAME)),
        [...hostNodes('node-a'), { name: 'node-b', labels: { n: 'node-b' } }, ...hostNodes('node-x')],
        hostNodes('node-y'),
        [
          ...['a1', 'a2', 'a3', 'a4'].map((n) => foo(`p-${n}`, 'node-a')),
          foo('p-b1', 'node-b'),
          foo('p-b2', 'node-b'),
          foo('p-x1', 'node-x'),
          ...['y1', 'y2', 'y3'].map((n) => foo(`p-${n}`, 'node-y')),
        ],
      ),
    ).toEqual({ 'node-a': 16, 'node-b': 0, 'node-x': 100 });
  });

  const zoned = (name: string, zone: string): NodeArgs => ({
    name,
    labels: { [LABEL_ZONE]: zone, [LABEL_HOSTNAME]: name },
  });

  it('one constraint on zone, 3 out of 4 nodes are candidates', () => {
    expect(
      run(
        incoming(soft(1, LABEL_ZONE)),
        [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2')],
        [zoned('node-y', 'zone2')],
        [
          ...['a1', 'a2', 'a3', 'a4'].map((n) => foo(`p-${n}`, 'node-a')),
          foo('p-b1', 'node-b'),
          foo('p-b2', 'node-b'),
          foo('p-x1', 'node-x'),
          ...['y1', 'y2', 'y3'].map((n) => foo(`p-${n}`, 'node-y')),
        ],
      ),
    ).toEqual({ 'node-a': 75, 'node-b': 75, 'node-x': 100 });
  });

  it('two Constraints on zone and node, 2 out of 4 nodes are candidates', () => {
    expect(
      run(
        incoming(soft(1, LABEL_ZONE), soft(1, LABEL_HOSTNAME)),
        [zoned('node-a', 'zone1'), zoned('node-x', 'zone2')],
        [zoned('node-b', 'zone1'), zoned('node-y', 'zone2')],
        [
          foo('p-a1', 'node-a'),
          foo('p-a2', 'node-a'),
          foo('p-b1', 'node-b'),
          foo('p-x1', 'node-x'),
          foo('p-x2', 'node-x'),
          ...['y1', 'y2', 'y3', 'y4'].map((n) => foo(`p-${n}`, 'node-y')),
        ],
      ),
    ).toEqual({ 'node-a': 100, 'node-x': 63 });
  });

  it('a pod with only DoNotSchedule constraints has nothing to score (PreScore Skip)', () => {
    expect(run(incoming(spread(1, LABEL_ZONE, 'DoNotSchedule', FOO)), hostNodes('node-a'), [], [])).toBe('skip');
  });

  it('a DaemonSet pod without constraints gets no system default constraints', () => {
    const p = pod({ name: 'p', labels: { foo: '' }, workload: 'DaemonSet/p' });
    expect(run(p, hostNodes('node-a'), [], [])).toBe('skip');
  });
});

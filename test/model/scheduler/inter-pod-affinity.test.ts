// InterPodAffinity against upstream's unit-test vectors: pkg/scheduler/framework/plugins/interpodaffinity/
// filtering_test.go (TestRequiredAffinitySingleNode, one node "node1" with region r1 and zone z11;
// TestRequiredAffinityMultipleNodes, nodes in zones z1, z2, z3) and
// scoring_test.go (TestPreferredAffinity), each test named after the upstream case. Cases that need
// Namespace objects' own labels are left out: hasim has none (docs/fidelity.md#filters-and-scores).
import type { Affinity, LabelSelectorRequirement, PodAffinityTerm } from '../../../src/k8s/scheduling.js';
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  InterPodAffinity,
} from '../../../src/model/scheduler/plugins/inter-pod-affinity.js';
import { type NodeArgs, type PodArgs, pod, runFilter, runScore } from './plugin-harness.js';

const create = (h: Parameters<typeof runFilter>[0] extends (h: infer H) => unknown ? H : never) =>
  new InterPodAffinity(h);

const req = (key: string, operator: LabelSelectorRequirement['operator'], values: string[] = []) => ({
  key,
  operator,
  values,
});
const term = (topologyKey: string, ...exprs: LabelSelectorRequirement[]): PodAffinityTerm => ({
  labelSelector: { matchLabels: {}, matchExpressions: exprs },
  namespaces: [],
  topologyKey,
  matchLabelKeys: [],
  mismatchLabelKeys: [],
});
const required = (kind: 'podAffinity' | 'podAntiAffinity', ...terms: PodAffinityTerm[]): Affinity => ({
  [kind]: { required: terms, preferred: [] },
});
const both = (a: Affinity, b: Affinity): Affinity => ({ ...a, ...b });

const NODE1: NodeArgs[] = [{ name: 'node1', labels: { region: 'r1', zone: 'z11' } }];
const SECURITYSCAN = { service: 'securityscan' };
const S1 = { security: 'S1' };
/** The existing pod of most cases: service=securityscan on node1, in ns1. */
const POD1: PodArgs = { name: 'pod1', node: 'node1', labels: SECURITYSCAN, namespace: 'ns1' };

/** The Filter's verdict on node1; the word form (schedulerAffinityWords), when the plugin runs, must agree. */
function placed(incoming: PodArgs, existing: PodArgs[]): string {
  const { reasons, words } = runFilter(create, NODE1, existing, pod(incoming));
  if (words !== undefined) expect(words.node1).toBe(reasons.node1 === 'Success');
  return reasons.node1;
}

describe('InterPodAffinity Filter (upstream TestRequiredAffinitySingleNode)', () => {
  it('A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods', () => {
    expect(placed({ name: 'p' }, [])).toBe('Success');
  });

  it('satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod', () => {
    const affinity = required('podAffinity', term('region', req('service', 'In', ['securityscan', 'value2'])));
    expect(placed({ name: 'p', namespace: 'ns1', labels: S1, affinity }, [POD1])).toBe('Success');
  });

  it('satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod', () => {
    const affinity = required('podAffinity', term('region', req('service', 'NotIn', ['securityscan3', 'value3'])));
    expect(placed({ name: 'p', namespace: 'ns1', labels: S1, affinity }, [POD1])).toBe('Success');
  });

  it('Does not satisfy the PodAffinity with labelSelector because of diff Namespace', () => {
    const t = { ...term('', req('service', 'In', ['securityscan', 'value2'])), namespaces: ['DiffNameSpace'] };
    const affinity = required('podAffinity', t);
    expect(
      placed({ name: 'p', labels: S1, affinity }, [
        { name: 'x', node: 'node1', labels: SECURITYSCAN, namespace: 'ns' },
      ]),
    ).toBe(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
  });

  it("Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod", () => {
    const affinity = required('podAffinity', term('', req('service', 'In', ['antivirusscan', 'value2'])));
    expect(placed({ name: 'p', labels: SECURITYSCAN, affinity }, [POD1])).toBe(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
  });

  it('satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution ', () => {
    const affinity = required(
      'podAffinity',
      term('region', req('service', 'Exists'), req('wrongkey', 'DoesNotExist')),
      term('region', req('service', 'In', ['securityscan']), req('service', 'NotIn', ['WrongValue'])),
    );
    expect(placed({ name: 'p', namespace: 'ns1', labels: S1, affinity }, [POD1])).toBe('Success');
  });

  it("satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod", () => {
    const affinity = both(
      required('podAffinity', term('region', req('service', 'In', ['securityscan', 'value2']))),
      required('podAntiAffinity', term('zone', req('service', 'In', ['securityscan', 'value2']))),
    );
    expect(placed({ name: 'p', namespace: 'ns1', labels: S1, affinity }, [POD1])).toBe(
      ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    );
  });

  it('satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod', () => {
    const anti = required('podAntiAffinity', term('node', req('service', 'In', ['antivirusscan', 'value2'])));
    const affinity = both(
      required('podAffinity', term('region', req('service', 'In', ['securityscan', 'value2']))),
      anti,
    );
    expect(
      placed({ name: 'p', labels: S1, affinity }, [
        { name: 'pod1', node: 'node1', labels: SECURITYSCAN, affinity: anti },
      ]),
    ).toBe('Success');
  });

  it("satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod", () => {
    const affinity = both(
      required('podAffinity', term('region', req('service', 'In', ['securityscan', 'value2']))),
      required('podAntiAffinity', term('node', req('service', 'In', ['antivirusscan', 'value2']))),
    );
    const existingAnti = required('podAntiAffinity', term('zone', req('service', 'In', ['securityscan', 'value2'])));
    expect(
      placed({ name: 'p', labels: SECURITYSCAN, affinity }, [
        { name: 'pod1', node: 'node1', labels: SECURITYSCAN, affinity: existingAnti },
      ]),
    ).toBe(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
  });

  it('pod matches its own Label in PodAffinity and that matches the existing pod Labels', () => {
    // The existing pod is on node2, which is not in the cluster: no pod matches, and the pod does not match itself.
    const affinity = required('podAffinity', term('region', req('service', 'NotIn', ['securityscan', 'value2'])));
    expect(
      placed({ name: 'p', labels: SECURITYSCAN, affinity }, [{ name: 'pod1', node: 'node2', labels: SECURITYSCAN }]),
    ).toBe(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
  });

  it("verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod", () => {
    const existingAnti = required('podAntiAffinity', term('zone', req('service', 'In', ['securityscan', 'value2'])));
    expect(
      placed({ name: 'p', labels: SECURITYSCAN }, [
        { name: 'pod1', node: 'node1', labels: SECURITYSCAN, affinity: existingAnti },
      ]),
    ).toBe(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
  });

  it('verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod', () => {
    const existingAnti = required('podAntiAffinity', term('zone', req('service', 'NotIn', ['securityscan', 'value2'])));
    expect(
      placed({ name: 'p', labels: SECURITYSCAN }, [
        { name: 'pod1', node: 'node1', labels: SECURITYSCAN, affinity: existingAnti },
      ]),
    ).toBe('Success');
  });

  it('PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms', () => {
    const affinity = required('podAntiAffinity', term('zone', req('security', 'Exists')));
    const existingAnti = required(
      'podAntiAffinity',
      term('zone', req('service', 'Exists')),
      term('zone', req('security', 'Exists')),
    );
    expect(
      placed({ name: 'p', labels: S1, affinity }, [
        { name: 'pod1', node: 'node1', labels: SECURITYSCAN, affinity: existingAnti },
      ]),
    ).toBe(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
  });

  it('a pod with required hostname anti-affinity against its own workload is kept off a node holding one (the first of the group may go anywhere)', () => {
    const affinity = required('podAntiAffinity', term('kubernetes.io/hostname', req('app', 'In', ['db'])));
    const nodes: NodeArgs[] = ['n1', 'n2'].map((name) => ({ name, labels: { 'kubernetes.io/hostname': name } }));
    const db = (name: string, node?: string): PodArgs => ({
      name,
      node,
      labels: { app: 'db' },
      affinity,
      workload: 'StatefulSet/db',
    });
    expect(runFilter(create, nodes, [db('db-0', 'n1')], pod(db('db-1'))).reasons).toEqual({
      n1: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
      n2: 'Success',
    });
  });
});

describe('InterPodAffinity Filter (upstream TestRequiredAffinityMultipleNodes)', () => {
  // Nodes with region, zone and hostname labels, as upstream's; upstream's statuses carry the generic
  // ErrReasonAffinityNotMatch before the specific reason, which hasim's FitError counts leave out.
  const zoned = (...zones: string[]): NodeArgs[] =>
    zones.map((zone, i) => {
      const name = `node${'ABC'[i]}`;
      return { name, labels: { region: 'r1', zone, hostname: name } };
    });
  const exists = (key: string, ...keys: string[]) => keys.map((k) => term(key, req(k, 'Exists')));
  /** Every node's verdict, and the word form's (schedulerAffinityWords) must agree with it. */
  function verdicts(nodes: NodeArgs[], existing: PodArgs[], incoming: PodArgs): Record<string, string> {
    const { reasons, words } = runFilter(create, nodes, existing, pod(incoming));
    expect(words).toBeDefined();
    for (const n of nodes) expect(words![n.name]).toBe(reasons[n.name] === 'Success');
    return reasons;
  }

  it("Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC", () => {
    const anti = (a: string, b: string): Affinity => ({
      podAntiAffinity: { required: [term('zone', req(a, 'Exists')), term('zone', req(b, 'Exists'))], preferred: [] },
    });
    expect(
      verdicts(
        zoned('z1', 'z2', 'z3'),
        [
          { name: 'pA', node: 'nodeA', affinity: anti('foo', 'labelA') },
          { name: 'pB', node: 'nodeB', affinity: anti('bar', 'labelB') },
        ],
        { name: 'p', labels: { foo: '', bar: '' } },
      ),
    ).toEqual({
      nodeA: ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
      nodeB: ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
      nodeC: 'Success',
    });
  });

  it("Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey", () => {
    const affinity: Affinity = {
      podAntiAffinity: {
        required: [term('region', req('foo', 'Exists')), term('zone', req('bar', 'Exists'))],
        preferred: [],
      },
    };
    expect(
      verdicts(zoned('z1', 'z2'), [{ name: 'podA', node: 'nodeA', labels: { foo: '', bar: '' } }], {
        name: 'p',
        affinity,
      }),
    ).toEqual({ nodeA: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH, nodeB: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH });
  });

  it("Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match", () => {
    const affinity = required('podAffinity', ...exists('region', 'foo'), ...exists('zone', 'bar'));
    expect(
      verdicts(zoned('z1', 'z1'), [{ name: 'pod1', node: 'nodeA', labels: { foo: '', bar: '' } }], {
        name: 'p',
        affinity,
      }),
    ).toEqual({ nodeA: 'Success', nodeB: 'Success' });
  });

  it("Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod", () => {
    const affinity = required('podAffinity', ...exists('region', 'foo'), ...exists('zone', 'bar'));
    expect(
      verdicts(
        zoned('z1', 'z2'),
        [
          { name: 'pod1', node: 'nodeA', labels: { foo: '' } },
          { name: 'pod2', node: 'nodeB', labels: { bar: '' } },
        ],
        { name: 'p', affinity },
      ),
    ).toEqual({ nodeA: ERR_REASON_AFFINITY_RULES_NOT_MATCH, nodeB: ERR_REASON_AFFINITY_RULES_NOT_MATCH });
  });
});

describe('InterPodAffinity Score (upstream TestPreferredAffinity)', () => {
  const labelRgChina = { region: 'China' };
  const labelRgIndia = { region: 'India' };
  const labelAzAz1 = { az: 'az1' };
  const S2 = { security: 'S2' };
  const preferred = (
    kind: 'podAffinity' | 'podAntiAffinity',
    ...terms: Array<[number, PodAffinityTerm]>
  ): Affinity => ({
    [kind]: { required: [], preferred: terms.map(([weight, podAffinityTerm]) => ({ weight, podAffinityTerm })) },
  });
  const stayWithS1InRegion = preferred('podAffinity', [5, term('region', req('security', 'In', ['S1']))]);
  const stayWithS2InRegion = preferred('podAffinity', [6, term('region', req('security', 'In', ['S2']))]);
  const nodes = (...l: Array<Record<string, string>>): NodeArgs[] =>
    l.map((labels, i) => ({ name: `node${i + 1}`, labels }));
  const at = (node: string, labels: Record<string, string>, i: number, affinity?: Affinity): PodArgs => ({
    name: `e${i}-${node}`,
    node,
    labels,
    affinity,
  });

  it('all nodes are same priority as Affinity is nil', () => {
    expect(
      runScore(create, nodes(labelRgChina, labelRgIndia, labelAzAz1), [], [], pod({ name: 'p', labels: S1 })),
    ).toBe('skip');
  });

  it("Affinity: pod that matches topology key & pods in nodes will get high score comparing to otherswhich doesn't match either pods in nodes or in topology key", () => {
    expect(
      runScore(
        create,
        nodes(labelRgChina, labelRgIndia, labelAzAz1),
        [],
        [at('node1', S1, 1), at('node2', S2, 2), at('node3', S1, 3)],
        pod({ name: 'p', labels: S1, affinity: stayWithS1InRegion }),
      ),
    ).toEqual({ node1: 100, node2: 0, node3: 0 });
  });

  it('All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score', () => {
    expect(
      runScore(
        create,
        nodes(labelRgChina, { region: 'China', az: 'az1' }, labelRgIndia),
        [],
        [at('node1', S1, 1)],
        pod({ name: 'p', affinity: stayWithS1InRegion }),
      ),
    ).toEqual({ node1: 100, node2: 100, node3: 0 });
  });

  it('Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score', () => {
    expect(
      runScore(
        create,
        nodes(labelRgChina, labelRgIndia, labelRgChina, labelRgChina, labelRgIndia),
        [],
        [
          at('node1', S2, 1),
          at('node1', S2, 2),
          at('node2', S2, 3),
          at('node3', S2, 4),
          at('node4', S2, 5),
          at('node5', S2, 6),
        ],
        pod({ name: 'p', labels: S1, affinity: stayWithS2InRegion }),
      ),
    ).toEqual({ node1: 100, node2: 0, node3: 100, node4: 100, node5: 0 });
  });

  it('Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures ', () => {
    const affinity3 = preferred(
      'podAffinity',
      [8, term('region', req('security', 'NotIn', ['S1']), req('security', 'In', ['S2']))],
      [2, term('region', req('security', 'Exists'), req('wrongkey', 'DoesNotExist'))],
    );
    expect(
      runScore(
        create,
        nodes(labelRgChina, labelRgIndia, labelAzAz1),
        [],
        [at('node1', S1, 1), at('node2', S2, 2), at('node3', S1, 3)],
        pod({ name: 'p', labels: S1, affinity: affinity3 }),
      ),
    ).toEqual({ node1: 20, node2: 100, node3: 0 });
  });

  it('Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry', () => {
    expect(
      runScore(
        create,
        nodes(labelRgChina, labelRgIndia, labelAzAz1),
        [],
        [at('node1', S1, 1, stayWithS1InRegion), at('node2', S2, 2, stayWithS2InRegion)],
        pod({ name: 'p', labels: S2 }),
      ),
    ).toEqual({ node1: 0, node2: 100, node3: 0 });
  });
});

// NodeAffinity and TaintToleration's Score against upstream's unit-test vectors, each test named after
// the upstream case: pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go (TestNodeAffinity,
// TestNodeAffinityPriority) and tainttoleration/taint_toleration_test.go (TestTaintTolerationScore).
import type { Taint, Toleration } from '../../../src/k8s/objects.js';
import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm } from '../../../src/k8s/scheduling.js';
import { ERR_REASON_POD, NodeAffinity } from '../../../src/model/scheduler/plugins/node-affinity.js';
import { TaintToleration } from '../../../src/model/scheduler/plugins/taint-toleration.js';
import { type NodeArgs, pod, runFilter, runScore } from './plugin-harness.js';

type Handle = Parameters<typeof runFilter>[0] extends (h: infer H) => unknown ? H : never;
const nodeAffinity = (h: Handle) => new NodeAffinity(h);
const taintToleration = (h: Handle) => new TaintToleration(h);

const expr = (key: string, operator: NodeSelectorRequirement['operator'], values: string[] = []) => ({
  key,
  operator,
  values,
});
const termOf = (matchExpressions: NodeSelectorRequirement[], matchFields: NodeSelectorRequirement[] = []) => ({
  matchExpressions,
  matchFields,
});
const requiredTerms = (...terms: NodeSelectorTerm[]): Affinity => ({
  nodeAffinity: { required: terms, preferred: [] },
});

/** NodeAffinity's Filter on one node "node1" with these labels: Success or the reason. */
function filter(labels: Record<string, string>, opts: { nodeSelector?: Record<string, string>; affinity?: Affinity }) {
  return runFilter(nodeAffinity, [{ name: 'node1', labels }], [], pod({ name: 'p', ...opts })).reasons.node1;
}

describe('NodeAffinity Filter (upstream TestNodeAffinity)', () => {
  it('missing labels', () => {
    expect(filter({}, { nodeSelector: { foo: 'bar' } })).toBe(ERR_REASON_POD);
  });

  it('same labels', () => {
    expect(filter({ foo: 'bar' }, { nodeSelector: { foo: 'bar' } })).toBe('Success');
  });

  it('node labels are superset', () => {
    expect(filter({ foo: 'bar', baz: 'blah' }, { nodeSelector: { foo: 'bar' } })).toBe('Success');
  });

  it('node labels are subset', () => {
    expect(filter({ foo: 'bar' }, { nodeSelector: { foo: 'bar', baz: 'blah' } })).toBe(ERR_REASON_POD);
  });

  it('Pod with matchExpressions using In operator that matches the existing node', () => {
    const affinity = requiredTerms(termOf([expr('foo', 'In', ['bar', 'value2'])]));
    expect(filter({ foo: 'bar' }, { affinity })).toBe('Success');
  });

  it('Pod with matchExpressions using Gt operator that matches the existing node', () => {
    const affinity = requiredTerms(termOf([expr('kernel-version', 'Gt', ['0204'])]));
    // 0206 > 0204 as integers.
    expect(filter({ 'kernel-version': '0206' }, { affinity })).toBe('Success');
  });

  it('Pod with matchExpressions using NotIn operator that matches the existing node', () => {
    const affinity = requiredTerms(termOf([expr('mem-type', 'NotIn', ['DDR', 'DDR2'])]));
    expect(filter({ 'mem-type': 'DDR3' }, { affinity })).toBe('Success');
  });

  it('Pod with matchExpressions using Exists operator that matches the existing node', () => {
    const affinity = requiredTerms(termOf([expr('GPU', 'Exists')]));
    expect(filter({ GPU: 'NVIDIA-GRID-K1' }, { affinity })).toBe('Success');
  });

  it("Pod with affinity that don't match node's labels won't schedule onto the node", () => {
    const affinity = requiredTerms(termOf([expr('foo', 'In', ['value1', 'value2'])]));
    expect(filter({ foo: 'bar' }, { affinity })).toBe(ERR_REASON_POD);
  });

  it("Pod with a nil []NodeSelectorTerm in affinity, can't match the node's labels and won't schedule onto the node", () => {
    expect(filter({ foo: 'bar' }, { affinity: requiredTerms() })).toBe(ERR_REASON_POD);
  });

  it("Pod with an empty []NodeSelectorTerm in affinity, can't match the node's labels and won't schedule onto the node", () => {
    expect(filter({ foo: 'bar' }, { affinity: requiredTerms(termOf([])) })).toBe(ERR_REASON_POD);
  });

  it("Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node", () => {
    const affinity = requiredTerms(
      termOf([expr('foo', 'In', ['bar'])]),
      termOf([expr('diffkey', 'In', ['wrong', 'value2'])]),
    );
    expect(filter({ foo: 'bar' }, { affinity })).toBe('Success');
  });

  it('Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node', () => {
    const affinity = requiredTerms(termOf([expr('foo', 'Exists')]));
    expect(filter({ foo: 'bar' }, { nodeSelector: { foo: 'bar' }, affinity })).toBe('Success');
  });

  it("Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node", () => {
    const affinity = requiredTerms(termOf([expr('foo', 'Exists')]));
    expect(filter({ foo: 'barrrrrr' }, { nodeSelector: { foo: 'bar' }, affinity })).toBe(ERR_REASON_POD);
  });

  it('Pod with matchFields using In operator that matches the existing node', () => {
    const affinity = requiredTerms(termOf([], [expr('metadata.name', 'In', ['node1'])]));
    expect(filter({}, { affinity })).toBe('Success');
  });

  it('Pod with matchFields using In operator that does not match the existing node', () => {
    const affinity = requiredTerms(termOf([], [expr('metadata.name', 'In', ['node2'])]));
    expect(filter({}, { affinity })).toBe(ERR_REASON_POD);
  });
});

describe('NodeAffinity Score (upstream TestNodeAffinityPriority)', () => {
  const label1 = { foo: 'bar' };
  const label2 = { key: 'value' };
  const label3 = { az: 'az1' };
  const label5 = { foo: 'bar', key: 'value', az: 'az1' };
  const preferred = (...terms: Array<[number, NodeSelectorRequirement[]]>): Affinity => ({
    nodeAffinity: { preferred: terms.map(([weight, e]) => ({ weight, preference: termOf(e) })) },
  });
  const affinity1 = preferred([2, [expr('foo', 'In', ['bar'])]]);
  const affinity2 = preferred(
    [2, [expr('foo', 'In', ['bar'])]],
    [4, [expr('key', 'In', ['value'])]],
    [5, [expr('foo', 'In', ['bar']), expr('key', 'In', ['value']), expr('az', 'In', ['az1'])]],
  );
  const nodes = (...l: Array<[string, Record<string, string>]>): NodeArgs[] =>
    l.map(([name, labels]) => ({ name, labels }));

  it('all nodes are same priority as NodeAffinity is nil', () => {
    expect(
      runScore(
        nodeAffinity,
        nodes(['node1', label1], ['node2', label2], ['node3', label3]),
        [],
        [],
        pod({ name: 'p' }),
      ),
    ).toBe('skip');
  });

  it("no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero", () => {
    const affinity = preferred([2, [expr('foo', 'In', ['bar'])]]);
    expect(
      runScore(
        nodeAffinity,
        nodes(['node1', { abc: 'az11' }], ['node2', label2], ['node3', label3]),
        [],
        [],
        pod({ name: 'p', affinity }),
      ),
    ).toEqual({ node1: 0, node2: 0, node3: 0 });
  });

  it('only node1 matches the preferred scheduling requirements of pod', () => {
    expect(
      runScore(
        nodeAffinity,
        nodes(['node1', label1], ['node2', label2], ['node3', label3]),
        [],
        [],
        pod({ name: 'p', affinity: affinity1 }),
      ),
    ).toEqual({ node1: 100, node2: 0, node3: 0 });
  });

  it('all nodes matches the preferred scheduling requirements of pod but with different priorities ', () => {
    expect(
      runScore(
        nodeAffinity,
        nodes(['node1', label1], ['node5', label5], ['node2', label2]),
        [],
        [],
        pod({ name: 'p', affinity: affinity2 }),
      ),
    ).toEqual({ node1: 18, node5: 100, node2: 36 });
  });
});

describe('TaintToleration Score (upstream TestTaintTolerationScore)', () => {
  const pref = (key: string, value: string): Taint => ({ key, value, effect: 'PreferNoSchedule' });
  const tol = (key: string, value: string, effect: Toleration['effect']): Toleration => ({
    key,
    operator: 'Equal',
    value,
    effect,
  });
  const nodes = (...l: Array<[string, Taint[]]>): NodeArgs[] => l.map(([name, taints]) => ({ name, taints }));

  it('the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has', () => {
    const p = pod({
      name: 'p',
      tolerations: [tol('foo', 'bar', 'PreferNoSchedule'), tol('cpu-type', 'arm64', 'PreferNoSchedule')],
    });
    expect(
      runScore(
        taintToleration,
        nodes(
          ['nodeA', []],
          ['nodeB', [pref('foo', 'bar')]],
          ['nodeC', [pref('foo', 'bar'), pref('cpu-type', 'arm64')]],
        ),
        [],
        [],
        p,
      ),
    ).toEqual({ nodeA: 100, nodeB: 100, nodeC: 100 });
  });

  it('the more intolerable taints a node has, the lower score it gets.', () => {
    const p = pod({ name: 'p', tolerations: [tol('foo', 'bar', 'PreferNoSchedule')] });
    expect(
      runScore(
        taintToleration,
        nodes(
          ['nodeA', []],
          ['nodeB', [pref('cpu-type', 'arm64')]],
          ['nodeC', [pref('cpu-type', 'arm64'), pref('disk-type', 'ssd')]],
        ),
        [],
        [],
        p,
      ),
    ).toEqual({ nodeA: 100, nodeB: 50, nodeC: 0 });
  });

  it('only taints and tolerations that have effect PreferNoSchedule are checked by score', () => {
    // The NoSchedule toleration does not count for the PreferNoSchedule taint on nodeB.
    const p = pod({
      name: 'p',
      tolerations: [tol('cpu-type', 'arm64', 'NoSchedule'), tol('disk-type', 'ssd', 'PreferNoSchedule')],
    });
    expect(
      runScore(
        taintToleration,
        nodes(
          ['nodeA', []],
          ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'NoSchedule' }]],
          ['nodeC', [pref('cpu-type', 'arm64'), pref('disk-type', 'ssd')]],
        ),
        [],
        [],
        p,
      ),
    ).toEqual({ nodeA: 100, nodeB: 100, nodeC: 0 });
  });

  it('Default behaviour No taints and tolerations, lands on node with no taints', () => {
    expect(
      runScore(
        taintToleration,
        nodes(['nodeA', []], ['nodeB', [pref('cpu-type', 'arm64')]]),
        [],
        [],
        pod({ name: 'p' }),
      ),
    ).toEqual({
      nodeA: 100,
      nodeB: 0,
    });
  });
});

// The TaintNodesByCondition admission plugin (plugin/pkg/admission/nodetaint/admission.go), cases named
// after its admission_test.go (TestNodeTaints): a Node created through the API server gets
// node.kubernetes.io/not-ready:NoSchedule; a Node that already has it keeps one; the nodes of t = 0 stand
// for Nodes admitted before the run.
import { admitNode } from '../../../src/model/apiserver/store.js';
import type { Node, Taint } from '../../../src/k8s/objects.js';

const node = (taints: Taint[]): Node => ({
  kind: 'Node',
  metadata: { name: 'n', uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: {} },
  spec: { taints, unschedulable: false },
  status: { conditions: [], capacity: { cpuMilli: 1000, memoryBytes: 2 ** 30, pods: 110 } },
});
const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

describe('TestNodeTaints', () => {
  test('notReady taint is added on creation', () => {
    expect(admitNode(node([])).spec.taints).toEqual([notReady]);
  });

  test('already tainted node is not tainted again', () => {
    expect(admitNode(node([notReady])).spec.taints).toEqual([notReady]);
  });

  test('NotReady taint is appended', () => {
    const other: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    expect(admitNode(node([other])).spec.taints).toEqual([other, notReady]);
  });

  test('the NoExecute not-ready taint is another taint: NoSchedule is still added', () => {
    const noExecute: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
    expect(admitNode(node([noExecute])).spec.taints).toEqual([noExecute, notReady]);
  });
});

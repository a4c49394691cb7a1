// The autoscaler's cluster health (src/model/autoscaler/clusterstate.ts) with the cases of
// kubernetes/autoscaler cluster-autoscaler/clusterstate/clusterstate_test.go: TestOKWithScaleUp,
// TestEmptyOK, TestOKOneUnreadyNode, TestTooManyUnready, and the upcoming and long-unregistered nodes of
// TestRecalculateStateAfterNodeGroupSizeChanged and TestUpcomingNodes.
import {
  countReadiness,
  groupState,
  isClusterHealthy,
  nodeReadiness,
  type NodeReadiness,
} from '../../../src/model/autoscaler/clusterstate.js';
import { cond, node } from '../node-chain/fixtures.js';

const MIN = 60_000;
const upstreamTestConfig = { maxTotalUnreadyPercentage: 10, okTotalUnreadyCount: 1 };
const defaults = { maxTotalUnreadyPercentage: 45, okTotalUnreadyCount: 3 };
const nodeWith = (ready: boolean, createdMs: number) =>
  node('n', { created: createdMs, conditions: [cond('Ready', ready ? 'True' : 'False', createdMs)] });

describe('clusterstate', () => {
  it('TestOKWithScaleUp: two Ready nodes and a scale-up of 4 in flight: healthy, 4 upcoming', () => {
    const r = countReadiness(['Ready', 'Ready']);
    expect(isClusterHealthy(r, upstreamTestConfig)).toBe(true);
    const now = 10 * MIN;
    const instances = [
      { name: 'ng1-1', requestedAtMs: 0 },
      ...[2, 3, 4, 5].map((k) => ({ name: `ng1-${k}`, requestedAtMs: now })),
    ];
    const st = groupState(instances, (n) => (n === 'ng1-1' ? 'Ready' : undefined), now, MIN);
    expect(st).toEqual({ targetSize: 5, registered: 1, upcoming: 4, registeredUpcoming: [], longUnregistered: [] });
  });

  it('TestUpcomingNodes, its NotStarted case: a registered node not Ready yet is still upcoming; an Unready one is not', () => {
    const instances = ['ng1-1', 'ng1-2', 'ng1-3', 'ng1-4'].map((name) => ({ name, requestedAtMs: 0 }));
    const readiness = { 'ng1-1': 'Ready', 'ng1-2': 'NotStarted', 'ng1-3': 'Unready' } as const;
    const st = groupState(instances, (n) => readiness[n as keyof typeof readiness], MIN, 15 * MIN);
    expect(st).toEqual({
      targetSize: 4,
      registered: 3,
      upcoming: 2,
      registeredUpcoming: ['ng1-2'],
      longUnregistered: [],
    });
  });

  it('TestEmptyOK: no nodes at all is healthy', () => {
    expect(isClusterHealthy(countReadiness([]), upstreamTestConfig)).toBe(true);
  });

  it('TestOKOneUnreadyNode: one unready node of two is within okTotalUnreadyCount', () => {
    expect(isClusterHealthy(countReadiness(['Ready', 'Unready']), upstreamTestConfig)).toBe(true);
  });

  it('TestTooManyUnready: two unready nodes of two halt the autoscaler', () => {
    expect(isClusterHealthy(countReadiness(['Unready', 'Unready']), upstreamTestConfig)).toBe(false);
  });

  it('with the defaults: 4 of 9 unready (44%) is healthy, 5 of 11 (45.5%) halts, 3 of 3 never halts', () => {
    const of = (unready: number, total: number): NodeReadiness[] => [
      ...Array<NodeReadiness>(unready).fill('Unready'),
      ...Array<NodeReadiness>(total - unready).fill('Ready'),
    ];
    expect(isClusterHealthy(countReadiness(of(4, 9)), defaults)).toBe(true);
    expect(isClusterHealthy(countReadiness(of(5, 11)), defaults)).toBe(false);
    expect(isClusterHealthy(countReadiness(of(3, 3)), defaults)).toBe(true);
  });

  it('a NotReady node younger than max-node-startup-time is NotStarted, not Unready; the initial nodes never are', () => {
    expect(nodeReadiness(nodeWith(false, 5 * MIN), 10 * MIN, false)).toBe('NotStarted');
    expect(nodeReadiness(nodeWith(false, 5 * MIN), 21 * MIN, false)).toBe('Unready');
    expect(nodeReadiness(nodeWith(false, 5 * MIN), 10 * MIN, true)).toBe('Unready');
    expect(nodeReadiness(nodeWith(true, 5 * MIN), 10 * MIN, false)).toBe('Ready');
  });

  it('TestUpcomingNodes / failed scale up by 3 nodes: VMs unregistered past max-node-provision-time are long unregistered', () => {
    const instances = [
      { name: 'ng1-1', requestedAtMs: 0 },
      { name: 'ng1-2', requestedAtMs: 0 },
      { name: 'ng1-3', requestedAtMs: 0 },
      { name: 'ng1-4', requestedAtMs: 0 },
    ];
    const st = groupState(instances, (n) => (n === 'ng1-1' ? 'Ready' : undefined), 15 * MIN, 15 * MIN);
    expect(st).toEqual({
      targetSize: 4,
      registered: 1,
      upcoming: 0,
      registeredUpcoming: [],
      longUnregistered: ['ng1-2', 'ng1-3', 'ng1-4'],
    });
  });
});

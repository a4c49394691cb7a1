// Which endpoints a node's kube-proxy uses (docs/fidelity.md#kube-proxy), with cases named after
// pkg/proxy/topology_test.go TestCategorizeEndpoints.
import { categorizeEndpoints } from '../../../src/model/proxy/topology.js';
import type { Endpoint } from '../../../src/k8s/services.js';

const ep = (
  pod: string,
  nodeName: string,
  zone: string,
  cond: { ready?: boolean; serving?: boolean; terminating?: boolean; hint?: string | null } = {},
): Endpoint => {
  const ready = cond.ready ?? true;
  const e: Endpoint = {
    pod,
    nodeName,
    zone,
    ready,
    serving: cond.serving ?? ready,
    terminating: cond.terminating ?? false,
  };
  if (cond.hint !== null) e.forZones = [cond.hint ?? zone];
  return e;
};
const names = (es: Endpoint[]) => es.map((e) => e.pod).sort();
const nodeA = { name: 'node-a', zone: 'zone-a' };

describe('TestCategorizeEndpoints (pkg/proxy/topology_test.go)', () => {
  const hinted = [
    ep('10.1.2.3', 'node-a', 'zone-a'),
    ep('10.1.2.4', 'node-b', 'zone-b'),
    ep('10.1.2.5', 'node-c', 'zone-c'),
    ep('10.1.2.6', 'node-a2', 'zone-a'),
  ];

  test('hints enabled (PreferClose): only endpoints hinted for the node zone', () => {
    expect(names(categorizeEndpoints(hinted, 'Cluster', true, nodeA))).toEqual(['10.1.2.3', '10.1.2.6']);
  });

  test('hints, hints annotation == disabled, hints ignored', () => {
    expect(names(categorizeEndpoints(hinted, 'Cluster', false, nodeA))).toHaveLength(4);
  });

  test('empty zone label: hints ignored', () => {
    expect(categorizeEndpoints(hinted, 'Cluster', true, { name: 'node-a', zone: '' })).toHaveLength(4);
  });

  test('node in different zone, no endpoint filtering', () => {
    expect(categorizeEndpoints(hinted, 'Cluster', true, { name: 'node-d', zone: 'zone-d' })).toHaveLength(4);
  });

  test('missing hints, no filtering applied', () => {
    const some = [...hinted.slice(0, 3), ep('10.1.2.6', 'node-a2', 'zone-a', { hint: null })];
    expect(categorizeEndpoints(some, 'Cluster', true, nodeA)).toHaveLength(4);
  });

  test('unready endpoint: left out of the cluster endpoints', () => {
    const es = [ep('10.1.2.3', 'node-a', 'zone-a'), ep('10.1.2.4', 'node-b', 'zone-b', { ready: false })];
    expect(names(categorizeEndpoints(es, 'Cluster', false, nodeA))).toEqual(['10.1.2.3']);
  });

  test('only unready endpoints in same zone (should not filter): a zone without ready endpoints uses all', () => {
    const es = [ep('10.1.2.3', 'node-a', 'zone-a', { ready: false }), ep('10.1.2.4', 'node-b', 'zone-b')];
    expect(names(categorizeEndpoints(es, 'Cluster', true, nodeA))).toEqual(['10.1.2.4']);
  });

  test('Cluster traffic policy, endpoints not Ready: falls back to serving terminating endpoints', () => {
    const es = [
      ep('10.0.0.0', 'node-a', 'zone-a', { ready: false, serving: true, terminating: true }),
      ep('10.0.0.1', 'node-b', 'zone-b', { ready: false, serving: false, terminating: true }),
    ];
    expect(names(categorizeEndpoints(es, 'Cluster', false, nodeA))).toEqual(['10.0.0.0']);
  });

  test('Cluster traffic policy, some endpoints are Ready: terminating ones are not used', () => {
    const es = [
      ep('10.0.0.0', 'node-a', 'zone-a', { ready: false, serving: true, terminating: true }),
      ep('10.0.0.1', 'node-b', 'zone-b'),
    ];
    expect(names(categorizeEndpoints(es, 'Cluster', false, nodeA))).toEqual(['10.0.0.1']);
  });

  test('iTP: Local, with only non-local endpoints: no endpoint (traffic dropped)', () => {
    const es = [ep('10.0.0.1', 'node-b', 'zone-b'), ep('10.0.0.2', 'node-c', 'zone-c')];
    expect(categorizeEndpoints(es, 'Local', false, nodeA)).toEqual([]);
  });

  test('iTP: Local, with some local endpoints: only those', () => {
    const es = [ep('10.0.0.0', 'node-a', 'zone-a'), ep('10.0.0.1', 'node-b', 'zone-b')];
    expect(names(categorizeEndpoints(es, 'Local', false, nodeA))).toEqual(['10.0.0.0']);
  });

  test('eTP: Local, with terminating local endpoints only: uses the serving terminating one', () => {
    const es = [
      ep('10.0.0.0', 'node-a', 'zone-a', { ready: false, serving: true, terminating: true }),
      ep('10.0.0.1', 'node-b', 'zone-b'),
    ];
    expect(names(categorizeEndpoints(es, 'Local', false, nodeA))).toEqual(['10.0.0.0']);
  });

  test('topology ignored for Local endpoints', () => {
    const es = [ep('10.0.0.0', 'node-a', 'zone-a', { hint: 'zone-b' }), ep('10.0.0.1', 'node-b', 'zone-b')];
    expect(names(categorizeEndpoints(es, 'Local', true, nodeA))).toEqual(['10.0.0.0']);
  });
});

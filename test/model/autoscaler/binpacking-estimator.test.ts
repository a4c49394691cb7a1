// The binpacking estimator (src/model/autoscaler/binpacking-estimator.ts) with the cases of
// kubernetes/autoscaler cluster-autoscaler/estimator/binpacking_estimator_test.go (TestBinpackingEstimate),
// judged by the scheduler's own Filter plugins in a snapshot (snapshot.ts). Upstream's hostport case is
// left out: hasim has no host ports.
import type { Pod } from '../../../src/k8s/objects.js';
import type { NodeSpec } from '../../../src/k8s/workloads.js';
import { estimate, podEquivalenceGroups } from '../../../src/model/autoscaler/binpacking-estimator.js';
import { SchedulingSnapshot, templateNode } from '../../../src/model/autoscaler/snapshot.js';
import { pod } from '../scheduler/plugin-harness.js';

const GiB = 2 ** 30;

function template(opts: { cpuMilli?: number; pods?: number; zone?: string } = {}): NodeSpec {
  const zone = opts.zone ?? 'zone-a';
  return {
    name: 'template',
    zone,
    labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': 'template' },
    capacity: { cpuMilli: opts.cpuMilli ?? 1000, memoryBytes: 8 * GiB, pods: opts.pods ?? 110 },
  };
}

function pods(n: number, cpuMilli: number, more: Partial<Pod['spec']> = {}): Pod[] {
  return [...Array(n).keys()].map((i) => {
    const p = pod({
      name: `estimatee-${String(i).padStart(2, '0')}`,
      labels: { app: 'estimatee' },
      workload: 'Deployment/estimatee',
    });
    return { ...p, spec: { ...p.spec, requests: { cpuMilli, memoryBytes: 0 }, ...more } };
  });
}

function run(ps: Pod[], t: NodeSpec, maxNodes = 1000, existing: ReturnType<typeof templateNode>[] = []) {
  const snapshot = new SchedulingSnapshot(existing, []);
  const r = estimate(snapshot, podEquivalenceGroups(ps), t, (k) => `new-${k}`, maxNodes);
  return { nodes: r.nodeCount, pods: r.scheduledPods.length, snapshot };
}

describe('TestBinpackingEstimate', () => {
  it('simple resource-based binpacking: 10 pods of 350m on 1-cpu nodes need 5 nodes', () => {
    expect(run(pods(10, 350), template())).toEqual(expect.objectContaining({ nodes: 5, pods: 10 }));
  });

  it('pods-per-node bound binpacking: 2 pods a node need 5 nodes for 10', () => {
    expect(run(pods(10, 100), template({ pods: 2 }))).toEqual(expect.objectContaining({ nodes: 5, pods: 10 }));
  });

  it('limiter cuts binpacking: at most 2 new nodes take 4 of the 10 pods', () => {
    expect(run(pods(10, 350), template(), 2)).toEqual(expect.objectContaining({ nodes: 2, pods: 4 }));
  });

  it('no fit: a pod larger than a template node needs no node at all', () => {
    expect(run(pods(3, 1500), template())).toEqual(expect.objectContaining({ nodes: 0, pods: 0 }));
  });

  it('hostname topology spreading with maxSkew=2 forces 2 pods/node', () => {
    const ps = pods(10, 10, {
      topologySpreadConstraints: [
        {
          maxSkew: 2,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'estimatee' }, matchExpressions: [] },
          matchLabelKeys: [],
        },
      ],
    });
    // An empty node already there keeps the smallest hostname domain at 0 pods.
    const empty = templateNode(template(), 'existing-empty');
    expect(run(ps, template(), 1000, [empty])).toEqual(expect.objectContaining({ nodes: 5, pods: 10 }));
  });

  it('zonal topology spreading with maxSkew=2 only allows 2 pods to schedule', () => {
    const ps = pods(10, 10, {
      topologySpreadConstraints: [
        {
          maxSkew: 2,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'estimatee' }, matchExpressions: [] },
          matchLabelKeys: [],
        },
      ],
    });
    // An empty node in another zone keeps that zone's count at 0.
    const other = templateNode(template({ zone: 'zone-b' }), 'existing-b');
    expect(run(ps, template(), 1000, [other])).toEqual(expect.objectContaining({ nodes: 1, pods: 2 }));
  });

  it('leaves the snapshot as it found it (upstream forks and reverts)', () => {
    const { snapshot } = run(pods(10, 350), template());
    expect(snapshot.nodeNames()).toEqual([]);
  });
});

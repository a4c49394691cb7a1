// Endpoint conditions and slice packing (docs/fidelity.md#endpointslice-controller), with cases named after
// staging/src/k8s.io/endpointslice/utils_test.go TestPodToEndpoint and reconciler_test.go.
import { podToEndpoint, packSlices, MAX_ENDPOINTS_PER_SLICE } from '../../../src/model/endpointslice/reconciler.js';
import type { Pod } from '../../../src/k8s/objects.js';
import type { Endpoint } from '../../../src/k8s/services.js';

function pod(opts: { ready: boolean; terminating?: boolean; phase?: Pod['status']['phase']; nodeName?: string }): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      uid: 1,
      resourceVersion: 1,
      creationTimestampMs: 0,
      labels: { app: 'web' },
      namespace: 'default',
      workload: 'Deployment/web',
      deletionTimestampMs: opts.terminating ? 30_000 : undefined,
      deletionGracePeriodSeconds: opts.terminating ? 30 : undefined,
    },
    spec: {
      nodeName: 'nodeName' in opts ? opts.nodeName : 'node-1',
      tolerations: [],
      nodeSelector: {},
      requests: { cpuMilli: 100, memoryBytes: 1 },
      terminationGracePeriodSeconds: 30,
      affinity: undefined,
      topologySpreadConstraints: [],
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      ordinal: undefined,
    },
    status: { phase: opts.phase ?? 'Running', ready: opts.ready, disruptionTarget: undefined, startTimeMs: 0 },
  };
}

describe('TestPodToEndpoint (staging/src/k8s.io/endpointslice/utils_test.go)', () => {
  test('Ready pod: ready, serving, not terminating', () => {
    expect(podToEndpoint(pod({ ready: true }), 'zone-a', false)).toEqual({
      pod: 'web-1',
      nodeName: 'node-1',
      zone: 'zone-a',
      ready: true,
      serving: true,
      terminating: false,
    });
  });

  test('Unready pod: neither ready nor serving', () => {
    const e = podToEndpoint(pod({ ready: false }), 'zone-a', false)!;
    expect([e.ready, e.serving, e.terminating]).toEqual([false, false, false]);
  });

  test('Ready terminating pod: not ready, still serving, terminating', () => {
    const e = podToEndpoint(pod({ ready: true, terminating: true }), 'zone-a', false)!;
    expect([e.ready, e.serving, e.terminating]).toEqual([false, true, true]);
  });

  test('Not ready terminating pod: neither ready nor serving, terminating', () => {
    const e = podToEndpoint(pod({ ready: false, terminating: true }), 'zone-a', false)!;
    expect([e.ready, e.serving, e.terminating]).toEqual([false, false, true]);
  });

  test('a pod not running yet (no IP) or not bound is left out (ShouldPodBeInEndpoints)', () => {
    expect(podToEndpoint(pod({ ready: false, phase: 'Pending' }), 'zone-a', false)).toBeUndefined();
    expect(podToEndpoint(pod({ ready: false, nodeName: undefined }), '', false)).toBeUndefined();
  });

  test('trafficDistribution PreferClose hints each endpoint for its own zone (preferCloseHeuristic)', () => {
    expect(podToEndpoint(pod({ ready: true }), 'zone-b', true)!.forZones).toEqual(['zone-b']);
    expect(podToEndpoint(pod({ ready: true }), '', true)!.forZones).toBeUndefined();
  });
});

describe('reconciler: slices of at most maxEndpointsPerSlice', () => {
  const ep = (i: number): Endpoint => ({
    pod: `web-${String(i).padStart(3, '0')}`,
    nodeName: 'n',
    zone: 'z',
    ready: true,
    serving: true,
    terminating: false,
  });

  test('TestReconcile1EndpointSlice-style: a handful of endpoints fit one slice', () => {
    expect(packSlices([ep(2), ep(1)]).map((s) => s.map((e) => e.pod))).toEqual([['web-001', 'web-002']]);
  });

  test('TestReconcileManyPods-style: 250 endpoints take three slices of 100, 100 and 50', () => {
    const slices = packSlices(Array.from({ length: 250 }, (_, i) => ep(i)));
    expect(MAX_ENDPOINTS_PER_SLICE).toBe(100);
    expect(slices.map((s) => s.length)).toEqual([100, 100, 50]);
  });
});

// The Eviction API (src/model/apiserver/eviction.ts) against cases of upstream's
// pkg/registry/core/pod/storage/eviction_test.go (TestEviction, TestEvictionIgnorePDB,
// TestEvictionPDBStatus), each named after the upstream case it comes from.
import { Simulator, TraceRecorder } from '../../../src/engine/index.js';
import type { PdbStatusFields, Pod, PodPhase } from '../../../src/k8s/objects.js';
import type { UnhealthyPodEvictionPolicy } from '../../../src/k8s/workloads.js';
import { evictPod } from '../../../src/model/apiserver/eviction.js';
import { ApiStore } from '../../../src/model/apiserver/store.js';
import type { TraceEventFields } from '../../../src/trace/events.js';

interface Setup {
  phase?: PodPhase;
  ready?: boolean;
  terminating?: boolean;
  /** Whether the pod's workload has the PDB (false: "non-matching pdbs"). */
  matching?: boolean;
  status?: Partial<PdbStatusFields>;
  policy?: UnhealthyPodEvictionPolicy;
  /** The controller has not observed the PDB's generation yet. */
  unobserved?: boolean;
}

function setup(o: Setup) {
  const sim = new Simulator(1);
  const trace = new TraceRecorder<TraceEventFields>(sim);
  const store = new ApiStore(trace, {
    defaultNotReadyTolerationSeconds: 300,
    defaultUnreachableTolerationSeconds: 300,
  });
  const pod: Pod = {
    kind: 'Pod',
    metadata: {
      name: 't1',
      uid: 0,
      resourceVersion: 0,
      creationTimestampMs: 0,
      labels: { a: 'true' },
      namespace: 'default',
      workload: 'Deployment/foo',
    },
    spec: {
      nodeName: 'foo',
      tolerations: [],
      nodeSelector: {},
      requests: { cpuMilli: 0, memoryBytes: 0 },
      terminationGracePeriodSeconds: 30,
      affinity: undefined,
      topologySpreadConstraints: [],
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: { phase: o.phase ?? 'Running', ready: o.ready ?? (o.phase ?? 'Running') === 'Running' },
  };
  store.create(pod, 'test');
  if (o.terminating) store.deletePod('t1', { gracePeriodSeconds: 300, reason: 'test' }, 'test');
  const created = store.createPdb({
    kind: 'PodDisruptionBudget',
    metadata: { name: 'foo' },
    spec: {
      maxUnavailable: { value: 1, percent: false },
      workload: o.matching === false ? 'Deployment/other' : 'Deployment/foo',
      unhealthyPodEvictionPolicy: o.policy,
    },
  });
  if (!created.ok) throw new Error('createPdb');
  store.updatePdbStatus(
    'foo',
    created.value.metadata.resourceVersion,
    {
      observedGeneration: o.unobserved ? 0 : 1,
      disruptedPods: {},
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
      ...o.status,
    },
    'test',
  );
  const refusals = () => trace.events.filter((e) => e.type === 'pod.eviction.refused');
  return { store, trace, refusals, evict: () => evictPod(store, 't1', { gracePeriodSeconds: 0 }, 'test') };
}

describe('Eviction API (eviction_test.go TestEviction)', () => {
  for (const policy of [undefined, 'IfHealthyBudget', 'AlwaysAllow'] as const) {
    const w = `with ${policy ?? 'nil'} policy`;
    it(`matching pdbs with no disruptions allowed, pod running ${w}: 429 TooManyRequests, pod kept`, () => {
      const t = setup({ policy });
      expect(t.evict()).toEqual({ ok: false, reason: 'TooManyRequests' });
      expect(t.store.pods.get('t1')?.metadata.deletionTimestampMs).toBeUndefined();
      expect(t.refusals()).toEqual([
        expect.objectContaining({
          pod: 't1',
          pdb: 'foo',
          code: 429,
          message:
            "Cannot evict pod as it would violate the pod's disruption budget. The disruption budget foo needs 0 healthy pods and has 0 currently",
        }),
      ]);
    });
    for (const phase of ['Pending', 'Succeeded', 'Failed'] as const)
      it(`matching pdbs with no disruptions allowed, pod ${phase.toLowerCase()} ${w}: deleted without a PDB check`, () => {
        const t = setup({ policy, phase });
        expect(t.evict().ok).toBe(true);
        expect(t.store.pods.has('t1')).toBe(false);
        expect(t.refusals()).toEqual([]);
      });
    it(`matching pdbs with disruptions allowed ${w}: deleted, disruptionsAllowed decremented`, () => {
      const t = setup({ policy, status: { disruptionsAllowed: 1 } });
      expect(t.evict().ok).toBe(true);
      expect(t.store.pods.has('t1')).toBe(false);
      expect(t.store.pdbs.get('foo')!.status.disruptionsAllowed).toBe(0);
    });
    it(`non-matching pdbs ${w}: deleted`, () => {
      const t = setup({ policy, matching: false });
      expect(t.evict().ok).toBe(true);
      expect(t.store.pods.has('t1')).toBe(false);
    });
  }
});

describe('Eviction API (eviction_test.go TestEvictionIgnorePDB)', () => {
  it('matching pdbs with no disruptions allowed, pod terminating: deleted without touching the budget', () => {
    const t = setup({ terminating: true, status: { disruptionsAllowed: 0 } });
    expect(t.evict().ok).toBe(true);
    expect(t.store.pdbs.get('foo')!.status.disruptionsAllowed).toBe(0);
  });
  it('matching pdbs with no disruptions allowed, pod running, pod healthy, unhealthy pod not ours: 429', () => {
    const t = setup({ status: { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 } });
    expect(t.evict()).toEqual({ ok: false, reason: 'TooManyRequests' });
    expect(t.refusals()[0].message).toContain('needs 2 healthy pods and has 2 currently');
  });
  it('matching pdbs with no disruptions allowed, pod running, pod unhealthy, unhealthy pod ours: deleted (IfHealthyBudget, budget met)', () => {
    const t = setup({ ready: false, status: { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 } });
    expect(t.evict().ok).toBe(true);
    expect(t.store.pdbs.get('foo')!.status.disruptionsAllowed).toBe(0);
  });
  it('matching pdbs with no disruptions allowed, pod running, pod unhealthy, budget not met: 429 with IfHealthyBudget', () => {
    const t = setup({ ready: false, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 } });
    expect(t.evict()).toEqual({ ok: false, reason: 'TooManyRequests' });
  });
  it('matching pdbs with no disruptions allowed, pod running, pod unhealthy, budget not met: deleted with AlwaysAllow', () => {
    const t = setup({ ready: false, policy: 'AlwaysAllow', status: { currentHealthy: 1, desiredHealthy: 2 } });
    expect(t.evict().ok).toBe(true);
  });
  it('pdbs No disruptions allowed, pod pending, first delete conflict, pod becomes running, skip PDB check, conflict: still being processed', () => {
    const t = setup({ unobserved: true, status: { disruptionsAllowed: 1 } });
    expect(t.evict()).toEqual({ ok: false, reason: 'TooManyRequests' });
    expect(t.refusals()[0].message).toBe(
      "Cannot evict pod as it would violate the pod's disruption budget. The disruption budget foo is still being processed by the server.",
    );
  });
  it('refuses with 403 Forbidden when disruptionsAllowed is negative', () => {
    const t = setup({ status: { disruptionsAllowed: -1 } });
    expect(t.evict()).toEqual({ ok: false, reason: 'Forbidden' });
    expect(t.refusals()[0]).toEqual(
      expect.objectContaining({ code: 403, message: 'pdb disruptions allowed is negative' }),
    );
  });
});

describe('Eviction API (eviction_test.go TestEvictionPDBStatus)', () => {
  it('pdb status is updated after eviction: the pod joins disruptedPods at the API server time', () => {
    const t = setup({ status: { disruptionsAllowed: 1 } });
    expect(t.evict().ok).toBe(true);
    const st = t.store.pdbs.get('foo')!.status;
    expect(st.disruptionsAllowed).toBe(0);
    expect(st.disruptedPods).toEqual({ t1: 0 });
    expect(t.trace.events.filter((e) => e.type === 'pdb.status.changed').at(-1)).toEqual(
      expect.objectContaining({ pdb: 'foo', disruptionsAllowed: 0, by: 'test' }),
    );
  });
  it('condition reason is only updated if AllowedDisruptions becomes 0: 3 allowed leaves 2', () => {
    const t = setup({ status: { disruptionsAllowed: 3 } });
    expect(t.evict().ok).toBe(true);
    expect(t.store.pdbs.get('foo')!.status.disruptionsAllowed).toBe(2);
  });
});

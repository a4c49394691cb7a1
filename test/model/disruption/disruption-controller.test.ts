// The disruption controller (src/model/disruption/disruption-controller.ts) against cases of upstream's
// pkg/controller/disruption/disruption_test.go, each named after the upstream test it comes from.
import { Simulator, TraceRecorder } from '../../../src/engine/index.js';
import type { Pod } from '../../../src/k8s/objects.js';
import { ApiStore } from '../../../src/model/apiserver/store.js';
import { DELETION_TIMEOUT_MS, trySync } from '../../../src/model/disruption/disruption-controller.js';
import type { Count, WorkloadSpec } from '../../../src/scenario/types.js';
import type { TraceEventFields } from '../../../src/trace/events.js';
import { addZonalNodes, fixture, workload } from '../workloads/fixtures.js';

const n = (value: number): Count => ({ value, percent: false });
const pct = (value: number): Count => ({ value, percent: true });

describe('disruption controller in a running cluster', () => {
  it('TestIntegerMaxUnavailable: maxUnavailable 1 of 3 Ready pods allows one disruption, none once a pod is NotReady', () => {
    const f = fixture([workload('Deployment', 'foo', { replicas: 3, podDisruptionBudget: { maxUnavailable: n(1) } })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    expect(f.store.pdbs.get('foo')!.status).toEqual(
      expect.objectContaining({
        observedGeneration: 1,
        expectedPods: 3,
        desiredHealthy: 2,
        currentHealthy: 3,
        disruptionsAllowed: 1,
      }),
    );
    const victim = f.active('Deployment/foo')[0];
    f.store.patch<Pod>('Pod', victim.metadata.name, (p) => ({ ...p, status: { ...p.status, ready: false } }), 'test');
    f.run(21_000);
    expect(f.store.pdbs.get('foo')!.status).toEqual(
      expect.objectContaining({ currentHealthy: 2, disruptionsAllowed: 0 }),
    );
  });

  it('TestUnavailable: minAvailable 3 of 3 never allows a disruption', () => {
    const f = fixture([workload('Deployment', 'foo', { replicas: 3, podDisruptionBudget: { minAvailable: n(3) } })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    expect(f.store.pdbs.get('foo')!.status).toEqual(
      expect.objectContaining({ expectedPods: 3, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 }),
    );
  });

  it('TestReplicaSet: minAvailable 20% of a ReplicaSet of 10 scales with the replicas (desiredHealthy 2)', () => {
    const f = fixture([
      workload('Deployment', 'foo', { replicas: 10, podDisruptionBudget: { minAvailable: pct(20) } }),
    ]);
    addZonalNodes(f, 2);
    f.run(20_000);
    expect(f.store.pdbs.get('foo')!.status).toEqual(
      expect.objectContaining({ expectedPods: 10, desiredHealthy: 2, currentHealthy: 10, disruptionsAllowed: 8 }),
    );
  });

  it('TestStatefulSetController: minAvailable 34% of 3 StatefulSet pods needs 2 (rounded up)', () => {
    const f = fixture([
      workload('StatefulSet', 'foo', { replicas: 3, podDisruptionBudget: { minAvailable: pct(34) } }),
    ]);
    addZonalNodes(f, 1);
    f.run(30_000);
    expect(f.store.pdbs.get('foo')!.status).toEqual(
      expect.objectContaining({ expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 }),
    );
  });

  it('a DaemonSet has no scale subresource: maxUnavailable leaves the PDB failing safe (no disruption, generation not observed)', () => {
    const f = fixture([workload('DaemonSet', 'foo', { podDisruptionBudget: { maxUnavailable: n(1) } })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    expect(f.store.pdbs.get('foo')!.status).toEqual(
      expect.objectContaining({ observedGeneration: 0, disruptionsAllowed: 0 }),
    );
  });

  it('traces every status change with the counts (pdb.status.changed)', () => {
    const f = fixture([workload('Deployment', 'foo', { replicas: 2, podDisruptionBudget: { maxUnavailable: n(1) } })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    const last = f.events('pdb.status.changed').at(-1);
    expect(last).toEqual(
      expect.objectContaining({
        pdb: 'foo',
        workload: 'Deployment/foo',
        disruptionsAllowed: 1,
        by: 'disruption-controller',
      }),
    );
  });
});

describe('trySync (disruption_test.go)', () => {
  function storeWith(w: WorkloadSpec, disruptedPods: Record<string, number>) {
    const sim = new Simulator(1);
    const store = new ApiStore(new TraceRecorder<TraceEventFields>(sim), {
      defaultNotReadyTolerationSeconds: 300,
      defaultUnreachableTolerationSeconds: 300,
    });
    const c = store.createPdb({
      kind: 'PodDisruptionBudget',
      metadata: { name: 'foo' },
      spec: { ...w.podDisruptionBudget, workload: w.id },
    });
    if (!c.ok) throw new Error('createPdb');
    store.updatePdbStatus('foo', c.value.metadata.resourceVersion, { ...c.value.status, disruptedPods }, 'test');
    return store;
  }

  it('TestUpdateDisruptedPods: deleted, expired and vanished entries go; a recent one stays and is not counted healthy', () => {
    const w = workload('Deployment', 'foo', { replicas: 3, podDisruptionBudget: { minAvailable: n(1) } });
    const nowMs = 10 * 60_000;
    const store = storeWith(w, {
      p1: nowMs, // pod deletion started: removed
      p2: nowMs - 3 * 60_000, // expired: removed
      p3: nowMs - 60_000, // pod untouched: stays
      notthere: nowMs, // pod deleted: removed
    });
    const r = trySync(
      store,
      w,
      [
        { name: 'p1', ready: true, deleting: true },
        { name: 'p2', ready: true, deleting: false },
        { name: 'p3', ready: true, deleting: false },
      ],
      nowMs,
    );
    expect(r).toEqual({ ok: true, value: { recheckAtMs: nowMs - 60_000 + DELETION_TIMEOUT_MS } });
    expect(store.pdbs.get('foo')!.status).toEqual({
      observedGeneration: 1,
      disruptedPods: { p3: nowMs - 60_000 },
      disruptionsAllowed: 0,
      currentHealthy: 1,
      desiredHealthy: 1,
      expectedPods: 3,
    });
  });

  it('updatePdbStatus: an unchanged status is not written again', () => {
    const w = workload('Deployment', 'foo', { replicas: 1, podDisruptionBudget: { maxUnavailable: n(0) } });
    const store = storeWith(w, {});
    trySync(store, w, [{ name: 'a', ready: true, deleting: false }], 0);
    const rv = store.pdbs.get('foo')!.metadata.resourceVersion;
    trySync(store, w, [{ name: 'a', ready: true, deleting: false }], 1000);
    expect(store.pdbs.get('foo')!.metadata.resourceVersion).toBe(rv);
  });
});

import { TAINT_OUT_OF_SERVICE, TAINT_UNREACHABLE, zoneOf } from '../../../src/k8s/objects.js';
import type { WorkloadController } from '../../../src/model/workloads/workload-sync.js';
import { addZonalNodes, fixture, workload } from './fixtures.js';

describe('ReplicaSet controller (Deployments)', () => {
  it('creates the desired replicas with upstream-style names and records the desired count', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 6 })]);
    addZonalNodes(f, 2);
    f.run(20_000);
    const pods = f.active('Deployment/web');
    expect(pods).toHaveLength(6);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.spec.nodeName).toBeDefined();
      expect(p.status.phase).toBe('Running');
      expect(p.metadata.labels.app).toBe('web');
    }
    expect(new Set(pods.map((p) => p.metadata.name.split('-')[1])).size).toBe(1);
    expect(f.events('workload.desired.changed')).toEqual([
      expect.objectContaining({ workload: 'Deployment/web', desired: 6 }),
    ]);
  });

  it('spreads pods evenly across zones', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 9, spreadAcrossZones: true })]);
    addZonalNodes(f, 3);
    f.run(20_000);
    const perZone = new Map<string, number>();
    for (const p of f.active('Deployment/web')) {
      const zone = zoneOf(f.store.nodes.get(p.spec.nodeName!)!);
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    expect([...perZone.values()]).toEqual([3, 3, 3]);
  });

  it('replaces a Terminating pod as soon as it observes the deletionTimestamp, while the old one lingers', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 3 })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    const victim = f.active('Deployment/web')[0];
    f.nodes.kill(victim.spec.nodeName!);
    f.store.deletePod(victim.metadata.name, { reason: 'test' }, 'test');
    f.run(20_200);
    expect(f.active('Deployment/web')).toHaveLength(3);
    expect(f.pods('Deployment/web')).toHaveLength(4);
    const created = f.events('pod.created').filter((e) => (e.atMs as number) > 20_000);
    expect(created).toHaveLength(1);
    expect(created[0].atMs as number).toBeLessThan(20_100);
  });

  it('scales down newest not-ready pods first with reason scale-down', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 2 })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    // A stray pod of the same workload: one too many.
    f.store.create(
      {
        ...f.active('Deployment/web')[0],
        metadata: { ...f.active('Deployment/web')[0].metadata, name: 'web-extra' },
        spec: { ...f.active('Deployment/web')[0].spec, nodeName: undefined },
        status: { phase: 'Pending', ready: false },
      },
      'test',
    );
    f.run(20_010);
    expect(f.events('pod.deleted')).toEqual([expect.objectContaining({ pod: 'web-extra', reason: 'scale-down' })]);
  });

  it('accounts the PodDisruptionBudget', () => {
    const f = fixture([
      workload('Deployment', 'web', {
        replicas: 4,
        podDisruptionBudget: { minAvailable: { value: 3, percent: false } },
      }),
    ]);
    addZonalNodes(f, 1);
    f.run(20_000);
    const rs = f.cluster.controllerManagers[0].controllers.find(
      (c) => c.name === 'replicaset-controller',
    ) as WorkloadController;
    expect(rs.pdbStatus('Deployment/web')).toEqual({
      expectedPods: 4,
      currentHealthy: 4,
      desiredHealthy: 3,
      disruptionsAllowed: 1,
    });
  });
});

describe('StatefulSet controller', () => {
  it('creates ordinals in order and does not replace a Terminating pod until its object is removed', () => {
    const f = fixture([workload('StatefulSet', 'db', { replicas: 3 })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    expect(f.active('StatefulSet/db').map((p) => p.metadata.name)).toEqual(['db-0', 'db-1', 'db-2']);
    const created = f.events('pod.created').map((e) => [e.pod, e.atMs as number] as const);
    expect(created.map(([p]) => p)).toEqual(['db-0', 'db-1', 'db-2']);
    // OrderedReady: db-1 only after db-0 is Running and Ready (the fake kubelet takes 1 s).
    expect(created[1][1] - created[0][1]).toBeGreaterThanOrEqual(1000);

    const old = f.store.pods.get('db-1')!;
    f.nodes.kill(old.spec.nodeName!);
    f.store.deletePod('db-1', { reason: 'test' }, 'test');
    f.run(120_000);
    expect(f.store.pods.get('db-1')!.metadata.uid).toBe(old.metadata.uid);
    expect(f.store.pods.get('db-1')!.metadata.deletionTimestampMs).toBeDefined();
    expect(f.events('pod.created')).toHaveLength(3);

    f.store.deletePod('db-1', { gracePeriodSeconds: 0, reason: 'force-delete' }, 'test');
    f.run(125_000);
    const again = f.store.pods.get('db-1')!;
    expect(again.metadata.uid).not.toBe(old.metadata.uid);
    expect(again.metadata.deletionTimestampMs).toBeUndefined();
    expect(again.spec.nodeName).toBeDefined();
  });
});

describe('DaemonSet controller', () => {
  it('runs one pod on every eligible node, bound directly, with infinite not-ready/unreachable tolerations', () => {
    const f = fixture([workload('DaemonSet', 'agent', { nodeSelector: { pool: 'general' } })]);
    addZonalNodes(f, 1, { labels: { pool: 'general' } });
    f.nodes.add('gpu-0', { labels: { pool: 'gpu' } });
    f.run(10_000);
    const pods = f.active('DaemonSet/agent');
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(['worker-a-0', 'worker-b-0', 'worker-c-0']);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^agent-[a-z0-9]{5}$/);
      expect(p.spec.tolerations).toEqual(
        expect.arrayContaining([
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
          { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
        ]),
      );
      expect(p.spec.tolerations.some((t) => t.tolerationSeconds !== undefined)).toBe(false);
    }
    expect(f.events('workload.desired.changed').at(-1)).toEqual(
      expect.objectContaining({ workload: 'DaemonSet/agent', desired: 3 }),
    );

    f.nodes.add('worker-d-0', { labels: { pool: 'general' } });
    f.nodes.addTaint('worker-a-0', { key: TAINT_UNREACHABLE, effect: 'NoExecute' });
    f.run(20_000);
    expect(
      f
        .active('DaemonSet/agent')
        .map((p) => p.spec.nodeName)
        .sort(),
    ).toEqual(['worker-a-0', 'worker-b-0', 'worker-c-0', 'worker-d-0']);
    expect(f.events('workload.desired.changed').at(-1)).toEqual(expect.objectContaining({ desired: 4 }));
  });
});

describe('PodGC', () => {
  it('force-deletes pods of a deleted node after the 40 s quarantine', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 3 })]);
    addZonalNodes(f, 1);
    f.run(30_000);
    const victim = f.active('Deployment/web').find((p) => p.spec.nodeName === 'worker-a-0')!;
    f.nodes.kill('worker-a-0');
    f.store.deleteNode('worker-a-0', 'test');
    f.run(200_000);
    const removed = f.events('pod.removed').find((e) => e.pod === victim.metadata.name)!;
    expect(f.events('pod.deleted').find((e) => e.pod === victim.metadata.name)).toEqual(
      expect.objectContaining({ reason: 'pod-gc' }),
    );
    // Seen missing at a 20 s pass, confirmed at the first pass 40 s later or more.
    expect(removed.atMs as number).toBeGreaterThanOrEqual(30_000 + 40_000);
    expect(removed.atMs as number).toBeLessThanOrEqual(30_000 + 40_000 + 2 * 20_000 + 1_000);
    expect(f.active('Deployment/web')).toHaveLength(3);
  });

  it('force-deletes Terminating pods on a NotReady out-of-service node', () => {
    const f = fixture([workload('StatefulSet', 'db', { replicas: 1 })]);
    addZonalNodes(f, 1);
    f.run(20_000);
    const node = f.store.pods.get('db-0')!.spec.nodeName!;
    f.nodes.kill(node);
    f.nodes.setReady(node, 'False');
    f.store.deletePod('db-0', { reason: 'test' }, 'test');
    f.run(60_000);
    expect(f.store.pods.get('db-0')!.metadata.deletionTimestampMs).toBeDefined();
    f.nodes.addTaint(node, { key: TAINT_OUT_OF_SERVICE, value: 'nodeshutdown', effect: 'NoExecute' });
    f.run(90_000);
    const removed = f.events('pod.removed').filter((e) => e.pod === 'db-0');
    expect(removed).toHaveLength(1);
    expect(removed[0].atMs as number).toBeLessThanOrEqual(60_000 + 21_000);
    // The StatefulSet gets its name back and places the pod elsewhere.
    expect(f.store.pods.get('db-0')!.metadata.deletionTimestampMs).toBeUndefined();
    expect(f.store.pods.get('db-0')!.spec.nodeName).not.toBe(node);
  });
});

// The attach-detach controller, the kubelet's wait for attach and the StatefulSet's zone pin
// (src/model/volume, docs/fidelity.md#volumes), run end to end. Tests named Test_* reproduce cases of
// kubernetes/kubernetes pkg/controller/volume/attachdetach/reconciler/reconciler_test.go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../../src/runner/run-scenario.js';
import type { TraceEvent, TraceEventOf, TraceEventType } from '../../../src/trace/events.js';
import { load } from '../../scenario/parse-helpers.js';

const MAX_WAIT_MS = 6 * 60_000;
const LOOP_MS = 100;

function ofType<K extends TraceEventType>(events: readonly TraceEvent[], type: K): TraceEventOf<K>[] {
  return events.filter((e): e is TraceEventOf<K> => e.type === type);
}

function library(file: string): string {
  return readFileSync(join(process.cwd(), 'scenarios', file), 'utf8');
}

/** A cluster of `perZone` nodes in each of zone-a and zone-b, one StatefulSet `db` with a claim `data`. */
function cluster(opts: { perZone: number; replicas: number; faults: string; accessModes?: string; duration?: string }) {
  return `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: volumes }
spec:
  duration: ${opts.duration ?? '20m'}
  nodes:
    - { name: worker-a, count: ${opts.perZone}, zone: zone-a }
    - { name: worker-b, count: ${opts.perZone}, zone: zone-b }
  workloads:
    - kind: StatefulSet
      name: db
      replicas: ${opts.replicas}
      volumeClaimTemplates:
        - { name: data, accessModes: [${opts.accessModes ?? 'ReadWriteOnce'}], storage: 10Gi }
  faults:
${opts.faults}
`;
}

describe('attach', () => {
  test('Test_Run_Positive_OneDesiredVolumeAttach: each pod gets its disk attached, and its containers start only after', () => {
    const { events } = runScenario(load(cluster({ perZone: 1, replicas: 2, faults: '    []', duration: '3m' })), {
      seed: 1,
    });
    const attached = ofType(events, 'volume.attached');
    expect(attached.map((e) => e.claim).sort()).toEqual(['data-db-0', 'data-db-1']);
    for (const a of attached) {
      const pod = a.claim.replace('data-', '');
      const started = ofType(events, 'pod.started').find((e) => e.pod === pod)!;
      expect(started.node).toBe(a.node);
      expect(started.atMs).toBeGreaterThan(a.atMs);
      const begun = ofType(events, 'volume.attach.started').find((e) => e.claim === a.claim)!;
      // The default attach time, 5 s to 20 s.
      expect(a.atMs - begun.atMs).toBeGreaterThanOrEqual(5_000);
      expect(a.atMs - begun.atMs).toBeLessThanOrEqual(20_000);
    }
    expect(ofType(events, 'volume.detach.started')).toEqual([]);
    expect(ofType(events, 'volume.multiattach.error')).toEqual([]);
  });

  test('a ReadWriteMany claim is a shared file system: no attach, no wait, no zone', () => {
    const { events } = runScenario(
      load(cluster({ perZone: 1, replicas: 1, faults: '    []', accessModes: 'ReadWriteMany', duration: '1m' })),
      { seed: 1 },
    );
    expect(events.filter((e) => e.type.startsWith('volume.'))).toEqual([]);
    expect(ofType(events, 'pod.started')).toHaveLength(1);
  });
});

describe('force detach after maxWaitForUnmountDuration (statefulset-volume-force-detach.yaml)', () => {
  const scenario = load(library('statefulset-volume-force-detach.yaml'));
  test.each([1, 2, 3, 13])(
    'Test_Run_OneVolumeDetachOnUnhealthyNode, seed %i: the disk stays attached to the dead node until 6 min after the detach was wanted',
    (seed) => {
      const { events } = runScenario(scenario, { seed });
      const forced = ofType(events, 'volume.detach.started').filter((e) => e.reason === 'maxWaitForUnmountDuration');
      const crashed = ofType(events, 'fault.started').find((e) => e.faultType === 'node-crash')!.targets[0];
      const victims = ofType(events, 'pod.scheduled').filter((e) => e.node === crashed && e.atMs < 120_000);
      if (victims.length === 0) {
        // This seed put no ledger pod on the crashed node: nothing to detach.
        expect(forced).toEqual([]);
        return;
      }
      expect(forced).toHaveLength(1);
      const f = forced[0];
      expect(f.node).toBe(crashed);
      // The force delete removes the pod at 10m; the next reconcile (100 ms) wants the detach.
      const removed = ofType(events, 'pod.removed').find((e) => e.atMs >= 600_000)!;
      expect(f.waitedMs).toBeGreaterThan(MAX_WAIT_MS);
      expect(f.waitedMs).toBeLessThanOrEqual(MAX_WAIT_MS + LOOP_MS);
      expect(f.atMs - removed.atMs).toBeGreaterThan(MAX_WAIT_MS);
      expect(f.atMs - removed.atMs).toBeLessThanOrEqual(MAX_WAIT_MS + 2 * LOOP_MS);
      // Until then the replacement is not started anywhere; after, it is attached, then started.
      const pod = removed.pod;
      const started = ofType(events, 'pod.started').filter((e) => e.pod === pod && e.atMs > removed.atMs);
      expect(started).toHaveLength(1);
      const attached = ofType(events, 'volume.attached').find((e) => e.atMs > f.atMs)!;
      expect(started[0].atMs).toBeGreaterThan(attached.atMs);
      expect(started[0].node).toBe(attached.node);
    },
  );

  test('Test_ReportMultiAttachError: the replacement reports one Multi-Attach error naming the node the disk is on', () => {
    const { events } = runScenario(scenario, { seed: 13 });
    const errors = ofType(events, 'volume.multiattach.error');
    expect(errors).toEqual([
      {
        atMs: errors[0].atMs,
        type: 'volume.multiattach.error',
        claim: 'data-ledger-1',
        node: 'worker-b-0',
        pod: 'ledger-1',
        attachedTo: 'worker-b-1',
      },
    ]);
    expect(errors[0].atMs).toBeLessThan(600_000 + 1_000);
  });

  test('the replacement stays in its disk zone: it is created with a required node-affinity term on the zone', () => {
    const { events } = runScenario(scenario, { seed: 13 });
    const bound = ofType(events, 'volume.bound').find((e) => e.claim === 'data-ledger-1')!;
    expect(bound.zone).toBe('zone-b');
    const replaced = ofType(events, 'pod.scheduled').filter((e) => e.pod === 'ledger-1');
    expect(replaced.map((e) => e.node)).toEqual(['worker-b-1', 'worker-b-0']);
  });
});

describe('a new controller-manager leader', () => {
  test('starts the maxWaitForUnmountDuration wait afresh (the detach request time is in the old leader memory)', () => {
    const text = library('statefulset-volume-force-detach.yaml')
      .replace('  duration: 20m', '  duration: 25m')
      .replace(
        '  faults:\n',
        '  faults:\n    - { name: kcm-crash, type: controller-manager-crash, at: 13m, target: { instance: leader } }\n',
      );
    const { events } = runScenario(load(text), { seed: 13 });
    const acquired = ofType(events, 'leader.acquired').filter(
      (e) => e.component === 'kube-controller-manager' && e.atMs > 13 * 60_000,
    )[0];
    const forced = ofType(events, 'volume.detach.started').filter((e) => e.reason === 'maxWaitForUnmountDuration');
    expect(forced).toHaveLength(1);
    // Not at 16:00 (6 min after the force delete) but 6 min after the new leader's controllers started.
    expect(forced[0].atMs).toBeGreaterThan(acquired.atMs + MAX_WAIT_MS);
    expect(forced[0].atMs).toBeLessThan(acquired.atMs + MAX_WAIT_MS + 5_000);
  });
});

describe('out-of-service taint (statefulset-volume-out-of-service.yaml)', () => {
  test('Test_Run_OneVolumeDetachOnOutOfServiceTaintedNode: the disk is force-detached at once, without the 6-minute wait', () => {
    const { events } = runScenario(load(library('statefulset-volume-out-of-service.yaml')), { seed: 13 });
    const detaches = ofType(events, 'volume.detach.started');
    expect(detaches).toHaveLength(1);
    expect(detaches[0]).toMatchObject({ claim: 'data-ledger-1', node: 'worker-b-1', reason: 'out-of-service' });
    expect(detaches[0].waitedMs).toBeLessThanOrEqual(LOOP_MS);
    const ready = ofType(events, 'pod.ready.changed').filter((e) => e.pod === 'ledger-1' && e.ready);
    expect(ready.at(-1)!.atMs).toBeLessThan(11 * 60_000 + 30_000);
  });
});

describe('zone pin and unhealthy nodes', () => {
  test('Test_Run_OneVolumeDetachOnNoOutOfServiceTaintedNode: without the taint, a dead node keeps the disk until the timeout', () => {
    // One node per zone: db-0 on the crashed node can only come back in its own zone, where no other node is.
    const s = load(
      cluster({
        perZone: 1,
        replicas: 1,
        duration: '12m',
        faults: `    - { name: crash, type: node-crash, at: 2m, target: { node: worker-a } }
    - { name: force, type: pod-force-delete, at: 4m, target: { workload: StatefulSet/db } }`,
      }),
    );
    const { events } = runScenario(s, { seed: 1 });
    const bound = ofType(events, 'volume.bound')[0];
    const removedAt = ofType(events, 'pod.removed').find((e) => e.pod === 'db-0')!.atMs;
    // The replacement is never scheduled to the other zone: it stays Pending.
    const after = ofType(events, 'pod.scheduled').filter((e) => e.pod === 'db-0' && e.atMs > removedAt);
    expect(after).toEqual([]);
    // Nobody else wants the disk, so there is no Multi-Attach error; it is still force-detached after 6 min.
    const detach = ofType(events, 'volume.detach.started');
    expect(detach).toHaveLength(1);
    expect(detach[0]).toMatchObject({ claim: 'data-db-0', node: bound.node, reason: 'maxWaitForUnmountDuration' });
    expect(detach[0].atMs - removedAt).toBeGreaterThan(MAX_WAIT_MS);
  });

  test('Test_Run_Positive_OneDesiredVolumeAttachThenDetachWithUnmountedVolume: a pod deleted on a live node is detached as soon as it is unmounted', () => {
    const s = load(
      cluster({
        perZone: 2,
        replicas: 1,
        duration: '6m',
        faults: `    - { name: drain, type: node-drain, at: 2m, target: { node: worker-a-0 } }`,
      }),
    );
    const { events } = runScenario(s, { seed: 1 });
    const detach = ofType(events, 'volume.detach.started');
    expect(detach).toHaveLength(1);
    expect(detach[0].reason).toBe('unmounted');
    const stopped = ofType(events, 'pod.stopped').find((e) => e.pod === 'db-0')!;
    expect(detach[0].atMs - stopped.atMs).toBeLessThan(5_000);
    // The replacement lands in the same zone, gets the disk, and starts.
    const bound = ofType(events, 'volume.bound')[0];
    const scheduled = ofType(events, 'pod.scheduled').filter((e) => e.pod === 'db-0');
    expect(scheduled).toHaveLength(2);
    expect(scheduled[1].node.startsWith(bound.zone === 'zone-a' ? 'worker-a' : 'worker-b')).toBe(true);
    const attached = ofType(events, 'volume.attached').at(-1)!;
    expect(attached.node).toBe(scheduled[1].node);
  });
});

// The node lifecycle controller's decisions against upstream vectors V1–V17 and Z1–Z9
// (docs/fidelity.md#vectors-v1-to-v17, docs/fidelity.md#vectors-z1-to-z9), driven through NlcHarness with an injected controller clock.
import { lease, node, cond, pod } from './fixtures.js';
import { NlcHarness } from './nlc-harness.js';

const T0 = Date.UTC(2015, 0, 1, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;
const Y2012 = Date.UTC(2012, 0, 1);

const healthy = (t: number) => [cond('Ready', 'True', t, t)];
const unknownAt = (t: number) => [cond('Ready', 'Unknown', t, t)];

describe('health and Unknown marking (§7.2)', () => {
  test('V1 a node that never posted status goes Unknown (NodeStatusNeverUpdated) after the startup grace', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012 }));
    h.monitor(T0);
    expect(h.nodeStatusUpdates).toHaveLength(1);
    const conds = h.nodes.get('node0')!.status.conditions;
    expect(conds.map((c) => c.type)).toEqual(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']);
    for (const c of conds) {
      expect(c).toMatchObject({
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        lastHeartbeatTimeMs: Y2012,
        lastTransitionTimeMs: T0,
      });
    }
    expect(h.podStatusUpdates).toEqual([]);
  });

  test('V2 a node created now without status is left alone (startup grace 60 s)', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: T0 }));
    h.monitor(T0);
    expect(h.nodeStatusUpdates).toHaveLength(0);
  });

  test('V3 a Ready node whose status stops changing goes Unknown (NodeStatusUnknown) and its pods NotReady', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
    h.pods.set('pod0', pod('pod0', 'node0'));
    h.monitor(T0);
    h.monitor(T0 + HOUR);
    const ready = h.ready('node0')!;
    expect(ready).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTimeMs: T0,
      lastTransitionTimeMs: T0 + HOUR,
    });
    const mem = h.nodes.get('node0')!.status.conditions.find((c) => c.type === 'MemoryPressure')!;
    expect(mem).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', lastHeartbeatTimeMs: Y2012 });
    expect(h.podStatusUpdates).toEqual(['pod0']);
    expect(h.pods.get('pod0')!.status.ready).toBe(false);
  });

  test('V4 a fresh Ready node: nothing happens', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
    h.monitor(T0);
    expect(h.nodeStatusUpdates).toHaveLength(0);
  });

  test('V5 marks node Unknown only strictly after nodeMonitorGracePeriod (50 s) without a renewal', () => {
    for (const [dt, unknown] of [
      [60_000, true],
      [50_000, false],
      [50_001, true],
    ] as const) {
      const h = new NlcHarness();
      h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
      h.pods.set('pod0', pod('pod0', 'node0'));
      h.monitor(T0);
      h.monitor(T0 + dt);
      expect(h.ready('node0')!.status).toBe(unknown ? 'Unknown' : 'True');
      expect(h.podStatusUpdates).toEqual(unknown ? ['pod0'] : []);
    }
  });

  test('V6 a renewed lease keeps a node that never posted status alive', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012 }));
    h.leases.set('node0', lease('node0', T0));
    h.monitor(T0);
    h.leases.set('node0', lease('node0', T0 + HOUR));
    h.monitor(T0 + HOUR);
    expect(h.nodeStatusUpdates).toHaveLength(0);
  });

  test('V7 without a renewal the same node goes Unknown (NodeStatusNeverUpdated)', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012 }));
    h.leases.set('node0', lease('node0', T0));
    h.monitor(T0);
    h.monitor(T0 + HOUR);
    expect(h.ready('node0')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      lastTransitionTimeMs: T0 + HOUR,
    });
  });

  test('V8 a stale status with a renewed lease: no change', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
    h.leases.set('node0', lease('node0', T0));
    h.monitor(T0);
    h.leases.set('node0', lease('node0', T0 + HOUR));
    h.monitor(T0 + HOUR);
    expect(h.nodeStatusUpdates).toHaveLength(0);
  });

  test('V9 a fresh status heartbeat with a stale lease: no change', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
    h.leases.set('node0', lease('node0', T0));
    h.monitor(T0);
    h.setConditions('node0', [cond('Ready', 'True', T0 + HOUR, T0)]);
    h.monitor(T0 + HOUR);
    expect(h.nodeStatusUpdates).toHaveLength(0);
  });

  test('V10 status and lease both stale: Unknown and pods NotReady', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
    h.leases.set('node0', lease('node0', T0));
    h.pods.set('pod0', pod('pod0', 'node0'));
    h.monitor(T0);
    h.monitor(T0 + HOUR);
    expect(h.ready('node0')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(h.podStatusUpdates).toEqual(['pod0']);
  });

  test('V11 MarkPodsNotReady happens once; a failed pod update is retried on the next pass', () => {
    for (const [failures, expected] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const h = new NlcHarness();
      h.addNode(node('node0', { created: Y2012, conditions: healthy(T0) }));
      h.pods.set('pod0', pod('pod0', 'node0'));
      h.failPodUpdates = failures;
      h.monitor(T0);
      h.monitor(T0 + MIN);
      h.setConditions('node0', [cond('Ready', 'False', T0 + MIN, T0 + MIN)]);
      h.monitor(T0 + MIN);
      expect(h.podStatusUpdates).toHaveLength(expected);
    }
  });

  test('V12 the status saved in the health map is the current condition', () => {
    for (const conditions of [healthy(T0), [cond('Ready', 'False', T0)], unknownAt(T0), []]) {
      for (const created of [T0, T0 - 365 * 24 * HOUR]) {
        const h = new NlcHarness();
        h.addNode(node('node0', { created, conditions }));
        h.nowMs = T0;
        const r = h.core.tryUpdateNodeHealth(h.nodes.get('node0')!);
        const current = r.update ? r.update.status.conditions.find((c) => c.type === 'Ready') : r.current;
        if (!r.update) expect(h.core.health.get('node0')!.savedReady).toEqual(current);
        else expect(current!.status).toBe('Unknown');
      }
    }
  });

  test('V13 a node already Unknown when first seen gets no NodeNotReady: observed is Unknown, probe is now', () => {
    const h = new NlcHarness();
    const since = Date.UTC(2015, 7, 10);
    h.addNode(node('node0', { created: since, conditions: unknownAt(since) }));
    h.pods.set('pod0', pod('pod0', 'node0'));
    h.monitor(Date.UTC(2016, 8, 10));
    expect(h.nodeStatusUpdates).toHaveLength(0);
    expect(h.podStatusUpdates).toEqual([]);
    expect(h.core.health.get('node0')!.probeTimestampMs).toBe(Date.UTC(2016, 8, 10));
  });
});

describe('taints (§7.3)', () => {
  const T17 = Date.UTC(2017, 0, 1, 12);
  const T15 = Date.UTC(2015, 0, 1, 12);

  test('V14 Unknown gets unreachable:NoExecute, False gets not-ready:NoExecute; a node back to Ready loses it', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: T15, zone: 'z1', conditions: unknownAt(T15) }));
    h.addNode(node('node1', { created: T15, zone: 'z1', conditions: healthy(T17) }));
    h.addNode(node('node2', { created: T15, zone: 'z1', conditions: [cond('Ready', 'False', T15)] }));
    h.monitor(T17);
    h.taintPass();
    expect(h.taints('node0')).toEqual(['node.kubernetes.io/unreachable:NoExecute']);
    expect(h.taints('node1')).toEqual([]);
    expect(h.taints('node2')).toEqual(['node.kubernetes.io/not-ready:NoExecute']);
    h.setConditions('node2', [cond('Ready', 'True', T17 + 10_000, T17 + 10_000)]);
    h.monitor(T17 + 10_000);
    h.taintPass();
    expect(h.taints('node2')).toEqual([]);
  });

  test('V14 a node whose Ready condition disappears between enqueue and tainting is not tainted', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: T15, zone: 'z1', conditions: unknownAt(T15) }));
    h.addNode(node('node1', { created: T15, zone: 'z1', conditions: healthy(T17) }));
    h.monitor(T17);
    h.setConditions('node0', []);
    h.taintPass();
    expect(h.taints('node0')).toEqual([]);
  });

  test('V15 enqueuing twice and a node turning Ready while queued do not block later nodes', () => {
    const h = new NlcHarness();
    h.addNode(node('node0', { created: T15, zone: 'z1', conditions: unknownAt(T15) }));
    h.addNode(node('node1', { created: T15, zone: 'z1', conditions: healthy(T17) }));
    h.addNode(node('node2', { created: T15, zone: 'z1', conditions: [cond('Ready', 'False', T15)] }));
    h.monitor(T17);
    h.monitor(T17); // enqueue twice
    h.setConditions('node0', healthy(T17 + 1));
    h.addNode(node('node3', { created: T15, zone: 'z1', conditions: unknownAt(T15) }));
    h.addNode(node('node5', { created: T15, zone: 'z1', conditions: [cond('Ready', 'False', T15)] }));
    h.addNode(node('node4', { created: T15, zone: 'z1', conditions: healthy(T17) }));
    h.monitor(T17 + 1);
    h.taintPass();
    expect(h.taints('node0')).toEqual([]);
    expect(h.taints('node2')).toEqual(['node.kubernetes.io/not-ready:NoExecute']);
    expect(h.taints('node3')).toEqual(['node.kubernetes.io/unreachable:NoExecute']);
    expect(h.taints('node5')).toEqual(['node.kubernetes.io/not-ready:NoExecute']);
  });

  test('V16 unreachable swaps to not-ready at once when the node reports False (not rate limited)', () => {
    const h = new NlcHarness({ nodeEvictionRate: 0.000001 });
    h.addNode(node('node0', { created: T15, zone: 'z1', conditions: unknownAt(T15) }));
    h.addNode(node('node1', { created: T15, zone: 'z1', conditions: healthy(T17) }));
    h.monitor(T17);
    h.taintPass();
    expect(h.taints('node0')).toEqual(['node.kubernetes.io/unreachable:NoExecute']);
    h.setConditions('node0', [cond('Ready', 'False', T17 + 9 * MIN, T17 + 9 * MIN)]);
    h.setConditions('node1', [cond('Ready', 'True', T17 + 9 * MIN, T17)]);
    h.monitor(T17 + 9 * MIN);
    expect(h.taints('node0')).toEqual(['node.kubernetes.io/not-ready:NoExecute']);
  });

  test('V17 NoSchedule taints from conditions', () => {
    const cases: Array<[ReturnType<typeof cond>[], string[]]> = [
      [
        [cond('NetworkUnavailable', 'True', T0), cond('Ready', 'True', T0)],
        ['node.kubernetes.io/network-unavailable:NoSchedule'],
      ],
      [[cond('Ready', 'False', T0)], ['node.kubernetes.io/not-ready:NoSchedule']],
      [[cond('Ready', 'Unknown', T0)], ['node.kubernetes.io/unreachable:NoSchedule']],
    ];
    for (const [conditions, taints] of cases) {
      const h = new NlcHarness();
      h.addNode(node('node0', { created: T0, conditions }));
      h.core.onNodeChanged(h.nodes.get('node0')!);
      expect(h.taints('node0')).toEqual(taints);
      h.setConditions('node0', healthy(T0 + 1));
      h.core.onNodeChanged(h.nodes.get('node0')!);
      expect(h.taints('node0')).toEqual([]);
    }
  });
});

describe('zone states (§7.1): pass 1 at T0, pass 2 at T0 + 60 min', () => {
  const T60 = T0 + HOUR;
  const states = (h: NlcHarness, zones: string[]) => zones.map((z) => h.zoneState(z));

  test('Z1 one healthy node in zone "": Normal, Normal', () => {
    const h = new NlcHarness();
    h.addNode(node('n0', { created: Y2012, conditions: healthy(T0) }));
    h.monitor(T0);
    expect(h.zoneState('')).toBe('Normal');
    h.setConditions('n0', healthy(T60));
    h.monitor(T60);
    expect(h.zoneState('')).toBe('Normal');
  });

  test('Z2 two Unknown zones are Full; the one that recovers becomes Normal', () => {
    const h = new NlcHarness();
    h.addNode(node('n1', { created: Y2012, zone: 'z1', conditions: unknownAt(T0) }));
    h.addNode(node('n2', { created: Y2012, zone: 'z2', conditions: unknownAt(T0) }));
    h.monitor(T0);
    expect(states(h, ['z1', 'z2'])).toEqual(['FullDisruption', 'FullDisruption']);
    h.setConditions('n2', healthy(T60));
    h.monitor(T60);
    expect(states(h, ['z1', 'z2'])).toEqual(['FullDisruption', 'Normal']);
  });

  test('Z3 four nodes without conditions are Full; 3 unhealthy + 1 healthy is Partial', () => {
    const h = new NlcHarness();
    for (let i = 0; i < 4; i++) h.addNode(node(`n${i}`, { created: Y2012, zone: 'z1' }));
    h.monitor(T0);
    expect(h.zoneState('z1')).toBe('FullDisruption');
    for (let i = 0; i < 3; i++) h.setConditions(`n${i}`, unknownAt(T0));
    h.setConditions('n3', healthy(T60));
    h.monitor(T60);
    expect(h.zoneState('z1')).toBe('PartialDisruption');
  });

  test('Z4 2 Unknown + 3 True is Normal; 3 unhealthy + 2 healthy is Partial (0.6)', () => {
    const h = new NlcHarness();
    for (let i = 0; i < 2; i++) h.addNode(node(`u${i}`, { created: Y2012, zone: 'z1', conditions: unknownAt(T0) }));
    for (let i = 0; i < 3; i++) h.addNode(node(`h${i}`, { created: Y2012, zone: 'z1', conditions: healthy(T0) }));
    h.monitor(T0);
    expect(h.zoneState('z1')).toBe('Normal');
    h.setConditions('h0', unknownAt(T0));
    for (const n of ['h1', 'h2']) h.setConditions(n, healthy(T60));
    h.monitor(T60);
    expect(h.zoneState('z1')).toBe('PartialDisruption');
  });

  test('Z5 2 Unknown + 1 True is Normal; all 3 unhealthy is Full', () => {
    const h = new NlcHarness();
    for (let i = 0; i < 2; i++) h.addNode(node(`u${i}`, { created: Y2012, zone: 'z1', conditions: unknownAt(T0) }));
    h.addNode(node('h0', { created: Y2012, zone: 'z1', conditions: healthy(T0) }));
    h.monitor(T0);
    expect(h.zoneState('z1')).toBe('Normal');
    h.setConditions('h0', unknownAt(T0));
    h.monitor(T60);
    expect(h.zoneState('z1')).toBe('FullDisruption');
  });

  test('Z6 z1 Unknown, z2 True and not updated: Full and Normal, then unchanged (z2 goes Unknown too late to count)', () => {
    const h = new NlcHarness();
    h.addNode(node('n1', { created: Y2012, zone: 'z1', conditions: unknownAt(T0) }));
    h.addNode(node('n2', { created: Y2012, zone: 'z2', conditions: healthy(T0) }));
    h.monitor(T0);
    expect(states(h, ['z1', 'z2'])).toEqual(['FullDisruption', 'Normal']);
  });

  test('Z7 two regions, both unhealthy: Full, Full', () => {
    const h = new NlcHarness();
    h.addNode(node('n1', { created: Y2012, region: 'region1', zone: 'z1', conditions: unknownAt(T0) }));
    h.addNode(node('n2', { created: Y2012, region: 'region2', zone: 'z2', conditions: unknownAt(T0) }));
    h.monitor(T0);
    expect(states(h, ['region1:z1', 'region2:z2'])).toEqual(['FullDisruption', 'FullDisruption']);
    h.monitor(T60);
    expect(states(h, ['region1:z1', 'region2:z2'])).toEqual(['FullDisruption', 'FullDisruption']);
  });

  test('Z8 a healthy node whose conditions are removed makes its zone Full', () => {
    const h = new NlcHarness();
    h.addNode(node('n1', { created: Y2012, zone: 'z1', conditions: healthy(T0) }));
    h.monitor(T0);
    expect(h.zoneState('z1')).toBe('Normal');
    h.setConditions('n1', []);
    h.monitor(T60);
    expect(h.zoneState('z1')).toBe('FullDisruption');
  });

  test('Z9 a node labelled exclude-disruption is left out of the zone statistics', () => {
    const h = new NlcHarness();
    h.addNode(node('n1', { created: Y2012, zone: 'z1', conditions: unknownAt(T0) }));
    h.addNode(
      node('n2', {
        created: Y2012,
        zone: 'z1',
        conditions: healthy(T0),
        labels: { 'node.kubernetes.io/exclude-disruption': '' },
      }),
    );
    h.monitor(T0);
    expect(h.zoneState('z1')).toBe('FullDisruption');
    h.setConditions('n2', healthy(T60));
    h.monitor(T60);
    expect(h.zoneState('z1')).toBe('FullDisruption');
  });

  test('zone.state.changed is reported from Initial too', () => {
    const h = new NlcHarness();
    h.addNode(node('n1', { created: Y2012, zone: 'z1', conditions: healthy(T0) }));
    h.monitor(T0);
    expect(h.zoneEvents).toEqual([{ zone: 'z1', from: 'Initial', to: 'Normal' }]);
  });
});

describe('disruption rules (§2.6)', () => {
  test('all zones down: NoExecute taints removed everywhere, nothing tainted, fresh grace on exit', () => {
    const h = new NlcHarness({ nodeEvictionRate: 0.1 });
    h.addNode(node('a', { created: Y2012, zone: 'z1', conditions: healthy(T0) }));
    h.addNode(node('b', { created: Y2012, zone: 'z2', conditions: healthy(T0) }));
    h.addNode(node('c', { created: Y2012, zone: 'z2', conditions: healthy(T0) }));
    h.monitor(T0);
    // c goes down alone and is tainted.
    h.setConditions('a', healthy(T0 + 55_000));
    h.setConditions('b', healthy(T0 + 55_000));
    h.monitor(T0 + 55_000);
    h.monitor(T0 + 60_000);
    h.taintPass();
    expect(h.taints('c')).toEqual(['node.kubernetes.io/unreachable:NoExecute']);
    // Then every node is down: master disruption mode.
    h.monitor(T0 + 200_000);
    h.monitor(T0 + 205_000);
    expect(h.zoneState('z1')).toBe('FullDisruption');
    expect(h.taints('c')).toEqual([]);
    h.nowMs += 60_000;
    h.taintPass();
    expect(h.taints('a')).toEqual([]);
    // a returns: fresh grace for everyone, c not re-tainted until its grace (from now) runs out again.
    h.setConditions('a', healthy(T0 + 300_000));
    h.monitor(T0 + 300_000);
    expect(h.zoneState('z1')).toBe('Normal');
    expect(h.core.health.get('c')!.probeTimestampMs).toBe(T0 + 300_000);
  });
});

// A pass takes a short path for a node it had nothing to do for last time, while the Node object stays
// the same (nlc-core.ts monitorNodeHealth). Each case runs with the short path and with the full path for
// every node, and must come out the same.
describe('the short path for quiet nodes', () => {
  test.each([false, true])(
    'an Unknown node taken out of its zone queue is queued again by the next pass (full path for every node: %s)',
    (full) => {
      const h = new NlcHarness({}, !full);
      h.addNode(node('node0', { created: Y2012, conditions: healthy(T0), zone: 'z1' }));
      h.addNode(node('node1', { created: Y2012, conditions: healthy(T0), zone: 'z2' }));
      h.monitor(T0);
      h.setConditions('node1', healthy(T0 + HOUR));
      h.monitor(T0 + HOUR); // node0 goes Unknown
      h.monitor(T0 + HOUR + 5_000); // and is queued for the taint
      h.taintPass();
      expect(h.taints('node0')).toEqual(['node.kubernetes.io/unreachable:NoExecute']);
      h.monitor(T0 + HOUR + 10_000); // (the tainted object) nothing to do for node0 now: quiet Unknown
      h.monitor(T0 + HOUR + 15_000);
      const queue = h.core.zoneQueues.get('z1')!;
      expect(queue.has('node0')).toBe(true);
      // Reachable again as far as the queue knows, but the taint swap fails: the Node object stays.
      h.failSwaps = 1;
      h.core.markNodeAsReachable(h.nodes.get('node0')!);
      expect(queue.has('node0')).toBe(false);
      h.monitor(T0 + HOUR + 20_000);
      expect(queue.has('node0')).toBe(true);
    },
  );
});

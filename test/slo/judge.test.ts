import type { SloSpec } from '../../src/scenario/types.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { judgeSlos } from '../../src/slo/judge.js';
import { summarizeFaults, summarizeWorkloads } from '../../src/slo/workload-summary.js';

const W = 'Deployment/web';

/** Three pods of web Ready by 10s on two nodes; at 60s fault f1 hits n1 (pods p0, p1). */
function base(): TraceEvent[] {
  return [
    { atMs: 0, type: 'node.created', node: 'n1', zone: 'z1' },
    { atMs: 0, type: 'node.created', node: 'n2', zone: 'z2' },
    { atMs: 0, type: 'node.ready.changed', node: 'n1', from: 'None', to: 'True', by: 'kubelet' },
    { atMs: 0, type: 'node.ready.changed', node: 'n2', from: 'None', to: 'True', by: 'kubelet' },
    { atMs: 0, type: 'workload.desired.changed', workload: W, desired: 3 },
    { atMs: 1000, type: 'pod.created', pod: 'p0', workload: W },
    { atMs: 1000, type: 'pod.created', pod: 'p1', workload: W },
    { atMs: 1000, type: 'pod.created', pod: 'p2', workload: W },
    { atMs: 2000, type: 'pod.scheduled', pod: 'p0', node: 'n1' },
    { atMs: 2000, type: 'pod.scheduled', pod: 'p1', node: 'n1' },
    { atMs: 2000, type: 'pod.scheduled', pod: 'p2', node: 'n2' },
    { atMs: 8000, type: 'pod.ready.changed', pod: 'p0', ready: true, by: 'kubelet' },
    { atMs: 9000, type: 'pod.ready.changed', pod: 'p1', ready: true, by: 'kubelet' },
    { atMs: 10000, type: 'pod.ready.changed', pod: 'p2', ready: true, by: 'kubelet' },
    { atMs: 60000, type: 'fault.started', fault: 'f1', faultType: 'node-crash', targets: ['n1'] },
  ];
}

/** n1 goes Unknown at 100s, its pods lose Ready then, are deleted at 400s; replacements Ready at 430s/440s. */
function outage(): TraceEvent[] {
  return [
    ...base(),
    {
      atMs: 100000,
      type: 'node.ready.changed',
      node: 'n1',
      from: 'True',
      to: 'Unknown',
      by: 'node-lifecycle-controller',
    },
    { atMs: 100000, type: 'pod.ready.changed', pod: 'p0', ready: false, by: 'node-lifecycle-controller' },
    { atMs: 100000, type: 'pod.ready.changed', pod: 'p1', ready: false, by: 'node-lifecycle-controller' },
    { atMs: 400000, type: 'pod.deleted', pod: 'p0', reason: 'taint-eviction' },
    { atMs: 400500, type: 'pod.deleted', pod: 'p1', reason: 'taint-eviction' },
    { atMs: 400100, type: 'pod.created', pod: 'p3', workload: W },
    { atMs: 400600, type: 'pod.created', pod: 'p4', workload: W },
    { atMs: 401000, type: 'pod.scheduled', pod: 'p3', node: 'n2' },
    { atMs: 401000, type: 'pod.scheduled', pod: 'p4', node: 'n2' },
    { atMs: 430000, type: 'pod.ready.changed', pod: 'p3', ready: true, by: 'kubelet' },
    { atMs: 440000, type: 'pod.ready.changed', pod: 'p4', ready: true, by: 'kubelet' },
  ].sort((a, b) => a.atMs - b.atMs) as TraceEvent[];
}

const END = 600000;
const judge = (slo: SloSpec, events: TraceEvent[] = outage()) => judgeSlos([slo], events, END)[0];

describe('recovery-time', () => {
  const slo = (maxMs: number): SloSpec => ({ name: 'back', type: 'recovery-time', workload: W, after: 'f1', maxMs });

  it('a bound past the end of a run that never saw the recovery breaks at the end of the run, not after it', () => {
    const events = outage().filter((e) => e.atMs < 400000);
    const r = judgeSlos([slo(20 * 60_000)], events, END)[0];
    expect(r.passed).toBe(false);
    expect(r.violatedAtMs).toBe(END);
  });

  it('measures from the fault start until desired Ready pods again, after the drop', () => {
    const r = judge(slo(420000));
    expect(r).toMatchObject({ passed: true, measuredMs: 380000, boundMs: 420000 });
    expect(r.message).toBe('Deployment/web recovered 6m20s after f1 started; bound 7m');
  });

  it('fails over the bound, at the moment the bound is crossed', () => {
    const r = judge(slo(300000));
    expect(r).toMatchObject({ passed: false, measuredMs: 380000, violatedAtMs: 360000 });
    expect(r.message).toBe('Deployment/web took 6m20s to recover after f1 started, over the 5m bound');
    expect(r.violatedBy).toMatchObject({ type: 'pod.ready.changed', pod: 'p1', ready: false });
  });

  it('is 0 when the workload never dropped below desired', () => {
    expect(judge(slo(1000), base())).toMatchObject({ passed: true, measuredMs: 0 });
  });

  it('fails with null when not recovered by the end of the run', () => {
    const events = outage().filter((e) => !(e.type === 'pod.ready.changed' && e.pod === 'p4'));
    const r = judge(slo(420000), events);
    expect(r).toMatchObject({ passed: false, measuredMs: null, violatedAtMs: 480000 });
    expect(r.message).toContain('not recovered by the end of the run');
  });
});

describe('min-available', () => {
  it('takes the lowest Ready count after the initial rollout', () => {
    const r = judge({ name: 'm', type: 'min-available', workload: W, min: { value: 1, percent: false } });
    expect(r).toMatchObject({ passed: true, measured: 1, bound: 1 });
    expect(r.message).toContain('ignored until it first reached desired at 00:10.0');
  });

  it('fails below the bound, broken by the event that took it there', () => {
    const r = judge({ name: 'm', type: 'min-available', workload: W, min: { value: 2, percent: false } });
    expect(r).toMatchObject({ passed: false, measured: 1, violatedAtMs: 100000 });
    expect(r.violatedBy).toMatchObject({ type: 'pod.ready.changed', pod: 'p1' });
  });

  it('judges a percentage of desired', () => {
    expect(judge({ name: 'm', type: 'min-available', workload: W, min: { value: 33, percent: true } })).toMatchObject({
      passed: true,
      measured: 33.3,
    });
    expect(judge({ name: 'm', type: 'min-available', workload: W, min: { value: 50, percent: true } })).toMatchObject({
      passed: false,
      measured: 33.3,
    });
  });

  it('looks only inside a window', () => {
    const r = judge({
      name: 'm',
      type: 'min-available',
      workload: W,
      min: { value: 3, percent: false },
      window: { fromMs: 450000, toMs: 600000 },
    });
    expect(r).toMatchObject({ passed: true, measured: 3 });
  });
});

describe('unavailable-time', () => {
  it('sums the time below desired after first reaching it', () => {
    const r = judge({ name: 'u', type: 'unavailable-time', workload: W, maxMs: 400000 });
    expect(r).toMatchObject({ passed: true, measuredMs: 340000 });
  });

  it('fails when the total crosses the bound, at the crossing', () => {
    const r = judge({ name: 'u', type: 'unavailable-time', workload: W, maxMs: 60000 });
    expect(r).toMatchObject({ passed: false, measuredMs: 340000, violatedAtMs: 160000 });
  });

  it('uses a threshold below desired', () => {
    const r = judge({
      name: 'u',
      type: 'unavailable-time',
      workload: W,
      threshold: { value: 2, percent: false },
      maxMs: 60000,
    });
    // Below 2 Ready from 100s until p3 is Ready at 430s.
    expect(r).toMatchObject({ passed: false, measuredMs: 330000 });
  });
});

describe('detection-time', () => {
  it('measures until every hit node is not Ready', () => {
    expect(judge({ name: 'd', type: 'detection-time', after: 'f1', maxMs: 50000 })).toMatchObject({
      passed: true,
      measuredMs: 40000,
    });
  });

  it('fails over the bound, at the moment it is crossed', () => {
    const r = judge({ name: 'd', type: 'detection-time', after: 'f1', maxMs: 30000 });
    expect(r).toMatchObject({ passed: false, measuredMs: 40000, violatedAtMs: 90000 });
    expect(r.message).toBe('detection took 40s (n1 was marked not Ready), over the 30s bound');
  });

  it('fails with null when a hit node is never marked', () => {
    expect(judge({ name: 'd', type: 'detection-time', after: 'f1', maxMs: 30000 }, base())).toMatchObject({
      passed: false,
      measuredMs: null,
    });
  });

  it('fails when the fault never started', () => {
    expect(judge({ name: 'd', type: 'detection-time', after: 'nope', maxMs: 30000 }).message).toContain(
      'never started',
    );
  });
});

describe('eviction-time', () => {
  it('measures until the last pod on the hit nodes is deleted', () => {
    expect(judge({ name: 'e', type: 'eviction-time', after: 'f1', maxMs: 360000 })).toMatchObject({
      passed: true,
      measuredMs: 340500,
    });
  });

  it('fails over the bound', () => {
    const r = judge({ name: 'e', type: 'eviction-time', after: 'f1', maxMs: 300000 });
    expect(r).toMatchObject({ passed: false, measuredMs: 340500, violatedAtMs: 360000 });
    expect(r.violatedBy).toMatchObject({ type: 'pod.deleted', pod: 'p1' });
  });

  it('fails with null when a pod is never deleted', () => {
    expect(judge({ name: 'e', type: 'eviction-time', after: 'f1', maxMs: 300000 }, base())).toMatchObject({
      passed: false,
      measuredMs: null,
    });
  });
  /** outage() plus a DaemonSet pod and a second Deployment's pod on n1: neither is deleted. */
  function withDaemonSet(): TraceEvent[] {
    const events = outage();
    const at = events.findIndex((e) => e.type === 'fault.started');
    events.splice(
      at,
      0,
      { atMs: 1000, type: 'pod.created', pod: 'ds-n1', workload: 'DaemonSet/node-agent' },
      { atMs: 2000, type: 'pod.scheduled', pod: 'ds-n1', node: 'n1' },
      { atMs: 1000, type: 'pod.created', pod: 'api-0', workload: 'Deployment/api' },
      { atMs: 2000, type: 'pod.scheduled', pod: 'api-0', node: 'n1' },
    );
    return events;
  }

  it('ignores DaemonSet pods, which tolerate unreachable forever and are never evicted', () => {
    const events = withDaemonSet().filter((e) => !('pod' in e && e.pod === 'api-0'));
    const r = judge({ name: 'e', type: 'eviction-time', after: 'f1', maxMs: 360000 }, events);
    expect(r).toMatchObject({ passed: true, measuredMs: 340500 });
    expect(r.message).toBe('all 2 pods on the hit nodes were deleted after 5m40.5s; bound 6m');
  });

  it('counts the pods of other workloads (a pod never deleted fails it)', () => {
    const r = judge({ name: 'e', type: 'eviction-time', after: 'f1', maxMs: 360000 }, withDaemonSet());
    expect(r).toMatchObject({ passed: false, measuredMs: null });
    expect(r.message).toContain('1 of 3 pods on the hit nodes (api-0) were never deleted');
  });

  it("with workload, only that workload's pods count", () => {
    const r = judge({ name: 'e', type: 'eviction-time', after: 'f1', workload: W, maxMs: 360000 }, withDaemonSet());
    expect(r).toMatchObject({ passed: true, measuredMs: 340500, workload: W });
    expect(r.message).toBe(`all 2 pods of ${W} on the hit nodes were deleted after 5m40.5s; bound 6m`);
    const api = judge(
      { name: 'e', type: 'eviction-time', after: 'f1', workload: 'Deployment/api', maxMs: 360000 },
      withDaemonSet(),
    );
    expect(api).toMatchObject({ passed: false, measuredMs: null });
  });

  it('passes with 0 when only DaemonSet pods ran on the hit nodes, and says so', () => {
    const events = withDaemonSet().filter((e) => !('pod' in e) || e.pod === 'ds-n1');
    const r = judge({ name: 'e', type: 'eviction-time', after: 'f1', maxMs: 1000 }, events);
    expect(r).toMatchObject({ passed: true, measuredMs: 0 });
    expect(r.message).toBe('no pods other than DaemonSet pods were running on the nodes hit by f1; bound 1s');
  });
});

describe('leader SLOs', () => {
  const C = 'kube-controller-manager' as const;
  const leaders: TraceEvent[] = [
    { atMs: 5000, type: 'leader.acquired', component: C, instance: 'a' },
    { atMs: 60000, type: 'component.stopped', component: C, instance: 'a' },
    { atMs: 77000, type: 'leader.acquired', component: C, instance: 'b' },
    { atMs: 200000, type: 'leader.acquired', component: C, instance: 'c' },
    { atMs: 203000, type: 'leader.lost', component: C, instance: 'b' },
    { atMs: 300000, type: 'leader.lost', component: C, instance: 'c' },
    { atMs: 310000, type: 'leader.acquired', component: C, instance: 'a' },
  ];

  it('leaderless-time is the longest gap after the first election', () => {
    const r = judgeSlos([{ name: 'l', type: 'leaderless-time', component: C, maxMs: 20000 }], leaders, END)[0];
    expect(r).toMatchObject({ passed: true, measuredMs: 17000 });
    expect(r.message).toContain('counted from the first election at 00:05.0');
  });

  it('leaderless-time fails at the moment the gap crosses the bound', () => {
    const r = judgeSlos([{ name: 'l', type: 'leaderless-time', component: C, maxMs: 15000 }], leaders, END)[0];
    expect(r).toMatchObject({ passed: false, measuredMs: 17000, violatedAtMs: 75000 });
    expect(r.violatedBy).toMatchObject({ type: 'component.stopped', instance: 'a' });
  });

  it('max-concurrent-leaders catches split brain', () => {
    const r = judgeSlos([{ name: 's', type: 'max-concurrent-leaders', component: C, max: 1 }], leaders, END)[0];
    expect(r).toMatchObject({ passed: false, measured: 2, bound: 1, violatedAtMs: 200000 });
    expect(
      judgeSlos([{ name: 's', type: 'max-concurrent-leaders', component: C, max: 2 }], leaders, END)[0],
    ).toMatchObject({ passed: true, measured: 2 });
  });
});

describe('stuck-terminating', () => {
  it('counts pods deleted but never removed', () => {
    const r = judge({ name: 's', type: 'stuck-terminating', workload: W, max: 0 });
    expect(r).toMatchObject({ passed: false, measured: 2, violatedAtMs: 400000 });
    expect(r.message).toContain('p0, p1');
    expect(judge({ name: 's', type: 'stuck-terminating', workload: W, max: 2 })).toMatchObject({
      passed: true,
      measured: 2,
    });
  });

  it('passes when every deleted pod was removed', () => {
    const events = [
      ...outage(),
      { atMs: 500000, type: 'pod.removed', pod: 'p0' },
      { atMs: 500000, type: 'pod.removed', pod: 'p1' },
    ] as TraceEvent[];
    expect(judge({ name: 's', type: 'stuck-terminating', workload: W, max: 0 }, events)).toMatchObject({
      passed: true,
      measured: 0,
    });
  });
});

describe('summaries', () => {
  it('summarizes workloads: desired, lowest Ready after rollout, when it recovered', () => {
    expect(summarizeWorkloads(outage(), END)).toEqual([
      { workload: W, desired: 3, minReady: 1, recoveredAtMs: 440000, fullAtMs: 10000 },
    ]);
    expect(summarizeWorkloads(base(), END)).toEqual([
      { workload: W, desired: 3, minReady: 3, recoveredAtMs: null, fullAtMs: 10000 },
    ]);
  });

  it('summarizes faults with their end, null when lasting to the end', () => {
    const events = [
      ...base(),
      { atMs: 90000, type: 'fault.ended', fault: 'f1', faultType: 'node-crash', targets: ['n1'] },
    ] as TraceEvent[];
    expect(summarizeFaults(events)).toEqual([
      { name: 'f1', type: 'node-crash', startMs: 60000, endMs: 90000, targets: ['n1'] },
    ]);
    expect(summarizeFaults(base())[0].endMs).toBeNull();
  });
});

describe('SLO metadata in the results', () => {
  it('copies workload, after and component from the spec and names the unit of the figures', () => {
    const results = judgeSlos(
      [
        { name: 'a', type: 'recovery-time', workload: W, after: 'f1', maxMs: 420000 },
        { name: 'b', type: 'min-available', workload: W, min: { value: 50, percent: true } },
        { name: 'c', type: 'min-available', workload: W, min: { value: 2, percent: false } },
        { name: 'd', type: 'detection-time', after: 'f1', maxMs: 60000 },
        { name: 'e', type: 'max-concurrent-leaders', component: 'kube-scheduler', max: 1 },
        { name: 'f', type: 'leaderless-time', component: 'kube-controller-manager', maxMs: 30000 },
        { name: 'g', type: 'stuck-terminating', workload: W, max: 0 },
      ],
      outage(),
      END,
    );
    expect(
      results.map(({ name, workload, after, component, unit }) => ({ name, workload, after, component, unit })),
    ).toEqual([
      { name: 'a', workload: W, after: 'f1', component: undefined, unit: 'ms' },
      { name: 'b', workload: W, after: undefined, component: undefined, unit: 'percent' },
      { name: 'c', workload: W, after: undefined, component: undefined, unit: 'pods' },
      { name: 'd', workload: undefined, after: 'f1', component: undefined, unit: 'ms' },
      { name: 'e', workload: undefined, after: undefined, component: 'kube-scheduler', unit: 'leaders' },
      { name: 'f', workload: undefined, after: undefined, component: 'kube-controller-manager', unit: 'ms' },
      { name: 'g', workload: W, after: undefined, component: undefined, unit: 'pods' },
    ]);
    // Only the fields that apply are present (summary.json stays lean).
    expect(Object.keys(results[4])).toEqual([
      'name',
      'type',
      'component',
      'unit',
      'passed',
      'measured',
      'bound',
      'message',
    ]);
  });
});

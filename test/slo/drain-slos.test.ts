// drain-time and blocked-evictions judged on hand-written traces.
import { judgeSlos } from '../../src/slo/judge.js';
import type { SloSpec } from '../../src/scenario/types.js';
import type { TraceEvent } from '../../src/trace/events.js';

const started = { atMs: 60_000, type: 'fault.started', fault: 'drain', faultType: 'node-drain', targets: ['n1', 'n2'] };
const refused = (atMs: number, pod: string) => ({
  atMs,
  type: 'pod.eviction.refused',
  pod,
  node: 'n1',
  workload: 'Deployment/web',
  pdb: 'web',
  code: 429,
  message: "Cannot evict pod as it would violate the pod's disruption budget.",
  by: 'kubectl',
});
const timedOut = {
  atMs: 180_000,
  type: 'node.drain.timedout',
  node: 'n1',
  fault: 'drain',
  timeoutMs: 120_000,
  remaining: ['web-1'],
  message: 'drain did not complete within 2m0s',
};
const judge = (slo: SloSpec, events: object[]) => judgeSlos([slo], events as TraceEvent[], 600_000)[0];

describe('drain-time', () => {
  const slo: SloSpec = { name: 'drained', type: 'drain-time', after: 'drain', maxMs: 120_000 };
  it('measures from the fault to the last node.drain.finished of its nodes', () => {
    const r = judge(slo, [
      started,
      { atMs: 70_000, type: 'node.drain.finished', node: 'n1', fault: 'drain', evicted: 2 },
      { atMs: 150_000, type: 'node.drain.finished', node: 'n2', fault: 'drain', evicted: 1 },
    ]);
    expect(r).toEqual(expect.objectContaining({ passed: true, measuredMs: 90_000 }));
    expect(r.message).toBe('all 2 nodes were drained (last n2) in 1m30s; bound 2m');
  });
  it('fails without a value when the drain timed out, broken at the timeout and saying why', () => {
    const r = judge({ ...slo, maxMs: 300_000 }, [started, timedOut]);
    expect(r).toEqual(expect.objectContaining({ passed: false, measuredMs: null, violatedAtMs: 180_000 }));
    expect(r.message).toBe(
      '0 of 2 nodes drained: the drain of n1 gave up after its 2m timeout ("drain did not complete within 2m0s") with 1 pod left (web-1); kubectl stopped there, so n2 was never drained; bound 5m',
    );
  });
  it('tells the node still draining at the end from the nodes the drain had not reached', () => {
    const r = judge(slo, [started, { atMs: 61_000, type: 'node.drain.started', node: 'n1', fault: 'drain', pods: 2 }]);
    expect(r).toEqual(expect.objectContaining({ passed: false, measuredMs: null }));
    expect(r.message).toBe(
      '0 of 2 nodes drained: the drain was still running when the run ended at 10m; n2 was not reached yet; bound 2m',
    );
  });
  it('says which PodDisruptionBudget refused the evictions of the pods left, and what it allowed', () => {
    const pdb = (atMs: number, disruptionsAllowed: number) => ({
      atMs,
      type: 'pdb.status.changed',
      pdb: 'web',
      workload: 'Deployment/web',
      disruptionsAllowed,
      currentHealthy: 3,
      desiredHealthy: 3 - disruptionsAllowed,
      expectedPods: 3,
      by: 'disruption-controller',
    });
    const r = judge({ ...slo, maxMs: 300_000 }, [
      pdb(10_000, 1),
      started,
      pdb(61_000, 0),
      refused(61_000, 'web-1'),
      refused(66_000, 'web-1'),
      refused(67_000, 'web-2'), // not left: evicted later
      timedOut,
      refused(190_000, 'web-1'), // after the drain gave up
    ]);
    expect(r.message).toBe(
      '0 of 2 nodes drained: the drain of n1 gave up after its 2m timeout ("drain did not complete within 2m0s") with 1 pod left (web-1): their evictions were refused 2 times (429) by PodDisruptionBudget web, which allowed no disruption (3 healthy, 3 needed); kubectl stopped there, so n2 was never drained; bound 5m',
    );
  });
});

describe('blocked-evictions', () => {
  const slo: SloSpec = { name: 'blocked', type: 'blocked-evictions', workload: 'Deployment/web', maxMs: 30_000 };
  it("is the longest stretch from a pod's first refusal to its eviction", () => {
    const r = judge(slo, [
      started,
      refused(61_000, 'web-1'),
      refused(66_000, 'web-1'),
      refused(71_000, 'web-1'),
      { atMs: 76_000, type: 'pod.deleted', pod: 'web-1', reason: 'eviction' },
      refused(77_000, 'web-2'),
      { atMs: 82_000, type: 'pod.deleted', pod: 'web-2', reason: 'eviction' },
    ]);
    expect(r).toEqual(expect.objectContaining({ passed: true, measuredMs: 15_000 }));
    expect(r.message).toBe(
      'PodDisruptionBudget web refused evictions of web-1 for 15s (until it was evicted; 4 refusals in all); bound 30s',
    );
  });
  it('runs until the drain gave up, and breaks bound after the first refusal', () => {
    const r = judge(slo, [
      started,
      refused(61_000, 'web-1'),
      refused(66_000, 'web-1'),
      {
        atMs: 181_000,
        type: 'node.drain.timedout',
        node: 'n1',
        fault: 'drain',
        timeoutMs: 120_000,
        remaining: ['web-1'],
        message: 'drain did not complete within 2m0s',
      },
    ]);
    expect(r).toEqual(expect.objectContaining({ passed: false, measuredMs: 120_000, violatedAtMs: 91_000 }));
  });
  it('passes with 0 when nothing was refused, and ignores other workloads', () => {
    const other = { ...refused(61_000, 'db-0'), workload: 'StatefulSet/db' };
    expect(judge(slo, [started, other])).toEqual(expect.objectContaining({ passed: true, measuredMs: 0 }));
  });
});

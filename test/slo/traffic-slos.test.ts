// The request SLOs judged on hand-made traces (docs/scenario-format.md#specslos): exact sums of
// piecewise-constant rates, the rolling window's lowest point, and the longest stale route.
import { judgeSlos } from '../../src/slo/judge.js';
import type { SloSpec } from '../../src/scenario/types.js';
import type { TraceEvent } from '../../src/trace/events.js';

function traffic(atMs: number, requestsPerSecond: number, failingPerSecond: number, staleSinceMs?: number): TraceEvent {
  return {
    atMs,
    type: 'service.traffic.changed',
    service: 'web',
    requestsPerSecond,
    failingPerSecond,
    successRate: 1 - failingPerSecond / requestsPerSecond,
    deadEndpoints: failingPerSecond > 0 ? 1 : 0,
    staleNodes: staleSinceMs === undefined ? 0 : 3,
    ...(staleSinceMs === undefined ? {} : { staleSinceMs }),
    behindNodes: 0,
    cause: 'test',
  };
}

// 100 req/s from 0 s; 30 req/s fail from 60 s to 80 s; run ends at 300 s.
const events = [traffic(0, 100, 0), traffic(60_000, 100, 30, 60_000), traffic(80_000, 100, 0)];
const judge = (slo: SloSpec) => judgeSlos([slo], events, 300_000)[0];

describe('request SLOs on the trace', () => {
  test('failed-requests sums rate × time exactly: 30/s for 20 s is 600', () => {
    const r = judge({ name: 'f', type: 'failed-requests', service: 'web', max: 599 });
    expect(r.measured).toBe(600);
    expect(r.passed).toBe(false);
    // The 600th failure comes at 60 s + 599 / 30 s.
    expect(r.violatedAtMs).toBe(Math.ceil(60_000 + (599 * 1000) / 30));
  });

  test('request-success-rate over the run: 600 of 30,000 failed is 98%', () => {
    const r = judge({ name: 'r', type: 'request-success-rate', service: 'web', minPercent: 98 });
    expect(r.measured).toBe(98);
    expect(r.passed).toBe(true);
  });

  test('request-success-rate over a rolling minute: the worst minute holds the whole 20 s (90%)', () => {
    const r = judge({
      name: 'r',
      type: 'request-success-rate',
      service: 'web',
      minPercent: 95,
      rollingWindowMs: 60_000,
    });
    expect(r.measured).toBe(90);
    expect(r.passed).toBe(false);
    // Below 95% once the minute holds more than 10 s of failures: 60 s + 10 s, to the millisecond.
    expect(r.violatedAtMs).toBe(70_001);
  });

  test('stale-endpoint-time is the longest stretch a node routed to a dead endpoint', () => {
    const r = judge({ name: 's', type: 'stale-endpoint-time', service: 'web', maxMs: 15_000 });
    expect(r.measuredMs).toBe(20_000);
    expect(r.passed).toBe(false);
    expect(r.violatedAtMs).toBe(75_000);
  });

  test('a Service without traffic fails its SLOs with a plain reason', () => {
    const r = judge({ name: 'f', type: 'failed-requests', service: 'other', max: 0 });
    expect(r.passed).toBe(false);
    expect(r.message).toContain('received no traffic');
  });
});

// Like min-available, the request SLOs leave out the initial rollout: with internalTrafficPolicy Local a
// node whose own pod is not Ready yet fails its requests while the pods first start, which is the run's
// start-up, not an outage. A fault that starts during the rollout is never hidden.
describe('request SLOs and the initial rollout', () => {
  const fault = (atMs: number): TraceEvent => ({
    atMs,
    type: 'fault.started',
    fault: 'f',
    faultType: 'node-crash',
    targets: ['n'],
  });
  // 100 req/s from 5 s; 80/s fail until 10 s (the rollout); 30/s fail from 60 s to 80 s; run ends at 300 s.
  const rollout = [traffic(5_000, 100, 80), traffic(10_000, 100, 0), traffic(60_000, 100, 30), traffic(80_000, 100, 0)];

  test('failures before every request first succeeded are not counted, and the message says how many', () => {
    const [failed, rate] = judgeSlos(
      [
        { name: 'f', type: 'failed-requests', service: 'web', max: 600 },
        { name: 'r', type: 'request-success-rate', service: 'web', minPercent: 90, rollingWindowMs: 60_000 },
      ],
      [fault(60_000), ...rollout].sort((a, b) => a.atMs - b.atMs),
      300_000,
    );
    expect(failed.measured).toBe(600);
    expect(failed.passed).toBe(true);
    expect(failed.message).toContain(
      '(400 requests that failed during the initial rollout, before 00:10.0, are not counted)',
    );
    // The worst minute is the fault's (90%), not the rollout's 5 s at 20%.
    expect(rate.measured).toBe(90);
  });

  test('a fault that starts during the rollout is counted from its start', () => {
    const events = [traffic(5_000, 100, 80), fault(8_000), traffic(10_000, 100, 0)];
    const r = judgeSlos([{ name: 'f', type: 'failed-requests', service: 'web', max: 0 }], events, 60_000)[0];
    expect(r.measured).toBe(160); // 80/s from 8 s to 10 s
    expect(r.passed).toBe(false);
    expect(r.violatedAtMs).toBe(8_000);
    expect(r.message).toContain('240 requests that failed during the initial rollout, before 00:08.0');
  });

  test('a Service whose requests never all succeed is counted from its first request', () => {
    const events = [traffic(5_000, 100, 20), traffic(30_000, 100, 10)];
    const r = judgeSlos([{ name: 'f', type: 'failed-requests', service: 'web', max: 0 }], events, 60_000)[0];
    expect(r.measured).toBe(500 + 300);
    expect(r.message).not.toContain('initial rollout');
  });
});

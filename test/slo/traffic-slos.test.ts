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

// Client-side rate limits (docs/fidelity.md#client-rate-limits): client-go's token bucket
// (staging/src/k8s.io/client-go/util/flowcontrol/throttle_test.go) and the node lifecycle controller's
// writes through it during a 500-node zone outage (scenarios/zone-outage-500-nodes-rate-limits.yaml).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenBucket } from '../../../src/model/infra/token-bucket.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

describe('token bucket (client-go flowcontrol)', () => {
  it('TestBasicThrottle: a bucket of burst 3 lets three requests through at once and makes the fourth wait', () => {
    const b = new TokenBucket(1, 3, 0);
    expect([b.reserve(0), b.reserve(0), b.reserve(0)]).toEqual([0, 0, 0]);
    expect(b.reserve(0)).toBe(1000);
  });

  it('TestIncrementThrottle: a token comes back after 1/qps', () => {
    const b = new TokenBucket(1, 1, 0);
    expect(b.reserve(0)).toBe(0);
    expect(b.reserve(0)).toBe(1000);
    // At 2 s the reservation made at 0 has been served and one more token has come: no wait.
    expect(b.reserve(2000)).toBe(0);
  });

  it('TestThrottle: 20 QPS with burst 30 serves waiting requests in order, one every 50 ms', () => {
    const b = new TokenBucket(20, 30, 0);
    const waits = Array.from({ length: 40 }, () => b.reserve(0));
    expect(waits.slice(0, 30).every((w) => w === 0)).toBe(true);
    expect(waits.slice(30)).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    // Idle time refills it, but never above the burst.
    const after = Array.from({ length: 31 }, () => b.reserve(60_000));
    expect(after[29]).toBe(0);
    expect(after[30]).toBe(50);
  });
});

describe('MarkPodsNotReady through the controller-manager client in a 500-node zone outage', () => {
  function lastMarkAfterFirst(sets: string[]) {
    const file = 'zone-outage-500-nodes-rate-limits.yaml';
    const text = readFileSync(join(process.cwd(), 'scenarios', file), 'utf8');
    const parsed = parseScenarioText(text, { file, sets });
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
    const { events } = runScenario(parsed.scenario, {});
    const marks = events.filter(
      (e) => e.type === 'pod.ready.changed' && !e.ready && e.by === 'node-lifecycle-controller',
    );
    const unknown = events.filter((e) => e.type === 'node.ready.changed' && e.to === 'Unknown');
    return { marks: marks.length, unknown: unknown.length, spanMs: marks[marks.length - 1].atMs - marks[0].atMs };
  }

  // About 500 node status writes and 5,000 pod marks, less the burst of 30, at the client's QPS.
  const writes = 500 + 5000 - 30;

  it('takes minutes at the default 20 QPS: every pod of the zone is marked, the last ~274 s after the first', () => {
    const r = lastMarkAfterFirst([]);
    expect(r.unknown).toBe(500);
    expect(r.marks).toBeGreaterThanOrEqual(4900);
    // The writes alone take writes / 20 s; the passes add their 5 s waits and the taints share the client.
    expect(r.spanMs).toBeGreaterThanOrEqual(((writes - 600) / 20) * 1000);
    expect(r.spanMs).toBeLessThanOrEqual((writes / 20) * 1000 + 60_000);
  });

  it('takes seconds at 200 QPS', () => {
    const r = lastMarkAfterFirst(['spec.kubernetes.controllerManager.kubeAPIQPS=200']);
    expect(r.marks).toBeGreaterThanOrEqual(4900);
    expect(r.spanMs).toBeGreaterThanOrEqual(((writes - 600) / 200) * 1000);
    expect(r.spanMs).toBeLessThanOrEqual((writes / 200) * 1000 + 15_000);
  });
});

// Traffic policies end to end (docs/fidelity.md#services-and-traffic): scenarios/service-zone-partition.yaml
// cuts zone-a off from the control plane and the other zones. Without topology, requests cross the cut and
// zone-a's kube-proxies keep stale rules; with trafficDistribution PreferClose nothing crosses it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatClock, renderReports } from '../../src/report/index.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { TraceEvent, TraceEventOf } from '../../src/trace/events.js';

function load(file: string, edit: (text: string) => string = (t) => t): Scenario {
  const text = edit(readFileSync(join(process.cwd(), 'scenarios', file), 'utf8'));
  const parsed = parseScenarioText(text, { file });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

function traffic(events: TraceEvent[], service: string): TraceEventOf<'service.traffic.changed'>[] {
  return events.filter(
    (e): e is TraceEventOf<'service.traffic.changed'> => e.type === 'service.traffic.changed' && e.service === service,
  );
}

/** The traffic event in force at t. */
function at(list: TraceEventOf<'service.traffic.changed'>[], t: number) {
  return [...list].reverse().find((e) => e.atMs <= t)!;
}

describe('service-zone-partition.yaml: PreferClose versus no topology', () => {
  const { events } = runScenario(load('service-zone-partition.yaml'), { seed: 1 });
  const cart = traffic(events, 'cart');
  const search = traffic(events, 'search');

  test('with PreferClose no request fails: every node sends to its own zone', () => {
    expect(search.length).toBeGreaterThan(0);
    expect(search.every((e) => e.failingPerSecond === 0)).toBe(true);
  });

  test('without topology, 4 in 9 requests fail at the cut (a third of zone-a clients stay, two thirds of the rest leave)', () => {
    expect(at(cart, 60_000).failingPerSecond).toBeCloseTo((300 * 4) / 9, 2);
  });

  test("after detection, zone-a's kube-proxies keep stale rules: 2 in 9 requests fail until the cut heals", () => {
    const mid = at(cart, 300_000);
    expect(mid.failingPerSecond).toBeCloseTo((300 * 2) / 9, 2);
    expect(mid.behindNodes).toBeGreaterThanOrEqual(3);
    expect(at(cart, 660_000).failingPerSecond).toBe(0);
  });
});

describe('internalTrafficPolicy Local', () => {
  test('iTP Local: clients on a node without a local endpoint have their requests dropped', () => {
    const scenario = load('service-node-crash.yaml', (t) =>
      t
        .replace('replicas: 9', 'replicas: 3')
        .replace('spreadAcrossZones: true', 'spreadAcrossZones: true\n      nodeSelector: { pool: local }')
        .replace(
          '- { name: worker-a, count: 3, zone: zone-a,',
          '- { name: worker-a, count: 3, zone: zone-a, labels: { pool: local },',
        )
        .replace('port: 8080', 'port: 8080\n        internalTrafficPolicy: Local')
        .replace(/ {2}slos:[\s\S]*$/, ''),
    );
    const { events } = runScenario(scenario, { seed: 1 });
    const list = traffic(events, 'checkout-svc');
    // 3 pods on the 3 zone-a workers: the 6 other nodes have no local endpoint, so 6 in 9 requests fail.
    const steady = at(list, 100_000);
    expect(steady.failingPerSecond).toBeCloseTo((300 * 6) / 9, 2);
    expect(steady.cause).toContain('no endpoint on 6 client nodes');
  });
});

// scenarios/internal-traffic-policy-local.yaml: while the DaemonSet's pods first start, a node whose own
// agent is not Ready yet has its requests dropped. That is the run's start-up, not an outage: the SLOs,
// the milestones and the timeline leave it out and say so (docs/scenario-format.md#specslos).
describe('internal-traffic-policy-local.yaml: the initial rollout is not an outage', () => {
  const result = runScenario(load('internal-traffic-policy-local.yaml'), { seed: 1 });
  const local = traffic(result.events, 'monitoring/otel-agent');
  const reports = renderReports(result.summary, result.events);

  test('requests failed during the rollout, before any fault', () => {
    expect(local[0].failingPerSecond).toBeGreaterThan(0);
    expect(local[0].atMs).toBeLessThan(60_000);
  });

  test('failed-requests counts the crash loop only, and names what it left out', () => {
    const slo = result.summary.slos.find((s) => s.name === 'otel-agent (Local) fails at most 100,000 requests')!;
    expect(slo.measured).toBe(65142);
    // What the rollout left out, counted from the trace: the failing rate × time until every request
    // first succeeded (no fault comes before it).
    const settled = local.find((e) => e.failingPerSecond === 0)!;
    let before = 0;
    local.forEach((e, i) => {
      if (e.atMs < settled.atMs) before += (e.failingPerSecond * (local[i + 1].atMs - e.atMs)) / 1000;
    });
    expect(before).toBeGreaterThan(4_000);
    expect(slo.message).toContain(
      `(${Math.round(before)} requests that failed during the initial rollout, before ${formatClock(settled.atMs)}, are not counted)`,
    );
  });

  test('the milestones and the timeline mark the rollout', () => {
    expect(reports['report.md']).toContain(
      'monitoring/otel-agent: 83.3% of requests failing during the initial rollout (not counted by the SLOs)',
    );
    expect(reports['report.md']).toContain('monitoring/otel-agent: all requests succeed, the initial rollout is over');
    expect(reports['timeline.svg']).toMatch(
      /monitoring\/otel-agent: the initial rollout, while its pods first became Ready/,
    );
    // The lane's caption is the SLOs' lowest: the crash loop's 83.3%, not the rollout's 16.7%.
    expect(reports['timeline.svg']).not.toContain('lowest 16.7% succeeding');
    expect(reports['timeline.svg']).toContain('lowest 83.3% succeeding');
  });
});

// The terminal summary of real runs: the milestones kept when cut tell the whole story (fault, taint,
// eviction, recovery), SLO names are cut only to fit a terminal, and many workloads dropping together
// are one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { milestones, renderTextSummary, renderTimelineSvg } from '../../src/report/index.js';
import { serviceMilestones } from '../../src/report/service-lanes.js';
import type { TraceEvent } from '../../src/trace/events.js';

function run(path: string) {
  const parsed = parseScenarioText(readFileSync(join(process.cwd(), path), 'utf8'), { file: path });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, {});
}

describe('terminal summary of the demo', () => {
  const { summary, events } = run('scenarios/demo.yaml');
  const text = renderTextSummary(summary, { color: false, events });
  const shown = text.split('Milestones\n')[1].split('\n\n')[0];

  it('keeps the taint, the evictions and both recoveries when the milestones are cut', () => {
    expect(milestones(events).length).toBeGreaterThan(12);
    expect(shown).toMatch(/tainted node\.kubernetes\.io\/unreachable:NoExecute/);
    expect(shown).toMatch(/deleted \(taint-eviction\)/);
    expect(shown).toContain('Deployment/checkout recovered: 6/6 Ready (lowest 4)');
    expect(shown).toContain('StatefulSet/ledger recovered: 3/3 Ready (lowest 2)');
    expect(shown).toMatch(/… \d+ more in the report/);
  });

  it("keeps the detection: a kind's later lines give way to other kinds' first ones", () => {
    expect(shown).toMatch(/3 nodes Ready → Unknown \(node-lifecycle-controller\)/);
  });

  it('cuts SLO names only to fit the terminal', () => {
    expect(text).toContain('checkout back to full strength within 7m30s ');
    const narrow = renderTextSummary(summary, { color: false, events, columns: 80 });
    expect(narrow).toContain('  ✔ PASS  checkout back to full stren…  recovery-time');
    for (const line of narrow.split('\n').filter((l) => l.includes('PASS')))
      expect(line.trimEnd().length).toBeLessThanOrEqual(80);
  });
});

describe('milestones of many workloads', () => {
  it('fold workloads that dropped together into one line', () => {
    const { events } = run('test/fixtures/six-faults.yaml');
    const lines = milestones(events).map((m) => m.text);
    expect(lines).toContain('2 workloads below desired: Deployment/api 5/6, Deployment/web 11/12');
  });
});

describe('a workload that drops and recovers again within seconds (a surge upgrade)', () => {
  const { summary, events } = run('scenarios/node-pool-upgrade.yaml');

  it('gets a line per recovery: no milestone names a workload twice', () => {
    const lines = milestones(events).map((m) => `${m.atMs} ${m.text}`);
    for (const l of lines) expect(l).not.toMatch(/(Deployment\/checkout)\b.*\1/);
    expect(lines).toContain('189445 Deployment/checkout recovered: 12/12 Ready (lowest 11)');
    expect(lines.filter((l) => l.includes('Deployment/checkout recovered')).length).toBeGreaterThan(2);
  });

  it('names it once in a timeline label', () => {
    expect(renderTimelineSvg(summary, events)).not.toContain('Deployment/checkout, Deployment/checkout');
  });

  it("draws a replaced node's lane empty once its Node is deleted: no power-off hatch, no taint to the end", () => {
    const titles = [...renderTimelineSvg(summary, events).matchAll(/<title>(pool-0: [^<]*)<\/title>/g)].map(
      (m) => m[1],
    );
    expect(titles).toContain('pool-0: no Node object 03:12.1–20:00.0 (16m47.8s)');
    expect(titles).toContain('pool-0: NoSchedule taint 02:55.0–03:12.1 (17s)');
    expect(titles.filter((t) => t.includes('20:00.0') && !t.includes('no Node object'))).toEqual([]);
  });
});

describe('terminal summary of a large run', () => {
  it('stays under 40 lines with 60 SLOs, most of them failed, and six faults', () => {
    const { summary, events } = run('test/fixtures/six-faults.yaml');
    const many = {
      ...summary,
      slos: Array.from({ length: 60 }, (_, i) => ({ ...summary.slos[i % summary.slos.length], name: `slo ${i}` })),
    };
    const text = renderTextSummary(many, { color: false, events, reportDir: 'out' });
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(40);
    expect(text).toContain('  … 51 more SLOs (31 failed) in the report');
    expect(text).toContain('  … 35 more failed SLOs in the report');
    expect(text).toMatch(/Milestones\n(.*\n){3,}/);
    expect(text).toContain('Reproduce: ');
  });
});

describe('a failure line', () => {
  it('names at most 5 of a fault’s targets and says how many there were', async () => {
    const { describeEvent } = await import('../../src/report/index.js');
    const targets = Array.from({ length: 101 }, (_, i) => `worker-${i}`);
    expect(describeEvent({ type: 'fault.started', atMs: 60_000, fault: 'f', targets })).toBe(
      'fault.started at 01:00.0 fault=f targets=worker-0,worker-1,worker-2,worker-3,worker-4,… (101)',
    );
  });

  it('says a Service traffic change in words: how many requests fail and why', async () => {
    const { describeEvent } = await import('../../src/report/index.js');
    const e = {
      type: 'service.traffic.changed',
      atMs: 120_000,
      service: 'payments',
      requestsPerSecond: 200,
      failingPerSecond: 33.333,
      successRate: 0.8333,
      deadEndpoints: 1,
      staleNodes: 5,
      staleSinceMs: 120_000,
      behindNodes: 0,
      cause: '1 of 6 endpoints dead (on powered-off pay-a-0); stale rules on 5 nodes',
    };
    expect(describeEvent(e)).toBe(
      'service.traffic.changed at 02:00.0: payments 16.7% of requests failing (1 of 6 endpoints dead (on powered-off pay-a-0); stale rules on 5 nodes)',
    );
  });
});

describe('EndpointSlice milestones', () => {
  const ep = (atMs: number, ready: number): TraceEvent => ({
    atMs,
    type: 'service.endpoints.changed',
    service: 'web',
    ready,
    serving: ready,
    terminating: 0,
    endpoints: 10,
  });

  it('a stretch of writes that only remove endpoints is one line, at its first write', () => {
    const lines = serviceMilestones([ep(0, 10), ep(1_000, 9), ep(2_000, 8), ep(3_000, 8), ep(65_000, 6)]);
    expect(lines.map((m) => [m.atMs, m.text])).toEqual([
      [1_000, 'web: EndpointSlices updated 3 times until 01:05.0, down to 6 of 10 endpoints ready'],
    ]);
  });

  it('an endpoint coming back ends the stretch; one write is said as before', () => {
    const lines = serviceMilestones([ep(0, 10), ep(1_000, 9), ep(2_000, 10), ep(3_000, 9)]);
    expect(lines.map((m) => m.text)).toEqual([
      'web: EndpointSlice updated, 9 of 10 endpoints ready',
      'web: EndpointSlice updated, 9 of 10 endpoints ready',
    ]);
  });
});

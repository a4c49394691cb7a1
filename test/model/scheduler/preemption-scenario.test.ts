// Priority and preemption end to end: scenarios/zone-outage-preemption.yaml run for real (a full cluster
// loses a zone; high-priority checkout replacements preempt low-priority batch pods), the report's
// preemption causes in every format, and a cluster of one priority where PostFilter never looks for victims.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceEvent } from '../../../src/trace/events.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';
import { causesOf, renderReports, renderTextSummary } from '../../../src/report/index.js';
import { fixture, workload } from '../workloads/fixtures.js';

const FILE = 'zone-outage-preemption.yaml';

function run(sets: string[] = [], seed?: number) {
  const parsed = parseScenarioText(readFileSync(join(process.cwd(), 'scenarios', FILE), 'utf8'), { file: FILE, sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, seed === undefined ? {} : { seed });
}

type Of<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;
const of = <T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T) =>
  events.filter((e): e is Of<T> => e.type === type);

describe('a zone outage in a full cluster with two priorities', () => {
  const { summary, events } = run();

  it('holds its SLOs with its own seed', () => {
    expect(summary.slos.map((s) => [s.name, s.passed])).toEqual(summary.slos.map((s) => [s.name, true]));
  });

  it('preempts one batch pod per checkout replacement, deleted with reason preemption, never a checkout pod', () => {
    const preempted = of(events, 'pod.preempted');
    expect(preempted).toHaveLength(2);
    for (const e of preempted) {
      expect(e.workload).toBe('Deployment/batch');
      expect(e.preemptorWorkload).toBe('Deployment/checkout');
      expect(e.node).not.toMatch(/^worker-c-/);
    }
    expect(new Set(preempted.map((e) => e.preemptor)).size).toBe(2);
    const deleted = of(events, 'pod.deleted').filter((e) => e.reason === 'preemption');
    expect(deleted.map((e) => e.pod).sort()).toEqual(preempted.map((e) => e.pod).sort());
  });

  it('nominates the node for each preemptor, which binds there once its victim is gone', () => {
    for (const p of of(events, 'pod.preempted')) {
      const nominated = of(events, 'pod.nominated').find((e) => e.pod === p.preemptor)!;
      expect(nominated.node).toBe(p.node);
      const removed = of(events, 'pod.removed').find((e) => e.pod === p.pod)!;
      const scheduled = of(events, 'pod.scheduled').find((e) => e.pod === p.preemptor)!;
      expect(scheduled.node).toBe(p.node);
      expect(scheduled.atMs).toBeGreaterThanOrEqual(removed.atMs);
    }
  });

  it('leaves the batch replacements Pending until zone-c returns: they cannot preempt anything', () => {
    const created = new Set(
      of(events, 'pod.created')
        .filter((e) => e.workload === 'Deployment/batch' && e.atMs > 5 * 60_000)
        .map((e) => e.pod),
    );
    expect(created.size).toBe(8);
    const bound = of(events, 'pod.scheduled').filter((e) => created.has(e.pod));
    expect(bound).toHaveLength(8);
    for (const e of bound) expect(e.atMs).toBeGreaterThanOrEqual(12 * 60_000);
    expect(of(events, 'pod.nominated').filter((e) => created.has(e.pod))).toEqual([]);
  });

  it('is the same trace run twice', () => {
    expect(JSON.stringify(run().events)).toBe(JSON.stringify(events));
  });
});

describe('the report of a workload that lost pods to preemption', () => {
  const { summary, events } = run(['spec.slos[1].max=8m']);
  const slo = summary.slos.find((s) => s.workload === 'Deployment/batch')!;
  const preempted = of(events, 'pod.preempted');

  it('names the preempted pods, their nodes and the preemptors, grouped by the preemptors’ workload', () => {
    expect(slo.passed).toBe(false);
    const c = causesOf(slo, summary, events)!;
    expect(c.preempted).toEqual([
      {
        byWorkload: 'Deployment/checkout',
        pods: preempted.map((e) => ({ pod: e.pod, node: e.node, preemptor: e.preemptor, atMs: e.atMs })),
      },
    ]);
    // checkout's own SLO passes: nothing to explain there.
    const checkout = summary.slos.find((s) => s.workload === 'Deployment/checkout' && s.type === 'recovery-time')!;
    expect(causesOf(checkout, summary, events)).toBeUndefined();
  });

  it('says so in the terminal, Markdown, HTML and JUnit', () => {
    const line = `2 pods preempted by the scheduler for higher-priority pods of Deployment/checkout at`;
    const first = `${preempted[0].pod} on ${preempted[0].node} for ${preempted[0].preemptor}`;
    const text = renderTextSummary(summary, { color: false, events });
    expect(text).toContain(`    - ${line}`);
    expect(text).toContain(first);
    const files = renderReports(summary, events);
    expect(files['report.md']).toContain(`- ${line}`);
    expect(files['report.html']).toContain(`<li>${line}`);
    expect(files['junit.xml']).toContain(line);
    expect(files['junit.xml']).toContain(first);
  });
});

describe('PostFilter in a cluster of one priority', () => {
  it('never looks for victims when no pod has a lower priority, however full the cluster', () => {
    const f = fixture([workload('Deployment', 'web', { replicas: 8, requests: { cpuMilli: 1500, memoryBytes: 0 } })]);
    f.nodes.add('small-0', { cpuMilli: 2000 });
    f.nodes.add('small-1', { cpuMilli: 2000 });
    f.run(60_000);
    const stats = f.schedulerController().stats;
    expect(stats.scheduled).toBe(2);
    expect(f.events('pod.unschedulable')).toHaveLength(6);
    expect(stats.preemptionAttempts).toBe(0);
    expect(f.events('pod.preempted')).toEqual([]);
  });
});

// A fault that hits a workload before all its pods are up: hasim starts every cluster empty, so the
// reports must say the workload was still starting instead of letting its start-up read as an outage
// (src/report/startup-notes.ts), and `hasim import` must suggest a fault time after its StatefulSets
// have started (src/scenario/kubectl-import.ts faultTime).
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import {
  renderHtmlReport,
  renderMarkdownReport,
  renderTextSummary,
  renderTimelineSvg,
} from '../../src/report/index.js';
import { startupNotes } from '../../src/report/startup-notes.js';
import { faultTime } from '../../src/scenario/kubectl-import.js';
import { aggregateSweep, toRunRecord } from '../../src/runner/sweep.js';
import { renderSweepMarkdown, renderSweepText } from '../../src/report/sweep-report.js';
import type { SweepPlan } from '../../src/trace/sweep.js';
import type { ManifestWorkload } from '../../src/scenario/manifests/index.js';

function scenario(faultAt: string): string {
  return `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: starting }
spec:
  duration: 8m
  nodes:
    - { name: worker-a, count: 2, zone: zone-a }
    - { name: worker-b, count: 2, zone: zone-b }
  workloads:
    - { kind: StatefulSet, name: ledger, replicas: 6, startup: { imagePull: 5s..10s, ready: 5s } }
    - { kind: Deployment, name: web, replicas: 2 }
  faults:
    - { name: crash, type: node-crash, at: ${faultAt}, target: { node: worker-b-1 } }
`;
}

function run(faultAt: string) {
  const parsed = parseScenarioText(scenario(faultAt), { file: 'starting.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, {});
}

describe('a fault that hits a workload still starting', () => {
  const early = run('20s');
  const late = run('3m');

  it('is noted, with when the workload first had all its pods Ready or that it never did', () => {
    const notes = startupNotes(early.summary);
    expect(notes.map((n) => n.workload)).toEqual(['StatefulSet/ledger']);
    expect(notes[0]).toMatchObject({ desired: 6, fault: 'crash', faultMs: 20_000 });
    const ledger = early.summary.workloads.find((w) => w.workload === 'StatefulSet/ledger')!;
    expect(ledger.fullAtMs).toBe(notes[0].fullAtMs);
    // The web Deployment was up long before 20 s: no note for it.
    expect(early.summary.workloads.find((w) => w.workload === 'Deployment/web')!.fullAtMs).toBeLessThan(20_000);
  });

  it('says so in the terminal, the HTML, the Markdown and the timeline', () => {
    const text = renderTextSummary(early.summary, { color: false, events: early.events });
    expect(text).toMatch(
      /Note: StatefulSet\/ledger (was still starting when the first fault \(crash\) hit at 00:20\.0|never had all 6 pods Ready)/,
    );
    expect(text).toContain('hasim starts every cluster empty');
    const html = renderHtmlReport(early.summary, early.events);
    expect(html).toContain('<div class="note"><p>StatefulSet/ledger ');
    expect(renderMarkdownReport(early.summary, early.events)).toMatch(/^> \*\*Note:\*\* StatefulSet\/ledger /m);
    const never = { ...early.summary, workloads: early.summary.workloads.map((w) => ({ ...w, fullAtMs: null })) };
    expect(renderHtmlReport(never, early.events)).toContain('never all 6 Ready');
    expect(renderTimelineSvg(never, early.events)).toContain('desired 6, never all Ready');
  });

  it('is not noted once every workload was up before the fault', () => {
    expect(startupNotes(late.summary)).toEqual([]);
    expect(renderTextSummary(late.summary, { color: false, events: late.events })).not.toContain('Note:');
    expect(renderHtmlReport(late.summary, late.events)).not.toContain('class="note"');
  });

  it('is not noted for summaries saved before fullAtMs existed', () => {
    const old = { ...early.summary, workloads: early.summary.workloads.map(({ fullAtMs: _, ...w }) => w) };
    expect(startupNotes(old)).toEqual([]);
  });
});

describe('a sweep over runs whose first fault hit a workload still starting', () => {
  const sweep = (faultAt: string) => {
    const { summary } = run(faultAt);
    const records = [1, 2].map((seed, index) => toRunRecord({ index, point: 0, seed }, { ...summary, seed }));
    const plan: SweepPlan = {
      scenario: 'starting',
      file: 'starting.yaml',
      sets: [],
      grid: [],
      points: [{ settings: [], sets: [] }],
      firstSeed: 1,
      seedCount: 2,
      minPassRate: 1,
    };
    return aggregateSweep(plan, records);
  };

  it('leaves those runs out of the workload figures and says why', () => {
    const r = sweep('20s');
    const ledger = r.points[0].workloads.find((w) => w.workload === 'StatefulSet/ledger')!;
    expect(ledger).toMatchObject({ startingRuns: 2, droppedRuns: 0, recoveredRuns: 0 });
    expect(ledger.minReady.count).toBe(0);
    const text = renderSweepText(r, { color: false, wallMs: 1, workers: 1 });
    expect(text).toContain('StatefulSet/ledger: still starting when the first fault hit in 2/2 runs');
    expect(text).not.toContain('StatefulSet/ledger: below');
    expect(renderSweepMarkdown(r)).toContain(
      'StatefulSet/ledger was still starting when the first fault hit in 2 of 2 runs',
    );
  });

  it('counts them as before once the workload was up', () => {
    const ledger = sweep('3m').points[0].workloads.find((w) => w.workload === 'StatefulSet/ledger')!;
    expect(ledger.startingRuns).toBeUndefined();
    expect(ledger.droppedRuns).toBe(2);
  });
});

describe('hasim import: the suggested fault waits for the StatefulSets to start', () => {
  const base = { kind: 'StatefulSet', id: 'shop/StatefulSet/db', replicas: 3 } as ManifestWorkload;

  it('strikes at 1 minute when nothing needs longer', () => {
    expect(faultTime([])).toEqual({ at: '1m' });
    expect(faultTime([{ ...base, kind: 'Deployment', replicas: 50 }])).toEqual({ at: '1m' });
    expect(faultTime([{ ...base, replicas: 2 }]).at).toBe('1m');
  });

  it('waits for a StatefulSet that attaches a disk per pod, one pod after another', () => {
    const db = {
      ...base,
      volumeClaimTemplates: [{ name: 'data', accessModes: ['ReadWriteOnce'] }],
    } as ManifestWorkload;
    // 3 pods of up to 20 s attach + 5 s image pull + 2 s to Ready: 1m21s, plus half a minute.
    expect(faultTime([db])).toEqual({
      at: '2m',
      why: 'hasim starts the cluster empty: shop/StatefulSet/db starts its 3 pods one after another, each attaching a disk, in up to 1m21s, so the faults wait until it is up.',
    });
    // A readiness probe's initial delay and period count instead of the 2 s.
    const probed = {
      ...db,
      replicas: 10,
      probes: {
        readiness: {
          initialDelayMs: 30_000,
          periodMs: 10_000,
          timeoutMs: 1_000,
          failureThreshold: 3,
          successThreshold: 1,
        },
      },
    };
    expect(faultTime([db, probed]).at).toBe(`${Math.ceil((10 * 65_000 + 30_000) / 60_000)}m`);
  });
});

// sweep.html and the sweep's junit.xml, rendered from an aggregate: what a reader must find in them.
import { D3Node } from 'd3-node';
import {
  aggregateSweep,
  expandGrid,
  type GridAxis,
  type SweepPlan,
  type SweepRunRecord,
} from '../../src/runner/sweep.js';
import { renderSweepHtml } from '../../src/report/sweep-html.js';
import { renderSweepJunit } from '../../src/report/sweep-junit.js';
import { progressLog } from '../../src/cli/commands/sweep.js';

function sweepOf(grid: GridAxis[], seeds: number) {
  const points = expandGrid(grid);
  const plan: SweepPlan = {
    scenario: 's',
    file: 's.yaml',
    sets: [],
    grid,
    points,
    firstSeed: 1,
    seedCount: seeds,
    minPassRate: 1,
  };
  const records: SweepRunRecord[] = [];
  points.forEach((_, point) => {
    for (let k = 0; k < seeds; k++) {
      const detectMs = 20_000 + point * 15_000 + k * 1000;
      const passed = detectMs <= 45_000;
      records.push({
        index: records.length,
        point,
        seed: k + 1,
        passed,
        slos: [{ name: 'detected', type: 'detection-time', passed, value: detectMs, bound: 45_000, unit: 'ms' }],
        workloads: [],
        firstFaultStartMs: 0,
        reproduce: `hasim run s.yaml --seed ${k + 1}`,
      });
    }
  });
  return aggregateSweep(plan, records);
}

function parse(text: string, type: string) {
  const doc = new new D3Node().window.DOMParser().parseFromString(text, type);
  expect(doc.getElementsByTagName('parsererror').length).toBe(0);
  return doc;
}

describe('sweep junit.xml', () => {
  it('has a test case per SLO and grid point, failed where the pass rate is below the minimum', () => {
    const r = sweepOf([{ path: 'spec.x', values: ['a', 'b', 'c'] }], 5);
    const xml = renderSweepJunit(r);
    const doc = parse(xml, 'application/xml');
    const cases = [...doc.getElementsByTagName('testcase')];
    expect(cases.map((c) => c.getAttribute('classname'))).toEqual(['s [x=a]', 's [x=b]', 's [x=c]']);
    expect(doc.getElementsByTagName('failure')).toHaveLength(1);
    expect(xml).toContain('message="held in 0% of 5 runs (0/5), below the minimum pass rate of 100%"');
    expect(xml).toContain('hasim run s.yaml --seed 1');
    expect(xml).toContain('<testsuites name="hasim sweep" tests="3" failures="1"');
  });
});

describe('sweep.html', () => {
  it('draws an ECDF line per grid point and, over one varied field, a line chart of p50, p99 and pass rate', () => {
    const html = renderSweepHtml(sweepOf([{ path: 'spec.x', values: ['a', 'b', 'c'] }], 5));
    expect(html).toContain('<h3>Distribution over the runs</h3>');
    expect(
      html.match(/<path d="M[^"]*" fill="none" stroke="[^"]*" stroke-width="2"><title>x=[abc]: 5 runs<\/title>/g),
    ).toHaveLength(3);
    expect(html).toContain('<h3>Over spec.x</h3>');
    expect(html).toContain('bound 45s');
    expect(html).not.toContain('<script');
  });

  it('over two varied fields, a heatmap of pass rate with p50 and p99 in each cell', () => {
    const html = renderSweepHtml(
      sweepOf(
        [
          { path: 'spec.x', values: ['a', 'b'] },
          { path: 'spec.y', values: ['1', '2'] },
        ],
        4,
      ),
    );
    expect(html).toContain('<table class="heatmap">');
    expect(html).toContain('<th title="spec.x (rows) × spec.y (columns)">x ↓ · y →</th>');
    expect(html).toMatch(/<b>100%<\/b><br>p50 21s<br>p99 23s<\/td>/);
    expect(html).toMatch(/<b>0%<\/b><br>p50 51s<br>p99 53s<\/td>/);
  });
});

describe('sweep progress without a terminal', () => {
  it('writes a line at most every interval, with an estimate of the time left', () => {
    let t = 0;
    const lines: string[] = [];
    const p = progressLog(100, 0, { intervalMs: 10_000, now: () => t, write: (l) => lines.push(l) });
    for (let done = 1; done <= 100; done++) {
      t = done * 500;
      p.update(done, done > 90 ? 1 : 0);
    }
    expect(lines).toEqual([
      'sweep 20/100 runs, 10s, about 40s left\n',
      'sweep 40/100 runs, 20s, about 30s left\n',
      'sweep 60/100 runs, 30s, about 20s left\n',
      'sweep 80/100 runs, 40s, about 10s left\n',
    ]);
  });
});

describe('what a sweep keeps of a run', () => {
  it('marks a recovery-time SLO whose workload never dropped as unaffected', async () => {
    const { toRunRecord } = await import('../../src/runner/sweep.js');
    const rec = toRunRecord(
      { index: 0, point: 0, seed: 1 },
      {
        scenario: 's',
        seed: 1,
        durationMs: 60_000,
        kubernetesVersion: '1.31',
        passed: true,
        slos: [
          { name: 'back', type: 'recovery-time', passed: true, measuredMs: 0, boundMs: 1000, message: 'never dropped' },
          { name: 'back2', type: 'recovery-time', passed: true, measuredMs: 900, boundMs: 1000, message: 'recovered' },
        ],
        faults: [],
        workloads: [],
        stats: { events: 0, wallMs: 0 },
        reproduce: 'hasim run s.yaml --seed 1',
      },
    );
    expect(rec.slos.map((s) => s.unaffected)).toEqual([true, undefined]);
  });
});

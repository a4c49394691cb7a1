// The pure part of `hasim sweep`: --grid parsing, grid expansion, job order, percentiles and
// aggregation, in-process (worker threads cannot load the .ts sources under jest).
import {
  aggregateSweep,
  distribution,
  expandGrid,
  gridIssue,
  parseGridFlags,
  percentile,
  splitTopLevel,
  sweepJobs,
  GRID_FILE,
  type SweepPlan,
  type SweepRunRecord,
} from '../../src/runner/sweep.js';
import { runSweepJob } from '../../src/runner/sweep-job.js';
import { parseScenarioText, SET_FILE } from '../../src/scenario/index.js';
import { formatPassRate, renderSweepMarkdown, renderSweepText } from '../../src/report/sweep-report.js';
import { SMALL_SCENARIO } from './fixture.js';

describe('--grid flags', () => {
  it('splits values on top-level commas only, keeping lists, maps and quoted strings whole', () => {
    expect(splitTopLevel('20s,40s, 1m')).toEqual(['20s', '40s', '1m']);
    expect(splitTopLevel('[a,b],[c],{x: 1, y: 2}')).toEqual(['[a,b]', '[c]', '{x: 1, y: 2}']);
    expect(splitTopLevel(`"1,5",'x,y',z`)).toEqual(['"1,5"', "'x,y'", 'z']);
  });

  it('reports every malformed flag against --grid with its position', () => {
    const { axes, issues } = parseGridFlags([
      'spec.duration=1m,2m',
      'nope',
      'spec.seed=1,,2',
      'spec.duration=3m',
      'a=1,1',
    ]);
    expect(axes).toEqual([{ path: 'spec.duration', values: ['1m', '2m'] }]);
    expect(issues.map((i) => `${i.file}:${i.line}: ${i.message}`)).toEqual([
      '--grid:2: "nope" is not of the form path=v1,v2,...',
      '--grid:3: spec.seed: value 2 of "1,,2" is empty',
      '--grid:4: spec.duration is already swept by --grid flag 1',
      '--grid:5: a: the value "1" is listed twice',
    ]);
  });
});

describe('grid expansion', () => {
  it('is the cartesian product with the first --grid flag varying slowest', () => {
    const points = expandGrid([
      { path: 'a', values: ['1', '2'] },
      { path: 'b', values: ['x', 'y', 'z'] },
    ]);
    expect(points.map((p) => p.sets.join(' '))).toEqual([
      'a=1 b=x',
      'a=1 b=y',
      'a=1 b=z',
      'a=2 b=x',
      'a=2 b=y',
      'a=2 b=z',
    ]);
    expect(points[4].settings).toEqual([
      { path: 'a', value: '2' },
      { path: 'b', value: 'y' },
    ]);
  });

  it('without --grid is one point with no settings', () => {
    expect(expandGrid([])).toEqual([{ settings: [], sets: [] }]);
  });

  it('numbers the runs grid point major, seed minor', () => {
    expect(sweepJobs(2, 7, 3)).toEqual([
      { index: 0, point: 0, seed: 7 },
      { index: 1, point: 0, seed: 8 },
      { index: 2, point: 0, seed: 9 },
      { index: 3, point: 1, seed: 7 },
      { index: 4, point: 1, seed: 8 },
      { index: 5, point: 1, seed: 9 },
    ]);
  });

  it('reports a problem with a grid value against the --grid flag that set it, naming the value', () => {
    const plan = { sets: ['spec.seed=3'], points: expandGrid([{ path: 'spec.duration', values: ['2m', '3'] }]) };
    const parsed = parseScenarioText(SMALL_SCENARIO, { file: 's.yaml', sets: ['spec.seed=3', 'spec.duration=3'] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const [issue] = parsed.issues.map((i) => gridIssue(i, plan, 1, SET_FILE));
    expect(issue).toMatchObject({ file: GRID_FILE, line: 1, col: 1 });
    expect(issue.message).toMatch(/^value "3": expected a duration/);
  });
});

describe('percentiles (nearest rank)', () => {
  const ten = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it('are observed values: p50 of 1..10 x10 is 50, p90 is 90, p99 is 100', () => {
    expect(percentile(ten, 50)).toBe(50);
    expect(percentile(ten, 90)).toBe(90);
    expect(percentile(ten, 99)).toBe(100);
    expect(percentile(ten, 0)).toBe(10);
    expect(percentile(ten, 100)).toBe(100);
  });

  it('of one value is that value, of none is null', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('with 200 values p99 is the 198th', () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(198);
    expect(percentile(values, 50)).toBe(100);
  });

  it('distribution sorts, counts runs that measured nothing apart and rounds the mean to 3 decimals', () => {
    expect(distribution([30, null, 10, 20, null, 40])).toEqual({
      count: 4,
      missing: 2,
      min: 10,
      p50: 20,
      p90: 40,
      p99: 40,
      max: 40,
      mean: 25,
    });
    expect(distribution([1, 1, 2]).mean).toBe(1.333);
    expect(distribution([null])).toEqual({
      count: 0,
      missing: 1,
      min: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      mean: null,
    });
  });

  it('pass rates are rounded down to a tenth of a percent', () => {
    expect(formatPassRate(1)).toBe('100%');
    expect(formatPassRate(0.9996)).toBe('99.9%');
    expect(formatPassRate(0.875)).toBe('87.5%');
    expect(formatPassRate(0.99)).toBe('99%');
    expect(formatPassRate(0)).toBe('0%');
  });
});

function record(
  index: number,
  point: number,
  seed: number,
  detectMs: number,
  boundMs: number,
  recoveredAtMs: number | null,
): SweepRunRecord {
  const detected = detectMs <= boundMs;
  return {
    index,
    point,
    seed,
    passed: detected,
    slos: [{ name: 'detected', type: 'detection-time', passed: detected, value: detectMs, bound: boundMs, unit: 'ms' }],
    workloads: [{ workload: 'Deployment/web', desired: 3, minReady: 2, recoveredAtMs }],
    firstFaultStartMs: 20_000,
    reproduce: `hasim run s.yaml --seed ${seed}`,
  };
}

describe('aggregation', () => {
  const plan: SweepPlan = {
    scenario: 's',
    file: 's.yaml',
    sets: [],
    grid: [{ path: 'x', values: ['1', '2'] }],
    points: expandGrid([{ path: 'x', values: ['1', '2'] }]),
    firstSeed: 1,
    seedCount: 4,
    minPassRate: 0.75,
  };
  const records = [
    record(0, 0, 1, 30_000, 45_000, 80_000),
    record(1, 0, 2, 40_000, 45_000, 90_000),
    record(2, 0, 3, 35_000, 45_000, null),
    record(3, 0, 4, 50_000, 45_000, 100_000),
    record(4, 1, 1, 10_000, 45_000, 60_000),
    record(5, 1, 2, 60_000, 45_000, 60_000),
    record(6, 1, 3, 70_000, 45_000, 60_000),
    record(7, 1, 4, 20_000, 45_000, 60_000),
  ];

  it('gives per-point pass rates, measured distributions, recovery from the first fault and the failing seeds', () => {
    const r = aggregateSweep(plan, records);
    expect(r.runs).toBe(8);
    const [p1, p2] = r.points;
    expect(p1.slos[0]).toMatchObject({ runs: 4, passed: 3, passRate: 0.75, failedSeeds: [4] });
    expect(p1.slos[0].measured).toEqual({
      count: 4,
      missing: 0,
      min: 30_000,
      p50: 35_000,
      p90: 50_000,
      p99: 50_000,
      max: 50_000,
      mean: 38_750,
    });
    expect(p1.workloads[0]).toMatchObject({ droppedRuns: 4, recoveredRuns: 3 });
    expect(p1.workloads[0].recoveryMs).toMatchObject({ count: 3, missing: 1, min: 60_000, p50: 70_000, max: 80_000 });
    expect(p1.failedRuns).toEqual([{ seed: 4, failed: ['detected'], reproduce: 'hasim run s.yaml --seed 4' }]);
    expect(p1.meetsMinPassRate).toBe(true);
    expect(p2.slos[0].passRate).toBe(0.5);
    expect(p2.meetsMinPassRate).toBe(false);
    expect(r.passed).toBe(false);
    expect(p2.sets).toEqual(['x=2']);
  });

  it('does not depend on the order the runs finished in', () => {
    const shuffled = [records[5], records[2], records[7], records[0], records[6], records[1], records[4], records[3]];
    expect(JSON.stringify(aggregateSweep(plan, shuffled))).toBe(JSON.stringify(aggregateSweep(plan, records)));
  });

  it('renders one comparison table across grid points, then the workloads and failing seeds', () => {
    const r = aggregateSweep(plan, records);
    const text = renderSweepText(r, { color: false, wallMs: 1234, workers: 2 });
    expect(text).toContain(
      [
        '              held  p50    p90    p99  worst  bound',
        '  detection-time detected',
        '✔   x=1  75% (3/4)  35s    50s    50s    50s  ≤ 45s',
        '✘   x=2  50% (2/4)  20s  1m10s  1m10s  1m10s  ≤ 45s',
      ].join('\n'),
    );
    expect(text).toContain('[1/2] x=1\n  workload Deployment/web: below 3 Ready in 4/4 runs');
    expect(text).toContain('    hasim run s.yaml --seed 2  # detected');
    expect(text).toContain('8 runs in 1.2s wall (2 workers)');
    expect(text).toContain('detected: 50% at [2/2] x=2');
    const md = renderSweepMarkdown(r);
    expect(md).toContain('| detected | detection-time | x=1 | ≤ 45s | 75% (3/4) | 35s | 50s | 50s | 50s | 38.7s | — |');
    expect(md).toContain(
      '| detected | detection-time | x=2 | ≤ 45s | 50% (2/4) ✘ | 20s | 1m10s | 1m10s | 1m10s | 40s | — |',
    );
  });

  it('keeps every run: seed, verdict and each SLO value', () => {
    const r = aggregateSweep(plan, records);
    expect(r.points[1].results[2]).toEqual({
      seed: 3,
      passed: false,
      slos: [{ name: 'detected', value: 70_000, passed: false }],
    });
  });
});

describe('tails that matter', () => {
  const one: SweepPlan = { ...plan1(), minPassRate: 1 };
  function plan1(): SweepPlan {
    return {
      scenario: 's',
      file: 's.yaml',
      sets: [],
      grid: [],
      points: expandGrid([]),
      firstSeed: 1,
      seedCount: 10,
      minPassRate: 1,
    };
  }
  const run = (i: number, slo: SweepRunRecord['slos'][number]): SweepRunRecord => ({
    index: i,
    point: 0,
    seed: i + 1,
    passed: slo.passed,
    slos: [slo],
    workloads: [],
    firstFaultStartMs: 0,
    reproduce: `hasim run s.yaml --seed ${i + 1}`,
  });

  it('min-available (more is better) reports its low tail: p90 is the value 90% of runs reached or beat', () => {
    const ready = [6, 6, 6, 5, 6, 6, 4, 6, 5, 3];
    const r = aggregateSweep(
      one,
      ready.map((v, i) =>
        run(i, { name: 'keeps 4', type: 'min-available', passed: v >= 4, value: v, bound: 4, unit: 'count' }),
      ),
    );
    const s = r.points[0].slos[0];
    expect(s.higherIsBetter).toBe(true);
    expect(s.tail).toEqual({ p50: 6, p90: 4, p99: 3, worst: 3 });
    expect(renderSweepText(r, { color: false, wallMs: 1, workers: 1 })).toContain(
      '✘ min-available keeps 4  90% (9/10)    6    4    3      3    ≥ 4',
    );
  });

  it('recovery-time counts runs in which the workload never dropped apart, not as 0 ms recoveries', () => {
    const ms = [0, 0, 0, 320_000, 330_000, 340_000, 0, 350_000, 360_000, null];
    const r = aggregateSweep(
      one,
      ms.map((v, i) => {
        const rec = run(i, {
          name: 'back',
          type: 'recovery-time',
          passed: v !== null && v <= 400_000,
          value: v,
          bound: 400_000,
          unit: 'ms',
        });
        if (v === 0) rec.slos[0].unaffected = true;
        return rec;
      }),
    );
    const s = r.points[0].slos[0];
    expect(s.unaffectedRuns).toBe(4);
    expect(s.measured).toMatchObject({ count: 5, missing: 1, min: 320_000, max: 360_000 });
    expect(s.tail.p50).toBe(340_000);
    expect(renderSweepText(r, { color: false, wallMs: 1, workers: 1 })).toContain('4 never dropped, 1 never recovered');
    expect(r.points[0].results[0].slos[0]).toEqual({ name: 'back', value: 0, passed: true, unaffected: true });
  });
});

describe('one sweep job in-process', () => {
  it('runs the grid point scenario with the job seed and keeps what the sweep needs', () => {
    const sets = ['spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s'];
    const parsed = parseScenarioText(SMALL_SCENARIO, { file: 's.yaml', sets });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const a = runSweepJob(parsed.scenario, { index: 3, point: 1, seed: 4 }, { scenarioArg: 's.yaml', sets });
    const b = runSweepJob(parsed.scenario, { index: 3, point: 1, seed: 4 }, { scenarioArg: 's.yaml', sets });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ index: 3, point: 1, seed: 4, firstFaultStartMs: 20_000 });
    expect(a.reproduce).toBe(
      "hasim run s.yaml --seed 4 --set 'spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s'",
    );
    const detection = a.slos.find((s) => s.type === 'detection-time')!;
    // 20 s grace on the controller's clock after the last renewal, which is 0-10 s before the crash.
    expect(detection.value).toBeGreaterThan(10_000);
    expect(detection.value).toBeLessThanOrEqual(26_000);
  });
});

// A sweep (`hasim sweep`, README.md#sweeps): one scenario over many seeds and a grid of settings, summarised as
// pass rates and distributions. This module is the pure part: parsing --grid flags, expanding the grid,
// numbering the runs, running one of them, and aggregating the results. It touches no file, process or
// real time; the CLI spreads the runs over worker processes and hands the results back here.
//
// Determinism: every run is identified by its job index (grid point major, seed minor), and the
// aggregation sorts results by that index, so the report does not depend on how many workers ran the
// jobs or in which order they finished. Nothing in the report depends on wall time.
import type { Issue } from '../scenario/issues.js';
import type { RunSummary, SloResult } from '../trace/summary.js';
import { HASIM_VERSION } from '../trace/version.js';
import type {
  GridAxis,
  GridPoint,
  SweepJob,
  SweepPlan,
  SweepRunRecord,
  Distribution,
  SweepSloStats,
  SweepWorkloadStats,
  SweepPointResult,
  SweepResult,
} from '../trace/sweep.js';
// The sweep report's contract lives in trace/sweep.ts; its types are re-exported for the runner's callers.
export type * from '../trace/sweep.js';

/** The pseudo-file that problems with `--grid` flags are reported against (line = which --grid flag). */
export const GRID_FILE = '--grid';

/**
 * Splits `v1,v2,...` on the commas that are not inside brackets, braces, parentheses or quotes, so a
 * YAML value such as `[a,b]` or `"1,5"` stays one value: `x=[a,b],[c]` has two values.
 */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{' || ch === '(') depth++;
    else if ((ch === ']' || ch === '}' || ch === ')') && depth > 0) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((v) => v.trim());
}

/** Parses the `--grid` flags; problems are Issues against GRID_FILE, line = the flag's position. */
export function parseGridFlags(flags: readonly string[]): { axes: GridAxis[]; issues: Issue[] } {
  const axes: GridAxis[] = [];
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  flags.forEach((text, i) => {
    const fail = (message: string, hint?: string): void => {
      issues.push({
        severity: 'error',
        code: 'bad-grid',
        path: '',
        message,
        file: GRID_FILE,
        line: i + 1,
        col: 1,
        ...(hint ? { hint } : {}),
      });
    };
    const eq = text.indexOf('=');
    if (eq <= 0) {
      fail(
        `"${text}" is not of the form path=v1,v2,...`,
        'e.g. --grid spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s,40s',
      );
      return;
    }
    const path = text.slice(0, eq).trim();
    const values = splitTopLevel(text.slice(eq + 1));
    const empty = values.findIndex((v) => v === '');
    if (empty >= 0) {
      fail(
        `${path}: value ${empty + 1} of "${text.slice(eq + 1)}" is empty`,
        'values are separated by commas; quote a value that is an empty string: ""',
      );
      return;
    }
    const dup = values.find((v, j) => values.indexOf(v) !== j);
    if (dup !== undefined) {
      fail(`${path}: the value "${dup}" is listed twice`);
      return;
    }
    const before = seen.get(path);
    if (before !== undefined) {
      fail(`${path} is already swept by --grid flag ${before}`, 'give each field one --grid flag with all its values');
      return;
    }
    seen.set(path, i + 1);
    axes.push({ path, values });
  });
  return { axes, issues };
}

/** The cartesian product of the axes; the first axis varies slowest, like nested loops in flag order. */
export function expandGrid(axes: readonly GridAxis[]): GridPoint[] {
  let points: GridPoint[] = [{ settings: [], sets: [] }];
  for (const axis of axes) {
    const next: GridPoint[] = [];
    for (const p of points) {
      for (const value of axis.values) {
        next.push({
          settings: [...p.settings, { path: axis.path, value }],
          sets: [...p.sets, `${axis.path}=${value}`],
        });
      }
    }
    points = next;
  }
  return points;
}

/** Every run of the sweep, grid point major and seed minor: the order results are reported in. */
export function sweepJobs(pointCount: number, firstSeed: number, seedCount: number): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (let point = 0; point < pointCount; point++) {
    for (let k = 0; k < seedCount; k++) jobs.push({ index: jobs.length, point, seed: firstSeed + k });
  }
  return jobs;
}

/** All --set flags of a grid point's runs: the plain ones first, then the grid values (which win). */
export function pointSets(plan: Pick<SweepPlan, 'sets' | 'points'>, point: number): string[] {
  return [...plan.sets, ...plan.points[point].sets];
}

export function toRunRecord(job: SweepJob, summary: RunSummary): SweepRunRecord {
  const starts = summary.faults.map((f) => f.startMs);
  return {
    index: job.index,
    point: job.point,
    seed: job.seed,
    passed: summary.passed,
    slos: summary.slos.map(sloRecord),
    workloads: summary.workloads.map((w) => ({
      workload: w.workload,
      desired: w.desired,
      minReady: w.minReady,
      recoveredAtMs: w.recoveredAtMs,
      fullAtMs: w.fullAtMs,
    })),
    firstFaultStartMs: starts.length ? Math.min(...starts) : null,
    reproduce: summary.reproduce,
  };
}

function sloRecord(s: SloResult): SweepRunRecord['slos'][number] {
  const isMs = s.measuredMs !== undefined || s.boundMs !== undefined;
  const r: SweepRunRecord['slos'][number] = {
    name: s.name,
    type: s.type,
    passed: s.passed,
    value: (isMs ? s.measuredMs : s.measured) ?? null,
    bound: (isMs ? s.boundMs : s.bound) ?? null,
    unit: isMs ? 'ms' : 'count',
  };
  // The judge measures 0 only when the workload never dropped: a real recovery ends after the drop,
  // which is at or after the fault's start.
  if (s.type === 'recovery-time' && s.measuredMs === 0) r.unaffected = true;
  return r;
}

/**
 * The nearest-rank percentile of ascending `sorted`: the smallest value with at least p% of the values
 * at or below it. Always an observed value, so a p99 of run times is a time some run actually took.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function distribution(values: ReadonlyArray<number | null>): Distribution {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const missing = values.length - present.length;
  if (present.length === 0)
    return { count: 0, missing, min: null, p50: null, p90: null, p99: null, max: null, mean: null };
  // Summed in ascending order so the mean is the same float whatever order the runs finished in.
  const sum = present.reduce((a, b) => a + b, 0);
  return {
    count: present.length,
    missing,
    min: present[0],
    p50: percentile(present, 50),
    p90: percentile(present, 90),
    p99: percentile(present, 99),
    max: present[present.length - 1],
    mean: Math.round((sum / present.length) * 1000) / 1000,
  };
}

export function aggregateSweep(plan: SweepPlan, records: readonly SweepRunRecord[]): SweepResult {
  const sorted = [...records].sort((a, b) => a.index - b.index);
  const points = plan.points.map((point, i) =>
    aggregatePoint(
      plan,
      point,
      i,
      sorted.filter((r) => r.point === i),
    ),
  );
  return {
    hasimVersion: HASIM_VERSION,
    scenario: plan.scenario,
    file: plan.file,
    seeds: { first: plan.firstSeed, count: plan.seedCount },
    sets: plan.sets,
    grid: plan.grid,
    minPassRate: plan.minPassRate,
    runs: sorted.length,
    passed: points.every((p) => p.meetsMinPassRate),
    points,
  };
}

function aggregatePoint(
  plan: SweepPlan,
  point: GridPoint,
  i: number,
  runs: readonly SweepRunRecord[],
): SweepPointResult {
  // The SLO and workload lists are the scenario's, the same in every run of one grid point.
  const first = runs[0];
  const slos = (first?.slos ?? []).map((meta, k) => sloStats(meta, k, runs));
  const workloads: SweepWorkloadStats[] = (first?.workloads ?? []).map((meta, k) => {
    const all = runs.map((r) => ({ w: r.workloads[k], faultMs: r.firstFaultStartMs }));
    // A run whose first fault hit the workload while it was still starting measures its start-up.
    const isStarting = ({ w, faultMs }: (typeof all)[number]): boolean =>
      w.fullAtMs !== undefined && (w.fullAtMs === null || (faultMs !== null && w.fullAtMs > faultMs));
    const startingRuns = all.filter(isStarting).length;
    const ws = all.filter((x) => !isStarting(x));
    const dropped = ws.filter(({ w }) => w.minReady < w.desired);
    const recovered = dropped.filter(({ w }) => w.recoveredAtMs !== null);
    return {
      workload: meta.workload,
      desired: meta.desired,
      minReady: distribution(ws.map(({ w }) => w.minReady)),
      ...(startingRuns > 0 ? { startingRuns } : {}),
      droppedRuns: dropped.length,
      recoveredRuns: recovered.length,
      recoveryMs: distribution(
        dropped.map(({ w, faultMs }) => (w.recoveredAtMs === null ? null : w.recoveredAtMs - (faultMs ?? 0))),
      ),
    };
  });
  return {
    settings: point.settings,
    sets: pointSets(plan, i),
    runs: runs.length,
    passedRuns: runs.filter((r) => r.passed).length,
    slos,
    workloads,
    failedRuns: runs
      .filter((r) => !r.passed)
      .map((r) => ({
        seed: r.seed,
        failed: r.slos.filter((s) => !s.passed).map((s) => s.name),
        reproduce: r.reproduce,
      })),
    results: runs.map((r) => ({
      seed: r.seed,
      passed: r.passed,
      slos: r.slos.map((s) => ({
        name: s.name,
        value: s.value,
        passed: s.passed,
        ...(s.unaffected ? { unaffected: true as const } : {}),
      })),
    })),
    meetsMinPassRate: slos.every((s) => s.passRate >= plan.minPassRate),
  };
}

/** Pass rate, distribution and tail of SLO k over the runs of one grid point. */
function sloStats(meta: SweepRunRecord['slos'][number], k: number, runs: readonly SweepRunRecord[]): SweepSloStats {
  const results = runs.map((r) => r.slos[k]);
  const passed = results.filter((s) => s.passed).length;
  const affected = results.filter((s) => !s.unaffected);
  const higherIsBetter = meta.type === 'min-available' || meta.type === 'request-success-rate';
  const measured = distribution(affected.map((s) => s.value));
  return {
    name: meta.name,
    type: meta.type,
    unit: meta.unit,
    bound: meta.bound,
    runs: results.length,
    passed,
    passRate: results.length ? passed / results.length : 1,
    measured,
    unaffectedRuns: results.length - affected.length,
    higherIsBetter,
    tail: tailOf(
      affected.map((s) => s.value),
      higherIsBetter,
    ),
    failedSeeds: runs.filter((r) => !r.slos[k].passed).map((r) => r.seed),
  };
}

/** The p50/p90/p99/worst of the side that matters: low values when higher is better. */
function tailOf(values: ReadonlyArray<number | null>, higherIsBetter: boolean): SweepSloStats['tail'] {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (present.length === 0) return { p50: null, p90: null, p99: null, worst: null };
  if (!higherIsBetter)
    return {
      p50: percentile(present, 50),
      p90: percentile(present, 90),
      p99: percentile(present, 99),
      worst: present[present.length - 1],
    };
  // Nearest rank from the top: the value that 90% of the runs reached or beat.
  const desc = [...present].reverse();
  return { p50: percentile(desc, 50), p90: percentile(desc, 90), p99: percentile(desc, 99), worst: present[0] };
}

/** The SLOs whose pass rate is below the plan's minimum, with their grid point. */
export function belowMinPassRate(result: SweepResult): Array<{ point: number; slo: SweepSloStats }> {
  const out: Array<{ point: number; slo: SweepSloStats }> = [];
  result.points.forEach((p, point) => {
    for (const slo of p.slos) if (slo.passRate < result.minPassRate) out.push({ point, slo });
  });
  return out;
}

/**
 * Maps a problem found while validating a grid point back to what the user typed: the point's --set
 * list is the plain --set flags followed by one `path=value` per grid axis, so a problem reported
 * against `--set` line n beyond the plain flags belongs to grid axis n - plain - 1.
 */
export function gridIssue(
  issue: Issue,
  plan: Pick<SweepPlan, 'sets' | 'points'>,
  point: number,
  setFile: string,
): Issue {
  if (issue.file !== setFile || issue.line <= plan.sets.length) return issue;
  const axis = issue.line - plan.sets.length - 1;
  const setting = plan.points[point].settings[axis];
  if (!setting) return issue;
  // A problem with the path (bad-set) is the same for every value; one with the value names it.
  const aboutValue = issue.code !== 'bad-set' && !issue.message.includes(`"${setting.value}"`);
  return {
    ...issue,
    file: GRID_FILE,
    line: axis + 1,
    col: 1,
    message: aboutValue ? `value "${setting.value}": ${issue.message}` : issue.message,
  };
}

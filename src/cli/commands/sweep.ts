// `hasim sweep <scenario.yaml>`: one scenario over many seeds and a grid of settings (SPEC §1). Every
// grid point is validated before anything runs; the runs are spread over worker threads; the results
// are aggregated in job order (runner/sweep.ts), so the report is the same whatever the worker count.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  formatIssue,
  formatIssues,
  parseScenarioText,
  SET_FILE,
  type Issue,
  type Scenario,
} from '../../scenario/index.js';
import {
  aggregateSweep,
  expandGrid,
  gridIssue,
  parseGridFlags,
  pointSets,
  sweepJobs,
  type SweepPlan,
  type SweepResult,
} from '../../runner/sweep.js';
import { reproduceCommand } from '../../runner/run-scenario.js';
import { pointTitle, renderSweepMarkdown, renderSweepText } from '../../report/sweep-report.js';
import { renderSweepHtml } from '../../report/sweep-html.js';
import { renderSweepJunit } from '../../report/sweep-junit.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { displayPathOf } from '../load.js';
import { readScenarioFile } from '../read-input.js';
import { useColor } from '../tty.js';
import { formatDuration } from '../../report/format.js';
import { writeFilesAtomic } from '../write-atomic.js';
import { executeSweep } from '../sweep-workers.js';
import { checkSeed } from './run.js';

/** Seeds per grid point when --seeds is not given. */
export const DEFAULT_SEEDS = 10;
/** A guard against a typo such as --seeds 1000000000 allocating every job up front. */
export const MAX_RUNS = 1_000_000;

interface SweepArgs {
  scenario: string;
  seeds: number;
  seed?: number;
  grid?: string | string[];
  set?: string | string[];
  workers?: number;
  'min-pass-rate': number;
  out?: string;
  format: string;
  quiet: boolean;
}

export function sweepCommand(setCode: (c: number) => void): CommandModule<object, SweepArgs> {
  return {
    command: 'sweep <scenario>',
    describe: 'Run a scenario over many seeds and a grid of settings; report pass rates and distributions',
    builder: (y) =>
      y
        .positional('scenario', { type: 'string', describe: 'scenario file (YAML)' })
        .option('seeds', {
          type: 'number',
          default: DEFAULT_SEEDS,
          describe: 'runs per grid point, with seeds seed..seed+N-1',
        })
        .option('seed', { type: 'number', describe: 'first seed (default spec.seed)' })
        // Not `array: true`: that would swallow the scenario argument after a flag.
        .option('grid', {
          type: 'string',
          describe:
            'sweep a field: path=v1,v2,... (repeatable; the cartesian product; commas inside [] {} or quotes do not split)',
        })
        .option('set', { type: 'string', describe: 'override a field in every run: path=value (repeatable)' })
        .option('workers', { type: 'number', describe: 'worker threads (default: the number of cores)' })
        .option('min-pass-rate', {
          type: 'number',
          default: 1,
          describe: 'exit 1 when an SLO holds in a smaller share of the runs of a grid point',
        })
        .option('out', {
          type: 'string',
          describe:
            'folder for sweep.json, sweep.md, sweep.html and junit.xml (default reports/<scenario-name>-sweep/)',
        })
        .option('format', {
          choices: ['text', 'json'],
          default: 'text',
          describe: 'stdout: a readable summary or the sweep.json object',
        })
        .option('quiet', {
          type: 'boolean',
          default: false,
          describe: 'print nothing but errors (the exit code still tells)',
        }) as never,
    handler: async (args) => {
      const startedMs = performance.now();
      const flags = checkFlags(args);
      const plan = planSweep(args.scenario, flags);
      if (plan.warnings && !args.quiet) process.stderr.write(plan.warnings + '\n');
      const { sweep, text, displayPath } = plan;

      const jobs = sweepJobs(sweep.points.length, sweep.firstSeed, sweep.seedCount);
      const progress = args.quiet
        ? undefined
        : process.stderr.isTTY
          ? progressLine(jobs.length, startedMs)
          : progressLog(jobs.length, startedMs);
      const outcome = await executeSweep({
        text,
        file: displayPath,
        pointSets: sweep.points.map((_, i) => pointSets(sweep, i)),
        jobs,
        workers: flags.workers,
        onProgress: progress?.update,
      });
      progress?.clear();

      if (!outcome.ok) {
        const where = outcome.job
          ? ` in the run with seed ${outcome.job.seed}${sweep.points[outcome.job.point].settings.length ? ` at ${pointTitle(sweep.points[outcome.job.point])}` : ''}`
          : '';
        const reproduce = outcome.job
          ? `\nReproduce: ${reproduceCommand(outcome.job.seed, { scenarioArg: displayPath, sets: pointSets(sweep, outcome.job.point) })}`
          : '';
        process.stderr.write(
          `hasim: internal error${where}: ${outcome.message}${reproduce}\nThis is a bug in hasim, not in your scenario. Please report it with the scenario file, the seed and the settings.\n`,
        );
        setCode(EXIT.internal);
        return;
      }

      const result = aggregateSweep(sweep, outcome.records);
      writeAndPrint(result, args, { startedMs, workers: flags.workers, jobs: jobs.length });
      setCode(result.passed ? EXIT.ok : EXIT.sloFailed);
    },
  };
}

/** Writes the sweep's files and prints its summary. */
function writeAndPrint(
  result: SweepResult,
  args: SweepArgs,
  run: { startedMs: number; workers: number; jobs: number },
): void {
  const wallMs = Math.max(0, Math.round(performance.now() - run.startedMs));
  const outDir = args.out ?? join('reports', `${result.scenario}-sweep`);
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFilesAtomic(outDir, {
    'sweep.json': json,
    'sweep.md': renderSweepMarkdown(result),
    'sweep.html': renderSweepHtml(result),
    'junit.xml': renderSweepJunit(result),
  });
  if (!args.quiet) {
    if (args.format === 'json')
      process.stdout.write(JSON.stringify({ ...result, stats: { wallMs, workers: run.workers } }, null, 2) + '\n');
    else
      process.stdout.write(
        renderSweepText(result, {
          color: useColor(),
          wallMs,
          workers: Math.min(run.workers, run.jobs),
          outDir,
        }),
      );
  }
}

interface Flags {
  seeds: number;
  seed: number | undefined;
  grid: string[];
  sets: string[];
  workers: number;
  minPassRate: number;
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every flag problem at once, one line each. */
function checkFlags(args: SweepArgs): Flags {
  const problems: string[] = [];
  const wholeAtLeast1 = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1))
      problems.push(`hasim: --${name} must be a whole number 1 or more (found ${v})`);
  };
  wholeAtLeast1('seeds', args.seeds);
  wholeAtLeast1('workers', args.workers);
  let seed: number | undefined;
  try {
    seed = checkSeed(args.seed);
  } catch (e) {
    if (e instanceof BadInput) problems.push(e.rendered);
    else throw e;
  }
  const rate = args['min-pass-rate'];
  if (!(rate >= 0 && rate <= 1))
    problems.push(`hasim: --min-pass-rate must be a number from 0 to 1, e.g. 0.99 (found ${rate})`);
  if (problems.length) throw new BadInput(problems.join('\n'));
  return {
    seeds: args.seeds,
    seed,
    grid: asList(args.grid),
    sets: asList(args.set),
    workers: args.workers ?? Math.max(1, availableParallelism()),
    minPassRate: rate,
  };
}

/**
 * Reads the file and validates it with the --set flags and with every grid point, so that a bad value
 * in the last grid point is found before the first run rather than after an hour of runs.
 */
function planSweep(
  file: string,
  flags: Flags,
): { sweep: SweepPlan; text: string; displayPath: string; warnings: string } {
  const displayPath = displayPathOf(file);
  const read = readScenarioFile(file);
  if (!read.ok) throw new BadInput(formatIssues(read.issues.map((i) => ({ ...i, file: displayPath }))));
  const { text } = read;

  const grid = parseGridFlags(flags.grid);
  if (grid.issues.length) throw new BadInput(formatIssues(grid.issues));
  const points = expandGrid(grid.axes);
  const runs = points.length * flags.seeds;
  if (runs > MAX_RUNS) {
    throw new BadInput(
      `hasim: this sweep would be ${runs.toLocaleString('en-US')} runs (${points.length} grid points × ${flags.seeds} seeds); the limit is ${MAX_RUNS.toLocaleString('en-US')}`,
    );
  }
  const planned = { sets: flags.sets, points };
  // Each grid point is the file with its own --set list; a problem common to all of them (one in the
  // file, or a misspelt --grid path) is found in every point and reported once.
  const issues: Issue[] = [];
  let first: Scenario | undefined;
  let warnings = '';
  points.forEach((_, i) => {
    const parsed = parseScenarioText(text, { file: displayPath, sets: pointSets(planned, i) });
    if (!parsed.ok) issues.push(...parsed.issues.map((issue) => gridIssue(issue, planned, i, SET_FILE)));
    else if (!first) {
      first = parsed.scenario;
      warnings = parsed.warnings.length
        ? formatIssues(parsed.warnings.map((w) => gridIssue(w, planned, i, SET_FILE)))
        : '';
    }
  });
  const errors = dedupe(issues.filter((i) => i.severity === 'error'));
  if (errors.length || !first) throw new BadInput(formatIssues(errors));
  const sweep: SweepPlan = {
    scenario: first.metadata.name,
    file: displayPath,
    sets: flags.sets,
    grid: grid.axes,
    points,
    firstSeed: flags.seed ?? first.spec.seed,
    seedCount: flags.seeds,
    minPassRate: flags.minPassRate,
  };
  return { sweep, text, displayPath, warnings };
}

/** The same problem found in several grid points is reported once. */
function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = formatIssue(i);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the progress line says: `sweep 370/1000 runs, 2 failed, 4.1s, about 7s left`. */
export function progressText(done: number, total: number, failed: number, elapsedMs: number): string {
  const eta = done > 0 && done < total ? `, about ${formatDuration(((total - done) * elapsedMs) / done)} left` : '';
  return `sweep ${done}/${total} runs${failed ? `, ${failed} failed` : ''}, ${formatDuration(elapsedMs)}${eta}`;
}

/** Without a terminal (a CI log): one progress line every PROGRESS_LOG_MS, so a long sweep is seen to move. */
export const PROGRESS_LOG_MS = 10_000;

/**
 * Progress as log lines, at most one every intervalMs (for stderr that is not a terminal). The clock and
 * the writer are parameters so that tests can drive them.
 */
export function progressLog(
  total: number,
  startedMs: number,
  opts: { intervalMs?: number; now?: () => number; write?: (line: string) => void } = {},
): { update: (done: number, failed: number) => void; clear: () => void } {
  const intervalMs = opts.intervalMs ?? PROGRESS_LOG_MS;
  const now = opts.now ?? (() => performance.now());
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  let lastMs = startedMs;
  return {
    update: (done, failed) => {
      const t = now();
      if (done >= total || t - lastMs < intervalMs) return;
      lastMs = t;
      write(progressText(done, total, failed, t - startedMs) + '\n');
    },
    clear: () => {},
  };
}

/** "sweep 37/200 runs, 2 failed, 4.1s, about 18s left" on stderr, rewritten in place at most ten times a second. */
function progressLine(
  total: number,
  startedMs: number,
): { update: (done: number, failed: number) => void; clear: () => void } {
  let lastMs = 0;
  let shown = false;
  return {
    update: (done, failed) => {
      const now = performance.now();
      if (done < total && now - lastMs < 100) return;
      lastMs = now;
      shown = true;
      process.stderr.write(`\r${progressText(done, total, failed, now - startedMs)}\u001b[K`);
    },
    clear: () => {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

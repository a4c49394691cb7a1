// `hasim sweep <scenario.yaml>`: one scenario over many seeds and a grid of settings (README.md#sweeps). Every
// grid point is validated before anything runs; the runs are spread over worker processes; the results
// are aggregated in job order (runner/sweep.ts), so the report is the same whatever the worker count.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
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
  type SweepJob,
  type SweepPlan,
  type SweepRunRecord,
} from '../../runner/sweep.js';
import {
  inShard,
  mergeShards,
  parseShard,
  SHARD_FILE_PATTERN,
  SHARD_FORMAT,
  SHARD_KIND,
  shardFileName,
  type NamedShard,
  type ShardFile,
  type ShardSpec,
} from '../../runner/shard.js';
import { HASIM_VERSION } from '../../trace/version.js';
import { EMIT_TARGETS, emitSweep, type EmitInput, type EmitTarget } from '../emit.js';
import { finishSweep } from '../sweep-output.js';
import { reproduceCommand } from '../../runner/reproduce.js';
import { pointTitle } from '../../report/sweep-report.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { ALLOW_LARGE_OPTION, displayPathOf } from '../load.js';
import { readScenarioFile, STDIN } from '../read-input.js';
import { ReportFolder, writeFileAtomic } from '../write-atomic.js';
import { executeSweep } from '../sweep-workers.js';
import { stopCleanlyOnSignals } from '../signals.js';
import { checkMemory } from '../memory.js';
import { chooseOutDir } from '../out-dir.js';
import { checkSeed } from './run.js';
import { formatDuration } from '../../report/format.js';

/** Seeds per grid point when --seeds is not given. */
export const DEFAULT_SEEDS = 10;
/** A guard against a typo such as --seeds 1000000000 allocating every job up front. */
export const MAX_RUNS = 1_000_000;
/** Worker processes with --allow-large (without it: one per core). */
export const MAX_WORKERS = 64;
/** Shards --emit plans for when --shards is not given. */
export const DEFAULT_SHARDS = 4;

interface SweepArgs {
  scenario?: string;
  seeds: number;
  seed?: number;
  grid?: string | string[];
  set?: string | string[];
  workers?: number;
  'min-pass-rate': number;
  out?: string;
  format: string;
  quiet: boolean;
  'allow-large': boolean;
  force: boolean;
  shard?: string;
  emit?: EmitTarget;
  shards: number;
  image?: string;
}

export function sweepCommand(setCode: (c: number) => void): CommandModule<object, SweepArgs> {
  return {
    command: 'sweep [scenario]',
    describe: 'Run a scenario over many seeds and a grid of settings; report pass rates and distributions',
    builder: (y) => sweepOptions(y, setCode),
    handler: (args) => sweepHandler(args, setCode),
  };
}

/** The flags of `hasim sweep`, and its merge subcommand. */
function sweepOptions(y: Argv, setCode: (c: number) => void): Argv<SweepArgs> {
  return (
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
      .option('workers', { type: 'number', describe: 'worker processes (default: the number of cores)' })
      .option('min-pass-rate', {
        type: 'number',
        default: 1,
        describe: 'exit 1 when an SLO holds in a smaller share of the runs of a grid point',
      })
      .option('out', {
        type: 'string',
        describe:
          'folder for sweep.json, sweep.md, sweep.html and junit.xml (default reports/<scenario-name>-sweep/, or -2/, -3/, ... if that holds a sweep)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'write to reports/<scenario-name>-sweep/ even if it holds an earlier sweep',
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
      })
      .option('allow-large', ALLOW_LARGE_OPTION)
      .option('shard', {
        type: 'string',
        describe: 'run only share K of N of the runs and write shard-K-of-N.json, for hasim sweep merge',
      })
      .option('emit', {
        choices: EMIT_TARGETS,
        describe: 'print a Kubernetes Indexed Job or a GitHub Actions workflow that runs the sweep in shards',
      })
      .option('shards', { type: 'number', default: DEFAULT_SHARDS, describe: 'with --emit: how many shards' })
      .option('image', {
        type: 'string',
        describe: `with --emit k8s-job: the container image with hasim (default hasim:${HASIM_VERSION})`,
      })
      .command(mergeCommand(setCode)) as unknown as Argv<SweepArgs>
  );
}

async function sweepHandler(args: SweepArgs, setCode: (c: number) => void): Promise<void> {
  const startedMs = performance.now();
  if (args.scenario === undefined)
    throw new BadInput(
      'hasim: name the scenario file: hasim sweep <scenario.yaml> [options], or hasim sweep merge <shard files or folders>',
    );
  const flags = checkFlags(args);
  const plan = planSweep(args.scenario, flags);
  if (plan.warnings && !args.quiet) process.stderr.write(plan.warnings + '\n');
  const { sweep, text, displayPath } = plan;
  if (args.emit) {
    process.stdout.write(emitSweep(args.emit, emitInput(sweep, text, displayPath, args, flags)));
    setCode(EXIT.ok);
    return;
  }
  const shardOut = flags.shard ? shardTarget(sweep, flags.shard, args) : undefined;
  // --out is checked (and locked) before the first run; the report files are written as one set.
  stopCleanlyOnSignals();
  let folder: ReportFolder | undefined;
  let outDir: string | undefined;
  if (!shardOut) {
    const chosen = chooseOutDir(join('reports', `${sweep.scenario}-sweep`), args);
    if (chosen.note && !args.quiet) process.stderr.write(chosen.note + '\n');
    outDir = chosen.dir;
    folder = ReportFolder.open(outDir);
  }
  const jobs = sweepJobs(sweep.points.length, sweep.firstSeed, sweep.seedCount);
  const mine = flags.shard ? jobs.filter((j) => inShard(j.index, flags.shard!)) : jobs;
  let records: SweepRunRecord[] | undefined;
  try {
    records = await runJobs(sweep, text, displayPath, mine, flags, args.quiet, startedMs);
  } finally {
    if (!records) folder?.abandon();
  }
  if (!records) return setCode(EXIT.internal);
  if (flags.shard && shardOut) {
    const file: ShardFile = {
      kind: SHARD_KIND,
      format: SHARD_FORMAT,
      hasimVersion: HASIM_VERSION,
      scenarioSha256: createHash('sha256').update(text).digest('hex'),
      shard: flags.shard,
      totalRuns: jobs.length,
      plan: sweep,
      records,
    };
    writeFileAtomic(shardOut.dir, shardOut.name, JSON.stringify(file) + '\n');
    const path = join(shardOut.dir, shardOut.name);
    if (!args.quiet && args.format === 'json')
      process.stdout.write(JSON.stringify(shardStats(file, path), null, 2) + '\n');
    else if (!args.quiet) process.stdout.write(shardSummary(file, path));
    return setCode(EXIT.ok);
  }
  const wallMs = Math.max(0, Math.round(performance.now() - startedMs));
  setCode(
    finishSweep(aggregateSweep(sweep, records), {
      ...args,
      wallMs,
      workers: Math.min(flags.workers, jobs.length),
      folder,
      outDir,
    }),
  );
}

/** Runs the jobs over worker processes; on a bug in hasim reports it and returns undefined. */
async function runJobs(
  sweep: SweepPlan,
  text: string,
  displayPath: string,
  jobs: SweepJob[],
  flags: Flags,
  quiet: boolean,
  startedMs: number,
): Promise<SweepRunRecord[] | undefined> {
  const progress = quiet
    ? undefined
    : process.stderr.isTTY
      ? progressLine(jobs.length, startedMs)
      : progressLog(jobs.length, startedMs);
  const outcome = await executeSweep({
    text,
    file: displayPath,
    pointSets: sweep.points.map((_, i) => pointSets(sweep, i)),
    allowLarge: flags.allowLarge,
    jobs,
    workers: flags.workers,
    onProgress: progress?.update,
  });
  progress?.clear();
  if (outcome.ok) return outcome.records;
  const where = outcome.job
    ? ` in the run with seed ${outcome.job.seed}${sweep.points[outcome.job.point].settings.length ? ` at ${pointTitle(sweep.points[outcome.job.point])}` : ''}`
    : '';
  const reproduce = outcome.job
    ? `\nReproduce: ${reproduceCommand(outcome.job.seed, { scenarioArg: displayPath, sets: pointSets(sweep, outcome.job.point), allowLarge: flags.allowLarge })}`
    : '';
  process.stderr.write(
    `hasim: internal error${where}: ${outcome.message}${reproduce}\nThis is a bug in hasim, not in your scenario. Please report it with the scenario file, the seed and the settings.\n`,
  );
  return undefined;
}

/**
 * Where a shard's file goes: --out DIR as given, else reports/<name>-sweep-shards/. Checked before any
 * run: a shard file of an earlier sweep there is not overwritten without --force (or --out).
 */
function shardTarget(sweep: SweepPlan, shard: ShardSpec, args: SweepArgs): { dir: string; name: string } {
  const name = shardFileName(shard);
  const dir = args.out ?? join('reports', `${sweep.scenario}-sweep-shards`);
  if (args.out === undefined && !args.force && existsSync(join(dir, name)))
    throw new BadInput(
      `hasim: ${join(dir, name)} holds shard ${shard.index} of ${shard.count} of an earlier sweep; --force overwrites it, --out DIR picks a folder`,
    );
  return { dir, name };
}

/** `--shard --format json`: what the shard did, without its run records (they are in the file). */
function shardStats(file: ShardFile, path: string): Record<string, unknown> {
  return {
    hasimVersion: file.hasimVersion,
    scenario: file.plan.scenario,
    shard: file.shard,
    runs: file.records.length,
    totalRuns: file.totalRuns,
    failedRuns: file.records.filter((r) => !r.passed).length,
    file: path,
  };
}

function shardSummary(file: ShardFile, path: string): string {
  const failed = file.records.filter((r) => !r.passed).length;
  return (
    `hasim sweep ${file.plan.scenario}: shard ${file.shard.index} of ${file.shard.count}: ${file.records.length} of ${file.totalRuns} runs` +
    `${failed ? `, ${failed} failed an SLO` : ''}\nWrote ${path}\n` +
    `Pass rates are judged when the shards are merged: hasim sweep merge <shard files or folders>\n`
  );
}

/** The sweep's flags for the commands --emit prints: everything that decides which runs are made. */
function emitInput(sweep: SweepPlan, text: string, displayPath: string, args: SweepArgs, flags: Flags): EmitInput {
  const sweepArgs = ['--seeds', String(sweep.seedCount), '--seed', String(sweep.firstSeed)];
  for (const g of flags.grid) sweepArgs.push('--grid', g);
  for (const s of flags.sets) sweepArgs.push('--set', s);
  sweepArgs.push('--min-pass-rate', String(sweep.minPassRate));
  return {
    scenario: sweep.scenario,
    file: displayPath,
    text,
    sweepArgs,
    shards: flags.shards,
    ...(args.workers !== undefined ? { workers: args.workers } : {}),
    image: args.image ?? `hasim:${HASIM_VERSION}`,
  };
}

/** `hasim sweep merge <shard files or folders...>`. */
function mergeCommand(
  setCode: (c: number) => void,
): CommandModule<object, { shards: string[]; out?: string; force: boolean; format: string; quiet: boolean }> {
  return {
    command: 'merge <shards..>',
    describe: 'Merge the shard files of a sweep run with --shard K/N into the sweep report',
    builder: (y) =>
      y
        .positional('shards', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'shard files (shard-K-of-N.json) or folders holding them',
        })
        .option('out', {
          type: 'string',
          describe: 'folder for the sweep report (default reports/<scenario-name>-sweep/, or -2/, ... if taken)',
        })
        .option('force', { type: 'boolean', default: false, describe: 'overwrite reports/<scenario-name>-sweep/' })
        .option('format', { choices: ['text', 'json'], default: 'text', describe: 'stdout: summary or sweep.json' })
        .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as never,
    handler: (args) => {
      const startedMs = performance.now();
      const merged = mergeShards(readShardInputs(args.shards));
      if (!merged.ok) throw new BadInput(merged.problems.join('\n'));
      const wallMs = Math.max(0, Math.round(performance.now() - startedMs));
      setCode(
        finishSweep(aggregateSweep(merged.plan, merged.records), {
          ...args,
          wallMs,
          mergedShards: merged.shardCount,
        }),
      );
    },
  };
}

/**
 * The shard files named on the command line, a folder standing for every shard-K-of-N.json in it and
 * its subfolders (as downloaded CI artifacts are laid out). Unreadable input is bad input, all at once.
 */
function readShardInputs(paths: readonly string[]): NamedShard[] {
  const problems: string[] = [];
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) problems.push(`${p}: error: no such file or folder`);
    else if (statSync(p).isDirectory()) {
      const found = findShardFiles(p);
      if (found.length === 0) problems.push(`${p}: error: holds no shard files (shard-K-of-N.json)`);
      files.push(...found);
    } else files.push(p);
  }
  const shards: NamedShard[] = [];
  for (const f of files) {
    try {
      shards.push({ name: f, data: JSON.parse(readFileSync(f, 'utf8')) });
    } catch (e) {
      problems.push(`${f}: error: not a hasim sweep shard file (${(e as Error).message})`);
    }
  }
  if (problems.length) throw new BadInput(problems.join('\n'));
  return shards;
}

function findShardFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findShardFiles(path));
    else if (SHARD_FILE_PATTERN.test(entry.name)) out.push(path);
  }
  return out;
}

interface Flags {
  seeds: number;
  seed: number | undefined;
  grid: string[];
  sets: string[];
  workers: number;
  minPassRate: number;
  allowLarge: boolean;
  shard: ShardSpec | undefined;
  shards: number;
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
  const cores = Math.max(1, availableParallelism());
  const workerLimit = args['allow-large'] ? MAX_WORKERS : cores;
  if (args.workers !== undefined && Number.isSafeInteger(args.workers) && args.workers > workerLimit)
    problems.push(
      args['allow-large']
        ? `hasim: --workers ${args.workers} is more than hasim starts (at most ${MAX_WORKERS}, with --allow-large)`
        : `hasim: --workers ${args.workers} is more than this machine's ${cores} core${cores === 1 ? '' : 's'}: more workers than cores only add memory; --allow-large allows up to ${MAX_WORKERS}`,
    );
  wholeAtLeast1('shards', args.shards);
  let shard: ShardSpec | undefined;
  if (args.shard !== undefined) {
    const parsed = parseShard(args.shard);
    if (parsed.ok) shard = parsed.shard;
    else problems.push(parsed.message);
  }
  if (args.emit && args.shard !== undefined)
    problems.push('hasim: --emit prints the commands that run every shard; give --shards N with it, not --shard K/N');
  const rate = args['min-pass-rate'];
  if (!(rate >= 0 && rate <= 1))
    problems.push(`hasim: --min-pass-rate must be a number from 0 to 1, e.g. 0.99 (found ${rate})`);
  if (problems.length) throw new BadInput(problems.join('\n'));
  return {
    seeds: args.seeds,
    seed,
    grid: asList(args.grid),
    sets: asList(args.set),
    workers: args.workers ?? cores,
    minPassRate: rate,
    allowLarge: args['allow-large'],
    shard,
    shards: args.shards,
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
  if (file === STDIN)
    throw new BadInput(
      'hasim: sweep reads its scenario from a file, not from standard input: the commands that replay its runs name the file. Save it first, e.g. cat > s.yaml',
    );
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
  const allowLarge = flags.allowLarge;
  points.forEach((_, i) => {
    const parsed = parseScenarioText(text, { file: displayPath, sets: pointSets(planned, i), allowLarge });
    if (!parsed.ok) issues.push(...parsed.issues.map((issue) => gridIssue(issue, planned, i, SET_FILE)));
    else checkMemory(parsed.scenario, Math.min(flags.workers, runs));
    if (parsed.ok && !first) {
      first = parsed.scenario;
      warnings = parsed.warnings.length
        ? formatIssues(parsed.warnings.map((w) => gridIssue(w, planned, i, SET_FILE)))
        : '';
    }
  });
  const errors = dedupe(issues.filter((i) => i.severity === 'error'));
  if (errors.length || !first) throw new BadInput(formatIssues(errors));
  const firstSeed = flags.seed ?? first.spec.seed;
  // BigInt: near 2^53 the sum itself would be rounded.
  const lastSeed = BigInt(firstSeed) + BigInt(flags.seeds) - 1n;
  if (lastSeed > BigInt(Number.MAX_SAFE_INTEGER))
    throw new BadInput(
      `hasim: seeds ${firstSeed}..${lastSeed} go past ${Number.MAX_SAFE_INTEGER} (2^53 - 1), the largest seed that can be printed and read back`,
    );
  const sweep: SweepPlan = {
    scenario: first.metadata.name,
    file: displayPath,
    sets: flags.sets,
    grid: grid.axes,
    points,
    firstSeed,
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

// `hasim run [scenario.yaml]`: one run, its summary on stdout, its report files in --out.
import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { RunResult } from '../../runner/run-scenario.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { ALLOW_LARGE_OPTION, loadScenario } from '../load.js';
import { STDIN } from '../read-input.js';
import { DEMO_SCENARIO } from '../paths.js';
import { ReportFolder } from '../write-atomic.js';
import { useColor } from '../tty.js';
import { playRun } from '../progress.js';
import { checkMemory } from '../memory.js';
import { stopCleanlyOnSignals } from '../signals.js';
import { chooseOutDir } from '../out-dir.js';
import { resolvedScenarioYaml } from '../../scenario/resolved.js';
import { HASIM_VERSION } from '../../trace/version.js';

interface RunArgs {
  scenario?: string;
  seed?: number;
  out?: string;
  set?: string[];
  format: string;
  quiet: boolean;
  'trace-heartbeats': boolean;
  'allow-large': boolean;
  force: boolean;
}

export function runCommand(setCode: (c: number) => void): CommandModule<object, RunArgs> {
  return {
    command: 'run [scenario]',
    describe: 'Run one scenario (without a file: the built-in demo) and write its reports',
    builder: runOptions,
    handler: async (args) => {
      const seed = checkSeed(args.seed);
      const file = args.scenario ?? DEMO_SCENARIO;
      const { scenario, displayPath, warnings } = loadScenario(file, args.set ?? [], {
        allowLarge: args['allow-large'],
      });
      if (warnings && !args.quiet) process.stderr.write(warnings + '\n');
      checkMemory(scenario);
      const { dir: outDir, note } = chooseOutDir(join('reports', scenario.metadata.name), args);
      if (note && !args.quiet) process.stderr.write(note + '\n');
      // --out is checked (and locked) before anything is simulated; the files are written as one set.
      stopCleanlyOnSignals();
      const folder = ReportFolder.open(outDir);
      let written: { result: RunResult; summaryJson: string };
      try {
        // The simulator and the report stack load only now, so that a bad file is reported at once and
        // validate and schema start quickly.
        const { startRun } = await import('../../runner/run-scenario.js');
        const run = startRun(scenario, {
          seed,
          traceHeartbeats: args['trace-heartbeats'],
          reproduce: reproduceFrom(args, displayPath, outDir),
          wallClockMs: () => performance.now(),
        });
        await playRun(run, { stream: args.quiet ? undefined : process.stderr, nowMs: () => performance.now() });
        const result = run.finish();
        const resolved = resolvedScenarioYaml(scenario, result.summary.seed, {
          hasimVersion: HASIM_VERSION,
          file: args.scenario === undefined ? undefined : displayPath,
          sets: args.set,
        });
        written = await writeRun(result, resolved, folder);
      } finally {
        folder.abandon();
      }
      const { result, summaryJson } = written;
      if (!args.quiet) {
        if (args.format === 'json') process.stdout.write(summaryJson);
        else {
          const { renderTextSummary } = await import('../../report/index.js');
          process.stdout.write(
            renderTextSummary(result.summary, {
              color: useColor(),
              reportDir: outDir,
              events: result.events,
              columns: process.stdout.isTTY ? process.stdout.columns : undefined,
            }),
          );
        }
      }
      setCode(result.summary.passed ? EXIT.ok : EXIT.sloFailed);
    },
  };
}

/** The flags of `hasim run`. */
function runOptions(y: Argv): Argv<RunArgs> {
  return y
    .positional('scenario', { type: 'string', describe: 'scenario file (YAML)' })
    .option('seed', { type: 'number', describe: 'seed for every random choice (overrides spec.seed)' })
    .option('out', {
      type: 'string',
      describe: 'folder for the report files (default reports/<scenario-name>/, or -2/, -3/, ... if that holds a run)',
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'write to reports/<scenario-name>/ even if it holds an earlier run',
    })
    .option('set', { type: 'string', array: true, describe: 'override a scenario field: path=value (repeatable)' })
    .option('format', {
      choices: ['text', 'json'],
      default: 'text',
      describe: 'stdout: a readable summary or the summary.json object',
    })
    .option('quiet', {
      type: 'boolean',
      default: false,
      describe: 'print nothing but errors (the exit code still tells)',
    })
    .option('trace-heartbeats', {
      type: 'boolean',
      default: false,
      describe: 'record every kubelet lease renewal in events.jsonl',
    })
    .option('allow-large', ALLOW_LARGE_OPTION) as never;
}

/** The run's files as one set; the summary records the trace's length and SHA-256 for `hasim report`. */
async function writeRun(
  result: RunResult,
  resolved: string,
  folder: ReportFolder,
): Promise<{ result: RunResult; summaryJson: string }> {
  // The report stack (d3-node, jsdom) takes a quarter of a second to load: only commands that render load it.
  const [{ renderReports }, { jsonlChunks }] = await Promise.all([
    import('../../report/index.js'),
    import('../../engine/index.js'),
  ]);
  // events.jsonl first, hashed and written piece by piece (a 5,000-node hour is 85 MB of text), then the
  // summary that records its hash, and the reports.
  const hash = createHash('sha256');
  folder.write({ 'events.jsonl': hashed(jsonlChunks(result.events), hash) });
  result.summary.trace = { events: result.events.length, sha256: hash.digest('hex') };
  const summaryJson = JSON.stringify(result.summary, null, 2) + '\n';
  folder.write({
    'summary.json': summaryJson,
    'scenario.resolved.yaml': resolved,
    ...renderReports(result.summary, result.events),
  });
  folder.commit();
  return { result, summaryJson };
}

/** The pieces, each added to the hash as it passes. */
function* hashed(pieces: Iterable<string>, hash: Hash): Generator<string> {
  for (const piece of pieces) {
    hash.update(piece);
    yield piece;
  }
}

/**
 * What the reproduce line runs: the scenario file with the same --set flags, or, for a scenario read
 * from standard input (which cannot be read again), the resolved copy saved with the reports.
 */
function reproduceFrom(
  args: RunArgs,
  displayPath: string,
  outDir: string,
): { scenarioArg?: string; sets?: string[]; allowLarge?: boolean } {
  const allowLarge = args['allow-large'];
  if (args.scenario === STDIN) return { scenarioArg: join(outDir, 'scenario.resolved.yaml'), allowLarge };
  return { scenarioArg: args.scenario === undefined ? undefined : displayPath, sets: args.set, allowLarge };
}

export function checkSeed(seed: number | undefined): number | undefined {
  if (seed === undefined) return undefined;
  if (Number.isInteger(seed) && seed > Number.MAX_SAFE_INTEGER)
    throw new BadInput(
      `hasim: --seed must be at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1), so that the seed printed is the seed used (found ${seed})`,
    );
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new BadInput(`hasim: --seed must be a whole number 0 or more (found ${seed})`);
  return seed;
}

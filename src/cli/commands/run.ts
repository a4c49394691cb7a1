// `hasim run [scenario.yaml]`: one run, its summary on stdout, its report files in --out.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { startRun, type RunResult } from '../../runner/run-scenario.js';
import { renderReports, renderTextSummary } from '../../report/index.js';
import { toJsonl } from '../../engine/index.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { ALLOW_LARGE_OPTION, loadScenario } from '../load.js';
import { DEMO_SCENARIO } from '../paths.js';
import { ReportFolder } from '../write-atomic.js';
import { useColor } from '../tty.js';
import { playRun } from '../progress.js';
import { checkMemory } from '../memory.js';
import { stopCleanlyOnSignals } from '../signals.js';

interface RunArgs {
  scenario?: string;
  seed?: number;
  out?: string;
  set?: string[];
  format: string;
  quiet: boolean;
  'trace-heartbeats': boolean;
  'allow-large': boolean;
}

export function runCommand(setCode: (c: number) => void): CommandModule<object, RunArgs> {
  return {
    command: 'run [scenario]',
    describe: 'Run one scenario (without a file: the built-in demo) and write its reports',
    builder: (y) =>
      y
        .positional('scenario', { type: 'string', describe: 'scenario file (YAML)' })
        .option('seed', { type: 'number', describe: 'seed for every random choice (overrides spec.seed)' })
        .option('out', { type: 'string', describe: 'folder for the report files (default reports/<scenario-name>/)' })
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
        .option('allow-large', ALLOW_LARGE_OPTION) as never,
    handler: async (args) => {
      const seed = checkSeed(args.seed);
      const file = args.scenario ?? DEMO_SCENARIO;
      const { scenario, displayPath, warnings } = loadScenario(file, args.set ?? [], {
        allowLarge: args['allow-large'],
      });
      if (warnings && !args.quiet) process.stderr.write(warnings + '\n');
      checkMemory(scenario);
      const outDir = args.out ?? join('reports', scenario.metadata.name);
      // --out is checked (and locked) before anything is simulated; the files are written as one set.
      stopCleanlyOnSignals();
      const folder = ReportFolder.open(outDir);
      let written: { result: RunResult; summaryJson: string };
      try {
        const run = startRun(scenario, {
          seed,
          traceHeartbeats: args['trace-heartbeats'],
          reproduce: {
            scenarioArg: args.scenario === undefined ? undefined : displayPath,
            sets: args.set,
            allowLarge: args['allow-large'],
          },
          wallClockMs: () => performance.now(),
        });
        await playRun(run, { stream: args.quiet ? undefined : process.stderr, nowMs: () => performance.now() });
        written = writeRun(run.finish(), folder);
      } finally {
        folder.abandon();
      }
      const { result, summaryJson } = written;
      if (!args.quiet) {
        if (args.format === 'json') process.stdout.write(summaryJson);
        else
          process.stdout.write(
            renderTextSummary(result.summary, { color: useColor(), reportDir: outDir, events: result.events }),
          );
      }
      setCode(result.summary.passed ? EXIT.ok : EXIT.sloFailed);
    },
  };
}

/** The run's files as one set; the summary records the trace's length and SHA-256 for `hasim report`. */
function writeRun(result: RunResult, folder: ReportFolder): { result: RunResult; summaryJson: string } {
  const jsonl = toJsonl(result.events);
  const sha256 = createHash('sha256').update(jsonl).digest('hex');
  result.summary.trace = { events: result.events.length, sha256 };
  const summaryJson = JSON.stringify(result.summary, null, 2) + '\n';
  folder.write({
    'events.jsonl': jsonl,
    'summary.json': summaryJson,
    ...renderReports(result.summary, result.events),
  });
  folder.commit();
  return { result, summaryJson };
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

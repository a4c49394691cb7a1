// `hasim run [scenario.yaml]`: one run, its summary on stdout, its report files in --out.
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { runScenario } from '../../runner/run-scenario.js';
import { renderReports, renderTextSummary } from '../../report/index.js';
import { toJsonl } from '../../engine/index.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { loadScenario } from '../load.js';
import { DEMO_SCENARIO } from '../paths.js';
import { writeFilesAtomic } from '../write-atomic.js';
import { useColor } from '../tty.js';

interface RunArgs {
  scenario?: string;
  seed?: number;
  out?: string;
  set?: string[];
  format: string;
  quiet: boolean;
  'trace-heartbeats': boolean;
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
        }) as never,
    handler: (args) => {
      const seed = checkSeed(args.seed);
      const file = args.scenario ?? DEMO_SCENARIO;
      const { scenario, displayPath, warnings } = loadScenario(file, args.set ?? []);
      if (warnings && !args.quiet) process.stderr.write(warnings + '\n');
      const result = runScenario(scenario, {
        seed,
        traceHeartbeats: args['trace-heartbeats'],
        reproduce: { scenarioArg: args.scenario === undefined ? undefined : displayPath, sets: args.set },
        wallClockMs: () => performance.now(),
      });
      const outDir = args.out ?? join('reports', scenario.metadata.name);
      const summaryJson = JSON.stringify(result.summary, null, 2) + '\n';
      writeFilesAtomic(outDir, {
        'events.jsonl': toJsonl(result.events),
        'summary.json': summaryJson,
        ...renderReports(result.summary, result.events),
      });
      if (!args.quiet) {
        if (args.format === 'json') process.stdout.write(summaryJson);
        else
          process.stdout.write(
            renderTextSummary(result.summary, {
              color: useColor(),
              reportDir: outDir,
              events: result.events,
              columns: process.stdout.isTTY ? process.stdout.columns : undefined,
            }),
          );
      }
      setCode(result.summary.passed ? EXIT.ok : EXIT.sloFailed);
    },
  };
}

export function checkSeed(seed: number | undefined): number | undefined {
  if (seed === undefined) return undefined;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new BadInput(`hasim: --seed must be a whole number 0 or more (found ${seed})`);
  return seed;
}

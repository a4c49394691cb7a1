#!/usr/bin/env -S node --max-semi-space-size=128
// The hasim command line (README.md#commands). The only part of hasim that touches the file system, stdout,
// the process and real time.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SimulationBug } from '../engine/index.js';
import { BadInput, EXIT } from './exit-codes.js';
import { HASIM_VERSION } from '../trace/version.js';
import { STDIN } from './read-input.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { schemaCommand } from './commands/schema.js';
import { reportCommand } from './commands/report.js';
import { sweepCommand } from './commands/sweep.js';
import { exitPlainlyOnStdoutErrors } from './stdout.js';
import { diffCommand } from './commands/diff.js';
import { importCommand } from './commands/import.js';

async function main(argv: string[]): Promise<number> {
  exitPlainlyOnStdoutErrors();
  let code: number = EXIT.ok;
  const parser = yargs(argv)
    .scriptName('hasim')
    .usage(
      '$0 <command> [options]\n\nSimulate how Kubernetes detects failures and recovers from them, in virtual time.',
    )
    .command(runCommand((c) => (code = c)))
    .command(validateCommand((c) => (code = c)))
    .command(sweepCommand((c) => (code = c)))
    .command(reportCommand((c) => (code = c)))
    .command(diffCommand((c) => (code = c)))
    .command(importCommand((c) => (code = c)))
    .command(schemaCommand((c) => (code = c)))
    .example('$0 run', 'run the built-in demo scenario and write reports/demo/')
    .example('$0 run scenarios/node-crash.yaml --seed 7', 'run a scenario with another seed')
    .example('$0 run s.yaml --set spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s', 'override one field')
    .example('$0 validate scenarios/*.yaml', 'check scenario files without running them')
    .example(
      '$0 sweep scenarios/node-crash.yaml --seeds 200 --grid spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s,40s',
      'distributions over seeds and settings',
    )
    .completion(
      'completion',
      'Print a shell completion script for bash or zsh (hasim completion >> ~/.bashrc, or ~/.zshrc)',
    )
    .example('$0 sweep s.yaml --seeds 1000 --shard 2/8', 'run share 2 of 8 of a sweep; hasim sweep merge joins them')
    .example('$0 diff reports/a reports/b', 'what changed between two saved runs')
    .example('$0 import dump.yaml -o my-cluster.yaml', 'a scenario from kubectl get ... -o yaml')
    .example('$0 completion >> ~/.bashrc', 'shell completion for bash (zsh: >> ~/.zshrc)')
    .demandCommand(1, 'Name a command: run, validate, sweep, report, diff, import, schema or completion.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version('version', 'print the version of hasim', HASIM_VERSION)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new BadInput(`hasim: ${msg}\nRun "hasim --help" for usage.`);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof BadInput) {
      process.stderr.write(err.rendered.endsWith('\n') ? err.rendered : err.rendered + '\n');
      return EXIT.badInput;
    }
    if (err instanceof SimulationBug) {
      process.stderr.write(
        `hasim: internal error: ${err.message}\nThis is a bug in hasim, not in your scenario. Please report it with the scenario file and the seed.\n`,
      );
      return EXIT.internal;
    }
    const e = err as Error;
    process.stderr.write(`hasim: internal error: ${e?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
  return code;
}

// yargs drops a bare `-`; it stands for standard input (`cat s.yaml | hasim validate -`).
main(hideBin(process.argv).map((a) => (a === '-' ? STDIN : a))).then((code) => {
  process.exitCode = code;
});

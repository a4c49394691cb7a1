#!/usr/bin/env -S node --max-semi-space-size=128
// The hasim command line (SPEC §1). The only part of hasim that touches the file system, stdout,
// the process and real time.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SimulationBug } from '../engine/index.js';
import { BadInput, EXIT } from './exit-codes.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { schemaCommand } from './commands/schema.js';
import { reportCommand } from './commands/report.js';
import { sweepCommand } from './commands/sweep.js';
import { diffCommand } from './commands/diff.js';

async function main(argv: string[]): Promise<number> {
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
    .command(schemaCommand((c) => (code = c)))
    .example('$0 run', 'run the built-in demo scenario and write reports/demo/')
    .example('$0 run scenarios/node-crash.yaml --seed 7', 'run a scenario with another seed')
    .example('$0 run s.yaml --set spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s', 'override one field')
    .example('$0 validate scenarios/*.yaml', 'check scenario files without running them')
    .example(
      '$0 sweep scenarios/node-crash.yaml --seeds 200 --grid spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s,40s',
      'distributions over seeds and settings',
    )
    .example('$0 diff reports/a reports/b', 'what changed between two saved runs')
    .demandCommand(1, 'Name a command: run, validate, sweep, report, diff or schema.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
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

main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});

// `hasim diff <run-dir-a> <run-dir-b>`: what changed between two saved runs (SLO values, when each
// fault's reactions and each recovery happened). Reads events.jsonl and summary.json of each folder.
import type { CommandModule } from 'yargs';
import { diffRuns, renderDiffText } from '../../report/diff.js';
import { EXIT } from '../exit-codes.js';
import { useColor } from '../tty.js';
import { readSavedRun } from './report.js';

interface DiffArgs {
  a: string;
  b: string;
  format: string;
}

export function diffCommand(setCode: (c: number) => void): CommandModule<object, DiffArgs> {
  return {
    command: 'diff <a> <b>',
    describe: 'Show what changed between two saved runs: SLO values, and when each reaction and recovery happened',
    builder: (y) =>
      y
        .positional('a', { type: 'string', demandOption: true, describe: 'a folder written by hasim run (before)' })
        .positional('b', { type: 'string', demandOption: true, describe: 'a folder written by hasim run (after)' })
        .option('format', {
          choices: ['text', 'json'],
          default: 'text',
          describe: 'stdout: a readable comparison or a JSON object',
        }) as never,
    handler: (args) => {
      const diff = diffRuns(readSavedRun(args.a), readSavedRun(args.b));
      if (args.format === 'json') process.stdout.write(JSON.stringify(diff, null, 2) + '\n');
      else process.stdout.write(renderDiffText(diff, { color: useColor(), labels: [args.a, args.b] }));
      setCode(EXIT.ok);
    },
  };
}

// `hasim validate <file...>`: checks scenario files without running them.
import type { CommandModule } from 'yargs';
import { BadInput, EXIT } from '../exit-codes.js';
import { ALLOW_LARGE_OPTION, loadScenario } from '../load.js';
import { scenarioCounts } from '../counts.js';

export function validateCommand(
  setCode: (c: number) => void,
): CommandModule<object, { files: string[]; set?: string[]; 'allow-large': boolean }> {
  return {
    command: 'validate <files..>',
    describe: 'Check scenario files without running them',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario files' })
        .option('set', {
          type: 'string',
          array: true,
          describe: 'apply overrides before checking: path=value',
        })
        .option('allow-large', ALLOW_LARGE_OPTION) as never,
    handler: (args) => {
      const problems: string[] = [];
      for (const f of args.files) {
        try {
          const { displayPath, warnings, scenario } = loadScenario(f, args.set ?? [], {
            allowLarge: args['allow-large'],
          });
          if (warnings) process.stderr.write(warnings + '\n');
          const n = scenario.spec;
          process.stdout.write(`${displayPath}: valid (${scenarioCounts(n)})\n`);
        } catch (err) {
          if (!(err instanceof BadInput)) throw err;
          problems.push(err.rendered);
        }
      }
      if (problems.length) {
        process.stderr.write(problems.map((p) => (p.endsWith('\n') ? p : p + '\n')).join(''));
        setCode(EXIT.badInput);
      } else setCode(EXIT.ok);
    },
  };
}

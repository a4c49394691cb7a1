// `hasim schema`: the scenario JSON Schema, for editors (`# yaml-language-server: $schema=...`).
import type { CommandModule } from 'yargs';
import { scenarioJsonSchema } from '../../scenario/index.js';
import { EXIT } from '../exit-codes.js';

export function schemaCommand(setCode: (c: number) => void): CommandModule<object, object> {
  return {
    command: 'schema',
    describe: 'Print the scenario JSON Schema (for editor autocompletion)',
    handler: () => {
      process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
      setCode(EXIT.ok);
    },
  };
}

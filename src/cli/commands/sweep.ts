// `hasim sweep`: not built yet. Registered so that --help lists it and a user gets a plain answer.
import type { CommandModule } from 'yargs';
import { BadInput } from '../exit-codes.js';

export function sweepCommand(_setCode: (c: number) => void): CommandModule<object, object> {
  return {
    command: 'sweep <scenario>',
    describe: 'Run many seeds or a grid of settings and report distributions (not available yet)',
    handler: () => {
      throw new BadInput('hasim sweep: not available in this version yet; run "hasim run --seed N" for single seeds.');
    },
  };
}

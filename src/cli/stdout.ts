// Standard output that cannot be written (a full disk, /dev/full, a pipe whose reader has gone) is a
// problem with where the output goes, not a bug in hasim: one plain line on stderr and exit 2, instead
// of Node's unhandled 'error' event and its stack trace.
import { EXIT } from './exit-codes.js';
import { fsReason } from './write-atomic.js';

export function exitPlainlyOnStdoutErrors(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    const why = err.code === 'EPIPE' ? 'the program reading it has closed the pipe' : fsReason(err);
    try {
      process.stderr.write(`hasim: cannot write to standard output: ${why}\n`);
    } finally {
      process.exit(EXIT.badInput);
    }
  });
}

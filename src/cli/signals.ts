// Ctrl-C (SIGINT) and SIGTERM stop hasim cleanly: report folders being written are dropped (the
// previous set stays as it was, see write-atomic.ts), one line says so, and the exit code is the
// shell's convention, 128 + the signal number: 130 for SIGINT, 143 for SIGTERM. The simulation is
// synchronous, so a signal is acted on between the steps a run is played in (progress.ts).
import { EXIT } from './exit-codes.js';
import { ReportFolder } from './write-atomic.js';

const CODES = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

let installed = false;

/** Installs the handlers once (run and sweep call it before they start work). */
export function stopCleanlyOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(CODES) as (keyof typeof CODES)[]) {
    process.on(signal, () => {
      const dropped = ReportFolder.abandonAll();
      const note = dropped.length
        ? `; ${dropped.join(', ')} left as ${dropped.length === 1 ? 'it was' : 'they were'}`
        : '';
      process.stderr.write(`\nhasim: stopped by ${signal}${note}\n`);
      process.exit(CODES[signal]);
    });
  }
}

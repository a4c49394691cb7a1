// Plays a run in steps (runner/run-scenario.ts startRun) so that a long run shows how far it is and
// a signal can stop it between steps. Steps are sized to take about a tenth of a second of real time;
// the trace does not depend on them. On a terminal the progress line is redrawn in place once the
// run is expected to take more than a few seconds; otherwise (a CI log) a line is printed every 10 s.
import type { RunHandle } from '../runner/run-scenario.js';
import { formatDuration } from '../scenario/index.js';

/** Real time one step should take. */
const STEP_TARGET_MS = 100;
/** A run expected to take longer than this shows progress on a terminal. */
const SHOW_AFTER_MS = 3_000;
/** Without a terminal: one line this often. */
const LOG_EVERY_MS = 10_000;

export interface ProgressOptions {
  /** Where progress goes (stderr), or undefined for none (--quiet). */
  stream: NodeJS.WriteStream | undefined;
  nowMs: () => number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function playRun(run: RunHandle, opts: ProgressOptions): Promise<void> {
  const startedMs = opts.nowMs();
  const tty = Boolean(opts.stream?.isTTY);
  let stepMs = 1_000;
  let lastShownMs = startedMs;
  let shown = false;
  for (;;) {
    const before = opts.nowMs();
    if (run.advance(run.nowMs + stepMs)) break;
    const after = opts.nowMs();
    stepMs = Math.min(3_600_000, Math.max(100, Math.round(stepMs * (STEP_TARGET_MS / Math.max(1, after - before)))));
    const elapsedMs = after - startedMs;
    const etaMs = (elapsedMs * (run.durationMs - run.nowMs)) / Math.max(1, run.nowMs);
    if (opts.stream && tty && elapsedMs + etaMs > SHOW_AFTER_MS && after - lastShownMs >= 250) {
      opts.stream.write(`\r${progressText(run, elapsedMs, etaMs)}\u001b[K`);
      lastShownMs = after;
      shown = true;
    } else if (opts.stream && !tty && after - lastShownMs >= LOG_EVERY_MS) {
      opts.stream.write(`hasim: ${progressText(run, elapsedMs, etaMs)}\n`);
      lastShownMs = after;
    }
    await yieldToEventLoop();
  }
  if (shown) opts.stream?.write('\r\u001b[K');
}

/** "12m30s of 1h virtual time (21%), 1,234,567 events, 8s elapsed, about 30s to go" */
export function progressText(
  run: Pick<RunHandle, 'nowMs' | 'durationMs' | 'events'>,
  elapsedMs: number,
  etaMs: number,
): string {
  const percent = Math.floor((100 * run.nowMs) / Math.max(1, run.durationMs));
  const secs = (ms: number): string => formatDuration(Math.max(0, Math.round(ms / 1000)) * 1000);
  return `${formatDuration(run.nowMs)} of ${formatDuration(run.durationMs)} virtual time (${percent}%), ${run.events.toLocaleString('en-US')} events, ${secs(elapsedMs)} elapsed, about ${secs(etaMs)} to go`;
}

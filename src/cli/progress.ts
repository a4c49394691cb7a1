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
  // Virtual ms per real ms, averaged over the recent steps. The start of a run (every pod scheduled at
  // once) is far slower than the rest, so the whole run's average overstates the time left, and quiet
  // stretches are far faster, so the recent rate understates it: the estimate is the mean of the two.
  let rate = 0;
  for (;;) {
    const before = opts.nowMs();
    const fromMs = run.nowMs;
    if (run.advance(run.nowMs + stepMs)) break;
    const after = opts.nowMs();
    const tookMs = Math.max(1, after - before);
    stepMs = Math.min(3_600_000, Math.max(100, Math.round(stepMs * (STEP_TARGET_MS / tookMs))));
    rate = rate === 0 ? (run.nowMs - fromMs) / tookMs : 0.8 * rate + 0.2 * ((run.nowMs - fromMs) / tookMs);
    const elapsedMs = after - startedMs;
    // The first moments say little about the rest: no estimate before 1% of the run or 5 s.
    const settled = run.nowMs * 100 >= run.durationMs || elapsedMs >= 5_000;
    const leftMs = run.durationMs - run.nowMs;
    const etaMs = 0.5 * (leftMs / Math.max(rate, 1e-9)) + 0.5 * ((elapsedMs * leftMs) / Math.max(1, run.nowMs));
    if (
      opts.stream &&
      tty &&
      settled &&
      elapsedMs >= 1_000 &&
      elapsedMs + etaMs > SHOW_AFTER_MS &&
      after - lastShownMs >= 250
    ) {
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
  return `${secs(run.nowMs)} of ${formatDuration(run.durationMs)} virtual time (${percent}%), ${run.events.toLocaleString('en-US')} events, ${secs(elapsedMs)} elapsed, about ${secs(etaMs)} to go`;
}

// Periodic loops as upstream's wait.Until / wait.JitterUntil with sliding=true: the next pass starts one
// period (plus jitter) after the previous pass *ends*. A pass may report how long it took (modelled
// processing time), which is what makes a 5 s loop drift to 5 s + ε per pass in a real control loop.
import type { Simulator } from './simulator.js';
import type { Rng } from './random.js';

export interface LoopOptions {
  /** Base period between the end of one pass and the start of the next. */
  periodMs: number;
  /**
   * As wait.Jitter: each wait is periodMs + U[0,1) * jitterFactor * periodMs. 0 or absent: no jitter.
   * Needs rng.
   */
  jitterFactor?: number;
  rng?: Rng;
  /** Overrides the wait after each pass (e.g. a clock-rate-scaled, jittered period). */
  waitMs?: () => number;
  /** Delay before the first pass (default 0: the first pass runs at once, as wait.Until does). */
  initialDelayMs?: number;
  label?: string;
  priority?: number;
}

/** A running loop; stop() cancels the next pass. */
export interface Loop {
  stop(): void;
  readonly running: boolean;
}

/**
 * Starts a sliding loop. `pass` runs the body and returns how long the pass took in ms (0 or more);
 * the next pass is scheduled that long plus one period later.
 */
export function startLoop(sim: Simulator, opts: LoopOptions, pass: () => number | void): Loop {
  const { periodMs, jitterFactor = 0, rng, label = 'loop', priority } = opts;
  if (!(periodMs > 0)) throw sim.bug(`loop "${label}" needs a positive period (got ${periodMs})`);
  if (jitterFactor > 0 && !rng) throw sim.bug(`loop "${label}" has jitter but no random stream`);
  let running = true;
  // The next pass is a posted event (its object reused, Simulator.postGuarded) that stop() voids through
  // the loop's own guard: dropped unrun and uncounted, as a cancelled event is. A handle per pass was a new
  // event object for each of the many passes of a run's loops, all garbage a pass later.
  const guard = { epoch: 0 };
  const waitMs =
    opts.waitMs ?? (() => (jitterFactor > 0 ? periodMs + rng!.next() * jitterFactor * periodMs : periodMs));
  const after = (delayMs: number): void => {
    sim.postGuarded(sim.nowMs + Math.max(0, delayMs), tick, undefined, label, guard, priority);
  };
  const tick = () => {
    const tookMs = pass() ?? 0;
    if (running) after(tookMs + waitMs());
  };
  after(opts.initialDelayMs ?? 0);
  return {
    stop() {
      running = false;
      guard.epoch++;
    },
    get running() {
      return running;
    },
  };
}

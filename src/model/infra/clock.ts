// A host's local clock: virtual time seen through an offset and a rate, changed by clock-skew faults.
// Components read time only through their host's clock (docs/fidelity.md#clocks), so a skewed host makes
// exactly the decisions a skewed real host would.
import type { Simulator } from '../../engine/index.js';

export class Clock {
  private anchorSimMs = 0;
  private anchorLocalMs = 0;
  private rateValue = 1;
  /** Unfloored monotonic reading at anchorSimMs (jumps never move it). */
  private anchorMonoMs = 0;

  constructor(
    private readonly sim: Pick<Simulator, 'nowMs'>,
    /** Told after every jump or rate change. */
    private readonly onChange: () => void = () => {},
    /** Told before every jump or rate change. */
    private readonly beforeChange: () => void = () => {},
  ) {}

  /** Local time in integer milliseconds. */
  now(): number {
    return this.nowAt(this.sim.nowMs);
  }

  /** What now() will read at virtual time simMs, if the clock is not jumped or re-rated before then. */
  nowAt(simMs: number): number {
    return Math.floor(this.anchorLocalMs + (simMs - this.anchorSimMs) * this.rateValue);
  }

  /**
   * The local monotonic clock: advances at the clock's rate but ignores jumps, like the monotonic reading
   * Go keeps in time.Time. Durations measured by client-go (leader election's observedTime) use it, so a
   * stepped wall clock does not expire a lease early (leaderelection.go: tolerant to skew, not to rate).
   */
  monotonicNow(): number {
    return Math.floor(this.anchorMonoMs + (this.sim.nowMs - this.anchorSimMs) * this.rateValue);
  }

  get rate(): number {
    return this.rateValue;
  }

  /** Jumps the clock by offsetMs (positive: ahead). */
  jump(offsetMs: number): void {
    this.beforeChange();
    this.reanchor();
    this.anchorLocalMs += offsetMs;
    this.onChange();
  }

  /** From now on the clock advances `rate` local ms per virtual ms. */
  setRate(rate: number): void {
    this.beforeChange();
    this.reanchor();
    this.rateValue = rate;
    this.onChange();
  }

  /** Virtual ms until this clock has advanced localMs (how long a local sleep really lasts). */
  toSimMs(localMs: number): number {
    return localMs / this.rateValue;
  }

  private reanchor(): void {
    this.anchorMonoMs += (this.sim.nowMs - this.anchorSimMs) * this.rateValue;
    this.anchorLocalMs = this.now();
    this.anchorSimMs = this.sim.nowMs;
  }
}

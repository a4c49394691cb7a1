// The kernel's lazy-dispatch extension: for components that do work later than it happens, or not at all
// unless somebody looks, and must still give exactly the run that an event per piece of work would give.
// It is not part of the base kernel (simulator.ts, which reads like SimPy's core); a run that uses it builds
// a LazySimulator. Three tools:
// - reserveSeq() and wouldHaveRun(): take the insertion number an event scheduled now would get, and ask
//   later whether that event would have run by now. Work can then be applied when it is read, in the
//   place the event would have had.
// - visibleEarly(): work placed at Priority.early counts as done from the start of its millisecond.
// - replay(): play such work now that its moment is past, with the clock reading that moment; it may
//   schedule nothing.
// - sleep() and wake(): a periodic event whose passes would do nothing stops being scheduled, and the
//   kernel keeps the place each pass would have had (its millisecond, and which events of that
//   millisecond it would come before); wake() schedules the next pass at exactly that place.
// Rng.unread (random.ts) belongs with them: work done ahead and then undone gives its draws back.
// Each user says in its own header why its outcome is the same as with an event per piece of work; the
// reference run (every fast path off) uses none of this, and tests compare the two.
import { type EventHandle, type Guard, Priority, ScheduledEvent, Simulator } from './simulator.js';

/**
 * A periodic event that sleeps (LazySimulator.sleep): where its next event would be. Each pass it does not
 * run schedules the next one as the event would have: at nextAtMs(atMs), after every event scheduled
 * until the pass's place.
 */
export class SleepingTicker {
  /** False once woken, or dropped because its guard's epoch moved on. */
  live = true;
  constructor(
    /** The millisecond of the next pass (an event at normal priority). */
    public atMs: number,
    /** Its place: it comes after the events of atMs with a smaller insertion number, before the others. */
    public seqLimit: number,
    /** The millisecond of the pass after one at atMs, as the pass would have scheduled it. */
    readonly nextAtMs: (atMs: number) => number,
    readonly guard: Guard,
    readonly epoch: number,
    readonly label: string,
  ) {}
}

export class LazySimulator extends Simulator {
  /**
   * Takes the insertion number an event scheduled now would get, without scheduling one. With
   * wouldHaveRun() it lets a component apply work lazily, exactly where an event at normal priority
   * scheduled now would have run (a cache nobody watches applies its updates when read).
   */
  reserveSeq(): number {
    return this.seq++;
  }

  /**
   * Whether an event at `atMs`, normal priority, with insertion number `seq` (from reserveSeq or an
   * EventHandle) would have been dispatched by now: before the event running now, or, outside run(),
   * by the last horizon reached.
   */
  wouldHaveRun(atMs: number, seq: number): boolean {
    const cur = this.current;
    if (cur === undefined) return atMs <= this.settledMs;
    if (atMs !== cur.atMs) return atMs < cur.atMs;
    if (cur.priority < Priority.normal) return false;
    // A later priority's list runs after the ms's normal work, but normal work queued while it runs comes after it.
    if (cur.priority > Priority.normal) return seq < this.listStartSeq;
    return seq <= cur.seq;
  }

  /**
   * Whether something placed at `atMs` with early priority has happened by now: before the millisecond running now, or in it once its early work is done (outside
   * run(), by the last horizon reached).
   */
  visibleEarly(atMs: number): boolean {
    const cur = this.current;
    if (cur === undefined) return atMs <= this.settledMs;
    if (atMs !== cur.atMs) return atMs < cur.atMs;
    return cur.priority > Priority.early;
  }

  /**
   * Stops scheduling a periodic event at normal priority whose passes would do nothing, from the one that
   * would be scheduled now at `atMs` on: the kernel moves its place along pass by pass (each at
   * nextAtMs(previous), after every event scheduled until then), without an event, until wake(). `nextAtMs`
   * is called between events, at the moment the pass would have run, and must schedule nothing. Dropped
   * when guard's epoch moves on (the process that owns it stopped).
   */
  sleep(atMs: number, nextAtMs: (atMs: number) => number, guard: Guard, label: string): SleepingTicker {
    if (!(atMs >= this.nowMs))
      throw this.bug(`ticker "${label}" put to sleep at ${atMs} ms, before now (${this.nowMs} ms)`);
    const t = new SleepingTicker(Math.round(atMs), this.seq, nextAtMs, guard, guard.epoch, label);
    this.tickers.push(t);
    this.hookMs = Math.min(this.hookMs, t.atMs);
    return t;
  }

  /** Schedules the sleeping ticker's next pass as `fn` (guarded as it was), at the place it has now. */
  wake<T>(t: SleepingTicker, fn: (this: T) => void, target: T): EventHandle {
    if (!t.live) throw this.bug(`ticker "${t.label}" woken twice`);
    this.settleTickers();
    this.dropTicker(t);
    const ev = new ScheduledEvent(
      t.atMs,
      0,
      Priority.normal,
      0,
      t.label,
      fn as (this: unknown) => void,
      target,
      t.guard,
      t.epoch,
    );
    this.insertBefore(ev, t.seqLimit);
    return ev;
  }

  private readonly tickers: SleepingTicker[] = [];

  /**
   * Moves every ticker past the passes that have happened by now (the running event's place), for a wake()
   * called outside the run loop's hooks.
   */
  private settleTickers(): void {
    const cur = this.current;
    if (cur === undefined) {
      for (const t of this.tickers) while (t.live && t.atMs <= this.settledMs) this.pass(t);
    } else {
      for (const t of this.tickers)
        while (
          t.live &&
          (t.atMs < cur.atMs ||
            (t.atMs === cur.atMs &&
              (cur.priority > Priority.normal || (cur.priority === Priority.normal && cur.seq >= t.seqLimit))))
        )
          this.pass(t);
    }
    this.compactTickers();
  }

  /** One pass that a ticker did not run: its successor's place is after everything scheduled so far. */
  private pass(t: SleepingTicker): void {
    if (t.guard.epoch !== t.epoch) {
      t.live = false;
      return;
    }
    const next = Math.round(t.nextAtMs(t.atMs));
    // A period of 0 ms would make the periodic event run forever in one millisecond.
    if (!(next > t.atMs)) throw this.bug(`ticker "${t.label}" would pass again at ${next} ms after ${t.atMs} ms`);
    t.atMs = next;
    t.seqLimit = this.seq;
  }

  private dropTicker(t: SleepingTicker): void {
    t.live = false;
    this.compactTickers();
  }

  /** Drops the tickers no longer live and sets the kernel's hook to the earliest place left. */
  private compactTickers(): void {
    const tickers = this.tickers;
    let hook = Infinity;
    let n = 0;
    for (let i = 0; i < tickers.length; i++) {
      const t = tickers[i];
      if (!t.live) continue;
      if (n !== i) tickers[n] = t;
      n++;
      if (t.atMs < hook) hook = t.atMs;
    }
    if (n !== tickers.length) tickers.length = n;
    this.hookMs = hook;
  }

  /** Passes due before this list (an earlier millisecond, or this one's normal list has run) are passed. */
  protected override listStarting(ms: number, priority: number): void {
    let limit = Infinity;
    for (const t of this.tickers) {
      while (t.live && (t.atMs < ms || (t.atMs === ms && priority > Priority.normal))) this.pass(t);
      if (t.live && t.atMs === ms && priority === Priority.normal) limit = Math.min(limit, t.seqLimit);
    }
    this.seqLimit = limit;
    this.compactTickers();
  }

  /** The running normal list reaches the place of a ticker's pass, or ends: the pass is passed. */
  protected override seqLimitReached(seq: number, ms: number): void {
    let limit = Infinity;
    for (const t of this.tickers) {
      while (t.live && t.atMs === ms && t.seqLimit <= seq) this.pass(t);
      if (t.live && t.atMs === ms) limit = Math.min(limit, t.seqLimit);
    }
    this.seqLimit = limit;
    this.compactTickers();
  }

  /**
   * Plays `fn` as an early-priority event at `atMs` that was never scheduled, now that it is past: the
   * clock reads atMs meanwhile, and fn may schedule nothing (what it decides must already be past or be
   * played the same way).
   */
  replay(atMs: number, fn: () => void): void {
    this.replayWith(atMs, fn, undefined, undefined);
  }

  /** As replay(), calling fn with `this` = target and one argument (no closure per replay: a large run replays millions). */
  replayWith<T, A>(atMs: number, fn: (this: T, arg: A) => void, target: T, arg: A): void {
    if (!this.visibleEarly(atMs)) throw this.bug(`replay at ${atMs} ms, which has not happened yet`);
    const nowMs = this.nowMs;
    const current = this.current;
    const ev = (this.replayEvent ??= new ScheduledEvent(
      0,
      0,
      Priority.early,
      0,
      'replay',
      () => {},
      undefined,
      undefined,
      0,
    ));
    const outerAtMs = ev.atMs; // a replay within a replay shares the event
    ev.atMs = atMs;
    this.nowMs = atMs;
    this.current = ev;
    this.schedulingClosed++;
    try {
      fn.call(target, arg);
    } finally {
      this.schedulingClosed--;
      ev.atMs = outerAtMs;
      this.nowMs = nowMs;
      this.current = current;
    }
  }
  private replayEvent: ScheduledEvent | undefined;
}

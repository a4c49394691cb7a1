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
// Rng.unread (random.ts) belongs with them: work done ahead and then undone gives its draws back.
// Each user says in its own header why its outcome is the same as with an event per piece of work; the
// reference run (every fast path off) uses none of this, and tests compare the two.
import { Priority, ScheduledEvent, Simulator } from './simulator.js';

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

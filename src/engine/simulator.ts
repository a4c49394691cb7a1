// The discrete-event kernel. Like SimPy's core, it is a heap ordered by (atMs, priority, seq) plus
// step()/run(): events at the same time and priority run first-in first-out, which callers may rely on.
// It knows nothing of Kubernetes. Time is integer milliseconds of virtual time.
import FastPriorityQueue from 'fastpriorityqueue';
import { SimulationBug } from './simulation-bug.js';

/** A scheduled callback. Keep it to cancel the event; cancel() is O(1) (the entry is skipped when popped). */
export interface EventHandle {
  readonly atMs: number;
  readonly priority: number;
  readonly seq: number;
  readonly label: string;
  cancelled: boolean;
  fn: () => void;
}

/** Lower runs first among events due at the same millisecond. */
export const Priority = {
  /** Faults start and end before the components react in the same millisecond. */
  fault: -10,
  normal: 0,
  /** Bookkeeping that must see everything else that happened in the millisecond. */
  late: 10,
} as const;

function before(a: EventHandle, b: EventHandle): boolean {
  if (a.atMs !== b.atMs) return a.atMs < b.atMs;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.seq < b.seq;
}

export class Simulator {
  private readonly queue = new FastPriorityQueue<EventHandle>(before);
  private seq = 0;
  private current: EventHandle | undefined;
  private stopped = false;
  /** Virtual time of the event being dispatched (or of the last one). */
  nowMs = 0;
  /** Events dispatched so far (cancelled ones are not counted). */
  dispatched = 0;

  constructor(readonly seed: number | string = 0) {}

  /** Schedules fn at absolute virtual time atMs (never in the past). */
  at(atMs: number, fn: () => void, label = '', priority: number = Priority.normal): EventHandle {
    if (!(atMs >= this.nowMs)) {
      throw this.bug(`event "${label}" scheduled at ${atMs} ms, before now (${this.nowMs} ms)`);
    }
    const ev: EventHandle = { atMs: Math.round(atMs), priority, seq: this.seq++, label, cancelled: false, fn };
    this.queue.add(ev);
    return ev;
  }

  /** Schedules fn delayMs from now. */
  after(delayMs: number, fn: () => void, label = '', priority: number = Priority.normal): EventHandle {
    return this.at(this.nowMs + Math.max(0, delayMs), fn, label, priority);
  }

  cancel(ev: EventHandle | undefined): void {
    if (ev) ev.cancelled = true;
  }

  /** The label of the event being dispatched, for assertions and diagnostics. */
  get currentLabel(): string {
    return this.current?.label ?? '';
  }

  /** Stops run() after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Dispatches every event due at or before untilMs in order, then leaves the clock at untilMs.
   * A SimulationBug thrown by an event propagates with its virtual time.
   */
  run(untilMs: number): void {
    this.stopped = false;
    const q = this.queue;
    while (!this.stopped) {
      const ev = q.peek();
      if (ev === undefined || ev.atMs > untilMs) break;
      q.poll();
      if (ev.cancelled) continue;
      this.nowMs = ev.atMs;
      this.current = ev;
      this.dispatched++;
      ev.fn();
    }
    this.current = undefined;
    if (!this.stopped && this.nowMs < untilMs) this.nowMs = untilMs;
  }

  /** Number of queued entries, cancelled ones included. */
  get pending(): number {
    return this.queue.size;
  }

  /** Builds the error for a broken invariant: it carries virtual time, the event and the seed. */
  bug(message: string): SimulationBug {
    return new SimulationBug(message, this.nowMs, this.currentLabel, this.seed);
  }

  /** Asserts an invariant of hasim itself; a failure stops the run (exit 3). */
  assert(condition: unknown, message: string | (() => string)): asserts condition {
    if (!condition) throw this.bug(typeof message === 'function' ? message() : message);
  }
}

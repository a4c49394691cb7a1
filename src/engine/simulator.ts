// The discrete-event kernel. Like SimPy's core, events are ordered by (atMs, priority, insertion order)
// and run(): events at the same time and priority run first-in first-out, which callers may rely on.
// It knows nothing of Kubernetes. Time is integer milliseconds of virtual time.
//
// Layout: a fastpriorityqueue of distinct (atMs, priority) keys, packed into one number, and a FIFO
// bucket of events per key. A simulation schedules many events for the same millisecond (watch fan-out,
// loops in step), and those cost an array append instead of a heap operation; FIFO order within a key
// holds by construction.
import FastPriorityQueue from 'fastpriorityqueue';
import { SimulationBug } from './simulation-bug.js';

/** A scheduled callback. Keep it to cancel the event; cancel() is O(1) (the entry is skipped when popped). */
export interface EventHandle {
  readonly atMs: number;
  /** atMs and priority packed into one number so the heap compares one value in the common case. */
  readonly key: number;
  readonly priority: number;
  readonly seq: number;
  readonly label: string;
  cancelled: boolean;
  fn: (this: unknown) => void;
  /** `this` for fn: lets a hot path schedule a method of a long-lived object instead of a fresh closure. */
  readonly target: unknown;
}

/** Lower runs first among events due at the same millisecond. */
export const Priority = {
  /** Faults start and end before the components react in the same millisecond. */
  fault: -10,
  normal: 0,
  /** Bookkeeping that must see everything else that happened in the millisecond. */
  late: 10,
} as const;

/** Priorities must lie in [-PRIORITY_OFFSET, PRIORITY_OFFSET). */
const PRIORITY_OFFSET = 32;
const PRIORITY_SPAN = 2 * PRIORITY_OFFSET;

export class Simulator {
  private readonly keys = new FastPriorityQueue<number>((a, b) => a < b);
  private readonly buckets = new Map<number, EventHandle[]>();
  /** The bucket being dispatched and the index of its next event (so stop() can resume mid-bucket). */
  private bucket: EventHandle[] | undefined;
  private bucketKey = -1;
  private bucketIndex = 0;
  private queued = 0;
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
    return this.atWith(atMs, fn, undefined, label, priority);
  }

  /** As at(), calling fn with `this` = target: no closure to allocate per event. */
  atWith<T>(atMs: number, fn: (this: T) => void, target: T, label = '', priority: number = Priority.normal): EventHandle {
    if (!(atMs >= this.nowMs)) {
      throw this.bug(`event "${label}" scheduled at ${atMs} ms, before now (${this.nowMs} ms)`);
    }
    const t = Math.round(atMs);
    const key = t * PRIORITY_SPAN + priority + PRIORITY_OFFSET;
    const ev: EventHandle = { atMs: t, key, priority, seq: this.seq++, label, cancelled: false, fn: fn as (this: unknown) => void, target };
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = [];
      this.buckets.set(key, b);
      this.keys.add(key);
    }
    b.push(ev);
    this.queued++;
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
    const untilKey = (Math.floor(untilMs) + 1) * PRIORITY_SPAN;
    while (!this.stopped) {
      if (this.bucket === undefined) {
        const key = this.keys.peek();
        if (key === undefined || key >= untilKey) break;
        // The key leaves the heap as its bucket starts; the bucket stays in the map while it runs, so
        // events scheduled for the same key meanwhile are appended to it and run in this pass. A key
        // scheduled meanwhile *below* this one (same millisecond, lower priority) enters the heap as
        // its new minimum and runs right after this bucket.
        this.keys.poll();
        this.bucket = this.buckets.get(key)!;
        this.bucketKey = key;
        this.bucketIndex = 0;
      }
      const b = this.bucket;
      if (this.bucketIndex >= b.length) {
        this.buckets.delete(this.bucketKey);
        this.bucket = undefined;
        continue;
      }
      const ev = b[this.bucketIndex++];
      this.queued--;
      if (ev.cancelled) continue;
      this.nowMs = ev.atMs;
      this.current = ev;
      this.dispatched++;
      ev.fn.call(ev.target);
    }
    this.current = undefined;
    if (!this.stopped && this.nowMs < untilMs) this.nowMs = untilMs;
  }

  /** Number of queued entries, cancelled ones included. */
  get pending(): number {
    return this.queued;
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

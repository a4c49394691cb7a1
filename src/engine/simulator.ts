// The discrete-event kernel. Like SimPy's core, events are ordered by (atMs, priority, insertion order)
// and run(): events at the same time and priority run first-in first-out, which callers may rely on.
// One refinement: an event may carry an order key (atOrdered), and events of one (atMs, priority) run by
// (order, insertion order). Events that happen independently at the same moment (messages from different
// senders reaching one receiver) then run in an order that does not depend on when each was scheduled:
// a caller that schedules work earlier than it otherwise would (see lazy-dispatch.ts) gets the same run.
// It knows nothing of Kubernetes. Time is integer milliseconds of virtual time.
//
// Layout: a calendar ring of RING_MS one-millisecond slots for events due soon (almost all of them:
// loops, API round trips, watch deliveries), and for events further out a fastpriorityqueue of distinct
// (atMs, priority) keys with a FIFO bucket per key. A slot holds one FIFO list per priority, so
// scheduling is an array append and FIFO order within (atMs, priority) holds by construction. Far
// events move into the ring as their millisecond comes within RING_MS, before anything else can be
// scheduled for it, so insertion order is kept across the two structures.
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
  /** With atGuarded: the event is dropped (not run, not counted) unless guard.epoch still equals epoch. */
  readonly guard: Guard | undefined;
  readonly epoch: number;
  /** Order among the events of its (atMs, priority), before insertion order (0 unless atOrdered gave one). */
  readonly order: number;
}

/** Something whose callbacks become void when its epoch moves on (a process incarnation). */
export interface Guard {
  readonly epoch: number;
}

/**
 * The one shape of every scheduled event (a class: allocation with a fixed layout, monomorphic reads).
 * Fields are rewritten only for a posted event (postWith), whose object nobody outside holds.
 */
export class ScheduledEvent implements EventHandle {
  cancelled = false;
  /** Posted (no handle was given out): back to the simulator's free list once it has run. */
  pooled = false;
  constructor(
    public atMs: number,
    public key: number,
    public priority: number,
    public seq: number,
    public label: string,
    public fn: (this: unknown) => void,
    public target: unknown,
    public guard: Guard | undefined,
    public epoch: number,
    public order = 0,
  ) {}
}

const NOOP = (): void => {};

/**
 * Places ev in a list kept in (order, insertion) order, no earlier than index `from` (what has run stays
 * put), when it does not simply go last (the caller checks that: almost every event does).
 */
function insertOrdered(list: EventHandle[], ev: EventHandle, from: number): void {
  let i = list.length;
  list.push(ev);
  while (i > from && list[i - 1].order > ev.order) {
    list[i] = list[i - 1];
    i--;
  }
  list[i] = ev;
}

/** Lower runs first among events due at the same millisecond. */
export const Priority = {
  /** Faults start and end before the components react in the same millisecond. */
  fault: -10,
  /**
   * Work that counts as done from the start of its millisecond, after the faults and before everything
   * else (lazy-dispatch.ts can then play such work without an event of its own).
   */
  early: -5,
  normal: 0,
  /**
   * Work of many independent sources due in the same millisecond (one each), after the millisecond's
   * normal work, in the order of their keys (atOrdered): the order then does not depend on when each
   * was scheduled. Order keys are honoured at this priority and at early; elsewhere they are 0.
   */
  ordered: 1,
  /** Bookkeeping that must see everything else that happened in the millisecond. */
  late: 10,
} as const;

/** How far ahead (ms) the calendar ring reaches; later events wait in the heap. A power of two. */
const RING_MS = 1 << 14;
const RING_MASK = RING_MS - 1;
const RING_HALF = RING_MS >>> 1;

/**
 * The events due in one millisecond, one FIFO list per priority, priorities ascending: entries [head, n)
 * of priorities and lists are still to run. The arrays are never shortened, only overwritten: a slot is
 * reused for millisecond after millisecond, and an array emptied by shift() or `length = 0` loses its
 * backing store, so each reuse allocated two new ones (a tenth of a small run's allocation).
 */
interface Slot {
  atMs: number;
  head: number;
  n: number;
  priorities: number[];
  lists: EventHandle[][];
}

/**
 * The longest run list emptied in place for reuse: V8 gives an array 16 places on its first push, and
 * pop() shrinks (a call into the runtime) only a store with more than 2 * length + 16 places.
 */
const LIST_KEPT = 16;

/** Priorities must lie in [-PRIORITY_OFFSET, PRIORITY_OFFSET). */
const PRIORITY_OFFSET = 32;
const PRIORITY_SPAN = 2 * PRIORITY_OFFSET;

export class Simulator {
  /** Far events: heap of (atMs, priority) keys and a FIFO bucket per key. */
  private readonly keys = new FastPriorityQueue<number>((a, b) => a < b);
  private readonly buckets = new Map<number, EventHandle[]>();
  /**
   * Near events: slot of millisecond t at index i = t & RING_MASK, for t in [windowMs, windowMs + RING_MS),
   * in two halves (ringLow for i < RING_HALF, ringHigh above). One array of RING_MS entries is over V8's
   * largest regular object, so each run paid for a large-object allocation (about 0.7 ms, a fortieth of a
   * small run); two halves are ordinary objects. They start as holes (read as undefined): filling them
   * with undefined cost more than allocating them.
   */
  private readonly ringLow: Array<Slot | undefined> = new Array<Slot | undefined>(RING_HALF);
  private readonly ringHigh: Array<Slot | undefined> = new Array<Slot | undefined>(RING_HALF);
  /**
   * One bit per ring slot, set while the slot holds a list: run() finds the next millisecond with events
   * 32 slots at a time. A quiet run of 20 minutes passes 1.2 million empty milliseconds, and looking at
   * each was a twentieth of a small run's time.
   */
  private readonly slotBits = new Uint32Array(RING_MS >>> 5);
  private windowMs = 0;
  /** Events in the ring, the running list included. */
  private ringCount = 0;
  /** The list being dispatched (taken out of its slot), its slot, priority and next index (so stop() can resume). */
  private list: EventHandle[] | undefined;
  private listSlot: Slot | undefined;
  private listPriority = 0;
  private listIndex = 0;
  /** The insertion counter when the running list started: later normal work of its ms runs after it. */
  protected listStartSeq = 0;
  private queued = 0;
  protected seq = 0;
  protected current: EventHandle | undefined;
  private stopped = false;
  /** Every event due at or before this millisecond has run (outside run(); -1: none yet). */
  protected settledMs = -1;
  /** While positive, scheduling an event is a bug (a subclass plays past work that may schedule nothing). */
  protected schedulingClosed = 0;
  /**
   * For a subclass that keeps the place of events it has not scheduled (lazy-dispatch.ts, sleeping
   * tickers): a list due at or after this millisecond calls listStarting() before it runs, and the
   * running list calls seqLimitReached() before it dispatches an event whose insertion number is
   * seqLimit or more, or ends (seq Infinity). Infinity (the base kernel): neither is ever called.
   */
  protected hookMs = Infinity;
  protected seqLimit = Infinity;
  /** Virtual time of the event being dispatched (or of the last one). */
  nowMs = 0;
  /** Events dispatched so far (cancelled ones are not counted). */
  dispatched = 0;

  constructor(readonly seed: number | string = 0) {}

  /** Schedules fn at absolute virtual time atMs (never in the past). */
  at(atMs: number, fn: () => void, label = '', priority: number = Priority.normal): EventHandle {
    return this.atGuarded(atMs, fn, undefined, label, undefined, priority);
  }

  /** As at(), calling fn with `this` = target: no closure to allocate per event. */
  atWith<T>(
    atMs: number,
    fn: (this: T) => void,
    target: T,
    label = '',
    priority: number = Priority.normal,
  ): EventHandle {
    return this.atGuarded(atMs, fn, target, label, undefined, priority);
  }

  /**
   * As atWith(), placed among the events of its (atMs, priority) by `order` first and insertion order
   * second, instead of insertion order alone.
   */
  atOrdered<T>(
    atMs: number,
    fn: (this: T) => void,
    target: T,
    label: string,
    priority: number,
    order: number,
  ): EventHandle {
    this.checkOrder(label, priority, order);
    return this.atGuarded(atMs, fn, target, label, undefined, priority, order);
  }

  /**
   * As atWith(), dropped at dispatch time if guard.epoch has changed since now: what a process
   * incarnation scheduled never runs after it ended, without a wrapper closure per event. `order` as in
   * atOrdered.
   */
  atGuarded<T>(
    atMs: number,
    fn: (this: T) => void,
    target: T,
    label: string,
    guard: Guard | undefined,
    priority: number = Priority.normal,
    order = 0,
  ): EventHandle {
    if (order !== 0) this.checkOrder(label, priority, order);
    if (!(atMs >= this.nowMs)) {
      throw this.bug(`event "${label}" scheduled at ${atMs} ms, before now (${this.nowMs} ms)`);
    }
    const t = Math.round(atMs);
    const key = t * PRIORITY_SPAN + priority + PRIORITY_OFFSET;
    const ev = new ScheduledEvent(
      t,
      key,
      priority,
      this.seq++,
      label,
      fn as (this: unknown) => void,
      target,
      guard,
      guard === undefined ? 0 : guard.epoch,
      order,
    );
    this.insert(ev);
    return ev;
  }

  /**
   * As atWith(), for a caller that keeps no handle (it cannot cancel): the event object comes from a
   * free list and goes back to it once run. A watch delivery or an API answer is one of these: most of
   * a large run's events, ~100 bytes each, allocated and promoted by the million otherwise. Returns the
   * event's insertion number.
   */
  postWith<T>(
    atMs: number,
    fn: (this: T) => void,
    target: T,
    label: string,
    priority: number = Priority.normal,
  ): number {
    return this.postGuarded(atMs, fn, target, label, undefined, priority);
  }

  /**
   * As atGuarded(), for a caller that keeps no handle: the event object comes from the free list, as
   * with postWith (a process's timers whose handle nobody keeps: image pulls, readiness, retries).
   */
  postGuarded<T>(
    atMs: number,
    fn: (this: T) => void,
    target: T,
    label: string,
    guard: Guard | undefined,
    priority: number = Priority.normal,
    order = 0,
  ): number {
    if (order !== 0) this.checkOrder(label, priority, order);
    if (!(atMs >= this.nowMs)) {
      throw this.bug(`event "${label}" scheduled at ${atMs} ms, before now (${this.nowMs} ms)`);
    }
    const t = Math.round(atMs);
    const key = t * PRIORITY_SPAN + priority + PRIORITY_OFFSET;
    const seq = this.seq++;
    const epoch = guard === undefined ? 0 : guard.epoch;
    let ev = this.free.pop();
    if (ev === undefined) {
      ev = new ScheduledEvent(t, key, priority, seq, label, fn as (this: unknown) => void, target, guard, epoch, order);
      ev.pooled = true;
    } else {
      ev.atMs = t;
      ev.key = key;
      ev.priority = priority;
      ev.seq = seq;
      ev.label = label;
      ev.fn = fn as (this: unknown) => void;
      ev.target = target;
      ev.guard = guard;
      ev.epoch = epoch;
      ev.order = order;
    }
    this.insert(ev);
    return seq;
  }

  /** Posted events that have run, ready to be posted again. */
  private readonly free: ScheduledEvent[] = [];

  /** A posted event has run (or was dropped): its object goes back to the free list. */
  private release(ev: ScheduledEvent): void {
    ev.fn = NOOP;
    ev.target = undefined;
    ev.guard = undefined;
    this.free.push(ev);
  }

  /** Queues a new event in the ring (due within RING_MS) or the far heap. */
  private insert(ev: ScheduledEvent): void {
    if (this.schedulingClosed > 0)
      throw this.bug(`event "${ev.label}" scheduled while scheduling is closed (past work is being replayed)`);
    const t = ev.atMs;
    const priority = ev.priority;
    const key = ev.key;
    this.queued++;
    const aheadMs = t - this.windowMs;
    if (aheadMs < RING_MS) {
      if (aheadMs < 0)
        throw this.bug(`event "${ev.label}" at ${t} ms falls before the calendar window (${this.windowMs} ms)`);
      this.ringCount++;
      // Same millisecond and priority as the list running now: it joins that list, after what has run.
      const running = this.list !== undefined && this.listSlot!.atMs === t && this.listPriority === priority;
      const list = running ? this.list! : this.slotList(t, priority);
      // Only the early and ordered priorities carry order keys: every other event simply goes last.
      if (priority === Priority.normal) list.push(ev);
      else this.append(list, ev, running ? this.listIndex : 0);
      return;
    }
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = [];
      this.buckets.set(key, b);
      this.keys.add(key);
    }
    if (priority === Priority.normal) b.push(ev);
    else this.append(b, ev, 0);
  }

  /** Order keys are honoured at the early and ordered priorities only: elsewhere one is a bug in hasim. */
  private checkOrder(label: string, priority: number, order: number): void {
    if (order !== 0 && priority !== Priority.early && priority !== Priority.ordered)
      throw this.bug(`event "${label}" has an order key at priority ${priority} (only early and ordered take one)`);
  }

  /**
   * Appends ev to an event list in (order, insertion) order, no earlier than index `from`. Only the early
   * and ordered priorities carry order keys: elsewhere every event goes last, with nothing to compare.
   */
  private append(list: EventHandle[], ev: EventHandle, from: number): void {
    const n = list.length;
    if (ev.priority !== Priority.early && ev.priority !== Priority.ordered) list.push(ev);
    else if (n === from || list[n - 1].order <= ev.order) list.push(ev);
    else insertOrdered(list, ev, from);
  }

  /** The FIFO list of (t, priority) in the ring, created in priority order if needed. */
  private slotList(t: number, priority: number): EventHandle[] {
    let slot = this.slotAt(t & RING_MASK);
    if (slot === undefined) {
      // Slots and lists are reused once run: most milliseconds of a large run have events, and a fresh
      // slot with its arrays for each was a tenth of all allocation.
      const list = this.freeLists.pop() ?? [];
      slot = this.freeSlots.pop();
      if (slot === undefined) slot = { atMs: t, head: 0, n: 1, priorities: [priority], lists: [list] };
      else {
        slot.atMs = t;
        slot.head = 0;
        slot.n = 1;
        slot.priorities[0] = priority;
        slot.lists[0] = list;
      }
      const i = t & RING_MASK;
      this.setSlot(i, slot);
      this.slotBits[i >>> 5] |= 1 << (i & 31);
      return list;
    }
    const ps = slot.priorities;
    const lists = slot.lists;
    const n = slot.n;
    let i = slot.head;
    while (i < n && ps[i] < priority) i++;
    if (i < n && ps[i] === priority) return lists[i];
    const list: EventHandle[] = this.freeLists.pop() ?? [];
    for (let j = n; j > i; j--) {
      ps[j] = ps[j - 1];
      lists[j] = lists[j - 1];
    }
    ps[i] = priority;
    lists[i] = list;
    slot.n = n + 1;
    return list;
  }
  /** Slots (emptied) and lists (emptied) that have run, ready for another millisecond. */
  private readonly freeSlots: Slot[] = [];
  private readonly freeLists: EventHandle[][] = [];

  private slotAt(i: number): Slot | undefined {
    return i < RING_HALF ? this.ringLow[i] : this.ringHigh[i - RING_HALF];
  }

  private setSlot(i: number, slot: Slot | undefined): void {
    if (i < RING_HALF) this.ringLow[i] = slot;
    else this.ringHigh[i - RING_HALF] = slot;
  }

  /** The first millisecond from fromMs on whose ring slot holds a list (the ring must hold an event). */
  private nextSlotMs(fromMs: number): number {
    const bits = this.slotBits;
    let i = fromMs & RING_MASK;
    let ms = fromMs;
    // The slots of i's word from i on, then whole words, wrapping around the ring.
    let w = bits[i >>> 5] & (-1 << (i & 31));
    while (w === 0) {
      const next = ((i >>> 5) + 1) << 5;
      ms += next - i;
      i = next & RING_MASK;
      w = bits[i >>> 5];
    }
    // The lowest set bit of w.
    return ms + (31 - Math.clz32(w & -w)) - (i & 31);
  }

  /** Moves the window to start at ms, bringing far events due before ms + RING_MS into the ring. */
  private advanceWindow(ms: number): void {
    this.windowMs = ms;
    const limitKey = (ms + RING_MS) * PRIORITY_SPAN;
    for (let key = this.keys.peek(); key !== undefined && key < limitKey; key = this.keys.peek()) {
      this.keys.poll();
      const bucket = this.buckets.get(key)!;
      this.buckets.delete(key);
      const t = Math.floor(key / PRIORITY_SPAN);
      const list = this.slotList(t, key - t * PRIORITY_SPAN - PRIORITY_OFFSET);
      // The bucket is in (order, insertion) order already, and nothing is in the ring's list yet.
      if (list.length === 0) for (const ev of bucket) list.push(ev);
      else for (const ev of bucket) this.append(list, ev, 0);
      this.ringCount += bucket.length;
    }
  }

  /** Schedules fn delayMs from now. */
  after(delayMs: number, fn: () => void, label = '', priority: number = Priority.normal): EventHandle {
    return this.atGuarded(this.nowMs + Math.max(0, delayMs), fn, undefined, label, undefined, priority);
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
    const until = Math.floor(untilMs);
    while (!this.stopped) {
      if (this.list === undefined) {
        if (this.ringCount === 0) {
          // Nothing due soon: jump the window to the next far event, if it is due by the horizon.
          const key = this.keys.peek();
          if (key === undefined || Math.floor(key / PRIORITY_SPAN) > until) break;
          this.advanceWindow(Math.floor(key / PRIORITY_SPAN));
          continue;
        }
        const ms = this.nextSlotMs(this.windowMs);
        if (ms > until) break;
        if (ms !== this.windowMs) this.advanceWindow(ms);
        const slot = this.slotAt(ms & RING_MASK)!;
        // The lowest priority runs first; a lower one scheduled while it runs is next in the slot.
        this.list = slot.lists[slot.head];
        this.listPriority = slot.priorities[slot.head];
        slot.head++;
        this.listSlot = slot;
        this.listIndex = 0;
        this.listStartSeq = this.seq;
        this.seqLimit = Infinity;
        if (ms >= this.hookMs) this.listStarting(ms, this.listPriority);
      }
      const list = this.list;
      if (this.listIndex >= list.length) {
        const slot = this.listSlot!;
        if (this.seqLimit !== Infinity) this.seqLimitReached(Infinity, slot.atMs);
        if (slot.head === slot.n) {
          const i = slot.atMs & RING_MASK;
          this.setSlot(i, undefined);
          this.slotBits[i >>> 5] &= ~(1 << (i & 31));
          this.freeSlots.push(slot);
        }
        // Emptied by pop(), which keeps the array's backing store for its next millisecond: `length = 0`
        // drops it, and a new one for each reused list was a tenth of a small run's allocation. Only up
        // to LIST_KEPT events: a longer list's store has grown, and pop() calls into V8's runtime to
        // shrink a store that is under half full, so such a list is let go with its store.
        if (list.length > LIST_KEPT) list.length = 0;
        else while (list.length > 0) list.pop();
        this.freeLists.push(list);
        this.list = undefined;
        this.listSlot = undefined;
        continue;
      }
      const ev = list[this.listIndex] as ScheduledEvent;
      if (ev.seq >= this.seqLimit) this.seqLimitReached(ev.seq, ev.atMs);
      this.listIndex++;
      this.queued--;
      this.ringCount--;
      if (ev.cancelled || (ev.guard !== undefined && ev.guard.epoch !== ev.epoch)) {
        if (ev.pooled) this.release(ev);
        continue;
      }
      this.nowMs = ev.atMs;
      this.current = ev;
      this.dispatched++;
      ev.fn.call(ev.target);
      if (ev.pooled) this.release(ev);
    }
    this.current = undefined;
    this.settledMs = this.stopped ? this.nowMs - 1 : Math.max(this.settledMs, until);
    if (!this.stopped && this.nowMs < untilMs) {
      this.nowMs = untilMs;
      // Everything due by the horizon has run, so the window can start there.
      if (this.list === undefined && until > this.windowMs) this.advanceWindow(until);
    }
  }

  /** A list of (ms, priority) is about to run and ms >= hookMs (see hookMs). */
  protected listStarting(_ms: number, _priority: number): void {}

  /**
   * The running list is about to dispatch an event with insertion number `seq` >= seqLimit, or has run its
   * last event (`seq` Infinity; see hookMs).
   */
  protected seqLimitReached(_seq: number, _ms: number): void {}

  /**
   * Queues a normal-priority event that was never scheduled at the place it would have had: before every
   * event of its millisecond with an insertion number of seqLimit or more, after the others (its own
   * insertion number is seqLimit - 0.5). For the lazy-dispatch extension only; the place must not have
   * been passed yet.
   */
  protected insertBefore(ev: ScheduledEvent, seqLimit: number): void {
    if (this.schedulingClosed > 0)
      throw this.bug(`event "${ev.label}" scheduled while scheduling is closed (past work is being replayed)`);
    const t = ev.atMs;
    if (ev.priority !== Priority.normal)
      throw this.bug(`event "${ev.label}" put in place at a priority other than normal`);
    if (t < this.nowMs) throw this.bug(`event "${ev.label}" put in place at ${t} ms, before now (${this.nowMs} ms)`);
    ev.seq = seqLimit - 0.5;
    ev.key = t * PRIORITY_SPAN + Priority.normal + PRIORITY_OFFSET;
    this.queued++;
    const aheadMs = t - this.windowMs;
    let list: EventHandle[];
    let from = 0;
    if (aheadMs < RING_MS) {
      if (aheadMs < 0)
        throw this.bug(`event "${ev.label}" at ${t} ms falls before the calendar window (${this.windowMs} ms)`);
      this.ringCount++;
      const running = this.list !== undefined && this.listSlot!.atMs === t && this.listPriority === Priority.normal;
      if (running) from = this.listIndex;
      list = running ? this.list! : this.slotList(t, Priority.normal);
    } else {
      let b = this.buckets.get(ev.key);
      if (b === undefined) {
        b = [];
        this.buckets.set(ev.key, b);
        this.keys.add(ev.key);
      }
      list = b;
    }
    // A normal list is in insertion order: the event goes before the first one at or past its place.
    let i = list.length;
    while (i > from && list[i - 1].seq >= seqLimit) i--;
    list.splice(i, 0, ev);
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

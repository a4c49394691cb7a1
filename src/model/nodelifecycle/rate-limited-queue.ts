// Fidelity note. Models RateLimitedTimedQueue from kubernetes/kubernetes
// pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go (docs/fidelity.md#rate-limited-taint-queue, vectors Q1–Q6) and the
// token bucket behind flowcontrol.NewTokenBucketRateLimiter (golang.org/x/time/rate, burst 1, starts full).
// Kept exactly: Add is a no-op while the name is in the set; Try takes a token *before* looking at the head,
// so a token is spent even when the head is not yet due; an item whose fn returns true leaves the heap but
// stays in the set until Remove; a false result re-inserts it at now + wait + 1 ns unless it was removed
// meanwhile; SwapLimiter keeps the old bucket for an unchanged QPS, uses a "never" limiter for QPS <= 0
// and drains the new bucket when the old one was empty.
// Simplified: time is a number of milliseconds on an injected clock (the owning controller's local clock);
// 1 ns is 1e-6 ms. Ties between equal ProcessAt times go to the earlier insertion (Go's heap is unordered).
import FastPriorityQueue from 'fastpriorityqueue';

/** A node waiting in a zone queue (upstream TimedValue). */
export interface TimedValue {
  value: string;
  uid: string;
  addedAtMs: number;
  processAtMs: number;
}

/** fn's answer: done (drop from the heap, keep in the set), or retry after waitMs. */
export type ActionResult = { done: true } | { done: false; waitMs: number };

/** flowcontrol.RateLimiter reduced to what the queue needs. */
export interface TryAcceptLimiter {
  readonly qps: number;
  tryAccept(): boolean;
}

const ONE_NANOSECOND_MS = 1e-6;

/** golang.org/x/time/rate with burst b: tokens refill continuously at qps, up to b; the bucket starts full. */
export class TokenBucket implements TryAcceptLimiter {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly qps: number,
    private readonly burst: number,
    private readonly nowMs: () => number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs();
  }

  tryAccept(): boolean {
    const now = this.nowMs();
    // A clock that went backwards adds nothing (rate.Limiter treats it as no time elapsed).
    const elapsedMs = Math.max(0, now - this.lastMs);
    this.lastMs = Math.max(this.lastMs, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.qps) / 1000);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/** flowcontrol.NewFakeNeverRateLimiter: never lets anything through. */
export class NeverLimiter implements TryAcceptLimiter {
  readonly qps = 0;
  tryAccept(): boolean {
    return false;
  }
}

/** EvictionRateLimiterBurst in upstream. */
export const EVICTION_RATE_LIMITER_BURST = 1;

interface Entry extends TimedValue {
  seq: number;
  live: boolean;
}

export class RateLimitedTimedQueue {
  private readonly heap = new FastPriorityQueue<Entry>((a, b) =>
    a.processAtMs !== b.processAtMs ? a.processAtMs < b.processAtMs : a.seq < b.seq,
  );
  /** Names in the queue, including processed ones not yet removed (upstream UniqueQueue.set). */
  private readonly set = new Set<string>();
  /** The live heap entry of each name still waiting in the heap. */
  private readonly inHeap = new Map<string, Entry>();
  private seq = 0;
  private limiterValue: TryAcceptLimiter;

  /** `limiter`: a QPS for a token bucket of `burst` (<= 0: never), or a limiter object (tests). */
  constructor(
    private readonly nowMs: () => number,
    limiter: number | TryAcceptLimiter,
    private readonly burst: number = EVICTION_RATE_LIMITER_BURST,
  ) {
    if (typeof limiter !== 'number') this.limiterValue = limiter;
    else this.limiterValue = limiter > 0 ? new TokenBucket(limiter, burst, nowMs) : new NeverLimiter();
  }

  get limiter(): TryAcceptLimiter {
    return this.limiterValue;
  }

  /** Adds a name unless it is already in the set; true if added. */
  add(value: string, uid = ''): boolean {
    if (this.set.has(value)) return false;
    const now = this.nowMs();
    this.push({ value, uid, addedAtMs: now, processAtMs: now });
    this.set.add(value);
    return true;
  }

  /** Removes a name from the heap and the set; true if it was in the set. O(1). */
  remove(value: string): boolean {
    if (!this.set.delete(value)) return false;
    const e = this.inHeap.get(value);
    if (e) {
      e.live = false;
      this.inHeap.delete(value);
    }
    return true;
  }

  has(value: string): boolean {
    return this.set.has(value);
  }

  /** How many names wait in the heap (0: try() takes no token and calls nothing). */
  get waiting(): number {
    return this.inHeap.size;
  }

  /** Told whenever a name goes into the heap (idle-tainting-loop.ts wakes the pass on it). */
  onPush: (() => void) | undefined = undefined;

  /** Names waiting in the heap, in processing order (for tests and diagnostics). */
  pending(): string[] {
    return [...this.inHeap.values()]
      .sort((a, b) => (a.processAtMs !== b.processAtMs ? a.processAtMs - b.processAtMs : a.seq - b.seq))
      .map((e) => e.value);
  }

  clear(): void {
    for (const e of this.inHeap.values()) e.live = false;
    this.inHeap.clear();
    this.set.clear();
  }

  /**
   * Processes due items while tokens last. For every item: (1) take a token, stop if none; (2) stop if
   * the head is not due yet (the token is gone anyway); (3) call fn; on done drop it from the heap (it
   * stays in the set), otherwise re-insert it at now + waitMs + 1 ns unless fn's caller removed it.
   */
  try(fn: (v: TimedValue) => ActionResult): void {
    let head = this.head();
    while (head) {
      if (!this.limiterValue.tryAccept()) break;
      const now = this.nowMs();
      if (now < head.processAtMs) break;
      const entry = head;
      const r = fn({ value: entry.value, uid: entry.uid, addedAtMs: entry.addedAtMs, processAtMs: entry.processAtMs });
      if (entry.live) {
        entry.live = false;
        this.inHeap.delete(entry.value);
        if (!r.done && this.set.has(entry.value)) {
          this.push({
            value: entry.value,
            uid: entry.uid,
            addedAtMs: entry.addedAtMs,
            processAtMs: now + r.waitMs + ONE_NANOSECOND_MS,
          });
        }
      }
      head = this.head();
    }
  }

  /** Replaces the limiter for a new QPS (see the note at the top). */
  swapLimiter(newQps: number): void {
    if (this.limiterValue.qps === newQps) return;
    let next: TryAcceptLimiter;
    if (newQps <= 0) next = new NeverLimiter();
    else {
      next = new TokenBucket(newQps, this.burst, this.nowMs);
      // Upstream: "If we're currently waiting on limiter, we drain the new one".
      if (!this.limiterValue.tryAccept()) next.tryAccept();
    }
    this.limiterValue = next;
  }

  private push(v: TimedValue): void {
    // Written out: a spread that adds properties takes V8's slow path, and during a zone outage every
    // untainted Unknown node is removed and re-added on every pass (markNodeForTainting, as upstream).
    const e: Entry = {
      value: v.value,
      uid: v.uid,
      addedAtMs: v.addedAtMs,
      processAtMs: v.processAtMs,
      seq: this.seq++,
      live: true,
    };
    this.inHeap.set(v.value, e);
    this.heap.add(e);
    if (this.onPush !== undefined) this.onPush();
  }

  private head(): Entry | undefined {
    let e = this.heap.peek();
    while (e && !e.live) {
      this.heap.poll();
      e = this.heap.peek();
    }
    return e;
  }
}

// Vectors Q1–Q6 (docs/fidelity.md#vectors-q1-to-q6, rate_limited_queue_test.go) against RateLimitedTimedQueue.
import {
  NeverLimiter,
  RateLimitedTimedQueue,
  TokenBucket,
  type TryAcceptLimiter,
} from '../../../src/model/nodelifecycle/rate-limited-queue.js';

const always: TryAcceptLimiter = { qps: 1e9, tryAccept: () => true };

/** A fake clock that advances 1 ms at every read, as the upstream test's now(). */
function tickingClock() {
  let t = 0;
  return () => ++t;
}

function queueOf(names: string[], now: () => number) {
  const q = new RateLimitedTimedQueue(now, always);
  for (const n of names) q.add(n);
  return q;
}

test('Q1 TestTryOrdering: a failed item is re-queued after its wait and later items go first', () => {
  const q = queueOf(['first', 'second', 'third'], tickingClock());
  const order: string[] = [];
  let calls = 0;
  let secondSeen = false;
  q.try((v) => {
    calls++;
    if (v.value === 'second' && !secondSeen) {
      secondSeen = true;
      return { done: false, waitMs: 2 };
    }
    order.push(v.value);
    return { done: true };
  });
  expect(order).toEqual(['first', 'third']);
  expect(calls).toBe(3);
  expect(q.pending()).toEqual(['second']);
});

test('Q2 TestTryRemovingWhileTry: an item removed while fn runs is not re-queued', () => {
  const q = queueOf(['first', 'second', 'third'], tickingClock());
  const order: string[] = [];
  let calls = 0;
  q.try((v) => {
    calls++;
    if (v.value === 'second') {
      q.remove('second');
      return { done: false, waitMs: 2 };
    }
    order.push(v.value);
    return { done: true };
  });
  expect(order).toEqual(['first', 'third']);
  expect(calls).toBe(3);
  expect(q.pending()).toEqual([]);
});

test('Q3 TestAddAfterTry: processed items stay in the set, so adding them again does nothing until Remove', () => {
  const q = queueOf(['first', 'second', 'third'], tickingClock());
  q.remove('second');
  q.try(() => ({ done: true }));
  expect(q.add('first')).toBe(false);
  let calls = 0;
  q.try(() => {
    calls++;
    return { done: true };
  });
  expect(calls).toBe(0);
  q.remove('first');
  expect(q.add('first')).toBe(true);
});

test('Q4 TestDelNode: removing any one item leaves the other two in order', () => {
  for (const gone of ['first', 'second', 'third']) {
    const q = queueOf(['first', 'second', 'third'], tickingClock());
    q.remove(gone);
    expect(q.pending()).toEqual(['first', 'second', 'third'].filter((n) => n !== gone));
  }
});

test('Q5 TestSwapLimiter: 0 gives a never limiter, 5.5 a 5.5 QPS bucket', () => {
  let t = 0;
  const q = new RateLimitedTimedQueue(() => t, 0.1);
  expect(q.limiter.qps).toBe(0.1);
  q.swapLimiter(0);
  expect(q.limiter).toBeInstanceOf(NeverLimiter);
  q.swapLimiter(5.5);
  expect(q.limiter).toBeInstanceOf(TokenBucket);
  expect(q.limiter.qps).toBe(5.5);
  t += 1000;
});

function drain(q: RateLimitedTimedQueue, clock: { t: number }, untilMs: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (; clock.t <= untilMs; clock.t += 100) {
    q.try((v) => {
      out.push([v.value, clock.t]);
      return { done: true };
    });
  }
  return out;
}

test('Q6 a Normal zone taints one node every 10 s, the first at once', () => {
  const clock = { t: 0 };
  const q = new RateLimitedTimedQueue(() => clock.t, 0.1);
  for (const n of ['A', 'B', 'C']) q.add(n);
  expect(drain(q, clock, 30_000)).toEqual([
    ['A', 0],
    ['B', 10_000],
    ['C', 20_000],
  ]);
});

test('Q6 PartialDisruption: never in a zone of 50 or fewer nodes, one per 100 s in a larger one', () => {
  const clock = { t: 0 };
  const small = new RateLimitedTimedQueue(() => clock.t, 0.1);
  small.swapLimiter(0);
  for (const n of ['A', 'B']) small.add(n);
  expect(drain(small, clock, 300_000)).toEqual([]);

  clock.t = 0;
  const large = new RateLimitedTimedQueue(() => clock.t, 0.1);
  large.swapLimiter(0.01); // the old bucket was full, so the new one starts full
  for (const n of ['A', 'B', 'C']) large.add(n);
  expect(drain(large, clock, 250_000)).toEqual([
    ['A', 0],
    ['B', 100_000],
    ['C', 200_000],
  ]);
});

test('a token is spent even when the head is not due yet', () => {
  const clock = { t: 0 };
  const q = new RateLimitedTimedQueue(() => clock.t, 0.1);
  q.add('A');
  q.try(() => ({ done: false, waitMs: 50 })); // takes the only token, re-queues A at 50 ms
  clock.t = 100;
  let calls = 0;
  q.try(() => {
    calls++;
    return { done: true };
  });
  expect(calls).toBe(0); // no token left
});

test('SwapLimiter drains the new bucket when the old one was empty', () => {
  const clock = { t: 0 };
  const q = new RateLimitedTimedQueue(() => clock.t, 0.1);
  expect(q.limiter.tryAccept()).toBe(true); // empty the bucket
  q.swapLimiter(0.5);
  expect(q.limiter.tryAccept()).toBe(false);
  clock.t = 2000;
  expect(q.limiter.tryAccept()).toBe(true);
});

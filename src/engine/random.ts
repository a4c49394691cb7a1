// Seeded random streams. One root seed per run; each component draws from its own stream derived from
// the root seed and a stable label (e.g. "worker/a-3"), never from creation order, so adding a component
// does not reshuffle anybody else's draws.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [minInclusive, maxInclusive]. */
  int(minInclusive: number, maxInclusive: number): number;
  /** Uniform integer milliseconds in [minMs, maxMs] (a fixed value when they are equal). */
  between(minMs: number, maxMs: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element (the array must not be empty). */
  pick<T>(items: readonly T[]): T;
  /** k distinct elements chosen uniformly, in the order of the input (k is clamped to the length). */
  sample<T>(items: readonly T[], k: number): T[];
  /**
   * Gives back a value next() returned, so that it is returned again next (last given back, first
   * returned): work done ahead of time and then undone leaves the stream as if it had never drawn
   * (part of the lazy-dispatch extension, lazy-dispatch.ts).
   */
  unread(value: number): void;
}

/**
 * A stream seeded from a text. The generator is seedrandom's Alea (Johannes Baagøe's, which passes
 * BigCrush): its state is four numbers, where the package's default ARC4 keeps 256. A large cluster has
 * tens of thousands of streams (several per simulated machine), and with ARC4 a draw cost ~2 µs of cache misses
 * in its state; with Alea ~0.4 µs.
 *
 * The state is seeded here as seedrandom's Alea seeds it (Baagøe's Mash hash of the text, three passes),
 * and the step is done on the stream's own fields: both are the package's arithmetic to the bit.
 * Drawing through the package's function reached the state through three objects (function, closure,
 * state), each a cache miss on a stream not used for seconds; seeding through it built a generator, a
 * hash closure and two state objects per stream, which was 4 % of a small run's CPU (a demo run makes
 * about 150 streams). Tests check both against the package, for many texts.
 */
export function makeRng(seedText: string): Rng {
  let n = MASH_AFTER_SPACES;
  let s0 = SPACE_S0;
  let s1 = SPACE_S1;
  let s2 = SPACE_S2;
  n = mash(n, seedText);
  s0 -= (n >>> 0) * TWO_TO_MINUS_32;
  if (s0 < 0) s0 += 1;
  n = mash(n, seedText);
  s1 -= (n >>> 0) * TWO_TO_MINUS_32;
  if (s1 < 0) s1 += 1;
  n = mash(n, seedText);
  s2 -= (n >>> 0) * TWO_TO_MINUS_32;
  if (s2 < 0) s2 += 1;
  return new SeededRng(s0, s1, s2, 1);
}

const TWO_TO_MINUS_32 = 2.3283064365386963e-10;

/**
 * Baagøe's Mash (as in seedrandom's lib/alea.js): folds the text into the hash state `n` and returns the
 * new state; its output is (n >>> 0) * 2^-32. The state carries over from one pass to the next.
 */
function mash(state: number, data: string): number {
  let n = state;
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000;
  }
  return n;
}

// Alea's seeding starts from Mash's initial state and three passes over a space, whatever the text: the
// same numbers for every stream, worked out once.
const MASH_AFTER_SPACE_1 = mash(0xefc8249d, ' ');
const MASH_AFTER_SPACE_2 = mash(MASH_AFTER_SPACE_1, ' ');
const MASH_AFTER_SPACES = mash(MASH_AFTER_SPACE_2, ' ');
const SPACE_S0 = (MASH_AFTER_SPACE_1 >>> 0) * TWO_TO_MINUS_32;
const SPACE_S1 = (MASH_AFTER_SPACE_2 >>> 0) * TWO_TO_MINUS_32;
const SPACE_S2 = (MASH_AFTER_SPACES >>> 0) * TWO_TO_MINUS_32;

class SeededRng implements Rng {
  /** Values given back (unread), returned before new draws. */
  private givenBack: number[] | undefined = undefined;

  constructor(
    private s0: number,
    private s1: number,
    private s2: number,
    private c: number,
  ) {}

  next(): number {
    const back = this.givenBack;
    if (back !== undefined && back.length > 0) return back.pop()!;
    // Alea's step (seedrandom lib/alea.js): 2^-32 = 2.3283064365386963e-10.
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  unread(value: number): void {
    (this.givenBack ??= []).push(value);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  between(lo: number, hi: number): number {
    return hi <= lo ? lo : this.int(lo, hi);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  sample<T>(items: readonly T[], k: number): T[] {
    const idx = items.map((_, i) => i);
    const n = Math.min(k, items.length);
    // Partial Fisher-Yates, then restore input order so the result reads naturally.
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx
      .slice(0, n)
      .sort((a, b) => a - b)
      .map((i) => items[i]);
  }
}

/** The streams of one run. */
export class RandomStreams {
  private readonly streams = new Map<string, Rng>();
  constructor(readonly rootSeed: number | string) {}

  /** The stream for a stable label; the same label always returns the same stream object. */
  stream(label: string): Rng {
    let s = this.streams.get(label);
    if (!s) {
      s = makeRng(`hasim:${this.rootSeed}:${label}`);
      this.streams.set(label, s);
    }
    return s;
  }
}

// Seeded random streams. One root seed per run; each component draws from its own stream derived from
// the root seed and a stable label (e.g. "worker/a-3"), never from creation order, so adding a component
// does not reshuffle anybody else's draws.
import seedrandom from 'seedrandom';

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
 * seedrandom seeds the state (its Mash hash of the text); the step is done here, on the stream's own
 * fields, and is the package's step to the bit. Drawing through the package's function reached the
 * state through three objects (function, closure, state), each a cache miss on a stream not used for
 * seconds; a test checks the two give the same numbers.
 */
export function makeRng(seedText: string): Rng {
  const state = seedrandom.alea(seedText, { state: true }).state();
  return new SeededRng(state.s0, state.s1, state.s2, state.c);
}

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

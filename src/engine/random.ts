// Seeded random streams. One root seed per run; each component draws from its own stream derived from
// the root seed and a stable label (e.g. "kubelet/worker-a-3"), never from creation order, so adding a
// node does not reshuffle anybody else's draws.
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
   * returned): work done ahead of time and then undone leaves the stream as if it had never drawn.
   */
  unread(value: number): void;
}

export function makeRng(seedText: string): Rng {
  const prng = seedrandom(seedText);
  const givenBack: number[] = [];
  const next = () => (givenBack.length === 0 ? prng.quick() : givenBack.pop()!);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    unread: (value) => void givenBack.push(value),
    next,
    int,
    between: (lo, hi) => (hi <= lo ? lo : int(lo, hi)),
    chance: (p) => p > 0 && next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    sample(items, k) {
      const idx = items.map((_, i) => i);
      const n = Math.min(k, items.length);
      // Partial Fisher-Yates, then restore input order so the result reads naturally.
      for (let i = 0; i < n; i++) {
        const j = i + Math.floor(next() * (idx.length - i));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      return idx
        .slice(0, n)
        .sort((a, b) => a - b)
        .map((i) => items[i]);
    },
  };
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

// The outcome of a cycle's Filter and Score (written by the node loop or the accelerator, read by
// selectHost): how many nodes passed, and the feasible nodes with the best score (the ties), in the
// order found. One object per scheduler, reused every cycle.
import { bitCount } from './bits.js';

export class FeasibleNodes {
  feasibleCount = 0;
  bestCount = 0;
  /** Positions in order() of the ties, bestCount of them (unless lazyLevel is set). */
  ties = new Int32Array(0);
  /**
   * Set by the accelerator's walk by levels: the ties are the walk's bits in this score level
   * (walkWords/walkBits[0..lazyLast]), not listed in `ties`.
   */
  lazyLevel: Uint32Array | undefined;
  lazyLast = 0;
  /** The accelerator's scratch: the words of its walk, in walk order, and their feasible bits. */
  walkWords = new Int32Array(0);
  walkBits = new Int32Array(0);

  constructor(private readonly bug: (message: string) => Error) {}

  /** Starts a cycle that may find up to toFind feasible nodes. */
  begin(toFind: number): void {
    if (this.ties.length < toFind) this.ties = new Int32Array(toFind);
    this.feasibleCount = 0;
    this.bestCount = 0;
    this.lazyLevel = undefined;
  }

  /** The j-th tie (0-based) in walk order. */
  tie(j: number): number {
    const level = this.lazyLevel;
    if (level === undefined) return this.ties[j];
    const { walkWords, walkBits } = this;
    for (let k = 0; k <= this.lazyLast; k++) {
      let bits = walkBits[k] & level[walkWords[k]];
      const count = bitCount(bits);
      if (j >= count) {
        j -= count;
        continue;
      }
      for (; j > 0; j--) bits &= bits - 1;
      return (walkWords[k] << 5) | (31 - Math.clz32(bits & -bits));
    }
    throw this.bug(`scheduler: tie ${j} past the walk's ${this.bestCount} ties`);
  }

  /** Lists the ties in `ties` (as the node loop leaves them). */
  listTies(): void {
    if (this.lazyLevel === undefined) return;
    for (let j = 0; j < this.bestCount; j++) this.ties[j] = this.tie(j);
    this.lazyLevel = undefined;
  }

  /** The nodes examined, feasible count and ties, for the accelerator's self-check. */
  describe(processed: number): number[] {
    this.listTies();
    return [processed, this.feasibleCount, ...this.ties.subarray(0, this.bestCount)];
  }
}

// The accelerator of a cycle's Filter and Score (hasim's, not upstream's): the nodes are filtered 32 at a
// time over the cache's bitset columns (cache.ts NodeColumns), from each Filter plugin's word form
// (framework.ts WordFilter), and scored from the request's fit index (cache.ts FitIndex), which holds
// the weighted sum of the resource scores. A cycle walks words only when every Filter plugin that runs for
// the pod has a word form this cycle and the request has (or gets) a fit index; otherwise the node loop
// (node-loop.ts) filters it. When a Score plugin besides the resource scores scores the pod, the walk
// lists the feasible nodes and the node loop's Score step scores them. Both find the same feasible nodes
// in the same order with the same scores, hence the same nodes examined and the same ties:
// `schedulerChecks.verifyWordWalk` runs the node loop after every walk and compares.
//
// The walk: in each word, a node is a candidate when every exact form's bitsets pass it; a candidate
// every sure form passes is feasible, any other is asked node by node through the sure plugins' filters.
// At 5,000 nodes, where a cycle examines ~900 nodes to find 500 feasible ones, that is ~30 words of each
// bitset instead of ~900 node records.
import { bitCount } from './bits.js';
import type { FitIndex } from './cache.js';
import type { FeasibleNodes } from './feasible-nodes.js';
import {
  type CycleState,
  type Diagnosis,
  type ExactWordFilter,
  type FilterPlugin,
  type Framework,
  SUCCESS,
  type WordFilter,
} from './framework.js';
import type { NodeLoop } from './node-loop.js';

/**
 * Distinct requests indexed at most (NodeColumns.addFitIndex): every change of a node's usage recomputes
 * its fit for each, and pods with other requests are filtered node by node.
 */
export const MAX_FIT_INDEXES = 16;

export class Accelerator {
  /** By request id: the request's fit index, once it has one. */
  private readonly fitIndexes: Array<FitIndex | undefined> = [];
  /** This cycle's forms, by active filter plugin. */
  private readonly forms: WordFilter[] = [];
  /** This cycle's exact forms with one bitset, with several, and the sure forms' bitsets (no repeats). */
  private readonly exact: Uint32Array[] = [];
  private readonly unions: Array<readonly Uint32Array[]> = [];
  private readonly sure: Uint32Array[] = [];
  /** The plugins of the sure forms: a candidate outside `sure` is asked through their filters. */
  private readonly sureFilters: FilterPlugin[] = [];
  /** The last word of the walk, and the bits of its positions in order(). */
  private lastWord = 0;
  private lastMask = -1;

  /** This cycle has Score plugins besides the resource scores: the walk lists the feasible nodes for them. */
  private scored = false;

  constructor(
    private readonly framework: Framework,
    private readonly out: FeasibleNodes,
    private readonly loop: NodeLoop,
    private readonly bug: (message: string) => Error,
  ) {}

  /** Whether this cycle can walk words; if so, takes the forms of the active plugins for the walk. */
  prepare(state: CycleState, active: readonly FilterPlugin[]): boolean {
    this.scored = state.scorers.length > 0;
    for (let k = 0; k < active.length; k++) if (active[k].wordFilter === undefined) return false;
    state.fitIndex = this.fitIndexOf(state);
    if (state.fitIndex === undefined) return false;
    this.forms.length = 0;
    this.exact.length = 0;
    this.unions.length = 0;
    this.sure.length = 0;
    this.sureFilters.length = 0;
    for (let k = 0; k < active.length; k++) {
      const form = active[k].wordFilter!(state);
      if (form === undefined) return false;
      this.forms.push(form);
      if (form.kind === 'sure') {
        this.sureFilters.push(active[k]);
        if (!this.sure.includes(form.bits)) this.sure.push(form.bits);
      } else if (form.bits.length === 1) this.exact.push(form.bits[0]);
      else this.unions.push(form.bits);
    }
    const n = state.order.length;
    this.lastWord = ((n + 31) >>> 5) - 1;
    this.lastMask = (n & 31) !== 0 ? (1 << (n & 31)) - 1 : -1;
    return true;
  }

  /**
   * The node loop's filter over words (after prepare): visits the feasible nodes in the node loop's order,
   * with the same scores. Returns the nodes examined.
   */
  filter(state: CycleState, start: number, toFind: number): number {
    const n = state.order.length;
    if (this.scored) return this.walkScored(state, n, start, toFind);
    const byLevels = this.walkByLevels(state, n, start, toFind);
    if (byLevels >= 0) return byLevels;
    const scores = state.fitIndex!.scores;
    const ties = this.out.ties;
    const words = (n + 31) >>> 5;
    const startWord = start >>> 5;
    const startBit = start & 31;
    let found = 0;
    let best = -1;
    let tieCount = 0;
    // The start word's bits from `start` on, the words after it, those before it, then its bits before `start`.
    for (let k = 0; k <= words; k++) {
      const w = walkWord(k, startWord, words);
      let bits = this.candidates(k, w, words, startBit);
      const odd = bits & ~this.sureBits(w);
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const i = (w << 5) | (31 - Math.clz32(low));
        if ((odd & low) !== 0 && !this.passesSure(state, i)) continue;
        const score = scores[i];
        found++;
        if (score > best) {
          best = score;
          tieCount = 0;
          ties[tieCount++] = i;
        } else if (score === best) ties[tieCount++] = i;
        if (found === toFind) {
          this.out.feasibleCount = found;
          this.out.bestCount = tieCount;
          return i >= start ? i - start + 1 : i + n - start + 1;
        }
      }
    }
    this.out.feasibleCount = found;
    this.out.bestCount = tieCount;
    return n;
  }

  /**
   * filter() for a cycle with Score plugins besides the resource scores: the feasible nodes are found by
   * words, listed with their resource scores in the node loop's arrays, and scored there (NodeLoop.score).
   */
  private walkScored(state: CycleState, n: number, start: number, toFind: number): number {
    const scores = state.fitIndex!.scores;
    const loop = this.loop;
    loop.reserve(toFind);
    const { found: list, total } = loop;
    const words = (n + 31) >>> 5;
    const startWord = start >>> 5;
    const startBit = start & 31;
    let found = 0;
    let processed = n;
    walk: for (let k = 0; k <= words; k++) {
      const w = walkWord(k, startWord, words);
      let bits = this.candidates(k, w, words, startBit);
      const odd = bits & ~this.sureBits(w);
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const i = (w << 5) | (31 - Math.clz32(low));
        if ((odd & low) !== 0 && !this.passesSure(state, i)) continue;
        list[found] = i;
        total[found] = scores[i];
        if (++found === toFind) {
          processed = i >= start ? i - start + 1 : i + n - start + 1;
          break walk;
        }
      }
    }
    this.out.feasibleCount = found;
    this.out.bestCount = 0;
    loop.score(state, found);
    return processed;
  }

  /**
   * The node loop's countRejections over words, after a cycle that walked words and found nothing: in
   * each word the plugins are taken in order, each counting the nodes it is the first to reject. An exact
   * form counts its rejections by popcounts; the nodes outside a sure form are counted node by node from
   * that plugin on. A cycle that fits nowhere (a zone outage retries thousands) examines every node.
   */
  countRejections(state: CycleState, active: readonly FilterPlugin[], diag: Diagnosis, loop: NodeLoop): void {
    diag.start();
    const forms = this.forms;
    const words = this.lastWord + 1;
    for (let w = 0; w < words; w++) {
      let remaining = w === this.lastWord ? this.lastMask : -1;
      for (let k = 0; k < forms.length && remaining !== 0; k++) {
        const form = forms[k];
        if (form.kind === 'sure') {
          let unknown = remaining & ~form.bits[w];
          remaining &= form.bits[w];
          while (unknown !== 0) {
            const low = unknown & -unknown;
            unknown ^= low;
            loop.rejectNode(state, active, (w << 5) | (31 - Math.clz32(low)), k, diag);
          }
        } else {
          const rejected = remaining & ~anyOf(form, w);
          if (rejected === 0) continue;
          diag.rejectorMask |= 1 << this.framework.filters.indexOf(active[k]);
          form.count(w, rejected, diag);
          remaining ^= rejected;
        }
      }
      if (remaining !== 0) {
        const i = (w << 5) | (31 - Math.clz32(remaining & -remaining));
        throw this.bug(`scheduler: node ${state.order[i].name} passes every filter after a cycle found none`);
      }
    }
  }

  /** The request's fit index; one is added for a new request while fewer than MAX_FIT_INDEXES exist. */
  private fitIndexOf(state: CycleState): FitIndex | undefined {
    let fit = this.fitIndexes[state.requestId];
    if (fit === undefined && state.cols.fitIndexes.length < MAX_FIT_INDEXES)
      this.fitIndexes[state.requestId] = fit = state.cols.addFitIndex(
        state.cpuMilli,
        state.memBytes,
        state.order.length,
      );
    return fit;
  }

  /**
   * The candidates of the walk's k-th step, in word w: the nodes every exact form passes, within reach
   * (from `start` on in the first step, before it in the last).
   */
  private candidates(k: number, w: number, words: number, startBit: number): number {
    let c = k === 0 ? -1 << startBit : k === words ? (1 << startBit) - 1 : -1;
    if (w === this.lastWord) c &= this.lastMask;
    const exact = this.exact;
    for (let i = 0; i < exact.length; i++) c &= exact[i][w];
    const unions = this.unions;
    for (let u = 0; u < unions.length; u++) {
      const bits = unions[u];
      let any = 0;
      for (let j = 0; j < bits.length; j++) any |= bits[j][w];
      c &= any;
    }
    return c;
  }

  /** The nodes of word w every sure form passes. */
  private sureBits(w: number): number {
    let s = -1;
    const sure = this.sure;
    for (let i = 0; i < sure.length; i++) s &= sure[i][w];
    return s;
  }

  private passesSure(state: CycleState, i: number): boolean {
    const filters = this.sureFilters;
    for (let k = 0; k < filters.length; k++) if (filters[k].filter(state, i) !== SUCCESS) return false;
    return true;
  }

  /**
   * filter() when every feasible node within the walk's reach passes every sure form (the common case: no
   * taint, no cordon among them), without visiting the feasible nodes one by one. Pass one counts the
   * feasible nodes word by word up to the toFind-th; pass two takes the best score whose bitset
   * (FitIndex.levels) meets them; pass three counts the nodes of that score: in walk order, they are the
   * ties the node loop finds (FeasibleNodes.tie picks one). Returns the nodes examined, or -1 (nothing
   * set) when a candidate in reach is outside a sure form: then filter() asks it node by node. At 5,000
   * nodes a cycle finds 500 feasible nodes: ~30 words per pass instead of 500 score comparisons.
   */
  private walkByLevels(state: CycleState, n: number, start: number, toFind: number): number {
    const out = this.out;
    const words = (n + 31) >>> 5;
    if (out.walkWords.length < words + 1) {
      out.walkWords = new Int32Array(words + 1);
      out.walkBits = new Int32Array(words + 1);
    }
    const walk = this.walkFeasible(n, start, toFind);
    if (walk === undefined) return -1;
    out.feasibleCount = walk.found;
    if (walk.found === 0) return walk.processed;
    const last = walk.last;
    const { walkWords, walkBits } = out;
    const { levels, levelCounts } = state.fitIndex!;
    // Pass two: the best score among them, from the highest score any fitting node has.
    let best = -1;
    for (let v = levels.length - 1; v >= 0 && best < 0; v--) {
      if (levelCounts[v] === 0) continue;
      const level = levels[v]!;
      for (let k = 0; k <= last; k++) {
        if ((walkBits[k] & level[walkWords[k]]) !== 0) {
          best = v;
          break;
        }
      }
    }
    // Pass three: how many nodes have that score. They are the ties, in walk order.
    const level = levels[best]!;
    let tieCount = 0;
    for (let k = 0; k <= last; k++) tieCount += bitCount(walkBits[k] & level[walkWords[k]]);
    out.bestCount = tieCount;
    out.lazyLevel = level;
    out.lazyLast = last;
    return walk.processed;
  }

  private readonly walk = { found: 0, last: 0, processed: 0 };

  /**
   * walkByLevels' pass one: the feasible bits of each word in walk order (out.walkWords/walkBits), up to
   * the toFind-th feasible node; undefined when a candidate in reach is outside a sure form.
   */
  private walkFeasible(n: number, start: number, toFind: number): typeof this.walk | undefined {
    const { walkWords, walkBits } = this.out;
    const words = (n + 31) >>> 5;
    const startWord = start >>> 5;
    const startBit = start & 31;
    let found = 0;
    let last = words;
    let lastNode = -1;
    for (let k = 0; k <= words; k++) {
      const w = walkWord(k, startWord, words);
      let bits = this.candidates(k, w, words, startBit);
      if ((bits & ~this.sureBits(w)) !== 0) return undefined;
      walkWords[k] = w;
      const count = bitCount(bits);
      if (found + count >= toFind) {
        // Keep the bits up to the toFind-th feasible node: the walk stops there.
        let kept = 0;
        for (let need = toFind - found; need > 0; need--) {
          const low = bits & -bits;
          bits ^= low;
          kept |= low;
        }
        walkBits[k] = kept;
        found = toFind;
        last = k;
        lastNode = (w << 5) | (31 - Math.clz32(kept));
        break;
      }
      walkBits[k] = bits;
      found += count;
    }
    const walk = this.walk;
    walk.found = found;
    walk.last = last;
    walk.processed = lastNode < 0 ? n : lastNode >= start ? lastNode - start + 1 : lastNode + n - start + 1;
    return walk;
  }
}

/** The word of the walk's k-th step: `start`'s word, the words after it, those before it, then `start`'s word again. */
function walkWord(k: number, startWord: number, words: number): number {
  return startWord + k < words ? startWord + k : startWord + k - words;
}

/** The nodes of word w an exact form passes. */
function anyOf(form: ExactWordFilter, w: number): number {
  const bits = form.bits;
  if (bits.length === 1) return bits[0][w];
  let any = 0;
  for (let j = 0; j < bits.length; j++) any |= bits[j][w];
  return any;
}

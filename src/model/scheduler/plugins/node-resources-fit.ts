// NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go) with its default scoring
// strategy LeastAllocated (least_allocated.go): Filter rejects a node without room for the pod's cpu and
// memory requests or for one more pod, with one reason per insufficient resource ("Too many pods",
// "Insufficient cpu", "Insufficient memory"); Score is the mean over cpu and memory of
// (capacity - requested) / capacity x 100, requested counting the pod, each truncated to an integer.
//
// Fidelity: capacity stands in for allocatable; only cpu, memory and pods are modelled (no extended
// resources, no ephemeral storage, no init containers or overhead); a request of 0 is not raised to
// upstream's non-zero defaults for scoring. The fit and the score of a node are memoized per distinct
// request in the cache's node records, and indexed for up to 16 requests (cache.ts FitIndex): that index
// is this plugin's word form.
import type { Node, Pod } from '../../../k8s/objects.js';
import { bitCount } from '../bits.js';
import { FIT_CPU, FIT_MEMORY, FIT_TOO_MANY_PODS, type FitIndex, MEMO_FIT_SHIFT, MEMO_SCORE_MASK } from '../cache.js';
import {
  type CycleState,
  type Diagnosis,
  type ExactWordFilter,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  type ScorePlugin,
  SUCCESS,
} from '../framework.js';

export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';
export const ERR_REASON_CPU = 'Insufficient cpu';
export const ERR_REASON_MEMORY = 'Insufficient memory';

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeResourcesFit';
  /** By FIT_ bits: the status naming each insufficient resource. */
  private readonly statusByLacks: number[] = [SUCCESS];
  private readonly words: ExactWordFilter;
  /** This cycle's fit index (the word form's bitset is its `fits`). */
  private index: FitIndex | undefined;
  private readonly bits: Uint32Array[] = [new Uint32Array(0)];

  constructor(h: FrameworkHandle) {
    const s = h.statuses;
    for (let lacks = 1; lacks < 8; lacks++) {
      const reasons: string[] = [];
      if ((lacks & FIT_TOO_MANY_PODS) !== 0) reasons.push(ERR_REASON_TOO_MANY_PODS);
      if ((lacks & FIT_CPU) !== 0) reasons.push(ERR_REASON_CPU);
      if ((lacks & FIT_MEMORY) !== 0) reasons.push(ERR_REASON_MEMORY);
      this.statusByLacks.push(s.unschedulable(h.filterBit, ...reasons));
    }
    const tooManyPods = s.reason(ERR_REASON_TOO_MANY_PODS);
    const cpu = s.reason(ERR_REASON_CPU);
    const memory = s.reason(ERR_REASON_MEMORY);
    this.words = {
      kind: 'exact',
      bits: this.bits,
      count: (w: number, rejected: number, diag: Diagnosis): void => {
        const x = this.index!;
        diag.add(tooManyPods, bitCount(rejected & x.tooManyPods[w]));
        diag.add(cpu, bitCount(rejected & x.noCpu[w]));
        diag.add(memory, bitCount(rejected & x.noMemory[w]));
      },
    };
  }

  readonly events = {
    assignedPodDelete: true,
    nodeUpdate: (prev: Node, next: Node) => {
      const a = prev.status.capacity;
      const b = next.status.capacity;
      return b.cpuMilli > a.cpuMilli || b.memoryBytes > a.memoryBytes || b.pods > a.pods;
    },
  };

  filter(state: CycleState, pos: number): number {
    const memo = state.cols.memo(pos, state.requestId, state.cpuMilli, state.memBytes);
    return memo > MEMO_SCORE_MASK ? this.statusByLacks[memo >> MEMO_FIT_SHIFT] : SUCCESS;
  }

  /** The accelerator's index of the request: the nodes with room, and what the others lack. */
  wordFilter(state: CycleState): ExactWordFilter | undefined {
    if (state.fitIndex === undefined) return undefined;
    this.index = state.fitIndex;
    this.bits[0] = state.fitIndex.fits;
    return this.words;
  }

  verdictKey(pod: Pod): string {
    return `${pod.spec.requests.cpuMilli}\n${pod.spec.requests.memoryBytes}`;
  }

  /** LeastAllocated over cpu and memory (weights 1 each), 0..100. */
  resourceScore(cpuCap: number, memCap: number, cpuReq: number, memReq: number): number {
    const cpuLeast = ((1 - fraction(cpuReq, cpuCap)) * MAX_NODE_SCORE) | 0;
    const memLeast = ((1 - fraction(memReq, memCap)) * MAX_NODE_SCORE) | 0;
    return ((cpuLeast + memLeast) / 2) | 0;
  }
}

/**
 * requested / capacity, 1 when the request reaches the capacity or there is none. At most 1, so `| 0` on a
 * score built from it truncates exactly like upstream's int64 conversion.
 */
export function fraction(requested: number, capacity: number): number {
  return capacity > 0 && requested < capacity ? requested / capacity : 1;
}

// NodeResourcesBalancedAllocation (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go):
// Score favours nodes whose cpu and memory would be used in equal shares with the pod: (1 - the standard
// deviation of the two fractions) x 100, which for two resources is (1 - |cpu - memory| / 2) x 100,
// truncated to an integer.
//
// Fidelity: as NodeResourcesFit's score (capacity for allocatable, cpu and memory only, no non-zero
// request defaults). Its score reads only the node's capacity and requests, so the cache memoizes it
// with NodeResourcesFit's per request.
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';
import { fraction } from './node-resources-fit.js';

export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';

  resourceScore(cpuCap: number, memCap: number, cpuReq: number, memReq: number): number {
    const cpuFrac = fraction(cpuReq, cpuCap);
    const memFrac = fraction(memReq, memCap);
    return ((1 - Math.abs(cpuFrac - memFrac) / 2) * MAX_NODE_SCORE) | 0;
  }
}

export { judgeSlos } from './judge.js';
export { summarizeWorkloads, summarizeFaults } from './workload-summary.js';
export { PodAccounting } from './invariants.js';
export { readySeries, pointAt, type ReadySeries, type ReadyPoint } from './ready-series.js';

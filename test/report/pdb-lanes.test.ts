// The timeline's PodDisruptionBudget lanes (src/report/pdb-lanes.ts).
import { collectPdbLanes } from '../../src/report/pdb-lanes.js';
import type { TraceEvent } from '../../src/trace/events.js';

const status = (atMs: number, pdb: string, allowed: number) => ({
  atMs,
  type: 'pdb.status.changed',
  pdb,
  workload: `Deployment/${pdb}`,
  disruptionsAllowed: allowed,
  currentHealthy: 3,
  desiredHealthy: 2,
  expectedPods: 3,
  by: 'disruption-controller',
});
const refused = (atMs: number, pdb: string) => ({
  atMs,
  type: 'pod.eviction.refused',
  pod: `${pdb}-1`,
  node: 'n1',
  workload: `Deployment/${pdb}`,
  pdb,
  code: 429,
  message: 'm',
  by: 'kubectl',
});

describe('PDB lanes', () => {
  it('draws the budgets that refused an eviction or fell to zero, with their allowed disruptions over time', () => {
    const events = [
      status(1_000, 'web', 0),
      status(10_000, 'web', 1),
      status(60_000, 'web', 0),
      refused(61_000, 'web'),
      status(70_000, 'web', 1),
      status(1_000, 'quiet', 0),
      status(10_000, 'quiet', 1),
    ] as unknown as TraceEvent[];
    expect(collectPdbLanes(events, 100_000)).toEqual([
      {
        pdb: 'web',
        workload: 'Deployment/web',
        spans: [
          { startMs: 1_000, endMs: 10_000, allowed: 0 },
          { startMs: 10_000, endMs: 60_000, allowed: 1 },
          { startMs: 60_000, endMs: 70_000, allowed: 0 },
          { startMs: 70_000, endMs: 100_000, allowed: 1 },
        ],
        refusals: [61_000],
      },
    ]);
  });
});

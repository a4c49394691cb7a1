// Workloads, nodes and pods are listed in natural order everywhere (svc-2 before svc-10), without
// depending on the machine's locale.
import { naturalCompare } from '../../src/trace/format.js';
import { readySeries } from '../../src/slo/ready-series.js';
import type { TraceEvent } from '../../src/trace/events.js';

describe('naturalCompare', () => {
  it('orders runs of digits as numbers', () => {
    const names = ['svc-10', 'svc-2', 'svc-1', 'svc-100', 'svc-20', 'api'];
    expect([...names].sort(naturalCompare)).toEqual(['api', 'svc-1', 'svc-2', 'svc-10', 'svc-20', 'svc-100']);
  });

  it('compares several numeric runs in turn, and leading zeros as the same number', () => {
    const names = ['worker-b-10', 'worker-a-10', 'worker-a-9', 'worker-b-2'];
    expect([...names].sort(naturalCompare)).toEqual(['worker-a-9', 'worker-a-10', 'worker-b-2', 'worker-b-10']);
    expect(naturalCompare('n-007', 'n-8')).toBeLessThan(0);
    // Equal numbers written differently fall back to plain order ('0' sorts before '1').
    expect(naturalCompare('n-01', 'n-1')).toBeLessThan(0);
  });

  it('is a total order: antisymmetric and zero only for equal strings', () => {
    const names = ['a', 'a1', 'a01', 'a10', 'a2', 'b', 'A', '1', '01', '', 'a-1', 'a-01'];
    for (const x of names)
      for (const y of names) {
        expect(Math.sign(naturalCompare(x, y)) + Math.sign(naturalCompare(y, x))).toBe(0);
        if (x !== y) expect(naturalCompare(x, y)).not.toBe(0);
      }
  });
});

describe('readySeries', () => {
  it('lists workloads in natural order, so svc-2 comes before svc-10 in every report', () => {
    const ev: TraceEvent[] = ['svc-10', 'svc-2', 'svc-1'].map((n) => ({
      atMs: 0,
      type: 'workload.desired.changed',
      workload: `Deployment/${n}`,
      desired: 1,
    }));
    expect([...readySeries(ev).keys()]).toEqual(['Deployment/svc-1', 'Deployment/svc-2', 'Deployment/svc-10']);
  });
});

import type { TraceEvent } from '../../src/trace/events.js';
import { PodAccounting } from '../../src/slo/invariants.js';

function run(events: TraceEvent[]): (string | undefined)[] {
  const acc = new PodAccounting();
  return events.map((e) => acc.observe(e));
}

describe('PodAccounting', () => {
  it('accepts a pod moving pending -> running -> terminating -> removed, and a reused name afterwards', () => {
    const out = run([
      { atMs: 0, type: 'pod.created', pod: 'p', workload: 'StatefulSet/db' },
      { atMs: 1, type: 'pod.scheduled', pod: 'p', node: 'n' },
      { atMs: 2, type: 'pod.ready.changed', pod: 'p', ready: true, by: 'kubelet' },
      { atMs: 3, type: 'pod.deleted', pod: 'p', reason: 'taint-eviction' },
      { atMs: 4, type: 'pod.deleted', pod: 'p', reason: 'force-delete' },
      { atMs: 5, type: 'pod.removed', pod: 'p' },
      { atMs: 6, type: 'pod.created', pod: 'p', workload: 'StatefulSet/db' },
    ]);
    expect(out.filter(Boolean)).toEqual([]);
  });

  it('flags pod.scheduled for an unknown pod', () => {
    expect(run([{ atMs: 0, type: 'pod.scheduled', pod: 'x', node: 'n' }])[0]).toBe('pod.scheduled for unknown pod x');
  });

  it('flags pod.scheduled for a removed pod and binding twice', () => {
    const created: TraceEvent = { atMs: 0, type: 'pod.created', pod: 'p', workload: 'Deployment/w' };
    expect(
      run([
        created,
        { atMs: 1, type: 'pod.removed', pod: 'p' },
        { atMs: 2, type: 'pod.scheduled', pod: 'p', node: 'n' },
      ])[2],
    ).toBe('pod.scheduled for removed pod p');
    expect(
      run([
        created,
        { atMs: 1, type: 'pod.scheduled', pod: 'p', node: 'n' },
        { atMs: 2, type: 'pod.scheduled', pod: 'p', node: 'm' },
      ])[2],
    ).toContain('already bound');
  });

  it('flags pod.removed twice', () => {
    const out = run([
      { atMs: 0, type: 'pod.created', pod: 'p', workload: 'Deployment/w' },
      { atMs: 1, type: 'pod.removed', pod: 'p' },
      { atMs: 2, type: 'pod.removed', pod: 'p' },
    ]);
    expect(out[2]).toBe('pod.removed twice for p');
  });

  it('flags pod.created twice while the first still exists', () => {
    const out = run([
      { atMs: 0, type: 'pod.created', pod: 'p', workload: 'Deployment/w' },
      { atMs: 1, type: 'pod.deleted', pod: 'p', reason: 'scale-down' },
      { atMs: 2, type: 'pod.created', pod: 'p', workload: 'Deployment/w' },
    ]);
    expect(out[2]).toBe('pod.created for p while a pod of that name still exists (terminating)');
  });

  it('flags pod.ready.changed for a removed pod', () => {
    const out = run([
      { atMs: 0, type: 'pod.created', pod: 'p', workload: 'Deployment/w' },
      { atMs: 1, type: 'pod.scheduled', pod: 'p', node: 'n' },
      { atMs: 2, type: 'pod.removed', pod: 'p' },
      { atMs: 3, type: 'pod.ready.changed', pod: 'p', ready: false, by: 'kubelet' },
    ]);
    expect(out[3]).toBe('pod.ready.changed for removed pod p');
  });
});

// The run invariants vopr checks (src/slo/run-invariants.ts), on small hand-written traces: each allows
// what a modelled failure makes possible and nothing more.
import { checkRunInvariants } from '../../src/slo/run-invariants.js';
import type { TraceEvent } from '../../src/trace/events.js';

const END = 600_000;
const kinds = (events: TraceEvent[], endMs = END) => checkRunInvariants(events, endMs).map((v) => v.invariant);

const startedTwice = (extra: TraceEvent[] = []): TraceEvent[] =>
  [
    { atMs: 1000, type: 'pod.started', pod: 'db-0', node: 'n1' },
    ...extra,
    { atMs: 90_000, type: 'pod.started', pod: 'db-0', node: 'n2' },
  ].sort((a, b) => a.atMs - b.atMs) as TraceEvent[];

describe('one copy', () => {
  it('a pod started on a second node while its containers run on a node the control plane sees breaks it', () => {
    expect(kinds(startedTwice())).toEqual(['one-copy']);
  });
  it('holds when the first copy stopped before the second started', () => {
    expect(
      kinds(startedTwice([{ atMs: 50_000, type: 'pod.stopped', pod: 'db-0', node: 'n1', reason: 'deleted' }])),
    ).toEqual([]);
  });
  it('allows a second copy while a partition hides the first', () => {
    const events = startedTwice([
      { atMs: 10_000, type: 'fault.started', fault: 'cut', faultType: 'network-partition', targets: ['n1'] },
    ]);
    expect(kinds(events)).toEqual([]);
  });
  it('allows a second copy after a force delete of the first, even once the new pod object exists', () => {
    const events = startedTwice([
      { atMs: 60_000, type: 'pod.deleted', pod: 'db-0', reason: 'force-delete' },
      { atMs: 60_001, type: 'pod.removed', pod: 'db-0' },
      { atMs: 60_002, type: 'pod.created', pod: 'db-0', workload: 'StatefulSet/db' },
    ]);
    expect(kinds(events)).toEqual([]);
  });
  it('allows a copy a kubelet starts just after its pod was removed, while a new incarnation starts elsewhere', () => {
    const events = [
      { atMs: 1000, type: 'pod.removed', pod: 'db-0' },
      { atMs: 1001, type: 'pod.created', pod: 'db-0', workload: 'StatefulSet/db' },
      { atMs: 1005, type: 'pod.started', pod: 'db-0', node: 'n1' },
      { atMs: 1006, type: 'pod.started', pod: 'db-0', node: 'n2' },
    ] as TraceEvent[];
    expect(kinds(events)).toEqual([]);
    // Long after the removal, a second copy in sight is a violation again.
    const later = events.map((e) => ({ ...e, atMs: e.type === 'pod.started' ? e.atMs + 60_000 : e.atMs }));
    expect(kinds(later as TraceEvent[])).toEqual(['one-copy']);
  });
  it('but not a third copy started after the forgotten one stopped while another runs in sight', () => {
    const events = startedTwice([
      { atMs: 60_000, type: 'pod.deleted', pod: 'db-0', reason: 'force-delete' },
      { atMs: 70_000, type: 'pod.stopped', pod: 'db-0', node: 'n1', reason: 'pod removed from API' },
      { atMs: 80_000, type: 'pod.started', pod: 'db-0', node: 'n1' },
    ]);
    expect(kinds(events)).toEqual(['one-copy']);
  });
});

describe('one leader', () => {
  const two = (extra: TraceEvent[] = []): TraceEvent[] =>
    [
      ...extra,
      { atMs: 1000, type: 'leader.acquired', component: 'kube-scheduler', instance: 'a' },
      { atMs: 2000, type: 'leader.acquired', component: 'kube-scheduler', instance: 'b' },
    ] as TraceEvent[];
  it('two leaders of one component at once break it', () => {
    expect(kinds(two())).toEqual(['one-leader']);
  });
  it('unless a clock was skewed', () => {
    expect(
      kinds(two([{ atMs: 0, type: 'fault.started', fault: 'skew', faultType: 'clock-skew', targets: ['cp-0'] }])),
    ).toEqual([]);
  });
  it('a leader that lost the lease first is fine', () => {
    const events = [
      { atMs: 1000, type: 'leader.acquired', component: 'kube-scheduler', instance: 'a' },
      { atMs: 1500, type: 'leader.lost', component: 'kube-scheduler', instance: 'a' },
      { atMs: 2000, type: 'leader.acquired', component: 'kube-scheduler', instance: 'b' },
    ] as TraceEvent[];
    expect(kinds(events)).toEqual([]);
  });
});

describe('terminating and time', () => {
  const deleted: TraceEvent[] = [
    { atMs: 0, type: 'node.ready.changed', node: 'n1', from: 'None', to: 'True', by: 'kubelet' },
    { atMs: 1000, type: 'pod.scheduled', pod: 'web-1', node: 'n1' },
    { atMs: 60_000, type: 'pod.deleted', pod: 'web-1', reason: 'scale-down' },
  ];
  const HOUR = 3_600_000;
  it('a pod Terminating for most of an hour on a Ready, reachable node breaks it', () => {
    expect(kinds(deleted, HOUR)).toEqual(['terminating']);
  });
  it('not while its grace period (at most 10 minutes) and a minute have not run out', () => {
    expect(kinds(deleted, 60_000 + 11 * 60_000 - 1)).toEqual([]);
  });
  it('not when its node is not Ready', () => {
    expect(
      kinds([
        ...deleted,
        {
          atMs: 70_000,
          type: 'node.ready.changed',
          node: 'n1',
          from: 'True',
          to: 'Unknown',
          by: 'node-lifecycle-controller',
        },
      ]),
    ).toEqual([]);
  });
  it('events out of order or after the end break the time invariant', () => {
    const events = [
      { atMs: 5000, type: 'host.powered.off', host: 'n1' },
      { atMs: 4000, type: 'host.powered.on', host: 'n1' },
      { atMs: END + 1, type: 'host.powered.off', host: 'n1' },
    ] as TraceEvent[];
    expect(kinds(events)).toEqual(['time', 'time']);
  });
});

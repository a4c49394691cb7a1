// A pod is available only while the API server has it Ready AND its containers run: a pod on a host
// that lost power stays Ready in the API until the node lifecycle controller notices, or forever when
// the control plane is down too, yet it serves nothing.
import { runningSeries } from '../../src/slo/ready-series.js';
import { renderTimelineSvg } from '../../src/report/timeline-svg.js';
import { judgeSlos } from '../../src/slo/judge.js';
import type { TraceEvent } from '../../src/trace/events.js';

const base: TraceEvent[] = [
  { atMs: 0, type: 'workload.desired.changed', workload: 'Deployment/web', desired: 2 },
  { atMs: 0, type: 'pod.created', pod: 'web-a', workload: 'Deployment/web' },
  { atMs: 0, type: 'pod.created', pod: 'web-b', workload: 'Deployment/web' },
  { atMs: 1000, type: 'pod.scheduled', pod: 'web-a', node: 'n1' },
  { atMs: 1000, type: 'pod.scheduled', pod: 'web-b', node: 'n2' },
  { atMs: 2000, type: 'pod.started', pod: 'web-a', node: 'n1' },
  { atMs: 2000, type: 'pod.started', pod: 'web-b', node: 'n2' },
  { atMs: 3000, type: 'pod.ready.changed', pod: 'web-a', ready: true, by: 'kubelet' },
  { atMs: 3000, type: 'pod.ready.changed', pod: 'web-b', ready: true, by: 'kubelet' },
  { atMs: 60_000, type: 'fault.started', fault: 'n1-down', faultType: 'node-crash', targets: ['n1'] },
  { atMs: 60_000, type: 'host.powered.off', host: 'n1' },
  { atMs: 60_000, type: 'pod.stopped', pod: 'web-a', node: 'n1', reason: 'host powered off' },
  // The control plane never notices: no pod.ready.changed. The host comes back after 10 minutes.
  { atMs: 660_000, type: 'fault.ended', fault: 'n1-down', faultType: 'node-crash', targets: ['n1'] },
  { atMs: 660_005, type: 'pod.started', pod: 'web-a', node: 'n1' },
];

it('counts a pod whose containers stopped as unavailable even while the API server still calls it Ready', () => {
  const [recovery, min, unavailable] = judgeSlos(
    [
      { name: 'back', type: 'recovery-time', workload: 'Deployment/web', after: 'n1-down', maxMs: 300_000 },
      { name: 'min', type: 'min-available', workload: 'Deployment/web', min: { value: 2, percent: false } },
      { name: 'unavail', type: 'unavailable-time', workload: 'Deployment/web', maxMs: 60_000 },
    ],
    base,
    900_000,
  );
  expect(recovery).toMatchObject({ passed: false, measuredMs: 600_005 });
  expect(min).toMatchObject({ passed: false, measured: 1 });
  expect(unavailable).toMatchObject({ passed: false, measuredMs: 600_005 });
});

describe('running pods', () => {
  it('follow containers, not the API server: a partitioned copy still runs next to its replacement', () => {
    const events: TraceEvent[] = [
      { atMs: 0, type: 'workload.desired.changed', workload: 'Deployment/web', desired: 1 },
      { atMs: 0, type: 'pod.created', pod: 'web-a', workload: 'Deployment/web' },
      { atMs: 2000, type: 'pod.started', pod: 'web-a', node: 'far' },
      { atMs: 400_000, type: 'pod.deleted', pod: 'web-a', reason: 'taint-eviction' },
      { atMs: 400_001, type: 'pod.created', pod: 'web-b', workload: 'Deployment/web' },
      { atMs: 405_000, type: 'pod.started', pod: 'web-b', node: 'near' },
      { atMs: 700_000, type: 'pod.stopped', pod: 'web-a', node: 'far', reason: 'deleted' },
    ];
    expect(runningSeries(events).get('Deployment/web')).toEqual([
      { atMs: 2000, running: 1 },
      { atMs: 405_000, running: 2 },
      { atMs: 700_000, running: 1 },
    ]);
    const svg = renderTimelineSvg(
      {
        scenario: 't',
        seed: 1,
        durationMs: 900_000,
        kubernetesVersion: '1.31',
        passed: true,
        slos: [],
        faults: [],
        workloads: [],
        stats: { events: 0, wallMs: 0 },
        reproduce: '',
      },
      events,
    );
    expect(svg).toContain('2 running: 1 old copy');
  });
});

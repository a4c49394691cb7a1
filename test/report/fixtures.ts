// A hand-made but realistic trace for report tests and for looking at the rendered reports: a cluster
// of `zones` x `nodesPerZone` nodes, one Deployment spread over them, a power outage of the first zone
// at 5m for 10m, leader elections that fail over, taint-based eviction after 300s and rescheduling.
import type { SloSpec } from '../../src/scenario/types.js';
import type { TraceEvent } from '../../src/trace/events.js';
import type { RunSummary } from '../../src/trace/summary.js';
import { judgeSlos } from '../../src/slo/judge.js';
import { summarizeFaults, summarizeWorkloads } from '../../src/slo/workload-summary.js';

export interface Fixture {
  events: TraceEvent[];
  summary: RunSummary;
  slos: SloSpec[];
}

export function outageFixture(opts: {
  nodesPerZone: number;
  zones?: number;
  replicas?: number;
  description?: string;
  slos?: SloSpec[];
}): Fixture {
  const zoneNames = ['zone-a', 'zone-b', 'zone-c'].slice(0, opts.zones ?? 3);
  const replicas = opts.replicas ?? 6;
  const durationMs = 30 * 60_000;
  const faultMs = 5 * 60_000;
  const faultEndMs = 15 * 60_000;
  const ev: TraceEvent[] = [];
  const nodes = zoneNames.flatMap((z) =>
    Array.from({ length: opts.nodesPerZone }, (_, i) => ({ name: `worker-${z.slice(-1)}-${i}`, zone: z })),
  );
  const hit = nodes.filter((n) => n.zone === zoneNames[0]).map((n) => n.name);

  ev.push({
    atMs: 0,
    type: 'run.started',
    scenario: 'zone-a-outage',
    seed: 42,
    durationMs,
    kubernetesVersion: '1.31',
    hasimVersion: '0.3.0',
  });
  for (const n of nodes) ev.push({ atMs: 0, type: 'node.created', node: n.name, zone: n.zone });
  for (const n of nodes)
    ev.push({ atMs: 0, type: 'node.ready.changed', node: n.name, from: 'None', to: 'True', by: 'kubelet' });
  ev.push({ atMs: 0, type: 'workload.desired.changed', workload: 'Deployment/web', desired: replicas });
  for (const z of zoneNames) ev.push({ atMs: 0, type: 'zone.state.changed', zone: z, from: 'Initial', to: 'Normal' });
  ev.push({ atMs: 1200, type: 'leader.acquired', component: 'kube-scheduler', instance: 'kube-scheduler-0' });
  ev.push({ atMs: 1500, type: 'leader.acquired', component: 'kube-controller-manager', instance: 'kcm-zone-a' });
  const podNode = new Map<string, string>();
  for (let i = 0; i < replicas; i++)
    ev.push({ atMs: 2000, type: 'pod.created', pod: `web-${i}`, workload: 'Deployment/web' });
  for (let i = 0; i < replicas; i++) {
    const node = nodes[(i * 7) % nodes.length].name;
    podNode.set(`web-${i}`, node);
    ev.push({ atMs: 2100 + i, type: 'pod.scheduled', pod: `web-${i}`, node });
  }
  for (let i = 0; i < replicas; i++)
    ev.push({ atMs: 9000 + i * 400, type: 'pod.ready.changed', pod: `web-${i}`, ready: true, by: 'kubelet' });

  const late: TraceEvent[] = [];
  late.push({
    atMs: faultMs,
    type: 'fault.started',
    fault: 'zone-a-power',
    faultType: 'zone-outage',
    targets: [...hit, 'kcm-zone-a'],
  });
  for (const n of hit) late.push({ atMs: faultMs, type: 'host.powered.off', host: n });
  late.push({ atMs: faultMs, type: 'component.stopped', component: 'kube-controller-manager', instance: 'kcm-zone-a' });
  late.push({
    atMs: faultMs + 17_300,
    type: 'leader.acquired',
    component: 'kube-controller-manager',
    instance: 'kcm-zone-b',
  });
  hit.forEach((n, i) => {
    const t = faultMs + 40_000 + (i % 10) * 200;
    late.push({
      atMs: t,
      type: 'node.ready.changed',
      node: n,
      from: 'True',
      to: 'Unknown',
      by: 'node-lifecycle-controller',
    });
    late.push({
      atMs: t + 300,
      type: 'node.taint.added',
      node: n,
      key: 'node.kubernetes.io/unreachable',
      effect: 'NoSchedule',
    });
    late.push({
      atMs: t + 500,
      type: 'node.taint.added',
      node: n,
      key: 'node.kubernetes.io/unreachable',
      effect: 'NoExecute',
    });
  });
  late.push({
    atMs: faultMs + 45_000,
    type: 'zone.state.changed',
    zone: zoneNames[0],
    from: 'Normal',
    to: 'FullDisruption',
  });
  const victims = [...podNode].filter(([, n]) => hit.includes(n)).map(([p]) => p);
  victims.forEach((p, i) =>
    late.push({
      atMs: faultMs + 40_400 + i,
      type: 'pod.ready.changed',
      pod: p,
      ready: false,
      by: 'node-lifecycle-controller',
    }),
  );
  victims.forEach((p, i) => {
    const t = faultMs + 340_500 + i * 10;
    late.push({ atMs: t, type: 'pod.deleted', pod: p, reason: 'taint-eviction' });
    late.push({ atMs: t + 100, type: 'pod.created', pod: `${p}-r`, workload: 'Deployment/web' });
    const node = nodes.find((n) => !hit.includes(n.name))!.name;
    late.push({ atMs: t + 400, type: 'pod.scheduled', pod: `${p}-r`, node });
    late.push({ atMs: t + 20_000, type: 'pod.ready.changed', pod: `${p}-r`, ready: true, by: 'kubelet' });
  });
  late.push({
    atMs: faultEndMs,
    type: 'fault.ended',
    fault: 'zone-a-power',
    faultType: 'zone-outage',
    targets: [...hit, 'kcm-zone-a'],
  });
  hit.forEach((n, i) => {
    late.push({ atMs: faultEndMs, type: 'host.powered.on', host: n });
    const t = faultEndMs + 30_000 + (i % 10) * 300;
    late.push({ atMs: t, type: 'node.ready.changed', node: n, from: 'Unknown', to: 'True', by: 'kubelet' });
    late.push({
      atMs: t + 200,
      type: 'node.taint.removed',
      node: n,
      key: 'node.kubernetes.io/unreachable',
      effect: 'NoSchedule',
    });
    late.push({
      atMs: t + 200,
      type: 'node.taint.removed',
      node: n,
      key: 'node.kubernetes.io/unreachable',
      effect: 'NoExecute',
    });
  });
  late.push({
    atMs: faultEndMs + 31_000,
    type: 'zone.state.changed',
    zone: zoneNames[0],
    from: 'FullDisruption',
    to: 'Normal',
  });
  victims.forEach((p, i) => late.push({ atMs: faultEndMs + 35_000 + i, type: 'pod.removed', pod: p }));
  late.sort((a, b) => a.atMs - b.atMs);
  ev.push(...late);

  const slos: SloSpec[] = opts.slos ?? [
    {
      name: 'web back to full strength',
      type: 'recovery-time',
      workload: 'Deployment/web',
      after: 'zone-a-power',
      maxMs: 7 * 60_000,
    },
    { name: 'zone-a detected fast', type: 'detection-time', after: 'zone-a-power', maxMs: 30_000 },
    { name: 'web keeps 3 pods', type: 'min-available', workload: 'Deployment/web', min: { value: 3, percent: false } },
    {
      name: 'controller-manager fails over',
      type: 'leaderless-time',
      component: 'kube-controller-manager',
      maxMs: 30_000,
    },
    { name: 'no split brain', type: 'max-concurrent-leaders', component: 'kube-controller-manager', max: 1 },
    { name: 'no stuck pods', type: 'stuck-terminating', workload: 'Deployment/web', max: 0 },
  ];
  const results = judgeSlos(slos, ev, durationMs);
  const summary: RunSummary = {
    scenario: 'zone-a-outage',
    description: opts.description ?? 'Zone A loses power for 10 minutes during peak.',
    seed: 42,
    durationMs,
    kubernetesVersion: '1.31',
    passed: results.every((r) => r.passed),
    slos: results,
    faults: summarizeFaults(ev),
    workloads: summarizeWorkloads(ev, durationMs),
    stats: { events: ev.length, wallMs: 412 },
    reproduce: 'hasim run scenarios/zone-a-outage.yaml --seed 42',
  };
  return { events: ev, summary, slos };
}

// Random valid-looking scenarios for the fuzzer: a small cluster (so a case runs in well under a
// second), workloads of every kind, faults of every type with targets drawn from the names that exist,
// and SLOs of every type. They are the starting point of mutation, like the files in scenarios/.
import { stringify } from 'yaml';
import { FAULT_TYPES } from '../../src/scenario/types.js';
import type { Rng } from './mutate.js';

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

function generateFaults(
  rng: Rng,
  durationMin: number,
  zones: string[],
  nodeNames: string[],
  workload: string,
): Record<string, unknown>[] {
  return Array.from({ length: int(rng, 0, 3) }, (_, i) => {
    const type = pick(rng, FAULT_TYPES);
    const at = `${int(rng, 10, durationMin * 60 - 70)}s`;
    const fault: Record<string, unknown> = { name: `f${i}`, type, at };
    if (rng() < 0.5) fault.duration = `${int(rng, 1, 60)}s`;
    switch (type) {
      case 'zone-outage':
        fault.target = { zone: pick(rng, zones) };
        break;
      case 'apiserver-outage':
      case 'etcd-member-down':
        break;
      case 'apiserver-slow':
      case 'etcd-slow':
        fault.latency = pick(rng, ['500ms', '2s..12s', '30s']);
        break;
      case 'controller-manager-crash':
      case 'scheduler-crash':
        fault.target = { instance: 'leader' };
        break;
      case 'pod-force-delete':
        fault.target = { workload };
        break;
      default:
        fault.target = pick(rng, [
          { node: pick(rng, nodeNames) },
          { zone: pick(rng, zones) },
          { random: 1 },
          { labels: {} },
          { instance: 'leader' },
        ]);
        if (
          !['network-partition', 'network-degrade', 'clock-skew'].includes(type) &&
          'instance' in (fault.target as object)
        )
          fault.target = { node: pick(rng, nodeNames) };
    }
    if (type === 'network-degrade') fault.loss = pick(rng, [0.1, 0.5, 1]);
    if (type === 'clock-skew') fault.rate = pick(rng, [0.5, 1.5, 3]);
    if (type === 'node-pool-upgrade' || type === 'vm-delete') delete fault.duration;
    return fault;
  });
}

export function generateScenario(rng: Rng, index: number): string {
  const zones = ['zone-a', 'zone-b', 'zone-c'].slice(0, int(rng, 1, 3));
  const groups = zones.map((zone, i) => ({ name: `worker-${'abc'[i]}`, count: int(rng, 1, 3), zone }));
  const nodeNames = groups.flatMap((g) =>
    g.count === 1 ? [g.name] : Array.from({ length: g.count }, (_, j) => `${g.name}-${j}`),
  );
  const workloads = [
    { kind: 'Deployment', name: 'web', replicas: int(rng, 0, 6), spreadAcrossZones: rng() < 0.5 },
    ...(rng() < 0.5 ? [{ kind: 'StatefulSet', name: 'db', replicas: int(rng, 1, 3) }] : []),
    ...(rng() < 0.3 ? [{ kind: 'DaemonSet', name: 'agent' }] : []),
  ];
  const durationMin = int(rng, 2, 8);
  const replicas = { cm: int(rng, 1, 3), sched: int(rng, 1, 2), api: int(rng, 1, 3), etcd: pick(rng, [1, 3]) };
  const faults = generateFaults(rng, durationMin, zones, nodeNames, `${workloads[0].kind}/${workloads[0].name}`);
  const slos = [
    { name: 'leaders', type: 'max-concurrent-leaders', component: 'kube-controller-manager', max: 1 },
    { name: 'web available', type: 'min-available', workload: 'Deployment/web', min: '50%' },
    ...(faults.length > 0
      ? [
          { name: 'web back', type: 'recovery-time', workload: 'Deployment/web', after: 'f0', max: '5m' },
          { name: 'detected', type: 'detection-time', after: 'f0', max: '1m' },
        ]
      : []),
    { name: 'no stuck pods', type: 'stuck-terminating', workload: 'Deployment/web', max: 0 },
  ];
  return stringify({
    apiVersion: 'hasim.dev/v1',
    kind: 'Scenario',
    metadata: { name: `generated-${index}` },
    spec: {
      seed: int(rng, 0, 1000),
      duration: `${durationMin}m`,
      kubernetes: {
        version: pick(rng, ['1.31', '1.32', '1.26']),
        controllerManager: { replicas: replicas.cm },
        scheduler: { replicas: replicas.sched },
        apiServer: { replicas: replicas.api },
        etcd: { members: replicas.etcd },
      },
      nodes: groups,
      workloads,
      faults,
      slos,
    },
  });
}

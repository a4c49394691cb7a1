// Topology spread through a zone outage, end to end: scenarios/zone-outage-topology-spread.yaml (three
// zones, zone-c powered off from 2m to 12m) with its Deployment's pod template given a
// `scheduling` directly, as the manifest reader produces it, and run in-process. The pods tolerate
// the unreachable taint for 30 s (not the default 300 s) so the evictions come about 70 s into the
// outage. Checked against docs/fidelity.md#filters-and-scores: a ScheduleAnyway constraint only scores,
// so the replacements land in zone-a and zone-b at once; DoNotSchedule with maxSkew 1 keeps them
// Pending until zone-c returns (the down zone is still a domain with 0 pods); maxSkew 3 lets 2/2/0
// grow to 3/3/0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopologySpreadConstraint } from '../../src/k8s/scheduling.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';

const FILE = 'zone-outage-topology-spread.yaml';
const OUTAGE_START_MS = 120_000;
const OUTAGE_END_MS = 720_000;

function scenario(
  constraint: Omit<TopologySpreadConstraint, 'topologyKey' | 'labelSelector' | 'matchLabelKeys'>,
): Scenario {
  const path = join(process.cwd(), 'scenarios', FILE);
  const parsed = parseScenarioText(readFileSync(path, 'utf8'), { file: path });
  if (!parsed.ok) throw new Error(`${FILE} does not validate`);
  const s = parsed.scenario;
  const w = s.spec.workloads[0];
  const labels = { app: 'catalog' };
  s.spec.workloads = [
    {
      ...w,
      replicas: 6,
      spreadAcrossZones: false,
      tolerations: ['unreachable', 'not-ready'].map((k) => ({
        key: `node.kubernetes.io/${k}`,
        operator: 'Exists' as const,
        effect: 'NoExecute' as const,
        tolerationSeconds: 30,
      })),
      scheduling: {
        labels,
        topologySpreadConstraints: [
          {
            ...constraint,
            topologyKey: 'topology.kubernetes.io/zone',
            labelSelector: { matchLabels: labels, matchExpressions: [] },
            matchLabelKeys: [],
          },
        ],
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      },
    },
  ];
  s.spec.slos = [
    { name: 'recovered', type: 'recovery-time', workload: 'Deployment/catalog', after: 'zone-c-power', maxMs: 900_000 },
  ];
  return s;
}

function recovery(s: Scenario): { recoveredMs: number; zonesOfReplacements: string[]; initialZones: string[] } {
  const { summary, events } = runScenario(s);
  const slo = summary.slos[0];
  if (slo.measuredMs === undefined || slo.measuredMs === null) throw new Error(`never recovered: ${slo.message}`);
  const zones = (after: boolean) =>
    events
      .filter((e) => e.type === 'pod.scheduled' && e.atMs > OUTAGE_START_MS === after)
      .map((e) => (e as { node: string }).node.slice(0, 'worker-a'.length));
  return { recoveredMs: slo.measuredMs, zonesOfReplacements: zones(true), initialZones: zones(false) };
}

describe('topology spread through a zone outage (6 replicas over three zones)', () => {
  it('ScheduleAnyway: the replacements land in the zones still up and the Deployment recovers in about 2 minutes', () => {
    const r = recovery(scenario({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' }));
    // Detection ~40 s, 30 s toleration, then the replacements start at once.
    expect(r.recoveredMs).toBeGreaterThan(60_000);
    expect(r.recoveredMs).toBeLessThan(150_000);
    expect(r.zonesOfReplacements).toHaveLength(2);
    expect(r.zonesOfReplacements).not.toContain('worker-c');
  });

  it('DoNotSchedule, maxSkew 1: the replacements stay Pending until zone-c returns', () => {
    const r = recovery(scenario({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }));
    expect(r.recoveredMs).toBeGreaterThan(OUTAGE_END_MS - OUTAGE_START_MS);
    expect(r.zonesOfReplacements).toEqual(['worker-c', 'worker-c']);
  });

  it('DoNotSchedule, maxSkew 3: zone-a and zone-b may hold up to 3 while zone-c has 0, so the replacements schedule during the outage', () => {
    const r = recovery(scenario({ maxSkew: 3, whenUnsatisfiable: 'DoNotSchedule' }));
    expect(r.recoveredMs).toBeLessThan(150_000);
    const count = (zones: string[], z: string) => zones.filter((x) => x === z).length;
    const lost = count(r.initialZones, 'worker-c');
    expect(lost).toBeGreaterThan(0);
    expect(r.zonesOfReplacements).toHaveLength(lost);
    // During the outage zone-c counts 0 matching pods (its pods are Terminating), so each other zone may hold 3.
    for (const z of ['worker-a', 'worker-b']) {
      expect(count(r.initialZones, z) + count(r.zonesOfReplacements, z)).toBeLessThanOrEqual(3);
    }
  });
});

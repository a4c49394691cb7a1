// Required pod anti-affinity end to end: a 5-replica StatefulSet whose pods must not share a node
// (kubernetes.io/hostname), on the three zone-a nodes of scenarios/zone-outage-topology-spread.yaml with no
// fault, its pod template's `scheduling` set directly, as the manifest reader produces it. Checked against
// docs/fidelity.md#filters-and-scores: three pods land on three different nodes and the next stays Pending
// with upstream's reason. With podManagementPolicy OrderedReady (the default, and hasim's) db-4 is never
// created while db-3 is Pending; a 5-replica Deployment with the same rule leaves 2 Pending.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { TraceEvent } from '../../src/trace/events.js';

const FILE = 'zone-outage-topology-spread.yaml';

function scenario(kind: 'StatefulSet' | 'Deployment'): Scenario {
  const path = join(process.cwd(), 'scenarios', FILE);
  const parsed = parseScenarioText(readFileSync(path, 'utf8'), { file: path });
  if (!parsed.ok) throw new Error(`${FILE} does not validate`);
  const s = parsed.scenario;
  s.spec.durationMs = 300_000;
  s.spec.nodes = s.spec.nodes.filter((n) => n.zone === 'zone-a');
  s.spec.faults = [];
  s.spec.slos = [];
  const labels = { app: 'db' };
  s.spec.workloads = [
    {
      ...s.spec.workloads[0],
      kind,
      name: 'db',
      id: `${kind}/db`,
      replicas: 5,
      spreadAcrossZones: false,
      scheduling: {
        labels,
        affinity: {
          podAntiAffinity: {
            required: [
              {
                labelSelector: { matchLabels: labels, matchExpressions: [] },
                namespaces: [],
                topologyKey: 'kubernetes.io/hostname',
                matchLabelKeys: [],
                mismatchLabelKeys: [],
              },
            ],
            preferred: [],
          },
        },
        topologySpreadConstraints: [],
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      },
    },
  ];
  return s;
}

function run(kind: 'StatefulSet' | 'Deployment') {
  const { events } = runScenario(scenario(kind));
  const scheduled = events.filter(
    (e): e is Extract<TraceEvent, { type: 'pod.scheduled' }> => e.type === 'pod.scheduled',
  );
  const unschedulable = events.filter(
    (e): e is Extract<TraceEvent, { type: 'pod.unschedulable' }> => e.type === 'pod.unschedulable',
  );
  return {
    scheduled,
    pending: [...new Set(unschedulable.map((e) => e.pod))],
    reasons: unschedulable.map((e) => e.reason),
  };
}

const REASON = "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.";

describe('required pod anti-affinity on kubernetes.io/hostname, 5 replicas on 3 nodes', () => {
  it('StatefulSet: 3 pods on 3 different nodes, db-3 Pending, db-4 not created (OrderedReady)', () => {
    const r = run('StatefulSet');
    expect(r.scheduled.map((e) => e.pod).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    expect(new Set(r.scheduled.map((e) => e.node)).size).toBe(3);
    expect(r.pending).toEqual(['db-3']);
    expect(r.reasons).toEqual([REASON]);
  });

  it('Deployment: 3 pods on 3 different nodes, 2 Pending', () => {
    const r = run('Deployment');
    expect(r.scheduled).toHaveLength(3);
    expect(new Set(r.scheduled.map((e) => e.node)).size).toBe(3);
    expect(r.pending).toHaveLength(2);
    expect(new Set(r.reasons)).toEqual(new Set([REASON]));
  });
});

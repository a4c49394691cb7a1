// The autoscalerReusedScans fast path (model/autoscaler/static-autoscaler.ts ScanReuse): a loop whose
// Nodes and Pods did not change since the last one reuses its unschedulable pods, estimates and unneeded
// nodes instead of building snapshots. It must give the trace the reference gives, byte for byte, through
// everything that moves those inputs: scale-ups whose nodes boot, pods that bind, terminate and finish,
// a zone outage that leaves pods Pending for minutes (most loops reuse), scale-down candidates that come
// and go, backoffs that end, and a node's status heartbeats (which must not count as a change).
import { toJsonl } from '../../../src/engine/index.js';
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText, type Scenario } from '../../../src/scenario/index.js';
import { scaleScenario } from '../../../bench/scale-scenario.js';

function scenario(body: string): Scenario {
  const parsed = parseScenarioText(
    `apiVersion: hasim.dev/v1\nkind: Scenario\nmetadata: { name: reused-scans }\nspec:\n${body}`,
    { file: 'reused-scans.yaml' },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

const WITHOUT = { ...ALL_FAST_PATHS, autoscalerReusedScans: false };

function expectSameTraces(s: Scenario, seeds: number[]): void {
  for (const seed of seeds) {
    const fast = toJsonl(runScenario(s, { seed }).events);
    expect(toJsonl(runScenario(s, { seed, fastPaths: WITHOUT }).events)).toBe(fast);
    expect(toJsonl(runScenario(s, { seed, fastPaths: REFERENCE_BEHAVIOUR }).events)).toBe(fast);
  }
}

describe('cluster autoscaler loops that reuse their last answer', () => {
  it('a zone outage with pods Pending for minutes, scale-ups into the dead zone and their backoff: same trace', () => {
    const s = scenario(`  duration: 40m
  controlPlane: { zones: [zone-b] }
  nodes:
    - { name: a, count: 2, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
    - { name: b, count: 2, zone: zone-b, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    expander: random
    maxNodeProvisionTime: 5m
    scaleDownUnneededTime: 3m
    nodeGroups:
      - { name: a, nodes: a, minSize: 2, maxSize: 4 }
      - { name: b, nodes: b, minSize: 2, maxSize: 4 }
  workloads:
    - { kind: Deployment, name: web, replicas: 8, requests: { cpu: 1500m, memory: 1Gi }, spreadAcrossZones: true }
    - { kind: Deployment, name: batch, replicas: 3, requests: { cpu: 500m, memory: 512Mi } }
  faults:
    - { name: a-down, type: zone-outage, at: 2m, duration: 20m, target: { zone: zone-a } }
`);
    const { events } = runScenario(s, { seed: 1 });
    const types = new Set(events.map((e) => e.type));
    expect(types.has('nodegroup.scaled.up')).toBe(true);
    expect(types.has('nodegroup.scaleup.failed')).toBe(true);
    expectSameTraces(s, [1, 2, 3, 4]);
  });

  it('pods that fit, then pods that do not, with no Node change between (the scheduler is down): same trace', () => {
    // web's evicted pod is Pending but fits (no scale-up); two minutes later batch's does not: a loop that
    // reused the earlier answer would miss the scale-up.
    const s = scenario(`  duration: 12m
  kubernetes: { scheduler: { replicas: 1 } }
  nodes:
    - { name: pool, count: 4, zone: zone-a, capacity: { cpu: "8", memory: 32Gi, pods: 110 } }
  autoscaler:
    nodeGroups: [{ name: pool, nodes: pool, minSize: 4, maxSize: 8 }]
  workloads:
    - kind: Deployment
      name: web
      replicas: 4
      requests: { cpu: 500m, memory: 512Mi }
      tolerations: [{ key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 0 }]
    - kind: Deployment
      name: batch
      replicas: 4
      requests: { cpu: "5", memory: 4Gi }
      tolerations: [{ key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 120 }]
  faults:
    - { name: sched-down, type: scheduler-crash, at: 30s, duration: 8m }
    - { name: crash, type: node-crash, at: 1m, target: { node: pool-0 } }
`);
    const up = runScenario(s, { seed: 1 }).events.filter((e) => e.type === 'nodegroup.scaled.up');
    expect(up).toHaveLength(1);
    expectSameTraces(s, [1, 2, 3]);
  });

  it('the scale benchmark cluster (150 nodes, an outage, scale-ups and scale-downs): same trace', () => {
    const s = scaleScenario(150, 4500, 30, 'zones', false, false, false, true);
    const trace = toJsonl(runScenario(s, { seed: 1 }).events);
    expect(trace).toContain('"type":"nodegroup.scaled.up"');
    expect(trace).toContain('"type":"nodegroup.scaled.down"');
    expectSameTraces(s, [1]);
  });
});

// kube-scheduler's API client (src/model/scheduler/scheduler.ts, docs/fidelity.md#client-rate-limits):
// clientConnection qps 50 / burst 100 (pkg/scheduler/apis/config/v1/defaults.go,
// SetDefaults_KubeSchedulerConfiguration). 500 Pending replacements that become schedulable at once (every
// node cordoned by a drain, then uncordoned) are bound 100 at once and then one every 20 ms, about 8 s in
// all; with a large QPS they are all bound within a moment. The run's initial pods (they stand for pods
// bound before t = 0) take no token.
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const SCENARIO = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: scheduler-client }
spec:
  seed: 1
  duration: 4m
  nodes:
    - { name: worker, count: 8, zone: zone-a, labels: { pool: a }, capacity: { cpu: "64", memory: 256Gi, pods: 110 } }
  workloads:
    - kind: Deployment
      name: web
      replicas: 500
      requests: { cpu: 10m, memory: 16Mi }
      startup: { imagePull: 1s, ready: 1s }
  faults:
    - { name: drain, type: node-drain, at: 30s, target: { labels: { pool: a } }, disableEviction: true }
    - { name: uncordon, type: node-uncordon, at: 2m, target: { labels: { pool: a } } }
`;

function binds(sets: string[] = []) {
  const parsed = parseScenarioText(SCENARIO, { file: 'scheduler-client.yaml', sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  const scheduled = runScenario(parsed.scenario, {})
    .events.filter((e) => e.type === 'pod.scheduled')
    .map((e) => e.atMs);
  const initial = scheduled.filter((t) => t < 30_000);
  const later = scheduled.filter((t) => t >= 120_000);
  const span = (xs: number[]) => xs[xs.length - 1] - xs[0];
  return { initial, later, initialSpanMs: span(initial), laterSpanMs: span(later) };
}

describe("the scheduler's client (qps 50, burst 100)", () => {
  const r = binds();

  it("binds the run's 500 initial pods without waiting for tokens", () => {
    expect(r.initial).toHaveLength(500);
    expect(r.initialSpanMs).toBeLessThan(2_000);
  });

  it('binds 500 replacements released at once: the burst, then one every 20 ms', () => {
    expect(r.later).toHaveLength(500);
    // 400 binds after the burst's 100, at 50 a second.
    expect(r.laterSpanMs).toBeGreaterThanOrEqual(((500 - 100) / 50) * 1000 - 100);
    expect(r.laterSpanMs).toBeLessThan(((500 - 100) / 50) * 1000 + 1_000);
    // The burst's 100 go out as fast as the scheduling cycles run; the next 100 take 2 s more.
    expect(r.later[99] - r.later[0]).toBeLessThan(300);
    expect(r.later[199] - r.later[0]).toBeGreaterThanOrEqual(1_900);
  });

  it('at 10,000 QPS the same binds are done within a few seconds', () => {
    const fast = binds(['spec.kubernetes.scheduler.kubeAPIQPS=10000', 'spec.kubernetes.scheduler.kubeAPIBurst=10000']);
    expect(fast.later).toHaveLength(500);
    expect(fast.laterSpanMs).toBeLessThan(3_000);
  });
});

// Every controller of the controller-manager has its own client and token bucket
// (src/model/controllermanager/client.ts, docs/fidelity.md#client-rate-limits): the taint eviction
// controller's deletes and the ReplicaSet controller's replacements of one crashed node's 60 pods go out
// 30 calls at once (the burst) and then one every 50 ms (20 QPS); at 1,000 QPS they all go out together. The
// pods the run starts with are created without waiting (they stand for pods that existed before t = 0).
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const SCENARIO = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: crowded-node-crash }
spec:
  seed: 3
  duration: 8m
  kubernetes: { version: "1.31" }
  nodes:
    - { name: worker, count: 4, zone: zone-a, capacity: { cpu: "64", memory: 256Gi, pods: 110 } }
  workloads:
    - kind: Deployment
      name: web
      replicas: 240
      requests: { cpu: 10m, memory: 16Mi }
      startup: { imagePull: 1s, ready: 1s }
  faults:
    - { name: crash, type: node-crash, at: 30s, target: { node: worker-0 } }
`;

function run(sets: string[] = []) {
  const parsed = parseScenarioText(SCENARIO, { file: 'crowded-node-crash.yaml', sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  const { events } = runScenario(parsed.scenario, {});
  const evictions = events.filter((e) => e.type === 'pod.deleted' && e.reason === 'taint-eviction');
  const created = events.filter((e) => e.type === 'pod.created');
  const initial = created.filter((e) => e.atMs < 30_000);
  const replacements = created.filter((e) => e.atMs >= 30_000);
  const span = (xs: typeof events) => (xs.length === 0 ? 0 : xs[xs.length - 1].atMs - xs[0].atMs);
  return {
    evictions,
    initial,
    replacements,
    evictionSpanMs: span(evictions),
    replacementSpanMs: span(replacements),
    initialSpanMs: span(initial),
  };
}

describe('controller clients (client-go token bucket per controller, --kube-api-qps 20 / --kube-api-burst 30)', () => {
  const r = run();

  it('creates the 240 pods the run starts with without waiting for tokens', () => {
    expect(r.initial).toHaveLength(240);
    // Slow-start batches and expectations only: well under the 10.5 s that 210 queued creates would take.
    expect(r.initialSpanMs).toBeLessThan(2_000);
  });

  it('taint eviction: once the burst is spent, the crashed node’s pods are deleted one every 50 ms', () => {
    const n = r.evictions.length;
    expect(n).toBeGreaterThanOrEqual(55);
    // Each eviction is a DisruptionTarget patch, then a delete: the patches of all the pods take the 30
    // tokens of the burst and queue the rest, so the deletes come after them, 1/20 s apart.
    expect(r.evictionSpanMs).toBe((n - 1) * 50);
  });

  it('the ReplicaSet controller’s replacements wait for its own bucket', () => {
    const n = r.replacements.length;
    expect(n).toBe(r.evictions.length);
    // Its own 30-token burst, then 20 a second; the evictions that trigger them come at 10 a second, so the
    // creates follow the deletes rather than their own bucket: at least the eviction span, less the burst.
    expect(r.replacementSpanMs).toBeGreaterThanOrEqual(r.evictionSpanMs - 3_000);
  });

  it('at 1,000 QPS the same deletes go out within a second', () => {
    const fast = run([
      'spec.kubernetes.controllerManager.kubeAPIQPS=1000',
      'spec.kubernetes.controllerManager.kubeAPIBurst=1000',
    ]);
    expect(fast.evictions.length).toBe(r.evictions.length);
    expect(fast.evictionSpanMs).toBeLessThan(1_000);
  });
});

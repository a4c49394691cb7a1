// DaemonSet pods on a node that joins during the run (docs/fidelity.md#daemonset). Upstream's DaemonSet
// controller (pkg/controller/daemon/daemon_controller.go, `predicates` in NodeShouldRunDaemonPod) creates a
// daemon pod for a node only when the pod tolerates every NoSchedule and NoExecute taint of the node, and
// the pod's own tolerations are extended with the DaemonSet ones (not-ready/unreachable NoExecute,
// unschedulable and the pressure taints NoSchedule), not with not-ready:NoSchedule. A new Node is admitted
// with not-ready:NoSchedule (TaintNodesByCondition), so an ordinary daemon pod waits for the node lifecycle
// controller to remove it once the node is Ready, while one with a blanket `operator: Exists` toleration
// (the CNI plugins' pattern) lands at once. Cases named after daemon_controller_test.go.
import { parseScenarioText } from '../../../src/scenario/index.js';
import { runScenario } from '../../../src/runner/run-scenario.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function run(seed: number): Ev[] {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: daemonset-new-node }
spec:
  seed: ${seed}
  duration: 6m
  kubernetes:
    kubelet: { bootTime: 20s, networkReadyTime: 10s }
  nodes:
    - { name: pool, count: 2, zone: zone-a, labels: { pool: a } }
  workloads:
    - kind: Deployment
      name: web
      replicas: 2
      startup: { imagePull: 1s, ready: 1s }
    - kind: DaemonSet
      name: logs
      startup: { imagePull: 1s, ready: 1s }
    - kind: DaemonSet
      name: cni
      startup: { imagePull: 1s, ready: 1s }
      tolerations: [{ operator: Exists }]
  faults:
    - { name: upgrade, type: node-pool-upgrade, at: 1m, target: { labels: { pool: a } }, maxSurge: 1, maxUnavailable: 0 }
`;
  const parsed = parseScenarioText(text, { file: 'daemonset-new-node.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return runScenario(parsed.scenario).events as unknown as Ev[];
}

const NOT_READY = 'node.kubernetes.io/not-ready';

describe('daemon pods on a node created during the run', () => {
  for (const seed of [1, 2, 3]) {
    const ev = run(seed);
    const newNodes = [...new Set(ev.filter((e) => e.type === 'node.provisioned').map((e) => e.node as string))];
    const scheduledAt = (prefix: string, node: string) =>
      ev.find((e) => e.type === 'pod.scheduled' && e.node === node && (e.pod as string).startsWith(prefix))?.atMs;
    const untaintedAt = (node: string) =>
      ev.find(
        (e) => e.type === 'node.taint.removed' && e.node === node && e.key === NOT_READY && e.effect === 'NoSchedule',
      )?.atMs;

    test(`TestTaintedNodeDaemonDoesNotLaunchIntolerantPods: seed ${seed}`, () => {
      expect(newNodes.length).toBeGreaterThan(0);
      for (const node of newNodes) {
        const untainted = untaintedAt(node);
        const logs = scheduledAt('logs-', node);
        expect(untainted).toBeDefined();
        expect(logs).toBeDefined();
        expect(logs!).toBeGreaterThanOrEqual(untainted!);
      }
    });

    test(`TestTaintedNodeDaemonLaunchesToleratePod: seed ${seed}`, () => {
      for (const node of newNodes) {
        const cni = scheduledAt('cni-', node);
        expect(cni).toBeDefined();
        expect(cni!).toBeLessThan(untaintedAt(node)!);
      }
    });
  }
});

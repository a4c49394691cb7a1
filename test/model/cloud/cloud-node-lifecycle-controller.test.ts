// The cloud node lifecycle controller (src/model/cloud), with the cases of k8s.io/cloud-provider
// controllers/nodelifecycle/node_lifecycle_controller_test.go (Test_NodesDeleted, Test_NodesShutdown) run
// against monitorNodeAction, then the whole chain in a run: vm-delete → Node deleted → PodGC frees a
// StatefulSet pod; node-crash → shutdown taint, removed when the node is Ready again.
import {
  monitorNodeAction,
  SHUTDOWN_TAINT,
  type CloudAnswer,
} from '../../../src/model/cloud/cloud-node-lifecycle-controller.js';
import type { Node } from '../../../src/k8s/objects.js';
import { parseScenarioText, type Scenario } from '../../../src/scenario/index.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { cond, node } from '../node-chain/fixtures.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

const withReady = (status: 'True' | 'False' | 'Unknown' | undefined, tainted = false): Node => {
  const n = node('node0', { conditions: status === undefined ? [] : [cond('Ready', status, 0)] });
  return tainted ? { ...n, spec: { ...n.spec, taints: [SHUTDOWN_TAINT] } } : n;
};
const gone: CloudAnswer = { exists: false, shutdown: false };
const running: CloudAnswer = { exists: true, shutdown: false };
const stopped: CloudAnswer = { exists: true, shutdown: true };

describe('Test_NodesDeleted', () => {
  it('node is not ready and does not exist: deleted', () => {
    expect(monitorNodeAction(withReady('False'), () => gone)).toBe('delete-node');
  });
  it('node is not ready and provider returns err: kept', () => {
    expect(monitorNodeAction(withReady('False'), () => ({ error: 'exists' }))).toBe('none');
  });
  it('node is not ready but still exists: kept', () => {
    expect(monitorNodeAction(withReady('False'), () => running)).toBe('none');
  });
  it("node ready condition is unknown, node doesn't exist: deleted", () => {
    expect(monitorNodeAction(withReady('Unknown'), () => gone)).toBe('delete-node');
  });
  it('node ready condition is unknown, node exists: kept', () => {
    expect(monitorNodeAction(withReady('Unknown'), () => running)).toBe('none');
  });
  it('node is ready, but provider said it is deleted: kept, and the cloud is not even asked', () => {
    let asked = false;
    const action = monitorNodeAction(withReady('True'), () => {
      asked = true;
      return gone;
    });
    expect(action).toBe('none');
    expect(asked).toBe(false);
  });
  it('a Node without a Ready condition counts as Unknown: deleted when its instance is gone', () => {
    expect(monitorNodeAction(withReady(undefined), () => gone)).toBe('delete-node');
  });
});

describe('Test_NodesShutdown', () => {
  it('node is not ready and was shutdown, but exists: tainted', () => {
    expect(monitorNodeAction(withReady('False'), () => stopped)).toBe('add-shutdown-taint');
  });
  it('node is not ready, but there is error checking if node is shutdown: not tainted', () => {
    expect(monitorNodeAction(withReady('False'), () => ({ error: 'shutdown' }))).toBe('none');
  });
  it('node is not ready and is not shutdown: not tainted', () => {
    expect(monitorNodeAction(withReady('Unknown'), () => running)).toBe('none');
  });
  it("node is ready but provider says it's shutdown: not tainted", () => {
    expect(monitorNodeAction(withReady('True'), () => stopped)).toBe('none');
  });
  it('node is shutdown but provider says it does not exist: deleted', () => {
    expect(monitorNodeAction(withReady('Unknown', true), () => gone)).toBe('delete-node');
  });
  it('a tainted node that is Ready again loses the taint', () => {
    expect(monitorNodeAction(withReady('True', true), () => running)).toBe('remove-shutdown-taint');
  });
  it('a tainted node still shut down is not written again (AddOrUpdateTaintOnNode finds the taint)', () => {
    expect(monitorNodeAction(withReady('Unknown', true), () => stopped)).toBe('none');
  });
});

function scenario(fault: string, extra = ''): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: cloud-test }
spec:
  seed: 3
  duration: 12m
  kubernetes:
    controllerManager: { replicas: 2 }
${extra}
  nodes:
    - { name: worker, count: 3, zone: zone-a }
  workloads:
    - { kind: StatefulSet, name: db, replicas: 3, startup: { imagePull: 1s, ready: 1s } }
  faults:
    - ${fault}
`;
  const parsed = parseScenarioText(text, { file: 'cloud-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}
const run = (s: Scenario) => runScenario(s).events as unknown as Ev[];
const podOn = (ev: Ev[], nodeName: string) =>
  ev.find((e) => e.type === 'pod.scheduled' && e.node === nodeName && e.atMs < 120_000)!.pod as string;

describe('cloud-controller-manager in a run', () => {
  it('deletes the Node of a deleted VM after it goes Unknown; PodGC then frees its StatefulSet pod', () => {
    const ev = run(scenario('{ name: gone, type: vm-delete, at: 2m, target: { node: worker-1 } }'));
    const victim = podOn(ev, 'worker-1');
    const unknown = ev.find((e) => e.type === 'node.ready.changed' && e.node === 'worker-1' && e.to === 'Unknown')!;
    const deleted = ev.find((e) => e.type === 'node.deleted' && e.node === 'worker-1')!;
    expect(deleted.by).toBe('cloud-node-lifecycle-controller');
    // The next MonitorNodes pass (every 5 s) after the Node went Unknown, plus the DELETE's round trip.
    expect(deleted.atMs).toBeGreaterThan(unknown.atMs);
    expect(deleted.atMs - unknown.atMs).toBeLessThan(5_000 + 1_000);
    const gc = ev.find((e) => e.type === 'pod.deleted' && e.pod === victim)!;
    expect(gc.reason).toBe('pod-gc');
    // PodGC's quarantine (40 s) and its 20 s period.
    expect(gc.atMs - deleted.atMs).toBeGreaterThanOrEqual(40_000);
    expect(gc.atMs - deleted.atMs).toBeLessThanOrEqual(40_000 + 2 * 20_000);
    expect(ev.some((e) => e.type === 'pod.scheduled' && e.pod === victim && e.atMs > gc.atMs)).toBe(true);
    expect(ev.some((e) => e.type === 'node.taint.added' && e.key === SHUTDOWN_TAINT.key)).toBe(false);
  });

  it('taints a powered-off node shut down, keeps its Node, and untaints it once it is Ready again', () => {
    const ev = run(scenario('{ name: off, type: node-crash, at: 2m, duration: 3m, target: { node: worker-1 } }'));
    const added = ev.find((e) => e.type === 'node.taint.added' && e.key === SHUTDOWN_TAINT.key)!;
    expect(added).toEqual(expect.objectContaining({ node: 'worker-1', effect: 'NoSchedule' }));
    expect(ev.some((e) => e.type === 'node.deleted')).toBe(false);
    const ready = ev.find(
      (e) => e.type === 'node.ready.changed' && e.node === 'worker-1' && e.to === 'True' && e.atMs > 300_000,
    )!;
    const removed = ev.find((e) => e.type === 'node.taint.removed' && e.key === SHUTDOWN_TAINT.key)!;
    expect(removed.atMs).toBeGreaterThan(ready.atMs);
    expect(removed.atMs - ready.atMs).toBeLessThan(5_000 + 1_000);
  });

  it('does nothing without a cloud-controller-manager (kubeadm default): the Node of a deleted VM stays', () => {
    const ev = run(
      scenario(
        '{ name: gone, type: vm-delete, at: 2m, target: { node: worker-1 } }',
        '  controlPlane: { topology: kubeadm }',
      ),
    );
    expect(ev.some((e) => e.type === 'node.deleted')).toBe(false);
    expect(ev.some((e) => e.type === 'component.started' && e.component === 'cloud-controller-manager')).toBe(false);
  });

  it('works through the API server: while every API server is down, the deleted VM keeps its Node', () => {
    const ev = run(
      scenario(
        '{ name: gone, type: vm-delete, at: 2m, target: { node: worker-1 } }\n    - { name: cp, type: apiserver-outage, at: 1m50s, duration: 5m }',
      ),
    );
    const deleted = ev.find((e) => e.type === 'node.deleted')!;
    // Nothing can reach the API server until 6m50s.
    expect(deleted.atMs).toBeGreaterThan(410_000);
  });
});

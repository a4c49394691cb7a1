// Graceful node shutdown (Kubelet.gracefulShutdown, the node-shutdown fault) against a power-off, after
// pkg/kubelet/nodeshutdown (nodeshutdown_manager_linux.go processShutdownEvent / killPods and the cases
// of nodeshutdown_manager_linux_test.go TestManager: ordinary pods get shutdownGracePeriod -
// shutdownGracePeriodCriticalPods, critical pods are killed after them).
import { parseScenarioText, type Scenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function scenario(kubelet: string, critical = false, replicas = 2): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: shutdown-test }
spec:
  duration: 10m
  kubernetes:
    kubelet: ${kubelet}
  nodes:
    - { name: worker, count: 2, zone: zone-a }
  workloads:
    - { kind: Deployment, name: web, replicas: ${replicas}, startup: { imagePull: 1s, ready: 1s } }
    - { kind: Deployment, name: dns, replicas: ${replicas}, startup: { imagePull: 1s, ready: 1s } }
  faults:
    - { name: shutdown, type: node-shutdown, at: 2m, target: { node: worker-0 } }
`;
  const parsed = parseScenarioText(text, { file: 'shutdown-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  if (critical)
    parsed.scenario.spec.workloads[1].scheduling = {
      labels: { app: 'dns' },
      topologySpreadConstraints: [],
      priorityClassName: 'system-cluster-critical',
      priority: 2_000_000_000,
      preemptionPolicy: 'PreemptLowerPriority',
    };
  return parsed.scenario;
}

const run = (s: Scenario) => runScenario(s).events as unknown as Ev[];
const on = (ev: Ev[], node: string) => {
  const where = new Map<string, string>();
  for (const e of ev) if (e.type === 'pod.scheduled' && e.atMs < 120_000) where.set(e.pod as string, e.node as string);
  return [...where].filter(([, n]) => n === node).map(([p]) => p);
};

describe('node-shutdown', () => {
  it('with shutdownGracePeriod: NotReady at once, pods Failed (Terminated, NodeShutdown message), then power-off', () => {
    const ev = run(scenario('{ shutdownGracePeriod: 30s, shutdownGracePeriodCriticalPods: 10s }'));
    const victims = on(ev, 'worker-0');
    expect(victims.length).toBeGreaterThan(0);
    expect(ev.find((e) => e.type === 'node.shutdown.started')).toEqual(
      expect.objectContaining({ node: 'worker-0', shutdownGracePeriodMs: 30_000 }),
    );
    const notReady = ev.find((e) => e.type === 'node.ready.changed' && e.node === 'worker-0' && e.to === 'False')!;
    expect(notReady.by).toBe('kubelet');
    expect(notReady.atMs - 120_000).toBeLessThan(100);
    const failed = ev.filter((e) => e.type === 'pod.failed');
    expect(failed.map((e) => e.pod).sort()).toEqual([...victims].sort());
    for (const f of failed)
      expect(f).toEqual(
        expect.objectContaining({
          reason: 'Terminated',
          message: 'Pod was terminated in response to imminent node shutdown.',
        }),
      );
    const off = ev.find((e) => e.type === 'host.powered.off')!;
    expect(off.atMs).toBeGreaterThan(notReady.atMs);
    expect(off.atMs).toBeLessThanOrEqual(120_000 + 30_000);
    // Every pod stopped before the power went.
    expect(
      ev.filter((e) => e.type === 'pod.stopped' && victims.includes(e.pod as string)).every((e) => e.atMs <= off.atMs),
    ).toBe(true);
    // Failed pods are replaced (IsPodActive), not restarted on the node.
    expect(ev.filter((e) => e.type === 'pod.created' && e.atMs > 120_000)).toHaveLength(victims.length);
  });

  it('without shutdownGracePeriod (the default) it is a plain power-off', () => {
    const ev = run(scenario('{}'));
    expect(ev.some((e) => e.type === 'node.shutdown.started')).toBe(false);
    expect(ev.find((e) => e.type === 'host.powered.off')!.atMs).toBe(120_000);
    expect(ev.some((e) => e.type === 'pod.failed')).toBe(false);
  });

  it('TestManager: critical pods are killed after the others, within shutdownGracePeriodCriticalPods', () => {
    const ev = run(scenario('{ shutdownGracePeriod: 30s, shutdownGracePeriodCriticalPods: 10s }', true, 6));
    const stopped = ev.filter((e) => e.type === 'pod.stopped' && e.reason === 'node shutdown');
    const ordinary = stopped.filter((e) => (e.pod as string).startsWith('web-'));
    const critical = stopped.filter((e) => (e.pod as string).startsWith('dns-'));
    expect(ordinary.length).toBeGreaterThan(0);
    expect(critical.length).toBeGreaterThan(0);
    const lastOrdinary = Math.max(...ordinary.map((e) => e.atMs));
    expect(critical.every((e) => e.atMs >= lastOrdinary)).toBe(true);
  });
});

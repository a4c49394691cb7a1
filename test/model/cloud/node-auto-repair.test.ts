// Managed node auto-repair (model/cloud/node-auto-repair.ts): a node seen Ready=Unknown or False on
// consecutive checks for unhealthyThreshold has its VM re-created; a node that recovers first is left
// alone; off unless the scenario asks for it.
import { parseScenarioText, type Scenario } from '../../../src/scenario/index.js';
import { runScenario } from '../../../src/runner/run-scenario.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function scenario(repair: string, fault: string): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: repair-test }
spec:
  duration: 20m
  kubernetes:
    kubelet: { bootTime: 30s, networkReadyTime: 10s }
  ${repair}
  nodes:
    - { name: worker, count: 3, zone: zone-a }
  workloads:
    - { kind: StatefulSet, name: db, replicas: 3, startup: { imagePull: 1s, ready: 1s } }
  faults:
    - ${fault}
`;
  const parsed = parseScenarioText(text, { file: 'repair-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

const run = (s: Scenario) => runScenario(s).events as unknown as Ev[];
const crash = '{ name: crash, type: node-crash, at: 2m, target: { node: worker-1 } }';

describe('node auto-repair', () => {
  it('re-creates a node Unknown for unhealthyThreshold at the first check after it, and it comes back', () => {
    const ev = run(scenario('nodeAutoRepair: { unhealthyThreshold: 5m, checkInterval: 1m }', crash));
    const unknown = ev.find((e) => e.type === 'node.ready.changed' && e.node === 'worker-1' && e.to === 'Unknown')!;
    // Checks run every minute from the start: the first to see it Unknown, then 5 minutes of checks.
    const firstSeenMs = Math.ceil(unknown.atMs / 60_000) * 60_000;
    const repair = ev.find((e) => e.type === 'node.repair.started')!;
    expect(repair).toEqual(expect.objectContaining({ node: 'worker-1', ready: 'Unknown', unhealthyForMs: 300_000 }));
    expect(repair.atMs - (firstSeenMs + 300_000)).toBeGreaterThanOrEqual(0);
    expect(repair.atMs - (firstSeenMs + 300_000)).toBeLessThan(100);
    const booted = ev.find((e) => e.type === 'host.booted' && e.host === 'worker-1')!;
    expect(booted.atMs - repair.atMs).toBe(30_000);
    const ready = ev.filter((e) => e.type === 'node.ready.changed' && e.node === 'worker-1' && e.atMs > repair.atMs);
    expect(ready.map((e) => e.to)).toEqual(['False', 'True']);
    // The kubelet of the re-created VM removes the pod left Terminating there, and the StatefulSet
    // creates it again: three Ready at the end.
    const removed = ev.filter((e) => e.type === 'pod.removed' && e.atMs > booted.atMs);
    expect(removed.length).toBeGreaterThan(0);
    const readyAtEnd = new Map<string, boolean>();
    for (const e of ev) {
      if (e.type === 'pod.ready.changed') readyAtEnd.set(e.pod as string, e.ready as boolean);
      if (e.type === 'pod.removed') readyAtEnd.delete(e.pod as string);
    }
    expect([...readyAtEnd.values()].filter(Boolean)).toHaveLength(3);
    expect(ev.filter((e) => e.type === 'node.repair.started')).toHaveLength(1);
  });

  it('leaves alone a node that is healthy again before the threshold', () => {
    const ev = run(
      scenario(
        'nodeAutoRepair: { unhealthyThreshold: 10m }',
        '{ name: crash, type: node-crash, at: 2m, duration: 4m, target: { node: worker-1 } }',
      ),
    );
    expect(ev.some((e) => e.type === 'node.repair.started')).toBe(false);
  });

  it('is off unless the scenario asks, and enabled: false turns it off', () => {
    expect(run(scenario('', crash)).some((e) => e.type === 'node.repair.started')).toBe(false);
    expect(
      run(scenario('nodeAutoRepair: { enabled: false, unhealthyThreshold: 1m }', crash)).some(
        (e) => e.type === 'node.repair.started',
      ),
    ).toBe(false);
  });

  it('repairs a node the kubelet reports NotReady as well as one that went silent', () => {
    // A node that boots and never gets its network: Ready=False for good.
    const s = scenario('nodeAutoRepair: { unhealthyThreshold: 3m }', crash.replace('at: 2m', 'at: 2m, duration: 1m'));
    s.spec.kubernetes.kubelet.networkReadyTimeMs = { minMs: 3_600_000, maxMs: 3_600_000 };
    const ev = run(s);
    const repair = ev.find((e) => e.type === 'node.repair.started')!;
    expect(repair).toEqual(expect.objectContaining({ node: 'worker-1', ready: 'False' }));
  });
});

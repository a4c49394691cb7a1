// kubectl drain (src/chaos/drain.ts) against PodDisruptionBudgets, end to end through the scenario
// format: the drain of a node running 2 of a Deployment's 3 replicas.
import { parseScenarioText } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function run(pdb: string, drain: string): Ev[] {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: drain-test }
spec:
  duration: 10m
  nodes:
    - { name: worker, count: 2, zone: zone-a }
  workloads:
    - kind: Deployment
      name: web
      replicas: 3
      startup: { imagePull: 2s..10s, ready: 5s }
      podDisruptionBudget: ${pdb}
  faults:
    - { name: drain, type: node-drain, at: 2m, target: { node: worker-0 }, ${drain} }
`;
  const parsed = parseScenarioText(text, { file: 'drain-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return runScenario(parsed.scenario).events as unknown as Ev[];
}

/** The pods on worker-0 when the drain starts (seed 1 puts 2 of the 3 there). */
function podsOnDrainedNode(ev: Ev[]): string[] {
  const on = new Map<string, string>();
  for (const e of ev) {
    if (e.atMs >= 120_000) break;
    if (e.type === 'pod.scheduled') on.set(e.pod as string, e.node as string);
    if (e.type === 'pod.removed') on.delete(e.pod as string);
  }
  return [...on].filter(([, n]) => n === 'worker-0').map(([p]) => p);
}

describe('node-drain against a PodDisruptionBudget', () => {
  it('maxUnavailable 1: one eviction at a time, the second only after the first replacement is Ready', () => {
    const ev = run('{ maxUnavailable: 1 }', 'timeout: 5m');
    const victims = podsOnDrainedNode(ev);
    expect(victims).toHaveLength(2);
    const evictions = ev.filter((e) => e.type === 'pod.deleted' && e.reason === 'eviction');
    expect(evictions.map((e) => e.pod).sort()).toEqual([...victims].sort());
    const [first, second] = evictions;
    // The first replacement: the pod created after the first eviction; Ready before the second eviction.
    const replacement = ev.find((e) => e.type === 'pod.created' && e.atMs >= first.atMs)!;
    const ready = ev.find((e) => e.type === 'pod.ready.changed' && e.pod === replacement.pod && e.ready === true)!;
    expect(ready.atMs).toBeLessThanOrEqual(second.atMs);
    // Meanwhile the second pod's evictions were refused with 429, every 5 s.
    const refused = ev.filter((e) => e.type === 'pod.eviction.refused' && e.atMs > first.atMs && e.atMs < second.atMs);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.pod === second.pod && e.code === 429)).toBe(true);
    for (let i = 1; i < refused.length; i++)
      expect(refused[i].atMs - refused[i - 1].atMs).toBeGreaterThanOrEqual(5_000);
    const finished = ev.find((e) => e.type === 'node.drain.finished');
    expect(finished).toEqual(expect.objectContaining({ node: 'worker-0', evicted: 2 }));
    expect(ev.some((e) => e.type === 'node.drain.timedout')).toBe(false);
  });

  it('minAvailable 3: the drain never finishes and the timeout says so', () => {
    const ev = run('{ minAvailable: 3 }', 'timeout: 2m');
    const victims = podsOnDrainedNode(ev);
    expect(ev.some((e) => e.type === 'pod.deleted' && e.reason === 'eviction')).toBe(false);
    expect(ev.some((e) => e.type === 'node.drain.finished')).toBe(false);
    const timedOut = ev.find((e) => e.type === 'node.drain.timedout')!;
    expect(timedOut).toEqual(
      expect.objectContaining({
        node: 'worker-0',
        timeoutMs: 120_000,
        message: 'drain did not complete within 2m0s',
        remaining: [...victims].sort(),
      }),
    );
    // Refused every 5 s per pod until the timeout, then kubectl has exited: nothing more is sent.
    const refused = ev.filter((e) => e.type === 'pod.eviction.refused');
    expect(refused.length).toBeGreaterThanOrEqual(2 * 24);
    expect(refused.every((e) => e.atMs <= timedOut.atMs)).toBe(true);
    expect(refused[0].message).toBe(
      "Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 3 healthy pods and has 3 currently",
    );
  });

  it('disableEviction deletes the pods at once, bypassing the budget', () => {
    const ev = run('{ minAvailable: 3 }', 'disableEviction: true');
    expect(ev.filter((e) => e.type === 'pod.deleted' && e.reason === 'drain')).toHaveLength(2);
    expect(ev.some((e) => e.type === 'pod.eviction.refused')).toBe(false);
    expect(ev.find((e) => e.type === 'node.drain.finished')).toBeDefined();
  });

  it('cordons first: spec.unschedulable, so no replacement lands on the drained node', () => {
    const ev = run('{ maxUnavailable: 1 }', 'timeout: 5m');
    const cordon = ev.find((e) => e.type === 'node.unschedulable.changed')!;
    expect(cordon).toEqual(expect.objectContaining({ node: 'worker-0', unschedulable: true, by: 'kubectl' }));
    const start = ev.find((e) => e.type === 'node.drain.started')!;
    expect(cordon.atMs).toBeLessThanOrEqual(start.atMs);
    expect(ev.some((e) => e.type === 'pod.scheduled' && e.atMs > cordon.atMs && e.node === 'worker-0')).toBe(false);
  });
});

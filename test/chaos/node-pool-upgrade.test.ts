// The node-pool-upgrade fault (chaos/node-pool-upgrade.ts): the order of replacements under maxSurge and
// maxUnavailable (GKE surge upgrades), the drain timeout after which a node goes anyway, and the
// upgrade-time SLO.
import { parseScenarioText, type Scenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { replacementName } from '../../src/chaos/node-pool-upgrade.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function scenario(
  upgrade: string,
  opts: { nodes?: number; replicas?: number; pdb?: string; slos?: string } = {},
): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: upgrade-test }
spec:
  duration: 30m
  kubernetes:
    kubelet: { bootTime: 30s, networkReadyTime: 10s }
  nodes:
    - { name: pool, count: ${opts.nodes ?? 4}, zone: zone-a, labels: { pool: a } }
    - { name: other, count: 1, zone: zone-a }
  workloads:
    - kind: Deployment
      name: web
      replicas: ${opts.replicas ?? 4}
      startup: { imagePull: 1s, ready: 1s }
      ${opts.pdb ? `podDisruptionBudget: ${opts.pdb}` : ''}
  faults:
    - { name: upgrade, type: node-pool-upgrade, at: 1m, target: { labels: { pool: a } }, ${upgrade} }
  slos: ${opts.slos ?? '[]'}
`;
  const parsed = parseScenarioText(text, { file: 'upgrade-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

const run = (s: Scenario) => runScenario(s).events as unknown as Ev[];

/** The most worker nodes that existed at once (provisioned, not yet terminated), and the most upgrades in progress. */
function peaks(ev: Ev[], initial: number): { nodes: number; inProgress: number } {
  let nodes = initial;
  let maxNodes = initial;
  let inProgress = 0;
  let maxInProgress = 0;
  for (const e of ev) {
    if (e.type === 'node.provisioned') maxNodes = Math.max(maxNodes, ++nodes);
    if (e.type === 'node.terminated') nodes--;
    if (e.type === 'node.upgrade.started') maxInProgress = Math.max(maxInProgress, ++inProgress);
    if (e.type === 'node.upgrade.finished') inProgress--;
  }
  return { nodes: maxNodes, inProgress: maxInProgress };
}

describe('node-pool-upgrade', () => {
  it('maxSurge 1, maxUnavailable 0: one node at a time, its replacement Ready before the old one is drained', () => {
    const ev = run(scenario('maxSurge: 1, maxUnavailable: 0'));
    const started = ev.filter((e) => e.type === 'node.upgrade.started').map((e) => e.node);
    expect(started).toEqual(['pool-0', 'pool-1', 'pool-2', 'pool-3']);
    expect(peaks(ev, 5)).toEqual({ nodes: 6, inProgress: 1 });
    for (const old of started) {
      const replacement = `${old as string}-u1`;
      const ready = ev.find((e) => e.type === 'node.ready.changed' && e.node === replacement && e.to === 'True')!;
      const drain = ev.find((e) => e.type === 'node.drain.started' && e.node === old)!;
      expect(ready.atMs).toBeLessThan(drain.atMs);
    }
    const done = ev.find((e) => e.type === 'nodepool.upgrade.finished')!;
    expect(done).toEqual(expect.objectContaining({ fault: 'upgrade', nodes: 4 }));
    // Every old Node is gone, every replacement registered.
    const deleted = ev.filter((e) => e.type === 'node.deleted').map((e) => e.node);
    expect(deleted.sort()).toEqual(['pool-0', 'pool-1', 'pool-2', 'pool-3']);
  });

  it('maxSurge 0, maxUnavailable 2: two nodes at a time, each drained and removed before its replacement exists', () => {
    const ev = run(scenario('maxSurge: 0, maxUnavailable: 2'));
    expect(peaks(ev, 5)).toEqual({ nodes: 5, inProgress: 2 });
    for (const old of ['pool-0', 'pool-1', 'pool-2', 'pool-3']) {
      const terminated = ev.find((e) => e.type === 'node.terminated' && e.node === old)!;
      const provisioned = ev.find((e) => e.type === 'node.provisioned' && e.node === `${old}-u1`)!;
      expect(terminated.atMs).toBeLessThanOrEqual(provisioned.atMs);
    }
    expect(ev.filter((e) => e.type === 'node.upgrade.started' && e.atMs === 60_000).map((e) => e.surge)).toEqual([
      false,
      false,
    ]);
  });

  it('maxSurge 2, maxUnavailable 1: three at a time, two of them with a surge node', () => {
    const ev = run(scenario('maxSurge: 2, maxUnavailable: 1'));
    const first = ev.filter((e) => e.type === 'node.upgrade.started' && e.atMs === 60_000);
    expect(first.map((e) => [e.node, e.surge])).toEqual([
      ['pool-0', true],
      ['pool-1', true],
      ['pool-2', false],
    ]);
    expect(peaks(ev, 5).inProgress).toBe(3);
    expect(peaks(ev, 5).nodes).toBeLessThanOrEqual(7);
  });

  it('a percentage maxSurge is of the pool, rounded up', () => {
    const ev = run(scenario('maxSurge: "50%", maxUnavailable: 0'));
    expect(ev.find((e) => e.type === 'nodepool.upgrade.started')).toEqual(
      expect.objectContaining({ nodes: 4, maxSurge: 2, maxUnavailable: 0 }),
    );
    expect(peaks(ev, 5)).toEqual({ nodes: 7, inProgress: 2 });
  });

  it('a drain blocked by a PodDisruptionBudget gives up after drainTimeout and the node is removed anyway', () => {
    const ev = run(
      scenario('maxSurge: 1, drainTimeout: 2m', {
        nodes: 2,
        replicas: 2,
        pdb: '{ minAvailable: 2 }',
        slos: `
    - { name: upgraded, type: upgrade-time, after: upgrade, max: 20m }
    - { name: drained, type: drain-time, after: upgrade, max: 20m }`,
      }),
    );
    const drain = ev.find((e) => e.type === 'node.drain.started' && e.node === 'pool-0')!;
    const timedOut = ev.find((e) => e.type === 'node.drain.timedout' && e.node === 'pool-0')!;
    expect(timedOut.atMs - drain.atMs).toBe(120_000);
    expect(ev.find((e) => e.type === 'node.terminated' && e.node === 'pool-0')!.atMs).toBe(timedOut.atMs);
    expect(ev.find((e) => e.type === 'node.deleted' && e.node === 'pool-0')!.atMs).toBeGreaterThan(timedOut.atMs);
    // Its pods go with the Node: PodGC deletes them.
    expect(ev.some((e) => e.type === 'pod.deleted' && e.reason === 'pod-gc')).toBe(true);
    expect(ev.find((e) => e.type === 'nodepool.upgrade.finished')).toBeDefined();
  });

  it('upgrade-time measures until the last node is replaced; drain-time fails when a drain timed out', () => {
    const s = scenario('maxSurge: 1, drainTimeout: 2m', {
      nodes: 2,
      replicas: 2,
      pdb: '{ minAvailable: 2 }',
      slos: `
    - { name: upgraded, type: upgrade-time, after: upgrade, max: 5m }
    - { name: drained, type: drain-time, after: upgrade, max: 20m }`,
    });
    const { summary, events } = runScenario(s);
    const finished = (events as unknown as Ev[]).find((e) => e.type === 'nodepool.upgrade.finished')!;
    const [upgraded, drained] = summary.slos;
    expect(upgraded.measuredMs).toBe(finished.atMs - 60_000);
    expect(upgraded.passed).toBe(upgraded.measuredMs! <= 300_000);
    expect(drained.passed).toBe(false);
    expect(drained.measuredMs).toBeNull();
  });

  it('an upgrade still running at the end fails upgrade-time', () => {
    const s = scenario('maxSurge: 1', {
      slos: `\n    - { name: upgraded, type: upgrade-time, after: upgrade, max: 1m }`,
    });
    s.spec.durationMs = 120_000;
    const { summary } = runScenario(s);
    expect(summary.slos[0].passed).toBe(false);
    expect(summary.slos[0].measuredMs).toBeNull();
  });

  it('names a replacement <old>-u<n>, the first generation not taken', () => {
    expect(replacementName('pool-0', () => false)).toBe('pool-0-u1');
    expect(replacementName('pool-0-u1', (n) => n === 'pool-0-u1')).toBe('pool-0-u2');
  });

  it('rejects maxSurge and maxUnavailable both 0, and a duration', () => {
    const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: bad-upgrade }
spec:
  nodes: [{ name: pool, count: 2 }]
  faults:
    - { name: upgrade, type: node-pool-upgrade, at: 1m, duration: 5m, target: { labels: {} }, maxSurge: 0, maxUnavailable: 0 }
`;
    const parsed = parseScenarioText(text, { file: 'bad-upgrade.yaml' });
    expect(parsed.ok).toBe(false);
    const messages = parsed.ok ? [] : parsed.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'a node-pool-upgrade fault has no duration (it runs until every node of the pool is replaced)',
        'maxSurge and maxUnavailable cannot both be 0: the upgrade could never replace a node (GKE and EKS reject it too)',
      ]),
    );
  });
});

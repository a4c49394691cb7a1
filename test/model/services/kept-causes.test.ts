// The traffic meter's kept causes of dead endpoints (fast-paths.ts trafficKeptCauses, dead-causes.ts),
// docs/fidelity.md#traffic, against the reference (traffic-meter.ts deadKinds, which looks at every dead
// pod again after each change of the world): the words on random sequences of pods dying, reviving,
// starting on a node, failing and hosts changing power; and whole traces byte for byte (the fast path off,
// and every fast path off) where the causes move: a zone's return while another zone's nodes are powered
// off, kube-proxy stopped on one node, a node cut off that keeps a stale view.
import { makeRng } from '../../../src/engine/index.js';
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import type { Host } from '../../../src/model/infra/host.js';
import { DeadCauses, type DeadPodFacts } from '../../../src/model/traffic/dead-causes.js';
import { deadKinds, TrafficMeter } from '../../../src/model/traffic/traffic-meter.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import type { Scenario } from '../../../src/scenario/index.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

describe('kept dead-endpoint causes word them as the reference does', () => {
  it('on 200 random histories of 300 steps each', () => {
    const rng = makeRng('kept-causes');
    let counted = 0;
    let named = 0;
    for (let c = 0; c < 200; c++) {
      const nodeCount = rng.int(1, 9);
      const hosts = new Map<string, { poweredOn: boolean }>();
      for (let i = 0; i < nodeCount; i++) hosts.set(`node-${i}`, { poweredOn: rng.chance(0.6) });
      const pods = Array.from({ length: rng.int(1, 30) }, (_, i) => `pod-${String(i).padStart(2, '0')}`);
      const lastNode = new Map<string, string>();
      const running = new Set<string>();
      const failing = new Set<string>();
      const facts: DeadPodFacts = {
        lastNode: (pod) => lastNode.get(pod),
        // A node without a host (a name the cluster does not know) counts as powered on.
        host: (node) => (node === 'node-0' ? undefined : (hosts.get(node) as unknown as Host | undefined)),
        runningButFailing: (pod) => running.has(pod) && failing.has(pod),
      };
      const dead = new Set<string>();
      for (const p of pods) if (rng.chance(0.3)) dead.add(p);
      const causes = new DeadCauses(facts, dead, 0);
      for (let step = 0; step < 300; step++) {
        const pod = pods[rng.int(0, pods.length - 1)];
        const r = rng.int(0, 5);
        if (r === 0) {
          // A host changes power (the meter tells the causes at its next evaluation).
          const node = `node-${rng.int(0, nodeCount - 1)}`;
          hosts.get(node)!.poweredOn = !hosts.get(node)!.poweredOn;
          causes.powerChanged(node);
        } else if (r === 1 && !dead.has(pod)) {
          dead.add(pod);
          causes.add(pod);
        } else if (r === 2 && dead.has(pod)) {
          dead.delete(pod);
          causes.remove(pod);
        } else {
          // It starts on a node, stops, or its application starts or stops failing: dead or not.
          if (r === 3) {
            lastNode.set(pod, `node-${rng.int(0, nodeCount - 1)}`);
            running.add(pod);
          } else if (r === 4) running.delete(pod);
          else if (failing.has(pod)) failing.delete(pod);
          else failing.add(pod);
          causes.refresh(pod);
        }
        const want = deadKinds(dead, facts);
        const got = causes.text();
        if (got !== want) expect([c, step, got]).toEqual([c, step, want]);
        if (want !== '') counted++;
        if (want.includes('powered-off nodes (')) named++;
      }
    }
    // The histories reach every form: causes at all, and more powered-off nodes than are named.
    expect(counted).toBeGreaterThan(15_000);
    expect(named).toBeGreaterThan(500);
  });
});

/**
 * Two Services on 15 nodes (five per zone), cart's 150 endpoints in two slices; `faults`: YAML list items;
 * `minSync`: kubeProxy.minSyncPeriod.
 */
function scenario(faults: string, minSync: string): Scenario {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: kept-causes }
spec:
  seed: 1
  duration: 8m
  kubernetes:
    { version: "1.31", apiServer: { replicas: 3 }, etcd: { members: 3 }, kubeProxy: { minSyncPeriod: ${minSync} } }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker-a, count: 5, zone: zone-a }
    - { name: worker-b, count: 5, zone: zone-b }
    - { name: worker-c, count: 5, zone: zone-c }
  workloads:
    - kind: Deployment
      name: cart
      replicas: 150
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      probes: { readiness: { period: 5s, failureThreshold: 3 } }
      service: { traffic: { rate: 300, timeout: 1s } }
    - kind: Deployment
      name: search
      replicas: 15
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      service: { traffic: { rate: 300, timeout: 1s } }
  faults:
${faults}`;
  const parsed = parseScenarioText(text, { file: 'kept-causes.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

/** Name, faults, minSyncPeriod, what the causes show at some point. */
const CASES: Array<[string, string, string, RegExp]> = [
  [
    // zone-a comes back at 3m while zone-b's five nodes, powered off since 2m20s, hold dead endpoints: the
    // causes count powered-off nodes, and move pods to "containers stopped" as hosts boot; the fleet's
    // syncs wait for minSyncPeriod (20 s).
    'a zone comes back while another zone’s nodes are powered off',
    `    - { name: zone-a-down, type: zone-outage, at: 1m, duration: 2m, target: { zone: zone-a } }
    - { name: zone-b-down, type: zone-outage, at: 2m20s, duration: 2m, target: { zone: zone-b } }`,
    '20s',
    /on 5 powered-off nodes \(worker-b-\d, worker-b-\d, worker-b-\d, …\)/,
  ],
  [
    // worker-c-2 keeps the rules it had at 1m, with zone-a's pods dead in them, while the fleet's rules
    // drop cart's failing pods, take them back when they recover (20 s later), then drop zone-a's: two
    // picked lists with dead pods are in use at once, and pods revive in both.
    'kube-proxy stopped on one node while a zone’s workers are powered off',
    `    - { name: proxy-stop, type: kube-proxy-stop, at: 1m, duration: 4m, target: { node: worker-c-2 } }
    - { name: workers-a-down, type: node-crash, at: 1m30s, duration: 2m, target: { zone: zone-a } }
    - name: cart-failing
      type: app-degrade
      at: 1m30s
      duration: 20s
      target: { workload: Deployment/cart, pods: 50% }
      symptom: readiness`,
    '1s',
    /on 5 powered-off nodes \(worker-a-\d, worker-a-\d, worker-a-\d, …\).*kube-proxy stopped on 1 node/,
  ],
  [
    'a node cut off keeps a stale view while pods fail and a zone is powered off',
    `    - name: worker-b-1-cut
      type: network-partition
      at: 1m
      duration: 4m
      target: { node: worker-b-1 }
      from: { labels: {} }
    - { name: zone-c-down, type: zone-outage, at: 1m30s, duration: 2m, target: { zone: zone-c } }
    - name: cart-failing
      type: app-degrade
      at: 2m
      duration: 1m
      target: { workload: Deployment/cart, pods: 50% }
      symptom: readiness`,
    '1s',
    /kube-proxy behind on/,
  ],
];

/** Counts calls of the meter's private methods `names` while fn runs. */
function counting<T>(names: readonly string[], fn: (calls: Map<string, number>) => T): T {
  const proto = TrafficMeter.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = names.map((n) => proto[n]);
  const calls = new Map<string, number>(names.map((n) => [n, 0]));
  names.forEach((n, i) => {
    proto[n] = function (this: unknown, ...args: unknown[]) {
      calls.set(n, calls.get(n)! + 1);
      return saved[i].apply(this, args);
    };
  });
  try {
    return fn(calls);
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]));
  }
}

describe('kept dead-endpoint causes give the reference trace', () => {
  test.each(CASES)('%s, seeds 1-2', (name, faults, minSync, shows) => {
    const s = scenario(faults, minSync);
    const text = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n');
    for (const seed of [1, 2]) {
      const fast = counting(['keptKinds', 'unionOf'], (calls) => {
        const events = runScenario(s, { seed }).events;
        // The kept causes are used, and with a zone coming back also for several picked lists at once. With
        // a network partition every node is looked at link by link: the reference's words, checked below.
        if (!name.startsWith('a node cut off')) expect(calls.get('keptKinds')).toBeGreaterThan(10);
        if (name.startsWith('kube-proxy stopped')) expect(calls.get('unionOf')).toBeGreaterThan(0);
        return events;
      });
      const plain = runScenario(s, { seed, fastPaths: { ...ALL_FAST_PATHS, trafficKeptCauses: false } }).events;
      expect(text(plain)).toBe(text(fast));
      const reference = runScenario(s, { seed, fastPaths: REFERENCE_BEHAVIOUR }).events;
      expect(text(reference)).toBe(text(fast));
      // The case does what it is for: causes that name powered-off nodes, and what the case is about.
      const causes = fast
        .filter((e) => e.type === 'service.traffic.changed')
        .map((e) => (e as unknown as { cause: string }).cause);
      expect(causes.some((c) => c.includes('powered-off'))).toBe(true);
      expect([seed, causes.some((c) => shows.test(c)) ? 'shown' : causes]).toEqual([seed, 'shown']);
    }
  });
});

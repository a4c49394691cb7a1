// kube-proxy's shared rules (fast-paths.ts proxySharedRules) and the traffic meter's diffed picked lists
// (trafficDiffedPicks), docs/fidelity.md#traffic, against the reference: kube-proxy flattening the slices for
// each node that relists and comparing a node's own rules with the API server's endpoints as flat lists, and
// the meter looking at every endpoint of a new picked list. Whole traces byte for byte (each fast path off,
// and every one off) in the cases where rules are held apart from the fleet's: nodes relisting together
// while another Service's slices change, a node cut off that keeps a stale view while the others move on,
// kube-proxy stopped on one node; the slice-by-slice comparison that ignores `serving` against the flat one;
// commonEnds; and that nodes relisting together do share their lists.
import type { Endpoint } from '../../../src/k8s/services.js';
import { makeRng } from '../../../src/engine/index.js';
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { buildCluster } from '../../../src/model/cluster.js';
import { changedSlices, commonEnds, sameEndpointSet, sameFlattened } from '../../../src/model/proxy/kube-proxy.js';
import { TrafficMeter } from '../../../src/model/traffic/traffic-meter.js';
import { scheduleFaults } from '../../../src/chaos/faults.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import type { Scenario } from '../../../src/scenario/index.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

/**
 * Two Services on nine nodes (three per zone, or `perZone`), and the faults given (YAML list items);
 * `minSync`: kubeProxy.minSyncPeriod.
 */
function scenario(faults: string, perZone = 3, minSync = '1s', cartReplicas = 12): Scenario {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: proxy-shared-rules }
spec:
  seed: 1
  duration: 8m
  kubernetes:
    { version: "1.31", apiServer: { replicas: 3 }, etcd: { members: 3 }, kubeProxy: { minSyncPeriod: ${minSync} } }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker-a, count: ${perZone}, zone: zone-a }
    - { name: worker-b, count: ${perZone}, zone: zone-b }
    - { name: worker-c, count: ${perZone}, zone: zone-c }
  workloads:
    - kind: Deployment
      name: cart
      replicas: ${cartReplicas}
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      probes: { readiness: { period: 5s, failureThreshold: 3 } }
      service: { traffic: { rate: 300, timeout: 1s } }
    - kind: Deployment
      name: search
      replicas: 12
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      service: { traffic: { rate: 300, timeout: 1s } }
  faults:
${faults}`;
  const parsed = parseScenarioText(text, { file: 'proxy-shared-rules.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

const CASES: Array<[string, string]> = [
  [
    // zone-a's nodes relist together when it comes back (at 3m) and share their rules, while cart's
    // readiness fault moves cart's slices and search's stay as they were.
    'a slice changes for one Service while nodes relisting together share the other rules',
    `    - { name: zone-a-down, type: zone-outage, at: 1m, duration: 2m, target: { zone: zone-a } }
    - name: cart-not-ready
      type: app-degrade
      at: 2m55s
      duration: 1m
      target: { workload: Deployment/cart, pods: 50% }
      symptom: readiness`,
  ],
  [
    // worker-b-1 keeps the rules it had at the cut while the fleet drops cart's failing pods.
    'a node cut off keeps a stale view while the others move on',
    `    - name: worker-b-1-cut
      type: network-partition
      at: 1m
      duration: 4m
      target: { node: worker-b-1 }
      from: { labels: {} }
    - name: cart-not-ready
      type: app-degrade
      at: 2m
      duration: 1m
      target: { workload: Deployment/cart, pods: 50% }
      symptom: readiness`,
  ],
  [
    'kube-proxy-stop freezes one node’s rules',
    `    - { name: proxy-stop, type: kube-proxy-stop, at: 1m, duration: 4m, target: { node: worker-c-2 } }
    - name: cart-not-ready
      type: app-degrade
      at: 2m
      duration: 1m
      target: { workload: Deployment/cart, pods: 50% }
      symptom: readiness`,
  ],
];

describe('kube-proxy shared rules and diffed picks give the reference trace', () => {
  // cart's 150 endpoints are in two slices: the meter picks them slice by slice.
  test.each(CASES)('%s, seeds 1-3', (_name, faults) => {
    const s = scenario(faults, 3, '1s', 150);
    const text = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n');
    // Counts the meter's diffed picks.
    const proto = TrafficMeter.prototype as unknown as { retrack: (...args: unknown[]) => unknown };
    const retrack = proto.retrack;
    let retracked = 0;
    proto.retrack = function (this: unknown, ...args: unknown[]) {
      retracked++;
      return retrack.apply(this, args);
    };
    try {
      for (const seed of [1, 2, 3]) {
        retracked = 0;
        const fast = runScenario(s, { seed }).events;
        // The diffed picks are taken (each sync of a Service with traffic gives it a new picked list).
        expect(retracked).toBeGreaterThan(5);
        for (const off of ['proxySharedRules', 'trafficDiffedPicks'] as const) {
          const plain = runScenario(s, { seed, fastPaths: { ...ALL_FAST_PATHS, [off]: false } }).events;
          expect([off, text(plain)]).toEqual([off, text(fast)]);
        }
        const reference = runScenario(s, { seed, fastPaths: REFERENCE_BEHAVIOUR }).events;
        expect(text(reference)).toBe(text(fast));
        // The case does what it is for: some node's rules are behind the API server at some point.
        const behind = fast.filter(
          (e) => e.type === 'service.traffic.changed' && (e as unknown as { behindNodes: number }).behindNodes > 0,
        );
        expect(behind.length).toBeGreaterThan(0);
      }
    } finally {
      proto.retrack = retrack;
    }
  });
});

describe('changedSlices', () => {
  it('gives what concatenating the slices gains and loses, on 5,000 random cases', () => {
    const rng = makeRng('changed-slices');
    const pool = Array.from({ length: 6 }, (_, i) => [`s${i}`]);
    for (let c = 0; c < 5000; c++) {
      const a = Array.from({ length: rng.int(0, 6) }, () => pool[rng.int(0, pool.length - 1)]);
      const b = rng.chance(0.2)
        ? [...a]
        : Array.from({ length: rng.int(0, 6) }, () => pool[rng.int(0, pool.length - 1)]);
      const [removed, added] = changedSlices(a, b);
      // a less removed plus added is b (as multisets), and no slice is both removed and added.
      const rest = [...a];
      for (const x of removed) {
        const i = rest.indexOf(x);
        expect(i).toBeGreaterThanOrEqual(0);
        rest.splice(i, 1);
      }
      const tally = (lists: string[][]) => lists.map((l) => l[0]).sort();
      expect(tally([...rest, ...added])).toEqual(tally(b));
      expect(removed.filter((x) => added.includes(x))).toEqual([]);
    }
  });
});

describe('commonEnds', () => {
  it('leaves between head and tail exactly what differs, on 5,000 random cases', () => {
    const rng = makeRng('common-ends');
    const pool: Endpoint[] = Array.from({ length: 8 }, (_, i) => ({
      pod: `p${i}`,
      nodeName: 'n',
      zone: 'z',
      ready: true,
      serving: true,
      terminating: false,
    }));
    for (let c = 0; c < 5000; c++) {
      const a = Array.from({ length: rng.int(0, 7) }, () => pool[rng.int(0, pool.length - 1)]);
      const b = [...a];
      for (let k = rng.int(0, 3); k > 0; k--) {
        const at = rng.int(0, b.length + 1);
        if (rng.chance(0.5) && b.length > 0) b.splice(Math.min(at, b.length - 1), 1);
        else b.splice(at, 0, pool[rng.int(0, pool.length - 1)]);
      }
      const [head, tail] = commonEnds(a, b);
      expect(head + tail).toBeLessThanOrEqual(Math.min(a.length, b.length));
      // Head and tail hold the same objects; the lists are the head, their middles and the tail.
      for (let i = 0; i < head; i++) expect(a[i]).toBe(b[i]);
      for (let i = 1; i <= tail; i++) expect(a[a.length - i]).toBe(b[b.length - i]);
      // Neither end can grow: the next endpoint in differs (or a list is used up).
      if (head + tail < Math.min(a.length, b.length)) {
        expect(a[head]).not.toBe(b[head]);
        expect(a[a.length - 1 - tail]).not.toBe(b[b.length - 1 - tail]);
      }
    }
  });
});

describe('nodes relisting together share their rules lists', () => {
  /**
   * kube-proxy starts again on zone-b's six nodes at 2m10s, while the fleet's sync of cart's pods gone
   * NotReady (from about 2m) waits for minSyncPeriod (30 s): relisted nodes wait for it to rejoin. At the moment most of them
   * wait, counts their rules lists per Service by identity and by content. cart's 150 endpoints are in two
   * slices (a Service with one slice has its slice's list as rules, shared either way).
   */
  function relisted(sharedRules: boolean): { nodes: number; lists: number; contents: number } {
    const s = scenario(
      `    - { name: proxy-stop, type: kube-proxy-stop, at: 1m, duration: 70s, target: { zone: zone-b } }
    - name: cart-not-ready
      type: app-degrade
      at: 1m45s
      duration: 3m
      target: { workload: Deployment/cart, pods: 50% }
      symptom: readiness`,
      6,
      '30s',
      150,
    );
    const cluster = buildCluster(s.spec, { seed: 1, fastPaths: { ...ALL_FAST_PATHS, proxySharedRules: sharedRules } });
    scheduleFaults(cluster, s.spec.faults);
    const fleet = cluster.proxies!;
    let best = { nodes: 0, lists: 0, contents: 0 };
    for (let t = 130_000; t <= 160_000; t += 100) {
      cluster.ctx.sim.run(t);
      const own = fleet.nodes.filter((n) => n.rejoinReady);
      if (own.length <= best.nodes) continue;
      const lists = new Set<readonly Endpoint[]>();
      const contents = new Set<string>();
      for (const n of own)
        for (const svc of ['cart', 'search']) {
          const rules = fleet.rulesOf(n, svc);
          lists.add(rules);
          contents.add(svc + JSON.stringify(rules));
        }
      best = { nodes: own.length, lists: lists.size, contents: contents.size };
    }
    return best;
  }

  it('one list per Service and content with the fast path, one per node for cart without', () => {
    const shared = relisted(true);
    expect(shared.nodes).toBeGreaterThan(1);
    expect(shared.contents).toBeLessThan(2 * shared.nodes);
    expect(shared.lists).toBe(shared.contents);
    // Without: a copy of cart's list on every node (search's single slice is shared as it is).
    const plain = relisted(false);
    expect(plain.nodes).toBe(shared.nodes);
    expect(plain.contents).toBe(shared.contents);
    expect(plain.lists).toBe(shared.nodes + 1);
  });
});

describe('sameFlattened without serving agrees with sameEndpointSet of the flat lists', () => {
  it('on 5,000 random cases', () => {
    const rng = makeRng('proxy-shared-rules');
    const endpoint = (pods: number): Endpoint => {
      const serving = rng.chance(0.7);
      const terminating = rng.chance(0.3);
      return {
        pod: `p${rng.int(0, pods)}`,
        nodeName: 'n',
        zone: 'z',
        ready: serving && !terminating,
        serving,
        terminating,
      };
    };
    let equal = 0;
    let servingOnly = 0;
    for (let c = 0; c < 5000; c++) {
      const pods = rng.int(1, 4);
      const a = Array.from({ length: rng.int(0, 4) }, () =>
        Array.from({ length: rng.int(0, 3) }, () => endpoint(pods)),
      );
      // b: a's slices, some shared, some copied with serving flipped on terminating endpoints, some changed.
      const b = a.map((s) => {
        const r = rng.int(0, 4);
        if (r <= 1) return s;
        if (r === 2) return s.map((e) => (e.terminating ? { ...e, serving: !e.serving } : e));
        return s.map((e) => (rng.chance(0.5) ? endpoint(pods) : e));
      });
      const same = sameEndpointSet(a.flat(), b.flat());
      if (same) equal++;
      if (same && !sameFlattened(a, b)) servingOnly++;
      expect([c, sameFlattened(a, b, false)]).toEqual([c, same]);
      expect([c, sameFlattened(b, a, false)]).toEqual([c, same]);
    }
    expect(equal).toBeGreaterThan(500);
    expect(equal).toBeLessThan(4500);
    // Lists that differ only in serving occur: there the two comparisons part.
    expect(servingOnly).toBeGreaterThan(50);
  });
});

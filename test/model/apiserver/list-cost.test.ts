// A LIST takes time per object it returns (list-cost.ts), and a component that waits for its informers to
// sync acts only once the LIST has arrived: a new kube-controller-manager leader in a cluster with many
// pods starts its node lifecycle controller later by its pod LIST's time.
import { buildCluster, type Cluster } from '../../../src/model/cluster.js';
import { listTimeMs } from '../../../src/model/apiserver/list-cost.js';
import type { Controller, ControllerFactory } from '../../../src/model/controllermanager/controller.js';
import { controlPlaneScenario } from '../ha/fixtures.js';
import { pod } from '../node-chain/fixtures.js';
import { scheduleFaults } from '../../../src/chaos/faults.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const KCM = 'kube-controller-manager';

/**
 * Two controller-manager replicas and `pods` pods in the store from the start; the first leader crashes
 * once its controllers run. Returns when each leader acquired the lease and started its node lifecycle
 * controller.
 */
function failover(pods: number, listCostPerObjectUs: number) {
  const s = controlPlaneScenario({ controllerManagers: 2, durationMs: 60_000, latency: { minMs: 2, maxMs: 2 } });
  s.spec.kubernetes.apiServer.listCostPerObjectUs = listCostPerObjectUs;
  const cluster: Cluster = buildCluster(s.spec, {
    seed: 1,
    clockStepsPossible: false,
    fastPaths: { leaderElectionChains: false },
  });
  const { sim, api, trace } = cluster.ctx;
  for (let i = 0; i < pods; i++) api.store.create(pod(`p-${i}`, undefined), 'test');
  const starts: Array<{ cm: string; atMs: number }> = [];
  for (const cm of cluster.controllerManagers) {
    const spied = cm as unknown as { factories: ControllerFactory[] };
    spied.factories = spied.factories.map((f) => (cc) => {
      const c: Controller = f(cc);
      if (c.name !== 'node-lifecycle-controller') return c;
      return {
        name: c.name,
        start: () => {
          starts.push({ cm: cm.name, atMs: sim.nowMs });
          c.start();
          // The first leader crashes once its controllers run: the standby takes over.
          if (starts.length === 1) sim.after(1_000, () => cm.kill('controller-manager-crash'), 'test/crash');
        },
      };
    });
  }
  sim.run(60_000);
  const acquired = trace.events.filter((e) => e.type === 'leader.acquired' && e.component === KCM);
  return { acquired: acquired.map((e) => e.atMs), starts: starts.map((s) => s.atMs) };
}

describe('LIST time per object (informers)', () => {
  it('a new controller-manager leader starts its node lifecycle controller later by its pod LIST time', () => {
    const quick = failover(3_000, 0);
    const slow = failover(3_000, 1_000); // 1 ms per object: the 3,000 pods take 3 s
    for (const run of [quick, slow]) {
      expect(run.acquired).toHaveLength(2);
      expect(run.starts).toHaveLength(2);
    }
    // From acquiring the lease to starting the controller: both leaders, the first and the one after the
    // failover, wait for the LIST of every pod (to within WaitForCacheSync's 100 ms poll).
    const startup = (run: typeof quick, i: number) => run.starts[i] - run.acquired[i];
    for (const i of [0, 1]) {
      expect(startup(quick, i)).toBeLessThanOrEqual(1_100);
      expect(startup(slow, i) - startup(quick, i)).toBeGreaterThanOrEqual(2_900);
      expect(startup(slow, i) - startup(quick, i)).toBeLessThanOrEqual(3_100);
    }
  });

  it("costs a LIST of 150,000 pods 3 s by default, and one of a node's 30 pods 0.6 ms, a whole millisecond", () => {
    expect(listTimeMs(20, 150_000)).toBe(3_000);
    expect(listTimeMs(20, 30)).toBe(1);
    expect(listTimeMs(20, 20)).toBe(0);
    expect(listTimeMs(0, 150_000)).toBe(0);
  });
});

/**
 * One Service of 12 pods on nine nodes; kube-proxy stops on zone-b's nodes at 1m for 10 s. Returns when
 * the answer of each one's relist of the EndpointSlices arrives.
 */
function proxyRelists(listCost: string): number[] {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: proxy-relist }
spec:
  seed: 1
  duration: 3m
  kubernetes: { version: "1.31", apiServer: { listCostPerObjectMicroseconds: ${listCost} } }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker-a, count: 3, zone: zone-a }
    - { name: worker-b, count: 3, zone: zone-b }
    - { name: worker-c, count: 3, zone: zone-c }
  workloads:
    - kind: Deployment
      name: cart
      replicas: 12
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      service: {}
  faults:
    - { name: proxy-stop, type: kube-proxy-stop, at: 1m, duration: 10s, target: { zone: zone-b } }`;
  const parsed = parseScenarioText(text, { file: 'proxy-relist.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  const cluster = buildCluster(parsed.scenario.spec, { seed: 1 });
  scheduleFaults(cluster, parsed.scenario.spec.faults);
  // When each relist's answer arrives (KubeProxyFleet.relisted, private: spied on here).
  const fleet = cluster.proxies! as unknown as { relisted(n: { name: string }, epoch: number): void };
  const relisted = fleet.relisted.bind(fleet);
  const relistedAt = new Map<string, number>();
  fleet.relisted = (n, epoch) => {
    relistedAt.set(n.name, cluster.ctx.sim.nowMs);
    relisted(n, epoch);
  };
  cluster.ctx.sim.run(80_000);
  const zoneB = cluster.proxies!.nodes.filter((n) => n.zone === 'zone-b');
  return zoneB.map((n) => relistedAt.get(n.name) ?? -1);
}

describe('LIST time per object (kube-proxy)', () => {
  it('a kube-proxy relisting a few EndpointSlices is barely delayed by default', () => {
    const none = proxyRelists('0');
    expect(none.every((t) => t > 70_000)).toBe(true);
    // 20 µs for each of the Service's slices: under a millisecond, rounded away.
    expect(proxyRelists('20')).toEqual(none);
    // 1 s per slice (a deliberately huge cost): the relist's answer comes a second later.
    expect(proxyRelists('1000000')).toEqual(none.map((t) => t + 1_000));
  });
});

describe('apiServer.listCostPerObjectMicroseconds', () => {
  const text = (value: string) => `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: list-cost }
spec:
  duration: 1m
  kubernetes: { apiServer: { listCostPerObjectMicroseconds: ${value} } }
  nodes:
    - { name: w, count: 1, zone: zone-a }`;
  const issues = (value: string) => {
    const parsed = parseScenarioText(text(value), { file: 'list-cost.yaml' });
    return parsed.ok ? [] : parsed.issues.map((i) => i.message);
  };

  it('defaults to 20 µs per object and takes a number of at least 0', () => {
    const parsed = parseScenarioText(text('0'), { file: 'list-cost.yaml' });
    expect(parsed.ok && parsed.scenario.spec.kubernetes.apiServer.listCostPerObjectUs).toBe(0);
    const dflt = parseScenarioText(text('20').replace(/\{ apiServer: .* \}/, '{}'), { file: 'list-cost.yaml' });
    expect(dflt.ok && dflt.scenario.spec.kubernetes.apiServer.listCostPerObjectUs).toBe(20);
    expect(issues('-1')).toEqual(['must be at least 0, found -1']);
    expect(issues('20us')).toEqual(['expected a number, found the string "20us"']);
  });
});

// Determinism is a product feature: every scenario in scenarios/ run twice with one seed gives a
// byte-identical trace, and another seed gives another trace where randomness is used. On a
// divergence the test names the first differing event and its virtual time (as madsim does).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from '../../src/engine/index.js';
import { informerChecks } from '../../src/model/apiserver/informer.js';
import { REFERENCE_BEHAVIOUR } from '../../src/model/fast-paths.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { scaleScenario } from '../../bench/scale-scenario.js';
import { scheduleFaults } from '../../src/chaos/faults.js';
import type { Lease } from '../../src/k8s/objects.js';
import { buildCluster } from '../../src/model/cluster.js';
import type { Scenario } from '../../src/scenario/types.js';

const DIR = join(process.cwd(), 'scenarios');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function load(file: string): Scenario {
  const parsed = parseScenarioText(readFileSync(join(DIR, file), 'utf8'), { file });
  if (!parsed.ok) throw new Error(`${file} does not validate:\n${parsed.issues.map((i) => i.message).join('\n')}`);
  return parsed.scenario;
}

function firstDivergence(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  first run:  ${la[i]}\n  second run: ${lb[i]}`;
  }
  return 'none';
}

describe.each(files)('%s', (file) => {
  it('gives a byte-identical trace when run twice with one seed', () => {
    const scenario = load(file);
    const a = toJsonl(runScenario(scenario).events);
    const b = toJsonl(runScenario(scenario).events);
    if (a !== b) throw new Error(`traces diverge at ${firstDivergence(a, b)}`);
    expect(a.length).toBeGreaterThan(0);
  });

  it('gives a different trace with a different seed', () => {
    const scenario = load(file);
    const a = toJsonl(runScenario(scenario, { seed: 1001 }).events);
    const b = toJsonl(runScenario(scenario, { seed: 1002 }).events);
    expect(a).not.toBe(b);
  });
});

// Every fast path off (model/fast-paths.ts, REFERENCE_BEHAVIOUR) is the plain behaviour the fast paths
// stand in for: each scenario must give the same trace both ways, heartbeats traced or not. (npm run vopr
// does the same over generated scenarios.)
describe('the reference behaviour gives the same trace as the fast paths', () => {
  it.each(files)('%s, seeds 1-3, heartbeats traced and not', (file) => {
    const scenario = load(file);
    for (const seed of [1, 2, 3])
      for (const traceHeartbeats of [false, true]) {
        const a = toJsonl(runScenario(scenario, { seed, traceHeartbeats }).events);
        const b = toJsonl(runScenario(scenario, { seed, traceHeartbeats, fastPaths: REFERENCE_BEHAVIOUR }).events);
        if (a !== b)
          throw new Error(
            `seed ${seed}${traceHeartbeats ? ' (heartbeats traced)' : ''}: traces diverge at ${firstDivergence(a, b)}`,
          );
      }
  });
});

// Kubelets send lease renewals ahead of time while the world stays put (model/infra/world.ts) and undo
// that when it changes, giving back what they drew. With the same streams drawn in the same order, a run
// that never works ahead must give the same trace, heartbeats included. (Events of one millisecond can
// still run in another order when they were scheduled at different moments, so a few seeds of other
// scenarios differ after such a tie; these do not, and they cover every kind of world change.)
describe('working ahead changes nothing', () => {
  const cases: Array<[string, number]> = [
    ['node-crash.yaml', 2], // host power off
    ['node-returns.yaml', 1], // power off and on
    ['kubelet-stop.yaml', 1], // the kubelet stops and starts on a running host
    ['zone-partition.yaml', 1], // network cut and healed
    ['control-plane-partition.yaml', 2], // the control plane cut off
    ['clock-rate-split-brain.yaml', 1], // clock rates
    ['etcd-quorum-loss.yaml', 1], // etcd members down
    ['apiserver-outage.yaml', 2], // API server replicas down
    ['heartbeat-loss.yaml', 2], // degraded links (nothing is worked ahead while they last)
  ];
  it.each(cases)('%s seed %d: the same trace with and without speculation', (file, seed) => {
    const scenario = load(file);
    const a = toJsonl(runScenario(scenario, { seed, traceHeartbeats: true }).events);
    const b = toJsonl(runScenario(scenario, { seed, traceHeartbeats: true, fastPaths: { speculation: false } }).events);
    if (a !== b) throw new Error(`traces diverge at ${firstDivergence(a, b)}`);
  });

  // Watch events every handler calls quiet are applied without a delivery (informer.ts). With a 20 s grace
  // period, lost heartbeats make nodes flap: the controller marks pods not ready while their kubelets'
  // watches still deliver, and each kubelet must take that event and report Ready again.
  it.each([1, 2, 3, 4])(
    'heartbeat-loss.yaml with a 20 s grace period, seed %d: the same trace without quiet deliveries',
    (seed) => {
      const scenario = load('heartbeat-loss.yaml');
      scenario.spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs = 20_000;
      const on = runScenario(scenario, { seed });
      const a = toJsonl(on.events);
      const b = toJsonl(runScenario(scenario, { seed, fastPaths: { speculation: false } }).events);
      expect(on.events.some((e) => e.type === 'pod.ready.changed' && !e.ready)).toBe(true);
      if (a !== b) throw new Error(`traces diverge at ${firstDivergence(a, b)}`);
    },
  );
});

// A delivery takes the object its event replaces from the store (no lookup in the cache) when that
// object was written since the informer's watch began: the cache must hold exactly it then.
describe('informers take what a watch event replaces without looking it up', () => {
  afterEach(() => {
    informerChecks.verifyKnownPrev = false;
  });
  it.each(files)('%s, seed 1: every such object is the one the cache holds', (file) => {
    informerChecks.verifyKnownPrev = true;
    expect(() => runScenario(load(file), { seed: 1 })).not.toThrow();
  });
});

// The node lifecycle controller's pass takes a short path for quiet nodes (Ready, nothing to do, Node
// object unchanged since the last pass): it must decide exactly as the full path does.
describe('the node lifecycle short path for quiet nodes changes nothing', () => {
  it.each(files)('%s, seeds 1-3: the same trace with the full path for every node', (file) => {
    const scenario = load(file);
    for (const seed of [1, 2, 3]) {
      const a = toJsonl(runScenario(scenario, { seed, traceHeartbeats: true }).events);
      const b = toJsonl(
        runScenario(scenario, { seed, traceHeartbeats: true, fastPaths: { nodeLifecycleQuietNodes: false } }).events,
      );
      if (a !== b) throw new Error(`seed ${seed}: traces diverge at ${firstDivergence(a, b)}`);
    }
  });
});

// Lease renewals are played late, when someone could tell (model/apiserver/lease-chains.ts), and the
// node lifecycle controller then skips a healthy node's lease while its grace period cannot run out,
// working out later at which pass it saw it (nlc-core.ts). Neither may change anything: the trace must be
// the one of a run with an event per renewal and every lease read at every pass, and that of a run with
// heartbeats traced (which plays every renewal as it happens), and every renewal must still be counted.
describe('lease renewals played late change nothing', () => {
  const leaseTimes = (r: ReturnType<typeof runScenario>) =>
    [...r.cluster.ctx.api.store.leases.values()].map((l) => `${l.metadata.name}@${l.spec.renewTimeMs}`);
  const withoutRenewals = (events: ReadonlyArray<{ type: string }>) =>
    toJsonl(events.filter((e) => e.type !== 'node.lease.renewed') as never);
  /** Runs a scenario with renewals played late and one by one; both must give the same trace and leases. */
  const lateAndEager = (scenario: Scenario, seed: number) => {
    const late = runScenario(scenario, { seed });
    const eager = runScenario(scenario, { seed, fastPaths: { leaseChains: false } });
    const a = withoutRenewals(late.events);
    const b = withoutRenewals(eager.events);
    if (a !== b) throw new Error(`seed ${seed}: traces diverge at ${firstDivergence(b, a)}`);
    // Every lease ends renewed at the same moment (so every renewal drew the same delays).
    expect(leaseTimes(late)).toEqual(leaseTimes(eager));
    return { late, eager, trace: a };
  };
  it.each(files)(
    '%s, seeds 1-3: the same trace as with an event per renewal, and as with heartbeats traced',
    (file) => {
      const scenario = load(file);
      for (const seed of [1, 2, 3]) {
        const { late, trace: a } = lateAndEager(scenario, seed);
        const traced = runScenario(scenario, { seed, traceHeartbeats: true });
        const c = withoutRenewals(traced.events);
        if (a !== c) throw new Error(`seed ${seed}: traces diverge from the traced run at ${firstDivergence(c, a)}`);
        const renewals = traced.events.filter((e) => e.type === 'node.lease.renewed').length;
        expect(late.cluster.ctx.trace.mutedCount).toBe(renewals);
        // Renewals were played late: fewer events than renewals plus everything else.
        if (late.cluster.ctx.api.store.chains.enabled)
          expect(late.summary.stats.events).toBeLessThan(traced.summary.stats.events);
      }
    },
  );

  // Flapping leases under heartbeat loss exercise the skipped-lease bookkeeping (a record replaced after
  // a skipped pass compares with the lease that pass would have taken in: seed 5 needs it).
  it('heartbeat-loss.yaml, seeds 4-8: the same trace as with an event per renewal', () => {
    const scenario = load('heartbeat-loss.yaml');
    for (const seed of [4, 5, 6, 7, 8]) lateAndEager(scenario, seed);
  });

  // Kubelets whose clocks run at a fifth of the rate renew every ~50 virtual seconds, past the 40 s grace
  // period: the pass may skip a chained node's lease past probe + grace only while the lease it would
  // have seen was first seen within the grace period (nlc-core.ts, renewedWithinGrace).
  it("node-crash.yaml with zone-a's kubelet clocks at rate 0.2, seeds 1-3: the same trace, with healthy nodes flapping", () => {
    const scenario = load('node-crash.yaml');
    scenario.spec.faults.push({
      name: 'slow-clocks',
      type: 'clock-skew',
      atMs: 30_000,
      durationMs: 400_000,
      target: { zone: 'zone-a' },
      rate: 0.2,
    });
    for (const seed of [1, 2, 3]) {
      const { eager } = lateAndEager(scenario, seed);
      expect(eager.events.filter((e) => e.type === 'node.ready.changed' && e.to === 'Unknown').length).toBeGreaterThan(
        10,
      );
    }
  });

  // Only the kubelet writes its node lease; should anyone else, the chain ends and the next renewal
  // meets its Conflict as an ordinary event (ensure-lease, then a retry), as with renewals one by one.
  it('a node lease written by someone else while renewals are played late: the same trace and leases', () => {
    const scenario = load('node-crash.yaml');
    const run = (leaseChains: boolean) => {
      const cluster = buildCluster(scenario.spec, { seed: 1, fastPaths: { leaseChains }, clockStepsPossible: false });
      const { sim, api, trace } = cluster.ctx;
      scheduleFaults(cluster, scenario.spec.faults);
      for (const [atMs, node] of [
        [100_000, 'worker-a-0'],
        [100_000, 'worker-c-2'],
        [250_003, 'worker-a-0'],
      ] as const) {
        sim.at(atMs, () => {
          const r = api.store.patch<Lease>(
            'Lease',
            `kube-node-lease/${node}`,
            (l) => ({ ...l, spec: { ...l.spec, holderIdentity: 'someone-else' } }),
            'test',
          );
          expect(r.ok).toBe(true);
        });
      }
      sim.run(scenario.spec.durationMs);
      api.store.chains.catchUpAll();
      const leases = [...api.store.leases.values()].map(
        (l) => `${l.metadata.name}@${l.spec.renewTimeMs}/${l.spec.holderIdentity}`,
      );
      return { trace: withoutRenewals(trace.events as never), leases, renewals: trace.mutedCount };
    };
    const late = run(true);
    const eager = run(false);
    if (late.trace !== eager.trace) throw new Error(`traces diverge at ${firstDivergence(eager.trace, late.trace)}`);
    expect(late.leases).toEqual(eager.leases);
    expect(late.renewals).toBe(eager.renewals);
    // The kubelets took their leases back.
    expect(late.leases.filter((l) => l.endsWith('/someone-else'))).toEqual([]);
  });

  it("the benchmark's cluster (150 nodes, 4,500 pods, a zone outage): the same trace as with an event per renewal", () => {
    const { late } = lateAndEager(scaleScenario(150, 4_500), 1);
    expect(late.cluster.ctx.api.store.chains.enabled).toBe(true);
  });
});

// The leaderElectionChains fast path (src/model/leaderelection/quiet-chain.ts): while nothing can observe
// or disturb them, the electors of a Lease keep their renewals and failed attempts as a chain without
// events, played only when something could tell the difference. Each case starts a fault in the middle
// of such a chain (at an odd millisecond, a minute into the run, when every Lease has been chained for
// most of a minute) and requires the trace with every fast path to equal the reference's
// (REFERENCE_BEHAVIOUR) byte for byte; each also checks that the chain was in use (the run dispatched far
// fewer events than with the chain off) and that the case it is named after happened.
import { toJsonl } from '../../../src/engine/index.js';
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { buildCluster } from '../../../src/model/cluster.js';
import type { Lease } from '../../../src/k8s/objects.js';
import { parseScenarioText } from '../../../src/scenario/index.js';
import type { TraceEvent } from '../../../src/trace/events.js';

const SEEDS = [1, 2, 3, 4];

/** A highly available control plane over three zones, three workers, one Deployment, and `fault`. */
function scenario(fault: string): string {
  return `apiVersion: hasim.dev/v1
kind: Scenario
metadata:
  name: quiet-chain
spec:
  duration: 3m
  kubernetes:
    version: "1.31"
    controllerManager: { replicas: 3 }
    scheduler: { replicas: 3 }
    apiServer: { replicas: 3 }
    etcd: { members: 3 }
    cloudControllerManager: { replicas: 3 }
  controlPlane:
    zones: [zone-a, zone-b, zone-c]
  nodes:
    - { name: worker-a, count: 1, zone: zone-a }
    - { name: worker-b, count: 1, zone: zone-b }
    - { name: worker-c, count: 1, zone: zone-c }
  workloads:
    - kind: Deployment
      name: web
      replicas: 3
      requests: { cpu: 500m, memory: 512Mi }
  faults:
${fault}
`;
}

function firstDivergence(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, k) => line !== y[k]);
  return `line ${i + 1}:\n  fast:      ${x[i]}\n  reference: ${y[i]}`;
}

function parse(text: string) {
  const parsed = parseScenarioText(text, { file: 'quiet-chain.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

/**
 * When the first renewal of the controller-manager's Lease after `afterMs` reaches its API server, in the
 * reference run without faults (until then the runs with a fault are the same).
 */
function renewalArrivalAfter(seed: number, afterMs: number): number {
  const s = parse(scenario('    - { name: none, type: kubelet-stop, at: 2m59s, target: { node: worker-a } }'));
  const cluster = buildCluster(s.spec, { seed, fastPaths: REFERENCE_BEHAVIOUR });
  const store = cluster.ctx.api.store;
  const update = store.update.bind(store);
  let atMs = -1;
  store.update = ((obj, actor) => {
    const now = cluster.ctx.sim.nowMs;
    if (atMs < 0 && now > afterMs && obj.kind === 'Lease' && (obj as Lease).metadata.name === 'kube-controller-manager')
      atMs = now;
    return update(obj, actor);
  }) as typeof store.update;
  cluster.ctx.sim.run(afterMs + 5_000);
  return atMs;
}

const clock = (ms: number) => `${Math.floor(ms / 60_000)}m${((ms % 60_000) / 1000).toFixed(3)}s`;

/** Runs the scenario with every fast path and as the reference; returns the fast run's events. */
function sameAsReference(fault: string, seed: number): TraceEvent[] {
  const s = parse(scenario(fault));
  const fast = runScenario(s, { seed });
  const ref = runScenario(s, { seed, fastPaths: REFERENCE_BEHAVIOUR });
  const a = toJsonl(fast.events);
  const b = toJsonl(ref.events);
  if (a !== b) throw new Error(`seed ${seed}: traces diverge at ${firstDivergence(a, b)}`);
  // The chains were in use: 9 electors over 3 minutes are thousands of events with the chain off.
  const unchained = runScenario(s, { seed, fastPaths: { ...ALL_FAST_PATHS, leaderElectionChains: false } });
  expect(unchained.cluster.ctx.sim.dispatched - fast.cluster.ctx.sim.dispatched).toBeGreaterThan(1_000);
  return fast.events;
}

const after = (events: TraceEvent[], type: string, fromMs: number) =>
  events.filter((e) => e.type === type && e.atMs >= fromMs);

describe('leader election chains: a fault in the middle of a quiet chain gives the reference trace', () => {
  it.each(SEEDS)('a crashed controller-manager leader is replaced as in the reference (seed %d)', (seed) => {
    const events = sameAsReference(
      `    - { name: kcm-crash, type: controller-manager-crash, at: 1m0.777s, duration: 30s, target: { instance: leader } }`,
      seed,
    );
    const acquired = after(events, 'leader.acquired', 60_777).filter(
      (e) => 'component' in e && e.component === 'kube-controller-manager',
    );
    expect(acquired.length).toBeGreaterThan(0);
  });

  it.each(SEEDS)(
    'a control-plane host that loses power takes its electors and API server with it (seed %d)',
    (seed) => {
      const events = sameAsReference(
        `    - { name: zone-b-power, type: zone-outage, at: 1m0.313s, duration: 1m, target: { zone: zone-b } }`,
        seed,
      );
      expect(after(events, 'component.stopped', 60_313).length).toBeGreaterThan(0);
    },
  );

  it.each(SEEDS)('an etcd slower than the renew deadline costs every leader its lease (seed %d)', (seed) => {
    const events = sameAsReference(
      `    - { name: etcd-slow, type: etcd-slow, at: 1m0.521s, duration: 40s, latency: 6s..9s }`,
      seed,
    );
    expect(after(events, 'leader.lost', 60_521).length).toBeGreaterThanOrEqual(3);
  });

  it.each(SEEDS)('an API server outage ends every renewal and every leadership (seed %d)', (seed) => {
    const events = sameAsReference(
      `    - { name: api-down, type: apiserver-outage, at: 1m0.149s, duration: 30s }`,
      seed,
    );
    expect(after(events, 'leader.lost', 60_149).length).toBeGreaterThanOrEqual(3);
    expect(after(events, 'leader.acquired', 90_149).length).toBeGreaterThanOrEqual(3);
  });

  it.each(SEEDS)(
    'an API server outage that starts while a renewal is on its way times it out and ends the round on time (seed %d)',
    (seed) => {
      const atMs = renewalArrivalAfter(seed, 60_000);
      const events = sameAsReference(
        `    - { name: api-down, type: apiserver-outage, at: ${clock(atMs)}, duration: 30s }`,
        seed,
      );
      expect(after(events, 'leader.lost', atMs).length).toBeGreaterThanOrEqual(3);
    },
  );

  it.each(SEEDS)('a partition that isolates the controller-manager leader hands the lease over (seed %d)', (seed) => {
    const events = sameAsReference(
      `    - { name: leader-cut-off, type: network-partition, at: 1m1.303s, duration: 1m, target: { instance: leader } }`,
      seed,
    );
    const kcm = (type: string) =>
      after(events, type, 61_303).filter((e) => 'component' in e && e.component === 'kube-controller-manager');
    expect(kcm('leader.lost').length).toBeGreaterThan(0);
    expect(kcm('leader.acquired').length).toBeGreaterThan(0);
  });

  it.each(SEEDS)('a clock skew on a control-plane host re-times its electors from that moment (seed %d)', (seed) => {
    const events = sameAsReference(
      `    - { name: leader-clock, type: clock-skew, at: 1m0.611s, duration: 1m, rate: 0.5, offset: 20s, target: { instance: leader, component: kube-controller-manager } }`,
      seed,
    );
    expect(events.some((e) => e.type === 'fault.started' && e.atMs === 60_611)).toBe(true);
  });
});

// The node-failure chain end to end (docs/fidelity.md#node-lifecycle-controller, docs/fidelity.md#taint-eviction-controller, docs/fidelity.md#workload-controllers, docs/fidelity.md#single-node-failure): the scenario library in scenarios/
// is loaded and run in-process, and the trace is checked against the upstream-expected windows.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { TraceEvent, TraceEventOf, TraceEventType } from '../../src/trace/events.js';

const DIR = join(process.cwd(), 'scenarios');

function load(file: string): Scenario {
  const parsed = parseScenarioText(readFileSync(join(DIR, file), 'utf8'), { file });
  if (!parsed.ok) throw new Error(`${file} does not validate:\n${parsed.issues.map((i) => i.message).join('\n')}`);
  return parsed.scenario;
}

function ofType<K extends TraceEventType>(events: TraceEvent[], type: K): TraceEventOf<K>[] {
  return events.filter((e): e is TraceEventOf<K> => e.type === type);
}

function faultStart(events: TraceEvent[], fault: string): number {
  const e = ofType(events, 'fault.started').find((f) => f.fault === fault);
  if (!e) throw new Error(`fault ${fault} never started`);
  return e.atMs;
}

/** Pod -> node it was last scheduled on, as of time t. */
function podsOn(events: TraceEvent[], node: string, beforeMs: number): string[] {
  const where = new Map<string, string>();
  const gone = new Set<string>();
  for (const e of events) {
    if (e.atMs > beforeMs) break;
    if (e.type === 'pod.scheduled') where.set(e.pod, e.node);
    if (e.type === 'pod.removed') gone.add(e.pod);
  }
  return [...where].filter(([p, n]) => n === node && !gone.has(p)).map(([p]) => p);
}

// (a) ------------------------------------------------------------------------------------------------

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

describe.each([
  { file: 'node-crash.yaml', graceMs: 40_000 },
  { file: 'node-crash-1.32.yaml', graceMs: 50_000 },
])('$file: the node-crash chain over 20 seeds', ({ file, graceMs }) => {
  const scenario = load(file);
  const fault = scenario.spec.faults[0];
  const node = fault.target.node!;
  const runs = new Map<number, { events: TraceEvent[]; crashMs: number; r: number; tU: number }>();
  /** One run per seed, shared by the per-seed test and the spread test. */
  function run(seed: number) {
    let got = runs.get(seed);
    if (got) return got;
    const { events } = runScenario(scenario, { seed, traceHeartbeats: true });
    const crashMs = faultStart(events, fault.name);
    const renewals = ofType(events, 'node.lease.renewed').filter((e) => e.node === node && e.atMs <= crashMs);
    expect(renewals.length).toBeGreaterThan(0);
    const unknown = ofType(events, 'node.ready.changed').find(
      (e) => e.node === node && e.to === 'Unknown' && e.by === 'node-lifecycle-controller' && e.atMs > crashMs,
    );
    expect(unknown).toBeDefined();
    got = { events, crashMs, r: renewals[renewals.length - 1].atMs, tU: unknown!.atMs };
    runs.set(seed, got);
    return got;
  }

  it.each(SEEDS)('seed %i: Unknown, NoExecute taint, eviction, replacement in the upstream windows', (seed) => {
    const { events, crashMs, r, tU } = run(seed);
    // grace .. grace + one 5 s pass after r; the controller observes the renewal a few ms after r.
    expect(tU - r).toBeGreaterThan(graceMs);
    expect(tU - r).toBeLessThanOrEqual(graceMs + 5_000 + 100);
    // The crash is 0-10.4 s after the last renewal, so it is detected (grace - 10.4 s, grace + 5.1 s] after it.
    expect(tU - crashMs).toBeGreaterThan(graceMs - 10_400);
    expect(tU - crashMs).toBeLessThanOrEqual(graceMs + 5_100);

    const taint = ofType(events, 'node.taint.added').find(
      (e) => e.node === node && e.key === 'node.kubernetes.io/unreachable' && e.effect === 'NoExecute',
    );
    expect(taint).toBeDefined();
    const tNE = taint!.atMs;
    expect(tNE - tU).toBeGreaterThanOrEqual(5_000);
    expect(tNE - tU).toBeLessThanOrEqual(5_200);

    const victims = podsOn(events, node, crashMs);
    expect(victims.length).toBeGreaterThan(0);
    const deletions = ofType(events, 'pod.deleted');
    const created = ofType(events, 'pod.created');
    const scheduled = ofType(events, 'pod.scheduled');
    for (const pod of victims) {
      const del = deletions.find((e) => e.pod === pod);
      expect(del).toBeDefined();
      expect(del!.reason).toBe('taint-eviction');
      expect(Math.abs(del!.atMs - (tNE + 300_000))).toBeLessThanOrEqual(200);
    }
    // One replacement per eviction, created within 1 s and scheduled on another node within 1 s.
    for (const del of deletions.filter((d) => victims.includes(d.pod))) {
      const repl = created.find((c) => c.atMs >= del.atMs && c.atMs - del.atMs <= 1_000 && !victims.includes(c.pod));
      expect(repl).toBeDefined();
      const sched = scheduled.find((s) => s.pod === repl!.pod);
      expect(sched).toBeDefined();
      expect(sched!.node).not.toBe(node);
      expect(sched!.atMs - repl!.atMs).toBeLessThanOrEqual(1_000);
      const ready = ofType(events, 'pod.ready.changed').find((e) => e.pod === repl!.pod && e.ready);
      expect(ready).toBeDefined();
    }
  });

  it('over the 20 seeds, the last renewal falls anywhere in the 10 s renew interval before the crash', () => {
    // Each kubelet renews at its own seeded phase (cluster.ts), so where the crash lands in the renew
    // interval, and hence detection after the crash, varies by seed; Unknown covers the 5 s window after
    // grace (1.31, seeds 1-20: 40.06-44.47 s after r; 31.1-41.1 s after the crash).
    const all = SEEDS.map(run);
    const sinceR = all.map((x) => x.tU - x.r);
    const sinceCrash = all.map((x) => x.tU - x.crashMs);
    const lastRenewal = all.map((x) => x.crashMs - x.r);
    expect(Math.max(...lastRenewal) - Math.min(...lastRenewal)).toBeGreaterThan(7_000);
    expect(Math.max(...sinceR) - Math.min(...sinceR)).toBeGreaterThan(3_500);
    expect(Math.max(...sinceCrash) - Math.min(...sinceCrash)).toBeGreaterThanOrEqual(5_000);
  });
});

// (b) ------------------------------------------------------------------------------------------------

describe('partial-disruption.yaml', () => {
  const scenario = load('partial-disruption.yaml');
  it.each([1, 2, 3, 4, 5])(
    'seed %i: zone-a enters PartialDisruption and from then on nothing is tainted NoExecute',
    (seed) => {
      const { events } = runScenario(scenario, { seed });
      const partial = ofType(events, 'zone.state.changed').find(
        (e) => e.zone === 'zone-a' && e.to === 'PartialDisruption',
      );
      expect(partial).toBeDefined();
      const taints = ofType(events, 'node.taint.added').filter((e) => e.effect === 'NoExecute');
      expect(taints.filter((e) => e.atMs >= partial!.atMs)).toEqual([]);
      // A node is tainted only if the zone was still Normal when its taint came due: its taint is queued in
      // the pass after it went Unknown, so only a node that went Unknown two passes (10 s) before the zone
      // crossed the threshold is tainted, at the normal rate, and its pods evicted 300 s later. The kubelets'
      // lease phases differ, so that happens on some seeds (here seeds 1-3, not 4 or 5).
      for (const n of ['worker-a-0', 'worker-a-1', 'worker-a-2']) {
        const unknown = ofType(events, 'node.ready.changed').find((e) => e.node === n && e.to === 'Unknown');
        expect(unknown).toBeDefined();
        const tainted = taints.some((e) => e.node === n);
        expect([n, tainted]).toEqual([n, unknown!.atMs <= partial!.atMs - 9_900]);
      }
      const evicted = ofType(events, 'pod.deleted').filter((e) => e.reason === 'taint-eviction');
      if (taints.length === 0) expect(evicted).toEqual([]);
      for (const e of evicted) expect(taints.some((t) => Math.abs(e.atMs - t.atMs - 300_000) <= 200)).toBe(true);
    },
  );
});

// (c) ------------------------------------------------------------------------------------------------

describe('all-nodes-unreachable.yaml', () => {
  const scenario = load('all-nodes-unreachable.yaml');
  const graceMs = scenario.spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs;
  it.each([1, 2, 3])(
    'seed %i: no NoExecute taint while every zone is fully disrupted, and a fresh grace period after the heal',
    (seed) => {
      const { events } = runScenario(scenario, { seed });
      const fault = scenario.spec.faults[0];
      const start = faultStart(events, fault.name);
      const healed = ofType(events, 'fault.ended').find((e) => e.fault === fault.name)!.atMs;
      const nodes = scenario.spec.nodes.map((n) => n.name);
      const zones = new Set(scenario.spec.nodes.map((n) => n.zone));

      // Every node was declared Unknown, every zone fully disrupted ...
      const unknowns = ofType(events, 'node.ready.changed').filter((e) => e.to === 'Unknown' && e.atMs > start);
      expect(new Set(unknowns.filter((e) => e.atMs < healed).map((e) => e.node))).toEqual(new Set(nodes));
      const full = new Set<string>();
      let allFullAt: number | undefined;
      for (const e of ofType(events, 'zone.state.changed')) {
        if (e.to === 'FullDisruption') full.add(e.zone);
        else full.delete(e.zone);
        if (allFullAt === undefined && full.size === zones.size) allFullAt = e.atMs;
      }
      expect(allFullAt).toBeDefined();
      // ... so nothing is tainted NoExecute while that lasts. A node detected two passes before the others
      // (kubelet phases differ) may have been tainted while its zone was still Normal: entering the
      // all-zones-down mode removes that taint again.
      const noExecute = ofType(events, 'node.taint.added').filter((e) => e.effect === 'NoExecute' && e.atMs < healed);
      expect(noExecute.filter((e) => e.atMs >= allFullAt!)).toEqual([]);
      for (const t of noExecute) {
        const removed = ofType(events, 'node.taint.removed').find(
          (e) => e.node === t.node && e.effect === 'NoExecute' && e.atMs >= t.atMs,
        );
        expect(removed).toBeDefined();
        expect(removed!.atMs - allFullAt!).toBeGreaterThanOrEqual(0);
        expect(removed!.atMs - allFullAt!).toBeLessThanOrEqual(100);
      }
      expect(ofType(events, 'pod.deleted')).toEqual([]);
      // After the heal every node is Ready again and none goes Unknown within a grace period.
      for (const n of nodes) {
        expect(
          ofType(events, 'node.ready.changed').some((e) => e.node === n && e.to === 'True' && e.atMs > healed),
        ).toBe(true);
      }
      expect(unknowns.filter((e) => e.atMs >= healed && e.atMs <= healed + graceMs + 10_000)).toEqual([]);
    },
  );
});

// (d) ------------------------------------------------------------------------------------------------

describe('zone-outage.yaml', () => {
  const scenario = load('zone-outage.yaml');
  it.each([1, 2, 3, 4, 5])('seed %i: the zone is tainted one node every 10 s and recovers elsewhere', (seed) => {
    const { events } = runScenario(scenario, { seed });
    const zoneNodes = scenario.spec.nodes.filter((n) => n.zone === 'zone-c').map((n) => n.name);
    const taints = ofType(events, 'node.taint.added').filter(
      (e) => e.effect === 'NoExecute' && e.key === 'node.kubernetes.io/unreachable',
    );
    expect(taints.map((t) => t.node).sort()).toEqual([...zoneNodes].sort());
    for (let i = 1; i < taints.length; i++) {
      expect(Math.abs(taints[i].atMs - taints[i - 1].atMs - 10_000)).toBeLessThanOrEqual(200);
    }
    // Every replacement lands outside zone-c.
    const evicted = ofType(events, 'pod.deleted').filter((e) => e.reason === 'taint-eviction');
    expect(evicted).toHaveLength(3);
    const end = faultStart(events, 'zone-c-power') + scenario.spec.faults[0].durationMs!;
    const laterSched = ofType(events, 'pod.scheduled').filter((e) => e.atMs >= evicted[0].atMs && e.atMs < end);
    expect(laterSched).toHaveLength(3);
    for (const s of laterSched) expect(zoneNodes).not.toContain(s.node);
  });
});

describe('zone-outage-topology-spread.yaml', () => {
  it('keeps the replacements Pending on the hard spread constraint until the zone returns', () => {
    const scenario = load('zone-outage-topology-spread.yaml');
    const { events } = runScenario(scenario);
    const zoneNodes = scenario.spec.nodes.filter((n) => n.zone === 'zone-c').map((n) => n.name);
    const back = faultStart(events, 'zone-c-power') + scenario.spec.faults[0].durationMs!;
    const evicted = ofType(events, 'pod.deleted').filter((e) => e.reason === 'taint-eviction');
    expect(evicted).toHaveLength(3);
    const unsched = ofType(events, 'pod.unschedulable');
    expect(unsched.length).toBeGreaterThanOrEqual(3);
    for (const u of unsched) expect(u.reason).toContain("didn't match pod topology spread constraints");
    const replacements = ofType(events, 'pod.created').filter((e) => e.atMs >= evicted[0].atMs);
    expect(replacements).toHaveLength(3);
    for (const p of replacements) {
      const s = ofType(events, 'pod.scheduled').find((e) => e.pod === p.pod);
      expect(s).toBeDefined();
      expect(s!.atMs).toBeGreaterThanOrEqual(back);
      expect(zoneNodes).toContain(s!.node);
    }
  });
});

// (e) ------------------------------------------------------------------------------------------------

describe('StatefulSet pod on a crashed node', () => {
  const POD = 'ledger-1';

  it('statefulset-node-crash.yaml: stays Terminating and is never re-created without an operator', () => {
    const { events } = runScenario(load('statefulset-node-crash.yaml'));
    const del = ofType(events, 'pod.deleted').find((e) => e.pod === POD);
    expect(del?.reason).toBe('taint-eviction');
    expect(ofType(events, 'pod.removed').filter((e) => e.pod === POD)).toEqual([]);
    expect(ofType(events, 'pod.created').filter((e) => e.pod === POD)).toHaveLength(1);
  });

  it.each([
    { file: 'statefulset-node-delete.yaml', operator: 'operator-deletes-worker-b-1', removedWithinMs: 60_000 + 1_000 },
    {
      file: 'statefulset-out-of-service.yaml',
      operator: 'operator-marks-worker-b-1-out-of-service',
      removedWithinMs: 20_000 + 1_000,
    },
    { file: 'statefulset-force-delete.yaml', operator: 'operator-force-deletes-ledger', removedWithinMs: 1_000 },
  ])(
    '$file: Terminating until the operator acts, then removed and re-created with the same name',
    ({ file, operator, removedWithinMs }) => {
      const scenario = load(file);
      const { events } = runScenario(scenario);
      const crashed = scenario.spec.faults[0].target.node!;
      expect(podsOn(events, crashed, faultStart(events, scenario.spec.faults[0].name))).toEqual([POD]);
      const opMs = faultStart(events, operator);
      const del = ofType(events, 'pod.deleted').find((e) => e.pod === POD);
      expect(del?.reason).toBe('taint-eviction');
      expect(del!.atMs).toBeLessThan(opMs);

      const removed = ofType(events, 'pod.removed').filter((e) => e.pod === POD);
      expect(removed).toHaveLength(1);
      expect(removed[0].atMs).toBeGreaterThanOrEqual(opMs);
      expect(removed[0].atMs - opMs).toBeLessThanOrEqual(removedWithinMs);

      const created = ofType(events, 'pod.created').filter((e) => e.pod === POD);
      expect(created).toHaveLength(2);
      expect(created[1].atMs).toBeGreaterThanOrEqual(removed[0].atMs);
      const sched = ofType(events, 'pod.scheduled').filter((e) => e.pod === POD);
      expect(sched).toHaveLength(2);
      expect(sched[1].node).not.toBe(crashed);
      const ready = ofType(events, 'pod.ready.changed').filter(
        (e) => e.pod === POD && e.ready && e.atMs > created[1].atMs,
      );
      expect(ready).toHaveLength(1);
    },
  );
});

// (f) ------------------------------------------------------------------------------------------------

describe('node-returns.yaml', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: tainted, but back before the toleration runs out: no pod is deleted', (seed) => {
    const scenario = load('node-returns.yaml');
    const { events } = runScenario(scenario, { seed });
    const node = scenario.spec.faults[0].target.node!;
    expect(ofType(events, 'node.taint.added').some((e) => e.node === node && e.effect === 'NoExecute')).toBe(true);
    expect(ofType(events, 'node.taint.removed').some((e) => e.node === node && e.effect === 'NoExecute')).toBe(true);
    expect(ofType(events, 'pod.deleted')).toEqual([]);
  });
});

// Golden ---------------------------------------------------------------------------------------------

describe('golden: every scenario in scenarios/ holds its SLOs', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  it.each(files)('%s', (file) => {
    const { summary } = runScenario(load(file));
    const failed = summary.slos
      .filter((s) => !s.passed)
      .map((s) => `${s.name}: measured ${s.measuredMs ?? s.measured}`);
    expect(failed).toEqual([]);
    expect(summary.passed).toBe(true);
  });
});

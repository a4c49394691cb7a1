// The upstream leader-election vectors (docs/fidelity.md#vectors-l1-to-l10, leaderelection_test.go) against the simulated
// API server: one candidate on its own host, every attempt a round trip over the simulated network.
import { SimulationBug } from '../../../src/engine/index.js';
import { Host } from '../../../src/model/infra/host.js';
import {
  LeaderElector,
  leaderElectionConfigProblems,
  lockClientTimeoutMs,
} from '../../../src/model/leaderelection/leader-elector.js';
import type { LeaderElectionConfig } from '../../../src/scenario/types.js';
import { TestProcess, controlPlane, putLease, recordLeaseOps } from './fixtures.js';

/** LeaseDuration 10 s as in the upstream table tests. */
const CONFIG: LeaderElectionConfig = { leaseDurationMs: 10_000, renewDeadlineMs: 5_000, retryPeriodMs: 2_000 };
const NAME = 'kube-controller-manager';

function setup(
  config: LeaderElectionConfig = CONFIG,
  opts: { conflictOnUpdate?: number; releaseOnCancel?: boolean } = {},
) {
  const cluster = controlPlane({ apiServers: 1, etcdMembers: 1 });
  const { ctx } = cluster;
  const host = new Host(ctx.sim, 'candidate-host', 'zone-a', 'control-plane');
  const proc = new TestProcess(ctx, host);
  proc.start();
  const events: string[] = [];
  const elector = new LeaderElector(proc, NAME, config, opts.releaseOnCancel ?? false, {
    onStartedLeading: () => events.push('became leader'),
    onStoppedLeading: () => events.push('stopped leading'),
  });
  const ops = recordLeaseOps(ctx.api.store, opts);
  const lease = () => {
    const r = ctx.api.store.getLease('kube-system', NAME);
    return r.ok ? r.value.spec : undefined;
  };
  /** One tryAcquireOrRenew, run to completion. */
  const attempt = (): boolean => {
    let result: boolean | undefined;
    elector.tryAcquireOrRenew((ok) => (result = ok));
    ctx.sim.run(ctx.sim.nowMs + 1_000);
    if (result === undefined) throw new Error('attempt did not finish');
    return result;
  };
  const mono = () => host.clock.monotonicNow();
  return { cluster, ctx, proc, elector, ops, lease, attempt, events, mono };
}

describe('leader election vectors (leaderelection_test.go)', () => {
  test('L1: no Lease yet ⇒ GET NotFound, CREATE, success with transitions 0', () => {
    const t = setup();
    t.ctx.sim.run(1_000);
    t.ops.length = 0;
    expect(t.attempt()).toBe(true);
    expect(t.ops).toEqual(['get', 'create']);
    expect(t.lease()).toMatchObject({
      holderIdentity: t.elector.identity,
      leaseDurationSeconds: 10,
      leaseTransitions: 0,
    });
  });

  test('L2: a Lease with an empty spec is taken over with GET + UPDATE and transitions 1', () => {
    const t = setup();
    putLease(t.ctx.api.store, NAME, {});
    t.ops.length = 0;
    expect(t.attempt()).toBe(true);
    expect(t.ops).toEqual(['get', 'update']);
    expect(t.lease()).toMatchObject({ holderIdentity: t.elector.identity, leaseTransitions: 1 });
  });

  test("L3: expiry uses the record's leaseDurationSeconds (3 s), not the configured 10 s", () => {
    const t = setup();
    putLease(t.ctx.api.store, NAME, { holderIdentity: 'bing', leaseDurationSeconds: 3 });
    expect(t.attempt()).toBe(false);
    expect(t.lease()?.holderIdentity).toBe('bing');
    const observedAtMs = t.elector.observedTimeMs;
    // "Sleep" until the record's 3 s have passed on the candidate's clock, then try again.
    t.ctx.sim.run(t.ctx.sim.nowMs + (observedAtMs + 3_000 - t.mono()));
    expect(t.attempt()).toBe(true);
    expect(t.lease()).toMatchObject({ holderIdentity: t.elector.identity, leaseTransitions: 1 });
  });

  test('L4: an empty record {} is acquired (transitions 1), even when observed "in the future"', () => {
    const t = setup();
    putLease(t.ctx.api.store, NAME, {});
    const stored = t.lease()!;
    t.elector.primeObservation(stored, t.mono() + 1000 * 3600_000);
    expect(t.attempt()).toBe(true);
    expect(t.lease()).toMatchObject({ holderIdentity: t.elector.identity, leaseTransitions: 1 });
  });

  test('L5: an unchanged record observed 1000 h ago has expired ⇒ acquire with transitions 1', () => {
    const t = setup();
    t.ctx.sim.run(10_000);
    putLease(t.ctx.api.store, NAME, { holderIdentity: 'bing', leaseDurationSeconds: 10 });
    t.elector.primeObservation(t.lease()!, t.mono() - 1000 * 3600_000);
    expect(t.attempt()).toBe(true);
    expect(t.lease()).toMatchObject({ holderIdentity: t.elector.identity, leaseTransitions: 1 });
  });

  test('L6: a record observed "1000 h in the future" is valid ⇒ fail after one GET, holder stays bing', () => {
    const t = setup();
    putLease(t.ctx.api.store, NAME, { holderIdentity: 'bing', leaseDurationSeconds: 10 });
    t.elector.primeObservation(t.lease()!, t.mono() + 1000 * 3600_000);
    t.ops.length = 0;
    expect(t.attempt()).toBe(false);
    expect(t.ops).toEqual(['get']);
    expect(t.lease()?.holderIdentity).toBe('bing');
  });

  test('L7: renewing its own Lease without a cached object skips the fast path: GET + UPDATE, transitions kept', () => {
    const t = setup();
    putLease(t.ctx.api.store, NAME, {
      holderIdentity: t.elector.identity,
      leaseDurationSeconds: 10,
      leaseTransitions: 0,
    });
    t.elector.primeObservation(t.lease()!, t.mono());
    t.ops.length = 0;
    expect(t.attempt()).toBe(true);
    expect(t.ops).toEqual(['get', 'update']);
    expect(t.lease()).toMatchObject({ holderIdentity: t.elector.identity, leaseTransitions: 0 });
  });

  const FAST: LeaderElectionConfig = { leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 1_000 };

  test('L8: renewals take the fast path (get, create, update, update)', () => {
    const t = setup(FAST);
    t.elector.run();
    // Acquire at once, first renew round at once, the next one retryPeriod (1 s) after it ended.
    t.ctx.sim.run(1_500);
    expect(t.ops).toEqual(['get', 'create', 'update', 'update']);
    expect(t.elector.isLeader).toBe(true);
  });

  test('L8: a conflict on the fast path falls back to GET + UPDATE in the same attempt', () => {
    const t = setup(FAST, { conflictOnUpdate: 2 });
    t.elector.run();
    // Renew rounds at ≈0 s (fast path), ≈1 s (conflict, slow path) and ≈2 s (fast path again).
    t.ctx.sim.run(2_500);
    expect(t.ops).toEqual(['get', 'create', 'update', 'update(conflict)', 'get', 'update', 'update']);
    expect(t.lease()).toMatchObject({ holderIdentity: t.elector.identity, leaseTransitions: 0 });
  });

  test('L9: ReleaseOnCancel: became leader, then a graceful stop releases the Lease (holder "", 1 s)', () => {
    const t = setup(FAST, { releaseOnCancel: true });
    t.elector.run();
    t.ctx.sim.run(1_500);
    expect(t.events).toEqual(['became leader']);
    t.ops.length = 0;
    t.elector.stop(true);
    t.ctx.sim.run(2_500);
    expect(t.ops).toEqual(['update']);
    expect(t.lease()).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(t.elector.isLeader).toBe(false);
    const trace = t.ctx.trace.events.filter((e) => e.type.startsWith('leader.')).map((e) => e.type);
    expect(trace).toEqual(['leader.acquired', 'leader.lost']);
  });

  test('L10: configuration validation as NewLeaderElector', () => {
    expect(
      leaderElectionConfigProblems({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 1_000 }, 'baz'),
    ).toEqual([]);
    expect(
      leaderElectionConfigProblems({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 1_000 }, ''),
    ).toEqual(['Lock identity is empty']);
    expect(
      leaderElectionConfigProblems({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }, 'baz'),
    ).toEqual(['renewDeadline must be greater than retryPeriod*JitterFactor']);
    expect(
      leaderElectionConfigProblems({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }, 'baz'),
    ).toEqual(['leaseDuration must be greater than renewDeadline']);
    const t = setup();
    expect(
      () =>
        new LeaderElector(
          t.proc,
          NAME,
          { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
          false,
          {
            onStartedLeading() {},
            onStoppedLeading() {},
          },
        ),
    ).toThrow(SimulationBug);
    expect(lockClientTimeoutMs({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toBe(5_000);
    expect(lockClientTimeoutMs({ leaseDurationMs: 15_000, renewDeadlineMs: 1_500, retryPeriodMs: 1_000 })).toBe(1_000);
  });
});

describe('leader election loops', () => {
  test('a standby retries every retryPeriod + U[0,1)·1.2·retryPeriod after its previous attempt ended', () => {
    const t = setup();
    putLease(t.ctx.api.store, NAME, { holderIdentity: 'bing', leaseDurationSeconds: 3600 });
    const getsAtMs: number[] = [];
    const store = t.ctx.api.store;
    const getLease = store.getLease.bind(store);
    store.getLease = (ns, name) => {
      getsAtMs.push(t.ctx.sim.nowMs);
      return getLease(ns, name);
    };
    t.elector.run();
    t.ctx.sim.run(200_000);
    const gaps = getsAtMs.slice(1).map((at, i) => at - getsAtMs[i]);
    expect(gaps.length).toBeGreaterThan(40);
    // Round trip 2–10 ms on top of the [2 s, 4.4 s) wait.
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(2_000);
      expect(g).toBeLessThan(4_400 + 10);
    }
    const meanMs = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(meanMs).toBeGreaterThan(2_900);
    expect(meanMs).toBeLessThan(3_500);
  });

  test('a leader cut off from the API server stops leading renewDeadline after the round that follows its last renew', () => {
    const t = setup();
    t.elector.run();
    t.ctx.sim.run(20_000);
    expect(t.elector.isLeader).toBe(true);
    let lastRenewMs = 0;
    const store = t.ctx.api.store;
    const update = store.update.bind(store);
    store.update = ((obj, actor) => {
      const r = update(obj, actor);
      if (r.ok) lastRenewMs = t.ctx.sim.nowMs;
      return r;
    }) as typeof store.update;
    t.ctx.sim.run(21_000);
    t.ctx.network.cut('p', ['candidate-host'], ['control-plane-0']);
    t.ctx.sim.run(60_000);
    const lost = t.ctx.trace.events.find((e) => e.type === 'leader.lost')!;
    // Round starts 2 s after the renew's response, and runs out 5 s (renewDeadline) later.
    expect(lost.atMs - lastRenewMs).toBeGreaterThanOrEqual(7_000);
    expect(lost.atMs - lastRenewMs).toBeLessThanOrEqual(7_010);
    expect(t.events).toEqual(['became leader', 'stopped leading']);
  });
});

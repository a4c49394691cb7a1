// Failover of the leader-elected control plane (docs/fidelity.md#controller-manager-failover): crash, graceful stop, partition and
// clock-rate skew, measured from the trace as the leaderless-time and max-concurrent-leaders SLOs do.
import { Priority } from '../../../src/engine/index.js';
import type { Cluster } from '../../../src/model/cluster.js';
import type { Lease } from '../../../src/k8s/objects.js';
import type { Process } from '../../../src/model/infra/process.js';
import { concurrency, controlPlane, leaderIntervals } from './fixtures.js';

const KCM = 'kube-controller-manager';
const SCHED = 'kube-scheduler';
const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

type Elected = Process & { readonly isLeader: boolean; elector: { identity: string } | undefined };

function leaderOf(list: readonly Elected[]): Elected {
  const leaders = list.filter((p) => p.isLeader);
  expect(leaders).toHaveLength(1);
  return leaders[0];
}

/** Calls fn at the server-side moment of `proc`'s next successful write of its lease (a renewal). */
function onNextRenewal(cluster: Cluster, leaseName: string, proc: Elected, fn: (atMs: number) => void): void {
  const store = cluster.ctx.api.store;
  const update = store.update.bind(store);
  let fired = false;
  store.update = ((obj, actor) => {
    const r = update(obj, actor);
    const identity = proc.elector?.identity;
    if (
      !fired &&
      r.ok &&
      obj.kind === 'Lease' &&
      obj.metadata.name === leaseName &&
      (obj as Lease).spec.holderIdentity === identity
    ) {
      fired = true;
      const atMs = cluster.ctx.sim.nowMs;
      cluster.ctx.sim.at(atMs, () => fn(atMs), 'test/after-renewal', Priority.late);
    }
    return r;
  }) as typeof store.update;
}

/** Server-side time of every successful write of `leaseName` by `identity`. */
function renewals(cluster: Cluster, leaseName: string): Array<{ atMs: number; holder: string }> {
  const out: Array<{ atMs: number; holder: string }> = [];
  const store = cluster.ctx.api.store;
  const update = store.update.bind(store);
  store.update = ((obj, actor) => {
    const r = update(obj, actor);
    if (r.ok && obj.kind === 'Lease' && obj.metadata.name === leaseName)
      out.push({ atMs: cluster.ctx.sim.nowMs, holder: (obj as Lease).spec.holderIdentity });
    return r;
  }) as typeof store.update;
  return out;
}

function firstAcquisitionAfter(cluster: Cluster, component: string, afterMs: number) {
  return cluster.ctx.trace.events.find(
    (e) => e.type === 'leader.acquired' && e.component === component && e.atMs > afterMs,
  );
}

function stats(xs: number[]) {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0], max: sorted[sorted.length - 1], mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

const HA = { controllerManagers: 3, schedulers: 3, apiServers: 3, etcdMembers: 3 };

describe('control-plane failover', () => {
  test('exactly one kube-controller-manager and one kube-scheduler lead once the cluster has started', () => {
    const cluster = controlPlane({ ...HA, seed: 7 });
    cluster.ctx.sim.run(30_000);
    leaderOf(cluster.controllerManagers);
    leaderOf(cluster.schedulers);
    const lease = cluster.ctx.api.store.getLease('kube-system', KCM);
    expect(lease.ok && lease.value.spec.leaseTransitions).toBe(0);
  });

  test('a crashed KCM leader (no release) is replaced 15–23.8 s after its last renewal, over 50 seeds', () => {
    const delaysMs: number[] = [];
    for (const seed of seeds(50)) {
      const cluster = controlPlane({ ...HA, seed });
      cluster.ctx.sim.run(30_000);
      const leader = leaderOf(cluster.controllerManagers);
      let crashAtMs = -1;
      onNextRenewal(cluster, KCM, leader, (atMs) => {
        crashAtMs = atMs;
        leader.kill('controller-manager-crash');
      });
      cluster.ctx.sim.run(70_000);
      expect(crashAtMs).toBeGreaterThan(0);
      const acquired = firstAcquisitionAfter(cluster, KCM, crashAtMs)!;
      expect(acquired.instance).not.toBe(leader.name);
      delaysMs.push(acquired.atMs - crashAtMs);
      const lease = cluster.ctx.api.store.getLease('kube-system', KCM);
      expect(lease.ok && lease.value.spec.leaseTransitions).toBe(1);
    }
    const s = stats(delaysMs);
    // 15 s lease from the standby's first look (0–4.4 s after the crash), then up to one more retry gap;
    // plus a GET and an UPDATE round trip (≤ 20 ms).
    expect(s.min).toBeGreaterThanOrEqual(15_000);
    expect(s.max).toBeLessThan(23_800 + 20);
    expect(s.mean).toBeGreaterThan(16_500);
    expect(s.mean).toBeLessThan(20_500);
  });

  test('a gracefully stopped kube-scheduler releases its lease and a standby leads within 4.4 s, over 50 seeds', () => {
    const delaysMs: number[] = [];
    for (const seed of seeds(50)) {
      const cluster = controlPlane({ ...HA, seed });
      cluster.ctx.sim.run(30_000);
      const leader = leaderOf(cluster.schedulers) as Elected & { shutdown(): void };
      leader.shutdown();
      cluster.ctx.sim.run(40_000);
      const acquired = firstAcquisitionAfter(cluster, SCHED, 30_000)!;
      expect(acquired.instance).not.toBe(leader.name);
      delaysMs.push(acquired.atMs - 30_000);
      expect(concurrency(leaderIntervals(cluster.ctx.trace.events, SCHED)).maxLeaders).toBe(1);
    }
    expect(stats(delaysMs).max).toBeLessThan(4_400 + 25);
  });

  test('a KCM leader cut off from etcd quorum stops leading ≈12 s after its last successful renewal, then exits and restarts', () => {
    for (const seed of seeds(20)) {
      const cluster = controlPlane({ ...HA, seed });
      const writes = renewals(cluster, KCM);
      cluster.ctx.sim.run(30_000);
      const leader = leaderOf(cluster.controllerManagers);
      const identity = leader.elector!.identity;
      const others = [...cluster.ctx.hosts.keys()].filter((h) => h !== leader.host.name);
      // Its own API server replica still answers it, but without etcd quorum: Unavailable.
      cluster.ctx.network.cut('p', [leader.host.name], others);
      cluster.ctx.sim.run(70_000);
      const lastRenewMs = Math.max(
        ...writes.filter((w) => w.holder === identity && w.atMs <= 30_000).map((w) => w.atMs),
      );
      const lost = cluster.ctx.trace.events.find((e) => e.type === 'leader.lost' && e.instance === leader.name)!;
      expect(lost.atMs - lastRenewMs).toBeGreaterThanOrEqual(12_000);
      expect(lost.atMs - lastRenewMs).toBeLessThanOrEqual(12_020);
      const stopped = cluster.ctx.trace.events.filter(
        (e) => e.type.startsWith('component.') && e.instance === leader.name && e.atMs >= lost.atMs,
      );
      expect(stopped.map((e) => [e.type, e.atMs - lost.atMs])).toEqual([
        ['component.stopped', 0],
        ['component.started', 1_000],
      ]);
      const successor = firstAcquisitionAfter(cluster, KCM, 30_000)!;
      expect(successor.atMs - lastRenewMs).toBeGreaterThanOrEqual(15_000);
    }
  });

  test('with equal clock rates there is never more than one KCM leader, over 200 seeds of a partitioned leader', () => {
    let minGapMs = Infinity;
    for (const seed of seeds(200)) {
      const cluster = controlPlane({ ...HA, schedulers: 0, seed });
      cluster.ctx.sim.run(30_000);
      const leader = leaderOf(cluster.controllerManagers);
      cluster.ctx.network.cut(
        'p',
        [leader.host.name],
        [...cluster.ctx.hosts.keys()].filter((h) => h !== leader.host.name),
      );
      cluster.ctx.sim.run(60_000);
      const intervals = leaderIntervals(cluster.ctx.trace.events, KCM);
      const c = concurrency(intervals);
      if (c.maxLeaders > 1) throw new Error(`seed ${seed}: ${c.maxLeaders} concurrent leaders for ${c.overlapMs} ms`);
      expect(intervals.length).toBe(2);
      minGapMs = Math.min(minGapMs, intervals[1].fromMs - intervals[0].toMs);
    }
    // The safety margin: the old leader gives up ≈12 s after its last renew, a standby takes over ≥15 s after it.
    expect(minGapMs).toBeGreaterThan(2_900);
  });

  test("two KCM leaders overlap when the partitioned leader's clock runs 2× slow", () => {
    for (const seed of seeds(20)) {
      const cluster = controlPlane({ ...HA, schedulers: 0, seed });
      cluster.ctx.sim.run(30_000);
      const leader = leaderOf(cluster.controllerManagers);
      leader.host.clock.setRate(0.5);
      cluster.ctx.sim.run(40_000);
      cluster.ctx.network.cut(
        'p',
        [leader.host.name],
        [...cluster.ctx.hosts.keys()].filter((h) => h !== leader.host.name),
      );
      cluster.ctx.sim.run(80_000);
      const c = concurrency(leaderIntervals(cluster.ctx.trace.events, KCM));
      expect(c.maxLeaders).toBe(2);
      expect(c.overlapMs).toBeGreaterThan(0);
    }
  });

  test("two KCM leaders overlap when the standbys' clocks run 2× fast", () => {
    for (const seed of seeds(20)) {
      const cluster = controlPlane({ ...HA, schedulers: 0, seed });
      cluster.ctx.sim.run(30_000);
      const leader = leaderOf(cluster.controllerManagers);
      for (const p of cluster.controllerManagers) if (p !== leader) p.host.clock.setRate(2);
      cluster.ctx.sim.run(40_000);
      cluster.ctx.network.cut(
        'p',
        [leader.host.name],
        [...cluster.ctx.hosts.keys()].filter((h) => h !== leader.host.name),
      );
      cluster.ctx.sim.run(80_000);
      const c = concurrency(leaderIntervals(cluster.ctx.trace.events, KCM));
      expect(c.maxLeaders).toBe(2);
      // The standby waits 15 local s = 7.5 s after its first look (< 2.2 s after the last renew), plus < 2.2 s;
      // the old leader gives up 12 s after it: always an overlap, of at least ≈0.1 s.
      expect(c.overlapMs).toBeGreaterThan(0);
    }
  });

  test('a partitioned kube-scheduler leader tries to release, exits and is restarted 1 s later', () => {
    const cluster = controlPlane({ ...HA, controllerManagers: 0, seed: 4 });
    const store = cluster.ctx.api.store;
    cluster.ctx.sim.run(30_000);
    const leader = leaderOf(cluster.schedulers);
    cluster.ctx.network.cut(
      'p',
      [leader.host.name],
      [...cluster.ctx.hosts.keys()].filter((h) => h !== leader.host.name),
    );
    cluster.ctx.sim.run(70_000);
    const mine = cluster.ctx.trace.events
      .filter((e) => e.instance === leader.name && e.atMs > 30_000)
      .map((e) => e.type);
    expect(mine).toEqual(['leader.lost', 'component.stopped', 'component.started']);
    const lost = cluster.ctx.trace.events.find((e) => e.type === 'leader.lost' && e.instance === leader.name)!;
    const stopped = cluster.ctx.trace.events.find((e) => e.type === 'component.stopped' && e.instance === leader.name)!;
    // Its connection goes to another host's API server, which it can no longer reach: the connection
    // stays open (no RST), so the release UPDATE gets no answer and fails at the lock client's timeout,
    // max(1 s, renewDeadline / 2) = 5 s, before the HTTP/2 health check would close the connection.
    expect(stopped.atMs - lost.atMs).toBe(5_000);
    const lease = store.getLease('kube-system', SCHED);
    expect(lease.ok && lease.value.spec.holderIdentity).not.toBe(leader.elector?.identity ?? '');
    expect(concurrency(leaderIntervals(cluster.ctx.trace.events, SCHED)).maxLeaders).toBe(1);
  });

  test('a KCM that keeps losing its lease is restarted after 1 s, then 10 s, 20 s (CrashLoopBackOff)', () => {
    const cluster = controlPlane({ controllerManagers: 1, apiServers: 1, etcdMembers: 1, seed: 3 });
    cluster.ctx.sim.run(10_000);
    const kcm = cluster.controllerManagers[0];
    const delaysMs = [kcm.restarts.exited()];
    kcm.stop('leaderelection lost');
    cluster.ctx.sim.run(12_000);
    expect(kcm.running).toBe(true);
    kcm.stop('leaderelection lost');
    delaysMs.push(kcm.restarts.exited());
    cluster.ctx.sim.run(30_000);
    kcm.stop('leaderelection lost');
    delaysMs.push(kcm.restarts.exited());
    expect(delaysMs).toEqual([1_000, 10_000, 20_000]);
  });

  test('a wall-clock jump on a standby does not expire the lease early (only rates matter)', () => {
    const cluster = controlPlane({ ...HA, schedulers: 0, seed: 5 });
    cluster.ctx.sim.run(30_000);
    const leader = leaderOf(cluster.controllerManagers);
    for (const p of cluster.controllerManagers) if (p !== leader) p.host.clock.jump(60_000);
    cluster.ctx.sim.run(90_000);
    expect(leaderIntervals(cluster.ctx.trace.events, KCM)).toHaveLength(1);
  });

  test('the same seed gives the same trace', () => {
    const run = () => {
      const cluster = controlPlane({ ...HA, seed: 11 });
      cluster.ctx.sim.run(30_000);
      leaderOf(cluster.controllerManagers).kill('controller-manager-crash');
      cluster.ctx.sim.run(60_000);
      return cluster.ctx.trace.toJsonl();
    };
    expect(run()).toBe(run());
  });
});

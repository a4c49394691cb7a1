// The etcd leader (src/model/apiserver/etcd-raft.ts, docs/fidelity.md#etcd-leader-election). Upstream
// vectors from go.etcd.io/raft raft_test.go: TestLeaderElection (a candidate with a majority of votes
// leads; without one it does not), TestLeaderStepdownWhenQuorumLost / TestLeaderStepdownWhenQuorumActive
// (check-quorum), TestDisruptiveFollowerPreVote (a member back from a partition does not unseat the
// leader), TestLeaderElectionWithCheckQuorum (the majority elects while the old leader is cut off); and
// etcd server/config/config.go ReqTimeout (5 s + 2 × election timeout).
import type { Cluster } from '../../../src/model/cluster.js';
import { fail, ok, type ApiResult } from '../../../src/model/apiserver/store.js';
import { Host } from '../../../src/model/infra/host.js';
import type { Member } from '../../../src/model/apiserver/api-server.js';
import { controlPlane } from '../ha/fixtures.js';

const ET = 1_000;
/** Two rounds (pre-vote and vote), each a round trip of at most 2 × 5 ms with the fixture's latency. */
const VOTE_ROUND_TRIPS_MS = 2 * 2 * 5;

type EtcdEvent = { atMs: number; type: string; member: string; term: number; reason?: string; leaderlessMs?: number };

function etcdEvents(cluster: Cluster): EtcdEvent[] {
  return cluster.ctx.trace.events.filter((e) => e.type.startsWith('etcd.leader.')) as unknown as EtcdEvent[];
}

function member(cluster: Cluster, i: number): Member {
  return cluster.ctx.api.etcd[i];
}

/** A client host of its own sending writes (counted in `writes`) with a given timeout. */
function writer(cluster: Cluster) {
  const { sim, api } = cluster.ctx;
  const host = new Host(sim, 'client-0', 'zone-a', 'node');
  const answers: Array<{ sentMs: number; atMs: number; result: ApiResult<string> }> = [];
  let writes = 0;
  const send = (atMs: number, timeoutMs: number) =>
    sim.at(atMs, () => {
      const sentMs = sim.nowMs;
      api.request<string>(
        host,
        timeoutMs,
        () => {
          writes++;
          return ok('written');
        },
        (result) => answers.push({ sentMs, atMs: sim.nowMs, result }),
        'test/write',
      );
    });
  return { answers, send, writes: () => writes };
}

describe('etcd leader election (etcd-raft.ts)', () => {
  test('TestLeaderElection: with the leader member stopped, another member leads within [electionTimeout, 2 × electionTimeout + two vote round trips]', () => {
    const gaps: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const cluster = controlPlane({ seed, apiServers: 1, etcdMembers: 3, durationMs: 20_000 });
      const { sim, api } = cluster.ctx;
      expect(api.raft.leaderName).toBe(member(cluster, 0).name);
      sim.at(5_000, () => api.setRunning(member(cluster, 0), false));
      sim.run(20_000);
      const events = etcdEvents(cluster);
      expect(events.map((e) => [e.type, e.atMs, e.term])).toEqual([
        ['etcd.leader.lost', 5_000, 1],
        ['etcd.leader.elected', events[1]?.atMs, 2],
      ]);
      expect(events[0].reason).toBe('member stopped');
      expect(events[1].member).not.toBe(member(cluster, 0).name);
      const gap = events[1].atMs - 5_000;
      expect(events[1].leaderlessMs).toBe(gap);
      expect(gap).toBeGreaterThanOrEqual(ET);
      expect(gap).toBeLessThanOrEqual(2 * ET + VOTE_ROUND_TRIPS_MS);
      gaps.push(gap);
    }
    // The randomized timeouts spread the gaps over the range rather than pinning one value.
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(ET / 4);
  });

  test('TestLeaderElection: without a majority of members no one is elected, and the first election after one returns takes its timeout', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 60_000 });
    const { sim, api } = cluster.ctx;
    sim.at(5_000, () => {
      api.setRunning(member(cluster, 0), false);
      api.setRunning(member(cluster, 1), false);
    });
    sim.at(30_000, () => api.setRunning(member(cluster, 1), true));
    sim.run(60_000);
    const events = etcdEvents(cluster);
    expect(events.map((e) => e.type)).toEqual(['etcd.leader.lost', 'etcd.leader.elected']);
    expect(events[1].atMs).toBeGreaterThanOrEqual(30_000);
    expect(events[1].atMs).toBeLessThanOrEqual(30_000 + 2 * ET + VOTE_ROUND_TRIPS_MS);
    // No event was spent on campaigns that could not win while two of three members were down.
    expect(events[1].leaderlessMs).toBe(events[1].atMs - 5_000);
  });

  test('stopping a follower member changes nothing: no leader event, writes commit at once', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 20_000 });
    const { sim, api } = cluster.ctx;
    const w = writer(cluster);
    sim.at(5_000, () => api.setRunning(member(cluster, 2), false));
    w.send(5_010, 10_000);
    sim.run(20_000);
    expect(etcdEvents(cluster)).toEqual([]);
    expect(w.answers[0].result).toEqual(ok('written'));
    expect(w.answers[0].atMs - w.answers[0].sentMs).toBeLessThanOrEqual(10);
  });

  test('a write sent while etcd has no leader waits for the new leader, then commits', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 20_000 });
    const { sim, api } = cluster.ctx;
    const w = writer(cluster);
    sim.at(5_000, () => api.setRunning(member(cluster, 0), false));
    w.send(5_010, 10_000);
    sim.run(20_000);
    const elected = etcdEvents(cluster)[1];
    expect(w.writes()).toBe(1);
    expect(w.answers[0].result).toEqual(ok('written'));
    expect(w.answers[0].atMs).toBeGreaterThanOrEqual(elected.atMs);
    expect(w.answers[0].atMs).toBeLessThanOrEqual(elected.atMs + 5);
  });

  test('a write whose client gives up before the election times out at its client and never commits', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 20_000 });
    const { sim, api } = cluster.ctx;
    const w = writer(cluster);
    sim.at(5_000, () => api.setRunning(member(cluster, 0), false));
    w.send(5_010, 500);
    sim.run(20_000);
    expect(w.answers).toEqual([{ sentMs: 5_010, atMs: 5_510, result: fail('Timeout') }]);
    expect(w.writes()).toBe(0);
  });

  test("ReqTimeout: with quorum but no leader possible, a write fails after etcd's request timeout (5 s + 2 × electionTimeout)", () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 40_000 });
    const { sim, network } = cluster.ctx;
    const w = writer(cluster);
    const [b, c] = [1, 2].map((i) => member(cluster, i).host.name);
    // The leader's member stops and the other two cannot reach each other: the API server still sees
    // two of three members (a quorum), but neither can gather a majority of votes.
    sim.at(5_000, () => {
      network.cut('bc', [b], [c]);
      cluster.ctx.api.setRunning(member(cluster, 0), false);
    });
    w.send(10_000, 30_000);
    sim.run(40_000);
    const events = etcdEvents(cluster);
    expect(events.map((e) => [e.type, e.reason])).toEqual([['etcd.leader.lost', 'member stopped']]);
    expect(w.writes()).toBe(0);
    expect(w.answers).toHaveLength(1);
    expect(w.answers[0].result).toEqual(fail('Unavailable'));
    expect(w.answers[0].atMs - 10_000).toBeGreaterThanOrEqual(5_000 + 2 * ET);
    expect(w.answers[0].atMs - 10_000).toBeLessThanOrEqual(5_000 + 2 * ET + 10);
  });

  test('TestLeaderStepdownWhenQuorumLost / TestLeaderElectionWithCheckQuorum: a leader cut off with a minority steps down after check-quorum, and the majority elects another', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const cluster = controlPlane({ seed, apiServers: 1, etcdMembers: 3, durationMs: 30_000 });
      const { sim, network } = cluster.ctx;
      const leader = member(cluster, 0).host.name;
      const others = [1, 2].map((i) => member(cluster, i).host.name);
      sim.at(5_050, () => network.cut('leader', [leader], others));
      sim.run(30_000);
      const events = etcdEvents(cluster);
      const elected = events.find((e) => e.type === 'etcd.leader.elected')!;
      const lost = events.find((e) => e.type === 'etcd.leader.lost')!;
      expect(others).toContain(cluster.ctx.api.etcd.find((m) => m.name === elected.member)!.host.name);
      expect(elected.term).toBe(2);
      expect(elected.atMs - 5_050).toBeGreaterThanOrEqual(ET);
      expect(elected.atMs - 5_050).toBeLessThanOrEqual(2 * ET + VOTE_ROUND_TRIPS_MS);
      // The old leader runs check-quorum every election timeout from when it led (0 s): the check at 6 s
      // still saw its followers before the cut; the one at 7 s saw none.
      expect([lost.member, lost.term, lost.reason, lost.atMs]).toEqual([
        member(cluster, 0).name,
        1,
        'check quorum',
        7_000,
      ]);
    }
  });

  test('a cut-off leader that hears the new term when the partition heals steps down then (higher term)', () => {
    let checked = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const cluster = controlPlane({ seed, apiServers: 1, etcdMembers: 3, durationMs: 30_000 });
      const { sim, network } = cluster.ctx;
      const leader = member(cluster, 0).host.name;
      const others = [1, 2].map((i) => member(cluster, i).host.name);
      sim.at(5_050, () => network.cut('leader', [leader], others));
      sim.at(6_950, () => network.heal('leader'));
      sim.run(30_000);
      const events = etcdEvents(cluster);
      const elected = events.find((e) => e.type === 'etcd.leader.elected');
      if (elected === undefined || elected.atMs >= 6_950) continue;
      checked++;
      expect(events.map((e) => [e.type, e.member, e.term, e.reason, e.atMs])).toEqual([
        ['etcd.leader.elected', elected.member, 2, undefined, elected.atMs],
        ['etcd.leader.lost', member(cluster, 0).name, 1, 'higher term', 6_950],
      ]);
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('TestLeaderStepdownWhenQuorumActive: a leader cut off for less than an election timeout keeps leading', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 20_000 });
    const { sim, network } = cluster.ctx;
    const leader = member(cluster, 0).host.name;
    const others = [1, 2].map((i) => member(cluster, i).host.name);
    sim.at(5_000, () => network.cut('leader', [leader], others));
    sim.at(5_800, () => network.heal('leader'));
    sim.run(20_000);
    expect(etcdEvents(cluster)).toEqual([]);
    expect(cluster.ctx.api.raft.leaderName).toBe(member(cluster, 0).name);
  });

  test('TestDisruptiveFollowerPreVote: a follower back from a partition does not unseat the leader', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 3, durationMs: 40_000 });
    const { sim, network } = cluster.ctx;
    const follower = member(cluster, 2).host.name;
    const others = [0, 1].map((i) => member(cluster, i).host.name);
    sim.at(5_000, () => network.cut('follower', [follower], others));
    sim.at(25_000, () => network.heal('follower'));
    sim.run(40_000);
    expect(etcdEvents(cluster)).toEqual([]);
    expect(cluster.ctx.api.raft.term).toBe(1);
  });

  test('adjustTicks: a single-member etcd leads again within an election timeout of its restart', () => {
    const cluster = controlPlane({ apiServers: 1, etcdMembers: 1, durationMs: 20_000 });
    const { sim, api } = cluster.ctx;
    sim.at(5_000, () => api.setRunning(member(cluster, 0), false));
    sim.at(8_000, () => api.setRunning(member(cluster, 0), true));
    sim.run(20_000);
    const events = etcdEvents(cluster);
    expect(events.map((e) => [e.type, e.member, e.term])).toEqual([
      ['etcd.leader.lost', member(cluster, 0).name, 1],
      ['etcd.leader.elected', member(cluster, 0).name, 2],
    ]);
    expect(events[1].atMs).toBeGreaterThan(8_000);
    expect(events[1].atMs).toBeLessThanOrEqual(8_000 + ET);
  });

  test('the same seed elects the same member at the same moment', () => {
    const run = () => {
      const cluster = controlPlane({ seed: 7, apiServers: 1, etcdMembers: 5, durationMs: 20_000 });
      cluster.ctx.sim.at(5_000, () => cluster.ctx.api.setRunning(member(cluster, 0), false));
      cluster.ctx.sim.run(20_000);
      return etcdEvents(cluster);
    };
    expect(run()).toEqual(run());
  });
});

// A client's HTTP/2 connection to one API server (src/model/apiserver/connection.ts, docs/fidelity.md#network).
// Upstream vectors: golang.org/x/net/http2 transport_test.go (TestTransportCloseAfterLostPing: with
// ReadIdleTimeout and PingTimeout set, a connection whose PING goes unanswered is closed; reading frames
// keeps it open) and k8s.io/apimachinery/pkg/util/net/http.go (readIdleTimeoutSeconds 30, pingTimeoutSeconds
// 15; 0 disables the check).
import { ApiServer, type Member } from '../../../src/model/apiserver/api-server.js';
import { ok, type ApiResult } from '../../../src/model/apiserver/store.js';
import { Host } from '../../../src/model/infra/host.js';
import type { Cluster } from '../../../src/model/cluster.js';
import { controlPlane } from '../ha/fixtures.js';

const TIMEOUT_MS = 60_000;

interface Answer {
  sentMs: number;
  atMs: number;
  result: ApiResult<string>;
  replica: string | undefined;
}

/** A client host of its own (an operator's kubectl) sending GETs that report which replica served them. */
function client(cluster: Cluster, api: ApiServer = cluster.ctx.api) {
  const sim = cluster.ctx.sim;
  const host = new Host(sim, 'client-0', 'zone-a', 'node');
  const answers: Answer[] = [];
  const send = (atMs: number) =>
    sim.at(atMs, () => {
      const sentMs = sim.nowMs;
      let servedBy: string | undefined;
      api.request<string>(
        host,
        TIMEOUT_MS,
        () => {
          servedBy = api.pickReplica(host)?.name;
          return ok('pong');
        },
        (result) => answers.push({ sentMs, atMs: sim.nowMs, result, replica: servedBy }),
        'test/get',
      );
    });
  return { host, answers, send };
}

const replicaOf = (cluster: Cluster, host: Host): Member => cluster.ctx.api.pickReplica(host)!;

describe('HTTP/2 connections to the API server (connection.ts)', () => {
  test('TestTransportCloseAfterLostPing: a connection to a powered-off host is closed 30 s + 15 s after its last frame read, then the client reaches another replica', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const c = client(cluster);
    c.send(1_000);
    cluster.ctx.sim.run(2_000);
    const lastReadMs = c.answers[0].atMs;
    const dead = replicaOf(cluster, c.host);
    cluster.ctx.sim.at(5_000, () => dead.host.powerOff());
    c.send(6_000); // on the dead connection: fails when it closes, not at its 60 s timeout
    c.send(lastReadMs + 45_000 + 1); // after the close: dials again
    cluster.ctx.sim.run(lastReadMs + 50_000);
    const [, onDead, afterClose] = c.answers;
    expect(onDead.result).toEqual({ ok: false, reason: 'Timeout' });
    expect(onDead.atMs).toBe(lastReadMs + 30_000 + 15_000);
    expect(afterClose.result.ok).toBe(true);
    expect(afterClose.replica).not.toBe(dead.name);
    expect(afterClose.atMs - afterClose.sentMs).toBeLessThan(20);
  });

  test('every frame read pushes the health check back (the read-idle timer restarts at each frame)', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const c = client(cluster);
    c.send(1_000);
    c.send(4_000);
    cluster.ctx.sim.run(4_500);
    const lastReadMs = c.answers[1].atMs;
    const dead = replicaOf(cluster, c.host);
    cluster.ctx.sim.at(5_000, () => dead.host.powerOff());
    c.send(5_001);
    cluster.ctx.sim.run(60_000);
    expect(c.answers[2].atMs).toBe(lastReadMs + 45_000);
  });

  test('a cut link is the same as a powered-off host: nothing answers, so the connection waits for the health check', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const c = client(cluster);
    c.send(1_000);
    cluster.ctx.sim.run(2_000);
    const lastReadMs = c.answers[0].atMs;
    const dead = replicaOf(cluster, c.host);
    cluster.ctx.sim.at(5_000, () => cluster.ctx.network.cut('p', [c.host.name], [dead.host.name]));
    c.send(6_000);
    cluster.ctx.sim.run(60_000);
    expect(c.answers[1].atMs).toBe(lastReadMs + 45_000);
  });

  test('a partition healed before the health check fires leaves the connection where it was', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const c = client(cluster);
    c.send(1_000);
    cluster.ctx.sim.run(2_000);
    const replica = replicaOf(cluster, c.host);
    cluster.ctx.sim.at(5_000, () => cluster.ctx.network.cut('p', [c.host.name], [replica.host.name]));
    cluster.ctx.sim.at(20_000, () => cluster.ctx.network.heal('p'));
    c.send(21_000);
    cluster.ctx.sim.run(30_000);
    expect(c.answers[1].result.ok).toBe(true);
    expect(c.answers[1].replica).toBe(replica.name);
  });

  test('a stopped API server process (GOAWAY, or RST for a crash) moves the client at its next request', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const c = client(cluster);
    c.send(1_000);
    cluster.ctx.sim.run(2_000);
    const stopped = replicaOf(cluster, c.host);
    cluster.ctx.sim.at(5_000, () => cluster.ctx.api.setRunning(stopped, false));
    c.send(5_001);
    cluster.ctx.sim.run(6_000);
    expect(c.answers[1].result.ok).toBe(true);
    expect(c.answers[1].replica).not.toBe(stopped.name);
    expect(c.answers[1].atMs - c.answers[1].sentMs).toBeLessThan(20);
  });

  test('the client stays with its new replica when the old one comes back (connections do not rebalance)', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const c = client(cluster);
    c.send(1_000);
    cluster.ctx.sim.run(2_000);
    const first = replicaOf(cluster, c.host);
    cluster.ctx.sim.at(5_000, () => cluster.ctx.api.setRunning(first, false));
    c.send(5_001);
    cluster.ctx.sim.at(10_000, () => cluster.ctx.api.setRunning(first, true));
    c.send(11_000);
    cluster.ctx.sim.run(12_000);
    expect(c.answers[1].replica).not.toBe(first.name);
    expect(c.answers[2].replica).toBe(c.answers[1].replica);
  });

  test('HTTP2_READ_IDLE_TIMEOUT_SECONDS=0 disables the health check: the connection to a dead host is never closed by it', () => {
    const cluster = controlPlane({ apiServers: 3, etcdMembers: 3 });
    const { sim, network } = cluster.ctx;
    const base = cluster.ctx.api;
    const api = new ApiServer(
      sim,
      network,
      base.store,
      base.replicas.map((r) => ({ name: r.name, host: r.host })),
      base.etcd.map((m) => ({ name: m.name, host: m.host })),
      undefined,
      { readIdleTimeoutMs: 0, pingTimeoutMs: 15_000 },
    );
    const c = client(cluster, api);
    c.send(1_000);
    sim.run(2_000);
    const dead = api.pickReplica(c.host)!;
    const deadHost = cluster.ctx.hosts.get(dead.host.name)!;
    sim.at(5_000, () => deadHost.powerOff());
    c.send(6_000);
    c.send(100_000);
    sim.run(200_000);
    expect(c.answers.slice(1).map((a) => [a.result.ok, a.atMs - a.sentMs])).toEqual([
      [false, TIMEOUT_MS],
      [false, TIMEOUT_MS],
    ]);
  });
});

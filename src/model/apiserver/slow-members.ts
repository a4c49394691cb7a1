// API servers and etcd members that answer slowly: the apiserver-slow and etcd-slow faults (an
// overloaded kube-apiserver, an etcd whose disk stalls). kubernetes#121793 and #127352 are node flaps
// that came from such slowness rather than from any node: lease renewals that take longer than the
// kubelet's 10 s client timeout fail although every node is healthy.
//
// A slowed API server replica holds each request for the fault's extra time before serving it, as a
// request waits in API Priority and Fairness queues (k8s.io/apiserver/pkg/util/flowcontrol): a request
// whose client gives up first is dropped from the queue and never served. A slowed etcd member answers
// raft messages late; a write commits when a majority of members has it, so a request waits for the
// majority-th fastest member (a slow minority costs nothing; a slow majority slows every request). Such a
// write commits even when its client has given up meanwhile: the API server has already handed it to
// etcd. docs/fidelity.md#slow-api-servers-and-etcd.
import type { Rng } from '../../engine/index.js';
import type { RangeMs } from '../../k8s/config.js';
import type { Host } from '../infra/host.js';
import type { Member } from './api-server.js';

/**
 * Where a slowed member's delays come from: a stream per client host, so that one client's draws do not
 * depend on how other clients' requests interleave (the fast paths change that interleaving, never a
 * client's own sequence of requests).
 */
export type SlowDraws = (client: Host) => Rng;

interface Slowness {
  latency: RangeMs;
  draws: SlowDraws;
}

export class SlowMembers {
  private readonly replicas = new Map<Member, Slowness>();
  private readonly etcd = new Map<Member, Slowness>();

  /** Whether any replica or member is slowed now (the callers' fast path: nothing to draw). */
  get any(): boolean {
    return this.replicas.size > 0 || this.etcd.size > 0;
  }

  /** Slows (latency given) or restores (undefined) an API server replica or an etcd member. */
  set(pool: 'apiserver' | 'etcd', m: Member, latency: RangeMs | undefined, draws: SlowDraws): void {
    const map = pool === 'apiserver' ? this.replicas : this.etcd;
    if (latency === undefined) map.delete(m);
    else map.set(m, { latency, draws });
  }

  /** The extra time `client`'s request is held at `replica` before it is served (0 when it is not slowed). */
  replicaDelay(replica: Member, client: Host): number {
    const s = this.replicas.get(replica);
    return s === undefined ? 0 : s.draws(client).between(s.latency.minMs, s.latency.maxMs);
  }

  /**
   * The extra time a request served with etcd's quorum takes: the majority-th smallest delay among the
   * running members that `up` reports (0 for a member that is not slowed).
   */
  etcdDelay(members: readonly Member[], client: Host, up: (m: Member) => boolean): number {
    if (this.etcd.size === 0) return 0;
    const delays: number[] = [];
    for (const m of members) {
      if (!up(m)) continue;
      const s = this.etcd.get(m);
      delays.push(s === undefined ? 0 : s.draws(client).between(s.latency.minMs, s.latency.maxMs));
    }
    const majority = Math.floor(members.length / 2) + 1;
    if (delays.length < majority) return 0;
    delays.sort((a, b) => a - b);
    return delays[majority - 1];
  }
}

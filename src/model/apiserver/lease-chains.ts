// Node lease renewals played late. While the world stays as it is, a kubelet's renewals are fixed in
// advance: each is served OK, and the next is sent a jittered period after the answer, with every draw
// from the node's own streams (kubelet.ts, renewServed). So a kubelet keeps its next renewal as a chain
// link, with no event, and plays it (Simulator.replay) only when something could tell the difference:
// a read or write of its lease at the API server, a read of the node-Lease informer that holds it, a
// change of the lease watchers, a change of the world (World.willChange), its own stop, or the end of
// the run. Played at those moments, every renewal does exactly what its event would have done. At 5,000
// nodes renewals are most of the events of an idle hour; the node lifecycle controller reads a healthy
// node's lease only when its grace period could run out (nlc-core.ts), so most renewals are played in
// short runs, node by node.

/** A kubelet with renewals not played yet. */
export interface LeaseChain {
  /** Plays every renewal that has happened by now (Simulator.visibleEarly). */
  catchUpRenewals(): void;
}

export class LeaseChains {
  private readonly chains = new Map<string, LeaseChain>();

  /** @param enabled false: renewals are ordinary events (--trace-heartbeats traces each as it happens). */
  constructor(readonly enabled: boolean) {}

  /** The node's kubelet holds renewals not played yet. */
  add(nodeName: string, chain: LeaseChain): void {
    this.chains.set(nodeName, chain);
  }

  remove(nodeName: string, chain: LeaseChain): void {
    if (this.chains.get(nodeName) === chain) this.chains.delete(nodeName);
  }

  /** Someone reads or writes the node's lease now. */
  catchUp(nodeName: string): void {
    const c = this.chains.get(nodeName);
    if (c !== undefined) c.catchUpRenewals();
  }

  /** Someone reads every lease, the lease watchers or the world change: every chain is played up to now. */
  catchUpAll(): void {
    if (this.chains.size === 0) return;
    for (const c of [...this.chains.values()]) c.catchUpRenewals();
  }
}

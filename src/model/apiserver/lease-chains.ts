// Node lease renewals played late. While the world stays as it is, a kubelet's renewals are fixed in
// advance: each is served OK, and the next is sent a jittered period after the answer, with every draw
// from the node's own streams (kubelet/work-ahead.ts, renewServed). So a kubelet keeps its next renewal as a chain
// link, with no event, and plays it (LazySimulator.replay) only when something could tell the difference:
// a read or write of its lease at the API server, a read of the node-Lease informer that holds it, a
// change of the lease watchers, a change of the world (World.willChange), its own stop, or the end of
// the run. Played at those moments, every renewal does exactly what its event would have done (a write
// of the lease by anyone else also ends the chain: the next renewal may fail now). At 5,000
// nodes renewals are most of the events of an idle hour; the node lifecycle controller reads a healthy
// node's lease only when it could be stale (nlc-core.ts), so most renewals are played in runs, node by
// node, and most of a run is passed over (Kubelet.passRenewal).

/** A kubelet with renewals not played yet. */
export interface LeaseChain {
  /** Plays every renewal that has happened by now (LazySimulator.visibleEarly). */
  catchUpRenewals(): void;
  /** Someone else writes the lease: the renewal sent ahead becomes an ordinary event (it may now fail). */
  breakChain(): void;
}

interface Link {
  readonly chain: LeaseChain;
  /** When the chain started, and the longest gap between two of its renewals' watch events (virtual ms). */
  readonly sinceMs: number;
  readonly gapMs: number;
  /** Until the chain ends or a new one replaces it (a reader may keep the link while it is live). */
  live: boolean;
}

export class LeaseChains {
  private readonly chains = new Map<string, Link>();

  /** @param enabled false: renewals are ordinary events (--trace-heartbeats traces each as it happens). */
  constructor(readonly enabled: boolean) {}

  /**
   * The node's kubelet holds renewals not played yet, from sinceMs on, and none of its renewals' watch
   * events comes more than gapMs after the one before.
   */
  add(nodeName: string, chain: LeaseChain, sinceMs: number, gapMs: number): void {
    const old = this.chains.get(nodeName);
    if (old !== undefined) {
      old.live = false;
      this.epoch++;
    }
    this.chains.set(nodeName, { chain, sinceMs, gapMs, live: true });
  }

  remove(nodeName: string, chain: LeaseChain): void {
    const link = this.chains.get(nodeName);
    if (link?.chain !== chain) return;
    link.live = false;
    this.epoch++;
    this.chains.delete(nodeName);
  }

  /** Bumped whenever a link stops being live: a link seen live is live still while this stays. */
  epoch = 0;

  /**
   * The node's chain: from sinceMs on, none of its renewals' watch events comes more than gapMs after the
   * one before, so once it has run that long, a lease watcher whose watch ran all that time has had one
   * in the last gapMs. Live until the chain ends.
   */
  link(nodeName: string): Readonly<Link> | undefined {
    return this.chains.get(nodeName);
  }

  /** Someone reads or writes the node's lease now. */
  catchUp(nodeName: string): void {
    const link = this.chains.get(nodeName);
    if (link !== undefined) link.chain.catchUpRenewals();
  }

  /**
   * Someone writes the node's lease now: its renewals are played up to now, and the chain ends, since
   * the next renewal may meet a Conflict (the kubelet's own renewals, played late, are not writes of
   * someone else: a chain never ends itself).
   */
  writing(nodeName: string): void {
    const link = this.chains.get(nodeName);
    if (link === undefined) return;
    link.chain.catchUpRenewals();
    link.chain.breakChain();
  }

  /** Someone reads every lease, the lease watchers or the world change: every chain is played up to now. */
  catchUpAll(): void {
    if (this.chains.size === 0) return;
    for (const link of [...this.chains.values()]) link.chain.catchUpRenewals();
  }
}

// What components may do ahead of time: work whose outcome is fixed as long as hosts, links, clocks and
// API server members stay as they are. A kubelet renewing its Lease, for instance, knows at the moment a
// renewal is served when the next one will be sent and what it will carry; it sends it then, saving the
// events in between. Every change to the world calls changed(), and each speculation still ahead of its
// moment that the change can affect is undone (it falls back to the ordinary events), so speculation never
// decides anything the changed world would have decided otherwise.
//
// Which speculations a change undoes: a change names the one host it touched when it is a change of a
// worker host's power or clock (changed(host)); any other change (a link, a partition, a degrade, an API
// server or etcd member, a control-plane host's power or clock, a clock of a host marked shared) names
// none and undoes every speculation. A speculation says which host it runs on (Speculation.host), and so
// depends on: that host's power and clock, and the control plane (the API server replicas, etcd, the
// load balancer, the lease watchers, all on shared hosts) and the links between them. A change naming
// host H therefore undoes only the speculations on H and those that name no host. Hosts that another
// component's speculation may depend on (every control-plane host, every host of an API server replica or
// etcd member) are shared: a change of a control-plane host, or of a host marked with share(), undoes
// everything, whatever it names.
import type { Host } from './host.js';

export interface Speculation {
  /** The world changed now: undo whatever has not happened yet. */
  undo(): void;
  /**
   * The host this work runs on: it depends on that host's power and clock and otherwise only on shared
   * hosts, links and members (see the header). Undefined: every change undoes it.
   */
  readonly host?: Host;
}

export class World {
  /** Every speculation registered, in the order registered (a change undoes them in this order). */
  private readonly pending = new Set<Speculation>();
  /** The speculations in pending that name a host, by host. */
  private readonly byHost = new Map<Host, Speculation[]>();
  /** How many speculations in pending name no host. */
  private unscoped = 0;
  private readonly shared = new Set<Host>();
  private readonly settlers: Array<(host: Host | undefined) => void> = [];
  private readonly listeners: Array<(host: Host | undefined) => void> = [];
  /** Bumped by every change: lets a reader cache what depends on the world (etcd quorum) until then. */
  version = 0;

  /**
   * @param enabled false: components never work ahead (tests compare both ways).
   * @param clockStepsPossible some host clock may jump during the run (a clock-skew fault with an offset is
   *   planned): work that assumes renewTimes only move forward must not be skipped.
   */
  constructor(
    readonly enabled = true,
    readonly clockStepsPossible = true,
  ) {}

  /**
   * Marks a host that speculations of other hosts may depend on (a control-plane host, an API server
   * replica's or etcd member's host): any change of it undoes every speculation.
   */
  share(host: Host): void {
    this.shared.add(host);
  }

  /** Registers work done ahead of time: it is undone at the next change that can affect it (then register again). */
  speculate(s: Speculation): void {
    if (this.pending.has(s)) return;
    this.pending.add(s);
    const host = s.host;
    if (host === undefined) {
      this.unscoped++;
      return;
    }
    const list = this.byHost.get(host);
    if (list === undefined) this.byHost.set(host, [s]);
    else list.push(s);
  }

  /**
   * Runs fn just before every change, while the world is still as it was: work played late (lease
   * renewals without an event each) is played up to now first. fn is told the host the change is
   * confined to (see the header), or undefined.
   */
  beforeChange(fn: (host: Host | undefined) => void): void {
    this.settlers.push(fn);
  }

  /**
   * Hosts, links, clocks or API members are about to change: `host` when it is a change of that host's
   * power or clock alone (see the header).
   */
  willChange(host?: Host): void {
    const scope = this.scopeOf(host);
    for (const fn of this.settlers) fn(scope);
  }

  /**
   * Runs fn after every change (components that follow the world as it is, such as kube-proxy's links),
   * told the host the change is confined to (see the header), or undefined.
   */
  onChanged(fn: (host: Host | undefined) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Hosts, links, clocks or API members changed: undo every speculation the change can affect. `host`: it
   * was a change of that host's power or clock alone (see the header); undefined: anything may have
   * changed.
   */
  changed(host?: Host): void {
    this.version++;
    const scope = this.scopeOf(host);
    if (scope === undefined) this.undoAll();
    else this.undoOn(scope);
    for (const fn of this.listeners) fn(scope);
  }

  /** The host a change of `host` is confined to: none unless it is a worker host that is not shared. */
  private scopeOf(host: Host | undefined): Host | undefined {
    return host === undefined || host.role !== 'node' || this.shared.has(host) ? undefined : host;
  }

  private undoAll(): void {
    if (this.pending.size === 0) return;
    const all = [...this.pending];
    this.pending.clear();
    this.byHost.clear();
    this.unscoped = 0;
    for (const s of all) s.undo();
  }

  /** A change of `host` alone: the speculations on it and those that name no host, in registration order. */
  private undoOn(host: Host): void {
    const own = this.byHost.get(host);
    if (this.unscoped === 0) {
      if (own === undefined) return;
      this.byHost.delete(host);
      for (const s of own) this.pending.delete(s);
      for (const s of own) s.undo();
      return;
    }
    const hit: Speculation[] = [];
    for (const s of this.pending) if (s.host === undefined || s.host === host) hit.push(s);
    this.byHost.delete(host);
    this.unscoped = 0;
    for (const s of hit) this.pending.delete(s);
    for (const s of hit) s.undo();
  }
}

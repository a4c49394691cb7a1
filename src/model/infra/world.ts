// What components may do ahead of time: work whose outcome is fixed as long as hosts, links, clocks and
// API server members stay as they are. A kubelet renewing its Lease, for instance, knows at the moment a
// renewal is served when the next one will be sent and what it will carry; it sends it then, saving the
// events in between. Every change to the world calls changed(), and each speculation still ahead of its
// moment is undone (it falls back to the ordinary events), so speculation never decides anything the
// changed world would have decided otherwise.
export interface Speculation {
  /** The world changed now: undo whatever has not happened yet. */
  undo(): void;
}

export class World {
  private readonly pending = new Set<Speculation>();
  private readonly settlers: Array<() => void> = [];
  private readonly listeners: Array<() => void> = [];
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

  /** Registers work done ahead of time: it is undone at the next change (then register again). */
  speculate(s: Speculation): void {
    this.pending.add(s);
  }

  /**
   * Runs fn just before every change, while the world is still as it was: work played late (lease
   * renewals without an event each) is played up to now first.
   */
  beforeChange(fn: () => void): void {
    this.settlers.push(fn);
  }

  /** Hosts, links, clocks or API members are about to change. */
  willChange(): void {
    for (const fn of this.settlers) fn();
  }

  /** Runs fn after every change (components that follow the world as it is, such as kube-proxy's links). */
  onChanged(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Hosts, links, clocks or API members changed: undo every speculation. */
  changed(): void {
    this.version++;
    if (this.pending.size > 0) {
      const all = [...this.pending];
      this.pending.clear();
      for (const s of all) s.undo();
    }
    for (const fn of this.listeners) fn();
  }
}

// The causes of a picked list's dead endpoints, kept up to date instead of worked out again (fast path
// trafficKeptCauses, fast-paths.ts). Not an upstream component: it names, for the trace's
// `service.traffic.changed` cause, why the endpoints some nodes route to are dead. The reference is
// TrafficMeter.deadKinds: group the dead pods by the node they ran on last; name the powered-off nodes by
// their first dead pod (in pod-name order; beyond three, count them and name the first three), then
// "containers stopped" and "application failing" by their first pod, each kind once, in the order of its
// first pod.
//
// The reference looks at every dead pod whenever the world changes, and a zone coming back is one world
// change per booting node: at 5,000 nodes that is 1,667 boots x 30 Services x about 1,667 dead endpoints.
// Here each dead pod is filed once, under its node, when it becomes dead (or when its node, or whether it
// runs, changes while it stays dead), and a host that changes power moves only its own node's pods between
// "on a powered-off node" and the other two kinds. The first pods are kept as the least of their sets,
// found again by a walk only when the least one leaves. The outcome is the reference's: the same pods,
// in the same kinds, each kind named by the least pod name.
import type { Host } from '../infra/host.js';

/** What the causes depend on, read from the traffic meter. */
export interface DeadPodFacts {
  /** The node the pod ran on last (undefined: it never ran). */
  lastNode(pod: string): string | undefined;
  host(node: string): Host | undefined;
  /** Whether the pod's containers run and its application fails (an app-degrade fault). */
  runningButFailing(pod: string): boolean;
}

/** The dead pods that ran last on one node ('' for pods that never ran). */
interface NodeGroup {
  readonly node: string;
  readonly host: Host | undefined;
  /** Its host is powered off: all its pods are dead "on a powered-off node". */
  off: boolean;
  readonly pods: Set<string>;
  /** The least pod name of `pods`. */
  first: string;
}

/** A set of pod names and its least name, walked for again only when the least one leaves. */
class LeastSet {
  private readonly set = new Set<string>();
  private least: string | undefined;
  private known = true;

  add(pod: string): void {
    this.set.add(pod);
    if (this.known && (this.least === undefined || pod < this.least)) this.least = pod;
  }

  delete(pod: string): void {
    if (this.set.delete(pod) && pod === this.least) {
      this.least = undefined;
      this.known = false;
    }
  }

  first(): string | undefined {
    if (!this.known) {
      for (const p of this.set) if (this.least === undefined || p < this.least) this.least = p;
      this.known = true;
    }
    return this.least;
  }
}

/** How many powered-off nodes a cause names one by one; beyond, it counts them. */
export const MAX_LISTED_NODES = 3;

export class DeadCauses {
  private readonly groups = new Map<string, NodeGroup>();
  /** The group each dead pod was filed under. */
  private readonly groupOf = new Map<string, NodeGroup>();
  /** Groups whose host is powered off. */
  private readonly offGroups = new Set<NodeGroup>();
  /** The first MAX_LISTED_NODES of offGroups by first pod, in that order; undefined: to find again. */
  private top: NodeGroup[] | undefined = [];
  /** Dead pods on powered-on nodes (or none): containers stopped, or running with a failing application. */
  private readonly stopped = new LeastSet();
  private readonly failing = new LeastSet();
  private readonly failingPods = new Set<string>();

  /**
   * @param powerSeen how many entries of the meter's power log the causes already reflect (the log's
   *   length when they are built).
   */
  constructor(
    private readonly facts: DeadPodFacts,
    dead: Iterable<string>,
    public powerSeen: number,
  ) {
    for (const pod of dead) this.add(pod);
  }

  /** A pod became dead. */
  add(pod: string): void {
    const node = this.facts.lastNode(pod) ?? '';
    let g = this.groups.get(node);
    if (g === undefined) {
      const host = node === '' ? undefined : this.facts.host(node);
      g = { node, host, off: host !== undefined && !host.poweredOn, pods: new Set([pod]), first: pod };
      this.groups.set(node, g);
      if (g.off) {
        this.offGroups.add(g);
        this.offered(g);
      }
    } else {
      g.pods.add(pod);
      if (pod < g.first) {
        g.first = pod;
        if (g.off) this.firstChanged(g, true);
      }
    }
    this.groupOf.set(pod, g);
    if (!g.off) this.fileOn(pod);
  }

  /** A pod is no longer dead. */
  remove(pod: string): void {
    const g = this.groupOf.get(pod);
    if (g === undefined) return;
    this.groupOf.delete(pod);
    g.pods.delete(pod);
    if (!g.off) this.unfileOn(pod);
    if (g.pods.size === 0) {
      this.groups.delete(g.node);
      if (g.off) {
        this.offGroups.delete(g);
        this.dropFromTop(g);
      }
      return;
    }
    if (pod === g.first) {
      let least: string | undefined;
      for (const p of g.pods) if (least === undefined || p < least) least = p;
      g.first = least!;
      if (g.off) this.firstChanged(g, false);
    }
  }

  /** A dead pod stays dead, but where it ran last or whether it runs may have changed: filed again. */
  refresh(pod: string): void {
    if (!this.groupOf.has(pod)) return;
    this.remove(pod);
    this.add(pod);
  }

  /** Node `node`'s host may have changed power. */
  powerChanged(node: string): void {
    const g = this.groups.get(node);
    if (g === undefined || g.host === undefined) return;
    const off = !g.host.poweredOn;
    if (off === g.off) return;
    g.off = off;
    if (off) {
      for (const p of g.pods) this.unfileOn(p);
      this.offGroups.add(g);
      this.offered(g);
    } else {
      this.offGroups.delete(g);
      this.dropFromTop(g);
      for (const p of g.pods) this.fileOn(p);
    }
  }

  /** The causes, as TrafficMeter.deadKinds words them ('' when no pod is dead). */
  text(): string {
    const kinds: Array<[string, string]> = [];
    const top = this.firstOff();
    if (this.offGroups.size <= MAX_LISTED_NODES) for (const g of top) kinds.push([`on powered-off ${g.node}`, g.first]);
    else {
      const names = top.map((g) => g.node).join(', ');
      kinds.push([`on ${this.offGroups.size} powered-off nodes (${names}, …)`, top[0].first]);
    }
    const stopped = this.stopped.first();
    if (stopped !== undefined) kinds.push(['containers stopped', stopped]);
    const failing = this.failing.first();
    if (failing !== undefined) kinds.push(['application failing', failing]);
    return kinds
      .sort((x, y) => (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0))
      .map((k) => k[0])
      .join('; ');
  }

  private fileOn(pod: string): void {
    if (this.facts.runningButFailing(pod)) {
      this.failingPods.add(pod);
      this.failing.add(pod);
    } else this.stopped.add(pod);
  }

  private unfileOn(pod: string): void {
    if (this.failingPods.delete(pod)) this.failing.delete(pod);
    else this.stopped.delete(pod);
  }

  /** An off group's first pod changed (`lower`: to a lower name). */
  private firstChanged(g: NodeGroup, lower: boolean): void {
    if (this.top === undefined) return;
    const at = this.top.indexOf(g);
    if (at >= 0) {
      // Lower: it moves up within the first ones; higher: a group not among them may now come before it.
      if (lower) {
        this.top.splice(at, 1);
        this.offered(g);
      } else this.top = undefined;
    } else if (lower) this.offered(g);
  }

  /** An off group not among the first ones (new, or its first pod lower): it joins them if it comes before. */
  private offered(g: NodeGroup): void {
    const top = this.top;
    if (top === undefined) return;
    let at = top.length;
    while (at > 0 && g.first < top[at - 1].first) at--;
    if (at >= MAX_LISTED_NODES) return;
    top.splice(at, 0, g);
    if (top.length > MAX_LISTED_NODES) top.pop();
  }

  /** An off group left: if it was among the first ones, they are found again when next needed. */
  private dropFromTop(g: NodeGroup): void {
    if (this.top !== undefined && this.top.includes(g)) this.top = undefined;
  }

  private firstOff(): readonly NodeGroup[] {
    if (this.top === undefined) {
      this.top = [];
      for (const g of this.offGroups) this.offered(g);
    }
    return this.top;
  }
}

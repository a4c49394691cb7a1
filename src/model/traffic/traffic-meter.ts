// The requests users send to each Service, counted exactly without an event per request: between two
// changes of what requests meet (containers starting or stopping, kube-proxy rules, hosts and links) every
// rate is constant, so at each change the meter works out, per Service, how many requests per second are
// sent and how many of them fail, and traces `service.traffic.changed` when that differs from before.
// SLOs integrate these piecewise-constant rates (src/slo).
//
// A request is sent by a client on a node (TrafficSpec.clients: every node alike, zones by weight spread
// evenly over their nodes, or an external load balancer spreading over the nodes) to one of the endpoints
// its node's kube-proxy rules pick for the Service (topology.ts), each picked endpoint an equal share. It
// fails when the pod's containers are not running (stopped, or its host powered off) or its application fails
// (an app-degrade fault, `pod.app.changed`), when the link between
// the client's node and the pod's node is cut, when a degrade fault's extra latency makes the round trip
// (2 × (mean base latency + extra)) exceed the client's timeout (the fraction of the extra range beyond it),
// or when the rules pick no endpoint. Clients on a powered-off node send nothing.
// Traffic starts when the fleet's rules first hold a ready endpoint of the Service (before that the
// Service is still being created, and its failures would say nothing about a fault).
// For speed, nodes that follow the kube-proxy fleet, in a world without cut or degraded links, are taken
// together per zone (they pick the same endpoints from the same rules); the others one by one, and without
// cut or degraded links those cut off at the same moment share one outcome of their shared rules list.
// A fast path (fast-paths.ts trafficKeptOutcomes; the reference works everything out at every evaluation):
// what requests meet depends only on the rules, the pods they route to and the world, so a write of the
// Service's slices (which moves only how many nodes are behind the API server) keeps the rest from before.
// Another (trafficKeptCauses): the causes of the dead endpoints are kept up to date with the picked lists
// (dead-causes.ts) instead of worked out from every dead pod again after each change of the world.
// Another (trafficGroupedNodes): the nodes that do not follow the fleet and share a zone and a rules map
// are one position, their stale-since times kept between evaluations (groupedView, groupedStale).
import type { TraceRecord } from '../../engine/index.js';
import { Priority } from '../../engine/index.js';
import { considersZoneHints, type Endpoint, type MeteredService } from '../../k8s/services.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import { commonEnds, forChangedEndpoints, type KubeProxyFleet, type ProxyNode } from '../proxy/kube-proxy.js';
import { categorizeEndpoints, type TopologyNode } from '../proxy/topology.js';
import { DeadCauses, type DeadPodFacts, MAX_LISTED_NODES } from './dead-causes.js';

interface ServiceState {
  spec: MeteredService;
  started: boolean;
  /** The fields of the last `service.traffic.changed` traced (undefined: none yet). */
  last: TrafficFields | undefined;
  /** Bumped when a pod some node routes to starts or stops (cached outcomes then no longer hold). */
  runningVersion: number;
  /** Outcomes of zone positions (no links involved), by picked list, while runningVersion holds. */
  outcomes: WeakMap<readonly Endpoint[], { version: number; outcome: Outcome; dead: string[] }>;
  /** Since when each stale group (a zone of fleet nodes, "zone:<z>", or a node by name) has been stale. */
  staleSince: Map<string, number>;
  /** The last evaluation's outcome but for the nodes behind; undefined when something it depends on changed. */
  main: MainOutcome | undefined;
  /** The picked lists of the last evaluation, with their dead pods kept up to date (fast path). */
  tracked: Map<readonly Endpoint[], Tracked>;
  /** The union of the dead pods of the picked lists in use, while several of them have some. */
  union: UnionCauses | undefined;
  /** Its nodes' stale-since times as kept with grouped positions (undefined: to look at them all again). */
  grouped: GroupedStale | undefined;
}

/**
 * Powered-on nodes that do not follow the fleet and pick alike: one zone, one rules map (fast path
 * trafficGroupedNodes). Taken together as one client position, as the fleet-following nodes of a zone are.
 */
interface NodeGroup {
  readonly own: ReadonlyMap<string, readonly Endpoint[]>;
  readonly zone: string;
  /** Its nodes, in name order. */
  readonly members: ProxyNode[];
  /** Of them, the nodes whose kube-proxy is stopped. */
  stopped: number;
  /** Its place among the view's groups. */
  readonly index: number;
  readonly view: GroupedView;
}

/** The powered-on nodes that do not follow the fleet, grouped (for one membership and world version). */
interface GroupedView {
  readonly groups: NodeGroup[];
  /** The group of each node, the nodes in name order (the order the reference adds their rates in). */
  readonly order: Int32Array;
  readonly groupOf: Map<ProxyNode, NodeGroup>;
  /** How many of them each zone has. */
  readonly byZone: Map<string, number>;
}

/**
 * The stale-since times of a Service's grouped nodes, kept from its last evaluation with grouped positions:
 * only the nodes whose group changed since (the meter's view log) and the members of the groups that
 * became stale or stopped being stale are looked at again. st.staleSince holds the times, as the
 * reference does; here, how many nodes hold each time (for the least of them).
 */
interface GroupedStale {
  /** How much of the view log it has seen. */
  cursor: number;
  /** The groups (rules map, then zones) that were stale positions at the last evaluation. */
  stale: Map<ReadonlyMap<string, readonly Endpoint[]>, Set<string>>;
  /** The nodes' stale-since times, with how many nodes hold each. */
  times: Map<number, number>;
}

/** A picked list's pods, by how many of its endpoints each has, and those of them not running. */
interface Tracked {
  /** The picked list (retrack moves an entry no list uses any more on to a new one). */
  picked: readonly Endpoint[];
  count: Map<string, number> | undefined;
  dead: Map<string, number>;
  /** Endpoints of the list whose pod is not running. */
  deadCount: number;
  /** Bumped when its dead pods change. */
  version: number;
  /** deadKinds of its dead pods, for this version and world version. */
  kinds: { version: number; worldVersion: number; text: string } | undefined;
  /** Its dead pods' causes, kept up to date once first asked for (fast path trafficKeptCauses). */
  causes: DeadCauses | undefined;
  /** The union of dead pods it is a member of, kept up to date with it (fast path trafficKeptCauses). */
  union: UnionCauses | undefined;
}

/**
 * The dead pods of several picked lists in use together (nodes whose rules differ, each with dead pods:
 * a zone coming back relists while the fleet moves on), with how many of the lists hold each, and their
 * causes (fast path trafficKeptCauses).
 */
interface UnionCauses {
  causes: DeadCauses;
  count: Map<string, number>;
  members: Set<Tracked>;
}

/** The fields of a `service.traffic.changed` event. */
interface TrafficFields {
  service: string;
  requestsPerSecond: number;
  failingPerSecond: number;
  successRate: number;
  deadEndpoints: number;
  staleNodes: number;
  staleSinceMs?: number;
  behindNodes: number;
  cause: string;
}

/** Numbers equal as JSON writes them (NaN as null, so equal to itself). */
function sameNumber(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

const NO_ENDPOINT_OUTCOME: Outcome = { failFraction: 1, stale: false, noEndpoints: true, cut: false };

/** What an evaluation finds, but for the nodes behind the API server (which every slice write moves). */
interface MainOutcome {
  /** The fleet's membership it was worked out for. */
  membershipVersion: number;
  positions: Position[];
  requestsPerSecond: number;
  failingPerSecond: number;
  successRate: number;
  deadCount: number;
  deadKinds: string;
  staleNodes: number;
  staleSinceMs: number | undefined;
  noEndpointNodes: number;
  cutNodes: number;
  sent: number;
  weightSum: number;
}

/** Clients that pick endpoints alike: one node, or every fleet-following node of a zone (count of them). */
interface Position {
  /** staleSince key: the node name, or "zone:<z>". */
  key: string;
  node: TopologyNode;
  /** The node's host and kube-proxy (a node on its own), or undefined (a zone of fleet-following nodes). */
  host: Host | undefined;
  proxy: ProxyNode | undefined;
  rules: readonly Endpoint[];
  count: number;
  /** Each node's client weight. */
  weightEach: number;
  /** Nodes taken together (fast path trafficGroupedNodes); undefined for a zone's fleet nodes or one node. */
  group?: NodeGroup;
}

/** One evaluated client position: what a node (or all fleet nodes of a zone) do with this Service. */
interface Outcome {
  /** Fraction of its requests that fail. */
  failFraction: number;
  stale: boolean;
  noEndpoints: boolean;
  /** Some picked endpoint is behind a cut link, or a degraded one slower than the timeout. */
  cut: boolean;
}

export class TrafficMeter {
  private readonly services = new Map<string, ServiceState>();
  private readonly byWorkload = new Map<string, string[]>();
  /** Pods of the Services' workloads whose containers run now, with their node. */
  private readonly running = new Map<string, string>();
  /** Node a pod ran on last (to say why an endpoint is dead). */
  private readonly lastNode = new Map<string, string>();
  private readonly podWorkload = new Map<string, string>();
  /** Pods whose application fails (an app-degrade fault): their requests fail like a stopped pod's. */
  private readonly appFailing = new Set<string>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private liveVersion = -1;
  private readonly pickedCache = new WeakMap<readonly Endpoint[], Map<string, readonly Endpoint[]>>();
  /** A slice's ready endpoints, and a picked list's parts slice by slice (fast path trafficDiffedPicks). */
  private readonly readyParts = new WeakMap<readonly Endpoint[], readonly Endpoint[]>();
  private readonly pickParts = new WeakMap<readonly Endpoint[], readonly (readonly Endpoint[])[]>();
  private liveCache = new Map<string, number>();
  private readonly zones: string[];
  /**
   * Hosts (by node name) in the order they were seen to change power, and the power each had when last
   * looked at (at the first evaluation after a world change): kept causes catch up on the entries they
   * have not seen (fast path trafficKeptCauses).
   */
  private readonly powerLog: string[] = [];
  /** Whether each fleet node's host was powered on when last looked at, by the node's place in fleet.nodes. */
  private readonly powerSeen: boolean[] = [];
  private powerVersion = -1;
  /** detachedLive's answer, and the versions it holds for. */
  private detachedCache: { membershipVersion: number; worldVersion: number; nodes: readonly ProxyNode[] } | undefined;
  /** The detached live nodes grouped (fast path trafficGroupedNodes), for the nodes of detachedCache. */
  private groupedCache: { nodes: readonly ProxyNode[]; view: GroupedView } | undefined;
  /**
   * Nodes whose group changed (they stopped or started following the fleet, relisted, or powered off or
   * on), in the order seen between two grouped views: a Service's kept stale-since times catch up on them.
   */
  private readonly viewLog: ProxyNode[] = [];
  /**
   * Hosts of nodes without a kube-proxy of the fleet that a dead pod ran on (kubeadm's control-plane Nodes
   * run pods that tolerate their taint), and their power when last looked at: the power log covers them too.
   */
  private readonly otherHosts: Host[] = [];
  private readonly otherSeen: boolean[] = [];
  private readonly facts: DeadPodFacts = {
    lastNode: (pod) => this.lastNode.get(pod),
    host: (node) => {
      const host = this.ctx.hosts.get(node);
      if (host !== undefined && !this.fleet.byName.has(node) && !this.otherHosts.includes(host)) {
        this.otherHosts.push(host);
        this.otherSeen.push(host.poweredOn);
      }
      return host;
    },
    runningButFailing: (pod) => this.running.has(pod) && this.appFailing.has(pod),
  };

  constructor(
    private readonly ctx: ModelContext,
    services: readonly MeteredService[],
    private readonly fleet: KubeProxyFleet,
  ) {
    for (const spec of services) {
      this.services.set(spec.name, {
        spec,
        started: false,
        last: undefined,
        staleSince: new Map(),
        runningVersion: 0,
        outcomes: new WeakMap(),
        main: undefined,
        tracked: new Map(),
        union: undefined,
        grouped: undefined,
      });
      for (const w of spec.workloads) {
        const list = this.byWorkload.get(w) ?? [];
        list.push(spec.name);
        this.byWorkload.set(w, list);
      }
    }
    this.zones = [...new Set(fleet.nodes.map((n) => n.zone))].sort();
    ctx.trace.observe((e) => this.observe(e));
    ctx.world.onChanged(() => this.markAll());
    fleet.onRulesChanged = (svcs) => {
      for (const s of svcs) this.mark(s);
    };
    // A slice write moves only the nodes behind: what requests meet is kept.
    fleet.onStoredChanged = (svc) => this.mark(svc, false);
    // A node provisioned in a zone of its own adds a zone of clients.
    fleet.onNodeAdded = (n) => {
      if (!this.zones.includes(n.zone)) this.zones.splice(0, this.zones.length, ...[...this.zones, n.zone].sort());
    };
  }

  private observe(e: TraceRecord): void {
    const t = e.type;
    if (t === 'pod.created') {
      const r = e as TraceRecord & { pod: string; workload: string };
      if (this.byWorkload.has(r.workload)) this.podWorkload.set(r.pod, r.workload);
    } else if (t === 'pod.started' || t === 'pod.stopped' || t === 'pod.app.changed') {
      const r = e as TraceRecord & { pod: string; node?: string; failing?: boolean };
      const w = this.podWorkload.get(r.pod);
      if (w === undefined) return;
      if (t === 'pod.started') {
        this.running.set(r.pod, r.node!);
        this.lastNode.set(r.pod, r.node!);
      } else if (t === 'pod.stopped') this.running.delete(r.pod);
      else if (r.failing) this.appFailing.add(r.pod);
      else this.appFailing.delete(r.pod);
      this.servingChanged(w, r.pod);
    } else if (t === 'pod.removed') {
      const r = e as TraceRecord & { pod: string };
      this.podWorkload.delete(r.pod);
    }
  }

  /** A pod serves requests when its containers run and its application does not fail (app-degrade). */
  private serving(pod: string): boolean {
    return this.running.has(pod) && !(this.appFailing.size > 0 && this.appFailing.has(pod));
  }

  /** Pod `pod` of workload `w` started or stopped serving: the tracked lists that hold it follow. */
  private servingChanged(w: string, pod: string): void {
    const serving = this.serving(pod);
    // Only a pod some live node routes to changes what requests meet. With every live kube-proxy in the
    // fleet, those are the fleet's rules; a pod that enters them later is looked at when they are synced.
    const anyDetached = this.fleet.detachedLive > 0;
    for (const s of this.byWorkload.get(w)!) {
      if (!anyDetached && !this.fleet.routes(s, pod)) continue;
      const st = this.services.get(s)!;
      st.runningVersion++;
      for (const entry of st.tracked.values()) {
        const n = this.countOf(entry).get(pod);
        if (n === undefined) continue;
        entry.version++;
        if (serving) {
          if (entry.dead.delete(pod)) {
            entry.deadCount -= n;
            this.deadRemoved(entry, pod);
          }
        } else if (!entry.dead.has(pod)) {
          entry.dead.set(pod, n);
          entry.deadCount += n;
          this.deadAdded(entry, pod);
        } else {
          entry.causes?.refresh(pod);
          entry.union?.causes.refresh(pod);
        }
      }
      this.mark(s);
    }
  }

  private markAll(): void {
    for (const s of this.services.keys()) this.mark(s);
  }

  /** The Service is evaluated at the end of the millisecond; `outcomes`: what requests meet may have changed. */
  private mark(service: string, outcomes = true): void {
    const st = this.services.get(service);
    if (st === undefined) return;
    if (outcomes) st.main = undefined;
    this.dirty.add(service);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After everything else of the millisecond: one evaluation per Service however many changes it saw.
    this.ctx.sim.at(this.ctx.sim.nowMs, () => this.flush(), 'traffic/flush', Priority.late);
  }

  private flush(): void {
    this.flushScheduled = false;
    const names = [...this.dirty].sort();
    this.dirty.clear();
    for (const n of names) this.evaluate(this.services.get(n)!);
  }

  private evaluate(st: ServiceState): void {
    const spec = st.spec;
    const name = spec.name;
    if (!st.started) {
      if (!this.fleet.fleetRules(name).some((e) => e.ready)) return;
      st.started = true;
      st.main = undefined;
    }
    // What requests meet changes only with the rules, the pods they route to and the world; a write of the
    // Service's slices alone moves only how many nodes are behind (fast path: the rest is kept from before).
    let main = st.main;
    if (
      main === undefined ||
      !this.ctx.fastPaths.trafficKeptOutcomes ||
      main.membershipVersion !== this.fleet.membershipVersion
    ) {
      main = this.evaluateMain(st);
      st.main = main;
    }
    const fleet = this.fleet;
    let behindNodes = 0;
    /** Of them, nodes whose kube-proxy is stopped (the cause says so rather than "behind"). */
    let stoppedNodes = 0;
    const fleetBehind = fleet.fleetBehind(name);
    // Nodes cut off at the same moment share their rules lists: each list is compared once.
    let ownBehind: Map<readonly Endpoint[], boolean> | undefined;
    for (const p of main.positions) {
      const own = p.proxy === undefined ? undefined : p.proxy.own;
      if (own === undefined) {
        if (fleetBehind) behindNodes += p.count;
        continue;
      }
      const rules = own.get(name) ?? NO_ENDPOINTS;
      let behind = (ownBehind ??= new Map()).get(rules);
      if (behind === undefined) ownBehind.set(rules, (behind = fleet.rulesBehind(rules, name)));
      if (behind) {
        behindNodes += p.count;
        if (p.group !== undefined) stoppedNodes += p.group.stopped;
        else if (fleet.isStopped(p.node.name)) stoppedNodes += p.count;
      }
    }
    const cause = this.cause(st, main, behindNodes, stoppedNodes);
    // Traced when some field differs from the last event's (as their JSON would: NaN equals NaN there).
    const last = st.last;
    if (
      last !== undefined &&
      last.service === name &&
      sameNumber(last.requestsPerSecond, main.requestsPerSecond) &&
      sameNumber(last.failingPerSecond, main.failingPerSecond) &&
      sameNumber(last.successRate, main.successRate) &&
      last.deadEndpoints === main.deadCount &&
      last.staleNodes === main.staleNodes &&
      last.staleSinceMs === main.staleSinceMs &&
      last.behindNodes === behindNodes &&
      last.cause === cause
    )
      return;
    const fields: TrafficFields = {
      service: name,
      requestsPerSecond: main.requestsPerSecond,
      failingPerSecond: main.failingPerSecond,
      successRate: main.successRate,
      deadEndpoints: main.deadCount,
      staleNodes: main.staleNodes,
      ...(main.staleSinceMs !== undefined ? { staleSinceMs: main.staleSinceMs } : {}),
      behindNodes,
      cause,
    };
    st.last = fields;
    this.ctx.trace.emit('service.traffic.changed', fields);
  }

  /** Everything of an evaluation but the nodes behind the API server: what each client position meets. */
  private evaluateMain(st: ServiceState): MainOutcome {
    const spec = st.spec;
    const membershipVersion = this.fleet.membershipVersion;
    const network = this.ctx.network;
    const external = spec.traffic.clients.kind === 'load-balancer';
    const policy = external ? spec.externalTrafficPolicy : spec.internalTrafficPolicy;
    const liveByZone = this.liveByZone();
    const positions = this.positions(st, policy === 'Local' || network.partitioned || network.degraded, liveByZone);
    const dead = new Set<string>();
    const { outcomes, used } = this.outcomes(st, positions, policy, dead);
    const { deadCount, deadKinds } = this.deadOf(st, used, dead);
    if (this.ctx.fastPaths.trafficKeptOutcomes) st.tracked = used;
    const weightSum = this.weigh(spec, policy, positions, outcomes, liveByZone);
    const rate = spec.traffic.ratePerSecond;
    const tally = this.tally(st, positions, outcomes, rate, weightSum);
    // Sent: the whole rate while some client runs. A load balancer with live nodes but none passing its
    // health checks still receives the requests, and every one fails.
    const liveNodes = positions.reduce((a, p) => a + p.count, 0);
    const lbWithoutBackends = external && weightSum === 0 && liveNodes > 0;
    const failing = lbWithoutBackends ? rate : tally.failing;
    const sent = weightSum > 0 || lbWithoutBackends ? rate : 0;
    return {
      membershipVersion,
      positions,
      requestsPerSecond: round(sent, 1000),
      failingPerSecond: round(failing, 1000),
      successRate: sent > 0 ? round(1 - failing / sent, 10000) : 1,
      deadCount,
      deadKinds,
      staleNodes: tally.staleNodes,
      staleSinceMs: tally.staleSinceMs,
      noEndpointNodes: tally.noEndpointNodes,
      cutNodes: tally.cutNodes,
      sent,
      weightSum,
    };
  }

  /** Client positions: each node on its own where it matters, else the fleet-following nodes of a zone at once. */
  private positions(st: ServiceState, perNode: boolean, liveByZone: Map<string, number>): Position[] {
    const fleet = this.fleet;
    const positions: Position[] = [];
    const detachedLive = this.detachedLive();
    if (perNode) {
      for (const n of fleet.nodes) if (n.host.poweredOn) positions.push(this.nodePosition(n, st));
      return positions;
    }
    if (this.ctx.fastPaths.trafficGroupedNodes) {
      // Fast path: the nodes that do not follow the fleet, one position per group of them that picks alike.
      const view = this.groupedView(detachedLive);
      for (const z of this.zones) {
        const count = (liveByZone.get(z) ?? 0) - (view.byZone.get(z) ?? 0);
        if (count > 0) positions.push(this.zonePosition(st, z, count));
      }
      for (const g of view.groups) {
        const first = g.members[0];
        positions.push({
          key: first.name,
          node: first,
          host: first.host,
          proxy: first,
          rules: this.fleet.rulesOf(first, st.spec.name),
          count: g.members.length,
          weightEach: 0,
          group: g,
        });
      }
      return positions;
    }
    const detachedByZone = new Map<string, number>();
    for (const n of detachedLive) detachedByZone.set(n.zone, (detachedByZone.get(n.zone) ?? 0) + 1);
    for (const z of this.zones) {
      const count = (liveByZone.get(z) ?? 0) - (detachedByZone.get(z) ?? 0);
      if (count <= 0) continue;
      positions.push(this.zonePosition(st, z, count));
    }
    for (const n of detachedLive) positions.push(this.nodePosition(n, st));
    return positions;
  }

  /**
   * What each position meets, and the picked lists in use with their tracked dead pods (fast path
   * trafficKeptOutcomes). `dead` collects the dead endpoints of positions looked at link by link, and
   * without the fast path of every position.
   */
  private outcomes(
    st: ServiceState,
    positions: readonly Position[],
    policy: MeteredService['internalTrafficPolicy'],
    dead: Set<string>,
  ): { outcomes: Outcome[]; used: Map<readonly Endpoint[], Tracked> } {
    const network = this.ctx.network;
    const preferClose = considersZoneHints(st.spec);
    const timeoutMs = st.spec.traffic.timeoutMs;
    const linksMatter = network.partitioned || network.degraded;
    const tracking = this.ctx.fastPaths.trafficKeptOutcomes;
    const used = new Map<readonly Endpoint[], Tracked>();
    // Without cut or degraded links (or for a zone of fleet-following nodes) the outcome depends only on the
    // picked endpoints and what runs: kept per picked list (nodes cut off at the same moment share theirs).
    const picks = positions.map((p) =>
      p.host !== undefined && linksMatter ? undefined : this.picked(p.rules, policy, preferClose, p.node),
    );
    // Fast path trafficDiffedPicks: the tracked lists no position picks any more are worked into the new ones.
    let free: Tracked[] | undefined;
    if (tracking && this.ctx.fastPaths.trafficDiffedPicks) {
      const inUse = new Set(picks);
      for (const [list, entry] of st.tracked) if (!inUse.has(list)) (free ??= []).push(entry);
    }
    const outcomes = positions.map((p, i) => {
      const picked = picks[i];
      if (picked === undefined) return this.outcome(p.rules, policy, preferClose, p.node, p.host, dead, timeoutMs);
      if (tracking) {
        // Fast path: the picked list's dead pods, kept up to date as pods start and stop.
        let entry = st.tracked.get(picked) ?? used.get(picked);
        if (entry === undefined)
          entry = free !== undefined && free.length > 0 ? this.retrack(free.shift()!, picked) : this.track(picked);
        used.set(picked, entry);
        if (picked.length === 0) return NO_ENDPOINT_OUTCOME;
        return {
          failFraction: entry.deadCount / picked.length,
          stale: entry.deadCount > 0,
          noEndpoints: false,
          cut: false,
        };
      }
      const hit = st.outcomes.get(picked);
      if (hit !== undefined && hit.version === st.runningVersion) {
        for (const d of hit.dead) dead.add(d);
        return hit.outcome;
      }
      const own = new Set<string>();
      const outcome = this.outcome(p.rules, policy, preferClose, p.node, undefined, own, timeoutMs);
      for (const d of own) dead.add(d);
      st.outcomes.set(picked, { version: st.runningVersion, outcome, dead: [...own] });
      return outcome;
    });
    return { outcomes, used };
  }

  /** How many endpoints in use are dead, and why (only the picked lists in use are kept up to date). */
  private deadOf(
    st: ServiceState,
    used: Map<readonly Endpoint[], Tracked>,
    dead: Set<string>,
  ): { deadCount: number; deadKinds: string } {
    const tracking = this.ctx.fastPaths.trafficKeptOutcomes;
    const kept = tracking && this.ctx.fastPaths.trafficKeptCauses;
    // Fast path trafficKeptCauses: when one picked list in use (or none) has dead pods, and no position was
    // looked at link by link, the dead pods are that list's, and their causes are kept up to date with it.
    let alone: Tracked | undefined;
    let several = false;
    if (kept && dead.size === 0)
      for (const entry of used.values()) {
        if (entry.dead.size === 0) continue;
        if (alone === undefined) alone = entry;
        else several = true;
      }
    if (!several && st.union !== undefined) {
      for (const m of st.union.members) m.union = undefined;
      st.union = undefined;
    }
    if (kept && dead.size === 0 && !several)
      return {
        deadCount: alone === undefined ? 0 : alone.dead.size,
        deadKinds: alone === undefined ? '' : this.keptKinds(alone),
      };
    if (several) {
      const union = this.unionOf(st, used);
      return { deadCount: union.count.size, deadKinds: this.causesText(union.causes) };
    }
    if (tracking && used.size === 1 && dead.size === 0) {
      // One picked list for every position (the usual case): its dead pods, and their causes kept.
      const entry = used.values().next().value!;
      const worldVersion = this.ctx.world.version;
      const k = entry.kinds;
      if (k !== undefined && k.version === entry.version && k.worldVersion === worldVersion)
        return { deadCount: entry.dead.size, deadKinds: k.text };
      const text = entry.dead.size > 0 ? this.deadKinds(entry.dead.keys()) : '';
      entry.kinds = { version: entry.version, worldVersion, text };
      return { deadCount: entry.dead.size, deadKinds: text };
    }
    for (const entry of used.values()) for (const d of entry.dead.keys()) dead.add(d);
    return { deadCount: dead.size, deadKinds: dead.size > 0 ? this.deadKinds(dead) : '' };
  }

  /** Client weights (nodes whose host is on): sets each position's weightEach, returns their sum. */
  private weigh(
    spec: MeteredService,
    policy: MeteredService['internalTrafficPolicy'],
    positions: readonly Position[],
    outcomes: readonly Outcome[],
    liveByZone: Map<string, number>,
  ): number {
    const clients = spec.traffic.clients;
    let weightSum = 0;
    positions.forEach((p, i) => {
      if (clients.kind === 'nodes') p.weightEach = 1;
      else if (clients.kind === 'zones') {
        const w = clients.weights[p.node.zone];
        p.weightEach = w === undefined ? 0 : w / liveByZone.get(p.node.zone)!;
      } else {
        // externalTrafficPolicy Local: the load balancer's health checks (healthCheckNodePort) pass only on
        // nodes whose kube-proxy has a local endpoint; taken as instant.
        p.weightEach = policy === 'Cluster' || !outcomes[i].noEndpoints ? 1 : 0;
      }
      if (p.group === undefined) weightSum += p.weightEach * p.count;
    });
    // Grouped nodes (after every other position), node by node in name order as the reference adds them.
    const view = positions.find((p) => p.group !== undefined)?.group!.view;
    if (view !== undefined) {
      const base = positions.length - view.groups.length;
      for (const g of view.order) weightSum += positions[base + g].weightEach * 1;
    }
    return weightSum;
  }

  /** The failing rate and the nodes stale, without endpoints or across cut links; stale groups' times kept. */
  private tally(
    st: ServiceState,
    positions: readonly Position[],
    outcomes: readonly Outcome[],
    rate: number,
    weightSum: number,
  ): {
    failing: number;
    staleNodes: number;
    noEndpointNodes: number;
    cutNodes: number;
    staleSinceMs: number | undefined;
  } {
    let failing = 0;
    let staleNodes = 0;
    let noEndpointNodes = 0;
    let cutNodes = 0;
    const nowMs = this.ctx.sim.nowMs;
    const staleKeys = new Set<string>();
    let view: GroupedView | undefined;
    positions.forEach((p, i) => {
      const o = outcomes[i];
      if (p.weightEach > 0) {
        if (p.group === undefined) failing += (rate * p.weightEach * p.count * o.failFraction) / weightSum;
        if (o.noEndpoints) noEndpointNodes += p.count;
        if (o.cut) cutNodes += p.count;
      }
      if (p.group !== undefined) {
        // Grouped nodes: their rates below, their stale-since times kept (groupedStale).
        view = p.group.view;
        if (o.stale) staleNodes += p.count;
        return;
      }
      if (o.stale) {
        staleNodes += p.count;
        staleKeys.add(p.key);
        if (!st.staleSince.has(p.key)) st.staleSince.set(p.key, st.staleSince.get(`zone:${p.node.zone}`) ?? nowMs);
      }
    });
    if (view === undefined) {
      for (const key of [...st.staleSince.keys()]) if (!staleKeys.has(key)) st.staleSince.delete(key);
      st.grouped = undefined;
      let staleSinceMs: number | undefined;
      for (const v of st.staleSince.values()) staleSinceMs = staleSinceMs === undefined ? v : Math.min(staleSinceMs, v);
      return { failing, staleNodes, noEndpointNodes, cutNodes, staleSinceMs };
    }
    // Grouped nodes come after every other position: their rates added node by node in name order, as
    // the reference adds them (the same sum, to the last bit).
    const base = positions.length - view.groups.length;
    const terms = view.groups.map((g) => {
      const p = positions[base + g.index];
      return p.weightEach > 0 ? (rate * p.weightEach * 1 * outcomes[base + g.index].failFraction) / weightSum : 0;
    });
    if (terms.some((t) => t !== 0)) for (const g of view.order) failing += terms[g];
    const times = this.groupedStale(st, view, outcomes.slice(base), nowMs);
    let staleSinceMs: number | undefined;
    for (const z of this.zones) {
      const key = `zone:${z}`;
      const v = st.staleSince.get(key);
      if (v === undefined) continue;
      if (!staleKeys.has(key)) st.staleSince.delete(key);
      else staleSinceMs = staleSinceMs === undefined ? v : Math.min(staleSinceMs, v);
    }
    for (const v of times.keys()) staleSinceMs = staleSinceMs === undefined ? v : Math.min(staleSinceMs, v);
    return { failing, staleNodes, noEndpointNodes, cutNodes, staleSinceMs };
  }

  /**
   * The grouped nodes' stale-since times brought up to date (fast path trafficGroupedNodes), as the
   * reference's tally sets them node by node: a node stale now keeps its time, or takes its zone's (while
   * the zone's key is there) or now; a node not stale now has none. Only nodes that may differ from the
   * last evaluation are looked at: those whose group changed (the view log) and the members of groups
   * that became stale or stopped being stale. `outcomes`: the groups' outcomes, in the view's order.
   */
  private groupedStale(
    st: ServiceState,
    view: GroupedView,
    outcomes: readonly Outcome[],
    nowMs: number,
  ): Map<number, number> {
    const staleNow = new Map<ReadonlyMap<string, readonly Endpoint[]>, Set<string>>();
    for (const g of view.groups) {
      if (!outcomes[g.index].stale) continue;
      let zones = staleNow.get(g.own);
      if (zones === undefined) staleNow.set(g.own, (zones = new Set()));
      zones.add(g.zone);
    }
    const since = st.staleSince;
    let gs = st.grouped;
    const full = gs === undefined;
    if (gs === undefined) {
      // The first evaluation with groups (or the first after one node by node): every node's time counted.
      gs = { cursor: 0, stale: staleNow, times: new Map() };
      for (const [key, v] of since) if (!key.startsWith('zone:')) gs.times.set(v, (gs.times.get(v) ?? 0) + 1);
    }
    const times = gs.times;
    const visit = (n: ProxyNode) => {
      const g = view.groupOf.get(n);
      const stale = g !== undefined && (staleNow.get(g.own)?.has(g.zone) ?? false);
      const had = since.get(n.name);
      if (stale && had === undefined) {
        const v = since.get(`zone:${n.zone}`) ?? nowMs;
        since.set(n.name, v);
        times.set(v, (times.get(v) ?? 0) + 1);
      } else if (!stale && had !== undefined) {
        since.delete(n.name);
        const left = times.get(had)! - 1;
        if (left === 0) times.delete(had);
        else times.set(had, left);
      }
    };
    if (full) {
      for (const key of [...since.keys()]) if (!key.startsWith('zone:')) visit(this.fleet.byName.get(key)!);
      for (const g of view.groups) for (const n of g.members) visit(n);
    } else {
      const was = gs.stale;
      for (const g of view.groups)
        if ((was.get(g.own)?.has(g.zone) ?? false) !== outcomes[g.index].stale) for (const n of g.members) visit(n);
      for (let i = gs.cursor; i < this.viewLog.length; i++) visit(this.viewLog[i]);
    }
    gs.cursor = this.viewLog.length;
    gs.stale = staleNow;
    st.grouped = gs;
    return times;
  }

  /** A picked list's pods (with how often each is in it) and, of them, those not serving now. */
  private track(picked: readonly Endpoint[]): Tracked {
    const dead = new Map<string, number>();
    let deadCount = 0;
    for (const e of picked) {
      if (this.serving(e.pod)) continue;
      dead.set(e.pod, (dead.get(e.pod) ?? 0) + 1);
      deadCount++;
    }
    return {
      picked,
      count: undefined,
      dead,
      deadCount,
      version: 0,
      kinds: undefined,
      causes: undefined,
      union: undefined,
    };
  }

  /**
   * A tracked list no position picks any more, made the tracked list of `picked`: only the endpoints between
   * the two lists' common head and tail (commonEnds) leave and enter its counts, so a sync that changed a few
   * endpoints costs a few. The same counts as track(picked): its dead pods were kept up to date for every pod
   * in it that some node routes to, and a pod that left the fleet's rules is in the part that leaves.
   */
  private retrack(entry: Tracked, picked: readonly Endpoint[]): Tracked {
    const { count, dead } = entry;
    let changed = false;
    const leave = (pod: string) => {
      if (count !== undefined) {
        const n = count.get(pod)! - 1;
        if (n === 0) count.delete(pod);
        else count.set(pod, n);
      }
      const d = dead.get(pod);
      if (d === undefined) return;
      changed = true;
      entry.deadCount--;
      if (d === 1) {
        dead.delete(pod);
        this.deadRemoved(entry, pod);
      } else dead.set(pod, d - 1);
    };
    const enter = (pod: string) => {
      if (count !== undefined) count.set(pod, (count.get(pod) ?? 0) + 1);
      if (this.serving(pod)) return;
      changed = true;
      entry.deadCount++;
      const d = dead.get(pod);
      dead.set(pod, (d ?? 0) + 1);
      if (d === undefined) this.deadAdded(entry, pod);
    };
    const before = entry.picked;
    const partsBefore = this.pickParts.get(before);
    const parts = this.pickParts.get(picked);
    if (partsBefore !== undefined && parts !== undefined) {
      // Both picked slice by slice: the parts of slices written since leave and enter (with fast path
      // sliceMiddles, only what changed in each).
      forChangedEndpoints(
        partsBefore,
        parts,
        this.ctx.fastPaths.sliceMiddles,
        (e) => leave(e.pod),
        (e) => enter(e.pod),
      );
    } else {
      const [head, tail] = commonEnds(before, picked);
      for (let i = head; i < before.length - tail; i++) leave(before[i].pod);
      for (let i = head; i < picked.length - tail; i++) enter(picked[i].pod);
    }
    entry.picked = picked;
    // Its dead pods' causes are kept while its dead pods are the same.
    if (changed) entry.version++;
    return entry;
  }

  /** A tracked list's pods by how many of its endpoints each has (built when a pod of it first changes). */
  private countOf(entry: Tracked): Map<string, number> {
    if (entry.count === undefined) {
      entry.count = new Map();
      for (const e of entry.picked) entry.count.set(e.pod, (entry.count.get(e.pod) ?? 0) + 1);
    }
    return entry.count;
  }

  /**
   * deadKinds of a tracked list's dead pods, from its kept causes (fast path trafficKeptCauses): built at
   * the first call, then brought up to date with the hosts that changed power since.
   */
  private keptKinds(entry: Tracked): string {
    this.powerChanges();
    let causes = entry.causes;
    if (causes === undefined)
      entry.causes = causes = new DeadCauses(this.facts, entry.dead.keys(), this.powerLog.length);
    return this.causesText(causes);
  }

  /** Kept causes brought up to date with the hosts that changed power since they last were, in words. */
  private causesText(causes: DeadCauses): string {
    this.powerChanges();
    for (; causes.powerSeen < this.powerLog.length; causes.powerSeen++)
      causes.powerChanged(this.powerLog[causes.powerSeen]);
    return causes.text();
  }

  /**
   * The union of the dead pods of the picked lists in use (several of them with dead pods), kept from the
   * last evaluation: lists no longer in use leave it, new ones join it, each with its dead pods.
   */
  private unionOf(st: ServiceState, used: Map<readonly Endpoint[], Tracked>): UnionCauses {
    this.powerChanges();
    let union = st.union;
    if (union === undefined)
      st.union = union = {
        causes: new DeadCauses(this.facts, [], this.powerLog.length),
        count: new Map(),
        members: new Set(),
      };
    const inUse = new Set(used.values());
    for (const m of union.members) {
      if (inUse.has(m)) continue;
      for (const pod of m.dead.keys()) this.deadRemoved({ causes: undefined, union }, pod);
      union.members.delete(m);
      m.union = undefined;
    }
    for (const entry of inUse) {
      if (union.members.has(entry)) continue;
      union.members.add(entry);
      entry.union = union;
      for (const pod of entry.dead.keys()) this.deadAdded({ causes: undefined, union }, pod);
    }
    return union;
  }

  /** A pod became dead in a tracked list: its kept causes follow. */
  private deadAdded(entry: Pick<Tracked, 'causes' | 'union'>, pod: string): void {
    entry.causes?.add(pod);
    const u = entry.union;
    if (u === undefined) return;
    const n = u.count.get(pod) ?? 0;
    u.count.set(pod, n + 1);
    if (n === 0) u.causes.add(pod);
  }

  /** A pod is no longer dead in a tracked list. */
  private deadRemoved(entry: Pick<Tracked, 'causes' | 'union'>, pod: string): void {
    entry.causes?.remove(pod);
    const u = entry.union;
    if (u === undefined) return;
    const n = u.count.get(pod)!;
    if (n > 1) u.count.set(pod, n - 1);
    else {
      u.count.delete(pod);
      u.causes.remove(pod);
    }
  }

  /** Looks at which fleet nodes' hosts changed power since the world last changed: the power log. */
  private powerChanges(): void {
    const version = this.ctx.world.version;
    if (this.powerVersion !== version) {
      this.powerVersion = version;
      // Pods run only on nodes: the fleet's nodes (new nodes join at the end of the list), and the other
      // nodes a dead pod ran on (facts.host).
      const nodes = this.fleet.nodes;
      const seen = this.powerSeen;
      for (let i = 0; i < nodes.length; i++) {
        const on = nodes[i].host.poweredOn;
        if (seen[i] === on) continue;
        seen[i] = on;
        this.powerLog.push(nodes[i].name);
      }
      const others = this.otherHosts;
      for (let i = 0; i < others.length; i++) {
        const on = others[i].poweredOn;
        if (this.otherSeen[i] === on) continue;
        this.otherSeen[i] = on;
        this.powerLog.push(others[i].name);
      }
    }
  }

  /** The fleet-following nodes of a zone, `count` of them, as one client position. */
  private zonePosition(st: ServiceState, z: string, count: number): Position {
    return {
      key: `zone:${z}`,
      node: { name: '', zone: z },
      host: undefined,
      proxy: undefined,
      rules: this.fleet.fleetRules(st.spec.name),
      count,
      weightEach: 0,
    };
  }

  /**
   * The detached live nodes grouped by zone and rules map (nodes cut off between two of the fleet's syncs,
   * or relisted between two deliveries, share their map; so do powered-off ones), groups in the order of
   * their first node by name; and the nodes whose group changed since the last view, into the view log.
   * Nodes of one group pick the same endpoints from the same rules (no link matters here: else each node
   * is a position of its own), so they meet the same outcome; their rates are still added node by node in
   * name order (tally), as the reference adds them.
   */
  private groupedView(nodes: readonly ProxyNode[]): GroupedView {
    const cached = this.groupedCache;
    if (cached !== undefined && cached.nodes === nodes) return cached.view;
    const groups: NodeGroup[] = [];
    const order = new Int32Array(nodes.length);
    const groupOf = new Map<ProxyNode, NodeGroup>();
    const byZone = new Map<string, number>();
    const view: GroupedView = { groups, order, groupOf, byZone };
    const byOwn = new Map<ReadonlyMap<string, readonly Endpoint[]>, Map<string, NodeGroup>>();
    nodes.forEach((n, i) => {
      const own = n.own!;
      let zones = byOwn.get(own);
      if (zones === undefined) byOwn.set(own, (zones = new Map()));
      let g = zones.get(n.zone);
      if (g === undefined) {
        g = { own, zone: n.zone, members: [], stopped: 0, index: groups.length, view };
        zones.set(n.zone, g);
        groups.push(g);
      }
      g.members.push(n);
      if (this.fleet.isStopped(n.name)) g.stopped++;
      order[i] = g.index;
      groupOf.set(n, g);
      byZone.set(n.zone, (byZone.get(n.zone) ?? 0) + 1);
    });
    // The nodes whose group changed since the last view: they left it, joined it, or hold another map.
    const before = cached?.view.groupOf;
    if (before !== undefined) {
      for (const [n, g] of before) if (groupOf.get(n)?.own !== g.own) this.viewLog.push(n);
      for (const n of nodes) if (!before.has(n)) this.viewLog.push(n);
    } else for (const n of nodes) this.viewLog.push(n);
    this.groupedCache = { nodes, view };
    return view;
  }

  /** One node as a client position of its own. */
  private nodePosition(n: ProxyNode, st: ServiceState): Position {
    return {
      key: n.name,
      node: n,
      host: n.host,
      proxy: n,
      rules: this.fleet.rulesOf(n, st.spec.name),
      count: 1,
      weightEach: 0,
    };
  }

  /**
   * The powered-on nodes that do not follow the fleet, by name: the same for every Service until the
   * fleet's membership or the world changes, so worked out once for all of them.
   */
  private detachedLive(): readonly ProxyNode[] {
    const fleet = this.fleet;
    const d = this.detachedCache;
    if (d !== undefined && d.membershipVersion === fleet.membershipVersion && d.worldVersion === this.ctx.world.version)
      return d.nodes;
    const nodes = [...fleet.detached].filter((n) => n.host.poweredOn).sort((a, b) => cmp(a.name, b.name));
    this.detachedCache = { membershipVersion: fleet.membershipVersion, worldVersion: this.ctx.world.version, nodes };
    return nodes;
  }

  /** Live nodes per zone, kept until the world changes. */
  private liveByZone(): Map<string, number> {
    const version = this.ctx.world.version;
    if (this.liveVersion !== version) {
      this.liveCache = new Map();
      for (const n of this.fleet.nodes)
        if (n.host.poweredOn) this.liveCache.set(n.zone, (this.liveCache.get(n.zone) ?? 0) + 1);
      this.liveVersion = version;
    }
    return this.liveCache;
  }

  /**
   * What requests from a client position meet, given its rules: `host` is the node's host when links matter
   * (undefined for a zone's fleet-following nodes, taken together when no link is cut or degraded). `dead`
   * collects the dead endpoints it routes to.
   */
  private outcome(
    rules: readonly Endpoint[],
    policy: MeteredService['internalTrafficPolicy'],
    preferClose: boolean,
    n: TopologyNode,
    host: Host | undefined,
    dead: Set<string>,
    timeoutMs: number,
  ): Outcome {
    const picked = this.picked(rules, policy, preferClose, n);
    if (picked.length === 0) return { failFraction: 1, stale: false, noEndpoints: true, cut: false };
    const network = this.ctx.network;
    const hosts = this.ctx.hosts;
    let failed = 0;
    let stale = false;
    let cut = false;
    for (const e of picked) {
      const on = this.running.get(e.pod);
      if (on === undefined || (this.appFailing.size > 0 && this.appFailing.has(e.pod))) {
        failed += 1;
        stale = true;
        dead.add(e.pod);
        continue;
      }
      if (host === undefined || (!network.partitioned && !network.degraded)) continue;
      const podHost = hosts.get(on)!;
      if (!network.connected(host, podHost)) {
        failed += 1;
        cut = true;
        continue;
      }
      const slow = this.timeoutFraction(host, podHost, timeoutMs);
      if (slow > 0) cut = true;
      failed += slow;
    }
    return { failFraction: failed / picked.length, stale, noEndpoints: false, cut };
  }

  /**
   * categorizeEndpoints, kept per rules list (replaced at every sync) and client position. With Cluster
   * policy and no topology hints to follow the pick does not depend on the node, so all positions share it.
   */
  private picked(
    rules: readonly Endpoint[],
    policy: MeteredService['internalTrafficPolicy'],
    preferClose: boolean,
    n: TopologyNode,
  ): readonly Endpoint[] {
    let byKey = this.pickedCache.get(rules);
    if (byKey === undefined) this.pickedCache.set(rules, (byKey = new Map()));
    // The usual key, Cluster policy without PreferClose, is a constant: no string is built per position.
    const key =
      policy === 'Cluster' && !preferClose
        ? 'Cluster|false|'
        : `${policy}|${preferClose}|${policy === 'Local' ? n.name : preferClose ? n.zone : ''}`;
    let out = byKey.get(key);
    if (out === undefined) byKey.set(key, (out = this.pick(rules, policy, preferClose, n)));
    return out;
  }

  /**
   * categorizeEndpoints. With trafficDiffedPicks, Cluster policy without PreferClose and rules built from
   * several slices, slice by slice: the ready endpoints, or with none anywhere the serving-and-terminating
   * ones, each slice's part kept while the slice is (the same list, concatenated; retrack then compares
   * the parts).
   */
  private pick(
    rules: readonly Endpoint[],
    policy: MeteredService['internalTrafficPolicy'],
    preferClose: boolean,
    n: TopologyNode,
  ): readonly Endpoint[] {
    const slices =
      policy === 'Cluster' && !preferClose && this.ctx.fastPaths.trafficDiffedPicks
        ? this.fleet.slicesOf(rules)
        : undefined;
    if (slices === undefined || slices.length < 2) return categorizeEndpoints(rules, policy, preferClose, n);
    let anyReady = false;
    const ready = slices.map((slice) => {
      let part = this.readyParts.get(slice);
      if (part === undefined) this.readyParts.set(slice, (part = slice.filter((e) => e.ready)));
      if (part.length > 0) anyReady = true;
      return part;
    });
    const parts = anyReady ? ready : slices.map((slice) => slice.filter((e) => e.serving && e.terminating));
    const out = ([] as Endpoint[]).concat(...parts);
    this.pickParts.set(out, parts);
    return out;
  }

  /** The fraction of requests whose round trip exceeds the client's timeout on a degraded link. */
  private timeoutFraction(from: Host, to: Host, timeoutMs: number): number {
    const extra = this.ctx.network.extraLatency(from, to);
    if (extra === undefined) return 0;
    const lat = this.ctx.network.latency;
    // The round trip 2 × (base + extra) exceeds the timeout when extra > timeout / 2 − mean base latency.
    const thresholdMs = timeoutMs / 2 - (lat.minMs + lat.maxMs) / 2;
    if (extra.maxMs <= extra.minMs) return extra.minMs > thresholdMs ? 1 : 0;
    return Math.min(1, Math.max(0, (extra.maxMs - thresholdMs) / (extra.maxMs - extra.minMs)));
  }

  /** Why the dead endpoints are dead (the reference, deadKinds below). */
  private deadKinds(dead: Iterable<string>): string {
    return deadKinds(dead, this.facts);
  }

  private cause(st: ServiceState, main: MainOutcome, behindNodes: number, stoppedNodes: number): string {
    const parts: string[] = [];
    if (main.deadCount > 0) {
      const total = this.fleet.storedCount(st.spec.name);
      parts.push(`${main.deadCount} of ${Math.max(total, main.deadCount)} endpoints dead (${main.deadKinds})`);
    }
    if (main.staleNodes > 0) parts.push(`stale rules on ${nodes(main.staleNodes)}`);
    if (main.noEndpointNodes > 0) parts.push(`no endpoint on ${nodes(main.noEndpointNodes, 'client node')}`);
    if (main.weightSum === 0 && main.sent > 0) parts.push('no node passes the load balancer health checks');
    if (main.cutNodes > 0)
      parts.push(`requests from ${nodes(main.cutNodes, 'client node')} cross a cut or too slow link`);
    if (behindNodes > stoppedNodes) parts.push(`kube-proxy behind on ${nodes(behindNodes - stoppedNodes)}`);
    if (stoppedNodes > 0) parts.push(`kube-proxy stopped on ${nodes(stoppedNodes)} (rules frozen)`);
    return parts.length === 0 ? 'all requests succeed' : parts.join('; ');
  }
}

const NO_ENDPOINTS: readonly Endpoint[] = [];

/**
 * Why the dead endpoints are dead, each reason once, in the order of the first dead pod (by name) that
 * gives it: the same as sorting the pods and keeping the first of each reason, without sorting them all.
 * The reference for the kept causes (dead-causes.ts).
 */
export function deadKinds(dead: Iterable<string>, facts: DeadPodFacts): string {
  const firstOnNode = new Map<string, string>();
  let firstStopped: string | undefined;
  let firstAppFailing: string | undefined;
  for (const p of dead) {
    const node = facts.lastNode(p);
    const host = node === undefined ? undefined : facts.host(node);
    if (host !== undefined && !host.poweredOn) {
      const seen = firstOnNode.get(node!);
      if (seen === undefined || p < seen) firstOnNode.set(node!, p);
    } else if (facts.runningButFailing(p)) {
      if (firstAppFailing === undefined || p < firstAppFailing) firstAppFailing = p;
    } else if (firstStopped === undefined || p < firstStopped) firstStopped = p;
  }
  // The kinds in the order of their first pods (no two kinds share a pod); beyond MAX_LISTED_NODES
  // powered-off nodes, only the first few by their first pod are needed: picked without sorting them all.
  const offFirst: Array<[string, string]> = [];
  for (const [node, p] of firstOnNode) {
    if (offFirst.length === MAX_LISTED_NODES && p > offFirst[MAX_LISTED_NODES - 1][1]) continue;
    let at = offFirst.length;
    while (at > 0 && p < offFirst[at - 1][1]) at--;
    offFirst.splice(at, 0, [node, p]);
    if (offFirst.length > MAX_LISTED_NODES) offFirst.pop();
  }
  const first: Array<[string, string]> = [];
  if (firstOnNode.size <= MAX_LISTED_NODES) for (const [node, p] of offFirst) first.push([`on powered-off ${node}`, p]);
  else {
    const names = offFirst.map(([node]) => node);
    first.push([`on ${firstOnNode.size} powered-off nodes (${names.join(', ')}, …)`, offFirst[0][1]]);
  }
  if (firstStopped !== undefined) first.push(['containers stopped', firstStopped]);
  if (firstAppFailing !== undefined) first.push(['application failing', firstAppFailing]);
  return first
    .sort((x, y) => cmp(x[1], y[1]))
    .map((k) => k[0])
    .join('; ');
}

/** "1 node", "3 nodes" (or another noun). */
function nodes(n: number, noun = 'node'): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(v: number, k: number): number {
  return Math.round(v * k) / k;
}

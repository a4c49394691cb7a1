// kube-proxy on every node (cmd/kube-proxy, pkg/proxy): a watch of EndpointSlices through the API server
// (pkg/proxy/config EndpointSliceConfig, an informer) and rules reprogrammed by syncProxyRules, no sooner than
// minSyncPeriod (default 1 s) after the previous sync, as pkg/proxy/runner.go BoundedFrequencyRunner runs it:
// a change that arrives within minSyncPeriod of the last sync waits for it, and every change that arrived
// meanwhile goes into that one sync. Which endpoints the rules use is topology.ts (CategorizeEndpoints).
//
// Modelled as a fleet, for speed (simplified, docs/fidelity.md#kube-proxy): every kube-proxy that is connected
// to the control plane (its host powered on, an API server reachable with etcd quorum)
// follows one shared watch and one shared sync schedule, so all of them see each EndpointSlice change at the
// same moment (the write plus one network latency drawn for the change) and reprogram their rules in the same
// sync. A kube-proxy that loses the control plane keeps the rules it had (a stale view: it routes to what it
// last knew; a powered-off host's rules are gone, as the kernel's are in a power cycle) and leaves the
// fleet; when it reaches an API server again its informer relists after the reflector's first back-off
// (800 ms), a network latency and the LIST's time for its slices (apiserver/list-cost.ts), it syncs no sooner than minSyncPeriod after its own last sync, and rejoins the fleet (at once when the fleet has nothing pending, else at the fleet's next
// sync, which programs the same state). Upstream, each node's watch has its own latency and each runner
// its own phase: the spread between nodes (milliseconds of watch latency, under a second of runner phase)
// is not modelled.
// A kube-proxy-stop fault (setStopped) stops kube-proxy on a node: it leaves the fleet as a cut-off one does,
// its rules frozen as last synced (the kernel keeps them; nobody updates them), and when it starts again it
// lists the EndpointSlices afresh and syncs them all (the same path as a reconnection).
import type { EndpointSlice, ApiObject } from '../../k8s/objects.js';
import type { Endpoint } from '../../k8s/services.js';
import type { NodeSpec } from '../../k8s/workloads.js';
import type { Rng } from '../../engine/index.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { StoreWatcher, WatchEventType } from '../apiserver/store.js';
import { listTimeMs } from '../apiserver/list-cost.js';

/** KubeProxyConfiguration minSyncPeriod default (pkg/proxy/apis/config/v1alpha1 defaults: 1 s). */
export const MIN_SYNC_PERIOD_MS = 1_000;
/** A relisting informer's first back-off (client-go reflector: 800 ms). */
export const RELIST_DELAY_MS = 800;

export interface ProxyNode {
  readonly name: string;
  readonly zone: string;
  readonly host: Host;
  /** Connected to the control plane now (host on, an API server and etcd quorum reachable). */
  connected: boolean;
  /**
   * Its own rules, when it does not follow the fleet (cut off, or relisted and waiting to rejoin). Never
   * changed in place: nodes that took the same rules at once (cut off between two of the fleet's syncs,
   * relisted between two deliveries, powered off) share one map.
   */
  own: ReadonlyMap<string, readonly Endpoint[]> | undefined;
  /** Bumped on every change of connection: a relist of an older connection is dropped. */
  epoch: number;
  lastSyncMs: number;
  /** Relisted and synced: rejoins the fleet at its next sync. */
  rejoinReady: boolean;
}

/** The Services whose rules changed, and on which nodes (undefined: every node following the fleet). */
export type RulesChanged = (services: readonly string[], node?: ProxyNode) => void;

export class KubeProxyFleet implements StoreWatcher {
  readonly kind = 'EndpointSlice' as const;
  readonly nodes: ProxyNode[];
  readonly byName = new Map<string, ProxyNode>();
  /** The fleet's informer cache, by Service then slice name. */
  private readonly cache = new Map<string, Map<string, EndpointSlice>>();
  /**
   * The informer cache's endpoints of a Service as one list (flatten), kept until the next delivery for it:
   * the fleet's sync and every node that relists before that delivery program this one list, so nodes in
   * step share their rules instead of holding copies (a zone coming back: thousands of nodes relist at once).
   * Fast path proxySharedRules; the reference flattens the cache for each node.
   */
  private readonly cacheFlat = new Map<string, readonly Endpoint[]>();
  /** The slices (endpoint lists in slice-name order) a rules list was built from, for rulesBehind. */
  private readonly sourceSlices = new WeakMap<readonly Endpoint[], readonly (readonly Endpoint[])[]>();
  /** What the API server holds now, by Service then slice name (behind-node counts compare with it). */
  private readonly stored = new Map<string, Map<string, EndpointSlice>>();
  /** How many endpoints the API server holds now, by Service. */
  private readonly storedCounts = new Map<string, number>();
  /** The API server's slices of a Service in slice-name order (undefined: to sort again), and its flat list. */
  private readonly storedSorted = new Map<string, readonly (readonly Endpoint[])[] | undefined>();
  private readonly storedFlat = new Map<string, readonly Endpoint[]>();
  /** The rules every fleet member has programmed, by Service. */
  private readonly rules = new Map<string, readonly Endpoint[]>();
  /** The slices (endpoint lists in slice-name order) the fleet's rules were built from, by Service. */
  private readonly ruleSlices = new Map<string, readonly (readonly Endpoint[])[]>();
  /** Bumped whenever a node leaves or rejoins the fleet or relists its own rules. */
  membershipVersion = 0;
  /**
   * The pods in the fleet's rules, by Service, with how many of the rules' endpoints each has: a sync
   * adds and removes only the endpoints between the old and new lists' common head and tail.
   */
  private readonly routed = new Map<string, Map<string, number>>();
  /** Services whose delivered slices are not in the rules yet. */
  private readonly pending = new Set<string>();
  /** Nodes with rules of their own (own !== undefined). */
  readonly detached = new Set<ProxyNode>();
  /** How many of them are powered on (kept at every change of power or membership). */
  detachedLive = 0;
  private lastSyncMs = -Infinity;
  private syncScheduled = false;
  private lastArrivalMs = 0;
  private readonly rng: Rng;
  onRulesChanged: RulesChanged = () => {};
  /** Nodes whose kube-proxy is stopped (a kube-proxy-stop fault). */
  private readonly stopped = new Set<string>();
  /** The fleet's rules as one map, shared by the nodes cut off until its next sync (undefined: to copy). */
  private rulesCopy: ReadonlyMap<string, readonly Endpoint[]> | undefined;
  /** What a relist programs, shared by the nodes that relist until the next delivery (proxySharedRules). */
  private relistRules: ReadonlyMap<string, readonly Endpoint[]> | undefined;
  /** The API server's slices of a Service changed (the fleet is behind until it syncs). */
  onStoredChanged: (service: string) => void = () => {};
  /** A node joined the cluster during the run (addNode). */
  onNodeAdded: (n: ProxyNode) => void = () => {};

  constructor(
    private readonly ctx: ModelContext,
    nodes: readonly NodeSpec[],
    private readonly minSyncPeriodMs = MIN_SYNC_PERIOD_MS,
  ) {
    this.rng = ctx.streams.stream('kube-proxy/watch');
    this.nodes = nodes.map((n) => ({
      name: n.name,
      zone: n.zone,
      host: ctx.hosts.get(n.name)!,
      connected: true,
      own: undefined,
      epoch: 0,
      lastSyncMs: -Infinity,
      rejoinReady: false,
    }));
    for (const n of this.nodes) this.byName.set(n.name, n);
    ctx.api.store.watch(this);
    ctx.world.onChanged(() => this.recheck());
  }

  /**
   * A node provisioned during the run (infra/node-provisioning.ts): its kube-proxy starts when its host has
   * booted, with no rules, and joins the fleet as a reconnecting one does (relist, sync, rejoin). Called
   * inside the world change that adds its host, which is still off.
   */
  addNode(spec: NodeSpec): void {
    const n: ProxyNode = {
      name: spec.name,
      zone: spec.zone,
      host: this.ctx.hosts.get(spec.name)!,
      connected: false,
      own: NO_RULES,
      epoch: 0,
      lastSyncMs: -Infinity,
      rejoinReady: false,
    };
    this.nodes.push(n);
    this.byName.set(n.name, n);
    this.detached.add(n);
    this.onNodeAdded(n);
  }

  /** The rules node `n` has programmed for a Service. */
  rulesOf(n: ProxyNode, service: string): readonly Endpoint[] {
    return (n.own ?? this.rules).get(service) ?? NONE;
  }

  /** Whether the fleet's rules for a Service hold this pod. */
  routes(service: string, pod: string): boolean {
    return this.routed.get(service)?.has(pod) ?? false;
  }

  /** The rules of the fleet (every connected, synced kube-proxy). */
  fleetRules(service: string): readonly Endpoint[] {
    return this.rules.get(service) ?? NONE;
  }

  /** The endpoints the API server holds for a Service now (one list, kept until the next write). */
  storedEndpoints(service: string): readonly Endpoint[] {
    let flat = this.storedFlat.get(service);
    if (flat === undefined) this.storedFlat.set(service, (flat = flatten(this.stored.get(service))));
    return flat;
  }

  /** How many endpoints the API server holds for a Service now. */
  storedCount(service: string): number {
    return this.storedCounts.get(service) ?? 0;
  }

  /**
   * Whether the fleet has slice changes delivered or in flight that its rules do not have yet: the
   * fleet's rules differ from the API server's endpoints taken in slice-name order. The slices are
   * compared in place (a slice the rules were built from and the API server still holds is skipped
   * whole), which gives the same answer as comparing the two flat lists (fleetBehindPlain).
   */
  fleetBehind(service: string): boolean {
    if (this.pending.has(service)) return true;
    if (this.fleetRules(service).length !== this.storedCount(service)) return true;
    return !sameFlattened(this.ruleSlices.get(service) ?? NO_SLICES, this.storedSlices(service));
  }

  /** fleetBehind by flattening both sides: the reference for tests. */
  fleetBehindPlain(service: string): boolean {
    return this.pending.has(service) || !sameList(this.fleetRules(service), flatten(this.stored.get(service)));
  }

  private storedSlices(service: string): readonly (readonly Endpoint[])[] {
    let sorted = this.storedSorted.get(service);
    if (sorted === undefined) {
      sorted = slicesOf(this.stored.get(service));
      this.storedSorted.set(service, sorted);
    }
    return sorted;
  }

  /** Store watch fan-out: the write reaches the fleet after one network latency, in order. */
  notify(type: WatchEventType, obj: ApiObject): void {
    if (obj.kind !== 'EndpointSlice') return;
    const svc = obj.metadata.service;
    let m = this.stored.get(svc);
    if (m === undefined) this.stored.set(svc, (m = new Map()));
    const prev = m.get(obj.metadata.name);
    let count = this.storedCount(svc) - (prev === undefined ? 0 : prev.endpoints.length);
    if (type === 'DELETED') m.delete(obj.metadata.name);
    else {
      m.set(obj.metadata.name, obj);
      count += obj.endpoints.length;
    }
    this.storedCounts.set(svc, count);
    this.storedSorted.delete(svc);
    this.storedFlat.delete(svc);
    const lat = this.ctx.network.latency;
    const sim = this.ctx.sim;
    const atMs = Math.max(this.lastArrivalMs, sim.nowMs + this.rng.between(lat.minMs, lat.maxMs));
    this.lastArrivalMs = atMs;
    sim.at(atMs, () => this.deliver(type, obj), 'kube-proxy/watch');
    this.onStoredChanged(svc);
  }

  private deliver(type: WatchEventType, slice: EndpointSlice): void {
    const svc = slice.metadata.service;
    let m = this.cache.get(svc);
    if (m === undefined) this.cache.set(svc, (m = new Map()));
    if (type === 'DELETED') m.delete(slice.metadata.name);
    else m.set(slice.metadata.name, slice);
    this.cacheFlat.delete(svc);
    this.relistRules = undefined;
    this.pending.add(svc);
    this.scheduleSync();
  }

  /** BoundedFrequencyRunner.Run: at once, or minSyncPeriod after the last sync. */
  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    const atMs = Math.max(this.ctx.sim.nowMs, this.lastSyncMs + this.minSyncPeriodMs);
    this.ctx.sim.at(atMs, () => this.sync(), 'kube-proxy/sync');
  }

  private sync(): void {
    this.syncScheduled = false;
    this.lastSyncMs = this.ctx.sim.nowMs;
    const services = [...this.pending].sort();
    this.pending.clear();
    if (services.length > 0) this.rulesCopy = undefined;
    for (const svc of services) {
      const m = this.cache.get(svc);
      const rules = this.ctx.fastPaths.proxySharedRules ? this.cachedRules(svc) : flatten(m);
      const before = this.ruleSlices.get(svc) ?? NO_SLICES;
      const slices = this.sourceSlices.get(rules) ?? slicesOf(m);
      this.rules.set(svc, rules);
      this.ruleSlices.set(svc, slices);
      let routed = this.routed.get(svc);
      if (routed === undefined) this.routed.set(svc, (routed = new Map()));
      const r = routed;
      forChangedEndpoints(
        before,
        slices,
        this.ctx.fastPaths.sliceMiddles,
        (e) => {
          const n = r.get(e.pod)! - 1;
          if (n === 0) r.delete(e.pod);
          else r.set(e.pod, n);
        },
        (e) => r.set(e.pod, (r.get(e.pod) ?? 0) + 1),
      );
    }
    for (const n of this.nodes) {
      if (n.own === undefined) n.lastSyncMs = this.lastSyncMs;
      else if (n.rejoinReady && n.connected) this.rejoin(n);
    }
    this.onRulesChanged(services);
  }

  /**
   * What a relisted kube-proxy programs: every Service's endpoints from the informer cache (with
   * proxySharedRules the lists, and the map, that nodes relisting before the next delivery share).
   */
  private listedRules(): ReadonlyMap<string, readonly Endpoint[]> {
    const own = new Map<string, readonly Endpoint[]>();
    for (const [svc, m] of this.cache)
      own.set(svc, this.ctx.fastPaths.proxySharedRules ? this.cachedRules(svc) : flatten(m));
    return own;
  }

  /** The informer cache's endpoints of a Service in slice-name order, one list shared until the next delivery. */
  private cachedRules(svc: string): readonly Endpoint[] {
    let flat = this.cacheFlat.get(svc);
    if (flat === undefined) {
      // flatten, from the slices it concatenates (sorted once).
      const slices = slicesOf(this.cache.get(svc));
      flat = slices.length === 0 ? NONE : concatenated(slices);
      this.cacheFlat.set(svc, flat);
      if (flat.length > 0 && !this.sourceSlices.has(flat)) this.sourceSlices.set(flat, slices);
    }
    return flat;
  }

  /**
   * Whether rules programmed on a node that does not follow the fleet differ from the API server's endpoints
   * (same pods, ready and terminating, in order). With proxySharedRules, a list whose slices are known is
   * compared slice by slice, skipping the slices it shares with the API server (sameFlattened); else the
   * flat lists are compared.
   */
  /** The slices a rules list was built from (in slice-name order), when the fleet knows them. */
  slicesOf(rules: readonly Endpoint[]): readonly (readonly Endpoint[])[] | undefined {
    return this.sourceSlices.get(rules);
  }

  rulesBehind(rules: readonly Endpoint[], service: string): boolean {
    if (rules.length !== this.storedCount(service)) return true;
    const slices = this.ctx.fastPaths.proxySharedRules ? this.sourceSlices.get(rules) : undefined;
    if (slices !== undefined) return !sameFlattened(slices, this.storedSlices(service), false);
    return !sameEndpointSet(rules, this.storedEndpoints(service));
  }

  private rejoin(n: ProxyNode): void {
    this.membershipVersion++;
    n.own = undefined;
    if (this.detached.delete(n) && n.host.poweredOn) this.detachedLive--;
    n.rejoinReady = false;
    n.lastSyncMs = this.lastSyncMs;
  }

  /**
   * kube-proxy stops on node `name` (its rules stay as they are) or starts again (it relists and resyncs).
   * The Services are re-evaluated: which nodes follow the fleet changed.
   */
  /** Whether node `name`'s kube-proxy is stopped by a kube-proxy-stop fault. */
  isStopped(name: string): boolean {
    return this.stopped.size > 0 && this.stopped.has(name);
  }

  setStopped(name: string, stopped: boolean): void {
    if (stopped) this.stopped.add(name);
    else this.stopped.delete(name);
    // Which nodes are stopped is part of what the traffic meter groups its client nodes by.
    this.membershipVersion++;
    this.recheck();
    this.onRulesChanged([...this.rules.keys()].sort(), this.byName.get(name));
  }

  /** After every change of the world: which kube-proxies still reach the control plane. */
  private recheck(): void {
    const api = this.ctx.api;
    for (const n of this.nodes) {
      let connected = false;
      if (n.host.poweredOn && (this.stopped.size === 0 || !this.stopped.has(n.name))) {
        const replica = api.pickReplica(n.host);
        connected = replica !== undefined && api.hasQuorum(replica.host);
      }
      // A powered-off host loses the rules in its kernel (iptables/nftables state does not survive a power
      // cycle): it boots with none, and its clients reach no Service until its kube-proxy has synced.
      if (!n.host.poweredOn && n.own !== undefined && n.own.size > 0) {
        n.own = NO_RULES;
        this.membershipVersion++;
      }
      if (connected === n.connected) continue;
      n.connected = connected;
      n.epoch++;
      n.rejoinReady = false;
      if (!connected) {
        // A cut-off kube-proxy's rules stay as they are; a powered-off host's are gone (above).
        if (n.own === undefined) {
          n.own = n.host.poweredOn ? (this.rulesCopy ??= new Map(this.rules)) : NO_RULES;
          this.detached.add(n);
          this.membershipVersion++;
        }
        continue;
      }
      const epoch = n.epoch;
      const lat = this.ctx.network.latency;
      // The LIST of every EndpointSlice takes its time per slice too (apiserver/list-cost.ts).
      const relistMs =
        RELIST_DELAY_MS +
        this.rng.between(lat.minMs, lat.maxMs) +
        listTimeMs(this.ctx.api.listCostPerObjectUs, this.sliceCount());
      this.ctx.sim.after(relistMs, () => this.relisted(n, epoch), 'kube-proxy/relist');
    }
    // forEach, not for-of: no iterator result per node at every world change.
    let live = 0;
    this.detached.forEach((n) => {
      if (n.host.poweredOn) live++;
    });
    this.detachedLive = live;
  }

  /** The EndpointSlices the fleet's informer holds (what a relist returns). */
  private sliceCount(): number {
    let n = 0;
    for (const m of this.cache.values()) n += m.size;
    return n;
  }

  /** Its informer has the fleet's current view: sync it, no sooner than minSyncPeriod after its last sync. */
  private relisted(n: ProxyNode, epoch: number): void {
    if (n.epoch !== epoch || !n.connected) return;
    const sim = this.ctx.sim;
    const atMs = Math.max(sim.nowMs, n.lastSyncMs + this.minSyncPeriodMs);
    sim.at(
      atMs,
      () => {
        if (n.epoch !== epoch || !n.connected) return;
        n.lastSyncMs = sim.nowMs;
        const own = this.ctx.fastPaths.proxySharedRules
          ? (this.relistRules ??= this.listedRules())
          : this.listedRules();
        const changed = [...new Set([...own.keys(), ...n.own!.keys()])].filter(
          (svc) => !sameList(own.get(svc) ?? NONE, n.own!.get(svc) ?? NONE),
        );
        n.own = own;
        this.membershipVersion++;
        if (this.pending.size === 0) this.rejoin(n);
        else n.rejoinReady = true;
        this.onRulesChanged(changed.sort(), n);
      },
      'kube-proxy/sync',
    );
  }
}

const NONE: readonly Endpoint[] = [];
/** No rules at all (a node powered off, or not started yet): one map that nobody changes. */
const NO_RULES: ReadonlyMap<string, readonly Endpoint[]> = new Map();
const NO_SLICES: readonly (readonly Endpoint[])[] = [];

/** A Service's slices' endpoint lists, in slice-name order (the order flatten concatenates them in). */
function slicesOf(m: Map<string, EndpointSlice> | undefined): readonly (readonly Endpoint[])[] {
  if (m === undefined || m.size === 0) return NO_SLICES;
  return [...m.keys()].sort().map((name) => m.get(name)!.endpoints);
}

/**
 * Whether two lists of slices hold the same endpoints once concatenated (sameList of the flat lists, or
 * sameEndpointSet when `serving` is false), without concatenating: a slice that both sides share at the
 * same place is skipped whole.
 */
export function sameFlattened(
  a: readonly (readonly Endpoint[])[],
  b: readonly (readonly Endpoint[])[],
  serving = true,
): boolean {
  let i = 0;
  let j = 0;
  let x = 0;
  let y = 0;
  for (;;) {
    while (i < a.length && x >= a[i].length) {
      i++;
      x = 0;
    }
    while (j < b.length && y >= b[j].length) {
      j++;
      y = 0;
    }
    if (i >= a.length || j >= b.length) return i >= a.length && j >= b.length;
    if (x === 0 && y === 0 && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const p = a[i][x];
    const q = b[j][y];
    if (
      p.pod !== q.pod ||
      p.ready !== q.ready ||
      (serving && p.serving !== q.serving) ||
      p.terminating !== q.terminating
    )
      return false;
    x++;
    y++;
  }
}

/**
 * How many endpoints two lists share at their head and at their tail (the same objects, not overlapping):
 * what lies between is all that differs. Slices written since hold new lists, but an endpoint that did not
 * change is the same object, so a sync that changed a few endpoints leaves a short middle.
 */
export function commonEnds<T>(a: readonly T[], b: readonly T[]): [number, number] {
  const most = Math.min(a.length, b.length);
  let head = 0;
  while (head < most && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < most - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return [head, tail];
}

/**
 * The slices (endpoint lists) of `b` that are not in `a`, and those of `a` not in `b`, as the same lists:
 * what concatenating them gains and loses, whatever the order. A slice written since is a new list.
 */
export function changedSlices<T>(a: readonly T[], b: readonly T[]): [removed: T[], added: T[]] {
  const removed: T[] = [];
  const added: T[] = [];
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length && same; i++) same = a[i] === b[i];
    if (same) return [removed, added];
  }
  const left = new Map<T, number>();
  for (const x of a) left.set(x, (left.get(x) ?? 0) + 1);
  for (const x of b) {
    const n = left.get(x);
    if (n === undefined) added.push(x);
    else if (n === 1) left.delete(x);
    else left.set(x, n - 1);
  }
  for (const [x, n] of left) for (let k = 0; k < n; k++) removed.push(x);
  return [removed, added];
}

/**
 * Calls `leave` for each endpoint of the lists of `a` that `b` does not have and `enter` for each of those of
 * `b` that `a` does not have (every leave before the first enter): what concatenating the lists loses and
 * gains, as a multiset of endpoints. Plainly, the whole of each list only one side has (changedSlices). With
 * fast path sliceMiddles and as many lists on both sides, the lists are paired by place, and of a pair that
 * differs only the endpoints between its common head and tail (commonEnds): a slice written since is a new
 * list, but its endpoints that did not change are the same objects, so a write that changed one endpoint
 * of a slice moves one endpoint instead of the whole slice twice. The head and tail are the same endpoints
 * on both sides, so leaving and entering them would cancel out: the counts kept from the calls are the same.
 */
export function forChangedEndpoints<T extends { readonly pod: string }>(
  a: readonly (readonly T[])[],
  b: readonly (readonly T[])[],
  middles: boolean,
  leave: (e: T) => void,
  enter: (e: T) => void,
): void {
  if (middles && a.length === b.length) {
    let firstDiff = -1;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (firstDiff < 0) firstDiff = i;
      const [head, tail] = commonEnds(x, y);
      for (let k = head; k < x.length - tail; k++) leave(x[k]);
    }
    if (firstDiff < 0) return;
    for (let i = firstDiff; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      const [head, tail] = commonEnds(x, y);
      for (let k = head; k < y.length - tail; k++) enter(y[k]);
    }
    return;
  }
  const [removed, added] = changedSlices(a, b);
  for (const list of removed) for (const e of list) leave(e);
  for (const list of added) for (const e of list) enter(e);
}

/** A Service's endpoints across its slices, in slice-name order. */
function flatten(m: Map<string, EndpointSlice> | undefined): readonly Endpoint[] {
  if (m === undefined || m.size === 0) return NONE;
  if (m.size === 1) return m.values().next().value!.endpoints;
  return concatenated(slicesOf(m));
}

/**
 * Lists joined into one, allocated once at its size (growing a list by pushes allocates about three times
 * its size on the way: thousands of endpoints at every sync of a large Service).
 */
export function concatenated<T>(lists: readonly (readonly T[])[]): readonly T[] {
  if (lists.length === 1) return lists[0];
  return ([] as T[]).concat(...lists);
}

/** The same pods, ready and terminating, in order (serving is not compared). */
export function sameEndpointSet(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].pod !== b[i].pod || a[i].ready !== b[i].ready || a[i].terminating !== b[i].terminating) return false;
  }
  return true;
}

function sameList(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.pod !== y.pod || x.ready !== y.ready || x.serving !== y.serving || x.terminating !== y.terminating)
      return false;
  }
  return true;
}

// A shared informer (client-go tools/cache: shared_informer.go, reflector.go Reflector.ListAndWatch): a
// local cache of one kind kept current by a watch. Events arrive over the network in order (a watch is one
// stream), with the link's latency. When the watch breaks (link cut, replica gone, etcd without quorum) the informer retries with backoff and, once
// connected, relists: it replaces its cache with the server's current state and tells its handlers what
// changed, as a reflector does. Handlers are called with immutable objects: never mutate them.
// A LIST's answer (the first one, which syncs the informer, and every relist) arrives a round trip plus
// the time to serve and decode its objects after it is sent (list-cost.ts); watch events that follow it
// arrive after it. Components that wait for their caches to sync (whenSynced, client-go
// cache.WaitForCacheSync) act only then.
// An informer without handlers schedules no event per watch event: it keeps each in flight with the
// insertion number an event would have had (LazySimulator.reserveSeq) and applies them when its cache is
// read, exactly those that would have run by then (LazySimulator.wouldHaveRun). The cache a reader sees is
// the same as with one event per delivery, at a fraction of the cost. Which events of an informer with
// handlers go the same way is its WatchDeliveries' answer (quiet-deliveries.ts): none in the reference.
// The node-Lease informer (the controller-manager's, read by the node lifecycle controller at each
// pass) carries most of a large cluster's watch traffic, and is modelled apart (simplified): its events
// keep their order per lease, not across leases, count from the start of their millisecond
// (Priority.early), and a renewal's event draws its delay from the node's own stream. So a node's
// renewals, and what the informer holds of them, depend on that node alone and can be played late.

import type { ApiObject, Kind } from '../../k8s/objects.js';
import { type EventHandle, Priority, type Rng } from '../../engine/index.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { StoreWatcher, WatchEventType } from './store.js';
import { UidTable } from './uid-table.js';
import { listTimeMs } from './list-cost.js';
import { PlainDeliveries, type WatchDeliveries, watchDeliveries } from './quiet-deliveries.js';

export interface InformerHandlers<T extends ApiObject> {
  onAdd?(obj: T): void;
  onUpdate?(prev: T, next: T): void;
  onDelete?(obj: T): void;
  /**
   * Asked when the store writes `next` over `prev`: true vouches that onUpdate(prev, next) would do
   * nothing, now or whenever it runs before the informer's next watch event is delivered (what the
   * handler's owner could change meanwhile comes after that event). When every handler says so, the
   * quietDeliveries fast path applies the event to the cache without a delivery of its own
   * (quiet-deliveries.ts).
   */
  quiet?(prev: T, next: T): boolean;
}

/** In flight: a watch event, or a MODIFIED one its WatchDeliveries applies to the cache only. */
type InFlightType = WatchEventType | 'QUIET';

export interface InformerOptions {
  kind: Kind;
  /**
   * Pods: only pods bound to this node (kubelet's field selector spec.nodeName). Node: only the Node of
   * this name (kubelet's field selector metadata.name).
   */
  nodeName?: string;
  /** Only leases in this namespace. */
  namespace?: string;
}

/** Test switches: verifyKnownPrev checks every object a delivery takes as held against the cache. */
export const informerChecks = {
  verifyKnownPrev: false,
};

const BACKOFF_INITIAL_MS = 800;
const BACKOFF_MAX_MS = 30_000;
/** A watch event whose segment the network gave up on (tcp_retries2, practically never) while the link stays up: sent once more. */
const RETRANSMIT_MS = 200;

export class Informer<T extends ApiObject> implements StoreWatcher {
  readonly kind: Kind;
  readonly nodeName?: string;
  readonly namespace?: string;
  /** The cache: a UidTable for every pod of the cluster, a Map otherwise. */
  private readonly items: Map<string, T> | UidTable<T>;
  /** items, when it is a UidTable. */
  private readonly table: UidTable<T> | undefined;
  synced = false;
  private connected = false;
  private stopped = false;
  private lastDeliveryAtMs = 0;
  private backoffMs = BACKOFF_INITIAL_MS;
  private retryPending = false;
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly syncWaiters: Array<() => void> = [];
  // Watch events in flight, first-in first-out, with their delivery time and insertion number. Delivery
  // times never decrease (lastDeliveryAtMs), so they are applied from the head, in order: by a delivery
  // event (which applies everything up to itself) or, without handlers, lazily when the cache is read.
  private readonly inFlightTypes: InFlightType[] = [];
  private readonly inFlightObjs: Array<T | undefined> = [];
  private readonly inFlightAtMs: number[] = [];
  private readonly inFlightSeqs: number[] = [];
  /**
   * A MODIFIED event's previous object (the store's), which the cache will hold when the event arrives, so
   * deliver() needs no lookup to find what it replaces. It always will: if prev was written since this
   * watch began, its own event was sent before this one and events arrive in order; if before, prev was
   * the latest version when the watch began, so this watch's list holds it, and the list is applied after
   * every event of the watch before it and before any of this one. (informerChecks.verifyKnownPrev checks
   * it at every delivery.)
   */
  private readonly inFlightPrevs: Array<T | undefined> = [];
  /**
   * Node leases (unordered: kind Lease in kube-node-lease): watch events in flight, in arrival order per
   * lease only. pendMarks numbers them; a relist drops those sent before it (the snapshot has newer).
   */
  private readonly unordered: boolean;
  private readonly pendTypes: WatchEventType[] = [];
  private readonly pendObjs: Array<T | undefined> = [];
  private readonly pendAtMs: number[] = [];
  private readonly pendMarks: number[] = [];
  private pendCount = 0;
  /** The earliest delivery time in flight (unordered). */
  private pendNextAtMs = Infinity;
  private pendMark = 0;
  /** The current watch's events come after its initial list, from the millisecond after it (node leases). */
  watchFloorAtMs = 0;
  /** Per lease: the delivery time of its last event sent, and of the object held (Informer.deliveredAtMs). */
  private readonly lastSentAtMs = new Map<string, number>();
  private readonly heldAtMs = new Map<string, number>();
  private inFlightHead = 0;
  /**
   * One past the last entry. The arrays are reused, not emptied: emptying them (length = 0) freed their
   * storage, and the next watch event allocated it again, a sixth of all allocation at 5,000 nodes.
   */
  private inFlightTail = 0;

  constructor(
    private readonly ctx: ModelContext,
    private readonly host: Host,
    opts: InformerOptions,
    private readonly label: string,
  ) {
    this.kind = opts.kind;
    this.nodeName = opts.nodeName;
    this.namespace = opts.namespace;
    this.unordered = opts.kind === 'Lease' && opts.namespace === 'kube-node-lease';
    // Pods only: a Node cache is iterated whole at every node lifecycle pass, which a Map does faster, and
    // its objects change far less often than pods do.
    this.table = opts.kind === 'Pod' && opts.nodeName === undefined ? new UidTable<T>() : undefined;
    this.items = this.table ?? new Map<string, T>();
    // Only the node-Lease informer holds nothing but the latest lease of each node.
    this.passOver = this.unordered ? (nodeName) => this.passOverLease(nodeName) : undefined;
  }
  readonly passOver: ((nodeName: string) => void) | undefined;

  /** The local cache, current as of now (watch events that have arrived are applied first). */
  get cache(): ReadonlyMap<string, T> {
    if (this.unordered) this.ctx.api.store.chains.catchUpAll();
    if (this.inFlightHead < this.inFlightTail) this.applyArrived();
    else if (this.pendCount > 0 && this.ctx.sim.visibleEarly(this.pendNextAtMs)) this.applyPending();
    return this.items;
  }

  /** Whether its watch is up (connected and not stopped). */
  get watching(): boolean {
    return this.connected && !this.stopped;
  }

  /**
   * When the object held for `key` was delivered (its watch event's time, or its relist's), for the
   * node-Lease informer; undefined for a key it does not hold.
   */
  deliveredAtMs(key: string): number | undefined {
    return this.items.has(key) ? this.heldAtMs.get(key) : undefined;
  }

  addHandlers(h: InformerHandlers<T>): void {
    if (this.unordered) throw this.ctx.sim.bug(`informer ${this.label}: the node-Lease informer takes no handlers`);
    if (this.inFlightHead < this.inFlightTail) {
      throw this.ctx.sim.bug(`informer ${this.label}: handlers added while watch events are in flight`);
    }
    this.handlers.push(h);
    this.deliveries = watchDeliveries(this.ctx.fastPaths.quietDeliveries, this.handlers);
  }

  /** Runs fn once the first list has been delivered (WaitForCacheSync). */
  whenSynced(fn: () => void): void {
    if (this.synced) fn();
    else this.syncWaiters.push(fn);
  }

  start(): void {
    this.ctx.api.onRecovery(() => this.scheduleRetry(0));
    this.ctx.api.onConnectionClosed(this.host, () => this.connectionClosed());
    this.connect();
  }

  stop(): void {
    // Watch events that arrived before the stop still count for anyone reading the cache; later ones never arrive.
    if (this.unordered) this.ctx.api.store.chains.catchUpAll();
    this.applyArrived();
    this.applyPending();
    this.stopped = true;
    this.clearInFlight();
    this.ctx.api.store.unwatch(this);
  }

  get(key: string): T | undefined {
    if (!this.unordered) return this.cache.get(key);
    // A node's lease: its renewals not played yet are played first (lease-chains.ts).
    this.ctx.api.store.chains.catchUp(key);
    if (this.pendCount > 0 && this.ctx.sim.visibleEarly(this.pendNextAtMs)) this.applyPending();
    return this.items.get(key);
  }

  /** Watch fan-out from the store: ship the event to this informer's host over the network. */
  notify(type: WatchEventType, obj: ApiObject, prev?: ApiObject): void {
    if (this.stopped || !this.connected) return;
    if (this.unordered) return this.notifyUnordered(type, obj as T);
    const latencyMs = this.watchLatency();
    if (latencyMs === undefined) {
      this.disconnect();
      return;
    }
    const sim = this.ctx.sim;
    const atMs = Math.max(sim.nowMs + latencyMs, this.lastDeliveryAtMs);
    this.lastDeliveryAtMs = atMs;
    const quiet = type === 'MODIFIED' && this.deliveries.cacheOnly(prev as T | undefined, obj as T);
    const at = this.inFlightTail++;
    this.inFlightTypes[at] = quiet ? 'QUIET' : type;
    this.inFlightObjs[at] = obj as T;
    this.inFlightAtMs[at] = Math.round(atMs);
    this.inFlightPrevs[at] = type === 'MODIFIED' ? (prev as T | undefined) : undefined;
    if (quiet || this.handlers.length === 0) {
      this.inFlightSeqs[at] = sim.reserveSeq();
      // Nobody may read for a long while (a cache only looked at now and then): keep the queue short.
      if (this.inFlightTail - this.inFlightHead >= 4096) this.applyArrived();
    } else this.inFlightSeqs[at] = sim.postWith(atMs, this.applyArrived, this, this.label);
  }

  /** Which MODIFIED events go into the cache without a delivery (set as handlers are added). */
  private deliveries: WatchDeliveries<T> = new PlainDeliveries();

  /** A node lease's watch event that a later one replaces before anyone reads (StoreWatcher.passOver). */
  private passOverLease(nodeName: string): void {
    if (this.stopped || !this.connected) return;
    const latencyMs = this.watchLatency(this.ctx.api.store.watchRng);
    if (latencyMs === undefined)
      throw this.ctx.sim.bug(`informer ${this.label}: a renewal passed over could not be delivered`);
    this.lastSentAtMs.set(
      nodeName,
      Math.round(Math.max(this.ctx.sim.nowMs + latencyMs, this.lastSentAtMs.get(nodeName) ?? 0, this.watchFloorAtMs)),
    );
  }

  /** A node lease's watch event (see the file's opening comment). */
  private notifyUnordered(type: WatchEventType, obj: T): void {
    const latencyMs = this.watchLatency(this.ctx.api.store.watchRng);
    if (latencyMs === undefined) {
      this.disconnect();
      return;
    }
    const key = this.keyFor(obj);
    const atMs = Math.round(
      Math.max(this.ctx.sim.nowMs + latencyMs, this.lastSentAtMs.get(key) ?? 0, this.watchFloorAtMs),
    );
    this.lastSentAtMs.set(key, atMs);
    const at = this.pendCount++;
    this.pendTypes[at] = type;
    this.pendObjs[at] = obj;
    this.pendAtMs[at] = atMs;
    this.pendMarks[at] = this.pendMark++;
    if (atMs < this.pendNextAtMs) this.pendNextAtMs = atMs;
    // Nobody may read for a long while: keep what is in flight short.
    if (this.pendCount >= 4096) this.applyPending();
  }

  /**
   * Applies the node-lease watch events that count as arrived by now (in order per lease). With a relist
   * (relistMark: the first mark of its watch), only the older watches' events are applied, and those of
   * them still in flight are dropped: the relist's snapshot is newer.
   */
  private applyPending(relistMark?: number): void {
    const sim = this.ctx.sim;
    let kept = 0;
    let next = Infinity;
    for (let i = 0; i < this.pendCount; i++) {
      const atMs = this.pendAtMs[i];
      const obj = this.pendObjs[i]!;
      this.pendObjs[i] = undefined;
      const older = relistMark !== undefined && this.pendMarks[i] < relistMark;
      if ((relistMark === undefined || older) && sim.visibleEarly(atMs)) {
        this.deliver(this.pendTypes[i], obj);
        this.heldAtMs.set(this.keyFor(obj), atMs);
        continue;
      }
      if (older) continue;
      if (atMs < next) next = atMs;
      this.pendTypes[kept] = this.pendTypes[i];
      this.pendObjs[kept] = obj;
      this.pendAtMs[kept] = atMs;
      this.pendMarks[kept] = this.pendMarks[i];
      kept++;
    }
    this.pendCount = kept;
    this.pendNextAtMs = next;
  }

  /** Applies, in order, the watch events in flight that have arrived by now. */
  private applyArrived(): void {
    const sim = this.ctx.sim;
    const types = this.inFlightTypes;
    // The head is read afresh each time round: a handler that reads the cache applies from it too.
    while (
      this.inFlightHead < this.inFlightTail &&
      sim.wouldHaveRun(this.inFlightAtMs[this.inFlightHead], this.inFlightSeqs[this.inFlightHead])
    ) {
      const i = this.inFlightHead++;
      const obj = this.inFlightObjs[i]!;
      const prev = this.inFlightPrevs[i];
      this.inFlightObjs[i] = undefined;
      this.inFlightPrevs[i] = undefined;
      this.deliver(types[i], obj, prev);
    }
    if (this.inFlightHead === this.inFlightTail) {
      // Drained (every object slot was cleared as it was applied).
      this.inFlightHead = 0;
      this.inFlightTail = 0;
    } else if (this.inFlightHead >= 1024 && this.inFlightHead * 2 >= this.inFlightTail) {
      const k = this.inFlightHead;
      const n = this.inFlightTail;
      types.copyWithin(0, k, n);
      this.inFlightObjs.copyWithin(0, k, n);
      this.inFlightObjs.fill(undefined, n - k, n);
      this.inFlightPrevs.copyWithin(0, k, n);
      this.inFlightPrevs.fill(undefined, n - k, n);
      this.inFlightAtMs.copyWithin(0, k, n);
      this.inFlightSeqs.copyWithin(0, k, n);
      this.inFlightHead = 0;
      this.inFlightTail = n - k;
    }
  }

  private clearInFlight(): void {
    this.inFlightObjs.fill(undefined, this.inFlightHead, this.inFlightTail);
    this.inFlightPrevs.fill(undefined, this.inFlightHead, this.inFlightTail);
    this.inFlightHead = 0;
    this.inFlightTail = 0;
    this.pendObjs.fill(undefined, 0, this.pendCount);
    this.pendCount = 0;
    this.pendNextAtMs = Infinity;
  }

  private deliver(type: InFlightType, obj: T, knownPrev?: T): void {
    if (this.stopped) return;
    const key = this.keyFor(obj);
    if (informerChecks.verifyKnownPrev && knownPrev !== undefined && this.items.get(key) !== knownPrev) {
      throw this.ctx.sim.bug(
        `informer ${this.label}: ${key} was taken as held at resourceVersion ${knownPrev.metadata.resourceVersion}, but it is not`,
      );
    }
    if (type === 'QUIET' || this.handlers.length === 0) {
      // Nobody to tell what it replaced (every node lease renewal comes this way): one map operation.
      if (type === 'DELETED') this.items.delete(key);
      else this.hold(key, obj, knownPrev);
      return;
    }
    const prev = knownPrev ?? this.items.get(key);
    if (type === 'DELETED') {
      if (!prev) return;
      this.items.delete(key);
      for (const h of this.handlers) h.onDelete?.(prev);
      return;
    }
    if (knownPrev === undefined && this.table !== undefined) this.table.setHeld(key, obj, prev);
    else this.hold(key, obj, knownPrev);
    if (prev) for (const h of this.handlers) h.onUpdate?.(prev, obj);
    else for (const h of this.handlers) h.onAdd?.(obj);
  }

  /** Puts obj in the cache under key; `knownPrev`: the object it replaces there, known to be held. */
  private hold(key: string, obj: T, knownPrev: T | undefined): void {
    const table = this.table;
    if (table === undefined) this.items.set(key, obj);
    else if (knownPrev === undefined) table.set(key, obj);
    else if (!table.replaceHeld(knownPrev, obj)) {
      throw this.ctx.sim.bug(
        `informer ${this.label}: ${key} was taken as held at resourceVersion ${knownPrev.metadata.resourceVersion}, but it is not`,
      );
    }
  }

  /**
   * The cache key of an object: its name, or "namespace/name" for an informer of every namespace. (A
   * lease informer is scoped to kube-node-lease: building "kube-node-lease/<node>" for every renewal
   * cost a string and its hash per watch event.)
   */
  private keyFor(obj: ApiObject): string {
    return this.namespace !== undefined ? obj.metadata.name : keyOf(obj);
  }

  /**
   * A watch can be served when its connection's replica is reachable and etcd has quorum (on a dead
   * connection it delivers nothing). What it delivers is a frame read on the connection (connection.ts).
   */
  private watchLatency(own?: Rng): number | undefined {
    const api = this.ctx.api;
    const replica = api.pickReplica(this.host);
    if (!replica || !api.hasQuorum(replica.host)) return undefined;
    let t = this.ctx.network.transit(replica.host, this.host, own);
    if (t === undefined) {
      if (!this.ctx.network.connected(replica.host, this.host)) return undefined;
      t = RETRANSMIT_MS;
    }
    api.frameRead(this.host, replica, this.ctx.sim.nowMs + t);
    return t;
  }

  private connect(): void {
    if (this.stopped) return;
    const latencyMs = this.watchLatency();
    if (latencyMs === undefined) {
      // A watch on a dead connection fails when the connection closes; then the back-off runs.
      this.scheduleRetry(this.ctx.api.deadForMs(this.host) + this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      return;
    }
    this.backoffMs = BACKOFF_INITIAL_MS;
    this.connected = true;
    this.ctx.api.store.watch(this);
    const snapshot = this.ctx.api.store.list(this) as T[];
    // The LIST's answer takes its round trip and the time to serve and decode its objects (list-cost.ts).
    const listMs = listTimeMs(this.ctx.api.listCostPerObjectUs, snapshot.length);
    const atMs = Math.max(this.ctx.sim.nowMs + 2 * latencyMs + listMs, this.lastDeliveryAtMs);
    this.lastDeliveryAtMs = atMs;
    const mark = this.pendMark;
    if (this.unordered) this.watchFloorAtMs = Math.round(atMs) + 1;
    // The node-Lease informer's list counts from the start of its millisecond, as its watch events do.
    this.ctx.sim.at(
      atMs,
      () => this.replace(snapshot, mark, Math.round(atMs)),
      this.label,
      this.unordered ? Priority.early : Priority.normal,
    );
  }

  private disconnect(): void {
    this.connected = false;
    this.ctx.api.store.unwatch(this);
    this.scheduleRetry(this.ctx.api.deadForMs(this.host) + this.backoffMs);
  }

  /**
   * The host's connection was closed (the kubelet's close-all, or the health check): a relist waiting for
   * that close goes after the back-off.
   */
  private connectionClosed(): void {
    if (this.stopped || this.connected || !this.retryPending) return;
    this.ctx.sim.cancel(this.retryEvent);
    this.retryPending = false;
    this.scheduleRetry(this.backoffMs);
  }
  private retryEvent: EventHandle | undefined;

  private scheduleRetry(delayMs: number): void {
    if (this.stopped || this.connected || this.retryPending) return;
    this.retryPending = true;
    this.retryEvent = this.ctx.sim.after(
      delayMs,
      () => {
        this.retryPending = false;
        if (!this.connected) this.connect();
      },
      this.label,
    );
  }

  /** A relist: make the cache equal to the snapshot and report the differences. */
  private replace(snapshot: T[], mark: number, atMs: number): void {
    if (this.stopped) return;
    // Watch events queued before this relist was scheduled are applied first, as their events would have run.
    this.applyArrived();
    if (this.unordered) {
      this.applyPending(mark);
    }
    const seen = new Set<string>();
    for (const obj of snapshot) {
      const key = this.keyFor(obj);
      seen.add(key);
      const prev = this.items.get(key);
      if (prev && prev.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.items.set(key, obj);
      if (this.unordered) this.heldAtMs.set(key, atMs);
      if (prev) for (const h of this.handlers) h.onUpdate?.(prev, obj);
      else for (const h of this.handlers) h.onAdd?.(obj);
    }
    for (const [key, prev] of [...this.items]) {
      if (seen.has(key)) continue;
      this.items.delete(key);
      for (const h of this.handlers) h.onDelete?.(prev);
    }
    if (!this.synced) {
      this.synced = true;
      for (const fn of this.syncWaiters.splice(0)) fn();
    }
  }
}

export function keyOf(obj: ApiObject): string {
  return obj.kind === 'Lease' ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

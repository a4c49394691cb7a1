// The EndpointSlice controller (pkg/controller/endpointslice/endpointslice_controller.go, with the reconciler
// of staging/src/k8s.io/endpointslice/reconciler.go; reconciler.ts here holds the pure parts). It runs in
// the elected kube-controller-manager, like every other controller: built fresh on each acquisition, it first
// lists the EndpointSlices the API server holds (its endpointSliceTracker starts empty), then syncs every
// Service.
// 1. Pod events (addPod / updatePod / deletePod) queue the Services that select the pod, after
//    endpointUpdatesBatchPeriod (default 0) as queue.AddAfter does; a key already queued is not queued twice.
// 2. ConcurrentServiceEndpointSyncs = 5 workers (--concurrent-service-endpoint-syncs) take keys in order; a
//    key being synced is not handed out again until its sync is done (workqueue semantics), so a change
//    during a sync queues it once more.
// 3. A sync computes the Service's endpoints from the pod informer (podToEndpoint), packs them into slices
//    of at most 100 and writes each changed slice through the API server (create, update with the
//    tracked resourceVersion, delete).
// 4. Every call goes through the controller's own client: cmd/kube-controller-manager/app/discovery.go
//    builds it with ClientBuilder.ClientOrDie("endpointslice-controller") (k8s.io/controller-manager/pkg/
//    clientbuilder), from the controller-manager's rest config, so it has a token bucket of its own with
//    --kube-api-qps / --kube-api-burst (20 / 30; client-go rest.Config QPS and Burst, flowcontrol
//    NewTokenBucketRateLimiter; infra/token-bucket.ts). A call waits for its token before it is sent, and
//    the sync (the worker, and the Service's key) lasts until its last call is answered. Simplified: a
//    sync's writes take their tokens one after the other and each is sent as its token comes, not after
//    the previous write's answer as reconciler.finalize does (a round trip is a few ms, a token at 20 QPS
//    50 ms).
// 5. A failed write (Conflict, Timeout, Unavailable) requeues the key with the controller's rate limiter,
//    1 s doubling to 1000 s (defaultSyncBackOff, maxSyncBackOff), and relists the slices first.
// 6. Topology-aware routing (Services with the topology-mode annotation Auto; topology-cache.ts): the
//    reconciler hands each sync's slices to the topology cache's AddHints (staging/src/k8s.io/endpointslice/
//    reconciler.go, reconcileByAddressType) and writes what it changed. The node informer's handlers
//    (endpointslice_controller.go addNode, updateNode when Ready or the zone label changed, deleteNode) add
//    the one key of the controller's topologyQueue; its worker (checkNodeTopologyDistribution) calls SetNodes
//    with every node of the informer and queues the Services GetOverloadedServices names, and only them: a
//    Service whose hints were removed gets them back at its next sync for another reason (a pod change).
//    The cache is the controller's own, so it starts empty on every acquisition of the lease. Without such a
//    Service the controller has no node handler.
// With no Service in the scenario the controller does nothing at all: no list, no handler.
// Trace: `service.endpoints.changed` when a sync's writes have all succeeded and the Service's ready,
// serving or terminating counts differ from what the API server held before; `service.hints.changed` when
// a sync adds a Service's zone hints, changes how many endpoints each zone is hinted, or removes them
// (upstream's TopologyAwareHintsEnabled / Disabled events; a reallocation has none upstream), with the
// reason.
import type { EndpointSlice, Node, Pod } from '../../k8s/objects.js';
import { zoneOf } from '../../k8s/objects.js';
import type { Endpoint, ServiceSpec } from '../../k8s/services.js';
import type { ApiResult } from '../apiserver/store.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ControllerContext,
} from '../controllermanager/controller.js';
import { TokenBucket } from '../infra/token-bucket.js';
import {
  MAX_ENDPOINTS_PER_SLICE,
  endpointsEqualBeyondHints,
  naturalOrder,
  podToEndpoint,
  sameEndpoints,
  sliceName,
} from './reconciler.js';
import {
  HINTS_MESSAGES,
  nodeTopologyChanged,
  TopologyCache,
  type HintSlice,
  type SliceInfo,
} from './topology-cache.js';

const ACTOR = 'endpointslice-controller';
/** EndpointSliceControllerConfiguration.ConcurrentServiceEndpointSyncs (--concurrent-service-endpoint-syncs) default. */
export const ENDPOINTSLICE_WORKERS = 5;
const SYNC_BACKOFF_MS = 1_000;
const MAX_SYNC_BACKOFF_MS = 1_000_000;

/** What the controller keeps per Service between syncs (its slices as it wants them). */
interface ServiceState {
  /** Rebuild from the tracker and every pod at the next sync (after a list). */
  full: boolean;
  dirtyPods: Set<string>;
  dirtySlices: Set<string>;
  /** Pod -> the slice its endpoint is in. */
  sliceOf: Map<string, string>;
  /** Slice -> its endpoints by pod. */
  members: Map<string, Map<string, Endpoint>>;
  /**
   * The slices' names in natural order (undefined: to sort again, after a slice came or went), and each
   * slice's pods in name order (absent: to sort again, after a pod came or went): kept, because a sync
   * mostly changes endpoints in place (readiness) and sorting every changed slice again at each sync,
   * and every slice name at each new pod, showed up in profiles.
   */
  sortedNames: string[] | undefined;
  podOrder: Map<string, string[]>;
  /** The Service's endpoints by condition as the API server holds them (from the tracker). */
  published: Counts;
  /** The last hints outcome traced (topology-mode Auto only): '' before the first. */
  hintsTraced: string;
}

interface Counts {
  ready: number;
  serving: number;
  terminating: number;
  endpoints: number;
}

export function endpointSliceController(ctx: ControllerContext): Controller {
  return new EndpointSliceController(ctx);
}

/** Services by the workloads they select. */
function servicesByWorkload(services: readonly ServiceSpec[]): Map<string, ServiceSpec[]> {
  const byWorkload = new Map<string, ServiceSpec[]>();
  for (const svc of services) {
    for (const w of svc.workloads) {
      const list = byWorkload.get(w) ?? [];
      list.push(svc);
      byWorkload.set(w, list);
    }
  }
  return byWorkload;
}

function freshState(): ServiceState {
  return {
    full: true,
    dirtyPods: new Set<string>(),
    dirtySlices: new Set<string>(),
    sliceOf: new Map<string, string>(),
    members: new Map<string, Map<string, Endpoint>>(),
    sortedNames: undefined,
    podOrder: new Map<string, string[]>(),
    published: { ready: 0, serving: 0, terminating: 0, endpoints: 0 },
    hintsTraced: '',
  };
}

/** Whether a pod update changes its endpoint (the controller's updatePod looks at nothing else). */
function relevant(prev: Pod, next: Pod): boolean {
  return (
    prev.spec.nodeName !== next.spec.nodeName ||
    prev.status.phase !== next.status.phase ||
    prev.status.ready !== next.status.ready ||
    prev.metadata.deletionTimestampMs !== next.metadata.deletionTimestampMs
  );
}

function countsOf(eps: readonly Endpoint[], into: Counts, sign: 1 | -1): void {
  for (const e of eps) {
    into.endpoints += sign;
    if (e.ready) into.ready += sign;
    if (e.serving) into.serving += sign;
    if (e.terminating) into.terminating += sign;
  }
}

function sameCounts(a: Counts, b: Counts): boolean {
  return (
    a.ready === b.ready && a.serving === b.serving && a.terminating === b.terminating && a.endpoints === b.endpoints
  );
}

function byPod(a: Endpoint, b: Endpoint): number {
  return a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0;
}

/** A slice's endpoints sorted by pod name (the same list as [...m.values()].sort(byPod): pod names are unique). */
function endpointsByPod(st: ServiceState, name: string, m: Map<string, Endpoint>): Endpoint[] {
  const order = st.podOrder.get(name);
  if (order !== undefined) return order.map((pod) => m.get(pod)!);
  const eps = [...m.values()].sort(byPod);
  st.podOrder.set(
    name,
    eps.map((e) => e.pod),
  );
  return eps;
}

/** A sync's writes of changed slices: when the last is answered, the sync is done. */
interface SyncWrites {
  outstanding: number;
  allOk: boolean;
}

class EndpointSliceController implements Controller {
  readonly name = ACTOR;
  private readonly proc: ControllerContext['proc'];
  private readonly services: readonly ServiceSpec[];
  private readonly batchMs: number;
  private readonly byWorkload: Map<string, ServiceSpec[]>;
  private readonly byName: Map<string, ServiceSpec>;
  /** Per Service: the slices it should have, and what changed since its last sync. */
  private readonly states: Map<string, ServiceState>;
  /** The topology cache, when some Service has the topology-mode annotation Auto. */
  private readonly topology: TopologyCache | undefined;
  private topologyQueued = false;
  /** Pod names of each selected workload (from the pod informer). */
  private readonly podsOf = new Map<string, Set<string>>();
  /** The endpointSliceTracker: the slices this controller knows, by name (from its list and its writes). */
  private readonly tracker = new Map<string, EndpointSlice>();
  private listed = false;
  private listing = false;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys changed while processing: queued again when their sync is done. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private started = false;
  /** The controller's client's token bucket (its own, from the controller-manager's QPS and burst). */
  private readonly bucket: TokenBucket;

  constructor(private readonly ctx: ControllerContext) {
    this.proc = ctx.proc;
    this.services = ctx.services;
    this.batchMs = ctx.config.endpointUpdatesBatchPeriodMs ?? 0;
    this.byWorkload = servicesByWorkload(this.services);
    this.byName = new Map(this.services.map((s) => [s.name, s]));
    this.states = new Map(this.services.map((s) => [s.name, freshState()]));
    this.topology = this.services.some((s) => s.topologyMode === 'Auto') ? new TopologyCache() : undefined;
    this.bucket = new TokenBucket(ctx.config.kubeAPIQPS, ctx.config.kubeAPIBurst, this.proc.host.clock.monotonicNow());
    if (this.services.length > 0) this.watchPods();
    if (this.topology !== undefined) this.watchNodes();
  }

  start(): void {
    if (this.services.length === 0) return;
    // The node informer's first list went through SetNodes before the first sync.
    this.checkNodeTopology();
    this.started = true;
    for (const svc of this.services) this.add(svc.name, 0);
  }

  /** A call of the controller's client: sent when its token is there. */
  private send(fn: () => void): void {
    const waitMs = this.bucket.reserve(this.proc.host.clock.monotonicNow());
    if (waitMs === 0) fn();
    else this.proc.post(waitMs, fn, `${ACTOR}/client-wait`);
  }

  private add(key: string, delayMs: number): void {
    if (delayMs > 0) {
      this.proc.after(delayMs, () => this.add(key, 0), `${ACTOR}/add-after`);
      return;
    }
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  private podChanged(pod: Pod): void {
    const list = this.byWorkload.get(pod.metadata.workload);
    if (list === undefined) return;
    for (const svc of list) {
      this.states.get(svc.name)!.dirtyPods.add(pod.metadata.name);
      if (this.started) this.add(svc.name, this.batchMs);
    }
  }

  private watchPods(): void {
    const byWorkload = this.byWorkload;
    const podsOf = this.podsOf;
    this.ctx.pods.addHandlers({
      onAdd: (pod) => {
        const w = pod.metadata.workload;
        if (!byWorkload.has(w)) return;
        let set = podsOf.get(w);
        if (set === undefined) podsOf.set(w, (set = new Set()));
        set.add(pod.metadata.name);
        this.podChanged(pod);
      },
      onUpdate: (prev, next) => {
        if (byWorkload.has(next.metadata.workload) && relevant(prev, next)) this.podChanged(next);
      },
      onDelete: (pod) => {
        const w = pod.metadata.workload;
        if (!byWorkload.has(w)) return;
        podsOf.get(w)?.delete(pod.metadata.name);
        this.podChanged(pod);
      },
      quiet: (prev, next) => !byWorkload.has(next.metadata.workload) || !relevant(prev, next),
    });
  }

  /** checkNodeTopologyDistribution: SetNodes, then the Services whose hints overload a zone are queued. */
  private checkNodeTopology(): void {
    this.topologyQueued = false;
    if (this.topology === undefined) return;
    this.topology.setNodes(this.ctx.nodes.cache.values());
    if (this.started) for (const key of this.topology.getOverloadedServices()) this.add(key, 0);
  }

  private watchNodes(): void {
    // The topologyQueue holds one key: node events at the same moment make one check.
    const queueTopology = () => {
      if (this.topologyQueued) return;
      this.topologyQueued = true;
      this.proc.post(0, () => this.checkNodeTopology(), `${ACTOR}/topology`);
    };
    this.ctx.nodes.addHandlers({
      onAdd: queueTopology,
      onUpdate(prev: Node, next: Node) {
        if (nodeTopologyChanged(prev, next)) queueTopology();
      },
      onDelete: queueTopology,
      quiet: (prev, next) => !nodeTopologyChanged(prev, next),
    });
  }

  private pump(): void {
    if (!this.listed) {
      if (!this.listing) this.list();
      return;
    }
    while (this.processing.size < ENDPOINTSLICE_WORKERS && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.sync(key);
    }
  }

  /** Lists the slices the API server holds (the tracker after a relist). */
  private list(): void {
    this.listing = true;
    this.send(() =>
      this.proc.call(
        `${ACTOR}/list`,
        CONTROLLER_REQUEST_TIMEOUT_MS,
        (s): ApiResult<EndpointSlice[]> => ({ ok: true, value: [...s.endpointSlices.values()] }),
        (r) => {
          this.listing = false;
          if (!r.ok) {
            this.proc.after(SYNC_BACKOFF_MS, () => this.pump(), `${ACTOR}/relist`);
            return;
          }
          this.tracker.clear();
          for (const sl of r.value) this.tracker.set(sl.metadata.name, sl);
          for (const st of this.states.values()) st.full = true;
          this.listed = true;
          this.pump();
        },
      ),
    );
  }

  private done(key: string, ok: boolean): void {
    this.processing.delete(key);
    if (ok) this.failures.delete(key);
    else {
      // The rate limiter's back-off, and a relist: the tracker may be behind the API server.
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.listed = false;
      this.dirty.delete(key);
      this.proc.after(
        Math.min(MAX_SYNC_BACKOFF_MS, SYNC_BACKOFF_MS * 2 ** (n - 1)),
        () => this.add(key, 0),
        `${ACTOR}/retry`,
      );
    }
    if (this.dirty.delete(key)) this.add(key, 0);
    this.pump();
  }

  /** The endpoint a pod should publish now (undefined: none), from the informers. */
  private endpointOf(svc: ServiceSpec, name: string): Endpoint | undefined {
    const pod = this.ctx.pods.get(name);
    if (pod === undefined || !svc.workloads.includes(pod.metadata.workload)) return undefined;
    const node = pod.spec.nodeName === undefined ? undefined : this.ctx.nodes.get(pod.spec.nodeName);
    return podToEndpoint(pod, node ? zoneOf(node) : '', svc.trafficDistribution === 'PreferClose');
  }

  /** After a list: the Service's slices as the API server holds them, and every pod to look at again. */
  private rebuild(st: ServiceState, svc: ServiceSpec): void {
    st.members.clear();
    st.sliceOf.clear();
    st.sortedNames = undefined;
    st.podOrder.clear();
    st.published = { ready: 0, serving: 0, terminating: 0, endpoints: 0 };
    for (const sl of this.tracker.values()) {
      if (sl.metadata.service !== svc.name) continue;
      const m = new Map<string, Endpoint>();
      for (const e of sl.endpoints) {
        m.set(e.pod, e);
        st.sliceOf.set(e.pod, sl.metadata.name);
        st.dirtyPods.add(e.pod);
      }
      st.members.set(sl.metadata.name, m);
      countsOf(sl.endpoints, st.published, 1);
    }
    for (const w of svc.workloads) for (const name of this.podsOf.get(w) ?? []) st.dirtyPods.add(name);
    st.full = false;
  }

  /** Puts a new endpoint in the first slice with room, or a new slice (the smallest free index). */
  private place(st: ServiceState, svc: ServiceSpec, e: Endpoint): string {
    const names = (st.sortedNames ??= [...st.members.keys()].sort(naturalOrder));
    let name = names.find((n) => st.members.get(n)!.size < MAX_ENDPOINTS_PER_SLICE);
    if (name === undefined) {
      let i = 0;
      while (st.members.has(sliceName(svc.name, i))) i++;
      name = sliceName(svc.name, i);
      st.members.set(name, new Map());
      st.sortedNames = undefined;
    }
    st.members.get(name)!.set(e.pod, e);
    st.podOrder.delete(name);
    st.sliceOf.set(e.pod, name);
    return name;
  }

  /** AddHints over the Service's slices: the slices whose hints change join the slices to write. */
  private addHints(key: string, st: ServiceState, cache: TopologyCache): void {
    const si: SliceInfo = { serviceKey: key, toCreate: [], toUpdate: [], unchanged: [] };
    for (const name of [...st.members.keys()].sort(naturalOrder)) {
      const m = st.members.get(name)!;
      if (m.size === 0) continue;
      const sl: HintSlice = { name, endpoints: [...m.values()].sort((a, b) => (a.pod < b.pod ? -1 : 1)) };
      if (!st.dirtySlices.has(name)) si.unchanged.push(sl);
      else if (this.tracker.has(name)) si.toUpdate.push(sl);
      else si.toCreate.push(sl);
    }
    const outcome = cache.addHints(si);
    for (const sl of [...si.toCreate, ...si.toUpdate]) {
      const m = st.members.get(sl.name)!;
      for (const e of sl.endpoints) m.set(e.pod, e);
      st.dirtySlices.add(sl.name);
    }
    // Traced when hints come or go, when the hinted endpoints per zone change, or when the reason for having
    // none changes (not its endpoint count alone, which moves at every pod of a rollout).
    const zones = outcome.hints
      ? [...outcome.byZone]
          .filter(([, n]) => n > 0)
          .sort((a, b) => (a[0] < b[0] ? -1 : 1))
          .map(([z, n]) => `${z} ${n}`)
          .join(', ')
      : '';
    const traced = outcome.hints ? `on: ${zones}` : outcome.message.replace(/ \(.*\)$/, '');
    if (traced === st.hintsTraced) return;
    st.hintsTraced = traced;
    this.proc.ctx.trace.emit('service.hints.changed', {
      service: key,
      hints: outcome.hints,
      reason: !outcome.hints ? outcome.message : outcome.enabled ? HINTS_MESSAGES.enabled : 'Hints reallocated',
      zones,
    });
  }

  private sync(key: string): void {
    const svc = this.byName.get(key)!;
    const st = this.states.get(key)!;
    const hinted = this.topology !== undefined && svc.topologyMode === 'Auto';
    if (st.full) this.rebuild(st, svc);
    this.placeChangedPods(st, svc, hinted);
    if (hinted) this.addHints(key, st, this.topology!);
    this.writeChangedSlices(key, st);
  }

  /** 1. The changed pods' endpoints into the desired slices. */
  private placeChangedPods(st: ServiceState, svc: ServiceSpec, hinted: boolean): void {
    for (const pod of [...st.dirtyPods].sort()) {
      const e = this.endpointOf(svc, pod);
      const at = st.sliceOf.get(pod);
      if (e === undefined) {
        if (at === undefined) continue;
        st.members.get(at)!.delete(pod);
        st.podOrder.delete(at);
        st.sliceOf.delete(pod);
        st.dirtySlices.add(at);
      } else if (at === undefined) st.dirtySlices.add(this.place(st, svc, e));
      else if (
        hinted
          ? !endpointsEqualBeyondHints(st.members.get(at)!.get(pod)!, e)
          : !sameEndpoints([st.members.get(at)!.get(pod)!], [e])
      ) {
        st.members.get(at)!.set(pod, e);
        st.dirtySlices.add(at);
      }
    }
    st.dirtyPods.clear();
  }

  /** 2. Each changed slice written through the API server; the sync is done when every write is answered. */
  private writeChangedSlices(key: string, st: ServiceState): void {
    const before = { ...st.published };
    const slices = [...st.dirtySlices].sort(naturalOrder);
    st.dirtySlices.clear();
    const w: SyncWrites = { outstanding: 1, allOk: true };
    for (const name of slices) {
      const m = st.members.get(name);
      const cur = this.tracker.get(name);
      const eps = m === undefined ? [] : endpointsByPod(st, name, m);
      if (eps.length === 0) {
        st.members.delete(name);
        st.sortedNames = undefined;
        st.podOrder.delete(name);
        if (cur === undefined) continue;
        w.outstanding++;
        this.send(() =>
          this.proc.call(
            `${ACTOR}/delete`,
            CONTROLLER_REQUEST_TIMEOUT_MS,
            (s) => s.deleteEndpointSlice(name, ACTOR),
            this.written(key, st, w, before, name, []),
          ),
        );
        continue;
      }
      if (cur !== undefined && sameEndpoints(cur.endpoints, eps)) continue;
      w.outstanding++;
      this.writeSlice(key, cur, name, eps, this.written(key, st, w, before, name, eps));
    }
    this.finish(key, st, w, before);
  }

  /** Creates the slice, or updates the one the tracker holds, with these endpoints. */
  private writeSlice(
    key: string,
    cur: EndpointSlice | undefined,
    name: string,
    eps: Endpoint[],
    then: (r: ApiResult<EndpointSlice | undefined>) => void,
  ): void {
    if (cur === undefined) {
      const obj: EndpointSlice = {
        kind: 'EndpointSlice',
        metadata: { name, uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: {}, service: key },
        endpoints: eps,
      };
      this.send(() =>
        this.proc.call(`${ACTOR}/create`, CONTROLLER_REQUEST_TIMEOUT_MS, (s) => s.create(obj, ACTOR), then),
      );
    } else {
      const obj: EndpointSlice = { ...cur, endpoints: eps };
      this.send(() =>
        this.proc.call(`${ACTOR}/update`, CONTROLLER_REQUEST_TIMEOUT_MS, (s) => s.update(obj, ACTOR), then),
      );
    }
  }

  /** A slice write's answer: the tracker and the published counts follow it. */
  private written(
    key: string,
    st: ServiceState,
    w: SyncWrites,
    before: Counts,
    name: string,
    eps: readonly Endpoint[],
  ): (r: ApiResult<EndpointSlice | undefined>) => void {
    return (r) => {
      if (!r.ok) w.allOk = false;
      else {
        const cur = this.tracker.get(name);
        if (cur !== undefined) countsOf(cur.endpoints, st.published, -1);
        if (r.value === undefined) this.tracker.delete(name);
        else this.tracker.set(name, r.value);
        countsOf(eps, st.published, 1);
      }
      this.finish(key, st, w, before);
    };
  }

  /** One of a sync's writes (or the sync itself) is done; after the last, the sync is. */
  private finish(key: string, st: ServiceState, w: SyncWrites, before: Counts): void {
    if (--w.outstanding > 0) return;
    if (w.allOk && !sameCounts(st.published, before))
      this.proc.ctx.trace.emit('service.endpoints.changed', { service: key, ...st.published });
    this.done(key, w.allOk);
  }
}

// The API server's storage: the single source of truth, with optimistic concurrency on resourceVersion,
// graceful pod deletion, the DefaultTolerationSeconds admission plugin, and watch fan-out. Every write
// is diffed against the previous object to emit the docs/scenario-format.md#trace-events-eventsjsonl trace events, so the trace records what the
// API server saw, whoever wrote it.
//
// Fidelity notes: one namespace; DELETE of a bound pod sets deletionTimestamp (it is Terminating) and the
// object goes only when its kubelet confirms or someone force-deletes it (docs/fidelity.md#pod-deletion); admission
// adds the 300 s not-ready/unreachable NoExecute tolerations (plugin/pkg/admission/defaulttolerationseconds).
import type { Rng, TraceRecorder } from '../../engine/index.js';
import { LeaseChains } from './lease-chains.js';
import type { TraceEventFields } from '../../trace/events.js';
import type { Toleration } from '../../k8s/objects.js';
import {
  type ApiObject,
  type EndpointSlice,
  type Kind,
  type Lease,
  type Node,
  type PdbStatusFields,
  type Pod,
  type PodDisruptionBudget,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  podMeta,
  podSpec,
  readyCondition,
} from '../../k8s/objects.js';

export type ApiFailure =
  | 'Timeout'
  | 'NotFound'
  | 'Conflict'
  | 'AlreadyExists'
  | 'Unavailable'
  | 'Invalid'
  /** 429: an eviction the PodDisruptionBudget does not allow now (eviction.ts). */
  | 'TooManyRequests'
  /** 403: an eviction upstream forbids outright (a negative disruptionsAllowed, too many unconfirmed evictions). */
  | 'Forbidden';
export type ApiResult<T> = { ok: true; value: T } | { ok: false; reason: ApiFailure };

export const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });
export const fail = <T = never>(reason: ApiFailure): ApiResult<T> => ({ ok: false, reason });

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * Receives every change of one kind (optionally only pods bound to one node, only the Node named
 * `nodeName`, or leases of a namespace).
 */
export interface StoreWatcher {
  readonly kind: Kind;
  readonly nodeName?: string;
  readonly namespace?: string;
  /** A change: `obj` is the object written (or, DELETED, the last one); `prev` the one it replaced (MODIFIED). */
  notify(type: WatchEventType, obj: ApiObject, prev?: ApiObject): void;
  /**
   * A node lease renewal it will never see, because a later one replaces it first (ApiStore.passRenewal):
   * it draws what its watch event would have drawn. Left out by watchers that must see every event.
   */
  passOver?(nodeName: string): void;
  /** No watch event of its current watch is delivered before this (its first list's delivery). */
  readonly watchFloorAtMs?: number;
}

export interface DeleteOptions {
  /** Seconds of graceful termination; 0 removes the object at once. Default: the pod's own. */
  gracePeriodSeconds?: number;
  /** Only delete this incarnation (metadata.uid precondition). */
  uid?: number;
  /** Recorded in the trace (pod.deleted reason). */
  reason: string;
}

export interface AdmissionConfig {
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
}

/** What the store keeps per node name. */
interface NodeEntry {
  /**
   * Names of the pods bound to it, in the order they came (a Set's order): lets node-scoped work avoid
   * scanning every pod. An array: a node holds tens of pods, and growing a Set per node cost ~1 us a bind.
   */
  pods: string[];
  /** Watches of its pods (the kubelet's fieldSelector spec.nodeName=<node>). */
  podWatchers: StoreWatcher[];
  /** Watches of its Node alone (the kubelet's fieldSelector metadata.name=<node>). */
  nodeWatchers: StoreWatcher[];
}

export class ApiStore {
  readonly nodes = new Map<string, Node>();
  readonly pods = new Map<string, Pod>();
  /** Keyed by leaseKey: a node's lease by its name, any other "namespace/name". */
  readonly leases = new Map<string, Lease>();
  /** PodDisruptionBudgets by name (one namespace), and by the workload each selects. */
  readonly pdbs = new Map<string, PodDisruptionBudget>();
  readonly pdbByWorkload = new Map<string, PodDisruptionBudget>();
  /** EndpointSlices by name. */
  readonly endpointSlices = new Map<string, EndpointSlice>();
  private rv = 0;
  private uid = 0;
  private readonly watchers: Record<Kind, Set<StoreWatcher>> = {
    Node: new Set(),
    Lease: new Set(),
    Pod: new Set(),
    EndpointSlice: new Set(),
  };
  /** Per node name: its pods and the watches scoped to it (one lookup for each write of a bound pod). */
  private readonly byNode = new Map<string, NodeEntry>();
  /** The clock of the replica serving the current request (creation and deletion timestamps). */
  clock: { now(): number } = { now: () => 0 };
  /** The writer's own stream for the watch events of the request being served (RequestOptions.sendRng). */
  watchRng: Rng | undefined = undefined;
  /** Node lease renewals not played yet: played before anyone else reads or writes a node lease. */
  chains = new LeaseChains(false);

  /** Now on the serving replica's clock. */
  nowMs(): number {
    return this.clock.now();
  }

  constructor(
    private readonly trace: TraceRecorder<TraceEventFields>,
    private readonly admission: AdmissionConfig,
  ) {}

  // ---- reads ----

  getNode(name: string): ApiResult<Node> {
    const n = this.nodes.get(name);
    return n ? ok(n) : fail('NotFound');
  }

  getPod(name: string): ApiResult<Pod> {
    const p = this.pods.get(name);
    return p ? ok(p) : fail('NotFound');
  }

  getLease(namespace: string, name: string): ApiResult<Lease> {
    if (namespace === 'kube-node-lease') this.chains.catchUp(name);
    const l = this.leases.get(leaseKey(namespace, name));
    return l ? ok(l) : fail('NotFound');
  }

  podsOnNode(nodeName: string): Pod[] {
    const names = this.byNode.get(nodeName)?.pods;
    if (!names) return [];
    const out: Pod[] = [];
    for (const n of names) out.push(this.pods.get(n)!);
    return out;
  }

  // ---- writes ----

  /**
   * Assigns name-independent metadata and stores a new object, through the admission plugins hasim
   * models (DefaultTolerationSeconds for a Pod, TaintNodesByCondition for a Node). `preexisting`: the
   * object stands for one created before t = 0, admitted then (a Node whose not-ready taint the node
   * lifecycle controller has long removed).
   */
  create<T extends ApiObject>(obj: T, actor: string, opts: { preexisting?: boolean } = {}): ApiResult<T> {
    const map = this.mapOf(obj.kind);
    const key = this.keyOf(obj);
    if (obj.kind === 'Lease' && obj.metadata.namespace === 'kube-node-lease') this.chains.writing(key);
    if (map.has(key)) return fail('AlreadyExists');
    let created: T;
    if (obj.kind === 'Pod') {
      const pod: Pod = {
        kind: 'Pod',
        metadata: podMeta(obj.metadata, ++this.uid, ++this.rv, this.nowMs()),
        spec: obj.spec,
        status: obj.status,
      };
      created = this.admitPod(pod) as T;
    } else {
      created = {
        ...obj,
        metadata: { ...obj.metadata, uid: ++this.uid, resourceVersion: ++this.rv, creationTimestampMs: this.nowMs() },
      } as T;
      if (created.kind === 'Node' && !opts.preexisting) created = admitNode(created) as T;
    }
    map.set(key, created);
    this.afterWrite(undefined, created, actor);
    return ok(created);
  }

  /** Replaces an object if its resourceVersion still matches (optimistic concurrency). */
  update<T extends ApiObject>(obj: T, actor: string): ApiResult<T> {
    const map = this.mapOf(obj.kind);
    const key = this.keyOf(obj);
    if (obj.kind === 'Lease' && obj.metadata.namespace === 'kube-node-lease') this.chains.writing(key);
    const cur = map.get(key) as T | undefined;
    if (!cur) return fail('NotFound');
    if (cur.metadata.resourceVersion !== obj.metadata.resourceVersion) return fail('Conflict');
    return ok(this.replace(cur, obj, actor, key));
  }

  /**
   * Applies a change to the current object without a resourceVersion precondition (a PATCH). `key`: the
   * object's name, or "namespace/name" for a lease.
   */
  patch<T extends ApiObject>(
    kind: T['kind'],
    key: string,
    change: (cur: T) => T | undefined,
    actor: string,
  ): ApiResult<T> {
    if (kind === 'Lease') {
      const slash = key.indexOf('/');
      const namespace = key.slice(0, slash);
      key = leaseKey(namespace, key.slice(slash + 1));
      if (namespace === 'kube-node-lease') this.chains.writing(key);
    }
    const cur = this.mapOf(kind).get(key) as T | undefined;
    if (!cur) return fail('NotFound');
    const next = change(cur);
    if (!next || next === cur) return ok(cur);
    return ok(this.replace(cur, next, actor, key));
  }

  deletePod(name: string, opts: DeleteOptions, actor: string): ApiResult<Pod | undefined> {
    const cur = this.pods.get(name);
    if (!cur) return fail('NotFound');
    if (opts.uid !== undefined && cur.metadata.uid !== opts.uid) return fail('Conflict');
    const grace = opts.gracePeriodSeconds ?? cur.spec.terminationGracePeriodSeconds;
    // An unbound pod, or a zero grace period, goes at once (what `--grace-period=0 --force` does).
    if (grace <= 0 || cur.spec.nodeName === undefined) {
      if (cur.metadata.deletionTimestampMs === undefined) this.emitPodDeleted(cur, opts.reason);
      this.removeObject(cur, actor);
      return ok(undefined);
    }
    const deadline = this.nowMs() + grace * 1000;
    if (cur.metadata.deletionTimestampMs !== undefined && cur.metadata.deletionTimestampMs <= deadline) return ok(cur);
    const m = cur.metadata;
    const next: Pod = {
      kind: 'Pod',
      metadata: podMeta(m, m.uid, m.resourceVersion, m.creationTimestampMs, deadline, grace),
      spec: cur.spec,
      status: cur.status,
    };
    if (cur.metadata.deletionTimestampMs === undefined) this.emitPodDeleted(cur, opts.reason);
    return ok(this.replace(cur, next, actor, name));
  }

  /** Creates a PodDisruptionBudget (generation 1, status not yet observed by the disruption controller). */
  createPdb(
    pdb: Omit<PodDisruptionBudget, 'metadata' | 'status'> & { metadata: { name: string } },
  ): ApiResult<PodDisruptionBudget> {
    if (this.pdbs.has(pdb.metadata.name)) return fail('AlreadyExists');
    const created: PodDisruptionBudget = {
      kind: 'PodDisruptionBudget',
      metadata: { name: pdb.metadata.name, generation: 1, resourceVersion: ++this.rv },
      spec: pdb.spec,
      status: {
        observedGeneration: 0,
        disruptedPods: {},
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
      },
    };
    this.pdbs.set(created.metadata.name, created);
    this.pdbByWorkload.set(created.spec.workload, created);
    return ok(created);
  }

  /**
   * UpdateStatus of a PodDisruptionBudget, if its resourceVersion still matches (the disruption
   * controller and the Eviction API both write it). Traces `pdb.status.changed` when a count changes.
   */
  updatePdbStatus(
    name: string,
    resourceVersion: number,
    status: PdbStatusFields,
    actor: string,
  ): ApiResult<PodDisruptionBudget> {
    const cur = this.pdbs.get(name);
    if (!cur) return fail('NotFound');
    if (cur.metadata.resourceVersion !== resourceVersion) return fail('Conflict');
    const next: PodDisruptionBudget = {
      kind: 'PodDisruptionBudget',
      metadata: { ...cur.metadata, resourceVersion: ++this.rv },
      spec: cur.spec,
      status,
    };
    this.pdbs.set(name, next);
    this.pdbByWorkload.set(next.spec.workload, next);
    const a = cur.status;
    if (
      a.disruptionsAllowed !== status.disruptionsAllowed ||
      a.currentHealthy !== status.currentHealthy ||
      a.desiredHealthy !== status.desiredHealthy ||
      a.expectedPods !== status.expectedPods
    )
      this.trace.emit('pdb.status.changed', {
        pdb: name,
        workload: next.spec.workload,
        disruptionsAllowed: status.disruptionsAllowed,
        currentHealthy: status.currentHealthy,
        desiredHealthy: status.desiredHealthy,
        expectedPods: status.expectedPods,
        by: actor,
      });
    return ok(next);
  }

  /** Traces an eviction the API server refused (eviction.ts), as the store traces every write it sees. */
  traceEvictionRefused(pod: Pod, pdb: string, code: number, message: string, actor: string): void {
    this.trace.emit('pod.eviction.refused', {
      pod: pod.metadata.name,
      node: pod.spec.nodeName ?? '',
      workload: pod.metadata.workload,
      pdb,
      code,
      message,
      by: actor,
    });
  }

  /** DELETE of an EndpointSlice (a Service's slice no longer needed). */
  deleteEndpointSlice(name: string, actor: string): ApiResult<undefined> {
    const cur = this.endpointSlices.get(name);
    if (!cur) return fail('NotFound');
    this.removeObject(cur, actor);
    return ok(undefined);
  }

  deleteNode(name: string, actor: string): ApiResult<undefined> {
    const cur = this.nodes.get(name);
    if (!cur) return fail('NotFound');
    this.removeObject(cur, actor);
    return ok(undefined);
  }

  // ---- watches ----

  watch(w: StoreWatcher): void {
    // Renewals not played yet were sent to the watchers there were.
    if (w.kind === 'Lease') this.chains.catchUpAll();
    // Lists replaced, never changed in place: a fan-out goes on over the list it started with (a watcher
    // that disconnects while notified unwatches only itself, and nothing starts a watch meanwhile). A
    // watcher already in its list keeps its place, as in a Set.
    if (w.kind === 'Node' && w.nodeName !== undefined) {
      const e = this.entry(w.nodeName);
      if (!e.nodeWatchers.includes(w)) e.nodeWatchers = [...e.nodeWatchers, w];
    } else if (w.kind === 'Pod' && w.nodeName !== undefined) {
      const e = this.entry(w.nodeName);
      if (!e.podWatchers.includes(w)) e.podWatchers = [...e.podWatchers, w];
    } else {
      this.watchers[w.kind].add(w);
    }
  }

  unwatch(w: StoreWatcher): void {
    if (w.kind === 'Lease') this.chains.catchUpAll();
    const e = w.nodeName !== undefined ? this.byNode.get(w.nodeName) : undefined;
    if (w.kind === 'Node' && w.nodeName !== undefined) {
      if (e !== undefined) e.nodeWatchers = e.nodeWatchers.filter((x) => x !== w);
    } else if (w.kind === 'Pod' && w.nodeName !== undefined) {
      if (e !== undefined) e.podWatchers = e.podWatchers.filter((x) => x !== w);
    } else this.watchers[w.kind].delete(w);
  }

  /** The objects a watcher would list (its initial list, or a relist after a broken watch). */
  list(w: Pick<StoreWatcher, 'kind' | 'nodeName' | 'namespace'>): ApiObject[] {
    if (w.kind === 'Pod' && w.nodeName !== undefined) return this.podsOnNode(w.nodeName);
    if (w.kind === 'Node' && w.nodeName !== undefined) {
      const n = this.nodes.get(w.nodeName);
      return n ? [n] : [];
    }
    if (w.kind === 'Lease') this.chains.catchUpAll();
    const all: ApiObject[] = [...this.mapOf(w.kind).values()];
    return w.namespace === undefined
      ? all
      : all.filter((o) => o.kind === 'Lease' && o.metadata.namespace === w.namespace);
  }

  /**
   * Whether every lease watcher can take a renewal passed over (passRenewal), and would deliver what
   * replaces it before beforeMs as far as its own watch goes (its first list was before then).
   */
  canPassRenewal(beforeMs: number): boolean {
    for (const w of this.watchers.Lease) {
      if (w.namespace !== undefined && w.namespace !== 'kube-node-lease') continue;
      if (w.passOver === undefined || !((w.watchFloorAtMs ?? 0) < beforeMs)) return false;
    }
    return true;
  }

  /**
   * A node lease renewal that a later one replaces everywhere before anyone can look (lease-chains.ts):
   * it is counted (node.lease.renewed) and each watcher draws its watch event's delay, but no object is
   * stored or sent.
   */
  passRenewal(nodeName: string): void {
    if (!this.trace.countIfMuted('node.lease.renewed')) this.trace.emit('node.lease.renewed', { node: nodeName });
    for (const w of this.watchers.Lease) {
      if (w.namespace !== undefined && w.namespace !== 'kube-node-lease') continue;
      w.passOver!(nodeName);
    }
  }

  // ---- internals ----

  /** Stores `next` in place of `cur` under `key` (the map key of both: built once by the caller). */
  private replace<T extends ApiObject>(cur: T, next: T, actor: string, key: string): T {
    let stored: T;
    if (next.kind === 'Lease') {
      // The most frequent write (every node lease renewal), written out: the generic spread below costs
      // ~1.7 µs per call in profiles. Same keys in the same order.
      const m = next.metadata;
      const lease: Lease = {
        kind: 'Lease',
        metadata: {
          name: m.name,
          namespace: m.namespace,
          uid: cur.metadata.uid,
          resourceVersion: ++this.rv,
          creationTimestampMs: m.creationTimestampMs,
          labels: m.labels,
        },
        spec: next.spec,
      };
      stored = lease as T;
    } else if (next.kind === 'Pod') {
      // The next most frequent, written out too (podMeta).
      const m = next.metadata;
      const pod: Pod = {
        kind: 'Pod',
        metadata: podMeta(m, cur.metadata.uid, ++this.rv, m.creationTimestampMs),
        spec: next.spec,
        status: next.status,
      };
      stored = pod as T;
    } else stored = { ...next, metadata: { ...next.metadata, uid: cur.metadata.uid, resourceVersion: ++this.rv } } as T;
    this.mapOf(stored.kind).set(key, stored);
    this.afterWrite(cur, stored, actor);
    return stored;
  }

  private removeObject(cur: ApiObject, actor: string): void {
    this.mapOf(cur.kind).delete(this.keyOf(cur));
    this.afterWrite(cur, undefined, actor);
  }

  /** DefaultTolerationSeconds: add the 300 s NoExecute tolerations unless the pod already tolerates the key. */
  private admitPod(pod: Pod): Pod {
    const tolerates = (key: string) =>
      pod.spec.tolerations.some(
        (t) =>
          (t.key === key || (t.key === undefined && t.operator === 'Exists')) &&
          (t.effect === undefined || t.effect === 'NoExecute'),
      );
    const extra: Toleration[] = [];
    if (!tolerates(TAINT_NOT_READY)) {
      extra.push({
        key: TAINT_NOT_READY,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: this.admission.defaultNotReadyTolerationSeconds,
      });
    }
    if (!tolerates(TAINT_UNREACHABLE)) {
      extra.push({
        key: TAINT_UNREACHABLE,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: this.admission.defaultUnreachableTolerationSeconds,
      });
    }
    if (extra.length === 0) return pod;
    return { ...pod, spec: podSpec(pod.spec, pod.spec.nodeName, [...pod.spec.tolerations, ...extra]) };
  }

  private emitPodDeleted(pod: Pod, reason: string): void {
    this.trace.emit('pod.deleted', { pod: pod.metadata.name, reason });
  }

  private afterWrite(prev: ApiObject | undefined, next: ApiObject | undefined, actor: string): void {
    const obj = (next ?? prev)!;
    // A pod's node before and after the write, and their entries (looked up once).
    let before: NodeEntry | undefined;
    let after: NodeEntry | undefined;
    let leaves = false;
    switch (obj.kind) {
      case 'Node':
        this.traceNode(prev as Node | undefined, next as Node | undefined, actor);
        break;
      case 'Pod': {
        this.tracePod(prev as Pod | undefined, next as Pod | undefined, actor);
        const from = (prev as Pod | undefined)?.spec.nodeName;
        const to = (next as Pod | undefined)?.spec.nodeName;
        if (from !== undefined) before = this.byNode.get(from);
        if (to !== undefined && to !== from) after = this.entry(to);
        if (from !== to) {
          leaves = true;
          const name = obj.metadata.name;
          if (before !== undefined) {
            const at = before.pods.indexOf(name);
            if (at >= 0) before.pods.splice(at, 1);
          }
          if (after !== undefined && !after.pods.includes(name)) after.pods.push(name);
        }
        break;
      }
      case 'Lease':
        if (
          obj.metadata.namespace === 'kube-node-lease' &&
          next &&
          (!prev || (prev as Lease).spec.renewTimeMs !== (next as Lease).spec.renewTimeMs)
        ) {
          if (!this.trace.countIfMuted('node.lease.renewed'))
            this.trace.emit('node.lease.renewed', { node: obj.metadata.name });
        }
        break;
    }
    const type: WatchEventType = !prev ? 'ADDED' : !next ? 'DELETED' : 'MODIFIED';
    for (const w of this.watchers[obj.kind]) {
      if (w.namespace !== undefined && obj.kind === 'Lease' && obj.metadata.namespace !== w.namespace) continue;
      w.notify(type, obj, prev);
    }
    if (obj.kind === 'Node') {
      const e = this.byNode.get(obj.metadata.name);
      if (e !== undefined) for (const w of e.nodeWatchers) w.notify(type, obj, prev);
    }
    if (obj.kind === 'Pod') {
      // Watches of the node the pod leaves see it deleted; those of the node it comes to, added.
      if (before !== undefined) for (const w of before.podWatchers) w.notify(leaves ? 'DELETED' : type, obj, prev);
      if (after !== undefined) for (const w of after.podWatchers) w.notify('ADDED', obj, undefined);
    }
  }

  private entry(nodeName: string): NodeEntry {
    let e = this.byNode.get(nodeName);
    if (e === undefined) this.byNode.set(nodeName, (e = { pods: [], podWatchers: [], nodeWatchers: [] }));
    return e;
  }

  private traceNode(prev: Node | undefined, next: Node | undefined, actor: string): void {
    if (!next) {
      this.trace.emit('node.deleted', { node: prev!.metadata.name, by: actor });
      return;
    }
    const name = next.metadata.name;
    if (!prev)
      this.trace.emit('node.created', { node: name, zone: next.metadata.labels['topology.kubernetes.io/zone'] ?? '' });
    const from = prev ? readyCondition(prev)?.status : undefined;
    const to = readyCondition(next)?.status;
    if (to !== undefined && from !== to) {
      this.trace.emit('node.ready.changed', {
        node: name,
        from: from ?? 'None',
        to,
        by: actor === 'kubelet' ? 'kubelet' : 'node-lifecycle-controller',
      });
    }
    if (prev !== undefined && prev.spec.unschedulable !== next.spec.unschedulable)
      this.trace.emit('node.unschedulable.changed', { node: name, unschedulable: next.spec.unschedulable, by: actor });
    const before = prev?.spec.taints ?? [];
    const after = next.spec.taints;
    if (before === after) return;
    for (const t of after) {
      if (!before.some((b) => b.key === t.key && b.effect === t.effect))
        this.trace.emit('node.taint.added', { node: name, key: t.key, effect: t.effect });
    }
    for (const t of before) {
      if (!after.some((a) => a.key === t.key && a.effect === t.effect))
        this.trace.emit('node.taint.removed', { node: name, key: t.key, effect: t.effect });
    }
  }

  private tracePod(prev: Pod | undefined, next: Pod | undefined, actor: string): void {
    if (!next) {
      this.trace.emit('pod.removed', { pod: prev!.metadata.name });
      return;
    }
    const name = next.metadata.name;
    if (!prev) this.trace.emit('pod.created', { pod: name, workload: next.metadata.workload });
    if (next.spec.nodeName !== undefined && prev?.spec.nodeName !== next.spec.nodeName) {
      this.trace.emit('pod.scheduled', { pod: name, node: next.spec.nodeName });
    }
    if ((prev?.status.ready ?? false) !== next.status.ready) {
      this.trace.emit('pod.ready.changed', { pod: name, ready: next.status.ready, by: actor });
    }
    if (next.status.phase === 'Failed' && prev !== undefined && prev.status.phase !== 'Failed')
      this.trace.emit('pod.failed', {
        pod: name,
        node: next.spec.nodeName ?? '',
        reason: next.status.reason ?? '',
        message: next.status.message ?? '',
      });
  }

  private mapOf(kind: Kind): Map<string, ApiObject> {
    return (
      kind === 'Node' ? this.nodes : kind === 'Pod' ? this.pods : kind === 'Lease' ? this.leases : this.endpointSlices
    ) as Map<string, ApiObject>;
  }

  private keyOf(obj: ApiObject): string {
    return obj.kind === 'Lease' ? leaseKey(obj.metadata.namespace, obj.metadata.name) : obj.metadata.name;
  }
}

/**
 * The key of a lease in the store. Node leases, renewed every 10 s by every kubelet, are keyed by the
 * node's name: building "kube-node-lease/<node>" per renewal cost a string, its hash and a full compare
 * in the map. No object name holds a '/', so the two forms never collide.
 */
function leaseKey(namespace: string, name: string): string {
  return namespace === 'kube-node-lease' ? name : `${namespace}/${name}`;
}

/**
 * TaintNodesByCondition (plugin/pkg/admission/nodetaint/admission.go, Admit on CREATE): a new Node gets
 * `node.kubernetes.io/not-ready:NoSchedule`, so that nothing is scheduled to it before the node lifecycle
 * controller has seen it Ready and removed the taint (doNoScheduleTaintingPass).
 */
export function admitNode(node: Node): Node {
  if (node.spec.taints.some((t) => t.key === TAINT_NOT_READY && t.effect === 'NoSchedule')) return node;
  return {
    ...node,
    spec: { ...node.spec, taints: [...node.spec.taints, { key: TAINT_NOT_READY, effect: 'NoSchedule' }] },
  };
}

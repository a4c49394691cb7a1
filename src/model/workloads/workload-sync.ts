// Machinery shared by the ReplicaSet, StatefulSet and DaemonSet controllers: an index of each workload's
// pods kept by the shared pod informer, a work queue that coalesces notifications into one reconcile per
// workload (a dirty set drained by one event, as a client-go workqueue dedups keys), upstream's
// ControllerExpectations, slowStartBatch, and the `workload.desired.changed` trace.
//
// Fidelity notes (pkg/controller/controller_utils.go, pkg/controller/replicaset/replica_set.go):
// - Expectations: after issuing N creates / M deletes, a workload is not reconciled again until the
//   informer has observed them or 5 min (ExpectationsTimeout) have passed; failed calls lower them.
// - slowStartBatch: creates go in batches of 1, 2, 4, ... (SlowStartInitialBatchSize 1), each batch
//   waiting for the previous one; the first failure skips the rest. At most 500 per sync (BurstReplicas).
// - The reconcile runs RECONCILE_DELAY_MS (local time) after the first notification; notifications
//   arriving meanwhile join the same reconcile.
import type { WorkloadKind, WorkloadSpec } from '../../k8s/workloads.js';
import { type Pod, isPodActive } from '../../k8s/objects.js';
import type { ApiResult, ApiStore } from '../apiserver/store.js';
import { UidSlots, UidTable } from '../apiserver/uid-table.js';
import { CONTROLLER_REQUEST_TIMEOUT_MS, type ControllerContext } from '../controllermanager/controller.js';
import { type ControllerClient, controllerClient } from '../controllermanager/client.js';
import { type PdbStatus, pdbStatus } from './disruption.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;
export const BURST_REPLICAS = 500;
export const RECONCILE_DELAY_MS = 1;

/** What the trace already says each workload wants, per run (keyed by the run's trace recorder), so a new leader does not repeat it. */
const desiredSeen = new WeakMap<object, Map<string, number>>();

/**
 * Per run (keyed like desiredSeen), how many of each workload's initial pods are still to be created
 * without waiting for the client's tokens. A run starts from a cluster that has been running: the pods the
 * workload controllers create as the run begins stand for pods that existed before t = 0, so their
 * creation does not queue behind the controller's rate limit (5,000 replicas would take over four minutes
 * at 20 QPS). Every later creation (replacements, scale-ups, DaemonSet pods of new nodes) waits for its
 * token. docs/fidelity.md#client-rate-limits.
 */
const initialCreates = new WeakMap<object, Map<string, number>>();

export interface WorkloadPods {
  /** Every pod object of the workload the informer holds, by name. */
  readonly all: ReadonlyMap<string, Pod>;
  /** Names of the active ones (IsPodActive). */
  readonly active: Set<string>;
}

interface Expectations {
  adds: number;
  deletes: Set<string>;
  setAtMs: number;
}

export interface WorkloadSyncOptions {
  kind: WorkloadKind;
  /** API actor and label prefix, e.g. "replicaset-controller". */
  actor: string;
  reconcile(w: WorkloadSpec, pods: WorkloadPods): void;
  /** Called for every pod event of one of this controller's workloads (after the index is updated). */
  onPodEvent?(w: WorkloadSpec, prev: Pod | undefined, next: Pod | undefined): void;
}

export class WorkloadSync {
  readonly workloads: WorkloadSpec[];
  private readonly byId = new Map<string, WorkloadSpec>();
  private readonly pods = new Map<string, { all: UidTable<Pod>; active: Set<string> }>();
  private readonly expectations = new Map<string, Expectations>();
  /**
   * Workloads to reconcile, as flags by position in `sorted` (the workloads by id): a drain takes them in
   * id order without building and sorting a list each time (a drain follows nearly every pod event).
   */
  private readonly sorted: WorkloadSpec[];
  private readonly position = new Map<string, number>();
  private readonly dirty: Uint8Array;
  /** The controller's own API client and its token bucket (controllermanager/client.ts). */
  private readonly client: ControllerClient;
  private readonly draining: number[] = [];
  private drainPending = false;
  private started = false;
  private readonly drainFn = (): void => this.drain();
  private readonly syncLabel: string;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: WorkloadSyncOptions,
  ) {
    this.syncLabel = `${opts.actor}/sync`;
    this.client = controllerClient(ctx.proc, opts.actor, ctx.config);
    this.workloads = ctx.workloads.filter((w) => w.kind === opts.kind);
    this.sorted = [...this.workloads].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.sorted.forEach((w, i) => this.position.set(w.id, i));
    this.dirty = new Uint8Array(this.sorted.length);
    // The workloads' tables share one array by uid: a pod belongs to one workload.
    const slots = new UidSlots<Pod>();
    for (const w of this.workloads) {
      this.byId.set(w.id, w);
      this.pods.set(w.id, { all: new UidTable(slots), active: new Set() });
    }
    if (this.workloads.length === 0) return;
    // Handlers are added before the informers sync, so the index is complete when start() runs.
    ctx.pods.addHandlers({
      onAdd: (p) => this.podEvent(undefined, p),
      onUpdate: (prev, next) => this.podEvent(prev, next),
      onDelete: (p) => this.podEvent(p, undefined),
    });
  }

  start(): void {
    this.started = true;
    for (const w of this.workloads) this.enqueue(w.id);
  }

  /** The PodDisruptionBudget status of a workload, against `desired` (default: its replicas). */
  pdbStatus(id: string, desired?: number): PdbStatus | undefined {
    const w = this.workloads.find((x) => x.id === id);
    const pods = this.podsOf(id);
    return w && pods ? pdbStatus(w, pods.all.values(), desired ?? w.replicas) : undefined;
  }

  podsOf(id: string): WorkloadPods | undefined {
    return this.pods.get(id);
  }

  /** Marks a workload for reconciliation (coalesced). */
  enqueue(id: string): void {
    if (!this.started) return;
    const at = this.position.get(id);
    if (at === undefined) return;
    this.dirty[at] = 1;
    if (this.drainPending) return;
    this.drainPending = true;
    this.ctx.proc.post(RECONCILE_DELAY_MS, this.drainFn, this.syncLabel);
  }

  enqueueAll(): void {
    for (const w of this.workloads) this.enqueue(w.id);
  }

  /** Records the desired count in the trace when it is first known or changes. */
  traceDesired(w: WorkloadSpec, desired: number): void {
    const trace = this.ctx.proc.ctx.trace;
    let seen = desiredSeen.get(trace);
    if (!seen) desiredSeen.set(trace, (seen = new Map()));
    if (seen.get(w.id) === desired) return;
    if (!seen.has(w.id)) {
      let initial = initialCreates.get(trace);
      if (!initial) initialCreates.set(trace, (initial = new Map()));
      initial.set(w.id, desired);
    }
    seen.set(w.id, desired);
    trace.emit('workload.desired.changed', { workload: w.id, desired });
  }

  // ---- expectations ----

  satisfied(id: string): boolean {
    const e = this.expectations.get(id);
    if (!e) return true;
    if ((e.adds <= 0 && e.deletes.size === 0) || this.ctx.proc.now() - e.setAtMs > EXPECTATIONS_TIMEOUT_MS) {
      this.expectations.delete(id);
      return true;
    }
    return false;
  }

  private expect(id: string): Expectations {
    let e = this.expectations.get(id);
    if (!e) this.expectations.set(id, (e = { adds: 0, deletes: new Set(), setAtMs: this.ctx.proc.now() }));
    return e;
  }

  private creationObserved(id: string): void {
    const e = this.expectations.get(id);
    if (e) e.adds--;
  }

  private deletionObserved(id: string, name: string): void {
    this.expectations.get(id)?.deletes.delete(name);
  }

  // ---- API calls ----

  /**
   * Creates pods in slow-start batches (1, 2, 4, ...): each batch waits for the previous one and the
   * first failure skips the rest (their expectations are lowered). `make(i)` builds the i-th pod.
   */
  createPods(w: WorkloadSpec, count: number, make: (i: number) => Pod): void {
    const n = Math.min(count, BURST_REPLICAS);
    if (n <= 0) return;
    const e = this.expect(w.id);
    e.adds += n;
    let next = 0;
    const batch = (size: number) => {
      const take = Math.min(size, n - next);
      let outstanding = take;
      let failed = false;
      for (let k = 0; k < take; k++) {
        const pod = make(next++);
        const initial = this.takeInitialCreate(w.id);
        // The pod object is new (newWorkloadPod): marked in place, not copied (150,000 at a run's start).
        if (initial) pod.metadata.preexisting = true;
        (initial ? this.callNow : this.call).call(
          this,
          'create',
          (s) => s.create(pod, this.opts.actor),
          (r) => {
            if (!r.ok) {
              failed = true;
              this.creationObserved(w.id);
            }
            if (--outstanding > 0) return;
            if (failed) {
              // Skipped creations will never be observed: lower the expectations and try again later.
              for (let s = next; s < n; s++) this.creationObserved(w.id);
              next = n;
              this.enqueue(w.id);
            } else if (next < n) batch(2 * size);
          },
        );
      }
    };
    batch(1);
  }

  /** Deletes pods (graceful, the pod's own grace period) with a uid precondition. */
  deletePods(w: WorkloadSpec, pods: readonly Pod[], reason: string): void {
    if (pods.length === 0) return;
    const e = this.expect(w.id);
    for (const p of pods) {
      e.deletes.add(p.metadata.name);
      this.call(
        'delete',
        (s) => s.deletePod(p.metadata.name, { uid: p.metadata.uid, reason }, this.opts.actor),
        (r) => {
          if (!r.ok) {
            this.deletionObserved(w.id, p.metadata.name);
            if (r.reason !== 'NotFound') this.enqueue(w.id);
          }
        },
      );
    }
  }

  /** Whether one of the workload's initial pods is still to be created (then it takes no token). */
  private takeInitialCreate(id: string): boolean {
    const initial = initialCreates.get(this.ctx.proc.ctx.trace);
    const left = initial?.get(id) ?? 0;
    if (left <= 0) return false;
    initial!.set(id, left - 1);
    return true;
  }

  /** A call that does not wait for the client's token (the run's initial pods, see initialCreates). */
  private callNow<T>(label: string, op: (s: ApiStore) => ApiResult<T>, done: (r: ApiResult<T>) => void): void {
    this.ctx.proc.call(`${this.opts.actor}/${label}`, CONTROLLER_REQUEST_TIMEOUT_MS, op, done);
  }

  private call<T>(label: string, op: (s: ApiStore) => ApiResult<T>, done: (r: ApiResult<T>) => void): void {
    this.client.call(`${this.opts.actor}/${label}`, CONTROLLER_REQUEST_TIMEOUT_MS, op, done);
  }

  // ---- internals ----

  private podEvent(prev: Pod | undefined, next: Pod | undefined): void {
    const id = (next ?? prev)!.metadata.workload;
    const w = this.byId.get(id);
    if (!w) return;
    const idx = this.pods.get(id)!;
    const name = (next ?? prev)!.metadata.name;
    if (next) {
      // Mostly a status change of a pod held already: one array write, and the active set as it was.
      if (prev !== undefined && idx.all.replaceHeld(prev, next)) {
        const active = isPodActive(next);
        if (active !== isPodActive(prev)) {
          if (active) idx.active.add(name);
          else idx.active.delete(name);
        }
      } else {
        idx.all.set(name, next);
        if (isPodActive(next)) idx.active.add(name);
        else idx.active.delete(name);
      }
    } else {
      idx.all.delete(name);
      idx.active.delete(name);
    }
    if (!prev && next) this.creationObserved(id);
    if (
      !next ||
      (next.metadata.deletionTimestampMs !== undefined && prev?.metadata.deletionTimestampMs === undefined)
    ) {
      this.deletionObserved(id, name);
    }
    this.opts.onPodEvent?.(w, prev, next);
    this.enqueue(id);
  }

  private drain(): void {
    this.drainPending = false;
    // Those marked now, in id order (a reconcile may mark some again, for the next drain).
    const taken = this.draining;
    taken.length = 0;
    for (let i = 0; i < this.dirty.length; i++) {
      if (this.dirty[i] === 0) continue;
      this.dirty[i] = 0;
      taken.push(i);
    }
    for (const i of taken) {
      const w = this.sorted[i];
      if (!this.satisfied(w.id)) continue;
      this.opts.reconcile(w, this.pods.get(w.id)!);
    }
  }
}

/** A workload controller, with its PodDisruptionBudget accounting exposed for reports and tests. */
export interface WorkloadController {
  readonly name: string;
  start(): void;
  /** PDB status of a workload this controller owns (undefined: no PDB, or not this controller's). */
  pdbStatus(workloadId: string): PdbStatus | undefined;
}

// The disruption controller of kube-controller-manager (kubernetes/kubernetes
// pkg/controller/disruption/disruption.go: trySync, getExpectedPodCount, countHealthyPods,
// buildDisruptedPodMap, updatePdbStatus, failSafe), run by the leader only. For each PodDisruptionBudget:
// 1. The pods it selects (those of its workload) come from the shared pod informer.
// 2. expectedPods and desiredHealthy (getExpectedPodCount): an integer minAvailable counts the selected
//    pods; maxUnavailable or a percentage needs the owning controller's scale (the workload's replicas),
//    percentages rounding up. DaemonSets have no scale subresource: upstream's sync then fails and
//    failSafe sets disruptionsAllowed to 0 without observing the generation, so every eviction is refused.
// 3. buildDisruptedPodMap: an entry of status.disruptedPods (written by the Eviction API) is kept while its
//    pod exists, is not yet Terminating and was evicted less than DeletionTimeout = 2 min ago (local time);
//    the PDB is rechecked when the first kept entry expires. An expired entry means the pod was expected to
//    be deleted but was not.
// 4. countHealthyPods: Ready pods that are neither Terminating nor in the kept disruptedPods.
// 5. disruptionsAllowed = max(0, currentHealthy - desiredHealthy); the status is written (UpdateStatus)
//    only if something changed, with observedGeneration = generation.
// Every pod change that can alter the counts (a pod added or removed, Ready or deletionTimestamp changed)
// enqueues its PDB; syncs of one PDB never overlap, and a failed status write is retried with the
// workqueue's per-item exponential backoff (5 ms doubling, at most 1000 s).
//
// Simplified (docs/fidelity.md#known-differences): hasim's PDBs do not change after creation and are not
// watched; the status write reads the PDB's current disruptedPods at the API server in the same request
// (upstream reads its PDB informer's cache and retries on a resourceVersion conflict).
import type { Pod, PodDisruptionBudget } from '../../k8s/objects.js';
import type { WorkloadSpec } from '../../k8s/workloads.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ControllerContext,
} from '../controllermanager/controller.js';
import type { ApiResult, ApiStore } from '../apiserver/store.js';
import { pdbStatus } from '../workloads/disruption.js';
import { controllerClient } from '../controllermanager/client.js';

const ACTOR = 'disruption-controller';
/** DeletionTimeout (disruption.go): how long an evicted pod may take to get its deletionTimestamp. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
const RETRY_BASE_MS = 5;
const RETRY_MAX_MS = 1_000_000;

/** The PDB's name in hasim: the workload's name (one PDB per workload). */
export function pdbNameOf(w: WorkloadSpec): string {
  return w.name;
}

/** What a sync knows of one selected pod, taken from the informer when the sync is sent. */
interface PodView {
  name: string;
  ready: boolean;
  deleting: boolean;
}

interface SyncOutcome {
  /** Local time of the next recheck (the first kept disruptedPods entry expiring), if any. */
  recheckAtMs?: number;
}

export function disruptionController(ctx: ControllerContext): Controller {
  const proc = ctx.proc;
  const client = controllerClient(proc, ACTOR, ctx.config);
  const guarded = ctx.workloads.filter((w) => w.podDisruptionBudget !== undefined);
  const byWorkload = new Map(guarded.map((w) => [w.id, w]));
  const pods = new Map<string, Map<string, Pod>>(guarded.map((w) => [w.id, new Map()]));
  const inFlight = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  let started = false;

  const podChanged = (p: Pod, gone: boolean) => {
    const mine = pods.get(p.metadata.workload);
    if (mine === undefined) return;
    if (gone) mine.delete(p.metadata.name);
    else mine.set(p.metadata.name, p);
    enqueue(p.metadata.workload);
  };
  if (guarded.length > 0) watchGuardedPods(ctx, byWorkload, podChanged);

  function enqueue(id: string): void {
    if (!started) return;
    if (inFlight.has(id)) {
      dirty.add(id);
      return;
    }
    if (dirty.has(id)) return;
    dirty.add(id);
    proc.post(0, () => sync(id), `${ACTOR}/sync`);
  }

  function sync(id: string): void {
    if (!dirty.delete(id) || inFlight.has(id)) return;
    const w = byWorkload.get(id)!;
    const views = podViews(pods.get(id)!);
    const nowMs = proc.now();
    inFlight.add(id);
    client.call<SyncOutcome>(
      `${ACTOR}/update-status`,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) => trySync(s, w, views, nowMs),
      (r) => {
        inFlight.delete(id);
        if (r.ok) {
          failures.delete(id);
          if (r.value.recheckAtMs !== undefined)
            proc.post(Math.max(0, r.value.recheckAtMs - proc.now()), () => enqueue(id), `${ACTOR}/recheck`);
          if (dirty.has(id)) {
            dirty.delete(id);
            enqueue(id);
          }
          return;
        }
        // AddRateLimited: the workqueue's per-item exponential backoff.
        const n = failures.get(id) ?? 0;
        failures.set(id, n + 1);
        dirty.delete(id);
        proc.post(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** n), () => enqueue(id), `${ACTOR}/retry`);
      },
    );
  }

  return {
    name: ACTOR,
    start() {
      started = true;
      for (const w of [...guarded].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) enqueue(w.id);
    },
  };
}

/**
 * The pod informer's handlers: every change that can alter a PDB's counts (a pod added or removed, Ready or
 * deletionTimestamp changed) of a guarded workload reaches `podChanged`.
 */
function watchGuardedPods(
  ctx: ControllerContext,
  byWorkload: ReadonlyMap<string, WorkloadSpec>,
  podChanged: (p: Pod, gone: boolean) => void,
): void {
  ctx.pods.addHandlers({
    onAdd: (p) => podChanged(p, false),
    onUpdate: (_prev, next) => podChanged(next, false),
    onDelete: (p) => podChanged(p, true),
    quiet: (prev, next) =>
      !byWorkload.has(next.metadata.workload) ||
      (prev.status.ready === next.status.ready &&
        prev.metadata.deletionTimestampMs === next.metadata.deletionTimestampMs),
  });
}

/** What a sync sends of the selected pods: name, Ready and Terminating, sorted by name. */
function podViews(selected: ReadonlyMap<string, Pod>): PodView[] {
  return [...selected.values()]
    .map((p) => ({
      name: p.metadata.name,
      ready: p.status.ready,
      deleting: p.metadata.deletionTimestampMs !== undefined,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** trySync for one PDB at the API server: the status from the pods seen, written if it changed. */
export function trySync(
  s: ApiStore,
  w: WorkloadSpec,
  views: readonly PodView[],
  nowMs: number,
): ApiResult<SyncOutcome> {
  const pdb = s.pdbByWorkload.get(w.id);
  if (pdb === undefined) return { ok: false, reason: 'NotFound' };
  const spec = pdb.spec;
  if (w.kind === 'DaemonSet' && (spec.maxUnavailable !== undefined || spec.minAvailable?.percent))
    return failSafe(s, pdb);
  // 3. buildDisruptedPodMap.
  const disruptedPods: Record<string, number> = {};
  let recheckAtMs: number | undefined;
  for (const v of views) {
    if (v.deleting) continue;
    const at = pdb.status.disruptedPods[v.name];
    if (at === undefined) continue;
    const expectedDeletionMs = at + DELETION_TIMEOUT_MS;
    if (expectedDeletionMs < nowMs) continue;
    disruptedPods[v.name] = at;
    recheckAtMs = recheckAtMs === undefined ? expectedDeletionMs : Math.min(recheckAtMs, expectedDeletionMs);
  }
  // 2., 4., 5.
  const asPods = views.map((v) => ({
    metadata: { name: v.name, deletionTimestampMs: v.deleting ? 0 : undefined },
    status: { ready: v.ready },
  }));
  const st = pdbStatus(w, asPods, w.replicas, (name) => disruptedPods[name] !== undefined)!;
  const cur = pdb.status;
  const same =
    cur.observedGeneration === pdb.metadata.generation &&
    cur.currentHealthy === st.currentHealthy &&
    cur.desiredHealthy === st.desiredHealthy &&
    cur.expectedPods === st.expectedPods &&
    cur.disruptionsAllowed === st.disruptionsAllowed &&
    sameKeys(cur.disruptedPods, disruptedPods);
  if (!same) {
    const written = s.updatePdbStatus(
      pdb.metadata.name,
      pdb.metadata.resourceVersion,
      { observedGeneration: pdb.metadata.generation, disruptedPods, ...st },
      ACTOR,
    );
    if (!written.ok) return written;
  }
  return { ok: true, value: recheckAtMs === undefined ? {} : { recheckAtMs } };
}

/** failSafe: no disruption allowed, generation not observed. */
function failSafe(s: ApiStore, pdb: PodDisruptionBudget): ApiResult<SyncOutcome> {
  if (pdb.status.disruptionsAllowed === 0) return { ok: true, value: {} };
  const written = s.updatePdbStatus(
    pdb.metadata.name,
    pdb.metadata.resourceVersion,
    { ...pdb.status, disruptionsAllowed: 0 },
    ACTOR,
  );
  return written.ok ? { ok: true, value: {} } : written;
}

function sameKeys(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] === a[k]);
}

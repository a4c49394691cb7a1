// The Eviction API (POST pods/<name>/eviction, policy/v1), after kubernetes/kubernetes
// pkg/registry/core/pod/storage/eviction.go (EvictionREST.Create, canIgnorePDB, checkAndDecrement), run
// at the API server against its store in one step, as the REST handler does within its retry-on-conflict
// loop:
// 1. A pod that is Pending, Succeeded or Failed, or already Terminating, is deleted without a PDB check
//    (canIgnorePDB).
// 2. A pod no PodDisruptionBudget selects is deleted.
// 3. A pod that is not Ready is deleted without touching the budget when the PDB's
//    unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget, the default) when the application
//    is healthy: status.currentHealthy >= status.desiredHealthy > 0.
// 4. Otherwise checkAndDecrement: 429 TooManyRequests while the controller has not observed the PDB's
//    generation or status.disruptionsAllowed is 0; 403 Forbidden for a negative disruptionsAllowed or more
//    than 2,000 unconfirmed evictions in status.disruptedPods; else disruptionsAllowed - 1, the pod added to
//    disruptedPods with the API server's time, the status written, and the pod deleted with the eviction's
//    grace period (default: the pod's own).
// Every refusal is traced (`pod.eviction.refused`, with upstream's status code and cause).
//
// Simplified: a PDB selects exactly one workload's pods, so "more than one PDB" (500) cannot happen; the
// DisruptionTarget condition (reason EvictionByEvictionAPI) that upstream adds before the delete is not
// set (docs/fidelity.md#known-differences).
import type { Pod } from '../../k8s/objects.js';
import { type ApiResult, type ApiStore, fail } from './store.js';

/** MaxDisruptedPodSize (eviction.go): more unconfirmed evictions than this are refused with 403. */
export const MAX_DISRUPTED_POD_SIZE = 2000;

export interface EvictionOptions {
  /** DeleteOptions.gracePeriodSeconds of the eviction; absent: the pod's terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  /** pod.deleted reason in the trace (default `eviction`). */
  reason?: string;
}

/** canIgnorePDB: pods that are not running, or already being deleted, need no budget. */
export function canIgnorePdb(pod: Pod): boolean {
  const phase = pod.status.phase;
  return (
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestampMs !== undefined
  );
}

/** POST pods/<name>/eviction on behalf of `actor`. */
export function evictPod(
  store: ApiStore,
  name: string,
  opts: EvictionOptions,
  actor: string,
): ApiResult<Pod | undefined> {
  const pod = store.pods.get(name);
  if (!pod) return fail('NotFound');
  const del = { gracePeriodSeconds: opts.gracePeriodSeconds, reason: opts.reason ?? 'eviction' };
  // 1., 2.
  if (canIgnorePdb(pod)) return store.deletePod(name, del, actor);
  const pdb = store.pdbByWorkload.get(pod.metadata.workload);
  if (!pdb) return store.deletePod(name, del, actor);
  // 3.
  const st = pdb.status;
  if (!pod.status.ready) {
    if (pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return store.deletePod(name, del, actor);
    if (st.currentHealthy >= st.desiredHealthy && st.desiredHealthy > 0) return store.deletePod(name, del, actor);
  }
  // 4. checkAndDecrement.
  const pdbName = pdb.metadata.name;
  const refuse = (reason: 'TooManyRequests' | 'Forbidden', message: string): ApiResult<never> => {
    store.traceEvictionRefused(pod, pdbName, reason === 'TooManyRequests' ? 429 : 403, message, actor);
    return fail(reason);
  };
  if (st.observedGeneration < pdb.metadata.generation)
    return refuse(
      'TooManyRequests',
      `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${pdbName} is still being processed by the server.`,
    );
  if (st.disruptionsAllowed < 0) return refuse('Forbidden', 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods).length > MAX_DISRUPTED_POD_SIZE)
    return refuse('Forbidden', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (st.disruptionsAllowed === 0)
    return refuse(
      'TooManyRequests',
      `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${pdbName} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`,
    );
  const written = store.updatePdbStatus(
    pdbName,
    pdb.metadata.resourceVersion,
    {
      ...st,
      disruptionsAllowed: st.disruptionsAllowed - 1,
      disruptedPods: { ...st.disruptedPods, [name]: store.nowMs() },
    },
    actor,
  );
  if (!written.ok) return written;
  return store.deletePod(name, del, actor);
}

// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go) driving the one ReplicaSet each
// Deployment owns: hasim has no rollouts, so a Deployment is its ReplicaSet `<name>-<pod-template-hash>`.
//
// Level-based: each reconcile compares the active pods (IsPodActive: not finished, not Terminating)
// with spec.replicas. A Terminating pod therefore no longer counts and its replacement is created as
// soon as the controller observes the deletionTimestamp, while the old pod may linger Terminating on a
// dead node (docs/fidelity.md#replicaset). Creates go in slow-start batches and are guarded by expectations
// (workload-sync.ts). Scale-down picks victims in upstream's getPodsToDelete order (ActivePodsWithRanks):
// unassigned before assigned, Pending before Running, not Ready before Ready, newest first; upstream's
// co-location rank, ready-duration and restart-count tie breakers are left out.
import { podNamePrefix, type WorkloadSpec } from '../../k8s/workloads.js';
import type { Pod } from '../../k8s/objects.js';
import type { ControllerContext } from '../controllermanager/controller.js';
import { newWorkloadPod, podTemplateHash, randomSuffix } from './workload-pods.js';
import { type WorkloadController, type WorkloadPods, WorkloadSync } from './workload-sync.js';

const ACTOR = 'replicaset-controller';

export function replicaSetController(ctx: ControllerContext): WorkloadController {
  const rng = ctx.proc.rng(ACTOR);
  const sync: WorkloadSync = new WorkloadSync(ctx, { kind: 'Deployment', actor: ACTOR, reconcile });

  function reconcile(w: WorkloadSpec, pods: WorkloadPods): void {
    sync.traceDesired(w, w.replicas);
    const diff = pods.active.size - w.replicas;
    if (diff < 0) {
      const hash = podTemplateHash(w.name);
      // The default namespace's name stays the plain template literal it always was: written through
      // podNamePrefix, the 5,000-node scale run peaked ~90 MiB higher (bench/scale-run.ts, peakRssMiB).
      const rsName =
        w.namespace === undefined || w.namespace === 'default' ? `${w.name}-${hash}` : `${podNamePrefix(w)}-${hash}`;
      const extraLabels = { 'pod-template-hash': hash };
      // join() gives a flat string: a template literal would give a rope, slower as a map key everywhere.
      sync.createPods(w, -diff, () => newWorkloadPod(w, { name: [rsName, randomSuffix(rng)].join('-'), extraLabels }));
    } else if (diff > 0) {
      const active = [...pods.active].map((n) => pods.all.get(n)!);
      active.sort(deletionOrder);
      sync.deletePods(w, active.slice(0, Math.min(diff, 500)), 'scale-down');
    }
  }

  return {
    name: ACTOR,
    start: () => sync.start(),
    pdbStatus: (id) => sync.pdbStatus(id),
  };
}

const PHASE_RANK: Record<Pod['status']['phase'], number> = { Pending: 0, Running: 2, Succeeded: 3, Failed: 3 };

/** ActivePodsWithRanks.Less, reduced: the pod to delete first sorts first. */
export function deletionOrder(a: Pod, b: Pod): number {
  const aBound = a.spec.nodeName !== undefined ? 1 : 0;
  const bBound = b.spec.nodeName !== undefined ? 1 : 0;
  if (aBound !== bBound) return aBound - bBound;
  if (a.status.phase !== b.status.phase) return PHASE_RANK[a.status.phase] - PHASE_RANK[b.status.phase];
  if (a.status.ready !== b.status.ready) return a.status.ready ? 1 : -1;
  if (a.metadata.creationTimestampMs !== b.metadata.creationTimestampMs)
    return b.metadata.creationTimestampMs - a.metadata.creationTimestampMs;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

// The StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go) with the default
// podManagementPolicy OrderedReady: pods are `<name>-<ordinal>`; ordinals are created in order, each
// only once every lower ordinal is Running and Ready; a Terminating pod blocks progress; scale-down
// removes the highest ordinal first, one at a time.
//
// The property that matters for failure handling (docs/fidelity.md#statefulset): a pod's replacement has the same
// name, so it cannot be created until the old Pod object is removed from the API server — being
// Terminating is not enough. A pod on a dead node therefore stays until the kubelet returns, the Node is
// deleted (PodGC), the node is marked out-of-service, or someone force-deletes it.
//
// Simplifications: no Parallel policy, no partitions or rolling updates, no PVCs; failed pods are not
// recreated (hasim's pods never fail).
import { podNamePrefix, type WorkloadSpec } from '../../k8s/workloads.js';
import type { Pod } from '../../k8s/objects.js';
import type { ControllerContext } from '../controllermanager/controller.js';
import { newWorkloadPod } from './workload-pods.js';
import { type WorkloadController, type WorkloadPods, WorkloadSync } from './workload-sync.js';

const ACTOR = 'statefulset-controller';

export function statefulSetController(ctx: ControllerContext): WorkloadController {
  const sync: WorkloadSync = new WorkloadSync(ctx, { kind: 'StatefulSet', actor: ACTOR, reconcile });

  function reconcile(w: WorkloadSpec, pods: WorkloadPods): void {
    sync.traceDesired(w, w.replicas);
    const byOrdinal = new Map<number, Pod>();
    for (const p of pods.all.values()) if (p.spec.ordinal !== undefined) byOrdinal.set(p.spec.ordinal, p);
    // 1. Bring up ordinals 0..replicas-1 in order, waiting on any that is missing, Terminating or not Ready.
    for (let ordinal = 0; ordinal < w.replicas; ordinal++) {
      const p = byOrdinal.get(ordinal);
      if (!p) {
        const name = `${podNamePrefix(w)}-${ordinal}`;
        sync.createPods(w, 1, () =>
          newWorkloadPod(w, { name, ordinal, extraLabels: { 'statefulset.kubernetes.io/pod-name': name } }),
        );
        return;
      }
      if (p.metadata.deletionTimestampMs !== undefined) return;
      if (p.status.phase !== 'Running' || !p.status.ready) return;
    }
    // 2. Every wanted ordinal is healthy: remove the highest condemned one, waiting for it to go.
    let highest: Pod | undefined;
    for (const [ordinal, p] of byOrdinal)
      if (ordinal >= w.replicas && (!highest || ordinal > highest.spec.ordinal!)) highest = p;
    if (highest && highest.metadata.deletionTimestampMs === undefined) sync.deletePods(w, [highest], 'scale-down');
  }

  return {
    name: ACTOR,
    start: () => sync.start(),
    pdbStatus: (id) => sync.pdbStatus(id),
  };
}

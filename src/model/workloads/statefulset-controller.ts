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
// Volumes (docs/fidelity.md#volumes): a set with volumeClaimTemplates has one claim per template per
// ordinal (model/volume/volumes.ts), kept across replacements. Once a pod's claim is bound to a zonal
// volume, the controller gives the new pod of that ordinal a required node-affinity term on the volume's
// zone: the feasible nodes upstream's VolumeBinding and VolumeZone scheduler plugins leave it (a bound
// PV's node affinity, pkg/scheduler/framework/plugins/volumebinding/binder.go FindPodVolumes and
// volumezone/volume_zone.go Filter), expressed as what hasim's scheduler already filters on.
//
// Simplifications: no Parallel policy, no partitions or rolling updates; failed pods are not recreated
// (hasim's pods never fail).
import { podNamePrefix, type WorkloadSpec } from '../../k8s/workloads.js';
import type { Pod } from '../../k8s/objects.js';
import type { Affinity, NodeSelectorTerm } from '../../k8s/scheduling.js';
import type { Volumes } from '../volume/volumes.js';
import type { ControllerContext } from '../controllermanager/controller.js';
import { ZONE_LABEL, newWorkloadPod } from './workload-pods.js';
import { type WorkloadController, type WorkloadPods, WorkloadSync } from './workload-sync.js';

const ACTOR = 'statefulset-controller';

export function statefulSetController(ctx: ControllerContext): WorkloadController {
  const sync: WorkloadSync = new WorkloadSync(ctx, { kind: 'StatefulSet', actor: ACTOR, reconcile });
  const volumes = ctx.proc.ctx.volumes;

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
          pinToVolumeZone(
            newWorkloadPod(w, { name, ordinal, extraLabels: { 'statefulset.kubernetes.io/pod-name': name } }),
            volumes,
          ),
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

/**
 * The pod, with a required node-affinity term on its bound volumes' zone ANDed into every term it has
 * (its nodeSelectorTerms are ORed), when its claims are bound. A pod without volumes is returned as it is.
 */
export function pinToVolumeZone(pod: Pod, volumes: Volumes | undefined): Pod {
  if (volumes === undefined) return pod;
  const zone = volumes.zoneOf(pod.metadata.workload, pod.spec.ordinal);
  if (zone === undefined) return pod;
  const requirement = { key: ZONE_LABEL, operator: 'In' as const, values: [zone] };
  const given = pod.spec.affinity;
  const terms: NodeSelectorTerm[] = given?.nodeAffinity?.required?.map((t) => ({
    matchExpressions: [...t.matchExpressions, requirement],
    matchFields: t.matchFields,
  })) ?? [{ matchExpressions: [requirement], matchFields: [] }];
  const affinity: Affinity = {
    ...given,
    nodeAffinity: { required: terms, preferred: given?.nodeAffinity?.preferred ?? [] },
  };
  pod.spec.affinity = affinity;
  return pod;
}

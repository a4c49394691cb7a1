// The storage side of a cluster whose StatefulSets have volumeClaimTemplates: each claim's
// PersistentVolume (a zonal cloud disk), the cloud's record of which VMs each disk is attached to, and each
// node's status.volumesInUse as its kubelet last reported it. Built only for scenarios with volumes
// (cluster.ts), so runs without them do no volume work at all.
//
// Upstream these are API objects and cloud state: PersistentVolumeClaims created by the StatefulSet
// controller (pkg/controller/statefulset/stateful_pod_control.go createPersistentVolumeClaims, one per
// template per ordinal, `<template>-<set>-<ordinal>`, kept when the pod goes under the default retention
// policy whenDeleted/whenScaled Retain), PersistentVolumes created by the external provisioner in the zone
// of the node the scheduler chose (volumeBindingMode WaitForFirstConsumer: the VolumeBinding plugin's
// PreBind writes the selected node, pkg/scheduler/framework/plugins/volumebinding/binder.go), the
// node's status.volumesAttached written by the attach-detach controller's node status updater and
// status.volumesInUse written by the kubelet's node status setter (pkg/kubelet/nodestatus/setters.go
// VolumesInUse, from volumemanager GetVolumesInUse).
//
// Simplified (docs/fidelity.md#volumes): these objects live here rather than in the simulated API server,
// so reading and writing them costs no API round trip and an API-server outage does not hide them; the
// kubelet reports volumesInUse when it starts waiting for a pod's volumes and when it has unmounted them,
// rather than at its next node status update (at most nodeStatusUpdateFrequency, 10 s, later).
import type { RangeMs, VolumeConfig } from '../../k8s/config.js';
import { type VolumeClaimTemplate, type WorkloadSpec, claimName, isSingleNodeVolume } from '../../k8s/workloads.js';

/** Hasim's cloud disk figures: attaching a zonal block disk takes seconds to tens of seconds, detaching a little less. */
export const DEFAULT_ATTACH_TIME_MS: RangeMs = { minMs: 5_000, maxMs: 20_000 };
export const DEFAULT_DETACH_TIME_MS: RangeMs = { minMs: 3_000, maxMs: 15_000 };
/** pkg/controller/volume/attachdetach/attach_detach_controller.go maxWaitForUnmountDuration. */
export const MAX_WAIT_FOR_UNMOUNT_DURATION_MS = 6 * 60_000;

export const DEFAULT_VOLUME_CONFIG: VolumeConfig = {
  attachTimeMs: DEFAULT_ATTACH_TIME_MS,
  detachTimeMs: DEFAULT_DETACH_TIME_MS,
  maxWaitForUnmountDurationMs: MAX_WAIT_FOR_UNMOUNT_DURATION_MS,
};

/** One PersistentVolumeClaim and the disk bound to it. */
export interface Claim {
  name: string;
  /** The StatefulSet's id. */
  workload: string;
  ordinal: number;
  /** ReadWriteOnce or ReadWriteOncePod: attached to one node at a time. */
  singleNode: boolean;
  /** The bound PersistentVolume's zone (its node affinity); undefined until the first pod is scheduled. */
  zone: string | undefined;
  /** The nodes the disk is attached to, as the cloud (and the nodes' status.volumesAttached) says. */
  attachedTo: string[];
}

/**
 * The claim templates of a StatefulSet whose volumes are attached: ReadWriteOnce and ReadWriteOncePod
 * (zonal block disks). ReadWriteMany and ReadOnlyMany claims stand for shared file systems (NFS, EFS,
 * Filestore) that are mounted without an attach and have no zone: they change nothing hasim models.
 */
export function attachedTemplates(w: WorkloadSpec): VolumeClaimTemplate[] {
  if (w.kind !== 'StatefulSet' || w.volumeClaimTemplates === undefined) return [];
  return w.volumeClaimTemplates.filter(isSingleNodeVolume);
}

export class Volumes {
  /** Claims by name, created in workload and ordinal order as pods need them. */
  readonly claims = new Map<string, Claim>();
  /** Each node's status.volumesInUse (claim names) as its kubelet last reported it. */
  private readonly inUse = new Map<string, Set<string>>();
  /** Claim templates by StatefulSet id (only the workloads that have some). */
  private readonly templates = new Map<string, { setName: string; singleNode: boolean[]; names: string[] }>();

  constructor(
    workloads: readonly WorkloadSpec[],
    readonly config: VolumeConfig,
  ) {
    for (const w of workloads) {
      const t = attachedTemplates(w);
      if (t.length === 0) continue;
      this.templates.set(w.id, {
        setName: w.name,
        names: t.map((x) => x.name),
        singleNode: t.map(() => true),
      });
    }
  }

  /** Whether any workload has volumes to attach (otherwise the cluster builds no Volumes at all). */
  static needed(workloads: readonly WorkloadSpec[]): boolean {
    return workloads.some((w) => attachedTemplates(w).length > 0);
  }

  /** Whether pods of the workload use claims. */
  hasClaims(workload: string): boolean {
    return this.templates.has(workload);
  }

  /**
   * The claims of the StatefulSet pod `ordinal` of `workload`, created on first use (the StatefulSet
   * controller creates missing claims before the pod). Empty for pods without volumes.
   */
  claimsOf(workload: string, ordinal: number | undefined): Claim[] {
    const t = this.templates.get(workload);
    if (t === undefined || ordinal === undefined) return [];
    const out: Claim[] = [];
    for (let i = 0; i < t.names.length; i++) {
      const name = claimName(t.names[i], t.setName, ordinal);
      let c = this.claims.get(name);
      if (c === undefined) {
        c = { name, workload, ordinal, singleNode: t.singleNode[i], zone: undefined, attachedTo: [] };
        this.claims.set(name, c);
      }
      out.push(c);
    }
    return out;
  }

  /** The zone the pod's bound volumes pin it to, if any is bound. */
  zoneOf(workload: string, ordinal: number | undefined): string | undefined {
    for (const c of this.claimsOf(workload, ordinal)) if (c.zone !== undefined) return c.zone;
    return undefined;
  }

  isAttached(claim: Claim, node: string): boolean {
    return claim.attachedTo.includes(node);
  }

  // ---- node status.volumesInUse, written by the kubelet ----

  /** The kubelet reports the claims in use on its node (it wants them mounted for a pod). */
  reportInUse(node: string, claims: readonly Claim[]): void {
    if (claims.length === 0) return;
    let set = this.inUse.get(node);
    if (set === undefined) this.inUse.set(node, (set = new Set()));
    for (const c of claims) set.add(c.name);
  }

  /** The kubelet has unmounted the claims (the pod's containers stopped) and reports them no longer in use. */
  reportUnmounted(node: string, claims: readonly Claim[]): void {
    const set = this.inUse.get(node);
    if (set === undefined) return;
    for (const c of claims) set.delete(c.name);
  }

  /** A booted kubelet reports what it has mounted: nothing, as a reboot leaves no mounts. */
  nodeBooted(node: string): void {
    this.inUse.delete(node);
  }

  /** Whether the node's status.volumesInUse lists the claim (attachedVolume.MountedByNode upstream). */
  mountedByNode(claim: Claim, node: string): boolean {
    return this.inUse.get(node)?.has(claim.name) ?? false;
  }

  // ---- the cloud's attachments ----

  attached(claim: Claim, node: string): void {
    if (!claim.attachedTo.includes(node)) claim.attachedTo.push(node);
  }

  detached(claim: Claim, node: string): void {
    const i = claim.attachedTo.indexOf(node);
    if (i >= 0) claim.attachedTo.splice(i, 1);
  }
}

// PodDisruptionBudget accounting as pkg/controller/disruption/disruption.go computes the status
// (getExpectedPodCount, countHealthyPods, updatePdbStatus): currentHealthy, desiredHealthy,
// expectedPods and disruptionsAllowed. The disruption controller (src/model/disruption) writes it to the
// PDB's status, which the Eviction API (src/model/apiserver/eviction.ts) consults; taint-based eviction
// and PodGC delete pods directly and never go through the Eviction API, as upstream.
//
// Simplifications: the scale of the owning controller is the workload's desired count (DaemonSets:
// eligible nodes); percentages round up (GetScaledValueFromIntOrPercent(..., roundUp=true)), as upstream.
import type { Count } from '../../k8s/config.js';
import type { WorkloadSpec } from '../../k8s/workloads.js';

export interface PdbStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

function scaled(c: Count, total: number): number {
  return c.percent ? Math.ceil((c.value * total) / 100) : c.value;
}

/**
 * The status a PDB over workload `w` would have, given the workload's pods and its desired count.
 * Undefined when the workload has no podDisruptionBudget.
 */
/** What countHealthyPods reads of a pod (a Pod is one). */
export interface PdbPod {
  metadata: { name: string; deletionTimestampMs?: number };
  status: { ready: boolean };
}

export function pdbStatus(
  w: WorkloadSpec,
  pods: Iterable<PdbPod>,
  desired: number,
  /** Pods in status.disruptedPods whose deletion is still expected: not counted healthy (countHealthyPods). */
  disrupted?: (podName: string) => boolean,
): PdbStatus | undefined {
  const pdb = w.podDisruptionBudget;
  if (!pdb) return undefined;
  let podCount = 0;
  let currentHealthy = 0;
  for (const p of pods) {
    podCount++;
    // countHealthyPods: not being deleted, not just evicted, and Ready.
    if (p.metadata.deletionTimestampMs !== undefined) continue;
    if (disrupted !== undefined && disrupted(p.metadata.name)) continue;
    if (p.status.ready) currentHealthy++;
  }
  let expectedPods: number;
  let desiredHealthy: number;
  if (pdb.maxUnavailable) {
    expectedPods = desired;
    desiredHealthy = Math.max(0, expectedPods - scaled(pdb.maxUnavailable, expectedPods));
  } else if (pdb.minAvailable && !pdb.minAvailable.percent) {
    // An integer minAvailable needs no controller scale: upstream counts the pods it selects.
    expectedPods = podCount;
    desiredHealthy = pdb.minAvailable.value;
  } else {
    expectedPods = desired;
    desiredHealthy = pdb.minAvailable ? scaled(pdb.minAvailable, expectedPods) : 0;
  }
  return {
    expectedPods,
    currentHealthy,
    desiredHealthy,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
  };
}

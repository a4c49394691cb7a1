// Pod templates and naming for the workload controllers, and the taint/toleration matching they share
// with the scheduler.
//
// Fidelity notes:
// - Deployment pods are named `<deployment>-<pod-template-hash>-<5 chars>` as upstream (the ReplicaSet is
//   `<deployment>-<hash>`, pods get generateName `<rs>-`). The hash is 10 characters from upstream's
//   "safe" alphabet (k8s.io/apimachinery/pkg/util/rand SafeEncodeString), computed from the workload name
//   because hasim has no pod template to hash and no rollouts. The 5-char suffix comes from a seeded stream.
// - StatefulSet pods are `<name>-<ordinal>` (pkg/controller/statefulset/stateful_set_utils.go).
// - DaemonSet pods get the tolerations of pkg/controller/daemon/util/daemonset_util.go
//   AddOrUpdateDaemonPodTolerations (docs/fidelity.md#daemonset-tolerations): not-ready/unreachable NoExecute without
//   tolerationSeconds and NoSchedule for disk-pressure, memory-pressure, pid-pressure, unschedulable.
// - Toleration matching is core/v1 Toleration.ToleratesTaint (k8s.io/api/core/v1/toleration.go).
import type { Rng } from '../../engine/index.js';
import type { Toleration } from '../../k8s/objects.js';
import type { WorkloadSpec } from '../../k8s/workloads.js';
import { type Node, type Pod, TAINT_NOT_READY, TAINT_UNREACHABLE, podStatus } from '../../k8s/objects.js';
import { stableIndex } from '../apiserver/api-server.js';

/** k8s.io/apimachinery/pkg/util/rand: consonants and digits that cannot spell words. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(rng: Rng, length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += SAFE_ALPHABET[Math.floor(rng.next() * SAFE_ALPHABET.length)];
  return s;
}

/** A stable 10-character pod-template-hash for a Deployment (one ReplicaSet per Deployment). */
export function podTemplateHash(workloadName: string): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += SAFE_ALPHABET[stableIndex(`${workloadName}#${i}`, SAFE_ALPHABET.length)];
  return s;
}

/** Tolerations the DaemonSet controller adds to every daemon pod (docs/fidelity.md#daemonset-tolerations). */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = [
  { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
  { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Upstream's tolerations for a daemon pod: the user's, plus each daemon toleration whose key is not yet tolerated. */
export function daemonPodTolerations(user: readonly Toleration[]): Toleration[] {
  const out = [...user];
  for (const t of DAEMON_POD_TOLERATIONS) {
    if (!out.some((u) => u.key === t.key && u.effect === t.effect)) out.push(t);
  }
  return out;
}

export interface PodTemplateOptions {
  name: string;
  nodeName?: string;
  ordinal?: number;
  extraLabels?: Record<string, string>;
}

/** A new Pod object for workload `w` (metadata the API server assigns is left zero). */
export function newWorkloadPod(w: WorkloadSpec, opts: PodTemplateOptions): Pod {
  const tolerations = w.kind === 'DaemonSet' ? daemonPodTolerations(w.tolerations) : [...w.tolerations];
  return {
    kind: 'Pod',
    metadata: {
      name: opts.name,
      uid: 0,
      resourceVersion: 0,
      creationTimestampMs: 0,
      labels: { app: w.name, ...opts.extraLabels },
      workload: w.id,
      // The key order of podMeta (objects.ts).
      deletionTimestampMs: undefined,
      deletionGracePeriodSeconds: undefined,
    },
    // The key order of podSpec and podStatus (objects.ts).
    spec: {
      nodeName: opts.nodeName,
      tolerations,
      nodeSelector: { ...w.nodeSelector },
      requests: { ...w.requests },
      terminationGracePeriodSeconds: Math.round(w.terminationGracePeriodMs / 1000),
      spreadAcrossZones: w.spreadAcrossZones,
      ordinal: opts.ordinal,
    },
    status: podStatus('Pending', false, undefined, undefined),
  };
}

/** Every key of the selector has the same value among the labels. */
export function matchesNodeSelector(node: Node, selector: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (node.metadata.labels[k] !== selector[k]) return false;
  return true;
}

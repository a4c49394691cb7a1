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
// - The scheduling fields of a pod (labels, affinity, topologySpreadConstraints, priority,
//   preemptionPolicy) are its workload's `scheduling`; without one, labels app=<name> and nothing else.
//   The scenario shorthand `spreadAcrossZones: true` is the constraint {topologyKey:
//   topology.kubernetes.io/zone, maxSkew: 1, whenUnsatisfiable: DoNotSchedule, labelSelector: the pod
//   labels}, added unless the workload already has a constraint on that key. Every pod of a workload
//   shares these objects (one copy per workload, not per pod).
import type { Rng } from '../../engine/index.js';
import type { Toleration } from '../../k8s/objects.js';
import type { WorkloadSpec } from '../../k8s/workloads.js';
import type { PodScheduling, TopologySpreadConstraint } from '../../k8s/scheduling.js';
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

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The scheduling fields a workload's pods get: its `scheduling`, or app=<name> and nothing else. */
export function workloadScheduling(w: WorkloadSpec): PodScheduling {
  let s = resolved.get(w);
  if (s !== undefined) return s;
  const given = w.scheduling;
  const labels = given?.labels ?? { app: w.name };
  const constraints: TopologySpreadConstraint[] = [...(given?.topologySpreadConstraints ?? [])];
  if (w.spreadAcrossZones && !constraints.some((c) => c.topologyKey === ZONE_LABEL))
    constraints.push({
      maxSkew: 1,
      topologyKey: ZONE_LABEL,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { ...labels }, matchExpressions: [] },
      matchLabelKeys: [],
    });
  s = {
    labels,
    affinity: given?.affinity,
    topologySpreadConstraints: constraints,
    priorityClassName: given?.priorityClassName,
    priority: given?.priority ?? 0,
    preemptionPolicy: given?.preemptionPolicy ?? 'PreemptLowerPriority',
    schedulerName: given?.schedulerName,
  };
  resolved.set(w, s);
  return s;
}

const resolved = new WeakMap<WorkloadSpec, PodScheduling>();

/** A new Pod object for workload `w` (metadata the API server assigns is left zero). */
export function newWorkloadPod(w: WorkloadSpec, opts: PodTemplateOptions): Pod {
  const tolerations = w.kind === 'DaemonSet' ? daemonPodTolerations(w.tolerations) : [...w.tolerations];
  const sched = workloadScheduling(w);
  return {
    kind: 'Pod',
    metadata: {
      name: opts.name,
      uid: 0,
      resourceVersion: 0,
      creationTimestampMs: 0,
      labels: opts.extraLabels ? { ...sched.labels, ...opts.extraLabels } : sched.labels,
      namespace: w.namespace ?? 'default',
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
      affinity: sched.affinity,
      topologySpreadConstraints: sched.topologySpreadConstraints,
      priority: sched.priority,
      preemptionPolicy: sched.preemptionPolicy,
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

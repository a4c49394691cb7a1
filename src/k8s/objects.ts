// The Kubernetes objects hasim models, reduced to the fields failure handling reads. Names and
// vocabulary follow upstream (k8s.io/api core/v1, coordination/v1) so readers can grep upstream.
// Objects are immutable snapshots: the API server replaces them on every write and informers hand the
// same frozen-by-convention object to every reader. Never mutate one; build a new one.
// Timestamps are milliseconds on the *writer's* local clock, as in a real cluster.
import type { PdbSpec } from './workloads.js';
import type { Affinity, PreemptionPolicy, TopologySpreadConstraint } from './scheduling.js';
import type { Endpoint } from './services.js';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Toleration {
  key?: string;
  operator: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect;
  /** Absent: tolerate forever. */
  tolerationSeconds?: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ObjectMeta {
  name: string;
  /** Unique per object incarnation: a StatefulSet pod re-created with the same name gets a new uid. */
  uid: number;
  resourceVersion: number;
  creationTimestampMs: number;
  labels: Readonly<Record<string, string>>;
}

export type NodeConditionType = 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable';

export interface NodeCondition {
  type: NodeConditionType;
  status: ConditionStatus;
  lastHeartbeatTimeMs: number;
  lastTransitionTimeMs: number;
  reason: string;
  message: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAddedMs?: number;
}

export interface Node {
  kind: 'Node';
  metadata: ObjectMeta;
  spec: { taints: readonly Taint[]; unschedulable: boolean };
  status: {
    conditions: readonly NodeCondition[];
    capacity: { cpuMilli: number; memoryBytes: number; pods: number };
  };
}

export interface Lease {
  kind: 'Lease';
  metadata: ObjectMeta & { namespace: 'kube-node-lease' | 'kube-system' };
  spec: {
    holderIdentity: string;
    leaseDurationSeconds: number;
    acquireTimeMs: number;
    renewTimeMs: number;
    leaseTransitions: number;
  };
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface Pod {
  kind: 'Pod';
  metadata: ObjectMeta & {
    /** metadata.namespace ("default" unless the workload says). */
    namespace: string;
    /** "Kind/name" of the owning workload. */
    workload: string;
    /** Set by DELETE: the pod is Terminating. */
    deletionTimestampMs?: number;
    deletionGracePeriodSeconds?: number;
    /**
     * hasim's own mark, not an API field: one of a run's initial pods, which stand for pods that existed
     * before t = 0, so their creation and bind take no client token (docs/fidelity.md#client-rate-limits).
     */
    preexisting?: true;
  };
  spec: {
    nodeName?: string;
    tolerations: readonly Toleration[];
    nodeSelector: Readonly<Record<string, string>>;
    requests: { cpuMilli: number; memoryBytes: number };
    terminationGracePeriodSeconds: number;
    /** spec.affinity (node affinity, pod affinity and anti-affinity); undefined when the pod has none. */
    affinity: Affinity | undefined;
    /** spec.topologySpreadConstraints as written (a scenario's spreadAcrossZones is one of them). */
    topologySpreadConstraints: readonly TopologySpreadConstraint[];
    /** spec.priority, resolved at admission from the priority class (0 without one). */
    priority: number;
    preemptionPolicy: PreemptionPolicy;
    /** StatefulSet pods are named and never replaced while the old object exists. */
    ordinal?: number;
  };
  status: {
    phase: PodPhase;
    /** The Ready condition. */
    ready: boolean;
    /** DisruptionTarget=True, set by taint eviction (DeletionByTaintManager) or preemption (PreemptionByScheduler) before the delete. */
    disruptionTarget?: string;
    /**
     * status.nominatedNodeName: the node a pending pod preempted pods on and waits for (set by the
     * scheduler; only pending pods have it, so podStatus, which builds the statuses of bound pods, leaves it out).
     */
    nominatedNodeName?: string;
    startTimeMs?: number;
    /** Why a pod is Failed (e.g. Terminated by a graceful node shutdown), and the kubelet's message. */
    reason?: string;
    message?: string;
  };
}

/**
 * A policy/v1 PodDisruptionBudget. hasim's PDBs each select exactly one workload's pods, so the selector
 * is the workload's id. Not watched by anyone (no informer holds them): the disruption controller reads
 * the pods and writes the status; the Eviction API reads and writes both at the API server.
 */
export interface PodDisruptionBudget {
  kind: 'PodDisruptionBudget';
  metadata: { name: string; generation: number; resourceVersion: number };
  spec: PdbSpec & { workload: string };
  status: PdbStatusFields;
}

/** PodDisruptionBudgetStatus (k8s.io/api/policy/v1). */
export interface PdbStatusFields {
  observedGeneration: number;
  /** Pod name -> when the Eviction API let it go (ms on the API server's clock); the controller prunes it. */
  disruptedPods: Readonly<Record<string, number>>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
}

/**
 * discovery.k8s.io/v1 EndpointSlice: up to 100 endpoints of one Service (label kubernetes.io/service-name,
 * here metadata.service). Written by the EndpointSlice controller, watched by every node's kube-proxy.
 */
export interface EndpointSlice {
  kind: 'EndpointSlice';
  metadata: ObjectMeta & { service: string };
  endpoints: readonly Endpoint[];
}

export type ApiObject = Node | Lease | Pod | EndpointSlice;
export type Kind = ApiObject['kind'];

// Every Pod metadata, spec and status is built by these three, with the same keys in the same order (an absent
// optional field is present as undefined). A spread that adds a key ({ ...spec, nodeName }) takes V8's
// slow path and gave each pod's spec and status a hidden class of its own: 90,000 shapes at 1,500
// nodes, and every piece of code reading pod fields slowed by megamorphic property lookups.

/** A Pod spec like `s`, bound to `nodeName`, with `tolerations`. */
export function podSpec(
  s: Pod['spec'],
  nodeName: string | undefined = s.nodeName,
  tolerations: readonly Toleration[] = s.tolerations,
): Pod['spec'] {
  return {
    nodeName,
    tolerations,
    nodeSelector: s.nodeSelector,
    requests: s.requests,
    terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
    affinity: s.affinity,
    topologySpreadConstraints: s.topologySpreadConstraints,
    priority: s.priority,
    preemptionPolicy: s.preemptionPolicy,
    ordinal: s.ordinal,
  };
}

/**
 * Pod metadata like `m`, with the fields the API server assigns (uid, resourceVersion, creation time) and
 * the deletion fields given: every pod's metadata has these keys in this order.
 */
export function podMeta(
  m: Pod['metadata'],
  uid: number,
  resourceVersion: number,
  creationTimestampMs: number,
  deletionTimestampMs: number | undefined = m.deletionTimestampMs,
  deletionGracePeriodSeconds: number | undefined = m.deletionGracePeriodSeconds,
): Pod['metadata'] {
  return {
    name: m.name,
    uid,
    resourceVersion,
    creationTimestampMs,
    labels: m.labels,
    namespace: m.namespace,
    workload: m.workload,
    deletionTimestampMs,
    deletionGracePeriodSeconds,
    preexisting: m.preexisting,
  };
}

/** A Pod status. */
export function podStatus(
  phase: PodPhase,
  ready: boolean,
  disruptionTarget: string | undefined,
  startTimeMs: number | undefined,
): Pod['status'] {
  return { phase, ready, disruptionTarget, startTimeMs };
}

export function readyCondition(node: Node): NodeCondition | undefined {
  const conditions = node.status.conditions;
  for (let i = 0; i < conditions.length; i++) if (conditions[i].type === 'Ready') return conditions[i];
  return undefined;
}

/** IsPodActive (pkg/controller/controller_utils.go): not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return (
    pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed' && pod.metadata.deletionTimestampMs === undefined
  );
}

export function leaseKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function zoneOf(node: Node): string {
  return node.metadata.labels['topology.kubernetes.io/zone'] ?? '';
}

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

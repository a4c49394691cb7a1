// Hand-made scenarios and objects for the node-chain tests (kubelet, node lifecycle controller, taint
// eviction). Scenarios are built directly as validated data (src/scenario/types.ts), with one
// controller-manager replica.
import type { Lease, Node, NodeCondition, Pod } from '../../../src/k8s/objects.js';
import type { NodeSpec, Scenario, Toleration, WorkloadSpec } from '../../../src/scenario/types.js';
import { defaultKubernetesConfig } from '../../../src/scenario/defaults.js';

export interface ScenarioOptions {
  version?: string;
  zones?: Record<string, number>;
  seed?: number;
  durationMs?: number;
  evictionMode?: 'taint' | 'legacy';
  workloads?: WorkloadSpec[];
}

export function nodeSpecs(zones: Record<string, number>): NodeSpec[] {
  const out: NodeSpec[] = [];
  for (const [zone, count] of Object.entries(zones)) {
    const letter = zone.slice(-1);
    for (let i = 0; i < count; i++) {
      const name = `worker-${letter}-${i}`;
      out.push({
        name,
        zone,
        labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name },
        capacity: { cpuMilli: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 },
      });
    }
  }
  return out;
}

export function scenario(opts: ScenarioOptions = {}): Scenario {
  const version = opts.version ?? '1.31';
  const zones = opts.zones ?? { 'zone-a': 3, 'zone-b': 3, 'zone-c': 3 };
  return {
    metadata: { name: 'node-chain' },
    spec: {
      seed: opts.seed ?? 1,
      durationMs: opts.durationMs ?? 3_600_000,
      kubernetes: {
        ...defaultKubernetesConfig(version),
        controllerManager: {
          ...defaultKubernetesConfig(version).controllerManager,
          evictionMode: opts.evictionMode ?? 'taint',
        },
      },
      controlPlane: { zones: ['zone-cp'] },
      nodes: nodeSpecs(zones),
      workloads: opts.workloads ?? [],
      faults: [],
      slos: [],
    },
  };
}

// ---- objects for unit tests ----

export function cond(
  type: NodeCondition['type'],
  status: NodeCondition['status'],
  heartbeatMs: number,
  transitionMs = heartbeatMs,
): NodeCondition {
  return {
    type,
    status,
    lastHeartbeatTimeMs: heartbeatMs,
    lastTransitionTimeMs: transitionMs,
    reason: '',
    message: '',
  };
}

let uid = 1000;
export function node(
  name: string,
  opts: {
    created?: number;
    conditions?: NodeCondition[];
    zone?: string;
    region?: string;
    labels?: Record<string, string>;
  } = {},
): Node {
  const labels: Record<string, string> = { ...(opts.labels ?? {}) };
  if (opts.zone !== undefined) labels['topology.kubernetes.io/zone'] = opts.zone;
  if (opts.region !== undefined) labels['topology.kubernetes.io/region'] = opts.region;
  return {
    kind: 'Node',
    metadata: { name, uid: ++uid, resourceVersion: 1, creationTimestampMs: opts.created ?? 0, labels },
    spec: { taints: [], unschedulable: false },
    status: { conditions: opts.conditions ?? [], capacity: { cpuMilli: 4000, memoryBytes: 2 ** 34, pods: 110 } },
  };
}

export function lease(nodeName: string, renewTimeMs: number): Lease {
  return {
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      uid: ++uid,
      resourceVersion: 1,
      creationTimestampMs: 0,
      labels: {},
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, acquireTimeMs: 0, renewTimeMs, leaseTransitions: 0 },
  };
}

export function pod(
  name: string,
  nodeName: string | undefined,
  opts: { tolerations?: Toleration[]; ready?: boolean; workload?: string } = {},
): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name,
      uid: ++uid,
      resourceVersion: 1,
      creationTimestampMs: 0,
      labels: {},
      namespace: 'default',
      workload: opts.workload ?? 'Deployment/web',
    },
    spec: {
      nodeName,
      tolerations: opts.tolerations ?? [],
      nodeSelector: {},
      requests: { cpuMilli: 100, memoryBytes: 2 ** 27 },
      terminationGracePeriodSeconds: 30,
      affinity: undefined,
      topologySpreadConstraints: [],
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: { phase: 'Running', ready: opts.ready ?? true },
  };
}

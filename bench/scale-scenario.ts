// The scale benchmark's scenario, built in code so its size can vary: nodes spread over three zones,
// 30 Deployments (or as many as asked) sharing the pods, zone-a powered off from 10 to 25 minutes of a 1-hour run.
// `placement` says how the Deployments ask to be spread: `zones` (spreadAcrossZones: a DoNotSchedule zone
// constraint, the default), `defaults` (no constraints: the scheduler's system default spreading scores
// every pod), `anti-affinity` (no two pods of a Deployment on one node: required pod anti-affinity on
// kubernetes.io/hostname, and the system default spreading). `services`: a Service with traffic on every
// Deployment. `probes`: readiness (every 5 s) and liveness (every 10 s) probes on every Deployment.
// `autoscaler`: a cloud-controller-manager and a cluster autoscaler with a node group per zone
// (minSize the zone's nodes, maxSize 10% more); the zone outage's Pending replicas then make it scale up.
import { defaultKubernetesConfig, DEFAULT_CLOUD_NODE_MONITOR_PERIOD_MS } from '../src/scenario/defaults.js';
import { AUTOSCALER_DEFAULTS } from '../src/model/autoscaler/options.js';
import type { Scenario, WorkloadSpec } from '../src/scenario/types.js';

export type ScalePlacement = 'zones' | 'defaults' | 'anti-affinity';

/** Pods labelled app=<name> that must not share a node with another of their kind. */
function antiAffinity(name: string): NonNullable<WorkloadSpec['scheduling']> {
  const labels = { app: name };
  return {
    labels,
    affinity: {
      podAntiAffinity: {
        required: [
          {
            labelSelector: { matchLabels: labels, matchExpressions: [] },
            namespaces: [],
            topologyKey: 'kubernetes.io/hostname',
            matchLabelKeys: [],
            mismatchLabelKeys: [],
          },
        ],
        preferred: [],
      },
    },
    topologySpreadConstraints: [],
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

export function scaleScenario(
  nodeCount: number,
  podCount: number,
  deployments = 30,
  placement: ScalePlacement = 'zones',
  services = false,
  probes = false,
  /** A node-pool upgrade of zone-b's nodes (maxSurge 10%) at 30 minutes, after zone-a is back. */
  upgrade = false,
  autoscaler = false,
): Scenario {
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  const perZone = Math.ceil(nodeCount / zones.length);
  const nodes = scaleNodes(zones, nodeCount, perZone);
  const workloads = scaleWorkloads(podCount, deployments, placement, probes);
  const k8s = defaultKubernetesConfig('1.31');
  return {
    metadata: { name: `scale-${nodeCount}` },
    spec: {
      seed: 1,
      durationMs: 3_600_000,
      kubernetes: {
        ...k8s,
        controllerManager: { ...k8s.controllerManager, replicas: 3 },
        scheduler: { ...k8s.scheduler, replicas: 2 },
        apiServer: { ...k8s.apiServer, replicas: 3 },
        etcd: { members: 3 },
        ...(autoscaler
          ? {
              cloudControllerManager: {
                replicas: 3,
                nodeMonitorPeriodMs: DEFAULT_CLOUD_NODE_MONITOR_PERIOD_MS,
                leaderElection: k8s.controllerManager.leaderElection,
              },
            }
          : {}),
      },
      controlPlane: { zones },
      nodes,
      workloads,
      ...(autoscaler
        ? { autoscaler: scaleAutoscaler(zones, nodes, perZone, k8s.controllerManager.leaderElection) }
        : {}),
      // With services: a ClusterIP Service on every Deployment, 100 requests/s from every node.
      ...(services ? { services: scaleServices(workloads) } : {}),
      faults: scaleFaults(upgrade),
      slos: scaleSlos(upgrade),
    },
  };
}

type ScaleSpec = Scenario['spec'];

/** `perZone` nodes in each zone (the last zone may have fewer), 64 CPUs, 256 GiB and 110 pods each. */
function scaleNodes(zones: string[], nodeCount: number, perZone: number): ScaleSpec['nodes'] {
  return zones
    .flatMap((zone) =>
      Array.from({ length: perZone }, (_, i) => ({
        name: `worker-${zone.slice(-1)}-${i}`,
        zone,
        labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': `worker-${zone.slice(-1)}-${i}` },
        capacity: { cpuMilli: 64_000, memoryBytes: 256 * 2 ** 30, pods: 110 },
      })),
    )
    .slice(0, nodeCount);
}

/** The Deployments svc-0, svc-1, ... sharing the pods, placed as `placement` says. */
function scaleWorkloads(
  podCount: number,
  deployments: number,
  placement: ScalePlacement,
  probes: boolean,
): WorkloadSpec[] {
  return Array.from({ length: deployments }, (_, i) => ({
    kind: 'Deployment',
    name: `svc-${i}`,
    id: `Deployment/svc-${i}`,
    replicas: Math.floor(podCount / deployments),
    requests: { cpuMilli: 100, memoryBytes: 128 * 2 ** 20 },
    tolerations: [],
    nodeSelector: {},
    spreadAcrossZones: placement === 'zones',
    ...(placement === 'anti-affinity' ? { scheduling: antiAffinity(`svc-${i}`) } : {}),
    startup: { imagePull: { minMs: 1000, maxMs: 5000 }, ready: { minMs: 2000, maxMs: 2000 } },
    terminationGracePeriodMs: 30_000,
    // With probes: a readiness probe every 5 s and a liveness probe every 10 s (core/v1 Probe defaults otherwise).
    ...(probes ? { probes: scaleProbes() } : {}),
    origin: `bench workload ${i}`,
  }));
}

/** A readiness probe every 5 s and a liveness probe every 10 s (core/v1 Probe defaults otherwise). */
function scaleProbes(): NonNullable<WorkloadSpec['probes']> {
  return {
    readiness: { initialDelayMs: 0, periodMs: 5_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
    liveness: { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
  };
}

/** A cluster autoscaler with a node group per zone: minSize the zone's nodes, maxSize 10% more. */
function scaleAutoscaler(
  zones: string[],
  nodes: ScaleSpec['nodes'],
  perZone: number,
  leaderElection: NonNullable<ScaleSpec['autoscaler']>['leaderElection'],
): NonNullable<ScaleSpec['autoscaler']> {
  return {
    ...AUTOSCALER_DEFAULTS,
    replicas: 1,
    leaderElection,
    nodeGroups: zones.map((zone) => {
      const own = nodes.filter((n) => n.zone === zone);
      return {
        name: `pool-${zone.slice(-1)}`,
        zone,
        minSize: own.length,
        maxSize: Math.ceil(own.length * 1.1),
        template: own[0],
        initialNodes: own.map((n) => n.name),
        namePrefix: `worker-${zone.slice(-1)}-`,
        firstIndex: perZone,
      };
    }),
  };
}

/** A ClusterIP Service on every Deployment, 100 requests/s from every node. */
function scaleServices(workloads: WorkloadSpec[]): NonNullable<ScaleSpec['services']> {
  return workloads.map((w) => ({
    name: w.name,
    namespace: 'default',
    type: 'ClusterIP' as const,
    port: 80,
    workloads: [w.id],
    internalTrafficPolicy: 'Cluster' as const,
    externalTrafficPolicy: 'Cluster' as const,
    traffic: { ratePerSecond: 100, clients: { kind: 'nodes' as const }, timeoutMs: 1_000 },
    origin: `bench service ${w.name}`,
  }));
}

/** zone-a powered off from 10 to 25 minutes; with `upgrade`, zone-b's node pool upgraded at 30 minutes. */
function scaleFaults(upgrade: boolean): ScaleSpec['faults'] {
  return [
    { name: 'zone-a-down', type: 'zone-outage', atMs: 600_000, durationMs: 900_000, target: { zone: 'zone-a' } },
    ...(upgrade
      ? [
          {
            name: 'zone-b-upgrade',
            type: 'node-pool-upgrade' as const,
            atMs: 1_800_000,
            target: { zone: 'zone-b' },
            maxSurge: { value: 10, percent: true },
            maxUnavailable: { value: 0, percent: false },
          },
        ]
      : []),
  ];
}

/** svc-0 back within 20 minutes of the outage; with `upgrade`, the upgrade done within 30 minutes. */
function scaleSlos(upgrade: boolean): ScaleSpec['slos'] {
  return [
    {
      name: 'svc-0 recovers',
      type: 'recovery-time',
      workload: 'Deployment/svc-0',
      after: 'zone-a-down',
      maxMs: 1_200_000,
    },
    ...(upgrade
      ? [{ name: 'zone-b upgraded', type: 'upgrade-time' as const, after: 'zone-b-upgrade', maxMs: 1_800_000 }]
      : []),
  ];
}

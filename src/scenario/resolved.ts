// The scenario as it was run, written back as a scenario file (`scenario.resolved.yaml` beside every
// run's reports): every default filled in from the version profile, every --set applied, the manifests
// that followed the Scenario folded into spec.workloads (those with a namespace or scheduling fields the
// shorthand cannot say are written back as Kubernetes documents after the Scenario, with the
// PodDisruptionBudgets and PriorityClasses they need; v1 Service manifests are written back as Services,
// with their spec.traffic entries), and spec.seed set to the seed of the run. So a
// report shared in a postmortem says which grace period or eviction rate produced it, and
// `hasim run scenario.resolved.yaml` replays the run byte for byte (with the same version of hasim).
//
// It is the inverse of the loader: parsing the text gives back the same Scenario (a test checks this
// for every file in scenarios/), apart from `origin`, which only says where a workload was written.
import { stringify } from 'yaml';
import type {
  Count,
  FaultSpec,
  LeaderElectionConfig,
  NodeSpec,
  RangeMs,
  Scenario,
  SloSpec,
  Target,
  Toleration,
  WorkloadSpec,
} from './types.js';
import { formatDuration } from './units.js';
import { minorVersion } from './defaults.js';
import { SYSTEM_PRIORITY_CLASSES, type Affinity, type PodScheduling } from '../k8s/scheduling.js';
import { isMetered, type ServiceSpec, type TrafficSpec } from '../k8s/services.js';

/** Labels the loader adds to every node; written back, they would be the user's own. */
const ADDED_NODE_LABELS = ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'];

export interface ResolvedHeader {
  /** The hasim version that ran it. */
  hasimVersion: string;
  /** The scenario file as the user named it (absent: the built-in demo). */
  file?: string;
  /** The --set flags applied, in order. */
  sets?: readonly string[];
}

export function resolvedScenarioYaml(scenario: Scenario, seed: number, header: ResolvedHeader): string {
  const doc = resolvedScenarioDocument(scenario, seed);
  const from = header.file ?? 'the built-in demo scenario';
  const lines = [
    `# The scenario as hasim ${header.hasimVersion} ran it, resolved from ${from}`,
    ...(header.sets?.length
      ? [`# with ${header.sets.map((s) => `--set '${s.replace(/'/g, `'\\''`)}'`).join(' ')}`]
      : []),
    '# and seed ' + seed + ': every default is written out and spec.seed is the seed of the run, so',
    '#   hasim run scenario.resolved.yaml',
    '# replays the same run, event for event, with the same version of hasim.',
  ];
  const manifests = resolvedManifests(scenario).map((m) => `---\n${stringify(m, { lineWidth: 0 })}`);
  return `${lines.join('\n')}\n${stringify(doc, { lineWidth: 0 })}${manifests.join('')}`;
}

/** The resolved scenario as plain YAML-ready data, in the scenario file's own format. */
export function resolvedScenarioDocument(scenario: Scenario, seed: number): Record<string, unknown> {
  const { spec } = scenario;
  return {
    apiVersion: 'hasim.dev/v1',
    kind: 'Scenario',
    metadata: {
      name: scenario.metadata.name,
      ...(scenario.metadata.description !== undefined ? { description: scenario.metadata.description } : {}),
    },
    spec: {
      seed,
      duration: formatDuration(spec.durationMs),
      kubernetes: resolvedKubernetes(spec.kubernetes),
      controlPlane: { zones: [...spec.controlPlane.zones], topology: spec.controlPlane.topology ?? 'managed' },
      nodes: nodeGroups(spec.nodes),
      workloads: spec.workloads.filter((w) => w.scheduling === undefined).map((w) => workload(w, spec.services ?? [])),
      ...(spec.autoscaler ? { autoscaler: resolvedAutoscaler(spec.autoscaler) } : {}),
      ...(spec.nodeAutoRepair
        ? {
            nodeAutoRepair: {
              unhealthyThreshold: formatDuration(spec.nodeAutoRepair.unhealthyThresholdMs),
              checkInterval: formatDuration(spec.nodeAutoRepair.checkIntervalMs),
            },
          }
        : {}),
      faults: spec.faults.map(fault),
      slos: spec.slos.map(slo),
      ...(manifestServices(scenario).some(isMetered)
        ? { traffic: manifestServices(scenario).filter(isMetered).map(trafficEntry) }
        : {}),
    },
  };
}

type KubernetesSpec = Scenario['spec']['kubernetes'];

/** spec.kubernetes with every component's settings written out. */
function resolvedKubernetes(k: KubernetesSpec): Record<string, unknown> {
  return {
    version: k.version,
    controllerManager: resolvedControllerManager(k.controllerManager),
    scheduler: {
      replicas: k.scheduler.replicas,
      kubeAPIQPS: k.scheduler.kubeAPIQPS,
      kubeAPIBurst: k.scheduler.kubeAPIBurst,
      leaderElection: leaderElection(k.scheduler.leaderElection),
    },
    cloudControllerManager: k.cloudControllerManager
      ? {
          enabled: true,
          replicas: k.cloudControllerManager.replicas,
          nodeMonitorPeriod: formatDuration(k.cloudControllerManager.nodeMonitorPeriodMs),
          leaderElection: leaderElection(k.cloudControllerManager.leaderElection),
        }
      : { enabled: false },
    apiServer: resolvedApiServer(k.apiServer),
    etcd: {
      members: k.etcd.members,
      ...(k.etcd.heartbeatIntervalMs !== undefined
        ? { heartbeatInterval: formatDuration(k.etcd.heartbeatIntervalMs) }
        : {}),
      ...(k.etcd.electionTimeoutMs !== undefined ? { electionTimeout: formatDuration(k.etcd.electionTimeoutMs) } : {}),
    },
    kubelet: resolvedKubelet(k.kubelet),
    ...(k.kubeProxy ? { kubeProxy: { minSyncPeriod: formatDuration(k.kubeProxy.minSyncPeriodMs) } } : {}),
    ...(k.http2
      ? {
          http2: {
            readIdleTimeout: formatDuration(k.http2.readIdleTimeoutMs),
            pingTimeout: formatDuration(k.http2.pingTimeoutMs),
          },
        }
      : {}),
    ...(k.volumes
      ? {
          volumes: {
            attachTime: range(k.volumes.attachTimeMs),
            detachTime: range(k.volumes.detachTimeMs),
            maxWaitForUnmountDuration: formatDuration(k.volumes.maxWaitForUnmountDurationMs),
          },
        }
      : {}),
    network: { latency: range(k.network.latency) },
  };
}

/** kube-controller-manager's flags as the scenario format names them. */
function resolvedControllerManager(cm: KubernetesSpec['controllerManager']): Record<string, unknown> {
  return {
    replicas: cm.replicas,
    nodeMonitorPeriod: formatDuration(cm.nodeMonitorPeriodMs),
    nodeMonitorGracePeriod: formatDuration(cm.nodeMonitorGracePeriodMs),
    nodeStartupGracePeriod: formatDuration(cm.nodeStartupGracePeriodMs),
    nodeEvictionRate: cm.nodeEvictionRate,
    secondaryNodeEvictionRate: cm.secondaryNodeEvictionRate,
    unhealthyZoneThreshold: cm.unhealthyZoneThreshold,
    largeClusterSizeThreshold: cm.largeClusterSizeThreshold,
    evictionMode: cm.evictionMode,
    podEvictionTimeout: formatDuration(cm.podEvictionTimeoutMs),
    kubeAPIQPS: cm.kubeAPIQPS,
    kubeAPIBurst: cm.kubeAPIBurst,
    leaderElection: leaderElection(cm.leaderElection),
    ...(cm.endpointUpdatesBatchPeriodMs !== undefined
      ? { endpointUpdatesBatchPeriod: formatDuration(cm.endpointUpdatesBatchPeriodMs) }
      : {}),
  };
}

/** The kubelet's settings, with the boot and network-ready times only where the scenario has them. */
function resolvedKubelet(kubelet: KubernetesSpec['kubelet']): Record<string, unknown> {
  return {
    nodeStatusUpdateFrequency: formatDuration(kubelet.nodeStatusUpdateFrequencyMs),
    nodeStatusReportFrequency: formatDuration(kubelet.nodeStatusReportFrequencyMs),
    nodeLeaseDurationSeconds: kubelet.nodeLeaseDurationSeconds,
    shutdownGracePeriod: formatDuration(kubelet.shutdownGracePeriodMs),
    shutdownGracePeriodCriticalPods: formatDuration(kubelet.shutdownGracePeriodCriticalPodsMs),
    kubeAPIQPS: kubelet.kubeAPIQPS,
    kubeAPIBurst: kubelet.kubeAPIBurst,
    ...(kubelet.bootTimeMs ? { bootTime: range(kubelet.bootTimeMs) } : {}),
    ...(kubelet.networkReadyTimeMs ? { networkReadyTime: range(kubelet.networkReadyTimeMs) } : {}),
  };
}

/** The Services read from v1 Service manifests (the shorthand's have no selector). */
function manifestServices(scenario: Scenario): ServiceSpec[] {
  return (scenario.spec.services ?? []).filter((s) => s.selector !== undefined);
}

function leaderElection(le: LeaderElectionConfig): Record<string, string> {
  return {
    leaseDuration: formatDuration(le.leaseDurationMs),
    renewDeadline: formatDuration(le.renewDeadlineMs),
    retryPeriod: formatDuration(le.retryPeriodMs),
  };
}

function range(r: RangeMs): string {
  return r.minMs === r.maxMs ? formatDuration(r.minMs) : `${formatDuration(r.minMs)}..${formatDuration(r.maxMs)}`;
}

function count(c: Count): number | string {
  return c.percent ? `${c.value}%` : c.value;
}

/**
 * Nodes back in groups: a run of nodes named base-0, base-1, ... base-(n-1) that are alike is written as
 * one entry with `count: n`, as it was most likely written, so a 5,000-node scenario stays short.
 */
function nodeGroups(nodes: readonly NodeSpec[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let i = 0;
  while (i < nodes.length) {
    const first = nodes[i];
    const base = /^(.*)-0$/.exec(first.name)?.[1];
    let n = 1;
    if (base !== undefined) {
      while (i + n < nodes.length && nodes[i + n].name === `${base}-${n}` && alike(first, nodes[i + n])) n++;
    }
    out.push(n > 1 ? { name: base, count: n, ...nodeFields(first) } : { name: first.name, ...nodeFields(first) });
    i += n;
  }
  return out;
}

function userLabels(node: NodeSpec): Record<string, string> {
  return Object.fromEntries(Object.entries(node.labels).filter(([key]) => !ADDED_NODE_LABELS.includes(key)));
}

function alike(a: NodeSpec, b: NodeSpec): boolean {
  return JSON.stringify(nodeFields(a)) === JSON.stringify(nodeFields(b));
}

function nodeFields(node: NodeSpec): Record<string, unknown> {
  return {
    zone: node.zone,
    labels: userLabels(node),
    capacity: { cpu: `${node.capacity.cpuMilli}m`, memory: node.capacity.memoryBytes, pods: node.capacity.pods },
    ...(node.taints?.length ? { taints: node.taints.map((t) => ({ ...t })) } : {}),
    ...(node.unschedulable ? { unschedulable: true } : {}),
  };
}

/** The API server settings under their scenario names (listCostPerObjectUs is written in microseconds). */
function resolvedApiServer(a: Scenario['spec']['kubernetes']['apiServer']): Record<string, unknown> {
  const { listCostPerObjectUs, ...rest } = a;
  return {
    ...rest,
    ...(listCostPerObjectUs !== undefined ? { listCostPerObjectMicroseconds: listCostPerObjectUs } : {}),
  };
}

/**
 * The workloads read from Kubernetes objects (they carry `scheduling`), written back as apps/v1 objects
 * whose one container asks for the resolved requests, with a PodDisruptionBudget per budget and a
 * PriorityClass per class they name. Read again, they give the same workloads.
 */
function resolvedManifests(scenario: Scenario): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const classes = new Map<string, Record<string, unknown>>();
  const budgets: Record<string, unknown>[] = [];
  const budgetKeys = new Set<string>();
  for (const w of scenario.spec.workloads) {
    const s = w.scheduling;
    if (s === undefined) continue;
    const namespace = w.namespace ?? 'default';
    if (s.priorityClassName !== undefined && !SYSTEM_PRIORITY_CLASSES.some((c) => c.name === s.priorityClassName))
      classes.set(s.priorityClassName, {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: s.priorityClassName },
        value: s.priority,
        preemptionPolicy: s.preemptionPolicy,
      });
    out.push(workloadManifest(w, s, namespace));
    const key = JSON.stringify([namespace, s.labels]);
    if (w.podDisruptionBudget && !budgetKeys.has(key)) {
      budgetKeys.add(key);
      budgets.push(budgetManifest(w, s, namespace));
    }
  }
  return [
    ...out,
    ...budgets,
    ...classes.values(),
    ...manifestServices(scenario).map((svc) => serviceManifest(svc, scenario.spec.kubernetes.version)),
  ];
}

/** A workload read from a Kubernetes object, written back as its apps/v1 object. */
function workloadManifest(w: WorkloadSpec, s: PodScheduling, namespace: string): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (w.kind !== 'DaemonSet') spec.replicas = w.replicas;
  spec.selector = { matchLabels: { ...s.labels } };
  spec.template = { metadata: { labels: { ...s.labels } }, spec: podSpecOf(w, s) };
  if (w.volumeClaimTemplates?.length)
    spec.volumeClaimTemplates = w.volumeClaimTemplates.map((t) => ({
      metadata: { name: t.name },
      spec: {
        accessModes: [...t.accessModes],
        resources: { requests: { storage: t.storageBytes } },
        ...(t.storageClassName !== undefined ? { storageClassName: t.storageClassName } : {}),
      },
    }));
  return { apiVersion: 'apps/v1', kind: w.kind, metadata: { name: w.name, namespace }, spec };
}

/** The pod template's spec: one container asking for the resolved requests, and the scheduling fields. */
function podSpecOf(w: WorkloadSpec, s: PodScheduling): Record<string, unknown> {
  const podSpec: Record<string, unknown> = {
    containers: [
      {
        name: 'main',
        resources: { requests: { cpu: `${w.requests.cpuMilli}m`, memory: w.requests.memoryBytes } },
        ...probeFields(w),
      },
    ],
    tolerations: w.tolerations.map(toleration),
    nodeSelector: { ...w.nodeSelector },
    terminationGracePeriodSeconds: Math.round(w.terminationGracePeriodMs / 1000),
  };
  if (s.affinity) podSpec.affinity = affinity(s.affinity);
  if (s.topologySpreadConstraints.length > 0) podSpec.topologySpreadConstraints = s.topologySpreadConstraints;
  if (s.schedulerName !== undefined) podSpec.schedulerName = s.schedulerName;
  if (s.priorityClassName !== undefined) podSpec.priorityClassName = s.priorityClassName;
  return podSpec;
}

/** The workload's PodDisruptionBudget, selecting its pods by their labels. */
function budgetManifest(w: WorkloadSpec, s: PodScheduling, namespace: string): Record<string, unknown> {
  const pdb = w.podDisruptionBudget!;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: `${w.kind.toLowerCase()}-${w.name}`, namespace },
    spec: {
      selector: { matchLabels: { ...s.labels } },
      ...(pdb.minAvailable ? { minAvailable: count(pdb.minAvailable) } : {}),
      ...(pdb.maxUnavailable ? { maxUnavailable: count(pdb.maxUnavailable) } : {}),
    },
  };
}

function affinity(a: Affinity): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.nodeAffinity) {
    const na: Record<string, unknown> = {
      preferredDuringSchedulingIgnoredDuringExecution: a.nodeAffinity.preferred,
    };
    if (a.nodeAffinity.required)
      na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: a.nodeAffinity.required };
    out.nodeAffinity = na;
  }
  for (const which of ['podAffinity', 'podAntiAffinity'] as const) {
    const p = a[which];
    if (p)
      out[which] = {
        requiredDuringSchedulingIgnoredDuringExecution: p.required,
        preferredDuringSchedulingIgnoredDuringExecution: p.preferred,
      };
  }
  return out;
}

function workload(w: WorkloadSpec, services: readonly ServiceSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: w.kind, name: w.name };
  if (w.kind !== 'DaemonSet') out.replicas = w.replicas;
  out.requests = { cpu: `${w.requests.cpuMilli}m`, memory: w.requests.memoryBytes };
  out.tolerations = w.tolerations.map(toleration);
  out.nodeSelector = { ...w.nodeSelector };
  out.spreadAcrossZones = w.spreadAcrossZones;
  out.startup = { imagePull: range(w.startup.imagePull), ready: range(w.startup.ready) };
  out.terminationGracePeriod = formatDuration(w.terminationGracePeriodMs);
  if (w.volumeClaimTemplates?.length)
    out.volumeClaimTemplates = w.volumeClaimTemplates.map((t) => ({
      name: t.name,
      accessModes: [...t.accessModes],
      storage: t.storageBytes,
      ...(t.storageClassName !== undefined ? { storageClassName: t.storageClassName } : {}),
    }));
  if (w.probes) {
    const probes: Record<string, unknown> = {};
    for (const kind of ['readiness', 'liveness', 'startup'] as const) {
      const p = w.probes[kind];
      if (p)
        probes[kind] = {
          initialDelay: formatDuration(p.initialDelayMs),
          period: formatDuration(p.periodMs),
          timeout: formatDuration(p.timeoutMs),
          failureThreshold: p.failureThreshold,
          successThreshold: p.successThreshold,
        };
    }
    out.probes = probes;
  }
  const pdb = w.podDisruptionBudget;
  if (pdb) {
    out.podDisruptionBudget = {
      ...(pdb.minAvailable ? { minAvailable: count(pdb.minAvailable) } : {}),
      ...(pdb.maxUnavailable ? { maxUnavailable: count(pdb.maxUnavailable) } : {}),
      ...(pdb.unhealthyPodEvictionPolicy ? { unhealthyPodEvictionPolicy: pdb.unhealthyPodEvictionPolicy } : {}),
    };
  }
  const svc = services.find((s) => s.selector === undefined && s.workloads.length === 1 && s.workloads[0] === w.id);
  if (svc) out.service = service(svc);
  return out;
}

function service(svc: ServiceSpec): Record<string, unknown> {
  return {
    name: svc.name,
    type: svc.type,
    port: svc.port,
    ...(svc.trafficDistribution ? { trafficDistribution: svc.trafficDistribution } : {}),
    ...(svc.topologyMode ? { topologyMode: svc.topologyMode } : {}),
    internalTrafficPolicy: svc.internalTrafficPolicy,
    ...(svc.type !== 'ClusterIP' ? { externalTrafficPolicy: svc.externalTrafficPolicy } : {}),
    ...(svc.traffic ? { traffic: traffic(svc.traffic) } : {}),
  };
}

function traffic(t: TrafficSpec): Record<string, unknown> {
  const clients =
    t.clients.kind === 'zones'
      ? {
          zones: Object.keys(t.clients.weights).map((zone) => ({
            zone,
            weight: (t.clients as { weights: Record<string, number> }).weights[zone],
          })),
        }
      : t.clients.kind;
  return { rate: t.ratePerSecond, clients, timeout: formatDuration(t.timeoutMs) };
}

/** A v1 Service manifest's requests, as its spec.traffic entry. */
function trafficEntry(svc: ServiceSpec & { traffic: TrafficSpec }): Record<string, unknown> {
  return { service: svc.name, ...traffic(svc.traffic) };
}

/** A v1 Service manifest as the run read it: what decides where its requests go. */
function serviceManifest(svc: ServiceSpec, version: string): Record<string, unknown> {
  // topology-mode is read from 1.27; before, only the older topology-aware-hints annotation.
  const annotation =
    minorVersion(version) >= 27 ? 'service.kubernetes.io/topology-mode' : 'service.kubernetes.io/topology-aware-hints';
  const name = svc.name.slice(svc.name.indexOf('/') + 1);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: svc.namespace,
      ...(svc.topologyMode ? { annotations: { [annotation]: svc.topologyMode } } : {}),
    },
    spec: {
      type: svc.type,
      selector: { ...svc.selector },
      ports: [{ port: svc.port }],
      internalTrafficPolicy: svc.internalTrafficPolicy,
      ...(svc.type !== 'ClusterIP' ? { externalTrafficPolicy: svc.externalTrafficPolicy } : {}),
      ...(svc.trafficDistribution ? { trafficDistribution: svc.trafficDistribution } : {}),
    },
  };
}

/** A workload's probes as a container's readinessProbe / livenessProbe / startupProbe (whole seconds). */
function probeFields(w: WorkloadSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [kind, field] of [
    ['readiness', 'readinessProbe'],
    ['liveness', 'livenessProbe'],
    ['startup', 'startupProbe'],
  ] as const) {
    const p = w.probes?.[kind];
    if (p)
      out[field] = {
        initialDelaySeconds: p.initialDelayMs / 1000,
        periodSeconds: p.periodMs / 1000,
        timeoutSeconds: p.timeoutMs / 1000,
        failureThreshold: p.failureThreshold,
        successThreshold: p.successThreshold,
      };
  }
  return out;
}

function toleration(t: Toleration): Record<string, unknown> {
  return { ...t };
}

function target(t: Target): Record<string, unknown> | string {
  if (t.controlPlane) return 'control-plane';
  const out: Record<string, unknown> = { ...t };
  if (t.from) out.from = target(t.from);
  if (t.pods) out.pods = count(t.pods);
  return out;
}

function fault(f: FaultSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: f.name, type: f.type, at: formatDuration(f.atMs) };
  if (f.durationMs !== undefined) out.duration = formatDuration(f.durationMs);
  if (f.target) out.target = target(f.target);
  if (f.from) out.from = target(f.from);
  if (f.loss !== undefined) out.loss = f.loss;
  if (f.latency) out.latency = range(f.latency);
  if (f.offsetMs !== undefined) out.offset = formatDuration(f.offsetMs);
  if (f.rate !== undefined) out.rate = f.rate;
  if (f.graceful !== undefined) out.graceful = f.graceful;
  if (f.timeoutMs !== undefined) out.timeout = formatDuration(f.timeoutMs);
  if (f.disableEviction !== undefined) out.disableEviction = f.disableEviction;
  if (f.maxSurge !== undefined) out.maxSurge = f.maxSurge.percent ? `${f.maxSurge.value}%` : f.maxSurge.value;
  if (f.maxUnavailable !== undefined)
    out.maxUnavailable = f.maxUnavailable.percent ? `${f.maxUnavailable.value}%` : f.maxUnavailable.value;
  if (f.drainTimeoutMs !== undefined) out.drainTimeout = formatDuration(f.drainTimeoutMs);
  if (f.gracePeriodMs !== undefined) out.gracePeriod = formatDuration(f.gracePeriodMs);
  if (f.symptom !== undefined) out.symptom = f.symptom;
  return out;
}

function slo(o: SloSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: o.name, type: o.type };
  if ('workload' in o) out.workload = o.workload;
  if ('after' in o) out.after = o.after;
  if ('component' in o) out.component = o.component;
  if ('service' in o) out.service = o.service;
  if ('minPercent' in o) out.min = o.minPercent;
  if ('rollingWindowMs' in o && o.rollingWindowMs !== undefined) out.rollingWindow = formatDuration(o.rollingWindowMs);
  if ('min' in o) out.min = count(o.min);
  if ('threshold' in o && o.threshold) out.threshold = count(o.threshold);
  if ('window' in o && o.window)
    out.window = { from: formatDuration(o.window.fromMs), to: formatDuration(o.window.toMs) };
  if ('maxMs' in o) out.max = formatDuration(o.maxMs);
  if ('max' in o) out.max = o.max;
  return out;
}

/** spec.autoscaler as the run used it, every default written out. */
function resolvedAutoscaler(a: NonNullable<Scenario['spec']['autoscaler']>): Record<string, unknown> {
  return {
    nodeGroups: a.nodeGroups.map((g) => ({
      name: g.name,
      nodes: g.namePrefix.slice(0, -1),
      minSize: g.minSize,
      maxSize: g.maxSize,
    })),
    replicas: a.replicas,
    leaderElection: leaderElection(a.leaderElection),
    scanInterval: formatDuration(a.scanIntervalMs),
    expander: a.expander,
    balanceSimilarNodeGroups: a.balanceSimilarNodeGroups,
    scaleDownEnabled: a.scaleDownEnabled,
    scaleDownUnneededTime: formatDuration(a.scaleDownUnneededTimeMs),
    scaleDownDelayAfterAdd: formatDuration(a.scaleDownDelayAfterAddMs),
    scaleDownUtilizationThreshold: a.scaleDownUtilizationThreshold,
    maxTotalUnreadyPercentage: a.maxTotalUnreadyPercentage,
    okTotalUnreadyCount: a.okTotalUnreadyCount,
    maxNodeProvisionTime: formatDuration(a.maxNodeProvisionTimeMs),
  };
}

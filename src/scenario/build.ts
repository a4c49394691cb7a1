// Structurally checked data -> the validated `Scenario` with every default filled in. Runs even when
// some fields were invalid (they are simply absent here) so the semantic checks can still report
// everything else in the same pass; the result is only handed out when there were no errors.
import { DEFAULT_BOOT_TIME_MS, DEFAULT_NETWORK_READY_TIME_MS } from '../model/infra/node-provisioning.js';
import { DEFAULT_CHECK_INTERVAL_MS, DEFAULT_UNHEALTHY_THRESHOLD_MS } from '../model/cloud/node-auto-repair.js';
import { controlPlaneLayout } from '../model/infra/control-plane-layout.js';
import * as D from './defaults.js';
import { AUTOSCALER_DEFAULTS, type ClusterAutoscalerConfig, type NodeGroupSpec } from '../model/autoscaler/options.js';
import {
  pdbSelects,
  selectorMatches,
  toToleration,
  type ManifestReadResult,
  type ManifestService,
} from './manifests/index.js';
import { admitPriority, priorityClassTable } from './manifests/priority.js';
import { PROBE_DEFAULTS, type PodProbes, type VolumeClaimTemplate, workloadKindOf } from '../k8s/workloads.js';
import { DEFAULT_VOLUME_CONFIG, Volumes } from '../model/volume/volumes.js';
import type { Path } from './paths.js';
import { DEFAULT_TRAFFIC, type ServiceSpec, type TrafficClients, type TrafficSpec } from '../k8s/services.js';
import { MIN_SYNC_PERIOD_MS } from '../model/proxy/kube-proxy.js';
import { DEFAULT_HTTP2_HEALTH_CHECK } from '../model/apiserver/connection.js';
import { DEFAULT_ETCD_RAFT } from '../model/apiserver/etcd-raft.js';
import type { Http2Config } from '../k8s/config.js';
import type { FaultSpec, LeaderElectionConfig, NodeSpec, Scenario, SloSpec, Target, WorkloadSpec } from './types.js';

// Parsed YAML before validation: any shape at all, narrowed field by field as it is checked.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** Where each built item came from, so semantic problems point at the right line. */
export interface Sources {
  /** Per expanded node: the index in spec.nodes it came from (-1: a Node manifest). */
  nodes: number[];
  /** Per workload: its document, the path of its name within it, and of the object (manifests in a List). */
  workloads: { doc: number; path: Path; base: Path }[];
}

export function buildScenario(value: Raw, manifests: ManifestReadResult): { scenario: Scenario; sources: Sources } {
  const spec: Raw = value.spec ?? {};
  const sources: Sources = { nodes: [], workloads: [] };

  const nodes = buildNodes(spec, manifests, sources);
  const zonesOfNodes = [...new Set(nodes.map((n) => n.zone))].sort();
  const controlPlaneZones: string[] =
    spec.controlPlane?.zones?.filter((z: unknown) => typeof z === 'string') ??
    (zonesOfNodes.length > 0 ? zonesOfNodes : [D.DEFAULT_ZONE]);

  const services: ServiceSpec[] = [];
  const workloads = buildWorkloads(spec, manifests, sources, services);
  buildManifestServices(spec, manifests, workloads, services);
  const kubernetes = buildKubernetes(
    spec.kubernetes ?? {},
    spec.controlPlane?.topology ?? 'managed',
    Volumes.needed(workloads),
  );
  const ids = workloads.filter((w) => w.name !== undefined && w.kind !== undefined).map((w) => w.id);
  const faults = buildFaults(spec, kubernetes, controlPlaneZones, ids);
  const slos = buildSlos(
    spec,
    ids,
    services.map((sv) => sv.name),
  );

  const metadata: Scenario['metadata'] = { name: value.metadata?.name };
  if (value.metadata?.description !== undefined) metadata.description = value.metadata.description;
  const scenario: Scenario = {
    metadata,
    spec: {
      seed: spec.seed ?? D.DEFAULT_SEED,
      durationMs: spec.duration,
      kubernetes,
      controlPlane: { zones: controlPlaneZones, topology: spec.controlPlane?.topology ?? 'managed' },
      nodes,
      workloads,
      faults,
      slos,
      ...(services.length > 0 ? { services } : {}),
      ...buildAutoRepair(spec.nodeAutoRepair),
    },
  };
  if (spec.autoscaler) scenario.spec.autoscaler = buildAutoscaler(spec.autoscaler, spec.nodes ?? [], nodes);
  return { scenario, sources };
}

/** spec.nodeAutoRepair: on when given, unless `enabled: false`. */
function buildAutoRepair(raw: Raw | undefined): Pick<Scenario['spec'], 'nodeAutoRepair'> {
  if (raw === undefined || raw === null || raw.enabled === false) return {};
  return {
    nodeAutoRepair: {
      unhealthyThresholdMs: raw.unhealthyThreshold ?? DEFAULT_UNHEALTHY_THRESHOLD_MS,
      checkIntervalMs: raw.checkInterval ?? DEFAULT_CHECK_INTERVAL_MS,
    },
  };
}

/**
 * spec.autoscaler with upstream's defaults; each node group takes its shape, zone and first nodes from the
 * spec.nodes entry it names (a group naming no entry, or an unknown one, is reported by the semantic checks).
 */
function buildAutoscaler(a: Raw, rawNodes: Raw[], nodes: readonly NodeSpec[]): ClusterAutoscalerConfig {
  const A = AUTOSCALER_DEFAULTS;
  return {
    replicas: a.replicas ?? 1,
    leaderElection: leaderElection(a.leaderElection),
    scanIntervalMs: a.scanInterval ?? A.scanIntervalMs,
    expander: a.expander ?? A.expander,
    balanceSimilarNodeGroups: a.balanceSimilarNodeGroups ?? A.balanceSimilarNodeGroups,
    scaleDownEnabled: a.scaleDownEnabled ?? A.scaleDownEnabled,
    scaleDownUnneededTimeMs: a.scaleDownUnneededTime ?? A.scaleDownUnneededTimeMs,
    scaleDownDelayAfterAddMs: a.scaleDownDelayAfterAdd ?? A.scaleDownDelayAfterAddMs,
    scaleDownUtilizationThreshold: a.scaleDownUtilizationThreshold ?? A.scaleDownUtilizationThreshold,
    maxTotalUnreadyPercentage: a.maxTotalUnreadyPercentage ?? A.maxTotalUnreadyPercentage,
    okTotalUnreadyCount: a.okTotalUnreadyCount ?? A.okTotalUnreadyCount,
    maxNodeProvisionTimeMs: a.maxNodeProvisionTime ?? A.maxNodeProvisionTimeMs,
    nodeGroups: (a.nodeGroups ?? []).filter(Boolean).flatMap((g: Raw): NodeGroupSpec[] => {
      const entry = rawNodes.find((n) => n?.name === g.nodes);
      if (!entry) return [];
      const count: number = entry.count ?? 1;
      const initialNodes = count > 1 ? [...Array(count).keys()].map((j) => `${entry.name}-${j}`) : [entry.name];
      const first = nodes.find((n) => n.name === initialNodes[0]);
      if (!first) return [];
      return [
        {
          name: g.name,
          zone: first.zone,
          minSize: g.minSize ?? 0,
          maxSize: g.maxSize ?? count,
          template: { ...first, labels: { ...first.labels } },
          initialNodes,
          namePrefix: `${entry.name}-`,
          firstIndex: count > 1 ? count : 1,
        },
      ];
    }),
  };
}

/** The nodes, one per `count` of each group (worker-a-0, worker-a-1, ...), with their zone and hostname labels. */
function buildNodes(spec: Raw, manifests: ManifestReadResult, sources: Sources): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  (spec.nodes ?? []).forEach((n: Raw | undefined, i: number) => {
    if (!n || n.name === undefined) return;
    const count: number = n.count ?? 1;
    const zone: string = n.zone ?? D.DEFAULT_ZONE;
    const capacity = {
      cpuMilli: n.capacity?.cpu ?? D.DEFAULT_NODE_CAPACITY.cpuMilli,
      memoryBytes: n.capacity?.memory ?? D.DEFAULT_NODE_CAPACITY.memoryBytes,
      pods: n.capacity?.pods ?? D.DEFAULT_NODE_CAPACITY.pods,
    };
    for (let j = 0; j < count; j++) {
      const name = count > 1 ? `${n.name}-${j}` : n.name;
      const node: NodeSpec = {
        name,
        zone,
        labels: { ...(n.labels ?? {}), 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name },
        capacity: { ...capacity },
      };
      if (n.taints?.length) node.taints = n.taints.filter(Boolean).map((t: Raw) => ({ ...t }));
      if (n.unschedulable === true) node.unschedulable = true;
      nodes.push(node);
      sources.nodes.push(i);
    }
  });
  for (const m of manifests.nodes) {
    const node: NodeSpec = { name: m.name, zone: m.zone, labels: { ...m.labels }, capacity: { ...m.capacity } };
    if (m.taints.length > 0) node.taints = m.taints.map((t) => ({ ...t }));
    if (m.unschedulable) node.unschedulable = true;
    nodes.push(node);
    sources.nodes.push(-1);
  }
  return nodes;
}

/** The workloads of spec.workloads, then those of the manifests with the PodDisruptionBudget that selects them. */
function buildWorkloads(
  spec: Raw,
  manifests: ManifestReadResult,
  sources: Sources,
  services: ServiceSpec[],
): WorkloadSpec[] {
  const workloads: WorkloadSpec[] = [];
  (spec.workloads ?? []).forEach((w: Raw | undefined, i: number) => {
    if (!w) return;
    workloads.push({
      kind: w.kind,
      name: w.name,
      id: `${w.kind}/${w.name}`,
      replicas: w.kind === 'DaemonSet' ? 0 : (w.replicas ?? D.DEFAULT_REPLICAS),
      requests: {
        cpuMilli: w.requests?.cpu ?? D.DEFAULT_REQUESTS.cpuMilli,
        memoryBytes: w.requests?.memory ?? D.DEFAULT_REQUESTS.memoryBytes,
      },
      tolerations: (w.tolerations ?? []).filter(Boolean).map(toToleration),
      nodeSelector: w.nodeSelector ?? {},
      spreadAcrossZones: w.spreadAcrossZones ?? false,
      startup: {
        imagePull: w.startup?.imagePull ?? { ...D.DEFAULT_STARTUP.imagePull },
        ready: w.startup?.ready ?? { ...D.DEFAULT_STARTUP.ready },
      },
      terminationGracePeriodMs: w.terminationGracePeriod ?? D.DEFAULT_TERMINATION_GRACE_PERIOD_MS,
      ...(w.probes ? buildProbes(w.probes) : {}),
      ...(w.podDisruptionBudget ? { podDisruptionBudget: { ...w.podDisruptionBudget } } : {}),
      ...(w.volumeClaimTemplates?.length ? { volumeClaimTemplates: buildClaimTemplates(w.volumeClaimTemplates) } : {}),
      origin: `spec.workloads[${i}]`,
    });
    if (w.service) services.push(buildService(w.service, `${w.kind}/${w.name}`, w.name, i));
    sources.workloads.push({ doc: 0, path: ['spec', 'workloads', i, 'name'], base: [] });
  });
  const classes = priorityClassTable(manifests.priorityClasses);
  for (const m of manifests.workloads) {
    const w: WorkloadSpec = {
      kind: m.kind,
      name: m.name,
      namespace: m.namespace,
      id: m.id,
      replicas: m.kind === 'DaemonSet' ? 0 : (m.replicas ?? D.DEFAULT_REPLICAS),
      requests: { ...m.requests },
      tolerations: m.tolerations,
      nodeSelector: m.nodeSelector,
      spreadAcrossZones: m.spreadAcrossZones,
      startup: { imagePull: { ...D.DEFAULT_STARTUP.imagePull }, ready: { ...D.DEFAULT_STARTUP.ready } },
      terminationGracePeriodMs: m.terminationGracePeriodMs ?? D.DEFAULT_TERMINATION_GRACE_PERIOD_MS,
      ...(m.probes ? { probes: m.probes } : {}),
      ...(m.volumeClaimTemplates?.length ? { volumeClaimTemplates: m.volumeClaimTemplates } : {}),
      // An unknown priorityClassName is an error (semantic-checks.ts); the template is kept as written meanwhile.
      scheduling: admitted(admitPriority(m.scheduling, m.own, classes)) ?? m.scheduling,
      origin: m.origin,
    };
    const pdb = manifests.pdbs.find((p) => pdbSelects(p, m));
    if (pdb) {
      w.podDisruptionBudget = {};
      if (pdb.minAvailable) w.podDisruptionBudget.minAvailable = pdb.minAvailable;
      if (pdb.maxUnavailable) w.podDisruptionBudget.maxUnavailable = pdb.maxUnavailable;
    }
    workloads.push(w);
    sources.workloads.push({ doc: m.doc, path: [...m.base, 'metadata', 'name'], base: m.base });
  }
  return workloads;
}

/** A StatefulSet's `volumeClaimTemplates` shorthand, with core/v1's defaults (ReadWriteOnce, 1Gi). */
function buildClaimTemplates(templates: Raw[]): VolumeClaimTemplate[] {
  return templates.filter(Boolean).map((t: Raw) => ({
    name: t.name,
    accessModes: t.accessModes?.length ? [...t.accessModes] : ['ReadWriteOnce'],
    storageBytes: t.storage ?? D.DEFAULT_CLAIM_STORAGE_BYTES,
    ...(t.storageClassName !== undefined ? { storageClassName: t.storageClassName } : {}),
  }));
}

/** A workload's `probes` shorthand, with core/v1 Probe's defaults; no probe given: no `probes` at all. */
function buildProbes(p: Raw): { probes?: PodProbes } {
  const out: PodProbes = {};
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const r: Raw | undefined = p[kind];
    if (!r) continue;
    out[kind] = {
      initialDelayMs: r.initialDelay ?? PROBE_DEFAULTS.initialDelayMs,
      periodMs: r.period ?? PROBE_DEFAULTS.periodMs,
      timeoutMs: r.timeout ?? PROBE_DEFAULTS.timeoutMs,
      failureThreshold: r.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
      successThreshold: r.successThreshold ?? PROBE_DEFAULTS.successThreshold,
    };
  }
  return out.readiness || out.liveness || out.startup ? { probes: out } : {};
}

/** The requests sent to a Service (a workload's `service.traffic`, or a spec.traffic entry), with the defaults. */
function buildTraffic(t: Raw): TrafficSpec {
  let clients: TrafficClients = { ...DEFAULT_TRAFFIC.clients };
  if (t.clients === 'load-balancer') clients = { kind: 'load-balancer' };
  else if (t.clients !== undefined && typeof t.clients === 'object') {
    const weights: Record<string, number> = {};
    for (const z of t.clients.zones ?? [])
      if (z?.zone !== undefined) weights[z.zone] = (weights[z.zone] ?? 0) + (z.weight ?? 1);
    clients = { kind: 'zones', weights };
  }
  return {
    ratePerSecond: t.rate ?? DEFAULT_TRAFFIC.ratePerSecond,
    clients,
    timeoutMs: t.timeout ?? DEFAULT_TRAFFIC.timeoutMs,
  };
}

/** A workload's `service` shorthand: a Service selecting exactly its pods. */
function buildService(sv: Raw, workload: string, workloadName: string, i: number): ServiceSpec {
  return {
    name: sv.name ?? workloadName,
    namespace: 'default',
    type: sv.type ?? 'ClusterIP',
    port: sv.port ?? 80,
    workloads: [workload],
    internalTrafficPolicy: sv.internalTrafficPolicy ?? 'Cluster',
    externalTrafficPolicy: sv.externalTrafficPolicy ?? 'Cluster',
    // PreferSameZone (1.34) is PreferClose under its newer name.
    ...(sv.trafficDistribution ? { trafficDistribution: 'PreferClose' as const } : {}),
    ...(sv.topologyMode ? { topologyMode: sv.topologyMode } : {}),
    traffic: buildTraffic(sv.traffic ?? {}),
    origin: `spec.workloads[${i}].service`,
  };
}

/**
 * The v1 Service manifests, after the shorthand Services: each selects the workloads of its namespace whose
 * pod template labels its selector matches (a scenario workload's pods are labelled app=<name>, in the
 * default namespace), and gets the requests of the spec.traffic entry naming it, if any.
 */
function buildManifestServices(
  spec: Raw,
  manifests: ManifestReadResult,
  workloads: readonly WorkloadSpec[],
  services: ServiceSpec[],
): void {
  const ids = [...services.map((sv) => sv.name), ...manifests.services.map((m) => m.id)];
  const entries: Raw[] = (spec.traffic ?? []).filter((e: unknown) => e !== null && typeof e === 'object');
  for (const m of manifests.services) {
    const entry = entries.find((e) => typeof e.service === 'string' && canonicalServiceId(e.service, ids) === m.id);
    services.push(manifestService(m, selectedWorkloads(m, workloads), entry ? buildTraffic(entry) : undefined));
  }
}

/** The workloads whose pods a manifest Service's selector matches: same namespace, labels matched. */
export function selectedWorkloads(m: ManifestService, workloads: readonly WorkloadSpec[]): string[] {
  return workloads
    .filter(
      (w) =>
        w.name !== undefined &&
        (w.namespace ?? 'default') === m.namespace &&
        selectorMatches({ matchLabels: m.selector, matchExpressions: [] }, w.scheduling?.labels ?? { app: w.name }),
    )
    .map((w) => w.id);
}

function manifestService(m: ManifestService, selected: string[], traffic: TrafficSpec | undefined): ServiceSpec {
  return {
    name: m.id,
    namespace: m.namespace,
    type: m.type,
    port: m.port,
    workloads: selected,
    selector: { ...m.selector },
    internalTrafficPolicy: m.internalTrafficPolicy,
    externalTrafficPolicy: m.externalTrafficPolicy,
    ...(m.trafficDistribution ? { trafficDistribution: m.trafficDistribution } : {}),
    ...(m.topologyMode ? { topologyMode: m.topologyMode } : {}),
    ...(traffic ? { traffic } : {}),
    origin: m.origin,
  };
}

/**
 * A Service reference (spec.traffic, an SLO) as the run uses it: `name` stands for `namespace/name` when
 * exactly one Service of that name exists. Anything else is left as written, for semantic-checks.ts.
 */
export function canonicalServiceId(ref: string, ids: readonly string[]): string {
  if (ids.includes(ref)) return ref;
  const candidates = serviceCandidates(ref, ids);
  return candidates.length === 1 ? candidates[0] : ref;
}

/** The namespaced Services a bare `name` could mean. */
export function serviceCandidates(ref: string, ids: readonly string[]): string[] {
  if (ref.includes('/')) return [];
  return ids.filter((id) => id.endsWith(`/${ref}`));
}

/** spec.kubernetes.http2 with client-go's defaults filled in; a zero pingTimeout means 15 s (golang.org/x/net/http2). */
function http2Config(h: { readIdleTimeout?: number; pingTimeout?: number }): Http2Config {
  const pingMs = h.pingTimeout ?? DEFAULT_HTTP2_HEALTH_CHECK.pingTimeoutMs;
  return {
    readIdleTimeoutMs: h.readIdleTimeout ?? DEFAULT_HTTP2_HEALTH_CHECK.readIdleTimeoutMs,
    pingTimeoutMs: pingMs > 0 ? pingMs : DEFAULT_HTTP2_HEALTH_CHECK.pingTimeoutMs,
  };
}

/** The component configurations: what the file says, else the version profile and hasim's defaults. */
function buildKubernetes(k: Raw, topology: string, hasVolumes: boolean): Scenario['spec']['kubernetes'] {
  const version: string = k.version ?? D.DEFAULT_KUBERNETES_VERSION;
  const profile = D.versionProfile(version);
  const cm: Raw = k.controllerManager ?? {};
  const kubelet: Raw = k.kubelet ?? {};
  const kubernetes: Scenario['spec']['kubernetes'] = {
    version,
    features: D.versionFeatures(version),
    controllerManager: {
      replicas: cm.replicas ?? 1,
      nodeMonitorPeriodMs: cm.nodeMonitorPeriod ?? profile.nodeMonitorPeriodMs,
      nodeMonitorGracePeriodMs: cm.nodeMonitorGracePeriod ?? profile.nodeMonitorGracePeriodMs,
      nodeStartupGracePeriodMs: cm.nodeStartupGracePeriod ?? profile.nodeStartupGracePeriodMs,
      nodeEvictionRate: cm.nodeEvictionRate ?? profile.nodeEvictionRate,
      secondaryNodeEvictionRate: cm.secondaryNodeEvictionRate ?? profile.secondaryNodeEvictionRate,
      unhealthyZoneThreshold: cm.unhealthyZoneThreshold ?? profile.unhealthyZoneThreshold,
      largeClusterSizeThreshold: cm.largeClusterSizeThreshold ?? profile.largeClusterSizeThreshold,
      evictionMode: cm.evictionMode ?? 'taint',
      podEvictionTimeoutMs: cm.podEvictionTimeout ?? profile.podEvictionTimeoutMs,
      kubeAPIQPS: cm.kubeAPIQPS ?? profile.kubeAPIQPS,
      kubeAPIBurst: cm.kubeAPIBurst ?? profile.kubeAPIBurst,
      leaderElection: leaderElection(cm.leaderElection),
      ...(cm.endpointUpdatesBatchPeriod !== undefined
        ? { endpointUpdatesBatchPeriodMs: cm.endpointUpdatesBatchPeriod }
        : {}),
    },
    scheduler: {
      replicas: k.scheduler?.replicas ?? 1,
      leaderElection: leaderElection(k.scheduler?.leaderElection),
      kubeAPIQPS: k.scheduler?.kubeAPIQPS ?? D.DEFAULT_SCHEDULER_QPS,
      kubeAPIBurst: k.scheduler?.kubeAPIBurst ?? D.DEFAULT_SCHEDULER_BURST,
    },
    apiServer: {
      replicas: k.apiServer?.replicas ?? 1,
      defaultNotReadyTolerationSeconds: k.apiServer?.defaultNotReadyTolerationSeconds ?? D.DEFAULT_TOLERATION_SECONDS,
      defaultUnreachableTolerationSeconds:
        k.apiServer?.defaultUnreachableTolerationSeconds ?? D.DEFAULT_TOLERATION_SECONDS,
      listCostPerObjectUs: k.apiServer?.listCostPerObjectMicroseconds ?? D.DEFAULT_LIST_COST_PER_OBJECT_US,
    },
    etcd: {
      members: k.etcd?.members ?? 1,
      heartbeatIntervalMs: k.etcd?.heartbeatInterval ?? DEFAULT_ETCD_RAFT.heartbeatIntervalMs,
      electionTimeoutMs: k.etcd?.electionTimeout ?? DEFAULT_ETCD_RAFT.electionTimeoutMs,
    },
    kubelet: buildKubelet(kubelet, D.versionFeatures(version)),
    network: { latency: k.network?.latency ?? { ...D.DEFAULT_NETWORK_LATENCY } },
  };
  // Managed control planes (EKS, GKE, AKS) run a cloud-controller-manager; kubeadm clusters only when asked.
  const ccm: Raw = k.cloudControllerManager ?? {};
  if (ccm.enabled ?? topology === 'managed') {
    kubernetes.cloudControllerManager = {
      replicas: ccm.replicas ?? kubernetes.controllerManager.replicas,
      nodeMonitorPeriodMs: ccm.nodeMonitorPeriod ?? D.DEFAULT_CLOUD_NODE_MONITOR_PERIOD_MS,
      leaderElection: leaderElection(ccm.leaderElection),
    };
  }
  if (k.kubeProxy !== undefined)
    kubernetes.kubeProxy = { minSyncPeriodMs: k.kubeProxy.minSyncPeriod ?? MIN_SYNC_PERIOD_MS };
  if (k.http2 !== undefined) kubernetes.http2 = http2Config(k.http2);
  // Only scenarios that set them or have volumes carry the volume settings (resolved.yaml shows them then).
  if (k.volumes !== undefined || hasVolumes) {
    kubernetes.volumes = {
      attachTimeMs: k.volumes?.attachTime ?? { ...DEFAULT_VOLUME_CONFIG.attachTimeMs },
      detachTimeMs: k.volumes?.detachTime ?? { ...DEFAULT_VOLUME_CONFIG.detachTimeMs },
      maxWaitForUnmountDurationMs:
        k.volumes?.maxWaitForUnmountDuration ?? DEFAULT_VOLUME_CONFIG.maxWaitForUnmountDurationMs,
    };
  }
  return kubernetes;
}

/** The kubelet's settings, each given or its default. */
function buildKubelet(
  kubelet: Raw,
  features: NonNullable<Scenario['spec']['kubernetes']['features']>,
): Scenario['spec']['kubernetes']['kubelet'] {
  return {
    nodeStatusUpdateFrequencyMs: kubelet.nodeStatusUpdateFrequency ?? D.DEFAULT_KUBELET.nodeStatusUpdateFrequencyMs,
    // Upstream rule (docs/fidelity.md#kubelet-defaults): an explicit update frequency without a report frequency
    // makes the kubelet post every status it computes.
    nodeStatusReportFrequencyMs:
      kubelet.nodeStatusReportFrequency ??
      kubelet.nodeStatusUpdateFrequency ??
      D.DEFAULT_KUBELET.nodeStatusReportFrequencyMs,
    nodeLeaseDurationSeconds: kubelet.nodeLeaseDurationSeconds ?? D.DEFAULT_KUBELET.nodeLeaseDurationSeconds,
    shutdownGracePeriodMs: kubelet.shutdownGracePeriod ?? D.DEFAULT_KUBELET.shutdownGracePeriodMs,
    shutdownGracePeriodCriticalPodsMs:
      kubelet.shutdownGracePeriodCriticalPods ?? D.DEFAULT_KUBELET.shutdownGracePeriodCriticalPodsMs,
    // The version's KubeletConfiguration defaults (5 / 10 before v1.27, 50 / 100 from v1.27).
    kubeAPIQPS: kubelet.kubeAPIQPS ?? features.kubeletKubeAPIQPS,
    kubeAPIBurst: kubelet.kubeAPIBurst ?? features.kubeletKubeAPIBurst,
    bootTimeMs: kubelet.bootTime ?? { ...DEFAULT_BOOT_TIME_MS },
    networkReadyTimeMs: kubelet.networkReadyTime ?? { ...DEFAULT_NETWORK_READY_TIME_MS },
  };
}

/** The faults, with their default targets resolved (every API server or etcd member, the leader). */
function buildFaults(
  spec: Raw,
  kubernetes: Scenario['spec']['kubernetes'],
  controlPlaneZones: string[],
  workloadIds: string[],
): FaultSpec[] {
  const layoutSpec = { kubernetes, controlPlane: { zones: controlPlaneZones } };
  const instancesOf = (component: string): string[] =>
    controlPlaneLayout(layoutSpec)
      .instances.filter((i) => i.component === component)
      .map((i) => i.name);

  const faults: FaultSpec[] = (spec.faults ?? []).filter(Boolean).map((f: Raw) => {
    const fault: Raw = { name: f.name, type: f.type, atMs: f.at };
    if (f.duration !== undefined) fault.durationMs = f.duration;
    const leaderOf =
      f.type === 'network-partition' ||
      f.type === 'network-degrade' ||
      f.type === 'clock-skew' ||
      f.type === 'apiserver-outage' ||
      f.type === 'apiserver-slow';
    let target: Target | undefined = f.target ? normalizeTarget(f.target, leaderOf) : undefined;
    if (target === undefined) {
      if (f.type === 'apiserver-outage') target = { instances: instancesOf('kube-apiserver') };
      else if (f.type === 'apiserver-slow') target = { instances: instancesOf('kube-apiserver') };
      else if (f.type === 'etcd-member-down' || f.type === 'etcd-slow') target = { instances: instancesOf('etcd') };
      else if (f.type === 'controller-manager-crash' || f.type === 'scheduler-crash') target = { instance: 'leader' };
    }
    if (typeof target?.workload === 'string') target.workload = canonicalWorkloadId(target.workload, workloadIds);
    fault.target = target;
    if (f.type === 'network-partition' || f.from !== undefined) {
      fault.from =
        f.from === undefined || f.from === 'control-plane' ? { controlPlane: true } : normalizeTarget(f.from, leaderOf);
    }
    if (f.loss !== undefined) fault.loss = f.loss;
    if (f.latency !== undefined) fault.latency = f.latency;
    if (f.offset !== undefined) fault.offsetMs = f.offset;
    if (f.rate !== undefined) fault.rate = f.rate;
    if (f.graceful !== undefined) fault.graceful = f.graceful;
    if (f.timeout !== undefined) fault.timeoutMs = f.timeout;
    if (f.disableEviction !== undefined) fault.disableEviction = f.disableEviction;
    if (f.gracePeriod !== undefined) fault.gracePeriodMs = f.gracePeriod;
    if (f.type === 'app-degrade') fault.symptom = f.symptom ?? 'readiness';
    if (f.maxSurge !== undefined) fault.maxSurge = f.maxSurge;
    if (f.maxUnavailable !== undefined) fault.maxUnavailable = f.maxUnavailable;
    if (f.drainTimeout !== undefined) fault.drainTimeoutMs = f.drainTimeout;
    return fault as FaultSpec;
  });
  return faults;
}

/** The SLOs, durations in ms. */
function buildSlos(spec: Raw, workloadIds: string[], serviceIds: string[]): SloSpec[] {
  const slos: SloSpec[] = (spec.slos ?? []).filter(Boolean).map((o: Raw) => {
    const slo: Raw = { name: o.name, type: o.type };
    if (o.workload !== undefined) slo.workload = canonicalWorkloadId(o.workload, workloadIds);
    if (o.after !== undefined) slo.after = o.after;
    if (o.component !== undefined) slo.component = o.component;
    if (o.service !== undefined)
      slo.service = typeof o.service === 'string' ? canonicalServiceId(o.service, serviceIds) : o.service;
    if (o.type === 'request-success-rate') {
      if (o.min !== undefined) slo.minPercent = o.min;
      if (o.rollingWindow !== undefined) slo.rollingWindowMs = o.rollingWindow;
    } else if (o.min !== undefined) slo.min = o.min;
    if (o.threshold !== undefined) slo.threshold = o.threshold;
    if (o.window !== undefined) slo.window = { fromMs: o.window.from, toMs: o.window.to };
    if (o.max !== undefined) {
      if (o.type === 'max-concurrent-leaders' || o.type === 'stuck-terminating' || o.type === 'failed-requests')
        slo.max = o.max;
      else slo.maxMs = o.max;
    }
    return slo as SloSpec;
  });
  return slos;
}

function leaderElection(raw: Raw | undefined): LeaderElectionConfig {
  return {
    leaseDurationMs: raw?.leaseDuration ?? D.DEFAULT_LEADER_ELECTION.leaseDurationMs,
    renewDeadlineMs: raw?.renewDeadline ?? D.DEFAULT_LEADER_ELECTION.renewDeadlineMs,
    retryPeriodMs: raw?.retryPeriod ?? D.DEFAULT_LEADER_ELECTION.retryPeriodMs,
  };
}

/**
 * `random` without `from` picks among all nodes (an empty label selector). With `defaultComponent`,
 * `instance: leader` without `component` means the kube-controller-manager leader.
 */
function normalizeTarget(raw: Raw, defaultComponent = false): Target {
  const t: Target = { ...raw };
  if (raw.from !== undefined) t.from = normalizeTarget(raw.from);
  else if (raw.random !== undefined) t.from = { labels: {} };
  const names: unknown[] = raw.instances ?? (raw.instance !== undefined ? [raw.instance] : []);
  if (defaultComponent && raw.component === undefined && names.includes('leader'))
    t.component = 'kube-controller-manager';
  return t;
}

/**
 * A workload reference as the run uses it: `Kind/name` stands for `namespace/Kind/name` when exactly one
 * workload of that kind and name exists (in any namespace). Anything else is left as written, for
 * semantic-checks.ts to report (unknown, or ambiguous with its candidates).
 */
export function canonicalWorkloadId(ref: string, ids: readonly string[]): string {
  if (ids.includes(ref)) return ref;
  const candidates = workloadCandidates(ref, ids);
  return candidates.length === 1 ? candidates[0] : ref;
}

/** The namespaced workloads a `Kind/name` reference could mean. */
export function workloadCandidates(ref: string, ids: readonly string[]): string[] {
  if (ref.split('/').length !== 2) return [];
  return ids.filter(
    (id) => id.split('/').length === 3 && id.endsWith(`/${ref}`) && workloadKindOf(id) === ref.split('/')[0],
  );
}

function admitted(a: ReturnType<typeof admitPriority>): WorkloadSpec['scheduling'] {
  return a.ok ? a.scheduling : undefined;
}

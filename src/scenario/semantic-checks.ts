// Checks that need the whole scenario: names are unique, references resolve, selectors suit their
// fault type, times fall inside the run, and timing parameters keep the relationships upstream
// enforces. Each check adds problems and carries on, so one pass reports everything.
import { controlPlaneLayout, type ControlPlaneComponent } from '../model/infra/control-plane-layout.js';
import { tolerationProblems } from '../k8s/tolerations.js';
import {
  featureGates,
  minorVersion,
  NEWEST_KUBERNETES_MINOR,
  NEWEST_KUBERNETES_VERSION,
  OLDEST_KUBERNETES_MINOR,
} from './defaults.js';
import type { FeatureGates } from '../k8s/config.js';
import type { PodAffinity } from '../k8s/scheduling.js';
import { didYouMean, listNames } from './did-you-mean.js';
import type { Problem } from './issues.js';
import { DNS1123_SUBDOMAIN_MAX, dns1035Label } from './names.js';
import { pdbSelects, type ManifestReadResult } from './manifests/index.js';
import type { Path } from './paths.js';
import { canonicalServiceId, serviceCandidates, workloadCandidates, type Sources } from './build.js';
import type { ServiceSpec } from '../k8s/services.js';
import { HIGHEST_USER_DEFINABLE_PRIORITY } from './manifests/index.js';
import { admitPriority, priorityClassTable } from './manifests/priority.js';
import { TOPOLOGY_AWARE_HINTS_ANNOTATION, TOPOLOGY_MODE_ANNOTATION } from './manifests/service.js';
import { SYSTEM_PRIORITY_CLASSES } from '../k8s/scheduling.js';
import { workloadKindOf } from '../k8s/workloads.js';
import type { FaultType, LeaderElectionConfig, Scenario } from './types.js';
import { formatDuration } from './units.js';

// Parsed YAML before validation: any shape at all, narrowed field by field as it is checked.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const NODE_SELECTORS = ['node', 'nodes', 'zone', 'labels', 'random'] as const;
const SELECTOR_KEYS = ['node', 'nodes', 'zone', 'labels', 'random', 'instance', 'instances', 'workload'] as const;

/**
 * Which target selectors each fault type accepts, and whether the target may be left out.
 * `component`: the instances must be of this component (crash and API/etcd faults).
 * `leader`: whether `instance: leader` is allowed — `implied` when the type names the component
 * (crash faults), `choose` when the target's `component` says whose leader (default kube-controller-manager).
 */
interface TargetRules {
  selectors: readonly string[];
  optional?: boolean;
  component?: ControlPlaneComponent;
  leader?: 'implied' | 'choose';
}

/** Selectors of the faults that act on hosts (network links, clocks): worker nodes or control-plane hosts. */
const HOST_SELECTORS = [...NODE_SELECTORS, 'instance', 'instances'] as const;

const FAULT_TARGETS: Record<FaultType, TargetRules> = {
  'node-crash': { selectors: HOST_SELECTORS, leader: 'choose' },
  'kubelet-stop': { selectors: NODE_SELECTORS },
  'network-partition': { selectors: HOST_SELECTORS, leader: 'choose' },
  'network-degrade': { selectors: HOST_SELECTORS, leader: 'choose' },
  'zone-outage': { selectors: ['zone'] },
  'apiserver-outage': {
    selectors: ['instance', 'instances'],
    optional: true,
    component: 'kube-apiserver',
    leader: 'choose',
  },
  'etcd-member-down': { selectors: ['instance', 'instances'], optional: true, component: 'etcd' },
  'apiserver-slow': {
    selectors: ['instance', 'instances'],
    optional: true,
    component: 'kube-apiserver',
    leader: 'choose',
  },
  'etcd-slow': { selectors: ['instance', 'instances'], optional: true, component: 'etcd' },
  'controller-manager-crash': {
    selectors: ['instance'],
    optional: true,
    component: 'kube-controller-manager',
    leader: 'implied',
  },
  'scheduler-crash': { selectors: ['instance'], optional: true, component: 'kube-scheduler', leader: 'implied' },
  'clock-skew': { selectors: HOST_SELECTORS, leader: 'choose' },
  'node-delete': { selectors: NODE_SELECTORS },
  'node-out-of-service': { selectors: NODE_SELECTORS },
  'pod-force-delete': { selectors: ['workload'] },
  'node-cordon': { selectors: NODE_SELECTORS },
  'node-uncordon': { selectors: NODE_SELECTORS },
  'node-drain': { selectors: NODE_SELECTORS },
  'node-shutdown': { selectors: NODE_SELECTORS },
  'app-degrade': { selectors: ['workload'] },
  'kube-proxy-stop': { selectors: NODE_SELECTORS },
  'node-pool-upgrade': { selectors: NODE_SELECTORS },
  'vm-delete': { selectors: NODE_SELECTORS },
};

const FAULT_ONLY_FIELDS: Record<string, readonly FaultType[]> = {
  loss: ['network-degrade'],
  latency: ['network-degrade', 'apiserver-slow', 'etcd-slow'],
  offset: ['clock-skew'],
  rate: ['clock-skew'],
  from: ['network-partition'],
  timeout: ['node-drain'],
  disableEviction: ['node-drain'],
  gracePeriod: ['node-drain'],
  symptom: ['app-degrade'],
  maxSurge: ['node-pool-upgrade'],
  maxUnavailable: ['node-pool-upgrade'],
  drainTimeout: ['node-pool-upgrade'],
};

/** What every group of checks reads, and how it reports. */
interface CheckContext {
  raw: Raw;
  original: unknown;
  scenario: Scenario;
  sources: Sources;
  manifests: ManifestReadResult;
  spec: Scenario['spec'];
  rawSpec: Raw;
  problems: Problem[];
  error: (path: Path, code: string, message: string, hint?: string, doc?: number) => void;
  warning: (path: Path, code: string, message: string, hint?: string, doc?: number) => void;
  /** Some spec.traffic entry names no Service: a Service may lack requests only because of that typo. */
  unresolvedTraffic?: boolean;
}

/**
 * `raw` is the structurally checked document (units converted, invalid parts left out); `original` is
 * the document as written (after --set), to tell a missing field from an invalid one.
 */
export function semanticChecks(
  raw: Raw,
  original: unknown,
  scenario: Scenario,
  sources: Sources,
  manifests: ManifestReadResult,
): Problem[] {
  const problems: Problem[] = [];
  const error = (path: Path, code: string, message: string, hint?: string, doc = 0): void => {
    problems.push({ severity: 'error', code, path, message, hint, doc });
  };
  const warning = (path: Path, code: string, message: string, hint?: string, doc = 0): void => {
    problems.push({ severity: 'warning', code, path, message, hint, doc });
  };
  const c: CheckContext = {
    raw,
    original,
    scenario,
    sources,
    manifests,
    spec: scenario.spec,
    rawSpec: raw.spec ?? {},
    problems,
    error,
    warning,
  };
  checkNames(c);
  checkKubernetes(c);
  checkWorkloads(c);
  checkManifestServices(c);
  checkTrafficEntries(c);
  checkVersionGatedFields(c);
  checkPriorities(c);
  checkAutoscaler(c);
  checkSlos(c, checkFaults(c));
  return problems;
}

/**
 * spec.autoscaler: each node group names a spec.nodes entry (one group per entry), its sizes hold
 * minSize <= the entry's count <= maxSize, and the nodes it may add do not take another node's name.
 */
function checkAutoscaler(c: CheckContext): void {
  const { rawSpec, spec, error } = c;
  const a: Raw | undefined = rawSpec.autoscaler;
  if (!a || typeof a !== 'object') return;
  const base = ['spec', 'autoscaler'];
  if (spec.autoscaler)
    checkLeaderElection(spec.autoscaler.leaderElection, [...base, 'leaderElection'], a.leaderElection, error);
  const entries: Raw[] = Array.isArray(rawSpec.nodes)
    ? rawSpec.nodes.filter((n: Raw) => typeof n?.name === 'string')
    : [];
  const entryNames = entries.map((n) => n.name as string);
  const nodeNames = new Set(spec.nodes.map((n) => n.name));
  const usedBy = new Map<string, number>();
  const groupNames = new Map<string, number>();
  (Array.isArray(a.nodeGroups) ? a.nodeGroups : []).forEach((g: Raw | undefined, i: number) => {
    if (!g || typeof g !== 'object') return;
    const path = [...base, 'nodeGroups', i];
    if (typeof g.name === 'string') {
      const seen = groupNames.get(g.name);
      if (seen !== undefined)
        error(
          [...path, 'name'],
          'duplicate-name',
          `duplicate node group "${g.name}" (nodeGroups[${seen}] already defines it)`,
        );
      else groupNames.set(g.name, i);
    }
    if (typeof g.nodes !== 'string') return;
    const entry = entries.find((n) => n.name === g.nodes);
    if (!entry) {
      error(
        [...path, 'nodes'],
        'unknown-reference',
        `unknown spec.nodes entry "${g.nodes}"${namesSuffix(g.nodes, entryNames)}`,
      );
      return;
    }
    const other = usedBy.get(g.nodes);
    if (other !== undefined)
      error(
        [...path, 'nodes'],
        'duplicate-name',
        `spec.nodes entry "${g.nodes}" is already node group nodeGroups[${other}]'s; a node belongs to one node group`,
      );
    else usedBy.set(g.nodes, i);
    checkNodeGroupSize(g, entry, path, nodeNames, error);
  });
}

/**
 * One node group's sizes against its spec.nodes entry, as cluster-autoscaler requires them
 * (minSize <= current size <= maxSize), and the names of the nodes it may add: the entry's name and the
 * next indexes, which must not be another entry's nodes.
 */
function checkNodeGroupSize(
  g: Raw,
  entry: Raw,
  path: Path,
  nodeNames: Set<string>,
  error: CheckContext['error'],
): void {
  const count: number = typeof entry.count === 'number' ? entry.count : 1;
  const minSize: number = typeof g.minSize === 'number' ? g.minSize : 0;
  const maxSize: number = typeof g.maxSize === 'number' ? g.maxSize : count;
  if (minSize > count)
    error(
      [...path, 'minSize'],
      'out-of-range',
      `minSize ${minSize} is above the group's current size ${count} (spec.nodes entry "${g.nodes}" has count ${count})`,
      "cluster-autoscaler needs minSize <= current size <= maxSize; lower minSize or raise the entry's count",
    );
  if (maxSize < count)
    error(
      [...path, 'maxSize'],
      'out-of-range',
      `maxSize ${maxSize} is below the group's current size ${count} (spec.nodes entry "${g.nodes}" has count ${count})`,
      'cluster-autoscaler needs minSize <= current size <= maxSize',
    );
  const first = count > 1 ? count : 1;
  for (let k = first; k < first + Math.max(0, maxSize - count); k++) {
    const name = `${g.nodes}-${k}`;
    if (nodeNames.has(name)) {
      error(
        [...path, 'maxSize'],
        'duplicate-name',
        `the group may add a node named "${name}", which another spec.nodes entry already defines`,
        'rename one of the entries',
      );
      break;
    }
  }
}

/** Names are unique: nodes, workloads, faults and SLOs. */
function checkNames(c: CheckContext): void {
  const { sources, spec, rawSpec, error } = c;
  const firstNode = new Map<string, number>();
  const scenarioNodes = sources.nodes.filter((from) => from >= 0).length;
  spec.nodes.forEach((n, i) => {
    const from = sources.nodes[i];
    const seen = firstNode.get(n.name);
    if (from < 0) {
      // A Node manifest named like a node of spec.nodes (Node manifests among themselves: manifests/index.ts).
      const m = c.manifests.nodes[i - scenarioNodes];
      if (seen !== undefined && seen >= 0)
        error(
          [...m.base, 'metadata', 'name'],
          'duplicate-name',
          `duplicate node name "${n.name}" (spec.nodes[${seen}] already defines it)`,
          undefined,
          m.doc,
        );
      if (seen === undefined) firstNode.set(n.name, from);
      return;
    }
    if (seen === undefined) firstNode.set(n.name, from);
    else if (seen !== from) {
      error(
        ['spec', 'nodes', from, 'name'],
        'duplicate-name',
        `duplicate node name "${n.name}" (spec.nodes[${seen}] already defines it)`,
      );
    }
  });
  const firstWorkload = new Map<string, number>();
  spec.workloads.forEach((w, i) => {
    if (w.name === undefined || w.kind === undefined) return;
    const seen = firstWorkload.get(w.id);
    if (seen === undefined) firstWorkload.set(w.id, i);
    else {
      const src = sources.workloads[i];
      error(
        src.path,
        'duplicate-name',
        `duplicate workload "${w.id}" (${spec.workloads[seen].origin} already defines it)`,
        undefined,
        src.doc,
      );
    }
  });
  (Array.isArray(rawSpec.nodes) ? rawSpec.nodes : []).forEach((n: Raw | undefined, i: number) => {
    if (typeof n?.name !== 'string' || typeof n.count !== 'number' || n.count < 2) return;
    const last = `${n.name}-${n.count - 1}`;
    if (last.length > DNS1123_SUBDOMAIN_MAX)
      error(
        ['spec', 'nodes', i, 'name'],
        'invalid-value',
        `with count ${n.count} the last node is named "${last.slice(0, 40)}..." (${last.length} characters); a node name has at most ${DNS1123_SUBDOMAIN_MAX}`,
      );
  });
  duplicateNames(rawSpec.faults, 'fault', ['spec', 'faults'], error);
  duplicateNames(rawSpec.slos, 'SLO', ['spec', 'slos'], error);
}

/** The version has a profile: "1.26" to "1.37" (docs/fidelity.md#version-profiles). */
function checkVersionRange(version: string, error: CheckContext['error']): void {
  const minor = minorVersion(version);
  const oldest = `1.${OLDEST_KUBERNETES_MINOR}`;
  const path = ['spec', 'kubernetes', 'version'];
  if (minor > NEWEST_KUBERNETES_MINOR) {
    error(
      path,
      'unsupported-version',
      `hasim knows Kubernetes up to ${NEWEST_KUBERNETES_VERSION}; this scenario asks for "${version}"`,
      `${NEWEST_KUBERNETES_VERSION} is the newest release hasim has a profile for (docs/fidelity.md#version-profiles); use version: "${NEWEST_KUBERNETES_VERSION}", or leave version out to get it`,
    );
  } else if (minor < OLDEST_KUBERNETES_MINOR) {
    error(
      path,
      'unsupported-version',
      `hasim knows Kubernetes from ${oldest} to ${NEWEST_KUBERNETES_VERSION}; "${version}" is older than its oldest profile`,
      `${oldest} is kept for evictionMode: legacy (the last release with it); the profiles of ${oldest} to ${NEWEST_KUBERNETES_VERSION} are in docs/fidelity.md#version-profiles`,
    );
  }
}

/** The Kubernetes parameters: upstream's rules on their relationships, and the version profile. */
function checkKubernetes(c: CheckContext): void {
  const { spec, rawSpec, error } = c;
  const k = spec.kubernetes;
  const rawK: Raw = rawSpec.kubernetes ?? {};
  const cmPath = ['spec', 'kubernetes', 'controllerManager'];
  const minor = minorVersion(k.version);
  checkVersionRange(k.version, error);
  if (k.controllerManager.evictionMode === 'legacy' && !(minor < 27)) {
    error(
      [...cmPath, 'evictionMode'],
      'unsupported-in-version',
      `evictionMode "legacy" needs Kubernetes older than 1.27; this scenario uses version "${k.version}"`,
      '--pod-eviction-timeout and the non-taint eviction path were removed from kube-controller-manager in v1.27 (kubernetes/kubernetes PR #115840); use evictionMode: taint (pods leave after their NoExecute tolerationSeconds) or set kubernetes.version: "1.26"',
    );
  }
  checkControlPlaneLeaderElection(k, rawK, error);
  checkShutdownGracePeriods(k.kubelet, error);
  checkNodeMonitorTiming(k, rawK, error);
  checkEtcdTiming(k, rawK, error);
  if (rawSpec.controlPlane?.zones !== undefined && spec.controlPlane.zones.length === 0) {
    error(['spec', 'controlPlane', 'zones'], 'out-of-range', 'needs at least one zone');
  }
  const duration = spec.durationMs;
  if (duration === 0) error(['spec', 'duration'], 'out-of-range', 'must be longer than 0s');
}

/** The leader election of kube-controller-manager, kube-scheduler and cloud-controller-manager (if any). */
function checkControlPlaneLeaderElection(
  k: Scenario['spec']['kubernetes'],
  rawK: Raw,
  error: CheckContext['error'],
): void {
  checkLeaderElection(
    k.controllerManager.leaderElection,
    ['spec', 'kubernetes', 'controllerManager', 'leaderElection'],
    rawK.controllerManager?.leaderElection,
    error,
  );
  checkLeaderElection(
    k.scheduler.leaderElection,
    ['spec', 'kubernetes', 'scheduler', 'leaderElection'],
    rawK.scheduler?.leaderElection,
    error,
  );
  if (k.cloudControllerManager)
    checkLeaderElection(
      k.cloudControllerManager.leaderElection,
      ['spec', 'kubernetes', 'cloudControllerManager', 'leaderElection'],
      rawK.cloudControllerManager?.leaderElection,
      error,
    );
}

/** The kubelet's graceful node shutdown: the critical pods' share fits in the whole grace period. */
function checkShutdownGracePeriods(
  kubelet: Scenario['spec']['kubernetes']['kubelet'],
  error: CheckContext['error'],
): void {
  const { shutdownGracePeriodMs, shutdownGracePeriodCriticalPodsMs } = kubelet;
  if (shutdownGracePeriodCriticalPodsMs > shutdownGracePeriodMs)
    error(
      ['spec', 'kubernetes', 'kubelet', 'shutdownGracePeriodCriticalPods'],
      'inconsistent-timing',
      `shutdownGracePeriodCriticalPods (${formatDuration(shutdownGracePeriodCriticalPodsMs)}) must not exceed shutdownGracePeriod (${formatDuration(shutdownGracePeriodMs)})`,
      'the kubelet rejects this configuration (pkg/kubelet/apis/config/validation: ShutdownGracePeriodCriticalPods <= ShutdownGracePeriod)',
    );
}

/**
 * The node lifecycle controller's timing: nodeMonitorGracePeriod outlasts the kubelet's lease renew
 * interval and nodeMonitorPeriod, and neither period nor the kubelet's status updates are 0.
 */
/** etcd's own checks of its raft timing (server/embed/config.go, Config.Validate). */
function checkEtcdTiming(k: Scenario['spec']['kubernetes'], rawK: Raw, error: CheckContext['error']): void {
  const path = ['spec', 'kubernetes', 'etcd'];
  const where = (field: string): Path => (rawK.etcd?.[field] !== undefined ? [...path, field] : path);
  const hint = 'etcd refuses to start with this (server/embed/config.go, Config.Validate)';
  const heartbeatMs = k.etcd.heartbeatIntervalMs ?? 100;
  const electionMs = k.etcd.electionTimeoutMs ?? 1_000;
  if (heartbeatMs <= 0) {
    error(where('heartbeatInterval'), 'inconsistent-timing', 'heartbeatInterval must be longer than 0s', hint);
    return;
  }
  if (electionMs <= 0) {
    error(where('electionTimeout'), 'inconsistent-timing', 'electionTimeout must be longer than 0s', hint);
    return;
  }
  if (5 * heartbeatMs > electionMs) {
    error(
      where('electionTimeout'),
      'inconsistent-timing',
      `electionTimeout (${formatDuration(electionMs)}) must be at least 5 × heartbeatInterval (${formatDuration(heartbeatMs)} × 5 = ${formatDuration(5 * heartbeatMs)})`,
      hint,
    );
  }
  if (electionMs > 50_000) {
    error(
      where('electionTimeout'),
      'out-of-range',
      `electionTimeout (${formatDuration(electionMs)}) must be at most 50s`,
      hint,
    );
  }
}

function checkNodeMonitorTiming(k: Scenario['spec']['kubernetes'], rawK: Raw, error: CheckContext['error']): void {
  const cmPath = ['spec', 'kubernetes', 'controllerManager'];
  const grace = k.controllerManager.nodeMonitorGracePeriodMs;
  const gracePath =
    rawK.controllerManager?.nodeMonitorGracePeriod !== undefined ? [...cmPath, 'nodeMonitorGracePeriod'] : cmPath;
  const renewIntervalMs = k.kubelet.nodeLeaseDurationSeconds * 250;
  if (grace !== undefined && grace <= renewIntervalMs) {
    error(
      gracePath,
      'inconsistent-timing',
      `nodeMonitorGracePeriod (${formatDuration(grace)}) must be longer than the kubelet's lease renew interval (${formatDuration(renewIntervalMs)} = 0.25 × nodeLeaseDurationSeconds ${k.kubelet.nodeLeaseDurationSeconds})`,
      'otherwise healthy nodes are marked Unknown between two lease renewals; upstream warns the grace period must cover several kubelet retries',
    );
  } else if (
    grace !== undefined &&
    k.controllerManager.nodeMonitorPeriodMs !== undefined &&
    grace <= k.controllerManager.nodeMonitorPeriodMs
  ) {
    error(
      gracePath,
      'inconsistent-timing',
      `nodeMonitorGracePeriod (${formatDuration(grace)}) must be longer than nodeMonitorPeriod (${formatDuration(k.controllerManager.nodeMonitorPeriodMs)})`,
    );
  }
  if (k.controllerManager.nodeMonitorPeriodMs === 0) {
    error([...cmPath, 'nodeMonitorPeriod'], 'out-of-range', 'must be longer than 0s');
  }
  if (k.kubelet.nodeStatusUpdateFrequencyMs === 0) {
    error(['spec', 'kubernetes', 'kubelet', 'nodeStatusUpdateFrequency'], 'out-of-range', 'must be longer than 0s');
  }
}

function zonesOfNodes(spec: CheckContext['spec']): string[] {
  return [...new Set(spec.nodes.map((n) => n.zone))].sort();
}

/**
 * A workload's `service`: a unique name, client zones that have nodes, and the rules of core/v1 Service
 * validation (pkg/apis/core/validation ValidateService): externalTrafficPolicy only for NodePort and
 * LoadBalancer, so load-balancer clients need one of those types.
 */
function checkService(c: CheckContext, w: Raw, path: Path, zones: string[], names: Set<string>): void {
  const { error } = c;
  const sv: Raw = w.service;
  const sPath = [...path, 'service'];
  const name: unknown = sv.name ?? w.name;
  if (typeof name === 'string') {
    // The default name is the workload's, which may start with a digit; a Service's may not.
    const why = sv.name === undefined ? dns1035Label.check(name) : undefined;
    if (why !== undefined)
      error(
        sPath,
        'invalid-value',
        `the Service would be named "${name}", after its workload, but ${why}; give it a service.name`,
      );
    if (names.has(name))
      error(sv.name !== undefined ? [...sPath, 'name'] : sPath, 'duplicate-name', `Service "${name}" is defined twice`);
    names.add(name);
  }
  const type = sv.type ?? 'ClusterIP';
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (sv.externalTrafficPolicy !== undefined && !external) {
    error(
      [...sPath, 'externalTrafficPolicy'],
      'not-applicable',
      'externalTrafficPolicy is only for type NodePort or LoadBalancer (core/v1 Service validation)',
    );
  }
  if (sv.topologyMode !== undefined && sv.trafficDistribution !== undefined)
    error(
      [...sPath, 'topologyMode'],
      'not-applicable',
      'topologyMode and trafficDistribution are alternatives: the EndpointSlice controller ignores trafficDistribution while the topology-mode annotation is Auto; keep one',
    );
  checkTrafficClients(c, sv.traffic, [...sPath, 'traffic'], external, zones);
}

/** Where a Service's requests come from: zones that have nodes, and load-balancer clients only where they can reach it. */
function checkTrafficClients(
  c: CheckContext,
  traffic: Raw | undefined,
  tPath: Path,
  external: boolean,
  zones: string[],
): void {
  const { error } = c;
  const clients = traffic?.clients;
  if (clients === 'load-balancer' && !external) {
    error(
      [...tPath, 'clients'],
      'not-applicable',
      'load-balancer clients need type NodePort or LoadBalancer (a ClusterIP Service is not reachable from outside)',
    );
  }
  if (clients !== undefined && typeof clients === 'object') {
    const list: Raw[] = Array.isArray(clients.zones) ? clients.zones : [];
    if (Array.isArray(clients.zones) && list.length === 0)
      error([...tPath, 'clients', 'zones'], 'selects-nothing', 'lists no zone');
    let total = 0;
    list.forEach((z, k) => {
      if (typeof z?.zone === 'string' && !zones.includes(z.zone)) {
        error(
          [...tPath, 'clients', 'zones', k, 'zone'],
          'unknown-reference',
          `no node is in zone "${z.zone}"${namesSuffix(z.zone, zones)}`,
        );
      }
      total += typeof z?.weight === 'number' ? z.weight : 1;
    });
    if (list.length > 0 && total === 0)
      error([...tPath, 'clients', 'zones'], 'out-of-range', 'the weights add up to 0: nobody sends requests');
  }
}

/**
 * v1 Service manifests: names unique with the shorthand's (both are in the default namespace), and a selector
 * that matches some workload's pods (upstream accepts one that matches nothing; it just has no endpoints).
 */
function checkManifestServices(c: CheckContext): void {
  const { manifests, spec, error, warning } = c;
  const shorthand = new Map(
    (spec.services ?? []).filter((sv) => sv.selector === undefined).map((sv) => [sv.name, sv.origin]),
  );
  for (const m of manifests.services) {
    const other = shorthand.get(m.id);
    if (other !== undefined)
      error(
        [...m.base, 'metadata', 'name'],
        'duplicate-name',
        `Service "${m.id}" is defined twice (${other} already defines it)`,
        'Service names are unique in a namespace; rename one of them',
        m.doc,
      );
    const built = (spec.services ?? []).find((sv) => sv.selector !== undefined && sv.name === m.id);
    if (built && built.workloads.length === 0 && !manifests.incomplete.workloads) {
      const selector = Object.entries(m.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      warning(
        [...m.base, 'spec', 'selector'],
        'selects-nothing',
        `Service "${m.id}" selects no workload's pods (selector ${selector} in namespace "${m.namespace}"): it has no endpoints, so no request sent to it is ever metered`,
        undefined,
        m.doc,
      );
    }
  }
}

/** Every Service id the scenario simulates: the shorthand's names and the manifests' ids. */
function serviceIds(spec: CheckContext['spec']): string[] {
  return (spec.services ?? []).map((sv) => sv.name);
}

/**
 * Resolves a Service reference (spec.traffic, an SLO) and reports what is wrong with it: unknown (did you mean),
 * ambiguous between namespaces, or left out by the reader. Returns the Service when it resolves.
 */
function resolveService(c: CheckContext, ref: string, path: Path): ServiceSpec | undefined {
  const ids = serviceIds(c.spec);
  const id = canonicalServiceId(ref, ids);
  const found = (c.spec.services ?? []).find((sv) => sv.name === id);
  if (found) return found;
  const candidates = serviceCandidates(ref, ids);
  if (candidates.length > 1) {
    c.error(
      path,
      'ambiguous-reference',
      `Service "${ref}" is ambiguous: ${candidates.map((x) => `"${x}"`).join(' and ')} both have that name`,
      'write namespace/name',
    );
    return undefined;
  }
  const leftOutId = [...c.manifests.leftOutServices.keys()].find((k) => k === ref || k.endsWith(`/${ref}`));
  const leftOut = leftOutId === undefined ? undefined : c.manifests.leftOutServices.get(leftOutId);
  if (leftOut !== undefined) {
    c.error(path, 'unknown-reference', `Service "${ref}" is ${leftOut}, and hasim leaves it out (see its warning)`);
    return undefined;
  }
  if (c.manifests.incomplete.services) return undefined;
  const known = ids.length === 0 ? ' (no Service is defined)' : namesSuffix(ref, ids);
  c.error(path, 'unknown-reference', `unknown Service "${ref}"${known}`);
  return undefined;
}

/** spec.traffic: each entry names a v1 Service manifest, once; its clients can reach it. */
function checkTrafficEntries(c: CheckContext): void {
  const { rawSpec, error } = c;
  const zones = zonesOfNodes(c.spec);
  const seen = new Map<string, number>();
  (rawSpec.traffic ?? []).forEach((e: Raw | undefined, i: number) => {
    if (!e || typeof e.service !== 'string') return;
    const path = ['spec', 'traffic', i];
    const sv = resolveService(c, e.service, [...path, 'service']);
    if (sv === undefined) {
      c.unresolvedTraffic = true;
      return;
    }
    if (sv.selector === undefined) {
      error(
        [...path, 'service'],
        'not-applicable',
        `Service "${sv.name}" is a workload's service shorthand (${sv.origin}); give its requests there, under traffic`,
      );
      return;
    }
    const first = seen.get(sv.name);
    if (first !== undefined) {
      error(
        [...path, 'service'],
        'duplicate-name',
        `Service "${sv.name}" already has its requests in spec.traffic[${first}]; one entry per Service`,
      );
      return;
    }
    seen.set(sv.name, i);
    checkTrafficClients(c, e, path, sv.type === 'NodePort' || sv.type === 'LoadBalancer', zones);
  });
}

/** Reports a field whose feature gate is off by default in the scenario's version. */
type GatedField = (path: Path, field: string, gate: keyof FeatureGates, doc?: number) => void;

/**
 * Fields whose feature gate is off by default in the scenario's version: upstream's API server drops a field of a
 * disabled gate when the object is created (pkg/api/pod/util.go dropDisabledFields, pkg/api/service/util.go
 * DropDisabledFields, the PodDisruptionBudget strategy's dropDisabledFields), so the cluster would silently run
 * without it. hasim says so instead of simulating what the file asks for.
 */
function checkVersionGatedFields(c: CheckContext): void {
  const version = c.spec.kubernetes.version;
  const minor = minorVersion(version);
  if (!(minor >= OLDEST_KUBERNETES_MINOR && minor <= NEWEST_KUBERNETES_MINOR)) return;
  const gates = featureGates(minor);
  const since = (gate: keyof FeatureGates): string => {
    for (let m = minor + 1; m <= NEWEST_KUBERNETES_MINOR; m++) if (featureGates(m)[gate]) return `1.${m}`;
    return NEWEST_KUBERNETES_VERSION;
  };
  const gated: GatedField = (path, field, gate, doc = 0) => {
    c.error(
      path,
      'unsupported-in-version',
      `${field} needs Kubernetes ${since(gate)} or later; this scenario uses version "${version}"`,
      `its feature gate ${gate} is off by default in ${version}, and upstream's API server drops the field of a disabled gate, so the cluster would run without it; set kubernetes.version: "${since(gate)}" or later, or remove the field`,
      doc,
    );
  };
  checkGatedWorkloadFields(c.rawSpec, gates, gated);
  checkGatedPodTemplateFields(c, gates, gated);
  for (const m of c.manifests.services) {
    if (m.topologyAnnotation === TOPOLOGY_MODE_ANNOTATION && minor < 27)
      c.error(
        [...m.base, 'metadata', 'annotations', TOPOLOGY_MODE_ANNOTATION],
        'unsupported-in-version',
        `the ${TOPOLOGY_MODE_ANNOTATION} annotation needs Kubernetes 1.27 or later; this scenario uses version "${version}"`,
        `before 1.27 the EndpointSlice controller and kube-proxy read only ${TOPOLOGY_AWARE_HINTS_ANNOTATION}, so the cluster would run without hints; use ${TOPOLOGY_AWARE_HINTS_ANNOTATION}: auto, or set kubernetes.version: "1.27" or later`,
        m.doc,
      );
    const td = m.trafficDistributionWritten;
    if (td === undefined) continue;
    const at = [...m.base, 'spec', 'trafficDistribution'];
    if (!gates.ServiceTrafficDistribution) gated(at, 'trafficDistribution', 'ServiceTrafficDistribution', m.doc);
    else if (td !== 'PreferClose' && !gates.PreferSameTrafficDistribution)
      gated(at, `trafficDistribution ${td}`, 'PreferSameTrafficDistribution', m.doc);
  }
}

/** The scenario's own workloads: a Service's trafficDistribution, a PodDisruptionBudget's policy. */
function checkGatedWorkloadFields(rawSpec: Raw, gates: FeatureGates, gated: GatedField): void {
  (rawSpec.workloads ?? []).forEach((w: Raw | undefined, i: number) => {
    const path = ['spec', 'workloads', i];
    const td = w?.service?.trafficDistribution;
    if (td !== undefined) {
      if (!gates.ServiceTrafficDistribution)
        gated([...path, 'service', 'trafficDistribution'], 'trafficDistribution', 'ServiceTrafficDistribution');
      else if ((td === 'PreferSameZone' || td === 'PreferSameNode') && !gates.PreferSameTrafficDistribution)
        gated(
          [...path, 'service', 'trafficDistribution'],
          `trafficDistribution ${td}`,
          'PreferSameTrafficDistribution',
        );
    }
    if (w?.podDisruptionBudget?.unhealthyPodEvictionPolicy !== undefined && !gates.PDBUnhealthyPodEvictionPolicy)
      gated(
        [...path, 'podDisruptionBudget', 'unhealthyPodEvictionPolicy'],
        'unhealthyPodEvictionPolicy',
        'PDBUnhealthyPodEvictionPolicy',
      );
  });
}

/** Pod templates of workload manifests: topology spread and pod (anti-)affinity fields. */
function checkGatedPodTemplateFields(c: CheckContext, gates: FeatureGates, gated: GatedField): void {
  c.spec.workloads.forEach((w, i) => {
    const src = c.sources.workloads[i];
    const sched = w.scheduling;
    if (!sched || src.doc === 0) return;
    const podSpec = [...src.base, 'spec', 'template', 'spec'];
    sched.topologySpreadConstraints.forEach((t, k) => {
      const at = [...podSpec, 'topologySpreadConstraints', k];
      if (t.minDomains !== undefined && !gates.MinDomainsInPodTopologySpread)
        gated([...at, 'minDomains'], 'minDomains', 'MinDomainsInPodTopologySpread', src.doc);
      if (t.matchLabelKeys.length > 0 && !gates.MatchLabelKeysInPodTopologySpread)
        gated([...at, 'matchLabelKeys'], 'matchLabelKeys', 'MatchLabelKeysInPodTopologySpread', src.doc);
      if ((t.nodeAffinityPolicy ?? t.nodeTaintsPolicy) !== undefined && !gates.NodeInclusionPolicyInPodTopologySpread)
        gated(
          [...at, t.nodeAffinityPolicy !== undefined ? 'nodeAffinityPolicy' : 'nodeTaintsPolicy'],
          'nodeAffinityPolicy / nodeTaintsPolicy',
          'NodeInclusionPolicyInPodTopologySpread',
          src.doc,
        );
    });
    if (gates.MatchLabelKeysInPodAffinity) return;
    for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
      const a: PodAffinity | undefined = sched.affinity?.[kind];
      const at = [...podSpec, 'affinity', kind];
      const terms = [
        ...(a?.required ?? []).map((t, k) => ({
          t,
          path: [...at, 'requiredDuringSchedulingIgnoredDuringExecution', k],
        })),
        ...(a?.preferred ?? []).map((p, k) => ({
          t: p.podAffinityTerm,
          path: [...at, 'preferredDuringSchedulingIgnoredDuringExecution', k, 'podAffinityTerm'],
        })),
      ];
      for (const { t, path } of terms)
        if (t.matchLabelKeys.length + t.mismatchLabelKeys.length > 0)
          gated(
            [...path, t.matchLabelKeys.length > 0 ? 'matchLabelKeys' : 'mismatchLabelKeys'],
            'matchLabelKeys / mismatchLabelKeys',
            'MatchLabelKeysInPodAffinity',
            src.doc,
          );
    }
  });
}

/** Workloads: PodDisruptionBudgets, tolerations and selectors. */
function checkWorkloads(c: CheckContext): void {
  checkShorthandWorkloads(c);
  checkWorkloadTolerations(c);
  checkNodeSelectors(c);
  checkPdbManifests(c);
}

/** The scenario's own workloads (spec.workloads): fields that suit the kind, services, probes, claims, PDBs. */
function checkShorthandWorkloads(c: CheckContext): void {
  const { spec, rawSpec, error } = c;
  const serviceNames = new Set<string>();
  (rawSpec.workloads ?? []).forEach((w: Raw | undefined, i: number) => {
    if (!w) return;
    const path = ['spec', 'workloads', i];
    if (w.kind === 'DaemonSet' && w.replicas !== undefined) {
      error(
        [...path, 'replicas'],
        'not-applicable',
        'a DaemonSet has no replicas: it runs one pod on every eligible node',
      );
    }
    if (w.service) checkService(c, w, path, zonesOfNodes(spec), serviceNames);
    if (w.probes) checkProbes(c, w.probes, [...path, 'probes']);
    if (w.volumeClaimTemplates) checkClaimTemplates(c, w, [...path, 'volumeClaimTemplates']);
    const pdb = w.podDisruptionBudget;
    if (pdb) checkPdbBudget(c, pdb, [...path, 'podDisruptionBudget'], ' (as policy/v1 PodDisruptionBudget requires)');
  });
}

/** A PodDisruptionBudget sets exactly one of minAvailable and maxUnavailable, as policy/v1 requires. */
function checkPdbBudget(
  c: CheckContext,
  pdb: { minAvailable?: unknown; maxUnavailable?: unknown },
  path: Path,
  why: string,
  doc?: number,
): void {
  if (pdb.minAvailable !== undefined && pdb.maxUnavailable !== undefined) {
    c.error(path, 'conflicting-fields', `set minAvailable or maxUnavailable, not both${why}`, undefined, doc);
  } else if (pdb.minAvailable === undefined && pdb.maxUnavailable === undefined) {
    c.error(path, 'missing-field', 'set one of minAvailable, maxUnavailable', undefined, doc);
  }
}

/** Where a field of a workload's pod spec was written: under spec.workloads[i], or in its manifest's template. */
function podSpecFieldPath(src: Sources['workloads'][number], field: string): Path {
  return src.doc === 0 ? ['spec', 'workloads', src.path[2], field] : [...src.base, 'spec', 'template', 'spec', field];
}

/** Every workload's tolerations, as core/v1 validation has them (k8s/tolerations.ts). */
function checkWorkloadTolerations(c: CheckContext): void {
  c.spec.workloads.forEach((w, i) => {
    const src = c.sources.workloads[i];
    w.tolerations.forEach((t, k) => {
      for (const p of tolerationProblems(t))
        c.error(
          [...podSpecFieldPath(src, 'tolerations'), k, p.field],
          'invalid-toleration',
          p.message,
          undefined,
          src.doc,
        );
    });
  });
}

/** A nodeSelector that no node of the scenario matches leaves the workload's pods Pending. */
function checkNodeSelectors(c: CheckContext): void {
  const { spec, sources } = c;
  spec.workloads.forEach((w, i) => {
    const selector = Object.entries(w.nodeSelector ?? {});
    if (
      selector.length > 0 &&
      spec.nodes.length > 0 &&
      !spec.nodes.some((n) => selector.every(([key, v]) => n.labels[key] === v))
    ) {
      const src = sources.workloads[i];
      c.warning(
        podSpecFieldPath(src, 'nodeSelector'),
        'selects-nothing',
        `nodeSelector matches no node; the pods of ${w.id} will stay Pending`,
        undefined,
        src.doc,
      );
    }
  });
}

/**
 * PodDisruptionBudget manifests: one of minAvailable and maxUnavailable, a selector that selects some
 * workload's pods, and at most one budget per workload (the eviction API refuses pods with more).
 */
function checkPdbManifests(c: CheckContext): void {
  const { manifests, error, warning } = c;
  for (const pdb of manifests.pdbs) {
    checkPdbBudget(c, pdb, [...pdb.base, 'spec'], '', pdb.doc);
    const selected = manifests.workloads.filter((w) => pdbSelects(pdb, w));
    if (selected.length === 0) {
      warning(
        [...pdb.base, 'spec', 'selector'],
        'selects-nothing',
        `PodDisruptionBudget "${pdb.name}" selects the pods of no workload in this file; hasim ignores it`,
        undefined,
        pdb.doc,
      );
    }
  }
  for (const w of manifests.workloads) {
    const pdbs = manifests.pdbs.filter((p) => pdbSelects(p, w));
    if (pdbs.length > 1) {
      error(
        [...w.base, 'metadata', 'name'],
        'conflicting-fields',
        `the pods of ${w.id} are selected by ${pdbs.length} PodDisruptionBudgets (${pdbs.map((p) => p.name).join(', ')}); the eviction API refuses pods with more than one`,
        undefined,
        w.doc,
      );
    }
  }
}

/** A shorthand workload's volumeClaimTemplates: a StatefulSet's only, with distinct names. */
function checkClaimTemplates(c: CheckContext, w: Raw, path: Path): void {
  if (w.kind !== 'StatefulSet') {
    c.error(
      path,
      'not-applicable',
      `a ${w.kind} has no volumeClaimTemplates: only a StatefulSet gives each pod claims of its own`,
      'give the pods volumes through a StatefulSet, or remove volumeClaimTemplates',
    );
    return;
  }
  const seen = new Set<string>();
  (w.volumeClaimTemplates as Raw[]).forEach((t, i) => {
    if (!t || typeof t.name !== 'string') return;
    if (seen.has(t.name))
      c.error([...path, i, 'name'], 'duplicate-name', `two volume claim templates are named "${t.name}"`);
    seen.add(t.name);
  });
}

/**
 * PriorityClasses as the API server validates them (pkg/apis/scheduling/validation: ValidatePriorityClass;
 * plugin/pkg/admission/priority: one globalDefault), and each workload's priorityClassName as the Priority
 * admission plugin resolves it.
 */
function checkPriorities(c: CheckContext): void {
  const { manifests, error } = c;
  const system = new Map(SYSTEM_PRIORITY_CLASSES.map((p) => [p.name, p]));
  let firstDefault: string | undefined;
  for (const pc of manifests.priorityClasses) {
    const sys = system.get(pc.name);
    if (sys !== undefined) {
      if (sys.value !== pc.value)
        error(
          [...pc.base, 'value'],
          'invalid-value',
          `the system PriorityClass ${pc.name} has value ${sys.value}`,
          undefined,
          pc.doc,
        );
    } else if (pc.name.startsWith('system-')) {
      error(
        [...pc.base, 'metadata', 'name'],
        'invalid-value',
        `PriorityClass names starting with "system-" are reserved for the system classes (${[...system.keys()].join(', ')})`,
        undefined,
        pc.doc,
      );
    } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      error(
        [...pc.base, 'value'],
        'out-of-range',
        `a PriorityClass value is at most ${HIGHEST_USER_DEFINABLE_PRIORITY}; higher ones are reserved for the system classes`,
        undefined,
        pc.doc,
      );
    }
    if (pc.globalDefault) {
      if (firstDefault !== undefined)
        error(
          [...pc.base, 'globalDefault'],
          'conflicting-fields',
          `PriorityClass ${firstDefault} is already marked as the global default; only one can be`,
          undefined,
          pc.doc,
        );
      else firstDefault = pc.name;
    }
  }
  const table = priorityClassTable(manifests.priorityClasses);
  for (const w of manifests.workloads) {
    const a = admitPriority(w.scheduling, w.own, table);
    if (a.ok) continue;
    const name = w.scheduling.priorityClassName ?? '';
    error(
      [...w.base, 'spec', 'template', 'spec', a.field],
      a.field === 'priorityClassName' ? 'unknown-reference' : 'conflicting-fields',
      `${a.message}; the API server would reject the pods of ${w.id}${a.field === 'priorityClassName' ? namesSuffix(name, [...table.keys()]) : ''}`,
      a.field === 'priorityClassName'
        ? 'add the PriorityClass to the file (kubectl get priorityclass -o yaml prints it)'
        : undefined,
      w.doc,
    );
  }
}

/** Faults: targets that resolve, fields that suit the fault type, times within the run. */
function checkFaults(c: CheckContext): TargetContext {
  const ctx = targetContext(c);
  (c.rawSpec.faults ?? []).forEach((f: Raw | undefined, i: number) => {
    if (!f || f.type === undefined) return;
    const path = ['spec', 'faults', i];
    checkFaultFields(c, f, path);
    checkDrainFields(f, path, c.error);
    checkAppFaultFields(c, f, path);
    checkFaultTargets(c, f, path, ctx);
    checkFaultWindow(c, f, path);
    if (f.type === 'zone-outage' && typeof f.target?.zone === 'string')
      warnControlPlaneLoss(c, f.target.zone, path, ctx);
  });
  return ctx;
}

/** What fault targets and SLOs resolve their references against: the nodes, zones, workloads and control plane. */
function targetContext(c: CheckContext): TargetContext {
  const { original, scenario, spec, rawSpec, error } = c;
  const nodeNames = spec.nodes.map((n) => n.name);
  const nodeZones = new Set(spec.nodes.map((n) => n.zone));
  const layout = controlPlaneLayout(spec);
  const zones = new Set([...nodeZones, ...spec.controlPlane.zones]);
  const workloadIds = spec.workloads.filter((w) => w.name !== undefined && w.kind !== undefined).map((w) => w.id);
  // A workload or node whose kind or name was itself invalid is missing here; references to it would
  // only repeat that problem, so they are not reported.
  const originalSpec: Raw = (original as Raw | undefined)?.spec ?? {};
  // An object after the Scenario that could not be read may be the workload or node a reference means.
  const incompleteWorkloads =
    incomplete(rawSpec.workloads, originalSpec.workloads, ['kind', 'name']) || c.manifests.incomplete.workloads;
  const incompleteNodes = incomplete(rawSpec.nodes, originalSpec.nodes, ['name']) || c.manifests.incomplete.nodes;
  return {
    scenario,
    nodeNames,
    zones,
    workloadIds,
    layout,
    error,
    incompleteWorkloads,
    incompleteNodes,
  };
}

/** Fields that belong to other fault types, and the fields a fault type cannot do without. */
function checkFaultFields(c: CheckContext, f: Raw, path: Path): void {
  const { error, problems } = c;
  const type = f.type as FaultType;
  for (const [field, onlyFor] of Object.entries(FAULT_ONLY_FIELDS)) {
    if (f[field] !== undefined && !onlyFor.includes(type)) {
      problems.push({
        severity: 'error',
        code: 'not-applicable',
        path: [...path, field],
        at: 'key',
        message: `"${field}" applies only to ${orList(onlyFor)} faults, not ${type}`,
      });
    }
  }
  if (type === 'network-degrade' && f.loss === undefined && f.latency === undefined) {
    error(path, 'missing-field', 'a network-degrade fault needs loss (0..1) and/or latency');
  }
  if ((type === 'apiserver-slow' || type === 'etcd-slow') && f.latency === undefined) {
    error(
      path,
      'missing-field',
      `an ${type} fault needs latency: how much longer each request takes (fixed, or min..max; longer than the clients' timeouts makes them hang)`,
    );
  }
  if (type === 'clock-skew' && f.offset === undefined && f.rate === undefined) {
    error(path, 'missing-field', 'a clock-skew fault needs offset and/or rate');
  }
}

/** The fault's target (required unless its type may leave it out) and a network partition's other side. */
function checkFaultTargets(c: CheckContext, f: Raw, path: Path, ctx: TargetContext): void {
  const type = f.type as FaultType;
  const rules = FAULT_TARGETS[type];
  if (f.target === undefined) {
    if (!rules.optional && !rawHas(c.original, [...path, 'target'])) {
      c.error(
        path,
        'missing-field',
        `missing required field "target" (a ${type} fault takes ${describeSelectors(rules.selectors)})`,
      );
    }
  } else {
    checkTarget(f.target, [...path, 'target'], type, rules, ctx, false);
  }
  if (f.from !== undefined && f.from !== 'control-plane' && type === 'network-partition') {
    checkTarget(f.from, [...path, 'from'], type, { selectors: HOST_SELECTORS, leader: 'choose' }, ctx, false);
  }
}

/** The fault starts and ends within the run, and a duration, if given, is longer than 0. */
function checkFaultWindow(c: CheckContext, f: Raw, path: Path): void {
  const { error } = c;
  const duration = c.spec.durationMs;
  if (duration !== undefined && f.at !== undefined) {
    if (f.at >= duration) {
      error(
        [...path, 'at'],
        'outside-run',
        `the fault starts at ${formatDuration(f.at)}, but the run ends at ${formatDuration(duration)} (spec.duration)`,
      );
    } else if (f.duration !== undefined && f.at + f.duration > duration) {
      error(
        [...path, 'duration'],
        'outside-run',
        `the fault would end at ${formatDuration(f.at + f.duration)} (at ${formatDuration(f.at)} + ${formatDuration(f.duration)}), after the run ends at ${formatDuration(duration)} (spec.duration)`,
        'omit duration to let the fault last to the end of the run',
      );
    }
  }
  if (f.duration === 0)
    error([...path, 'duration'], 'out-of-range', 'must be longer than 0s (omit it to last to the end of the run)');
}

/** A zone outage that takes the control plane's quorum with it: nothing can react until the zone returns. */
function warnControlPlaneLoss(c: CheckContext, zone: string, path: Path, ctx: TargetContext): void {
  const lost = controlPlaneLoss(ctx.layout, zone);
  if (lost) {
    c.warning(
      [...path, 'target', 'zone'],
      'control-plane-lost',
      `this outage takes down ${lost} with zone "${zone}": no controller can react until the zone returns`,
      'spread the control plane: raise spec.kubernetes.apiServer.replicas and spec.kubernetes.etcd.members (3 each) over spec.controlPlane.zones',
    );
  }
}

/** A workload's probes, as core/v1 Probe validation (pkg/apis/core/validation validateProbe) has them. */
function checkProbes(c: CheckContext, probes: Raw, path: Path): void {
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const p: Raw | undefined = probes[kind];
    if (!p) continue;
    if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1)
      c.error([...path, kind, 'successThreshold'], 'out-of-range', `must be 1 for a ${kind} probe`);
    for (const field of ['period', 'timeout'] as const)
      if (p[field] !== undefined && p[field] < 1000)
        c.error(
          [...path, kind, field],
          'out-of-range',
          `must be at least 1s (${field}Seconds is a whole number of seconds, at least 1)`,
        );
  }
}

/**
 * app-degrade's `pods` (only with it, and a count that selects some pod) and what its symptom can do to a
 * workload without the probe it fails; kube-proxy-stop without a Service changes nothing.
 */
function checkAppFaultFields(c: CheckContext, f: Raw, path: Path): void {
  const { error, warning, spec } = c;
  const pods = f.target?.pods;
  if (pods !== undefined && f.type !== 'app-degrade')
    error([...path, 'target', 'pods'], 'not-applicable', `"pods" applies only to app-degrade faults, not ${f.type}`);
  if (pods !== undefined && pods.value === 0)
    error(
      [...path, 'target', 'pods'],
      'selects-nothing',
      'selects no pod (give a count of at least 1, or omit it for all)',
    );
  if (f.type === 'kube-proxy-stop' && (spec.services ?? []).length === 0)
    warning(
      path,
      'no-effect',
      'kube-proxy-stop changes nothing here: the scenario has no Service, so kube-proxy has no rules to freeze',
      'give a workload a service (docs/scenario-format.md#services)',
    );
  if (f.type !== 'app-degrade' || typeof f.target?.workload !== 'string') return;
  // An invalid symptom is reported as such; what it would do is not guessed.
  if (f.symptom === undefined && rawHas(c.original, [...path, 'symptom'])) return;
  const w = spec.workloads.find((x) => x.id === f.target.workload || x.id.endsWith(`/${f.target.workload}`));
  if (w === undefined) return;
  const symptom = f.symptom ?? 'readiness';
  const missing =
    symptom === 'readiness' && w.probes?.readiness === undefined
      ? 'readiness'
      : symptom === 'liveness' && w.probes?.liveness === undefined
        ? 'liveness'
        : undefined;
  if (missing !== undefined)
    warning(
      [...path, 'symptom'],
      'no-probe',
      `${w.id} has no ${missing} probe: its pods ${missing === 'readiness' ? 'stay Ready and in the Service' : 'are not restarted'}; only the requests sent to them fail`,
      `give the workload a ${missing} probe (probes.${missing}, or ${missing}Probe in a pod template)`,
    );
}

/** node-drain's kubectl flags, and node-uncordon (an instant action, nothing to end). */
function checkDrainFields(f: Raw, path: Array<string | number>, error: CheckContext['error']): void {
  if (f.type === 'node-uncordon' && f.duration !== undefined)
    error(
      [...path, 'duration'],
      'not-applicable',
      'a node-uncordon fault has no duration (it is a single kubectl uncordon)',
    );
  if (f.type === 'vm-delete' && f.duration !== undefined)
    error(
      [...path, 'duration'],
      'not-applicable',
      'a vm-delete fault has no duration (a deleted VM never comes back)',
      'to have the node return, use node-crash with a duration',
    );
  if (f.gracePeriod !== undefined && f.gracePeriod % 1000 !== 0)
    error([...path, 'gracePeriod'], 'out-of-range', 'kubectl drain --grace-period takes whole seconds');
  if (f.timeout === 0)
    error([...path, 'timeout'], 'out-of-range', 'must be longer than 0s (omit it to wait as long as the drain takes)');
  if (f.type === 'node-pool-upgrade') {
    if (f.duration !== undefined)
      error(
        [...path, 'duration'],
        'not-applicable',
        'a node-pool-upgrade fault has no duration (it runs until every node of the pool is replaced)',
      );
    const surge = f.maxSurge ?? { value: 1, percent: false };
    const unavailable = f.maxUnavailable ?? { value: 0, percent: false };
    if (surge?.value === 0 && unavailable?.value === 0)
      error(
        [...path, 'maxSurge'],
        'out-of-range',
        'maxSurge and maxUnavailable cannot both be 0: the upgrade could never replace a node (GKE and EKS reject it too)',
      );
    if (f.drainTimeout === 0) error([...path, 'drainTimeout'], 'out-of-range', 'must be longer than 0s');
  }
}

/** SLOs: references to faults and workloads that exist, windows within the run. */
function checkSlos(c: CheckContext, ctx: TargetContext): void {
  const { spec, rawSpec, error } = c;
  const duration = spec.durationMs;
  const faultNames = (rawSpec.faults ?? [])
    .filter((f: Raw | undefined) => f?.name !== undefined)
    .map((f: Raw) => f.name as string);
  (rawSpec.slos ?? []).forEach((o: Raw | undefined, i: number) => {
    if (!o) return;
    const path = ['spec', 'slos', i];
    if (o.workload !== undefined) resolveWorkload(o.workload, [...path, 'workload'], ctx);
    if (typeof o.service === 'string') {
      const sv = resolveService(c, o.service, [...path, 'service']);
      if (sv !== undefined && sv.traffic === undefined && !c.unresolvedTraffic)
        error(
          [...path, 'service'],
          'not-applicable',
          `nobody sends requests to Service "${sv.name}": a v1 Service carries no request rate, so ${o.type} has nothing to measure`,
          `add a spec.traffic entry, e.g. { service: ${sv.name}, rate: 100 } (docs/scenario-format.md#spectraffic)`,
        );
    }
    if (o.type === 'eviction-time' && typeof o.workload === 'string' && workloadKindOf(o.workload) === 'DaemonSet') {
      error(
        [...path, 'workload'],
        'never-evicted',
        `eviction-time cannot measure ${o.workload}: DaemonSet pods tolerate unreachable and not-ready forever, so they are never evicted (eviction-time ignores them)`,
      );
    }
    if (o.after !== undefined && !faultNames.includes(o.after)) {
      error([...path, 'after'], 'unknown-reference', `unknown fault "${o.after}"${namesSuffix(o.after, faultNames)}`);
    } else if ((o.type === 'drain-time' || o.type === 'blocked-evictions') && o.after !== undefined) {
      const type = (rawSpec.faults as Raw[]).find((f) => f?.name === o.after)?.type;
      if (type !== 'node-drain' && type !== 'node-pool-upgrade')
        error(
          [...path, 'after'],
          'wrong-fault-type',
          `${o.type} measures a drain, but fault "${o.after}" is a ${type} fault (use a node-drain or node-pool-upgrade fault)`,
        );
    } else if (o.type === 'upgrade-time' && o.after !== undefined) {
      const type = (rawSpec.faults as Raw[]).find((f) => f?.name === o.after)?.type;
      if (type !== 'node-pool-upgrade')
        error(
          [...path, 'after'],
          'wrong-fault-type',
          `upgrade-time measures a node-pool upgrade, but fault "${o.after}" is a ${type} fault (use a node-pool-upgrade fault)`,
        );
    }
    if (o.window?.from !== undefined && o.window?.to !== undefined) {
      if (o.window.from >= o.window.to) {
        error(
          [...path, 'window'],
          'out-of-range',
          `window.from (${formatDuration(o.window.from)}) must be before window.to (${formatDuration(o.window.to)})`,
        );
      } else if (duration !== undefined && o.window.to > duration) {
        error(
          [...path, 'window', 'to'],
          'outside-run',
          `the window ends at ${formatDuration(o.window.to)}, after the run ends at ${formatDuration(duration)} (spec.duration)`,
        );
      }
    }
  });
}

function duplicateNames(
  items: Raw[] | undefined,
  what: string,
  base: Path,
  error: (path: Path, code: string, message: string) => void,
): void {
  const seen = new Map<string, number>();
  (items ?? []).forEach((item, i) => {
    const name = item?.name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      error(
        [...base, i, 'name'],
        'duplicate-name',
        `duplicate ${what} name "${name}" (${[...base].join('.')}[${first}] already uses it)`,
      );
  });
}

function checkLeaderElection(
  le: LeaderElectionConfig,
  path: Path,
  raw: Raw | undefined,
  error: (path: Path, code: string, message: string, hint?: string) => void,
): void {
  const where = (field: string): Path => (raw?.[field] !== undefined ? [...path, field] : path);
  const hint = (rule: string): string =>
    `client-go rejects this in NewLeaderElector: "${rule}" (k8s.io/client-go/tools/leaderelection/leaderelection.go)`;
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = le;
  let positive = true;
  for (const [field, ms] of [
    ['leaseDuration', leaseDurationMs],
    ['renewDeadline', renewDeadlineMs],
    ['retryPeriod', retryPeriodMs],
  ] as const) {
    if (ms !== undefined && ms <= 0) {
      error(
        where(field),
        'inconsistent-timing',
        `${field} must be longer than 0s`,
        hint(`${field} must be greater than zero`),
      );
      positive = false;
    }
  }
  if (!positive) return;
  if (leaseDurationMs <= renewDeadlineMs) {
    error(
      where('renewDeadline'),
      'inconsistent-timing',
      `renewDeadline (${formatDuration(renewDeadlineMs)}) must be shorter than leaseDuration (${formatDuration(leaseDurationMs)})`,
      hint('leaseDuration must be greater than renewDeadline'),
    );
  }
  if (renewDeadlineMs <= 1.2 * retryPeriodMs) {
    error(
      where('retryPeriod'),
      'inconsistent-timing',
      `renewDeadline (${formatDuration(renewDeadlineMs)}) must be longer than 1.2 × retryPeriod (${formatDuration(retryPeriodMs)} × 1.2 = ${formatDuration(Math.round(1.2 * retryPeriodMs))})`,
      hint('renewDeadline must be greater than retryPeriod*JitterFactor'),
    );
  }
}

interface TargetContext {
  scenario: Scenario;
  nodeNames: string[];
  zones: Set<string>;
  workloadIds: string[];
  layout: ReturnType<typeof controlPlaneLayout>;
  incompleteWorkloads: boolean;
  incompleteNodes: boolean;
  error: (path: Path, code: string, message: string, hint?: string) => void;
}

function describeSelectors(selectors: readonly string[]): string {
  const names = selectors.map((s) => (s === 'random' ? 'random (+from)' : s));
  return names.length === 1 ? `target.${names[0]}` : `one of ${names.join(', ')}`;
}

function namesSuffix(name: string, defined: string[]): string {
  const suggestion = didYouMean(name, defined);
  if (suggestion !== undefined) return ` (did you mean "${suggestion}"?)`;
  return defined.length === 0 ? ' (none are defined)' : ` (defined: ${listNames(defined)})`;
}

function checkTarget(
  target: Raw,
  path: Path,
  type: FaultType,
  rules: TargetRules,
  ctx: TargetContext,
  nested: boolean,
): void {
  const { error } = ctx;
  const given = SELECTOR_KEYS.filter((key) => target[key] !== undefined);
  if (target.from !== undefined && target.random === undefined) {
    error(
      [...path, 'from'],
      'not-applicable',
      '"from" inside a target goes with "random" (pick K nodes at random from a selection)',
    );
  }
  if (given.length === 0) {
    if (Object.keys(target).length === 0 || target.from === undefined) {
      error(path, 'missing-field', `target selects nothing: give ${describeSelectors(rules.selectors)}`);
    }
    return;
  }
  if (given.length > 1) {
    error(
      path,
      'conflicting-fields',
      `target gives ${given.map((g) => `"${g}"`).join(' and ')}; give exactly one selector`,
    );
    return;
  }
  const selector = given[0];
  if (target.component !== undefined) checkComponent(target, selector, path, type, rules, ctx);
  if (!rules.selectors.includes(selector)) {
    error(
      [...path, selector],
      'not-applicable',
      `a ${type} fault cannot select by "${selector}"${nested ? ' here' : ''}; it takes ${describeSelectors(rules.selectors)}`,
    );
    return;
  }
  checkSelectorValue(selector, target, path, type, rules, ctx);
}

/** What the one selector of a target names must exist (and select something). */
function checkSelectorValue(
  selector: string,
  target: Raw,
  path: Path,
  type: FaultType,
  rules: TargetRules,
  ctx: TargetContext,
): void {
  const { error } = ctx;
  const value = target[selector];
  switch (selector) {
    case 'node':
      resolveNode(value, [...path, 'node'], ctx, rules);
      break;
    case 'nodes':
      if ((value as string[]).length === 0) error([...path, 'nodes'], 'selects-nothing', 'lists no node');
      (value as (string | undefined)[]).forEach((n, j) => {
        if (typeof n === 'string') resolveNode(n, [...path, 'nodes', j], ctx, rules);
      });
      break;
    case 'zone':
      if (!ctx.zones.has(value)) {
        error(
          [...path, 'zone'],
          'unknown-reference',
          `unknown zone "${value}"${namesSuffix(value, [...ctx.zones].sort())}`,
        );
      }
      break;
    case 'labels': {
      const wanted = Object.entries(value as Record<string, string>);
      const matching = ctx.scenario.spec.nodes.filter((n) => wanted.every(([k, v]) => n.labels[k] === v));
      if (matching.length === 0) {
        error(
          [...path, 'labels'],
          'selects-nothing',
          `no node has the labels ${wanted.map(([k, v]) => `${k}=${v}`).join(', ') || '(any)'}`,
        );
      }
      break;
    }
    case 'random': {
      const from: Raw = target.from ?? { labels: {} };
      checkTarget(from, [...path, 'from'], type, { selectors: ['node', 'nodes', 'zone', 'labels'] }, ctx, true);
      const pool = selectNodes(from, ctx.scenario);
      if (pool !== undefined && value > pool.length) {
        error(
          [...path, 'random'],
          'out-of-range',
          `asks for ${value} random nodes, but the selection has only ${pool.length}`,
        );
      }
      break;
    }
    case 'instance':
    case 'instances':
      checkInstances(selector, value, path, type, rules, ctx);
      break;
    case 'workload':
      resolveWorkload(value, [...path, 'workload'], ctx);
      break;
  }
}

/** `instance` / `instances`: control-plane instances of the fault's component, or `leader` where it has one. */
function checkInstances(
  selector: 'instance' | 'instances',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the raw YAML value, checked here
  value: any,
  path: Path,
  type: FaultType,
  rules: TargetRules,
  ctx: TargetContext,
): void {
  const { error } = ctx;
  const names: string[] = selector === 'instance' ? [value] : value;
  const candidates = ctx.layout.instances
    .filter((i) => rules.component === undefined || i.component === rules.component)
    .map((i) => i.name);
  if (selector === 'instances' && names.length === 0)
    error([...path, 'instances'], 'selects-nothing', 'lists no instance');
  names.forEach((name, j) => {
    if (typeof name !== 'string') return;
    const p = selector === 'instance' ? [...path, 'instance'] : [...path, 'instances', j];
    if (name === 'leader') {
      if (rules.leader === undefined) {
        error(
          p,
          'not-applicable',
          `"leader" names the leader of kube-controller-manager or kube-scheduler, ${rules.component === 'etcd' ? "not etcd's raft leader, which is elected as the run goes" : `and ${rules.component ?? 'this component'} has none`}: for ${type} give an instance name (defined: ${listNames(candidates)})`,
        );
      }
      return;
    }
    if (!candidates.includes(name)) {
      const kind = rules.component ? `${rules.component} instance` : 'control-plane instance';
      const extra = rules.leader ? ['leader', ...candidates] : candidates;
      const hosts = ctx.layout.hosts.map((h) => h.name);
      const hostHint =
        rules.component === undefined && hosts.includes(name)
          ? `${name} is a control-plane host; select it by a member it runs, e.g. { instance: ${candidates.find((c) => c.endsWith(`-${name}`)) ?? candidates[0]} }`
          : undefined;
      error(p, 'unknown-reference', `unknown ${kind} "${name}"${namesSuffix(name, extra)}`, hostHint);
    }
  });
}

/** `component` says whose leader `instance: leader` is; anywhere else it would be ignored, so it is an error. */
function checkComponent(
  target: Raw,
  selector: string,
  path: Path,
  type: FaultType,
  rules: TargetRules,
  ctx: TargetContext,
): void {
  const names: unknown[] =
    selector === 'instance' ? [target.instance] : selector === 'instances' ? target.instances : [];
  const p = [...path, 'component'];
  if (!rules.leader || !names.includes('leader')) {
    ctx.error(
      p,
      'not-applicable',
      rules.leader
        ? '"component" goes with instance: leader (it says whose leader); an instance name already names its component'
        : `"component" does not apply to a ${type} fault's target${rules.selectors.includes('instance') ? ' (it goes with instance: leader)' : ''}`,
    );
    return;
  }
  if (rules.leader === 'implied' && rules.component !== undefined && target.component !== rules.component) {
    const other = FAULT_TYPES_BY_COMPONENT[target.component as string];
    ctx.error(
      p,
      'conflicting-fields',
      `a ${type} fault always hits ${rules.component}; component "${target.component}" contradicts it`,
      other
        ? `to crash the ${target.component} leader use type: ${other}; or leave component out`
        : 'leave component out',
    );
  }
}

const FAULT_TYPES_BY_COMPONENT: Record<string, FaultType> = {
  'kube-controller-manager': 'controller-manager-crash',
  'kube-scheduler': 'scheduler-crash',
};

function resolveNode(name: string, path: Path, ctx: TargetContext, rules?: TargetRules): void {
  if (!ctx.nodeNames.includes(name) && !ctx.incompleteNodes) {
    // A control-plane host written as a node: say how to reach it where the fault can.
    const member = ctx.layout.instances.find((i) => i.host === name);
    const hint =
      member && rules?.selectors.includes('instance') && rules.component === undefined
        ? `${name} is a control-plane host, not a worker node; select it by a member it runs, e.g. { instance: ${member.name} }`
        : undefined;
    ctx.error(path, 'unknown-reference', `unknown node "${name}"${namesSuffix(name, ctx.nodeNames)}`, hint);
  }
}

function resolveWorkload(id: string, path: Path, ctx: TargetContext): void {
  if (ctx.workloadIds.includes(id)) return;
  const candidates = workloadCandidates(id, ctx.workloadIds);
  if (candidates.length === 1) return;
  if (candidates.length > 1) {
    ctx.error(
      path,
      'ambiguous-reference',
      `"${id}" is ambiguous: ${candidates.length} namespaces have it (${candidates.join(', ')})`,
      `write it as namespace/Kind/name, e.g. ${candidates[0]}`,
    );
    return;
  }
  if (ctx.incompleteWorkloads) return;
  if (!id.includes('/')) {
    const matches = ctx.workloadIds.filter((w) => w.endsWith(`/${id}`));
    const hint =
      matches.length > 0
        ? `write it as Kind/name: ${matches.join(' or ')}`
        : 'workloads are written as Kind/name, e.g. Deployment/checkout';
    ctx.error(path, 'unknown-reference', `unknown workload "${id}" (expected Kind/name)`, hint);
    return;
  }
  ctx.error(path, 'unknown-reference', `unknown workload "${id}"${namesSuffix(id, ctx.workloadIds)}`);
}

/** The nodes a node selector picks (undefined when it is not a plain node selector). */
function selectNodes(target: Raw, scenario: Scenario): string[] | undefined {
  const nodes = scenario.spec.nodes;
  if (target.node !== undefined) return nodes.filter((n) => n.name === target.node).map((n) => n.name);
  if (target.nodes !== undefined)
    return nodes.filter((n) => (target.nodes as string[]).includes(n.name)).map((n) => n.name);
  if (target.zone !== undefined) return nodes.filter((n) => n.zone === target.zone).map((n) => n.name);
  if (target.labels !== undefined) {
    const wanted = Object.entries(target.labels as Record<string, string>);
    return nodes.filter((n) => wanted.every(([k, v]) => n.labels[k] === v)).map((n) => n.name);
  }
  return undefined;
}

/** Did a list lose entries, or entries lose an identifying field, to structural errors? */
function incomplete(converted: Raw[] | undefined, original: unknown, keys: string[]): boolean {
  if (original === undefined || original === null) return false;
  if (!Array.isArray(original) || !Array.isArray(converted) || converted.length !== original.length) return true;
  return converted.some((item) => !item || keys.some((k) => item[k] === undefined));
}

/** Whether the raw (pre-validation) document had something at `path`, valid or not. */
/** Whether the document as written has a value at path (`key:` with nothing after it has none). */
function rawHas(original: unknown, path: Path): boolean {
  let cur: unknown = original;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return false;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur !== undefined && cur !== null;
}

/**
 * What of the API path a zone outage takes down: every kube-apiserver, or etcd's quorum (a majority of
 * members). Undefined when the API server keeps serving.
 */
function controlPlaneLoss(layout: ReturnType<typeof controlPlaneLayout>, zone: string): string | undefined {
  const zoneOf = new Map(layout.hosts.map((h) => [h.name, h.zone]));
  const count = (component: ControlPlaneComponent) => {
    const all = layout.instances.filter((i) => i.component === component);
    return { all: all.length, lost: all.filter((i) => zoneOf.get(i.host) === zone).length };
  };
  const api = count('kube-apiserver');
  const etcd = count('etcd');
  const parts: string[] = [];
  if (api.all > 0 && api.lost === api.all) parts.push(`every kube-apiserver (${api.lost} of ${api.all})`);
  if (etcd.all > 0 && (etcd.all - etcd.lost) * 2 <= etcd.all)
    parts.push(`etcd's quorum (${etcd.lost} of ${etcd.all} members)`);
  return parts.length ? parts.join(' and ') : undefined;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

// The scenario as it was run, written back as a scenario file (`scenario.resolved.yaml` beside every
// run's reports): every default filled in from the version profile, every --set applied, the manifests
// that followed the Scenario folded into spec.workloads, and spec.seed set to the seed of the run. So a
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
  return `${lines.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}

/** The resolved scenario as plain YAML-ready data, in the scenario file's own format. */
export function resolvedScenarioDocument(scenario: Scenario, seed: number): Record<string, unknown> {
  const { spec } = scenario;
  const k = spec.kubernetes;
  const cm = k.controllerManager;
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
      kubernetes: {
        version: k.version,
        controllerManager: {
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
        },
        scheduler: { replicas: k.scheduler.replicas, leaderElection: leaderElection(k.scheduler.leaderElection) },
        apiServer: { ...k.apiServer },
        etcd: { ...k.etcd },
        kubelet: {
          nodeStatusUpdateFrequency: formatDuration(k.kubelet.nodeStatusUpdateFrequencyMs),
          nodeStatusReportFrequency: formatDuration(k.kubelet.nodeStatusReportFrequencyMs),
          nodeLeaseDurationSeconds: k.kubelet.nodeLeaseDurationSeconds,
        },
        network: { latency: range(k.network.latency) },
      },
      controlPlane: { zones: [...spec.controlPlane.zones] },
      nodes: nodeGroups(spec.nodes),
      workloads: spec.workloads.map(workload),
      faults: spec.faults.map(fault),
      slos: spec.slos.map(slo),
    },
  };
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
  };
}

function workload(w: WorkloadSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: w.kind, name: w.name };
  if (w.kind !== 'DaemonSet') out.replicas = w.replicas;
  out.requests = { cpu: `${w.requests.cpuMilli}m`, memory: w.requests.memoryBytes };
  out.tolerations = w.tolerations.map(toleration);
  out.nodeSelector = { ...w.nodeSelector };
  out.spreadAcrossZones = w.spreadAcrossZones;
  out.startup = { imagePull: range(w.startup.imagePull), ready: range(w.startup.ready) };
  out.terminationGracePeriod = formatDuration(w.terminationGracePeriodMs);
  const pdb = w.podDisruptionBudget;
  if (pdb) {
    out.podDisruptionBudget = {
      ...(pdb.minAvailable ? { minAvailable: count(pdb.minAvailable) } : {}),
      ...(pdb.maxUnavailable ? { maxUnavailable: count(pdb.maxUnavailable) } : {}),
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
  return out;
}

function slo(o: SloSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: o.name, type: o.type };
  if ('workload' in o) out.workload = o.workload;
  if ('after' in o) out.after = o.after;
  if ('component' in o) out.component = o.component;
  if ('min' in o) out.min = count(o.min);
  if ('threshold' in o && o.threshold) out.threshold = count(o.threshold);
  if ('window' in o && o.window)
    out.window = { from: formatDuration(o.window.fromMs), to: formatDuration(o.window.toMs) };
  if ('maxMs' in o) out.max = formatDuration(o.maxMs);
  if ('max' in o) out.max = o.max;
  return out;
}

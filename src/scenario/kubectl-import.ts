// `hasim import`: a starting scenario from a cluster dump (kubectl get nodes,deploy,sts,ds,svc,pdb,priorityclass
// -A -o yaml). Pure: objects already read by manifests/ in, scenario text out; the CLI does the files.
//
//   1. Nodes are grouped by zone and shape (allocatable, taints, cordon, labels other than the hostname)
//      into spec.nodes groups, each with a comment naming the Nodes it stands for.
//   2. Control-plane Nodes (a control-plane role label or taint) mean a cluster that runs its own control
//      plane: the scenario gets controlPlane.topology kubeadm with one API server, etcd member, controller
//      manager and scheduler per control-plane Node, in their zones (kubeadm's stacked layout). hasim
//      then registers those hosts as control-plane Nodes itself (control-plane-0, ...), so they are not
//      repeated among spec.nodes. Without any, the scenario keeps hasim's default, a managed control
//      plane.
//   3. Workloads, Services, PodDisruptionBudgets and PriorityClasses follow the Scenario as Kubernetes
//      documents, without what the API server wrote (status, managedFields, uid, annotations but the
//      topology ones, a Service's clusterIP and IP families, ...), so hasim reads them exactly as it reads
//      any manifest, warnings included. Services hasim leaves out (headless, ExternalName, without a
//      selector) are not copied. A dump says nothing of request rates: a spec.traffic entry and a
//      request-success-rate SLO per Service are written as comments to fill in and uncomment.
//   4. One fault runs: a crash of the busiest node (the largest schedulable worker: the default scoring,
//      LeastAllocated, sends the most pods there), with a recovery-time SLO per Deployment (a StatefulSet's is
//      written as a comment: its pod on a node that never returns is never replaced).
//      An outage of each zone and a min-available SLO per workload, sized from its PodDisruptionBudget
//      (or one pod below its replicas), are written as comments to uncomment.
//   5. The kubelets' most common minor version becomes kubernetes.version; outside the profiles hasim has
//      (docs/fidelity.md#version-profiles) the nearest one, with a comment naming the kubelets' version.
import { stringify } from 'yaml';
import {
  minorVersion,
  NEWEST_KUBERNETES_MINOR,
  NEWEST_KUBERNETES_VERSION,
  OLDEST_KUBERNETES_MINOR,
} from './defaults.js';
import type { ManifestNode, ManifestReadResult, ManifestWorkload } from './manifests/index.js';
import { DEFAULT_NAMESPACE, pdbSelects, ZONE_LABEL } from './manifests/index.js';
import { TOPOLOGY_AWARE_HINTS_ANNOTATION, TOPOLOGY_MODE_ANNOTATION } from './manifests/service.js';
import { SYSTEM_PRIORITY_CLASSES } from '../k8s/scheduling.js';
import { DEFAULT_STARTUP } from '../k8s/workloads.js';
import { DEFAULT_ATTACH_TIME_MS } from '../model/volume/volumes.js';
import type { Count } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface ImportInput {
  /** File names as the user gave them (for the header comment). */
  files: string[];
  /** Every object read, from all files. */
  manifests: ManifestReadResult;
  /** Each file's documents as parsed (to copy the objects out). */
  documents: unknown[][];
  /** metadata.name of the scenario. */
  name: string;
}

/**
 * When the suggested fault strikes (at the earliest; later when a StatefulSet needs longer to start, see
 * faultTime), how long the run lasts, and the recovery bound suggested.
 */
export const IMPORT_FAULT_AT = '1m';
export const IMPORT_DURATION = '20m';
/** 50 s grace (v1.32+), 300 s default tolerations, startup and the controllers' own pace, with room to spare. */
export const IMPORT_RECOVERY_MAX = '10m';

interface NodeGroup {
  name: string;
  zone: string;
  nodes: ManifestNode[];
  labels: Record<string, string>;
}

/** Adds one line of scenario text. */
type Line = (s?: string) => void;

export function importScenario(input: ImportInput): string {
  const { manifests } = input;
  // Control-plane Nodes become hasim's control-plane hosts (kubeadm topology), not node groups.
  const groups = groupNodes(manifests.nodes.filter((n) => !n.controlPlane));
  const controlPlane = manifests.nodes.filter((n) => n.controlPlane);
  const out: string[] = [];
  const line: Line = (s = '') => {
    out.push(s);
  };
  writeHeader(line, input, groups, controlPlane);
  writeKubernetes(line, kubeletVersion(input.documents), controlPlane);
  writeControlPlane(line, controlPlane);
  writeNodeGroups(line, groups);
  const target = busiestNode(groups);
  writeFaults(line, target, [...new Set(manifests.nodes.map((n) => n.zone))].sort(), faultTime(manifests.workloads));
  writeSlos(line, target, manifests);
  writeTrafficComments(line, manifests);
  const objects = keptObjects(input.documents, manifests);
  for (const o of objects) {
    line('---');
    out.push(stringify(o, { lineWidth: 0 }).trimEnd());
  }
  return out.join('\n') + '\n';
}

/** `1 node`, `2 nodes`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The comment that says what was read, and the Scenario's metadata and duration. */
function writeHeader(line: Line, input: ImportInput, groups: NodeGroup[], controlPlane: ManifestNode[]): void {
  const { manifests } = input;
  line(`# Written by hasim import from ${input.files.join(', ')}.`);
  const classes = manifests.priorityClasses.filter((p) => !isSystemClass(p.name)).length;
  const read = [
    count(manifests.nodes.length - controlPlane.length, 'node') + ` in ${count(groups.length, 'group')}`,
    ...(controlPlane.length > 0 ? [count(controlPlane.length, 'control-plane Node')] : []),
    count(manifests.workloads.length, 'workload'),
    ...(manifests.services.length > 0 ? [count(manifests.services.length, 'Service')] : []),
    count(manifests.pdbs.length, 'PodDisruptionBudget'),
    count(classes, 'PriorityClass', 'PriorityClasses'),
  ];
  line(`# ${read.join(', ')}.`);
  line('# A starting point: check the suggested fault and SLOs below, then hasim run this file.');
  line('apiVersion: hasim.dev/v1');
  line('kind: Scenario');
  line('metadata:');
  line(`  name: ${q(input.name)}`);
  line(`  description: ${q(`Imported from ${input.files.join(', ')} by hasim import`)}`);
  line('spec:');
  line(`  duration: ${IMPORT_DURATION}`);
}

/** Step 5 and the replicas of step 2: the kubelets' version, and one of each component per control-plane Node. */
function writeKubernetes(line: Line, version: ReturnType<typeof kubeletVersion>, controlPlane: ManifestNode[]): void {
  if (version === undefined && controlPlane.length === 0) return;
  line('  kubernetes:');
  if (version !== undefined) line(`    version: ${q(version.profile)} # ${version.comment}`);
  if (controlPlane.length > 0) {
    const n = controlPlane.length;
    line(`    # One of each per control-plane Node (${controlPlane.map((c) => c.name).join(', ')}), stacked etcd.`);
    line(`    apiServer: { replicas: ${n} }`);
    line(`    etcd: { members: ${n} }`);
    line(`    controllerManager: { replicas: ${n} }`);
    line(`    scheduler: { replicas: ${n} }`);
  }
}

/** Step 2: a kubeadm control plane in the control-plane Nodes' zones, or a comment that the dump has none. */
function writeControlPlane(line: Line, controlPlane: ManifestNode[]): void {
  if (controlPlane.length > 0) {
    line('  controlPlane:');
    line(
      `    # ${controlPlane.map((c) => c.name).join(', ')} become control-plane-0${controlPlane.length > 1 ? ` .. control-plane-${controlPlane.length - 1}` : ''}: Nodes tainted node-role.kubernetes.io/control-plane, each running its own API server and etcd member (docs/scenario-format.md#control-plane-layout).`,
    );
    line('    topology: kubeadm');
    line(`    zones: [${controlPlane.map((c) => q(c.zone)).join(', ')}]`);
  } else {
    line(
      "  # No control-plane Node in the dump (a managed control plane): hasim's default layout, in the nodes' zones.",
    );
  }
}

/** Step 1: a spec.nodes entry per group, with a comment naming the Nodes it stands for. */
function writeNodeGroups(line: Line, groups: NodeGroup[]): void {
  if (groups.length > 0) line('  nodes:');
  for (const g of groups) {
    const first = g.nodes[0];
    line(`    # ${g.nodes.map((n) => n.name).join(', ')}`);
    line(`    - name: ${q(g.name)}`);
    if (g.nodes.length > 1) line(`      count: ${g.nodes.length}`);
    line(`      zone: ${q(g.zone)}`);
    const labels = Object.entries(g.labels);
    if (labels.length > 0) {
      line('      labels:');
      for (const [k, v] of labels) line(`        ${q(k)}: ${q(v)}`);
    }
    line(
      `      capacity: { cpu: ${q(`${first.capacity.cpuMilli}m`)}, memory: ${q(memory(first.capacity.memoryBytes))}, pods: ${first.capacity.pods} }`,
    );
    if (first.taints.length > 0) {
      line('      taints:');
      for (const t of first.taints)
        line(
          `        - { key: ${q(t.key)}${t.value !== undefined ? `, value: ${q(t.value)}` : ''}, effect: ${t.effect} }`,
        );
    }
    if (first.unschedulable) line('      unschedulable: true # cordoned in the dump');
  }
}

/** When the suggested faults strike, and why then. */
interface FaultTime {
  at: string;
  why?: string;
}

/**
 * hasim starts the cluster empty, and a StatefulSet starts its pods one after another, each once the one
 * before is Ready (OrderedReady; hasim does not model Parallel), attaching a disk first when it has volume
 * claims. A fault that hits it while it starts shows its start-up, not the outage, so the suggested faults
 * wait for the slowest one: per pod the longest disk attach, image pull and time to Ready hasim draws
 * (with a readiness probe, its initial delay and one period), plus half a minute, in whole minutes.
 */
export function faultTime(workloads: readonly ManifestWorkload[]): FaultTime {
  let slowest: { w: ManifestWorkload; ms: number } | undefined;
  for (const w of workloads) {
    if (w.kind !== 'StatefulSet') continue;
    const probe = w.probes?.readiness;
    const ready = probe ? probe.initialDelayMs + probe.periodMs : DEFAULT_STARTUP.ready.maxMs;
    const attach = (w.volumeClaimTemplates?.length ?? 0) > 0 ? DEFAULT_ATTACH_TIME_MS.maxMs : 0;
    const ms = (w.replicas ?? 1) * (attach + DEFAULT_STARTUP.imagePull.maxMs + ready);
    if (!slowest || ms > slowest.ms) slowest = { w, ms };
  }
  const minutes = slowest ? Math.ceil((slowest.ms + 30_000) / 60_000) : 1;
  if (!slowest || minutes <= 1) return { at: IMPORT_FAULT_AT };
  return {
    at: `${minutes}m`,
    why: `hasim starts the cluster empty: ${slowest.w.id} starts its ${slowest.w.replicas ?? 1} pods one after another${(slowest.w.volumeClaimTemplates?.length ?? 0) > 0 ? ', each attaching a disk,' : ''} in up to ${formatSeconds(slowest.ms)}, so the faults wait until it is up.`,
  };
}

/** 105000 -> "1m45s", 40000 -> "40s". */
function formatSeconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}` : `${s}s`;
}

/** Step 4's fault: a crash of the busiest node, and an outage of each zone as a comment. */
function writeFaults(line: Line, target: string | undefined, zones: string[], time: FaultTime): void {
  line('  faults:');
  if (time.why && (target || zones.length > 0)) line(`    # ${time.why}`);
  if (target) {
    line(`    # The largest schedulable worker: the scheduler's default scoring sends the most pods there.`);
    line(`    - name: crash-busiest-node`);
    line(`      type: node-crash`);
    line(`      at: ${time.at}`);
    line(`      target: { node: ${q(target)} }`);
  }
  for (const z of zones) {
    line(`    # - name: ${q(`outage-${z}`)}`);
    line(`    #   type: zone-outage`);
    line(`    #   at: ${time.at}`);
    line(`    #   duration: 10m`);
    line(`    #   target: { zone: ${q(z)} }`);
  }
  if (!target) line('    []');
}

/**
 * Step 4's SLOs: a recovery-time SLO per Deployment (a StatefulSet's as a comment), and as comments a
 * min-available SLO per workload and a request-success-rate SLO per Service.
 */
function writeSlos(line: Line, target: string | undefined, manifests: ManifestReadResult): void {
  line('  slos:');
  let activeSlos = 0;
  for (const w of manifests.workloads.filter((x) => x.kind !== 'DaemonSet')) {
    if (!target) break;
    // A StatefulSet's pod on a node that never returns stays Terminating, and the StatefulSet waits for
    // it (scenarios/statefulset-node-crash.yaml): its recovery SLO is offered, not switched on.
    const c = w.kind === 'StatefulSet' ? '# ' : '';
    if (c)
      line(
        '    # A StatefulSet pod on the crashed node is never replaced until the node returns or is deleted: add a node-delete fault (or a duration) before switching this on.',
      );
    line(`    ${c}- name: ${q(`${w.id} recovers`)}`);
    line(`    ${c}  type: recovery-time`);
    line(`    ${c}  workload: ${q(w.id)}`);
    line(`    ${c}  after: crash-busiest-node`);
    line(`    ${c}  max: ${IMPORT_RECOVERY_MAX}`);
    if (!c) activeSlos++;
  }
  for (const w of manifests.workloads) {
    const min = minAvailable(w, manifests);
    if (min === undefined) continue;
    line(`    # ${min.why}`);
    line(`    # - name: ${q(`${w.id} keeps ${min.text}`)}`);
    line(`    #   type: min-available`);
    line(`    #   workload: ${q(w.id)}`);
    line(`    #   min: ${/^\d+$/.test(min.text) ? min.text : q(min.text)}`);
  }
  for (const sv of manifests.services) {
    line(`    # - name: ${q(`${sv.id} keeps 99% of requests succeeding`)}`);
    line(`    #   type: request-success-rate`);
    line(`    #   service: ${q(sv.id)}`);
    line(`    #   min: 99`);
    line(`    #   rollingWindow: 1m`);
  }
  if (activeSlos === 0) line('    []');
}

/** Step 3's request rates: a dump has none, so a spec.traffic entry per Service is written as a comment. */
function writeTrafficComments(line: Line, manifests: ManifestReadResult): void {
  if (manifests.services.length === 0) return;
  line(
    '  # A Service carries no request rate: give each the requests its clients send, then uncomment (docs/scenario-format.md#spectraffic).',
  );
  line('  # Without an entry a Service keeps its EndpointSlices and kube-proxy rules, but no request is metered.');
  line('  # traffic:');
  for (const sv of manifests.services) line(`  #   - { service: ${q(sv.id)}, rate: 100, clients: nodes, timeout: 1s }`);
}

/** A YAML scalar: plain when that reads back as the same string, else double-quoted. */
function q(s: string): string {
  const plain = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s);
  return plain && !/^[0-9.+-]/.test(s) ? s : JSON.stringify(s);
}

function memory(bytes: number): string {
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}Gi`;
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}Mi`;
  if (bytes % 1024 === 0) return `${bytes / 1024}Ki`;
  return String(bytes);
}

/** Group names are DNS-1123 subdomains built from the role and zone: worker-eu-west-1a, worker-eu-west-1a-2. */
function groupNodes(nodes: ManifestNode[]): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  const used = new Set<string>();
  for (const n of nodes) {
    const labels: Record<string, string> = {};
    for (const k of Object.keys(n.labels).sort())
      if (k !== ZONE_LABEL && k !== 'kubernetes.io/hostname') labels[k] = n.labels[k];
    const key = JSON.stringify([n.zone, n.capacity, n.taints, n.unschedulable, labels]);
    let g = groups.get(key);
    if (!g) {
      const stem =
        `${n.controlPlane ? 'control-plane-node' : 'worker'}-${n.zone.toLowerCase().replace(/[^a-z0-9.-]+/g, '-')}`
          .replace(/-+$/, '')
          .slice(0, 200);
      let name = stem;
      for (let i = 2; used.has(name); i++) name = `${stem}-${i}`;
      used.add(name);
      g = { name, zone: n.zone, nodes: [], labels };
      groups.set(key, g);
    }
    g.nodes.push(n);
  }
  return [...groups.values()];
}

/** The node name (after count expansion) of the largest schedulable, untainted worker. */
function busiestNode(groups: NodeGroup[]): string | undefined {
  const eligible = groups.filter(
    (g) =>
      !g.nodes[0].controlPlane &&
      !g.nodes[0].unschedulable &&
      !g.nodes[0].taints.some((t) => t.effect !== 'PreferNoSchedule'),
  );
  const pool = eligible.length > 0 ? eligible : groups;
  let best: NodeGroup | undefined;
  for (const g of pool) {
    const c = g.nodes[0].capacity;
    const b = best?.nodes[0].capacity;
    if (!b || c.cpuMilli > b.cpuMilli || (c.cpuMilli === b.cpuMilli && c.memoryBytes > b.memoryBytes)) best = g;
  }
  if (!best) return undefined;
  return best.nodes.length > 1 ? `${best.name}-0` : best.name;
}

/** The min-available to suggest: the PDB's minimum if one selects the workload, else one pod below replicas. */
function minAvailable(w: ManifestWorkload, m: ManifestReadResult): { text: string; why: string } | undefined {
  if (w.kind === 'DaemonSet') return undefined;
  const replicas = w.replicas ?? 1;
  const pdb = m.pdbs.find((p) => pdbSelects(p, w));
  if (pdb?.minAvailable) {
    return {
      text: countText(pdb.minAvailable),
      why: `PodDisruptionBudget ${pdb.name}: minAvailable ${countText(pdb.minAvailable)}`,
    };
  }
  if (pdb?.maxUnavailable) {
    const u = pdb.maxUnavailable;
    const text = u.percent ? `${100 - u.value}%` : String(Math.max(0, replicas - u.value));
    return { text, why: `PodDisruptionBudget ${pdb.name}: maxUnavailable ${countText(u)} of ${replicas} replicas` };
  }
  if (replicas < 2) return undefined;
  return { text: String(replicas - 1), why: `no PodDisruptionBudget: at most one of ${replicas} pods down` };
}

function countText(c: Count): string {
  return c.percent ? `${c.value}%` : String(c.value);
}

function isSystemClass(name: string): boolean {
  return SYSTEM_PRIORITY_CLASSES.some((p) => p.name === name);
}

/**
 * The profile for the most common kubelet minor version among the Nodes, if kubectl printed nodeInfo: that
 * version when hasim has a profile for it, else the nearest one, with a comment saying so.
 */
function kubeletVersion(documents: unknown[][]): { profile: string; comment: string } | undefined {
  const found = mostCommonKubeletVersion(documents);
  if (found === undefined) return undefined;
  const minor = minorVersion(found);
  if (minor > NEWEST_KUBERNETES_MINOR)
    return {
      profile: NEWEST_KUBERNETES_VERSION,
      comment: `the kubelets run ${found}; hasim knows Kubernetes up to ${NEWEST_KUBERNETES_VERSION}`,
    };
  if (!(minor >= OLDEST_KUBERNETES_MINOR))
    return {
      profile: `1.${OLDEST_KUBERNETES_MINOR}`,
      comment: `the kubelets run ${found}; hasim's oldest profile is 1.${OLDEST_KUBERNETES_MINOR}`,
    };
  return { profile: found, comment: "the kubelets' version" };
}

/** The most common kubelet minor version among the Nodes ("1.31"), if kubectl printed nodeInfo. */
function mostCommonKubeletVersion(documents: unknown[][]): string | undefined {
  const counts = new Map<string, number>();
  const visit = (o: unknown, depth: number): void => {
    if (!o || typeof o !== 'object' || depth > 8) return;
    const r = o as Raw;
    if (Array.isArray(r.items)) for (const i of r.items) visit(i, depth + 1);
    if (r.kind === 'Node') {
      const m = /^v?(\d+)\.(\d+)/.exec(String(r.status?.nodeInfo?.kubeletVersion ?? ''));
      if (m) counts.set(`${m[1]}.${m[2]}`, (counts.get(`${m[1]}.${m[2]}`) ?? 0) + 1);
    }
  };
  for (const docs of documents) for (const d of docs) visit(d, 0);
  let best: string | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)!) best = v;
  return best;
}

const SERVER_METADATA = [
  'annotations',
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'ownerReferences',
  'finalizers',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/**
 * The workload, PDB and PriorityClass objects to copy into the scenario, in dump order, without what the
 * API server wrote. System PriorityClasses are built in, and owned ReplicaSets are their Deployment's.
 */
function keptObjects(documents: unknown[][], m: ManifestReadResult): Raw[] {
  const keep = new Set<string>();
  for (const w of m.workloads) keep.add(`${w.sourceKind}/${w.namespace}/${w.name}`);
  for (const p of m.pdbs) keep.add(`PodDisruptionBudget/${p.namespace}/${p.name}`);
  for (const sv of m.services) keep.add(`Service/${sv.namespace}/${sv.name}`);
  for (const p of m.priorityClasses)
    if (!isSystemClass(p.name)) keep.add(`PriorityClass/${DEFAULT_NAMESPACE}/${p.name}`);
  const out: Raw[] = [];
  const seen = new Set<string>();
  const visit = (o: unknown, depth: number): void => {
    if (!o || typeof o !== 'object' || Array.isArray(o) || depth > 8) return;
    const r = o as Raw;
    if (Array.isArray(r.items)) {
      for (const i of r.items) visit(i, depth + 1);
      return;
    }
    const namespace = r.kind === 'PriorityClass' ? DEFAULT_NAMESPACE : (r.metadata?.namespace ?? DEFAULT_NAMESPACE);
    const key = `${r.kind}/${namespace}/${r.metadata?.name}`;
    if (!keep.has(key) || seen.has(key)) return;
    seen.add(key);
    out.push(clean(r));
  };
  for (const docs of documents) for (const d of docs) visit(d, 0);
  return out;
}

/** Annotations that change what hasim does with the object, kept when the others are dropped. */
const KEPT_ANNOTATIONS = [TOPOLOGY_MODE_ANNOTATION, TOPOLOGY_AWARE_HINTS_ANNOTATION];
/** What the API server allocates or defaults on a Service (core/v1 Service defaulting and IP allocation). */
const SERVER_SERVICE_FIELDS = ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'healthCheckNodePort'];

function clean(o: Raw): Raw {
  const c: Raw = structuredClone(o);
  delete c.status;
  const annotations: Raw = c.metadata?.annotations ?? {};
  for (const k of SERVER_METADATA) delete c.metadata?.[k];
  const kept = KEPT_ANNOTATIONS.filter((k) => Object.hasOwn(annotations, k));
  if (c.kind === 'Service' && kept.length > 0 && c.metadata)
    c.metadata.annotations = Object.fromEntries(kept.map((k) => [k, annotations[k]]));
  if (c.kind === 'Service' && c.spec) {
    for (const k of SERVER_SERVICE_FIELDS) delete c.spec[k];
    if (c.spec.sessionAffinity === 'None') delete c.spec.sessionAffinity;
  }
  const tm = c.spec?.template?.metadata;
  if (tm) {
    delete tm.creationTimestamp;
    delete tm.annotations;
  }
  for (const t of c.spec?.volumeClaimTemplates ?? []) {
    delete t?.status;
    delete t?.metadata?.creationTimestamp;
  }
  return c;
}

// Kubernetes objects after the Scenario document, as written by hand or as kubectl prints them
// (`kubectl get nodes,deploy,sts,ds,svc,pdb,priorityclass -A -o yaml`), read into hasim's cluster:
//   v1 List (nested as deep as kubectl nests them), v1 Node, apps/v1 Deployment, StatefulSet, DaemonSet
//   and ReplicaSet, v1 Service (service.ts), policy/v1 PodDisruptionBudget, scheduling.k8s.io/v1 PriorityClass.
// The kinds are one table (READERS) so another kind is one more row. Server-written fields (status other
// than a Node's allocatable, managedFields, resourceVersion, uid, annotations, ...) are accepted and
// ignored; a field that could change scheduling, eviction or availability and that hasim does not model
// gives a warning (pod-template.ts). A workload's id is `Kind/name` in the default namespace and
// `namespace/Kind/name` in any other (docs/scenario-format.md#namespaces).
import { didYouMean } from '../did-you-mean.js';
import type { Problem } from '../issues.js';
import { formatPath, type Path } from '../paths.js';
import { s, validate, type Definitions, type Schema } from '../schema-def.js';
import { dns1123Label, dns1123Subdomain } from '../names.js';
import { parseCpuMilli, parseMemoryBytes } from '../units.js';
import type { Count, WorkloadKind } from '../types.js';
import {
  type Capacity,
  type PodProbes,
  VOLUME_ACCESS_MODES,
  type VolumeAccessMode,
  type VolumeClaimTemplate,
} from '../../k8s/workloads.js';
import type { Taint } from '../../k8s/objects.js';
import type { LabelSelector, PodScheduling, PriorityClass } from '../../k8s/scheduling.js';
import { labelSelectorSchema, requirementProblems, selectorMatches, toLabelSelector } from './selectors.js';
import { podTemplateSchema, readPodTemplate } from './pod-template.js';
import { readService, type ManifestService } from './service.js';

export { toToleration } from './pod-template.js';
export { selectorMatches } from './selectors.js';
export { serviceId, type ManifestService } from './service.js';

// Parsed YAML before validation: any shape at all, narrowed field by field as it is checked.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** The namespace of an object that does not name one (kubectl's default context). */
export const DEFAULT_NAMESPACE = 'default';

/** How SLOs, faults and the trace name a workload: `Kind/name`, or `namespace/Kind/name` outside "default". */
export function workloadId(kind: string, name: string, namespace: string = DEFAULT_NAMESPACE): string {
  return namespace === DEFAULT_NAMESPACE ? `${kind}/${name}` : `${namespace}/${kind}/${name}`;
}

export interface ManifestWorkload {
  kind: WorkloadKind;
  /** The kind as written (a ReplicaSet without a Deployment is simulated as a Deployment). */
  sourceKind: string;
  name: string;
  namespace: string;
  id: string;
  /** Absent: the Kubernetes default (1; DaemonSets have none). */
  replicas?: number;
  requests: { cpuMilli: number; memoryBytes: number };
  tolerations: import('../types.js').Toleration[];
  nodeSelector: Record<string, string>;
  /** A DoNotSchedule topology spread constraint on topology.kubernetes.io/zone (the scheduler's shorthand). */
  spreadAcrossZones: boolean;
  terminationGracePeriodMs?: number;
  /** The pod template's probes (pod-template.ts readProbes); absent: none. */
  probes?: PodProbes;
  /** A StatefulSet's spec.volumeClaimTemplates; absent: none. */
  volumeClaimTemplates?: VolumeClaimTemplate[];
  templateLabels: Record<string, string>;
  /** Priority still 0: build.ts resolves it once every PriorityClass is known. */
  scheduling: PodScheduling;
  /** The priority and preemptionPolicy the template sets itself, if any. */
  own: { priority?: number; preemptionPolicy?: import('../../k8s/scheduling.js').PreemptionPolicy };
  origin: string;
  doc: number;
  /** Path of the object within its document ([] for a document of its own, ["items", 3] in a List). */
  base: Path;
}

export interface ManifestPdb {
  name: string;
  namespace: string;
  /** Absent selects nothing; empty selects every pod of the namespace (policy/v1). */
  selector?: LabelSelector;
  minAvailable?: Count;
  maxUnavailable?: Count;
  origin: string;
  doc: number;
  base: Path;
}

export interface ManifestNode {
  name: string;
  zone: string;
  labels: Record<string, string>;
  capacity: Capacity;
  taints: Taint[];
  unschedulable: boolean;
  /** Has a control-plane role label or the control-plane taint. */
  controlPlane: boolean;
  origin: string;
  doc: number;
  base: Path;
}

export interface ManifestPriorityClass extends PriorityClass {
  origin: string;
  doc: number;
  base: Path;
}

export interface ManifestReadResult {
  workloads: ManifestWorkload[];
  pdbs: ManifestPdb[];
  nodes: ManifestNode[];
  priorityClasses: ManifestPriorityClass[];
  services: ManifestService[];
  /** Services hasim leaves out (headless, ExternalName, without a selector), by id, with why. */
  leftOutServices: Map<string, string>;
  problems: Problem[];
  /** Document index -> how messages name it ("document 2 (apps/v1 Deployment)"). */
  labels: Map<number, string>;
  /** Some object that may have been a workload (a Node, a Service) could not be read: references to it are not reported. */
  incomplete: { workloads: boolean; nodes: boolean; services: boolean };
}

export interface ReadOptions {
  /** Kinds no reader knows: an error (a scenario), or a warning and left out (`hasim import`). */
  unknownKinds?: 'error' | 'skip';
}

/** One object to read: where it is, and a function that reports problems at paths relative to it. */
interface ObjectContext {
  value: Raw;
  doc: number;
  base: Path;
  origin: string;
  result: ManifestReadResult;
  problem: (path: Path, message: string, hint?: string, code?: string, severity?: 'error' | 'warning') => void;
  /** Problems from `validate` (relative paths), re-based onto the document. */
  add: (problems: Problem[]) => void;
}

interface KindReader {
  apiVersion: string;
  read: (ctx: ObjectContext) => void;
}

const NO_DEFS: Definitions = {};
const nameField = s.req(s.string(undefined, { rule: dns1123Subdomain }));
const namespaceField = s.opt(s.string(undefined, { rule: dns1123Label }));

/** The kinds read, one row each. */
const READERS: Record<string, KindReader> = {
  Deployment: { apiVersion: 'apps/v1', read: readWorkload },
  StatefulSet: { apiVersion: 'apps/v1', read: readWorkload },
  DaemonSet: { apiVersion: 'apps/v1', read: readWorkload },
  ReplicaSet: { apiVersion: 'apps/v1', read: readWorkload },
  PodDisruptionBudget: { apiVersion: 'policy/v1', read: readPdb },
  Node: { apiVersion: 'v1', read: readNode },
  PriorityClass: { apiVersion: 'scheduling.k8s.io/v1', read: readPriorityClass },
  Service: { apiVersion: 'v1', read: readServiceObject },
};

/** An object that could not be read may have been any kind: references to anything are not reported. */
function markIncomplete(result: ManifestReadResult): void {
  result.incomplete.workloads = true;
  result.incomplete.nodes = true;
  result.incomplete.services = true;
}

function readServiceObject(ctx: ObjectContext): void {
  const outcome = readService(ctx.value, ctx);
  if (outcome === undefined) ctx.result.incomplete.services = true;
  else if ('service' in outcome) ctx.result.services.push(outcome.service);
  else ctx.result.leftOutServices.set(outcome.leftOut.id, outcome.leftOut.why);
}

export const MANIFEST_KINDS = [...Object.keys(READERS), 'List'];
/** The apiVersion of each kind (List: v1), for the JSON Schema. */
export const MANIFEST_API_VERSIONS = [...new Set([...Object.values(READERS).map((r) => r.apiVersion), 'v1'])];

/** kubectl nests Lists only a level or two; past this a file is more likely a mistake than a dump. */
const MAX_LIST_DEPTH = 8;

/** A result with nothing read yet (readManifests starts from one; `hasim import` merges files into one). */
export function emptyManifestResult(): ManifestReadResult {
  return {
    workloads: [],
    pdbs: [],
    nodes: [],
    priorityClasses: [],
    services: [],
    leftOutServices: new Map(),
    problems: [],
    labels: new Map(),
    incomplete: { workloads: false, nodes: false, services: false },
  };
}

/** Reads documents 2.. of a file; `docs` holds each document's index and plain value. */
export function readManifests(docs: { index: number; value: unknown }[], opts: ReadOptions = {}): ManifestReadResult {
  const result = emptyManifestResult();
  for (const { index, value } of docs) {
    const raw = (value ?? {}) as Raw;
    const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : undefined;
    const label = `document ${index + 1}${kind ? ` (${apiVersion ?? '?'} ${kind})` : ''}`;
    result.labels.set(index, label);
    readObject(value, index, [], label, result, opts, 0);
  }
  checkDuplicates(result);
  return result;
}

function readObject(
  value: unknown,
  doc: number,
  base: Path,
  origin: string,
  result: ManifestReadResult,
  opts: ReadOptions,
  depth: number,
): void {
  const problem: ObjectContext['problem'] = (path, message, hint, code = 'invalid-manifest', severity = 'error') => {
    result.problems.push({ severity, code, path: [...base, ...path], message, hint, doc });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem([], 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata.name)');
    markIncomplete(result);
    return;
  }
  const raw = value as Raw;
  const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : undefined;
  if (kind === 'Scenario') {
    problem(['kind'], 'a file holds one Scenario, as its first document; this is another one');
    return;
  }
  if (kind !== undefined && (kind === 'List' || (kind.endsWith('List') && Array.isArray(raw.items)))) {
    readList(raw, kind, apiVersion, doc, base, origin, result, opts, depth, problem);
    return;
  }
  if (kind === undefined || !Object.hasOwn(READERS, kind)) {
    unreadKind(kind, result, opts, problem);
    return;
  }
  const reader = READERS[kind];
  if (apiVersion !== undefined && apiVersion !== reader.apiVersion) {
    problem(
      ['apiVersion'],
      `${kind} is read as ${reader.apiVersion}, found apiVersion "${apiVersion}"`,
      `write apiVersion: ${reader.apiVersion}`,
      'unknown-value',
    );
  }
  const objectOrigin = base.length === 0 ? origin : `${origin} ${formatPath(base)} (${kind})`;
  reader.read({
    value: raw,
    doc,
    base,
    origin: objectOrigin,
    result,
    problem,
    add: (problems) => {
      for (const p of problems) result.problems.push({ ...p, path: [...base, ...p.path], doc });
    },
  });
}

/**
 * An object of a kind hasim has no reader for: left out with a warning when an import asks to skip such
 * kinds (and the kind is no misspelling of one it reads), otherwise an error naming the kinds it reads.
 */
function unreadKind(
  kind: string | undefined,
  result: ManifestReadResult,
  opts: ReadOptions,
  problem: ObjectContext['problem'],
): void {
  const known = Object.keys(READERS);
  if (kind !== undefined && opts.unknownKinds === 'skip' && didYouMean(kind, known) === undefined) {
    problem(
      ['kind'],
      `hasim does not read ${kind} objects; this one is left out`,
      undefined,
      'not-modelled',
      'warning',
    );
    return;
  }
  const suggestion = kind ? didYouMean(kind, MANIFEST_KINDS) : undefined;
  const list = `${known.slice(0, -1).join(', ')} or ${known[known.length - 1]} objects, or a List of them`;
  problem(
    kind === undefined ? [] : ['kind'],
    kind === undefined
      ? `missing required field "kind" (after the Scenario, documents are ${list})`
      : `unsupported kind "${kind}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; documents after the Scenario may be ${list}`,
    undefined,
    'unknown-value',
  );
  markIncomplete(result);
}

function readList(
  raw: Raw,
  kind: string,
  apiVersion: string | undefined,
  doc: number,
  base: Path,
  origin: string,
  result: ManifestReadResult,
  opts: ReadOptions,
  depth: number,
  problem: ObjectContext['problem'],
): void {
  if (kind === 'List' && apiVersion !== undefined && apiVersion !== 'v1') {
    problem(
      ['apiVersion'],
      `List is read as v1, found apiVersion "${apiVersion}"`,
      'write apiVersion: v1',
      'unknown-value',
    );
  }
  if (depth >= MAX_LIST_DEPTH) {
    problem([], `Lists nested more than ${MAX_LIST_DEPTH} deep are not read`);
    markIncomplete(result);
    return;
  }
  if (raw.items === undefined || raw.items === null) return; // `items: []` printed as nothing: an empty List
  if (!Array.isArray(raw.items)) {
    problem(['items'], 'expected a list of Kubernetes objects');
    markIncomplete(result);
    return;
  }
  raw.items.forEach((item: unknown, i: number) =>
    readObject(item, doc, [...base, 'items', i], origin, result, opts, depth + 1),
  );
}

function metadataSchema(namespaced: boolean): Schema {
  return s.open({
    name: nameField,
    ...(namespaced ? { namespace: namespaceField } : {}),
    labels: s.opt(s.map()),
  });
}

const workloadSchema = s.open({
  metadata: s.req(metadataSchema(true)),
  spec: s.req(
    s.open({
      replicas: s.opt(s.integer(undefined, 0)),
      selector: s.opt(labelSelectorSchema),
      template: s.req(podTemplateSchema),
    }),
  ),
});

/**
 * An apps/v1 Deployment, StatefulSet, DaemonSet or ReplicaSet: its pod template (pod-template.ts), the
 * spec fields around it, and the workload hasim simulates for it (a lone ReplicaSet as a Deployment).
 */
function readWorkload(ctx: ObjectContext): void {
  const { value: raw, problem, result } = ctx;
  const checked = validate(workloadSchema, raw, NO_DEFS);
  ctx.add(checked.problems);
  const v = (checked.value ?? {}) as Raw;
  const name: string | undefined = v.metadata?.name;
  const namespace: string = v.metadata?.namespace ?? DEFAULT_NAMESPACE;
  const sourceKind: string = raw.kind;
  if (name === undefined) {
    result.incomplete.workloads = true;
    return;
  }
  if (sourceKind === 'ReplicaSet' && isOwnedReplicaSet(raw, name, problem)) return;
  const kind: WorkloadKind = sourceKind === 'ReplicaSet' ? 'Deployment' : (sourceKind as WorkloadKind);
  if (sourceKind === 'ReplicaSet') {
    problem(
      ['kind'],
      `hasim simulates a ReplicaSet without a Deployment as a Deployment of the same pods: SLOs and faults name it ${workloadId('Deployment', name, namespace)}`,
      undefined,
      'not-modelled',
      'warning',
    );
  }
  const rawSpec: Raw = raw.spec ?? {};
  // readPodTemplate reports at paths relative to the object; add() re-bases them.
  const templateProblems: Problem[] = [];
  const template = readPodTemplate(
    v.spec?.template ?? {},
    rawSpec.template ?? {},
    ['spec', 'template'],
    templateProblems,
  );
  ctx.add(templateProblems);
  checkWorkloadSpec(ctx, kind, v, rawSpec, template.scheduling.labels);
  const claimTemplates = kind === 'StatefulSet' ? readClaimTemplates(rawSpec.volumeClaimTemplates, problem) : [];
  const zoneKey = 'topology.kubernetes.io/zone';
  result.workloads.push({
    kind,
    sourceKind,
    name,
    namespace,
    id: workloadId(kind, name, namespace),
    replicas: v.spec?.replicas,
    requests: template.requests,
    tolerations: template.tolerations,
    nodeSelector: template.nodeSelector,
    spreadAcrossZones: template.scheduling.topologySpreadConstraints.some(
      (c) => c.topologyKey === zoneKey && c.whenUnsatisfiable === 'DoNotSchedule',
    ),
    terminationGracePeriodMs: template.terminationGracePeriodMs,
    ...(template.probes ? { probes: template.probes } : {}),
    ...(claimTemplates.length > 0 ? { volumeClaimTemplates: claimTemplates } : {}),
    templateLabels: template.scheduling.labels,
    scheduling: template.scheduling,
    own: template.own,
    origin: ctx.origin,
    doc: ctx.doc,
    base: ctx.base,
  });
}

/**
 * A ReplicaSet a Deployment (or another controller) owns is its owner's: hasim's Deployment already stands
 * for it, so it is left out with a warning.
 */
function isOwnedReplicaSet(raw: Raw, name: string, problem: ObjectContext['problem']): boolean {
  const owner = (Array.isArray(raw.metadata?.ownerReferences) ? raw.metadata.ownerReferences : []).find(
    (o: Raw) => o?.controller === true && typeof o.kind === 'string',
  );
  if (!owner) return false;
  problem(
    ['metadata', 'ownerReferences'],
    `ReplicaSet "${name}" belongs to ${owner.kind} "${owner.name}"; hasim simulates the owner, so this ReplicaSet is left out`,
    undefined,
    'not-modelled',
    'warning',
  );
  return true;
}

/**
 * The workload's spec around its pod template: a selector that matches the template's labels (the API server
 * rejects one that does not), no replicas on a DaemonSet, and the fields hasim does not model
 * (minReadySeconds, podManagementPolicy Parallel).
 */
function checkWorkloadSpec(
  ctx: ObjectContext,
  kind: WorkloadKind,
  v: Raw,
  rawSpec: Raw,
  templateLabels: Record<string, string>,
): void {
  const { problem } = ctx;
  (rawSpec.selector?.matchExpressions ?? []).forEach((e: Raw, k: number) =>
    ctx.add(requirementProblems(e, ['spec', 'selector', 'matchExpressions', k])),
  );
  const selector = toLabelSelector(v.spec?.selector);
  if (selector && !selectorMatches(selector, templateLabels)) {
    problem(
      ['spec', 'selector'],
      "the selector does not match the pod template's labels (spec.template.metadata.labels); the API server rejects such a workload",
    );
  }
  if (kind === 'DaemonSet' && v.spec?.replicas !== undefined) {
    problem(['spec', 'replicas'], 'a DaemonSet has no replicas: it runs one pod on every eligible node');
  }
  if (rawSpec.minReadySeconds !== undefined && rawSpec.minReadySeconds !== 0) {
    problem(
      ['spec', 'minReadySeconds'],
      'hasim does not model minReadySeconds: a pod counts as available as soon as it is Ready',
      undefined,
      'not-modelled',
      'warning',
    );
  }
  if (kind === 'StatefulSet' && rawSpec.podManagementPolicy === 'Parallel') {
    problem(
      ['spec', 'podManagementPolicy'],
      'hasim does not model podManagementPolicy Parallel: StatefulSet pods are created one at a time, in order (OrderedReady)',
      undefined,
      'not-modelled',
      'warning',
    );
  }
}

/**
 * apps/v1 StatefulSet spec.volumeClaimTemplates: each a PersistentVolumeClaim's name, spec.accessModes,
 * spec.resources.requests.storage and spec.storageClassName (core/v1 validation ValidatePersistentVolumeClaimSpec:
 * at least one access mode, a storage request). A template kubectl printed without them is an error at its field.
 */
function readClaimTemplates(value: unknown, problem: ObjectContext['problem']): VolumeClaimTemplate[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problem(['spec', 'volumeClaimTemplates'], 'expected a list of PersistentVolumeClaim templates');
    return [];
  }
  const out: VolumeClaimTemplate[] = [];
  const seen = new Set<string>();
  value.forEach((t: Raw, i: number) => {
    const path = ['spec', 'volumeClaimTemplates', i];
    const name = t?.metadata?.name;
    if (typeof name !== 'string' || dns1123Label.check(name) !== undefined) {
      problem([...path, 'metadata', 'name'], 'a volume claim template needs a name, a DNS-1123 label');
      return;
    }
    if (seen.has(name)) {
      problem([...path, 'metadata', 'name'], `two volume claim templates are named "${name}"`);
      return;
    }
    seen.add(name);
    const modes: unknown[] = Array.isArray(t.spec?.accessModes) ? t.spec.accessModes : [];
    if (modes.length === 0) {
      problem([...path, 'spec', 'accessModes'], 'at least one access mode is required (e.g. ReadWriteOnce)');
      return;
    }
    const bad = modes.findIndex((m) => !VOLUME_ACCESS_MODES.includes(m as VolumeAccessMode));
    if (bad >= 0) {
      problem(
        [...path, 'spec', 'accessModes', bad],
        `unknown access mode ${JSON.stringify(modes[bad])}; expected one of ${VOLUME_ACCESS_MODES.join(', ')}`,
      );
      return;
    }
    const storage = parseMemoryBytes(t.spec?.resources?.requests?.storage);
    if (!storage.ok) {
      problem([...path, 'spec', 'resources', 'requests', 'storage'], `storage request: ${storage.message}`);
      return;
    }
    const className = t.spec?.storageClassName;
    out.push({
      name,
      accessModes: modes as VolumeAccessMode[],
      storageBytes: storage.value,
      ...(typeof className === 'string' ? { storageClassName: className } : {}),
    });
  });
  return out;
}

const pdbSchema = s.open({
  metadata: s.req(metadataSchema(true)),
  spec: s.req(
    s.open({
      selector: s.opt(labelSelectorSchema),
      minAvailable: s.opt(s.count()),
      maxUnavailable: s.opt(s.count()),
      unhealthyPodEvictionPolicy: s.opt(s.enum(['IfHealthyBudget', 'AlwaysAllow'], 'unhealthyPodEvictionPolicy')),
    }),
  ),
});

function readPdb(ctx: ObjectContext): void {
  const checked = validate(pdbSchema, ctx.value, NO_DEFS);
  ctx.add(checked.problems);
  const v = (checked.value ?? {}) as Raw;
  (ctx.value.spec?.selector?.matchExpressions ?? []).forEach((e: Raw, k: number) =>
    ctx.add(requirementProblems(e, ['spec', 'selector', 'matchExpressions', k])),
  );
  if (v.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow')
    ctx.problem(
      ['spec', 'unhealthyPodEvictionPolicy'],
      'hasim does not read unhealthyPodEvictionPolicy: it treats the budget as the default IfHealthyBudget does',
      undefined,
      'not-modelled',
      'warning',
    );
  if (v.metadata?.name === undefined) return;
  const pdb: ManifestPdb = {
    name: v.metadata.name,
    namespace: v.metadata.namespace ?? DEFAULT_NAMESPACE,
    minAvailable: v.spec?.minAvailable,
    maxUnavailable: v.spec?.maxUnavailable,
    origin: ctx.origin,
    doc: ctx.doc,
    base: ctx.base,
  };
  const selector = toLabelSelector(v.spec?.selector);
  if (selector) pdb.selector = selector;
  ctx.result.pdbs.push(pdb);
}

const taintSchema = s.open({
  key: s.req(s.string()),
  value: s.opt(s.string()),
  effect: s.req(s.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'taint effect')),
});
const resourceList = s.open({});
const nodeSchema = s.open({
  metadata: s.req(metadataSchema(false)),
  spec: s.opt(s.open({ taints: s.opt(s.array(taintSchema)), unschedulable: s.opt(s.boolean()) })),
  status: s.opt(s.open({ allocatable: s.opt(resourceList), capacity: s.opt(resourceList) })),
});

/** The labels and taint that mark a control-plane Node (kubeadm's, and the older "master" ones). */
export const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
export const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const NO_ZONE = 'zone-a';

function readNode(ctx: ObjectContext): void {
  const { value: raw, problem, result } = ctx;
  const checked = validate(nodeSchema, raw, NO_DEFS);
  ctx.add(checked.problems);
  const v = (checked.value ?? {}) as Raw;
  const name: string | undefined = v.metadata?.name;
  if (name === undefined) {
    result.incomplete.nodes = true;
    return;
  }
  const labels: Record<string, string> = { ...(v.metadata?.labels ?? {}) };
  let zone = labels[ZONE_LABEL] ?? labels[LEGACY_ZONE_LABEL];
  if (zone === undefined || zone === '') {
    zone = NO_ZONE;
    problem(
      ['metadata', 'labels'],
      `Node "${name}" has no ${ZONE_LABEL} label; hasim puts it in zone "${NO_ZONE}"`,
      undefined,
      'not-modelled',
      'warning',
    );
  }
  // status.allocatable is what the scheduler fits pods into; capacity only when kubectl printed no allocatable.
  const status: Raw = raw.status ?? {};
  const from = status.allocatable ? 'allocatable' : status.capacity ? 'capacity' : undefined;
  const resources: Raw = from ? status[from] : {};
  const quantity = (field: 'cpu' | 'memory' | 'pods'): number | undefined => {
    const q = resources?.[field];
    if (q === undefined || q === null) return undefined;
    const parsed = field === 'cpu' ? parseCpuMilli(q) : field === 'memory' ? parseMemoryBytes(q) : parsePods(q);
    if (!parsed.ok) {
      problem(['status', from!, field], parsed.message, undefined, 'invalid-quantity');
      return undefined;
    }
    return parsed.value;
  };
  const cpu = quantity('cpu');
  const memory = quantity('memory');
  const pods = quantity('pods');
  if (cpu === undefined || memory === undefined || pods === undefined) {
    problem(
      from ? ['status', from] : ['metadata', 'name'],
      `Node "${name}" does not say its allocatable ${[cpu === undefined ? 'cpu' : '', memory === undefined ? 'memory' : '', pods === undefined ? 'pods' : ''].filter(Boolean).join(', ')} (status.allocatable); hasim uses 4 CPUs, 16Gi and 110 pods for what is missing`,
      undefined,
      'not-modelled',
      'warning',
    );
  }
  const taints: Taint[] = (v.spec?.taints ?? [])
    .filter((t: Raw | undefined) => t?.key !== undefined && t.effect !== undefined)
    .map((t: Raw) =>
      t.value !== undefined && t.value !== ''
        ? { key: t.key, value: t.value, effect: t.effect }
        : { key: t.key, effect: t.effect },
    );
  const controlPlane =
    CONTROL_PLANE_LABELS.some((l) => Object.hasOwn(labels, l)) ||
    taints.some((t) => CONTROL_PLANE_TAINTS.includes(t.key));
  result.nodes.push({
    name,
    zone,
    labels: { ...labels, [ZONE_LABEL]: zone, 'kubernetes.io/hostname': labels['kubernetes.io/hostname'] ?? name },
    capacity: { cpuMilli: cpu ?? 4000, memoryBytes: memory ?? 16 * 2 ** 30, pods: pods ?? 110 },
    taints,
    unschedulable: v.spec?.unschedulable === true,
    controlPlane,
    origin: ctx.origin,
    doc: ctx.doc,
    base: ctx.base,
  });
}

/** kubectl prints pods as a string ("110"); a whole number either way. */
function parsePods(q: unknown): { ok: true; value: number } | { ok: false; message: string } {
  const n = typeof q === 'number' ? q : typeof q === 'string' && /^\d+$/.test(q.trim()) ? Number(q.trim()) : NaN;
  return Number.isSafeInteger(n) && n >= 0
    ? { ok: true, value: n }
    : { ok: false, message: `expected a whole number of pods, found ${JSON.stringify(q)}` };
}

/** pkg/apis/scheduling: HighestUserDefinablePriority; values above it are reserved for system classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;

const priorityClassSchema = s.open({
  metadata: s.req(metadataSchema(false)),
  value: s.req(s.integer(undefined, -2_147_483_648, 2_147_483_647)),
  globalDefault: s.opt(s.boolean()),
  preemptionPolicy: s.opt(s.enum(['PreemptLowerPriority', 'Never'], 'preemptionPolicy')),
});

function readPriorityClass(ctx: ObjectContext): void {
  const checked = validate(priorityClassSchema, ctx.value, NO_DEFS);
  ctx.add(checked.problems);
  const v = (checked.value ?? {}) as Raw;
  if (v.metadata?.name === undefined || v.value === undefined) return;
  ctx.result.priorityClasses.push({
    name: v.metadata.name,
    value: v.value,
    globalDefault: v.globalDefault === true,
    preemptionPolicy: v.preemptionPolicy ?? 'PreemptLowerPriority',
    origin: ctx.origin,
    doc: ctx.doc,
    base: ctx.base,
  });
}

/** Nodes, PDBs and PriorityClasses named twice (workloads: semantic-checks.ts, with the scenario's own). */
function checkDuplicates(result: ManifestReadResult): void {
  const dup = <T extends { doc: number; base: Path; origin: string }>(
    items: T[],
    key: (t: T) => string,
    what: string,
  ): void => {
    const seen = new Map<string, T>();
    for (const item of items) {
      const k = key(item);
      const first = seen.get(k);
      if (first === undefined) seen.set(k, item);
      else
        result.problems.push({
          severity: 'error',
          code: 'duplicate-name',
          path: [...item.base, 'metadata', 'name'],
          message: `duplicate ${what} "${k}" (${first.origin} already defines it)`,
          doc: item.doc,
        });
    }
  };
  dup(result.nodes, (n) => n.name, 'Node');
  dup(result.pdbs, (p) => `${p.namespace}/${p.name}`, 'PodDisruptionBudget');
  dup(result.priorityClasses, (p) => p.name, 'PriorityClass');
  dup(result.services, (sv) => `${sv.namespace}/${sv.name}`, 'Service');
}

/** policy/v1: a PDB selects the pods of its own namespace that its selector matches. */
export function pdbSelects(
  pdb: ManifestPdb,
  w: { namespace: string; templateLabels: Record<string, string> },
): boolean {
  return pdb.namespace === w.namespace && selectorMatches(pdb.selector, w.templateLabels);
}

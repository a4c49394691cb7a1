// Kubernetes manifests after the Scenario document (apps/v1 Deployment, StatefulSet, DaemonSet and
// policy/v1 PodDisruptionBudget) read into hasim workloads. Fields hasim does not model (probes,
// affinity, volumes, ...) are ignored, so real manifests can be pasted in unchanged; only what
// hasim reads is checked. A workload's requests are its pod's effective requests as the scheduler
// computes them: the sum over containers, or the largest init container if that is larger. A
// container without requests asks for nothing, as in Kubernetes (a BestEffort pod).
import { didYouMean } from './did-you-mean.js';
import type { Problem } from './issues.js';
import { s, validate, type Definitions } from './schema-def.js';
import { dns1123Subdomain } from './names.js';
import { toleration } from './scenario-schema.js';
import type { Count, Toleration, WorkloadKind } from './types.js';

const KIND_API_VERSION: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  PodDisruptionBudget: 'policy/v1',
};

export const MANIFEST_KINDS = Object.keys(KIND_API_VERSION);

const requests = s.open({ cpu: s.opt(s.cpu()), memory: s.opt(s.memory()) });
const container = s.open({ name: s.opt(s.string()), resources: s.opt(s.open({ requests: s.opt(requests) })) });

const workloadManifest = s.open({
  apiVersion: s.req(s.string()),
  kind: s.req(s.string()),
  metadata: s.req(s.open({ name: s.req(s.string(undefined, { rule: dns1123Subdomain })), labels: s.opt(s.map()) })),
  spec: s.req(
    s.open({
      replicas: s.opt(s.integer(undefined, 0)),
      selector: s.opt(s.open({ matchLabels: s.opt(s.map()) })),
      template: s.req(
        s.open({
          metadata: s.opt(s.open({ labels: s.opt(s.map()) })),
          spec: s.req(
            s.open({
              containers: s.req(s.array(container)),
              initContainers: s.opt(s.array(container)),
              tolerations: s.opt(s.array(toleration)),
              nodeSelector: s.opt(s.map()),
              topologySpreadConstraints: s.opt(
                s.array(s.open({ topologyKey: s.req(s.string()), maxSkew: s.opt(s.integer(undefined, 1)) })),
              ),
              terminationGracePeriodSeconds: s.opt(s.integer(undefined, 0)),
            }),
          ),
        }),
      ),
    }),
  ),
});

const pdbManifest = s.open({
  apiVersion: s.req(s.string()),
  kind: s.req(s.string()),
  metadata: s.req(s.open({ name: s.req(s.string(undefined, { rule: dns1123Subdomain })) })),
  spec: s.req(
    s.open({
      selector: s.opt(s.open({ matchLabels: s.opt(s.map()) })),
      minAvailable: s.opt(s.count()),
      maxUnavailable: s.opt(s.count()),
    }),
  ),
});

const NO_DEFS: Definitions = {};

export interface ManifestWorkload {
  kind: WorkloadKind;
  name: string;
  /** Absent: the Kubernetes default (1; DaemonSets have none). */
  replicas?: number;
  requests: { cpuMilli: number; memoryBytes: number };
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  spreadAcrossZones: boolean;
  terminationGracePeriodMs?: number;
  templateLabels: Record<string, string>;
  origin: string;
  doc: number;
}

export interface ManifestPdb {
  name: string;
  matchLabels: Record<string, string>;
  minAvailable?: Count;
  maxUnavailable?: Count;
  origin: string;
  doc: number;
}

export interface ManifestReadResult {
  workloads: ManifestWorkload[];
  pdbs: ManifestPdb[];
  problems: Problem[];
  /** Document index -> how messages name it ("document 2 (apps/v1 Deployment)"). */
  labels: Map<number, string>;
}

// Parsed YAML before validation: any shape at all, narrowed field by field as it is checked.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** Reads documents 2.. of a file; `docs` holds each document's index and plain value. */
export function readManifests(docs: { index: number; value: unknown }[]): ManifestReadResult {
  const result: ManifestReadResult = { workloads: [], pdbs: [], problems: [], labels: new Map() };
  for (const { index, value } of docs) {
    const raw = (value ?? {}) as Raw;
    const kind = typeof raw.kind === 'string' ? raw.kind : undefined;
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : undefined;
    const label = `document ${index + 1}${kind ? ` (${apiVersion ?? '?'} ${kind})` : ''}`;
    result.labels.set(index, label);
    const problem = (path: (string | number)[], message: string, hint?: string, code = 'invalid-manifest'): void => {
      result.problems.push({ severity: 'error', code, path, message, hint, doc: index });
    };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem([], 'expected a Kubernetes manifest (a mapping with apiVersion, kind and metadata.name)');
      continue;
    }
    if (kind === 'Scenario') {
      problem(['kind'], 'a file holds one Scenario, as its first document; this is another one');
      continue;
    }
    if (kind === undefined || !Object.hasOwn(KIND_API_VERSION, kind)) {
      const suggestion = kind ? didYouMean(kind, MANIFEST_KINDS) : undefined;
      problem(
        kind === undefined ? [] : ['kind'],
        kind === undefined
          ? 'missing required field "kind" (after the Scenario, documents are Deployment, StatefulSet, DaemonSet or PodDisruptionBudget manifests)'
          : `unsupported kind "${kind}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; documents after the Scenario may be Deployment, StatefulSet, DaemonSet or PodDisruptionBudget`,
        undefined,
        'unknown-value',
      );
      continue;
    }
    const expectedApi = KIND_API_VERSION[kind];
    if (apiVersion !== undefined && apiVersion !== expectedApi) {
      problem(
        ['apiVersion'],
        `${kind} is read as ${expectedApi}, found apiVersion "${apiVersion}"`,
        `write apiVersion: ${expectedApi}`,
        'unknown-value',
      );
    }
    const checked = validate(kind === 'PodDisruptionBudget' ? pdbManifest : workloadManifest, value, NO_DEFS);
    for (const p of checked.problems) result.problems.push({ ...p, doc: index });
    const v = (checked.value ?? {}) as Raw;
    const name: string = v.metadata?.name ?? '';
    if (kind === 'PodDisruptionBudget') {
      result.pdbs.push({
        name,
        matchLabels: v.spec?.selector?.matchLabels ?? {},
        minAvailable: v.spec?.minAvailable,
        maxUnavailable: v.spec?.maxUnavailable,
        origin: label,
        doc: index,
      });
      continue;
    }
    const podSpec: Raw = v.spec?.template?.spec ?? {};
    const sum = (list: Raw[] | undefined, field: 'cpu' | 'memory'): number =>
      (list ?? []).reduce((acc, c) => acc + (c?.resources?.requests?.[field] ?? 0), 0);
    const maxOf = (list: Raw[] | undefined, field: 'cpu' | 'memory'): number =>
      (list ?? []).reduce((acc, c) => Math.max(acc, c?.resources?.requests?.[field] ?? 0), 0);
    const workloadKind = kind as WorkloadKind;
    if (workloadKind === 'DaemonSet' && v.spec?.replicas !== undefined) {
      problem(['spec', 'replicas'], 'a DaemonSet has no replicas: it runs one pod on every eligible node');
    }
    result.workloads.push({
      kind: workloadKind,
      name,
      replicas: v.spec?.replicas,
      requests: {
        cpuMilli: Math.max(sum(podSpec.containers, 'cpu'), maxOf(podSpec.initContainers, 'cpu')),
        memoryBytes: Math.max(sum(podSpec.containers, 'memory'), maxOf(podSpec.initContainers, 'memory')),
      },
      tolerations: (podSpec.tolerations ?? []).filter(Boolean).map(toToleration),
      nodeSelector: podSpec.nodeSelector ?? {},
      spreadAcrossZones: (podSpec.topologySpreadConstraints ?? []).some(
        (c: Raw) => c?.topologyKey === 'topology.kubernetes.io/zone',
      ),
      terminationGracePeriodMs:
        podSpec.terminationGracePeriodSeconds === undefined ? undefined : podSpec.terminationGracePeriodSeconds * 1000,
      templateLabels: v.spec?.template?.metadata?.labels ?? {},
      origin: label,
      doc: index,
    });
  }
  return result;
}

/** A validated toleration as the scenario and the manifests write it (operator defaults to Equal). */
export function toToleration(raw: Raw): Toleration {
  const t: Toleration = { operator: raw.operator ?? 'Equal' };
  if (raw.key !== undefined) t.key = raw.key;
  if (raw.value !== undefined) t.value = raw.value;
  if (raw.effect !== undefined) t.effect = raw.effect;
  if (raw.tolerationSeconds !== undefined) t.tolerationSeconds = raw.tolerationSeconds;
  return t;
}

/** policy/v1: an empty selector selects every pod (of the namespace); otherwise all matchLabels must match. */
export function pdbSelects(pdb: ManifestPdb, templateLabels: Record<string, string>): boolean {
  return Object.entries(pdb.matchLabels).every(([k, v]) => templateLabels[k] === v);
}

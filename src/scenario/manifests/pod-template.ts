// A pod template (core/v1 PodTemplateSpec) read into what hasim simulates: the pod's effective requests,
// tolerations, nodeSelector, and its scheduling fields as the shared PodScheduling type
// (src/k8s/scheduling.ts). Fields that could change scheduling, eviction or availability but that hasim
// does not model each give one warning saying what hasim does instead (UNMODELLED below), so nothing in
// a pasted manifest is ignored silently.
//
// Effective requests follow k8s.io/component-helpers/resource/helpers.go (PodRequests): the sum over
// containers plus restartable init containers (sidecars), or the largest of the init containers (each
// with the sidecars started before it) if that is larger. A container that sets limits but no requests
// gets requests equal to its limits, as the API server's defaulting does (pkg/apis/core/v1/defaults.go,
// SetDefaults_Container via defaultRequests).
import { s, type Schema } from '../schema-def.js';
import type { Problem } from '../issues.js';
import type { Path } from '../paths.js';
import { toleration } from '../scenario-schema.js';
import type { Toleration } from '../types.js';
import type {
  Affinity,
  PodAffinity,
  PodAffinityTerm,
  PodScheduling,
  PreemptionPolicy,
  TopologySpreadConstraint,
} from '../../k8s/scheduling.js';
import {
  labelSelectorSchema,
  nodeSelectorTermSchema,
  requirementProblems,
  toLabelSelector,
  toNodeSelectorTerm,
} from './selectors.js';
import { parseCpuMilli, parseMemoryBytes } from '../units.js';
import { PROBE_DEFAULTS, type PodProbes } from '../../k8s/workloads.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export const DEFAULT_SCHEDULER = 'default-scheduler';

// Requests and limits are read by hand (not by the schema): kubectl prints extended resources beside cpu
// and memory, and those only warn.
/** A core/v1 Probe: its timing (the handler, httpGet / tcpSocket / exec / grpc, does not matter to hasim). */
const probe = s.open({
  initialDelaySeconds: s.opt(s.integer(undefined, 0)),
  periodSeconds: s.opt(s.integer(undefined, 1)),
  timeoutSeconds: s.opt(s.integer(undefined, 1)),
  failureThreshold: s.opt(s.integer(undefined, 1)),
  successThreshold: s.opt(s.integer(undefined, 1)),
});
const container = s.open({
  name: s.opt(s.string()),
  resources: s.opt(s.open({})),
  readinessProbe: s.opt(probe),
  livenessProbe: s.opt(probe),
  startupProbe: s.opt(probe),
});

const podAffinityTerm = s.open({
  labelSelector: s.opt(labelSelectorSchema),
  namespaces: s.opt(s.array(s.string())),
  namespaceSelector: s.opt(labelSelectorSchema),
  topologyKey: s.req(s.string()),
  matchLabelKeys: s.opt(s.array(s.string())),
  mismatchLabelKeys: s.opt(s.array(s.string())),
});
const weight = s.integer(undefined, 1, 100);
const podAffinity = s.open({
  requiredDuringSchedulingIgnoredDuringExecution: s.opt(s.array(podAffinityTerm)),
  preferredDuringSchedulingIgnoredDuringExecution: s.opt(
    s.array(s.open({ weight: s.req(weight), podAffinityTerm: s.req(podAffinityTerm) })),
  ),
});
const affinity = s.open({
  nodeAffinity: s.opt(
    s.open({
      requiredDuringSchedulingIgnoredDuringExecution: s.opt(
        s.open({ nodeSelectorTerms: s.req(s.array(nodeSelectorTermSchema)) }),
      ),
      preferredDuringSchedulingIgnoredDuringExecution: s.opt(
        s.array(s.open({ weight: s.req(weight), preference: s.req(nodeSelectorTermSchema) })),
      ),
    }),
  ),
  podAffinity: s.opt(podAffinity),
  podAntiAffinity: s.opt(podAffinity),
});
const topologySpreadConstraint = s.open({
  maxSkew: s.req(s.integer(undefined, 1)),
  topologyKey: s.req(s.string()),
  whenUnsatisfiable: s.req(s.enum(['DoNotSchedule', 'ScheduleAnyway'], 'whenUnsatisfiable')),
  labelSelector: s.opt(labelSelectorSchema),
  minDomains: s.opt(s.integer(undefined, 1)),
  nodeAffinityPolicy: s.opt(s.enum(['Honor', 'Ignore'], 'nodeAffinityPolicy')),
  nodeTaintsPolicy: s.opt(s.enum(['Honor', 'Ignore'], 'nodeTaintsPolicy')),
  matchLabelKeys: s.opt(s.array(s.string())),
});

export const podTemplateSchema: Schema = s.open({
  metadata: s.opt(s.open({ labels: s.opt(s.map()) })),
  spec: s.req(
    s.open({
      containers: s.req(s.array(container)),
      initContainers: s.opt(s.array(container)),
      tolerations: s.opt(s.array(toleration)),
      nodeSelector: s.opt(s.map()),
      affinity: s.opt(affinity),
      topologySpreadConstraints: s.opt(s.array(topologySpreadConstraint)),
      priorityClassName: s.opt(s.string()),
      priority: s.opt(s.integer()),
      preemptionPolicy: s.opt(s.enum(['PreemptLowerPriority', 'Never'], 'preemptionPolicy')),
      schedulerName: s.opt(s.string()),
      terminationGracePeriodSeconds: s.opt(s.integer(undefined, 0)),
    }),
  ),
});

export interface PodTemplate {
  requests: { cpuMilli: number; memoryBytes: number };
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  /** Priority is 0 here; build.ts resolves it from the PriorityClasses of the whole scenario. */
  scheduling: PodScheduling;
  /** What the pod spec sets itself; admission checks both against the resolved PriorityClass. */
  own: { priority?: number; preemptionPolicy?: PreemptionPolicy };
  terminationGracePeriodMs?: number;
  /** The containers' probes (the first container with each kind); absent: none. */
  probes?: PodProbes;
}

const PROBE_FIELDS = [
  ['readinessProbe', 'readiness'],
  ['livenessProbe', 'liveness'],
  ['startupProbe', 'startup'],
] as const;

/**
 * The pod's probes from its containers (core/v1 Probe, defaults of SetDefaults_Probe). The pod is Ready when
 * every container is; hasim models one set of probes per pod, so a second container with the same kind of
 * probe is warned about. successThreshold must be 1 for liveness and startup probes (ValidateProbe).
 */
function readProbes(spec: Raw, path: Path, problems: Problem[]): PodProbes | undefined {
  const out: PodProbes = {};
  const containers: Raw[] = Array.isArray(spec.containers) ? spec.containers : [];
  for (const [field, kind] of PROBE_FIELDS) {
    containers.forEach((c: Raw, i: number) => {
      const p: Raw | undefined = c?.[field];
      if (p === undefined || p === null || typeof p !== 'object') return;
      const at = [...path, 'containers', i, field];
      if (out[kind] !== undefined) {
        problems.push({
          severity: 'warning',
          code: 'not-modelled',
          path: at,
          message: `hasim models one ${kind} probe per pod: this container's is left out, the first container's decides`,
        });
        return;
      }
      if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1)
        problems.push({
          severity: 'error',
          code: 'out-of-range',
          path: [...at, 'successThreshold'],
          message: `must be 1 for a ${kind} probe`,
        });
      out[kind] = {
        initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
        periodMs: (p.periodSeconds ?? PROBE_DEFAULTS.periodMs / 1000) * 1000,
        timeoutMs: (p.timeoutSeconds ?? PROBE_DEFAULTS.timeoutMs / 1000) * 1000,
        failureThreshold: p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold,
        successThreshold: p.successThreshold ?? PROBE_DEFAULTS.successThreshold,
      };
    });
  }
  return out.readiness || out.liveness || out.startup ? out : undefined;
}

/**
 * Reads a validated template (`v`) and reports, into `problems`, value rules the schema cannot say and
 * a warning per unmodelled field found in the template as written (`raw`). `path` leads to the template.
 */
export function readPodTemplate(v: Raw, raw: Raw, path: Path, problems: Problem[]): PodTemplate {
  const spec: Raw = v.spec ?? {};
  const rawSpec: Raw = (raw?.spec ?? {}) as Raw;
  const specPath = [...path, 'spec'];
  const requests = effectiveRequests(rawSpec, specPath, problems);
  const aff = spec.affinity
    ? readAffinity(spec.affinity, rawSpec.affinity ?? {}, [...specPath, 'affinity'], problems)
    : undefined;
  (rawSpec.topologySpreadConstraints ?? []).forEach((c: Raw, i: number) => {
    (c?.labelSelector?.matchExpressions ?? []).forEach((e: Raw, k: number) =>
      problems.push(
        ...requirementProblems(e, [
          ...specPath,
          'topologySpreadConstraints',
          i,
          'labelSelector',
          'matchExpressions',
          k,
        ]),
      ),
    );
    if (c?.minDomains !== undefined && c?.whenUnsatisfiable === 'ScheduleAnyway')
      problems.push({
        severity: 'error',
        code: 'conflicting-fields',
        path: [...specPath, 'topologySpreadConstraints', i, 'minDomains'],
        message: 'minDomains can only be set with whenUnsatisfiable: DoNotSchedule',
      });
  });
  const constraints: TopologySpreadConstraint[] = (spec.topologySpreadConstraints ?? [])
    .filter((c: Raw | undefined) => c?.topologyKey !== undefined && c.maxSkew !== undefined && c.whenUnsatisfiable)
    .map((c: Raw) => {
      const out: TopologySpreadConstraint = {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        whenUnsatisfiable: c.whenUnsatisfiable,
        matchLabelKeys: [...(c.matchLabelKeys ?? [])],
      };
      const sel = toLabelSelector(c.labelSelector);
      if (sel) out.labelSelector = sel;
      if (c.minDomains !== undefined) out.minDomains = c.minDomains;
      if (c.nodeAffinityPolicy !== undefined) out.nodeAffinityPolicy = c.nodeAffinityPolicy;
      if (c.nodeTaintsPolicy !== undefined) out.nodeTaintsPolicy = c.nodeTaintsPolicy;
      return out;
    });
  const scheduling: PodScheduling = {
    labels: { ...(v.metadata?.labels ?? {}) },
    topologySpreadConstraints: constraints,
    priority: 0,
    preemptionPolicy: (spec.preemptionPolicy as PreemptionPolicy | undefined) ?? 'PreemptLowerPriority',
  };
  if (aff) scheduling.affinity = aff;
  if (spec.priorityClassName !== undefined && spec.priorityClassName !== '')
    scheduling.priorityClassName = spec.priorityClassName;
  if (spec.schedulerName !== undefined) scheduling.schedulerName = spec.schedulerName;
  problems.push(...unmodelledFields(rawSpec, specPath));
  const probes = readProbes(spec, specPath, problems);
  return {
    ...(probes ? { probes } : {}),
    requests,
    tolerations: (spec.tolerations ?? []).filter(Boolean).map(toToleration),
    nodeSelector: { ...(spec.nodeSelector ?? {}) },
    scheduling,
    own: { priority: spec.priority, preemptionPolicy: spec.preemptionPolicy },
    terminationGracePeriodMs:
      spec.terminationGracePeriodSeconds === undefined ? undefined : spec.terminationGracePeriodSeconds * 1000,
  };
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

function readAffinity(v: Raw, raw: Raw, path: Path, problems: Problem[]): Affinity {
  const out: Affinity = {};
  if (v.nodeAffinity) {
    const req = v.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    const pref: Raw[] = v.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const rawNa: Raw = raw.nodeAffinity ?? {};
    const naPath = [...path, 'nodeAffinity'];
    (rawNa.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).forEach((t: Raw, i: number) =>
      termProblems(t, [...naPath, 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms', i], problems),
    );
    (rawNa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Raw, i: number) =>
      termProblems(
        t?.preference,
        [...naPath, 'preferredDuringSchedulingIgnoredDuringExecution', i, 'preference'],
        problems,
      ),
    );
    out.nodeAffinity = {
      preferred: pref
        .filter((p) => p?.weight !== undefined && p.preference !== undefined)
        .map((p) => ({ weight: p.weight, preference: toNodeSelectorTerm(p.preference) })),
    };
    if (req) out.nodeAffinity.required = (req.nodeSelectorTerms ?? []).map((t: Raw) => toNodeSelectorTerm(t));
  }
  if (v.podAffinity) out.podAffinity = toPodAffinity(v.podAffinity);
  if (v.podAntiAffinity) out.podAntiAffinity = toPodAffinity(v.podAntiAffinity);
  for (const which of ['podAffinity', 'podAntiAffinity'] as const) {
    const r: Raw = raw[which] ?? {};
    (r.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Raw, i: number) =>
      podTermProblems(t, [...path, which, 'requiredDuringSchedulingIgnoredDuringExecution', i], problems),
    );
    (r.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Raw, i: number) =>
      podTermProblems(
        t?.podAffinityTerm,
        [...path, which, 'preferredDuringSchedulingIgnoredDuringExecution', i, 'podAffinityTerm'],
        problems,
      ),
    );
  }
  return out;
}

function termProblems(t: Raw | undefined, path: Path, problems: Problem[]): void {
  for (const part of ['matchExpressions', 'matchFields'] as const) {
    (t?.[part] ?? []).forEach((e: Raw, k: number) => problems.push(...requirementProblems(e, [...path, part, k])));
  }
  (t?.matchFields ?? []).forEach((e: Raw, k: number) => {
    // validateNodeFieldSelectorRequirement: metadata.name is the only supported field, with In/NotIn.
    if (e?.key !== undefined && e.key !== 'metadata.name')
      problems.push({
        severity: 'error',
        code: 'invalid-value',
        path: [...path, 'matchFields', k, 'key'],
        message: `matchFields supports only the key metadata.name, found "${e.key}"`,
      });
  });
}

function podTermProblems(t: Raw | undefined, path: Path, problems: Problem[]): void {
  for (const part of ['labelSelector', 'namespaceSelector'] as const) {
    (t?.[part]?.matchExpressions ?? []).forEach((e: Raw, k: number) =>
      problems.push(...requirementProblems(e, [...path, part, 'matchExpressions', k])),
    );
  }
}

function toPodAffinity(v: Raw): PodAffinity {
  return {
    required: (v.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter(Boolean).map(toPodAffinityTerm),
    preferred: (v.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter((p: Raw | undefined) => p?.weight !== undefined && p.podAffinityTerm !== undefined)
      .map((p: Raw) => ({ weight: p.weight, podAffinityTerm: toPodAffinityTerm(p.podAffinityTerm) })),
  };
}

function toPodAffinityTerm(v: Raw): PodAffinityTerm {
  const term: PodAffinityTerm = {
    namespaces: [...(v.namespaces ?? [])],
    topologyKey: v.topologyKey,
    matchLabelKeys: [...(v.matchLabelKeys ?? [])],
    mismatchLabelKeys: [...(v.mismatchLabelKeys ?? [])],
  };
  const sel = toLabelSelector(v.labelSelector);
  if (sel) term.labelSelector = sel;
  const ns = toLabelSelector(v.namespaceSelector);
  if (ns) term.namespaceSelector = ns;
  return term;
}

/** PodRequests (see the header), with limits standing in for absent requests. */
function effectiveRequests(spec: Raw, path: Path, problems: Problem[]): { cpuMilli: number; memoryBytes: number } {
  const of = (c: Raw, i: number, list: string): { cpuMilli: number; memoryBytes: number } => {
    const res: Raw = c?.resources ?? {};
    const pick = (field: 'cpu' | 'memory'): number => {
      const raw = res.requests?.[field] ?? res.limits?.[field];
      if (raw === undefined || raw === null) return 0;
      const where = res.requests?.[field] !== undefined ? 'requests' : 'limits';
      const parsed = field === 'cpu' ? parseCpuMilli(raw) : parseMemoryBytes(raw);
      if (!parsed.ok) {
        problems.push({
          severity: 'error',
          code: 'invalid-quantity',
          path: [...path, list, i, 'resources', where, field],
          message: parsed.message,
        });
        return 0;
      }
      return parsed.value;
    };
    return { cpuMilli: pick('cpu'), memoryBytes: pick('memory') };
  };
  const containers: Raw[] = Array.isArray(spec.containers) ? spec.containers : [];
  const inits: Raw[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  let cpu = 0;
  let mem = 0;
  containers.forEach((c, i) => {
    const r = of(c, i, 'containers');
    cpu += r.cpuMilli;
    mem += r.memoryBytes;
  });
  let sideCpu = 0;
  let sideMem = 0;
  let initCpu = 0;
  let initMem = 0;
  inits.forEach((c, i) => {
    const r = of(c, i, 'initContainers');
    if (c?.restartPolicy === 'Always') {
      sideCpu += r.cpuMilli;
      sideMem += r.memoryBytes;
      initCpu = Math.max(initCpu, sideCpu);
      initMem = Math.max(initMem, sideMem);
    } else {
      initCpu = Math.max(initCpu, sideCpu + r.cpuMilli);
      initMem = Math.max(initMem, sideMem + r.memoryBytes);
    }
  });
  return { cpuMilli: Math.max(cpu + sideCpu, initCpu), memoryBytes: Math.max(mem + sideMem, initMem) };
}

const PERSISTENT_VOLUME_SOURCES = [
  'persistentVolumeClaim',
  'ephemeral',
  'awsElasticBlockStore',
  'gcePersistentDisk',
  'azureDisk',
  'cinder',
  'csi',
];

/** Reports one PodSpec field hasim does not model, at the place it is written. */
type Warn = (at: Path, message: string) => void;

/** A container of the pod spec (app or init), with its path. */
interface PlacedContainer {
  c: Raw;
  at: Path;
}

/**
 * One warning per PodSpec field, as written, that could change scheduling, eviction or availability but
 * that hasim does not model; the first place it occurs is where the warning points.
 */
export function unmodelledFields(spec: Raw, path: Path): Problem[] {
  const out: Problem[] = [];
  const warn: Warn = (at, message) => {
    out.push({ severity: 'warning', code: 'not-modelled', path: at, message });
  };
  const all: PlacedContainer[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    (Array.isArray(spec[list]) ? spec[list] : []).forEach((c: Raw, i: number) => {
      if (c && typeof c === 'object') all.push({ c, at: [...path, list, i] });
    });
  }
  warnPersistentVolumes(spec, path, warn);
  warnHostPlacement(spec, path, all, warn);
  warnInitContainerProbes(all, warn);
  warnPodLevelFields(spec, path, warn);
  warnExtendedResources(all, warn);
  if (spec.nodeName !== undefined)
    warn(
      [...path, 'nodeName'],
      'hasim does not bind pods by nodeName: the scheduler places them as if nodeName were absent',
    );
  if (spec.readinessGates !== undefined)
    warn([...path, 'readinessGates'], 'hasim does not model readiness gates: a pod is Ready once its containers are');
  return out;
}

/** The first volume of a persistent source: its zone and attach/detach do not constrain rescheduling here. */
function warnPersistentVolumes(spec: Raw, path: Path, warn: Warn): void {
  const volumes: Raw[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const vi = volumes.findIndex((v) => v && PERSISTENT_VOLUME_SOURCES.some((k) => v[k] !== undefined));
  if (vi < 0) return;
  const kind = PERSISTENT_VOLUME_SOURCES.find((k) => volumes[vi][k] !== undefined);
  warn(
    [...path, 'volumes', vi, kind!],
    `hasim does not model volumes: a ${kind} volume's zone and attach/detach do not restrict where a pod is rescheduled, so replacements may start in a zone the real volume cannot reach`,
  );
}

/** What ties a pod to its node's ports or to another scheduler: hostPort, hostNetwork, schedulerName. */
function warnHostPlacement(spec: Raw, path: Path, all: PlacedContainer[], warn: Warn): void {
  const withHostPort = all.find(({ c }) => Array.isArray(c.ports) && c.ports.some((p: Raw) => p?.hostPort));
  if (withHostPort) {
    const k = withHostPort.c.ports.findIndex((p: Raw) => p?.hostPort);
    warn(
      [...withHostPort.at, 'ports', k, 'hostPort'],
      'hasim does not model host ports (the NodePorts filter): two pods asking for the same hostPort may share a node',
    );
  }
  if (spec.hostNetwork === true)
    warn(
      [...path, 'hostNetwork'],
      'hasim does not model host networking: the ports a hostNetwork pod takes on its node do not keep other pods away',
    );
  if (typeof spec.schedulerName === 'string' && spec.schedulerName !== DEFAULT_SCHEDULER)
    warn(
      [...path, 'schedulerName'],
      `hasim has one scheduler: pods for "${spec.schedulerName}" are placed by hasim's default-scheduler`,
    );
}

/** Probes of the app containers are modelled (readProbes); an init container's (a sidecar's startup probe) are not. */
function warnInitContainerProbes(all: PlacedContainer[], warn: Warn): void {
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const found = all.find(({ c, at }) => at.includes('initContainers') && c[probe] !== undefined);
    if (found)
      warn(
        [...found.at, probe],
        `hasim does not run the probes of init containers: this ${probe} does not delay or restart anything`,
      );
  }
}

/** Pod-level fields of the pod's make-up: ephemeral containers, RuntimeClass, overhead, pod-level resources. */
function warnPodLevelFields(spec: Raw, path: Path, warn: Warn): void {
  if (spec.ephemeralContainers !== undefined)
    warn([...path, 'ephemeralContainers'], 'hasim does not model ephemeral containers; they are left out');
  if (spec.runtimeClassName !== undefined)
    warn(
      [...path, 'runtimeClassName'],
      "hasim does not model RuntimeClasses: their scheduling constraints and pod overhead are not added to the pod's",
    );
  if (spec.overhead !== undefined)
    warn([...path, 'overhead'], 'hasim does not add pod overhead to the requests the scheduler fits on a node');
  if (spec.resources !== undefined)
    warn(
      [...path, 'resources'],
      "hasim does not model pod-level resources: the pod asks for the sum of its containers' requests",
    );
}

/** The first container request or limit of a resource other than cpu and memory (GPUs, hugepages, ...). */
function warnExtendedResources(all: PlacedContainer[], warn: Warn): void {
  const extended = all.find(({ c }) =>
    Object.keys({ ...(c.resources?.requests ?? {}), ...(c.resources?.limits ?? {}) }).some(
      (r) => r !== 'cpu' && r !== 'memory',
    ),
  );
  if (!extended) return;
  const res: Raw = extended.c.resources;
  const where = Object.keys(res.requests ?? {}).some((r) => r !== 'cpu' && r !== 'memory') ? 'requests' : 'limits';
  const name = Object.keys(res[where]).find((r) => r !== 'cpu' && r !== 'memory')!;
  warn(
    [...extended.at, 'resources', where, name],
    `hasim fits only cpu and memory (and the pod count) on a node: the request for ${name} is not checked`,
  );
}

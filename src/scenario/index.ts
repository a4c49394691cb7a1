// Scenario loading: YAML text (+ --set overrides) -> a validated `Scenario`, or every problem found,
// each with its position. Steps:
//   1. parse all YAML documents, keeping node positions (yaml-source.ts);
//   2. apply --set overrides to the Scenario document (set-overrides.ts);
//   3. check its structure and convert units against the one schema definition (scenario-schema.ts);
//   4. read the Kubernetes manifests that follow it (manifests.ts);
//   5. fill in defaults from the version profile (build.ts);
//   6. run the whole-scenario checks (semantic-checks.ts);
//   7. give every problem a file:line:col.
import { buildScenario } from './build.js';
import { didYouMean } from './did-you-mean.js';
import { SET_FILE, type Issue, type Problem } from './issues.js';
import { MANIFEST_API_VERSIONS, MANIFEST_KINDS, readManifests, type ManifestReadResult } from './manifests/index.js';
import { formatPath, isUnder } from './paths.js';
import { scenarioDefinitions, scenarioSchema } from './scenario-schema.js';
import { toJsonSchema, validate } from './schema-def.js';
import { applyOverrides, type AppliedOverride } from './set-overrides.js';
import { semanticChecks } from './semantic-checks.js';
import { checkLimits } from './limits.js';
import type { Scenario } from './types.js';
import { locate, parseYamlSource, type YamlSource } from './yaml-source.js';

export { formatIssue, formatIssues, sortIssues, SET_FILE, type Issue, type Severity } from './issues.js';
export {
  controlPlaneLayout,
  type ControlPlaneLayout,
  type ControlPlaneComponent,
} from '../model/infra/control-plane-layout.js';
export {
  parseDuration,
  parseRange,
  parseQuantity,
  parseCpuMilli,
  parseMemoryBytes,
  parseCount,
  formatDuration,
} from './units.js';
export { MAX_ALIAS_COUNT } from './yaml-source.js';
export { ALLOW_LARGE_FLAG, LIMITS } from './limits.js';
export * from './types.js';

export type ParseScenarioResult = { ok: true; scenario: Scenario; warnings: Issue[] } | { ok: false; issues: Issue[] };

export interface ParseScenarioOptions {
  /** Path shown in messages. */
  file: string;
  /** `--set path=value` overrides, in command-line order. */
  sets?: readonly string[];
  /** `--allow-large`: hold sizes to hasim's ceilings rather than Kubernetes' supported limits (limits.ts). */
  allowLarge?: boolean;
}

export function parseScenarioText(text: string, opts: ParseScenarioOptions): ParseScenarioResult {
  const { file } = opts;
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const source = parsed.source;
  const [first, ...rest] = source.documents;

  const headProblems = checkFirstDocument(first.value, first.index);
  if (headProblems.length > 0) return { ok: false, issues: toIssues(headProblems, source, [], undefined, new Map()) };

  const overridden = applyOverrides(first.value, opts.sets ?? [], scenarioSchema, scenarioDefinitions);
  const structural = validate(scenarioSchema, overridden.value, scenarioDefinitions);
  const manifests = readManifests(rest.map((d) => ({ index: d.index, value: d.value })));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- YAML before validation
  const converted = (structural.value ?? {}) as Record<string, any>;
  // Sizes before anything is expanded: over a limit, nothing is built.
  const overLimits = checkLimits(converted, manifests, { allowLarge: opts.allowLarge });
  if (overLimits.length > 0) {
    const problems = [...structural.problems, ...manifests.problems, ...overLimits];
    const issues = [
      ...overridden.issues,
      ...toIssues(problems, source, overridden.applied, first.value, manifests.labels),
    ];
    return { ok: false, issues };
  }
  const { scenario, sources } = buildScenario(converted, manifests);
  const semantic = semanticChecks(converted, overridden.value, scenario, sources, manifests);

  const problems = [...structural.problems, ...manifests.problems, ...semantic];
  const issues = [
    ...overridden.issues,
    ...toIssues(problems, source, overridden.applied, first.value, manifests.labels),
  ];
  if (issues.some((i) => i.severity === 'error')) return { ok: false, issues };
  return { ok: true, scenario, warnings: issues };
}

export type ReadManifestFileResult =
  { ok: true; manifests: ManifestReadResult; values: unknown[]; warnings: Issue[] } | { ok: false; issues: Issue[] };

/**
 * A file of Kubernetes objects only (what kubectl get -o yaml prints), read as the documents after a
 * Scenario would be, with every problem at its file:line:col. Kinds hasim does not read are left out
 * with a warning. For `hasim import`.
 */
export function readManifestText(text: string, file: string): ReadManifestFileResult {
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const source = parsed.source;
  const first = source.documents[0]?.value as Record<string, unknown> | null | undefined;
  if (first && typeof first === 'object' && first.kind === 'Scenario') {
    const issue: Issue = {
      severity: 'error',
      code: 'not-a-dump',
      path: 'kind',
      message: 'this is already a hasim scenario; hasim import reads what kubectl get -o yaml prints',
      hint: 'run it with hasim run, or check it with hasim validate',
      file,
      ...source.lineCounter.linePos(locate(source.documents[0].node, ['kind'])),
    };
    return { ok: false, issues: [issue] };
  }
  const manifests = readManifests(
    source.documents.map((d) => ({ index: d.index, value: d.value })),
    { unknownKinds: 'skip' },
  );
  const issues = toIssues(manifests.problems, source, [], undefined, manifests.labels);
  if (issues.some((i) => i.severity === 'error')) return { ok: false, issues };
  return { ok: true, manifests, values: source.documents.map((d) => d.value), warnings: issues };
}

/** The first document must be the Scenario; anything else gets one clear message instead of dozens. */
function checkFirstDocument(value: unknown, index: number): Problem[] {
  const problem = (path: (string | number)[], message: string, hint?: string): Problem[] => [
    { severity: 'error', code: 'not-a-scenario', path, message, hint, doc: index },
  ];
  const hint =
    'a scenario file starts with "apiVersion: hasim.dev/v1" and "kind: Scenario"; Kubernetes manifests may follow it as further documents';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return problem([], 'expected a Scenario (a mapping with apiVersion, kind, metadata and spec)', hint);
  }
  const kind = (value as Record<string, unknown>).kind;
  if (typeof kind === 'string' && MANIFEST_KINDS.includes(kind)) {
    return problem(
      ['kind'],
      `the first document must be the Scenario, found a ${kind}`,
      kind === 'List' || kind === 'Node'
        ? 'this looks like kubectl output: "hasim import FILE -o scenario.yaml" writes a scenario from it, or put a Scenario document first'
        : hint,
    );
  }
  if (
    kind !== undefined &&
    kind !== 'Scenario' &&
    typeof kind === 'string' &&
    didYouMean(kind, ['Scenario']) === undefined
  ) {
    return problem(['kind'], `expected kind: Scenario, found "${kind}"`, hint);
  }
  return [];
}

function toIssues(
  problems: Problem[],
  source: YamlSource,
  applied: AppliedOverride[],
  original: unknown,
  labels: Map<number, string>,
): Issue[] {
  return problems.map((p) => {
    const doc = p.doc ?? 0;
    const base = {
      severity: p.severity,
      code: p.code,
      message: p.message,
      ...(p.hint !== undefined ? { hint: p.hint } : {}),
    };
    if (doc === 0) {
      const override = overrideFor(p.path, applied, original);
      if (override) {
        return {
          ...base,
          path: formatPath(p.at === 'key' ? p.path.slice(0, -1) : p.path),
          file: SET_FILE,
          line: override.ordinal,
          col: 1,
        };
      }
    }
    const document = source.documents.find((d) => d.index === doc) ?? source.documents[0];
    const { line, col } = source.lineCounter.linePos(locate(document.node, p.path, p.at));
    // A problem with a key (an unknown field) is about the mapping that holds it; the message names the key.
    const pathText = formatPath(p.at === 'key' ? p.path.slice(0, -1) : p.path);
    const label = doc === 0 ? pathText : [labels.get(doc) ?? `document ${doc + 1}`, pathText].filter(Boolean).join(' ');
    return { ...base, path: p.label ?? label, file: source.file, line, col };
  });
}

/**
 * The --set flag a problem belongs to: the last one that set the problem's path or a parent of it,
 * or that created the (absent from the file) object the problem is about.
 */
function overrideFor(
  path: readonly (string | number)[],
  applied: AppliedOverride[],
  original: unknown,
): AppliedOverride | undefined {
  for (let i = applied.length - 1; i >= 0; i--) {
    const o = applied[i];
    if (isUnder(path, o.path)) return o;
    if (isUnder(o.path, path) && !existsIn(original, path)) return o;
  }
  return undefined;
}

function existsIn(value: unknown, path: readonly (string | number)[]): boolean {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur !== undefined;
}

/** JSON Schema (draft-07) of the scenario file, for `hasim schema` and editors' `$schema` comments. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(scenarioDefinitions)) definitions[name] = toJsonSchema(schema);
  definitions.scenario = toJsonSchema(scenarioSchema);
  definitions.kubernetesManifest = {
    type: 'object',
    description:
      'A Kubernetes object after the Scenario document (as written, or as kubectl get -o yaml prints it): workloads join spec.workloads, Nodes join spec.nodes, Services get their requests from spec.traffic. Fields that hasim does not model and that could change scheduling, availability or where requests go give warnings.',
    required: ['apiVersion', 'kind'],
    properties: {
      apiVersion: { enum: MANIFEST_API_VERSIONS },
      kind: { enum: MANIFEST_KINDS },
      metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://hasim.dev/schemas/scenario-v1.json',
    title: 'hasim scenario',
    description:
      'A hasim scenario (apiVersion hasim.dev/v1, kind Scenario): a cluster, its workloads, a chaos plan and recovery SLOs. Further YAML documents may be Kubernetes objects: v1 List and Node, apps/v1 Deployment, StatefulSet, DaemonSet and ReplicaSet, policy/v1 PodDisruptionBudget, scheduling.k8s.io/v1 PriorityClass.',
    definitions,
    if: { required: ['kind'], properties: { kind: { enum: MANIFEST_KINDS } } },
    then: { $ref: '#/definitions/kubernetesManifest' },
    else: { $ref: '#/definitions/scenario' },
  };
}

export { importScenario, type ImportInput } from './kubectl-import.js';
export type { ManifestReadResult } from './manifests/index.js';
export { emptyManifestResult } from './manifests/index.js';

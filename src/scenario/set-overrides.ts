// `--set path=value` overrides (README.md#commands): applied to the raw Scenario document before validation, so
// an override is checked exactly like a value written in the file. The path is checked against the
// schema as it is walked, so a misspelt field gets a did-you-mean instead of being silently added.
import { parse as parseYaml } from 'yaml';
import { SET_FILE, type Issue } from './issues.js';
import { formatPath, type Path, type PathSegment } from './paths.js';
import { schemaStep, type Definitions, type Schema } from './schema-def.js';
import { listNames } from './did-you-mean.js';
import { MAX_ALIAS_COUNT, MAX_NESTING_DEPTH, NESTING_MESSAGE, tooDeepAt } from './yaml-source.js';

export interface AppliedOverride {
  path: PathSegment[];
  /** 1-based position among the --set flags; the "line" of problems reported against it. */
  ordinal: number;
  text: string;
}

export interface OverrideResult {
  value: unknown;
  applied: AppliedOverride[];
  issues: Issue[];
}

/** "spec.faults[0].target.node", "spec.slos.0.max", `spec.nodes[0].labels["topology.kubernetes.io/zone"]` */
export function parseSetPath(text: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let i = 0;
  let expectName = true;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) return `unclosed "[" in "${text}"`;
      const inner = text.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (/^(".*"|'.*')$/.test(inner) && inner.length >= 2) segments.push(inner.slice(1, -1));
      else return `"[${inner}]" is not a list index; write [0], or quote a key: ["topology.kubernetes.io/zone"]`;
      i = close + 1;
      expectName = false;
    } else if (ch === '.') {
      if (expectName) return `empty segment in "${text}"`;
      i++;
      expectName = true;
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      const name = text.slice(i, j);
      segments.push(/^\d+$/.test(name) ? Number(name) : name);
      i = j;
      expectName = false;
    }
  }
  if (segments.length === 0 || expectName) return `"${text}" is not a field path such as spec.duration`;
  return segments;
}

export function applyOverrides(raw: unknown, sets: readonly string[], root: Schema, defs: Definitions): OverrideResult {
  let value: unknown = structuredClone(raw);
  const applied: AppliedOverride[] = [];
  const issues: Issue[] = [];
  sets.forEach((text, i) => {
    const ordinal = i + 1;
    const fail = (message: string, col = 1, hint?: string, path = ''): void => {
      issues.push({ severity: 'error', code: 'bad-set', path, message, file: SET_FILE, line: ordinal, col, hint });
    };
    const eq = text.indexOf('=');
    if (eq <= 0) {
      fail(
        `"${text}" is not of the form path=value`,
        1,
        'e.g. --set spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s',
      );
      return;
    }
    const pathText = text.slice(0, eq).trim();
    const valueText = text.slice(eq + 1);
    const path = parseSetPath(pathText);
    if (typeof path === 'string') {
      fail(path);
      return;
    }
    const forbidden = path.find((seg) => typeof seg === 'string' && FORBIDDEN_SEGMENTS.includes(seg));
    if (forbidden !== undefined) {
      fail(`"${forbidden}" cannot be a field name in a path (no scenario field is called that)`);
      return;
    }
    let newValue: unknown;
    try {
      newValue = parseYaml(valueText, { maxAliasCount: MAX_ALIAS_COUNT, prettyErrors: false });
    } catch (e) {
      fail(
        `the value "${valueText}" is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        eq + 2,
        undefined,
        formatPath(path),
      );
      return;
    }
    if (tooDeepAt(newValue) !== undefined || (path.length >= MAX_NESTING_DEPTH && typeof newValue === 'object')) {
      fail(NESTING_MESSAGE, eq + 2, undefined, formatPath(path));
      return;
    }
    if (value === null || typeof value !== 'object') value = {};
    const result = setAt(value as Record<string, unknown>, path, newValue, root, defs);
    if (typeof result === 'string') {
      fail(result, 1, undefined, '');
      return;
    }
    applied.push({ path, ordinal, text });
  });
  return { value, applied, issues };
}

/**
 * Path segments that would reach JavaScript's object machinery rather than a field (prototype
 * pollution): refused outright, whatever the schema says about the place they appear in.
 */
const FORBIDDEN_SEGMENTS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Sets `newValue` at `path`, creating missing mappings and appending at index = length. */
function setAt(
  root: Record<string, unknown>,
  path: Path,
  newValue: unknown,
  rootSchema: Schema,
  defs: Definitions,
): string | undefined {
  let container: Record<string, unknown> | unknown[] = root;
  let schema: Schema | undefined = rootSchema;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const where = formatPath(path.slice(0, i)) || 'the document';
    const tagValue = Array.isArray(container) ? undefined : container.type;
    const step = schemaStep(schema, String(seg), defs, tagValue);
    if (!step.ok) {
      const full = formatPath(path);
      const did =
        step.suggestion !== undefined
          ? ` (did you mean "${step.suggestion}"?)`
          : step.allowed
            ? ` (allowed: ${listNames(step.allowed, 20)})`
            : '';
      return `${full}: ${step.message} in ${where}${did}`;
    }
    schema = step.schema;
    const last = i === path.length - 1;
    if (step.index !== undefined || Array.isArray(container)) {
      if (!Array.isArray(container) || typeof seg !== 'number') {
        return `${formatPath(path)}: ${where} is not a list`;
      }
      if (seg > container.length) {
        return `${formatPath(path)}: index ${seg} is out of range: ${where} has ${container.length} item${container.length === 1 ? '' : 's'} (use ${container.length} to append one)`;
      }
      if (last) {
        container[seg] = newValue;
        return undefined;
      }
      container[seg] = prepare(container[seg], path[i + 1]);
      container = container[seg] as Record<string, unknown> | unknown[];
    } else {
      const key = String(seg);
      if (last) {
        container[key] = newValue;
        return undefined;
      }
      container[key] = prepare(Object.hasOwn(container, key) ? container[key] : undefined, path[i + 1]);
      container = container[key] as Record<string, unknown> | unknown[];
    }
  }
  return undefined;
}

/** An existing container is kept; anything else becomes the container the next segment needs. */
function prepare(existing: unknown, next: PathSegment): Record<string, unknown> | unknown[] {
  if (typeof next === 'number') return Array.isArray(existing) ? existing : [];
  return existing !== null && typeof existing === 'object' ? (existing as Record<string, unknown>) : {};
}

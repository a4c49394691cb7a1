// A small schema language: one definition of the scenario format from which both the structural
// validator (with unit conversion and did-you-mean) and the JSON Schema for editors are derived, so
// the two cannot drift apart.
import { didYouMean, listNames } from './did-you-mean.js';
import type { Problem } from './issues.js';
import { freeText, labelKeyProblem, labelValueProblem, shown, type NameRule } from './names.js';
import type { Path } from './paths.js';
import {
  describeType,
  parseCount,
  parseCpuMilli,
  parseDuration,
  parseMemoryBytes,
  parseRange,
  type Parsed,
} from './units.js';

interface Base {
  description?: string;
}

export interface Field {
  schema: Schema;
  required?: boolean;
}

export interface ObjectSchema extends Base {
  kind: 'object';
  fields: Record<string, Field>;
  /** Kubernetes manifests: fields hasim does not model are ignored instead of rejected. */
  open?: boolean;
}

export type Schema =
  | ObjectSchema
  | (Base & {
      kind: 'string';
      pattern?: RegExp;
      patternMessage?: string;
      maxLength?: number;
      typeHint?: string;
      /** Kubernetes' rule for this kind of name (names.ts); without one, control characters are refused. */
      rule?: NameRule;
    })
  | (Base & { kind: 'enum'; values: readonly string[]; what: string })
  | (Base & { kind: 'integer'; min?: number; max?: number })
  | (Base & { kind: 'number'; min?: number; max?: number; exclusiveMin?: number })
  | (Base & { kind: 'boolean' })
  /** Converted to integer milliseconds; `signed` allows a leading minus (clock-skew offsets). */
  | (Base & { kind: 'duration'; signed?: boolean })
  /** Converted to RangeMs. */
  | (Base & { kind: 'range' })
  /** Converted to millicores / bytes. */
  | (Base & { kind: 'cpu' })
  | (Base & { kind: 'memory' })
  /** Converted to Count. */
  | (Base & { kind: 'count' })
  | (Base & { kind: 'array'; items: Schema })
  /** String-to-string map (labels, nodeSelector); scalar values are turned into strings. */
  | (Base & { kind: 'map' })
  /** Dispatches on the JSON type of the value. */
  | (Base & { kind: 'either'; string?: Schema; object?: Schema })
  /** A mapping whose allowed fields depend on the value of `tag` (SLOs by `type`). */
  | (Base & {
      kind: 'tagged';
      tag: string;
      what: string;
      common: Record<string, Field>;
      variants: Record<string, Record<string, Field>>;
    })
  | { kind: 'ref'; name: string };

export type Definitions = Record<string, Schema>;

export const s = {
  object: (fields: Record<string, Field>, description?: string): ObjectSchema => ({
    kind: 'object',
    fields,
    description,
  }),
  open: (fields: Record<string, Field>, description?: string): ObjectSchema => ({
    kind: 'object',
    fields,
    description,
    open: true,
  }),
  req: (schema: Schema): Field => ({ schema, required: true }),
  opt: (schema: Schema): Field => ({ schema }),
  string: (
    description?: string,
    extra: { pattern?: RegExp; patternMessage?: string; maxLength?: number; typeHint?: string; rule?: NameRule } = {},
  ): Schema => ({
    kind: 'string',
    description,
    ...extra,
  }),
  enum: (values: readonly string[], what: string, description?: string): Schema => ({
    kind: 'enum',
    values,
    what,
    description,
  }),
  integer: (description?: string, min?: number, max?: number): Schema => ({ kind: 'integer', description, min, max }),
  number: (description?: string, bounds: { min?: number; max?: number; exclusiveMin?: number } = {}): Schema => ({
    kind: 'number',
    description,
    ...bounds,
  }),
  boolean: (description?: string): Schema => ({ kind: 'boolean', description }),
  duration: (description?: string, signed = false): Schema => ({ kind: 'duration', description, signed }),
  range: (description?: string): Schema => ({ kind: 'range', description }),
  cpu: (description?: string): Schema => ({ kind: 'cpu', description }),
  memory: (description?: string): Schema => ({ kind: 'memory', description }),
  count: (description?: string): Schema => ({ kind: 'count', description }),
  array: (items: Schema, description?: string): Schema => ({ kind: 'array', items, description }),
  map: (description?: string): Schema => ({ kind: 'map', description }),
  ref: (name: string): Schema => ({ kind: 'ref', name }),
};

// ---------------------------------------------------------------------------------------------
// Validation

export interface ValidationResult {
  /** The value with units converted; invalid parts are left out, unknown fields dropped. */
  value: unknown;
  problems: Problem[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `record[key]` when `key` is the record's own property. Keys come from the user's file, and a plain
 * lookup of `constructor`, `toString` or `__proto__` would find Object.prototype's members instead.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Validates `value` against `schema`. Returns undefined for a value that is unusable. */
export function validate(schema: Schema, value: unknown, defs: Definitions, path: Path = []): ValidationResult {
  const problems: Problem[] = [];
  const result = check(schema, value, defs, path, problems);
  return { value: result, problems };
}

function typeError(path: Path, expected: string, value: unknown, hint?: string): Problem {
  return {
    severity: 'error',
    code: 'wrong-type',
    path,
    message: `expected ${expected}, found ${describeType(value)}`,
    hint,
  };
}

function fromParsed<T>(parsed: Parsed<T>, path: Path, code: string, problems: Problem[]): T | undefined {
  if (parsed.ok) return parsed.value;
  problems.push({ severity: 'error', code, path, message: parsed.message, hint: parsed.hint });
  return undefined;
}

function check(schema: Schema, value: unknown, defs: Definitions, path: Path, problems: Problem[]): unknown {
  switch (schema.kind) {
    case 'ref':
      return check(defs[schema.name], value, defs, path, problems);
    case 'object':
      return checkObject(schema.fields, schema.open ?? false, value, defs, path, problems);
    case 'tagged':
      return checkTagged(schema, value, defs, path, problems);
    case 'either': {
      if (typeof value === 'string' && schema.string) return check(schema.string, value, defs, path, problems);
      if (isPlainObject(value) && schema.object) return check(schema.object, value, defs, path, problems);
      const expected = [schema.string ? 'a string' : '', schema.object ? 'a mapping' : ''].filter(Boolean).join(' or ');
      problems.push(typeError(path, expected, value));
      return undefined;
    }
    case 'string':
      return checkString(schema, value, path, problems);
    case 'enum':
      return checkEnum(schema, value, path, problems);
    case 'integer':
    case 'number':
      return checkNumber(schema, value, path, problems);
    case 'boolean':
      if (typeof value !== 'boolean') {
        problems.push(typeError(path, 'true or false', value));
        return undefined;
      }
      return value;
    case 'duration': {
      if (schema.signed && typeof value === 'string' && value.trim().startsWith('-')) {
        const magnitude = fromParsed(parseDuration(value.trim().slice(1)), path, 'invalid-duration', problems);
        return magnitude === undefined ? undefined : -magnitude;
      }
      return fromParsed(parseDuration(value), path, 'invalid-duration', problems);
    }
    case 'range':
      return fromParsed(parseRange(value), path, 'invalid-duration', problems);
    case 'cpu':
      return fromParsed(parseCpuMilli(value), path, 'invalid-quantity', problems);
    case 'memory':
      return fromParsed(parseMemoryBytes(value), path, 'invalid-quantity', problems);
    case 'count':
      return fromParsed(parseCount(value), path, 'invalid-count', problems);
    case 'array': {
      if (!Array.isArray(value)) {
        problems.push(typeError(path, 'a list', value));
        return undefined;
      }
      return value.map((item, i) => check(schema.items, item, defs, [...path, i], problems));
    }
    case 'map':
      return checkLabels(value, path, problems);
  }
}

/** A mapping of Kubernetes labels (node labels, selectors): keys and values checked as upstream does. */
function checkLabels(value: unknown, path: Path, problems: Problem[]): unknown {
  if (!isPlainObject(value)) {
    problems.push(typeError(path, 'a mapping of names to values', value));
    return undefined;
  }
  // Every map is a set of Kubernetes labels (node labels, selectors), checked as upstream does.
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem !== undefined) {
      problems.push({
        severity: 'error',
        code: 'invalid-value',
        path: [...path, k],
        at: 'key',
        message: `label key ${shown(k)} is not valid: ${keyProblem}`,
      });
      continue;
    }
    let text: string;
    if (typeof v === 'string') text = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') text = String(v);
    else {
      problems.push(typeError([...path, k], 'a string', v));
      continue;
    }
    const valueProblem = labelValueProblem(text);
    if (valueProblem !== undefined) {
      problems.push({
        severity: 'error',
        code: 'invalid-value',
        path: [...path, k],
        message: `label value ${shown(text)} is not valid: ${valueProblem}`,
      });
      continue;
    }
    out[k] = text;
  }
  return out;
}

/** A string: its type, its rule, its length and its pattern. */
function checkString(
  schema: Extract<Schema, { kind: 'string' }>,
  value: unknown,
  path: Path,
  problems: Problem[],
): unknown {
  if (typeof value !== 'string') {
    const hint =
      typeof value === 'number' || typeof value === 'boolean'
        ? (schema.typeHint ?? `put it in quotes: "${String(value)}"`)
        : undefined;
    problems.push(typeError(path, 'a string', value, hint));
    return undefined;
  }
  const why =
    (schema.rule ?? freeText).check(value) ??
    (schema.maxLength !== undefined && value.length > schema.maxLength
      ? `it has ${value.length} characters; at most ${schema.maxLength} are allowed`
      : undefined) ??
    (schema.pattern && !schema.pattern.test(value)
      ? (schema.patternMessage ?? `must match ${schema.pattern.source}`)
      : undefined);
  if (why !== undefined) {
    problems.push({
      severity: 'error',
      code: 'invalid-value',
      path,
      message: `${shown(value)} is not valid: ${why}`,
    });
    return undefined;
  }
  return value;
}

/** One of a fixed set of words, with a did-you-mean. */
function checkEnum(
  schema: Extract<Schema, { kind: 'enum' }>,
  value: unknown,
  path: Path,
  problems: Problem[],
): unknown {
  if (typeof value !== 'string' || !schema.values.includes(value)) {
    const shown = typeof value === 'string' ? `"${value}"` : describeType(value);
    const suggestion = typeof value === 'string' ? didYouMean(value, schema.values) : undefined;
    problems.push({
      severity: 'error',
      code: 'unknown-value',
      path,
      message:
        suggestion !== undefined
          ? `unknown ${schema.what} ${shown} (did you mean "${suggestion}"?)`
          : `unknown ${schema.what} ${shown} (allowed: ${schema.values.join(', ')})`,
      hint: typeof value === 'string' && NOTHING.test(value) ? NOTHING_HINT : undefined,
    });
    return undefined;
  }
  return value;
}

/** Words a user writes for "no value" in a field of fixed words ("none" in a --grid, say). */
const NOTHING = /^\s*(none|off|disabled|unset|default|)\s*$/i;
const NOTHING_HINT = 'to leave the field out, write null (in --set and --grid too: path=null)';

/**
 * For a number written as a string ("99.9%", "3"): what to write instead. A percentage goes to a field in
 * percent as it is and to a share from 0 to 1 divided by 100, read off the field's bounds.
 */
function numberHint(schema: Extract<Schema, { kind: 'integer' | 'number' }>, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*([-+]?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (m === null) return undefined;
  if (m[2] === '') return `write the number without quotes: ${m[1]}`;
  const n = Number(m[1]);
  if (schema.max === 100) return `this field is already in percent: write ${n}, without the % sign`;
  if (schema.max === 1)
    return `this field is a share from 0 to 1: write ${Number((n / 100).toPrecision(12))} for ${n}%`;
  return undefined;
}

/** A number: finite, whole where it must be, a safe integer, within its bounds. */
function checkNumber(
  schema: Extract<Schema, { kind: 'integer' | 'number' }>,
  value: unknown,
  path: Path,
  problems: Problem[],
): unknown {
  const noun = schema.kind === 'integer' ? 'a whole number' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (schema.kind === 'integer' && !Number.isInteger(value))) {
    problems.push(typeError(path, noun, value, numberHint(schema, value)));
    return undefined;
  }
  if (schema.kind === 'integer' && !Number.isSafeInteger(value)) {
    // Beyond 2^53 a number is rounded when read, so a printed seed would not reproduce its run.
    problems.push({
      severity: 'error',
      code: 'out-of-range',
      path,
      message: `${String(value)} is too large: whole numbers must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`,
    });
    return undefined;
  }
  const min = schema.min;
  const max = schema.max;
  const exclusiveMin = schema.kind === 'number' ? schema.exclusiveMin : undefined;
  if (min !== undefined && value < min) {
    problems.push({
      severity: 'error',
      code: 'out-of-range',
      path,
      message: `must be at least ${min}, found ${value}`,
    });
    return undefined;
  }
  if (exclusiveMin !== undefined && value <= exclusiveMin) {
    problems.push({
      severity: 'error',
      code: 'out-of-range',
      path,
      message: `must be greater than ${exclusiveMin}, found ${value}`,
    });
    return undefined;
  }
  if (max !== undefined && value > max) {
    problems.push({
      severity: 'error',
      code: 'out-of-range',
      path,
      message: `must be at most ${max}, found ${value}`,
    });
    return undefined;
  }
  return value;
}

function checkObject(
  fields: Record<string, Field>,
  open: boolean,
  value: unknown,
  defs: Definitions,
  path: Path,
  problems: Problem[],
  notForTag?: { tag: string; tagValue: string; what: string; otherFields: Set<string> },
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    problems.push(typeError(path, 'a mapping', value));
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const names = Object.keys(fields);
  for (const [key, v] of Object.entries(value)) {
    const field = own(fields, key);
    if (!field) {
      if (open) continue;
      if (notForTag?.otherFields.has(key)) {
        problems.push({
          severity: 'error',
          code: 'unknown-key',
          path: [...path, key],
          at: 'key',
          message: `field "${key}" does not apply to ${notForTag.what} "${notForTag.tagValue}" (allowed: ${names.join(', ')})`,
        });
        continue;
      }
      const suggestion = didYouMean(key, names);
      problems.push({
        severity: 'error',
        code: 'unknown-key',
        path: [...path, key],
        at: 'key',
        message:
          suggestion !== undefined
            ? `unknown field "${key}" (did you mean "${suggestion}"?)`
            : `unknown field "${key}" (allowed: ${listNames(names, 20)})`,
      });
      continue;
    }
    if (v === null || v === undefined) {
      // `key:` with nothing after it: YAML null. Treat it as absent but say so if it was required.
      if (field.required)
        problems.push({
          severity: 'error',
          code: 'missing-field',
          path: [...path, key],
          message: 'is required but empty',
        });
      continue;
    }
    const converted = check(field.schema, v, defs, [...path, key], problems);
    if (converted !== undefined) out[key] = converted;
  }
  for (const [key, field] of Object.entries(fields)) {
    if (field.required && !Object.hasOwn(value, key)) {
      problems.push({ severity: 'error', code: 'missing-field', path, message: `missing required field "${key}"` });
    }
  }
  return out;
}

function checkTagged(
  schema: Extract<Schema, { kind: 'tagged' }>,
  value: unknown,
  defs: Definitions,
  path: Path,
  problems: Problem[],
): unknown {
  if (!isPlainObject(value)) {
    problems.push(typeError(path, 'a mapping', value));
    return undefined;
  }
  const tagValue = value[schema.tag];
  const variantNames = Object.keys(schema.variants);
  const variant = typeof tagValue === 'string' ? own(schema.variants, tagValue) : undefined;
  if (typeof tagValue === 'string' && variant) {
    const fields = { ...schema.common, ...variant };
    const otherFields = new Set<string>(variantNames.flatMap((v) => Object.keys(schema.variants[v])));
    return checkObject(fields, false, value, defs, path, problems, {
      tag: schema.tag,
      tagValue,
      what: schema.what,
      otherFields,
    });
  }
  // Unknown or missing tag: report it and check only what every variant shares.
  if (tagValue === undefined || tagValue === null) {
    problems.push({
      severity: 'error',
      code: 'missing-field',
      path,
      message: `missing required field "${schema.tag}" (one of: ${variantNames.join(', ')})`,
    });
  } else {
    check({ kind: 'enum', values: variantNames, what: schema.what }, tagValue, defs, [...path, schema.tag], problems);
  }
  const allFields: Record<string, Field> = {};
  for (const v of variantNames)
    for (const [k, f] of Object.entries(schema.variants[v])) allFields[k] = { schema: f.schema };
  const commonOnly: Record<string, Field> = {
    ...allFields,
    ...schema.common,
    [schema.tag]: { schema: { kind: 'string' } },
  };
  const sub: Problem[] = [];
  const out = checkObject(commonOnly, false, value, defs, path, sub);
  // Without a known tag the variant's fields cannot be judged; keep only unknown-key and common-field problems.
  problems.push(
    ...sub.filter(
      (p) => p.code === 'unknown-key' || (p.path.length === path.length + 1 && p.path[path.length] in schema.common),
    ),
  );
  if (out) delete out[schema.tag];
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON Schema (draft-07, which yaml-language-server and most editors understand)

type Json = Record<string, unknown>;

const DURATION_PATTERN = '^[+]?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+$';
const SIGNED_DURATION_PATTERN = '^[+-]?((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+$';
const RANGE_PATTERN =
  '^((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+(\\s*\\.\\.\\s*((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+)?$';
const QUANTITY_PATTERN = '^[+]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\\d+|n|u|m|k|M|G|T|P|E)?$';

function withDescription(json: Json, description: string | undefined): Json {
  return description ? { description, ...json } : json;
}

export function toJsonSchema(schema: Schema): Json {
  switch (schema.kind) {
    case 'ref':
      return { $ref: `#/definitions/${schema.name}` };
    case 'object':
      return objectJson(schema.fields, schema.description, schema.open ?? false);
    case 'tagged': {
      const variants = Object.entries(schema.variants).map(([tagValue, fields]) => {
        const all = { ...schema.common, ...fields };
        const json = objectJson(all, undefined, false);
        (json.properties as Record<string, Json>)[schema.tag] = { const: tagValue };
        return json;
      });
      return withDescription({ type: 'object', required: [schema.tag], oneOf: variants }, schema.description);
    }
    case 'either': {
      const options: Json[] = [];
      if (schema.string) options.push(toJsonSchema(schema.string));
      if (schema.object) options.push(toJsonSchema(schema.object));
      return withDescription({ anyOf: options }, schema.description);
    }
    case 'string': {
      const json: Json = { type: 'string' };
      const pattern = schema.pattern ?? schema.rule?.pattern;
      if (pattern) json.pattern = pattern.source;
      const maxLength = schema.maxLength ?? schema.rule?.maxLength;
      if (maxLength !== undefined) json.maxLength = maxLength;
      return withDescription(json, schema.description);
    }
    case 'enum':
      return withDescription({ type: 'string', enum: [...schema.values] }, schema.description);
    case 'integer':
    case 'number': {
      const json: Json = { type: schema.kind };
      if (schema.min !== undefined) json.minimum = schema.min;
      if (schema.max !== undefined) json.maximum = schema.max;
      if (schema.kind === 'number' && schema.exclusiveMin !== undefined) json.exclusiveMinimum = schema.exclusiveMin;
      return withDescription(json, schema.description);
    }
    case 'boolean':
      return withDescription({ type: 'boolean' }, schema.description);
    case 'duration':
      return withDescription(
        { type: 'string', pattern: schema.signed ? SIGNED_DURATION_PATTERN : DURATION_PATTERN },
        schema.description,
      );
    case 'range':
      return withDescription({ type: 'string', pattern: RANGE_PATTERN }, schema.description);
    case 'cpu':
    case 'memory':
      return withDescription({ type: ['string', 'number'], pattern: QUANTITY_PATTERN, minimum: 0 }, schema.description);
    case 'count':
      return withDescription(
        {
          oneOf: [
            { type: 'integer', minimum: 0 },
            { type: 'string', pattern: '^(\\d+%|\\d+)$' },
          ],
        },
        schema.description,
      );
    case 'array':
      return withDescription({ type: 'array', items: toJsonSchema(schema.items) }, schema.description);
    case 'map':
      return withDescription(
        { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        schema.description,
      );
  }
}

function objectJson(fields: Record<string, Field>, description: string | undefined, open: boolean): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    properties[name] = toJsonSchema(field.schema);
    if (field.required) required.push(name);
  }
  const json: Json = { type: 'object', properties };
  if (required.length > 0) json.required = required;
  if (!open) json.additionalProperties = false;
  return withDescription(json, description);
}

// ---------------------------------------------------------------------------------------------
// Walking a schema along a path (for --set)

export type StepResult =
  | { ok: true; schema: Schema | undefined; index?: number }
  | { ok: false; message: string; suggestion?: string; allowed?: string[] };

/** The schema of child `segment` of a value with schema `schema` (undefined: anything goes below). */
export function schemaStep(
  schema: Schema | undefined,
  segment: string,
  defs: Definitions,
  tagValue?: unknown,
): StepResult {
  if (schema === undefined) return { ok: true, schema: undefined };
  if (schema.kind === 'ref') return schemaStep(defs[schema.name], segment, defs, tagValue);
  if (schema.kind === 'either') return schemaStep(schema.object, segment, defs, tagValue);
  if (schema.kind === 'object' || schema.kind === 'tagged') {
    let fields: Record<string, Field>;
    if (schema.kind === 'object') fields = schema.fields;
    else if (typeof tagValue === 'string' && own(schema.variants, tagValue))
      fields = { ...schema.common, ...own(schema.variants, tagValue) };
    else {
      fields = { ...schema.common };
      for (const v of Object.values(schema.variants)) Object.assign(fields, v);
    }
    const field = own(fields, segment);
    if (field) return { ok: true, schema: field.schema };
    if (schema.kind === 'object' && schema.open) return { ok: true, schema: undefined };
    return {
      ok: false,
      message: `unknown field "${segment}"`,
      suggestion: didYouMean(segment, Object.keys(fields)),
      allowed: Object.keys(fields),
    };
  }
  if (schema.kind === 'array') {
    if (!/^\d+$/.test(segment)) return { ok: false, message: `"${segment}" is not a list index (write [0] or .0)` };
    return { ok: true, schema: schema.items, index: Number(segment) };
  }
  if (schema.kind === 'map') return { ok: true, schema: { kind: 'string' } };
  return {
    ok: false,
    message: `cannot go into "${segment}": the value there is a single ${schema.kind}, not a mapping or list`,
  };
}

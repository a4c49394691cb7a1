// Structure-aware mutation of scenario files for the fuzzer (tools/fuzz/fuzz.ts). A case is a seed
// scenario (a file of scenarios/ or a generated one) parsed to plain data, changed in one to three
// places with values chosen for the kind of field found there (a duration gets durations at and past
// every limit, a name gets names Kubernetes refuses, a count gets 0, 2^53 and 1e308), and written
// back as YAML; now and then the text itself is cut or nested instead. Everything is drawn from one
// seeded stream, so a case number reproduces its input.
import { parseAllDocuments, stringify } from 'yaml';
import { FAULT_TYPES } from '../../src/scenario/types.js';
import { scenarioDefinitions, scenarioSchema } from '../../src/scenario/scenario-schema.js';
import { schemaStep, type Schema } from '../../src/scenario/schema-def.js';
import { SLO_TYPES } from '../../src/trace/summary.js';

export type Rng = () => number;

export interface FuzzCase {
  /** What the case started from: a file name or `generated`. */
  origin: string;
  /** What was changed, for the failure report. */
  mutations: string[];
  text: string;
  /** `--set` flags to apply (some cases mutate through --set). */
  sets: string[];
}

type Json = unknown;
type Path = (string | number)[];

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const chance = (rng: Rng, p: number): boolean => rng() < p;

const HOSTILE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf', ''];
const EXTREME_NUMBERS = [
  0,
  -1,
  1,
  0.5,
  2,
  3,
  7,
  110,
  111,
  5000,
  5001,
  1e6,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  1e-300,
];
const EXTREME_DURATIONS = [
  '0s',
  '1ms',
  '1ns',
  '-5s',
  '1.5ms',
  '59m59.999s',
  '24h',
  '24h1ms',
  '721h',
  '1000000h',
  `${'9'.repeat(400)}h`,
  '1h30m',
  '',
  '5',
  '10m',
  '300s',
];
const EXTREME_RANGES = ['0s..0s', '1ms..1000000h', '5s..1s', '1ms..2ms', '..', '2s..20s'];
const EXTREME_QUANTITIES = ['0', '1e999', '1Ei', '500m', '-1', '0.001m', '1n', '4Gi', '110', '1e18'];
const EXTREME_STRINGS = [
  '',
  'a'.repeat(300),
  '\u001b[2J',
  'x\ny',
  '\u0007bell',
  '__proto__',
  'constructor',
  'UPPER_case',
  'a.b.c',
  '-a',
  'zone-a',
  'worker-a-0',
  'leader',
  'Deployment/web',
  'StatefulSet/db',
  'ü-名前',
  '![img](https://example.invalid/x.png)',
  '[link](https://example.invalid)',
  '<script>alert(1)</script>',
  '1.31',
  '1.32',
  '1.26',
  '%',
  '50%',
  '101%',
];

const EXTREME_COUNTS = [0, 1, '0%', '50%', '100%', '101%', 2 ** 53, '1e3', -1];
const EXTREME_LABELS = [
  {},
  { _bad: 'v' },
  { 'a/b/c': 'v' },
  { k: 'v v' },
  { ['x'.repeat(64)]: 'v' },
  { 'example.com/tier': 'web' },
];

/** The schema of the field at `path` of a Scenario document, when the path is one the schema knows. */
export function schemaAt(root: Json, path: Path): Schema | undefined {
  let schema: Schema | undefined = scenarioSchema;
  let value: Json = root;
  for (const seg of path) {
    const tag =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, Json>).type
        : undefined;
    const step = schemaStep(schema, String(seg), scenarioDefinitions, tag);
    if (!step.ok || step.schema === undefined) return undefined;
    schema = step.schema;
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, Json>)[seg] : undefined;
  }
  while (schema?.kind === 'ref') schema = scenarioDefinitions[schema.name];
  return schema;
}

/** Extreme values for a field of this schema kind (the boundaries and just past them). */
function extremeForSchema(rng: Rng, schema: Schema): Json | undefined {
  switch (schema.kind) {
    case 'duration':
      return pick(rng, EXTREME_DURATIONS);
    case 'range':
      return pick(rng, EXTREME_RANGES);
    case 'cpu':
    case 'memory':
      return pick(rng, EXTREME_QUANTITIES);
    case 'count':
      return pick(rng, EXTREME_COUNTS);
    case 'integer':
    case 'number':
      return pick(rng, [...EXTREME_NUMBERS, schema.min, schema.max, (schema.max ?? 0) + 1, (schema.min ?? 0) - 1]);
    case 'enum':
      return pick(rng, [...schema.values, `${schema.values[0]}x`, schema.values[0].toUpperCase()]);
    case 'boolean':
      return pick(rng, [true, false, 'yes', 1]);
    case 'map':
      return pick(rng, EXTREME_LABELS);
    case 'string':
      return pick(rng, EXTREME_STRINGS);
    default:
      return undefined;
  }
}

function looksLikeDuration(v: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.test(v) && !v.includes('..');
}

/** A value for a field that holds `current` now: mostly of its kind, sometimes of any kind. */
export function extremeFor(rng: Rng, current: Json, key: string | number | undefined): Json {
  if (chance(rng, 0.08)) return pick(rng, [null, [], {}, true, 'x', 0, [1, { a: 2 }], { node: 'zz' }]);
  if (key === 'type') return pick(rng, [...FAULT_TYPES, ...SLO_TYPES, 'constructor', 'node-crsh']);
  if (key === 'kind') return pick(rng, ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Deploymnet']);
  if (typeof current === 'number') return pick(rng, EXTREME_NUMBERS);
  if (typeof current === 'boolean') return !current;
  if (typeof current === 'string') {
    if (current.includes('..')) return pick(rng, EXTREME_RANGES);
    if (looksLikeDuration(current)) return pick(rng, EXTREME_DURATIONS);
    if (/^\d+(\.\d+)?(m|Mi|Gi|Ki|k|M|G)?$/.test(current)) return pick(rng, EXTREME_QUANTITIES);
    return pick(rng, EXTREME_STRINGS);
  }
  if (Array.isArray(current)) return pick(rng, [[], [current[0]], [...current, ...current], null]);
  return pick(rng, [{}, null, []]);
}

/** Every path in a value, with the value there. */
function paths(value: Json): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [];
  const walk = (v: Json, path: Path): void => {
    out.push({ path, value: v });
    if (path.length > 12 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else for (const [k, item] of Object.entries(v as Record<string, Json>)) walk(item, [...path, k]);
  };
  walk(value, []);
  return out;
}

function parentOf(root: Json, path: Path): Record<string | number, Json> | undefined {
  let cur = root;
  for (const seg of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[seg];
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string | number, Json>) : undefined;
}

function setOwn(obj: Record<string | number, Json>, key: string | number, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One structural change of `doc` (in place); returns what it did. */
function mutateOnce(rng: Rng, doc: Json, donors: Json[], gentle: boolean): string {
  const all = paths(doc).filter((p) => p.path.length > 0);
  if (all.length === 0) return 'nothing to mutate';
  const target = pick(rng, all);
  const parent = parentOf(doc, target.path);
  if (!parent) return 'no parent';
  const key = target.path[target.path.length - 1];
  const where = target.path.join('.');
  // Gentle cases keep to values a scenario could hold (a donor's value at the same key, a nearby
  // number), so that more of them validate and run and the simulation itself is fuzzed.
  const r = gentle ? 0.8 + rng() * 0.2 : rng();
  if (gentle && typeof target.value === 'number' && rng() < 0.5) {
    const v = Math.max(0, Math.round(target.value * pick(rng, [0, 0.5, 2, 3]) + pick(rng, [-1, 0, 1])));
    setOwn(parent, key, v);
    return `${where} = ${v}`;
  }
  if (r < 0.55) {
    // The schema says what the field holds; a field it does not know gets a value by its shape.
    const schema = rng() < 0.7 ? schemaAt(doc, target.path) : undefined;
    const v = (schema && extremeForSchema(rng, schema)) ?? extremeFor(rng, target.value, key);
    setOwn(parent, key, v);
    return `${where} = ${JSON.stringify(v)?.slice(0, 60)}`;
  }
  if (r < 0.68) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return `delete ${where}`;
  }
  if (r < 0.8 && !Array.isArray(parent)) {
    const donorPaths = paths(pick(rng, donors)).filter((p) => typeof p.path[p.path.length - 1] === 'string');
    const newKey = chance(rng, 0.4) ? pick(rng, HOSTILE_KEYS) : String(pick(rng, donorPaths).path.slice(-1)[0] ?? 'x');
    const v = extremeFor(rng, pick(rng, donorPaths).value, newKey);
    setOwn(parent, newKey, v);
    return `add ${[...target.path.slice(0, -1), newKey].join('.')} = ${JSON.stringify(v)?.slice(0, 60)}`;
  }
  if (r < 0.9 && Array.isArray(target.value) && target.value.length > 0) {
    const copy = structuredClone(pick(rng, target.value));
    (target.value as Json[]).push(copy);
    return `duplicate an item of ${where}`;
  }
  // Splice in a subtree of another scenario found at a path with the same last key.
  const donorMatches = paths(pick(rng, donors)).filter((p) => p.path[p.path.length - 1] === key);
  if (donorMatches.length === 0) return `keep ${where}`;
  const donated = structuredClone(pick(rng, donorMatches).value);
  setOwn(parent, key, donated);
  return `${where} = a donor's value`;
}

/** A change of the text itself: cut it, nest it deeply, or break a line. */
function mutateText(rng: Rng, text: string): { text: string; what: string } {
  const r = rng();
  if (r < 0.35) {
    const at = Math.floor(rng() * text.length);
    return { text: text.slice(0, at), what: `cut at byte ${at}` };
  }
  if (r < 0.55) {
    const depth = pick(rng, [10, 63, 65, 200, 3000]);
    return {
      text: text.replace(/^(metadata:.*\n)/m, `$1  labels: ${'['.repeat(depth)}${']'.repeat(depth)}\n`),
      what: `nest ${depth} deep`,
    };
  }
  if (r < 0.75) {
    const lines = text.split('\n');
    const i = Math.floor(rng() * lines.length);
    lines[i] = pick(rng, ['\t' + lines[i], lines[i] + ': x', '- ' + lines[i], lines[i].replace(/:/, ''), '&a [*a]']);
    return { text: lines.join('\n'), what: `break line ${i + 1}` };
  }
  const at = Math.floor(rng() * text.length);
  const junk = pick(rng, ['\u0000', '\u001b[2J', '{', '}', ']', '"', "'", '*x', '&x', '!!binary', '\uFEFF', '\r']);
  return { text: text.slice(0, at) + junk + text.slice(at), what: `insert ${JSON.stringify(junk)} at ${at}` };
}

/** Plain data of every document of a YAML text (aliases expanded), or undefined when it does not parse. */
export function documentsOf(text: string): Json[] | undefined {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs.map((d) => d.toJS({ maxAliasCount: 100 }));
}

/** A mutated case from a seed scenario's text. */
export function mutate(rng: Rng, origin: string, text: string, donors: Json[]): FuzzCase {
  const docs = documentsOf(text) ?? [{}];
  const mutations: string[] = [];
  const n = chance(rng, 0.6) ? 1 : 2 + Math.floor(rng() * 2);
  const gentle = chance(rng, 0.4);
  for (let i = 0; i < n; i++)
    mutations.push(mutateOnce(rng, chance(rng, 0.9) ? docs[0] : pick(rng, docs), donors, gentle));
  let out = docs.map((d) => stringify(d, { aliasDuplicateObjects: false, lineWidth: 0 })).join('---\n');
  const sets: string[] = [];
  if (chance(rng, 0.08)) {
    const t = mutateText(rng, out);
    out = t.text;
    mutations.push(t.what);
  }
  if (chance(rng, 0.1)) {
    const set = pick(rng, [
      `__proto__.count=${pick(rng, [1, 7])}`,
      'spec.nodes[0].count=100000000',
      'spec.duration=1000000h',
      'spec.seed=9007199254740993',
      `spec.faults[0].target={}`,
      'spec.kubernetes.etcd.members=1000000000000',
      'spec.slos[0].max=1ms',
      'metadata.name=x',
      'spec.nodes[0].constructor.prototype.x=1',
    ]);
    sets.push(set);
    mutations.push(`--set ${set}`);
  }
  return { origin, mutations, text: out, sets };
}

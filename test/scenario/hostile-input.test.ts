// Input written to break the loader rather than to describe a cluster: keys named like object
// built-ins, prototype pollution through --set, names Kubernetes would refuse, deep nesting, seeds
// that cannot be printed back. Every case is bad input with a pinned message, never a crash.
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';

const BASE = `apiVersion: hasim.dev/v1
kind: Scenario
metadata:
  name: p
spec:
  duration: 2m
  nodes:
    - { name: w, count: 3, zone: zone-a }
  workloads:
    - { kind: Deployment, name: web, replicas: 3 }
  faults:
    - { name: f, type: node-crash, at: 30s, target: { node: w-0 } }
`;

function problems(text: string, sets: string[] = []): string {
  const parsed = parseScenarioText(text, { file: 's.yaml', sets });
  if (parsed.ok) throw new Error('unexpectedly valid');
  return formatIssues(parsed.issues);
}

describe('keys named like object built-ins', () => {
  const cases: [string, string][] = [
    ['metadata', BASE.replace('name: p\n', 'name: p\n  constructor: 1\n')],
    ['spec', BASE.replace('duration: 2m\n', 'duration: 2m\n  toString: 1\n')],
    ['a node', BASE.replace('zone: zone-a }', 'zone: zone-a, hasOwnProperty: 1 }')],
    ['a fault', BASE.replace('at: 30s,', 'at: 30s, __proto__: 1,')],
    ['kubernetes', BASE.replace('duration: 2m\n', 'duration: 2m\n  kubernetes: { valueOf: 1 }\n')],
  ];
  it.each(cases)('are unknown fields in %s', (_where, text) => {
    expect(problems(text)).toMatch(/error: .*unknown field "(constructor|toString|hasOwnProperty|__proto__|valueOf)"/);
  });

  it('an SLO type named "constructor" is an unknown type, not a type without fields', () => {
    expect(problems(BASE + '  slos:\n    - { name: s, type: constructor, max: 1m }\n')).toBe(
      's.yaml:14:24: error: spec.slos[0].type: unknown SLO type "constructor" (allowed: recovery-time, min-available, unavailable-time, detection-time, eviction-time, leaderless-time, max-concurrent-leaders, stuck-terminating, drain-time, blocked-evictions, upgrade-time, request-success-rate, failed-requests, stale-endpoint-time)',
    );
  });
});

describe('--set path segments', () => {
  it('the message for __proto__', () => {
    expect(problems(BASE, ['__proto__.count=7'])).toBe(
      '--set:1:1: error: "__proto__" cannot be a field name in a path (no scenario field is called that)',
    );
  });
  it.each(['__proto__.count=7', 'spec.nodes[0].labels.__proto__=7', 'spec.constructor.prototype=1'])(
    'refuses %s without touching Object.prototype',
    (set) => {
      const out = problems(BASE, [set]);
      expect(out).toMatch(/^--set:1:1: error: "(__proto__|constructor)" cannot be a field name in a path/);
      expect(({} as Record<string, unknown>).count).toBeUndefined();
    },
  );
});

describe('names are checked as Kubernetes checks them', () => {
  it('refuses control characters in a fault name and shows them escaped', () => {
    expect(problems(BASE.replace('name: f,', 'name: "f\\e[2J\\a",'))).toBe(
      's.yaml:12:15: error: spec.faults[0].name: "f\\u001b[2J\\u0007" is not valid: must not contain control characters (such as a newline, a tab or an escape)',
    );
  });
  it('refuses an empty SLO name and a 300-character one', () => {
    const long = 'x'.repeat(300);
    const out = problems(
      BASE +
        `  slos:\n    - { name: "", type: stuck-terminating, workload: Deployment/web, max: 0 }\n    - { name: ${long}, type: stuck-terminating, workload: Deployment/web, max: 0 }\n`,
    );
    expect(out).toBe(
      [
        's.yaml:14:15: error: spec.slos[0].name: "" is not valid: must not be empty',
        `s.yaml:15:15: error: spec.slos[1].name: "${'x'.repeat(80)}..." is not valid: it has 300 characters; at most 253 are allowed`,
      ].join('\n'),
    );
  });
  it('a node name must be a DNS-1123 subdomain, also after count expansion', () => {
    expect(problems(BASE.replace('name: w, count: 3', 'name: Worker_A, count: 3'))).toBe(
      's.yaml:8:15: error: spec.nodes[0].name: "Worker_A" is not valid: a name must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
    );
    const name = 'a'.repeat(252);
    expect(problems(BASE.replace('name: w, count: 3', `name: ${name}, count: 3`))).toContain(
      'spec.nodes[0].name: with count 3 the last node is named "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." (254 characters); a node name has at most 253',
    );
  });
  it('a zone must be a label value and a label key a qualified name', () => {
    expect(problems(BASE.replace('zone: zone-a }', 'zone: "zone a", labels: { "-bad": x, ok: "v v" } }'))).toBe(
      [
        's.yaml:8:34: error: spec.nodes[0].zone: "zone a" is not valid: a zone must be a Kubernetes label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
        's.yaml:8:54: error: spec.nodes[0].labels: label key "-bad" is not valid: a label key\'s name part must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
        's.yaml:8:69: error: spec.nodes[0].labels.ok: label value "v v" is not valid: a label value must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
      ].join('\n'),
    );
  });
  it('a workload name must be a DNS-1123 subdomain', () => {
    expect(problems(BASE.replace('name: web', 'name: "web\\n"'))).toBe(
      's.yaml:10:33: error: spec.workloads[0].name: "web\\n" is not valid: a name must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
    );
  });
});

describe('numbers and nesting', () => {
  it('a seed of 2^53 or more is refused, so a printed reproduce command always works', () => {
    expect(problems(BASE.replace('duration: 2m', 'duration: 2m\n  seed: 9007199254740993'))).toBe(
      's.yaml:7:9: error: spec.seed: 9007199254740992 is too large: whole numbers must be between -9007199254740991 and 9007199254740991 (2^53 - 1)',
    );
  });
  it('YAML nested thousands deep is an error, not a stack overflow', () => {
    const deep = BASE.replace('name: p\n', `name: p\n  description: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(problems(deep)).toMatch(
      /^s\.yaml:\d+:\d+: error: the YAML nests mappings and lists more than 64 levels deep; a scenario needs fewer than 10$/,
    );
    const moderate = BASE.replace('name: p\n', `name: p\n  description: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    expect(problems(moderate)).toBe(
      's.yaml:5:78: error: the YAML nests mappings and lists more than 64 levels deep; a scenario needs fewer than 10',
    );
  });
  it('a deep --set value is refused', () => {
    expect(problems(BASE, [`metadata.description=${'['.repeat(80)}${']'.repeat(80)}`])).toBe(
      '--set:1:22: error: metadata.description: the YAML nests mappings and lists more than 64 levels deep; a scenario needs fewer than 10',
    );
  });
});

describe('selectors', () => {
  it('a fault with "target:" and nothing after it is missing its target, not a crash at startFault', () => {
    expect(problems(BASE.replace('target: { node: w-0 }', 'target: null'))).toBe(
      's.yaml:12:7: error: spec.faults[0]: missing required field "target" (a node-crash fault takes one of node, nodes, zone, labels, random (+from), instance, instances)',
    );
  });
  it('an empty target selects nothing', () => {
    expect(problems(BASE.replace('target: { node: w-0 }', 'target: {}'))).toBe(
      's.yaml:12:53: error: spec.faults[0].target: target selects nothing: give one of node, nodes, zone, labels, random (+from), instance, instances',
    );
  });
});

describe('found by the fuzzer', () => {
  it('an invalid control-plane zone next to a zone selector is reported, not a crash in did-you-mean', () => {
    const text = BASE.replace('duration: 2m\n', 'duration: 2m\n  controlPlane: { zones: [{ a: 1 }] }\n').replace(
      'target: { node: w-0 }',
      'target: { zone: zone-q }',
    );
    expect(problems(text)).toBe(
      [
        's.yaml:7:26: error: spec.controlPlane.zones: needs at least one zone',
        's.yaml:7:27: error: spec.controlPlane.zones[0]: expected a string, found a mapping',
        's.yaml:13:61: error: spec.faults[0].target.zone: unknown zone "zone-q" (did you mean "zone-a"?)',
      ].join('\n'),
    );
  });
});

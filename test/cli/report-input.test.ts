// `hasim report` checks what it reads: a saved run edited by hand, cut short, or mixed with another
// run is bad input (exit 2, the first bad line), never a crash, a hang or a wrong report.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SCENARIO = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: tiny }
spec:
  duration: 2m
  nodes: [{ name: worker, count: 2, zone: zone-a }]
  workloads: [{ kind: Deployment, name: web, replicas: 2 }]
  faults: [{ name: crash, type: node-crash, at: 30s, target: { node: worker-0 } }]
  slos:
    - { name: never two leaders, type: max-concurrent-leaders, component: kube-controller-manager, max: 1 }
`;

let saved: string;
let other: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-report-'));
  writeFileSync(join(dir, 'tiny.yaml'), SCENARIO);
  writeFileSync(join(dir, 'other.yaml'), SCENARIO.replace('name: tiny', 'name: other'));
  expect(hasim(['run', 'tiny.yaml', '--out', 'run', '--quiet'], dir).code).toBe(0);
  expect(hasim(['run', 'other.yaml', '--out', 'other', '--quiet'], dir).code).toBe(0);
  saved = join(dir, 'run');
  other = join(dir, 'other');
});

/** A copy of the saved run with events.jsonl and/or summary.json changed. */
function variant(change: {
  events?: (lines: string[]) => string[];
  summary?: (s: Record<string, unknown>) => unknown;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-report-v-'));
  cpSync(saved, join(dir, 'run'), { recursive: true });
  const run = join(dir, 'run');
  if (change.events) {
    const lines = readFileSync(join(run, 'events.jsonl'), 'utf8').split('\n').slice(0, -1);
    writeFileSync(
      join(run, 'events.jsonl'),
      change
        .events(lines)
        .map((l) => l + '\n')
        .join(''),
    );
  }
  if (change.summary) {
    const s = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    writeFileSync(join(run, 'summary.json'), JSON.stringify(change.summary(s)));
  }
  return { dir, run };
}

function setAt(lines: string[], i: number, patch: Record<string, unknown>): string[] {
  const copy = [...lines];
  copy[i] = JSON.stringify({ ...JSON.parse(copy[i]), ...patch });
  return copy;
}

it('re-renders an intact run', () => {
  const { dir } = variant({});
  const r = hasim(['report', 'run'], dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

it.each([
  [
    'an event at 1e308 ms',
    { events: (l: string[]) => setAt(l, 5, { atMs: 1e308 }) },
    'run/events.jsonl:6:1: error: "atMs" must be a whole number of milliseconds, 0 or more (found 1e+308)',
  ],
  [
    'an event at 1e12 ms',
    { events: (l: string[]) => setAt(l, 5, { atMs: 1e12 }) },
    'run/events.jsonl:6:1: error: "atMs" 1000000000000 is after the end of the run (120000 ms)',
  ],
  [
    'an event out of order',
    { events: (l: string[]) => setAt(l, 25, { atMs: 0 }) },
    'run/events.jsonl:26:1: error: "atMs" 0 is before the previous event\'s',
  ],
  [
    'an event without its fields',
    { events: (l: string[]) => [...l.slice(0, 3), '{"atMs":1,"type":"pod.scheduled"}', ...l.slice(3)] },
    'run/events.jsonl:4:1: error: a pod.scheduled event needs "pod"',
  ],
  [
    'an unknown event type',
    { events: (l: string[]) => [...l.slice(0, 3), '{"atMs":1,"type":"pod.exploded"}', ...l.slice(3)] },
    'run/events.jsonl:4:1: error: unknown event type "pod.exploded"',
  ],
  [
    'a line that is not JSON',
    { events: (l: string[]) => [...l.slice(0, 2), '{"atMs":', ...l.slice(2)] },
    'run/events.jsonl:3:1: error: not valid JSON',
  ],
  [
    'a trace cut at a line boundary',
    { events: (l: string[]) => l.slice(0, 20) },
    'run/events.jsonl:20:1: error: the trace is cut short: it has 20 events, summary.json says',
  ],
  [
    'a summary with an empty SLO list',
    { summary: () => ({ slos: [] }) },
    'run/summary.json: error: "scenario" must be a string (found undefined)',
  ],
  [
    'a summary whose SLO has no type',
    { summary: (s: Record<string, unknown>) => ({ ...s, slos: [{ name: 'x', message: 'm', passed: true }] }) },
    'run/summary.json: error: "slos[0]" has an unknown SLO type undefined',
  ],
  [
    'a summary of another seed',
    { summary: (s: Record<string, unknown>) => ({ ...s, seed: 2 }) },
    'run/summary.json: error: "seed" is 2, but the trace is of a run with seed 1: summary.json and events.jsonl come from different runs',
  ],
  [
    'a summary with a non-finite duration',
    { summary: (s: Record<string, unknown>) => ({ ...s, durationMs: 1e308 }) },
    'run/summary.json: error: "durationMs" must be a whole number of milliseconds from 1 to 2592000000 (found 1e+308)',
  ],
])('refuses %s with the first bad line', (_what, change, message) => {
  const { dir } = variant(change);
  const r = hasim(['report', 'run'], dir);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n')[0]).toContain(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(2);
});

it('refuses a summary.json from another scenario', () => {
  const { dir, run } = variant({});
  cpSync(join(other, 'summary.json'), join(run, 'summary.json'));
  const r = hasim(['report', 'run'], dir);
  expect(r.stderr).toBe(
    'run/summary.json: error: "scenario" is "other", but the trace is of a run with scenario "tiny": summary.json and events.jsonl come from different runs\n',
  );
  expect(r.code).toBe(2);
});

it('refuses a last line without its line end', () => {
  const { dir, run } = variant({});
  const text = readFileSync(join(run, 'events.jsonl'), 'utf8');
  writeFileSync(join(run, 'events.jsonl'), text.slice(0, -10));
  const r = hasim(['report', 'run'], dir);
  expect(r.stderr).toMatch(
    /^run\/events\.jsonl:\d+:1: error: the last line has no line end: the trace was cut short while it was written\n$/,
  );
  expect(r.code).toBe(2);
});

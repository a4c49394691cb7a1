// Checks a saved run (summary.json + events.jsonl) before `hasim report` renders it: a file edited by
// hand, cut short, or taken from another run must be refused with the first bad line, never rendered
// into a wrong report (or a hang: one event at 1e12 ms would make the timeline a million screens wide).
// Every event is checked against the trace vocabulary (events.ts): its type, its fields and their
// types, and an integer time inside the run, in order. The summary is checked field by field and
// against the trace: the run.started event must name the same scenario, seed, duration and version,
// and when the summary records the trace's length and SHA-256 (`trace`), the file must match them.
import { createHash } from 'node:crypto';
import { SLO_TYPES } from './summary.js';
import type { TraceEvent, TraceEventFields, TraceEventType } from './events.js';
import type { RunSummary } from './summary.js';

/** A problem with a saved run: which file, which line (1-based; 0: the file as a whole) and what. */
export interface SavedRunProblem {
  file: 'summary.json' | 'events.jsonl';
  line: number;
  message: string;
}

/** What a field must hold; `optional-string`: a string when present (fields newer than some saved runs). */
type FieldKind =
  | 'string'
  | 'optional-string'
  | 'optional-number'
  | 'number'
  | 'boolean'
  | 'strings'
  | 'number-or-string'
  | readonly string[];

const READY = ['True', 'False', 'Unknown'] as const;
const ZONE = ['Initial', 'Normal', 'PartialDisruption', 'FullDisruption'] as const;
const FAULT = { fault: 'string', faultType: 'string', targets: 'strings' } as const;
const TAINT = { node: 'string', key: 'string', effect: 'string' } as const;
const LEADER = { component: 'string', instance: 'string' } as const;

/** The fields of each event type: TypeScript keeps this list in step with events.ts. */
export const EVENT_FIELDS: { [K in TraceEventType]: Record<keyof TraceEventFields[K], FieldKind> } = {
  'run.started': {
    scenario: 'string',
    seed: 'number',
    durationMs: 'number',
    kubernetesVersion: 'string',
    hasimVersion: 'optional-string',
  },
  'fault.started': FAULT,
  'fault.ended': FAULT,
  'node.created': { node: 'string', zone: 'string' },
  'node.deleted': { node: 'string', by: 'optional-string' },
  'node.ready.changed': {
    node: 'string',
    from: [...READY, 'None'],
    to: READY,
    by: ['kubelet', 'node-lifecycle-controller'],
  },
  'node.taint.added': TAINT,
  'node.taint.removed': TAINT,
  'node.lease.renewed': { node: 'string' },
  'host.powered.off': { host: 'string' },
  'host.powered.on': { host: 'string' },
  'host.booted': { host: 'string', bootMs: 'number' },
  'node.provisioned': { node: 'string', zone: 'string' },
  'nodepool.upgrade.started': { fault: 'string', nodes: 'number', maxSurge: 'number', maxUnavailable: 'number' },
  'node.upgrade.started': { fault: 'string', node: 'string', surge: 'boolean' },
  'node.upgrade.finished': { fault: 'string', node: 'string', replacement: 'string', durationMs: 'number' },
  'nodepool.upgrade.finished': { fault: 'string', nodes: 'number', durationMs: 'number' },
  'node.terminated': { node: 'string' },
  'node.repair.started': { node: 'string', ready: 'string', unhealthyForMs: 'number' },
  'workload.desired.changed': { workload: 'string', desired: 'number' },
  'pod.created': { pod: 'string', workload: 'string' },
  'pod.scheduled': { pod: 'string', node: 'string' },
  'pod.unschedulable': { pod: 'string', reason: 'string' },
  'pod.nominated': { pod: 'string', node: 'string' },
  'pod.preempted': {
    pod: 'string',
    workload: 'string',
    node: 'string',
    preemptor: 'string',
    preemptorWorkload: 'string',
  },
  'pod.ready.changed': { pod: 'string', ready: 'boolean', by: 'string' },
  'node.unschedulable.changed': { node: 'string', unschedulable: 'boolean', by: 'string' },
  'pdb.status.changed': {
    pdb: 'string',
    workload: 'string',
    disruptionsAllowed: 'number',
    currentHealthy: 'number',
    desiredHealthy: 'number',
    expectedPods: 'number',
    by: 'string',
  },
  'pod.eviction.refused': {
    pod: 'string',
    node: 'string',
    workload: 'string',
    pdb: 'string',
    code: 'number',
    message: 'string',
    by: 'string',
  },
  'node.drain.started': { node: 'string', fault: 'string', pods: 'number' },
  'node.drain.finished': { node: 'string', fault: 'string', evicted: 'number' },
  'node.drain.timedout': {
    node: 'string',
    fault: 'string',
    timeoutMs: 'number',
    remaining: 'strings',
    message: 'string',
  },
  'node.drain.failed': { node: 'string', fault: 'string', message: 'string' },
  'pod.failed': { pod: 'string', node: 'string', reason: 'string', message: 'string' },
  'node.shutdown.started': { node: 'string', fault: 'string', shutdownGracePeriodMs: 'number' },
  'pod.started': { pod: 'string', node: 'string' },
  'pod.stopped': { pod: 'string', node: 'string', reason: 'string' },
  'pod.deleted': { pod: 'string', reason: 'string' },
  'volume.bound': { claim: 'string', workload: 'string', zone: 'string', node: 'string' },
  'volume.attach.started': { claim: 'string', node: 'string', pod: 'string' },
  'volume.attached': { claim: 'string', node: 'string' },
  'volume.multiattach.error': { claim: 'string', node: 'string', pod: 'string', attachedTo: 'string' },
  'volume.detach.started': { claim: 'string', node: 'string', reason: 'string', waitedMs: 'number' },
  'volume.detached': { claim: 'string', node: 'string' },
  'pod.probe.changed': { pod: 'string', node: 'string', probe: 'string', result: 'string' },
  'pod.restart.scheduled': { pod: 'string', node: 'string', reason: 'string', backOffMs: 'number' },
  'pod.app.changed': { pod: 'string', failing: 'boolean', fault: 'string' },
  'pod.removed': { pod: 'string' },
  'leader.acquired': LEADER,
  'leader.lost': LEADER,
  'component.started': LEADER,
  'component.stopped': LEADER,
  'etcd.leader.lost': { member: 'string', term: 'number', reason: 'string' },
  'etcd.leader.elected': { member: 'string', term: 'number', leaderlessMs: 'number' },
  'zone.state.changed': { zone: 'string', from: ZONE, to: ZONE },
  'nodegroup.scaled.up': {
    nodeGroup: 'string',
    from: 'number',
    to: 'number',
    pods: 'number',
    nodes: 'strings',
    reason: 'string',
  },
  'nodegroup.scaleup.failed': { nodeGroup: 'string', nodes: 'strings', backoffMs: 'number', reason: 'string' },
  'nodegroup.scaled.down': { nodeGroup: 'string', node: 'string', from: 'number', to: 'number', reason: 'string' },
  'nodegroup.scaledown.failed': { nodeGroup: 'string', node: 'string', reason: 'string' },
  'autoscaler.halted': { reason: 'string', unready: 'number', total: 'number' },
  'autoscaler.resumed': { unready: 'number', total: 'number' },
  'slo.violated': { slo: 'string', measured: 'number-or-string' },
  'service.endpoints.changed': {
    service: 'string',
    ready: 'number',
    serving: 'number',
    terminating: 'number',
    endpoints: 'number',
  },
  'service.hints.changed': { service: 'string', hints: 'boolean', reason: 'string', zones: 'string' },
  'service.traffic.changed': {
    service: 'string',
    requestsPerSecond: 'number',
    failingPerSecond: 'number',
    successRate: 'number',
    deadEndpoints: 'number',
    staleNodes: 'number',
    staleSinceMs: 'optional-number',
    behindNodes: 'number',
    cause: 'string',
  },
};

/** The longest run a saved trace may describe (hasim's ceiling with --allow-large: 30 days). */
export const MAX_SAVED_DURATION_MS = 30 * 24 * 3_600_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindProblem(kind: FieldKind, v: unknown): string | undefined {
  if (Array.isArray(kind)) return kind.includes(v as string) ? undefined : `one of ${kind.join(', ')}`;
  switch (kind) {
    case 'string':
    case 'optional-string':
      return typeof v === 'string' ? undefined : 'a string';
    case 'optional-number':
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'true or false';
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'a list of strings';
    case 'number-or-string':
      return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string'
        ? undefined
        : 'a number or a string';
  }
  return undefined;
}

const show = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
};

/**
 * Checks one parsed line of events.jsonl; `previousMs` is the time of the line before, `endMs` the
 * run's duration. Returns what is wrong, or undefined.
 */
export function checkEvent(e: unknown, previousMs: number, endMs: number): string | undefined {
  if (!isObject(e)) return 'each line must be a JSON object';
  const type = e.type;
  if (typeof type !== 'string') return 'missing "type"';
  if (!Object.hasOwn(EVENT_FIELDS, type)) return `unknown event type ${show(type)}`;
  const atMs = e.atMs;
  if (typeof atMs !== 'number' || !Number.isSafeInteger(atMs) || atMs < 0)
    return `"atMs" must be a whole number of milliseconds, 0 or more (found ${show(atMs)})`;
  if (atMs > endMs) return `"atMs" ${atMs} is after the end of the run (${endMs} ms)`;
  if (atMs < previousMs)
    return `"atMs" ${atMs} is before the previous event's ${previousMs}: events must be in time order`;
  const fields = EVENT_FIELDS[type as TraceEventType] as Record<string, FieldKind>;
  for (const [field, kind] of Object.entries(fields)) {
    if (!Object.hasOwn(e, field)) {
      if (kind === 'optional-string' || kind === 'optional-number') continue;
      return `a ${type} event needs "${field}"`;
    }
    const wanted = kindProblem(kind, e[field]);
    if (wanted) return `"${field}" of a ${type} event must be ${wanted} (found ${show(e[field])})`;
  }
  return undefined;
}

/** The summary's fields: what each must be. */
function summaryProblems(s: Record<string, unknown>): string[] {
  const out: string[] = [];
  const need = (field: string, ok: boolean, what: string): void => {
    if (!ok) out.push(`"${field}" must be ${what} (found ${show(s[field])})`);
  };
  need('scenario', typeof s.scenario === 'string', 'a string');
  need('seed', int(s.seed), 'a whole number, 0 or more');
  need(
    'durationMs',
    int(s.durationMs, MAX_SAVED_DURATION_MS) && (s.durationMs as number) > 0,
    `a whole number of milliseconds from 1 to ${MAX_SAVED_DURATION_MS}`,
  );
  need('kubernetesVersion', typeof s.kubernetesVersion === 'string', 'a string');
  need('passed', typeof s.passed === 'boolean', 'true or false');
  need('reproduce', typeof s.reproduce === 'string', 'a string');
  need(
    'stats',
    isObject(s.stats) && int(s.stats.events) && int(s.stats.wallMs),
    'an object with "events" and "wallMs"',
  );
  const end = int(s.durationMs) ? (s.durationMs as number) : Number.MAX_SAFE_INTEGER;
  const time = (v: unknown): boolean => int(v, end);
  const timeOrNull = (v: unknown): boolean => v === null || time(v);
  const list = (field: string, check: (x: Record<string, unknown>) => string | undefined): void => {
    const v = s[field];
    if (!Array.isArray(v)) return void out.push(`"${field}" must be a list (found ${show(v)})`);
    v.forEach((x, i) => {
      const why = isObject(x) ? check(x) : 'must be an object';
      if (why) out.push(`"${field}[${i}]" ${why}`);
    });
  };
  list('slos', (x) => {
    if (typeof x.name !== 'string' || typeof x.message !== 'string') return 'needs "name" and "message"';
    if (!SLO_TYPES.includes(x.type as never)) return `has an unknown SLO type ${show(x.type)}`;
    if (typeof x.passed !== 'boolean') return 'needs "passed" (true or false)';
    for (const f of ['measuredMs', 'boundMs', 'measured', 'bound'])
      if (x[f] !== undefined && x[f] !== null && !(typeof x[f] === 'number' && Number.isFinite(x[f])))
        return `"${f}" must be a finite number (found ${show(x[f])})`;
    if (x.violatedAtMs !== undefined && !time(x.violatedAtMs)) return '"violatedAtMs" must be a time within the run';
    return undefined;
  });
  list('faults', (x) =>
    typeof x.name === 'string' &&
    typeof x.type === 'string' &&
    time(x.startMs) &&
    timeOrNull(x.endMs) &&
    Array.isArray(x.targets) &&
    x.targets.every((t) => typeof t === 'string')
      ? undefined
      : 'needs "name", "type", "targets" and "startMs"/"endMs" within the run',
  );
  list('workloads', (x) => workloadProblem(x, timeOrNull));
  if (
    Array.isArray(s.slos) &&
    typeof s.passed === 'boolean' &&
    s.slos.every(isObject) &&
    s.passed !== s.slos.every((x) => x.passed === true)
  )
    out.push(`"passed" is ${s.passed}, but ${s.passed ? 'an SLO failed' : 'every SLO held'}`);
  return out;
}

/** A whole number from 0 to max. */
function int(v: unknown, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;
}

/** What is wrong with one entry of the summary's workloads, if anything. */
function workloadProblem(x: Record<string, unknown>, timeOrNull: (v: unknown) => boolean): string | undefined {
  return typeof x.workload === 'string' &&
    int(x.desired) &&
    int(x.minReady) &&
    timeOrNull(x.recoveredAtMs) &&
    (x.fullAtMs === undefined || timeOrNull(x.fullAtMs))
    ? undefined
    : 'needs "workload", "desired", "minReady" and "recoveredAtMs" (and "fullAtMs", if present) within the run';
}

/** Checks summary.json on its own (already parsed). */
export function checkSummary(s: unknown): SavedRunProblem | undefined {
  if (!isObject(s))
    return { file: 'summary.json', line: 0, message: 'not a hasim run summary (expected a JSON object)' };
  const first = summaryProblems(s)[0];
  return first ? { file: 'summary.json', line: 0, message: first } : undefined;
}

/**
 * Checks that the trace belongs to the summary: its run.started event names the same run, and it has
 * the length and hash the summary recorded (`trace`, written by hasim run since 0.4).
 */
export function checkSummaryAgainstTrace(
  s: Record<string, unknown>,
  first: Record<string, unknown> | undefined,
  lines: number,
  sha256: string,
): SavedRunProblem | undefined {
  if (!first || first.type !== 'run.started')
    return { file: 'events.jsonl', line: 1, message: 'the trace does not start with a run.started event' };
  for (const field of ['scenario', 'seed', 'durationMs', 'kubernetesVersion', 'version'] as const) {
    if (field === 'version' && (s.version === undefined || first.version === undefined)) continue;
    if (first[field] !== s[field])
      return {
        file: 'summary.json',
        line: 0,
        message: `"${field}" is ${show(s[field])}, but the trace is of a run with ${field} ${show(first[field])}: summary.json and events.jsonl come from different runs`,
      };
  }
  const trace = s.trace;
  if (trace === undefined) return undefined;
  if (!isObject(trace) || !Number.isSafeInteger(trace.events) || typeof trace.sha256 !== 'string')
    return { file: 'summary.json', line: 0, message: '"trace" must be an object with "events" and "sha256"' };
  if (trace.events !== lines)
    return {
      file: 'events.jsonl',
      line: lines,
      message:
        lines < (trace.events as number)
          ? `the trace is cut short: it has ${lines} events, summary.json says ${trace.events}`
          : `the trace has ${lines} events, summary.json says ${trace.events}`,
    };
  if (trace.sha256 !== sha256)
    return {
      file: 'events.jsonl',
      line: 0,
      message:
        'the trace is not the one this summary was written with (its SHA-256 differs from summary.json\'s "trace.sha256")',
    };
  return undefined;
}

export type SavedRun =
  { ok: true; summary: RunSummary; events: TraceEvent[] } | { ok: false; problem: SavedRunProblem };

/** Parses and checks the texts of summary.json and events.jsonl; the first problem, or the run. */
export function parseSavedRun(summaryText: string, eventsText: string): SavedRun {
  const problem = (file: SavedRunProblem['file'], line: number, message: string): SavedRun => ({
    ok: false,
    problem: { file, line, message },
  });
  let summary: unknown;
  try {
    summary = JSON.parse(summaryText);
  } catch (e) {
    return problem('summary.json', 0, `not valid JSON (${(e as Error).message})`);
  }
  const bad = checkSummary(summary);
  if (bad) return { ok: false, problem: bad };
  const s = summary as Record<string, unknown>;
  const endMs = Math.min(s.durationMs as number, MAX_SAVED_DURATION_MS);
  const lines = eventsText.split('\n');
  // A file ends with a newline; a last line without one was cut in the middle of writing it.
  const last = lines.pop();
  if (last !== undefined && last !== '')
    return problem(
      'events.jsonl',
      lines.length + 1,
      'the last line has no line end: the trace was cut short while it was written',
    );
  const events: TraceEvent[] = [];
  let previousMs = 0;
  for (let i = 0; i < lines.length; i++) {
    let e: unknown;
    try {
      e = JSON.parse(lines[i]);
    } catch (err) {
      return problem('events.jsonl', i + 1, `not valid JSON (${(err as Error).message})`);
    }
    const why = checkEvent(e, previousMs, endMs);
    if (why) return problem('events.jsonl', i + 1, why);
    previousMs = (e as TraceEvent).atMs;
    events.push(e as TraceEvent);
  }
  const sha256 = createHash('sha256').update(eventsText).digest('hex');
  const mismatch = checkSummaryAgainstTrace(s, events[0] as Record<string, unknown> | undefined, events.length, sha256);
  if (mismatch) return { ok: false, problem: mismatch };
  return { ok: true, summary: summary as RunSummary, events };
}

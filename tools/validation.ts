// `npm run validation`: the hasim column of docs/validation.md. Each row of that table compares one figure
// published for a real cluster with what hasim gives for a scenario in scenarios/validation/ that
// reproduces the source's setting. This tool runs every row's scenario over seeds 1-N (default 30) and
// prints the figure's distribution over the seeds (min / p50 / p90 / max), so the table can be refreshed
// after every model change: run it, and copy the figures into the doc (and the verdicts, where they moved).
//
//   npm run validation                  every row, seeds 1-30
//   npm run validation -- --seeds 50    more seeds
//   npm run validation -- --row 125530-kcm-failover   one row
//
// A row's figure is the measured value of one of its scenario's SLOs, or a figure read off the trace where
// no SLO type measures what the source measured (the spread of a controller's marks, a count of events).
// test/validation/validation.test.ts checks that a cheap row still falls in the range the doc states.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { distribution } from '../src/runner/sweep.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { parseScenarioText } from '../src/scenario/index.js';
import type { TraceEvent } from '../src/trace/events.js';
import type { Distribution } from '../src/trace/sweep.js';
import type { RunSummary } from '../src/trace/summary.js';

export const VALIDATION_DIR = join('scenarios', 'validation');
export const DEFAULT_SEEDS = 30;

/** Figures read off the trace, for what no SLO type measures. */
export type TraceFigure =
  /** From the first to the last pod marked not Ready by the node lifecycle controller (ms). */
  | 'pod-notready-spread'
  /** How many times a node was marked Ready=Unknown or False by the node lifecycle controller. */
  | 'nodes-marked-unknown'
  /** The longest gap between two consecutive unreachable/not-ready NoExecute taints (ms). */
  | 'noexecute-taint-gap-max'
  /** How many pods were deleted by taint eviction or pod-eviction-timeout. */
  | 'pods-evicted'
  /** The longest a forced volume detach waited after the detach was wanted (ms). */
  | 'force-detach-wait'
  /** From the first fault to the next kube-controller-manager leader.acquired (ms). */
  | 'kcm-leader-after-fault'
  /** How long etcd had no leader that could commit before the first etcd.leader.elected after the fault (ms). */
  | 'etcd-leaderless';

export interface ValidationRow {
  /** Short and stable: docs/validation.md names rows by it. */
  id: string;
  /** File name under scenarios/validation/. */
  file: string;
  /** What the figure is, in the words of the doc's table. */
  figure: string;
  measure: { slo: string } | { trace: TraceFigure };
  /** How the figure is printed: a duration in seconds, or a count. */
  unit: 's' | 'count';
}

export const ROWS: readonly ValidationRow[] = [
  {
    id: 'kubespray-fast',
    file: 'kubespray-fast-reaction.yaml',
    figure: 'node crash to pod eviction',
    measure: { slo: 'pod evicted within 1m' },
    unit: 's',
  },
  {
    id: 'kubespray-medium',
    file: 'kubespray-medium-reaction.yaml',
    figure: 'node crash to pod eviction',
    measure: { slo: 'pod evicted within 3m20s' },
    unit: 's',
  },
  {
    id: 'kubespray-slow',
    file: 'kubespray-slow-reaction.yaml',
    figure: 'node crash to pod eviction',
    measure: { slo: 'pod evicted within 6m20s' },
    unit: 's',
  },
  {
    id: 'node-failure-notready',
    file: 'node-failure-defaults.yaml',
    figure: 'node crash to node NotReady (Unknown)',
    measure: { slo: 'node NotReady within 50s' },
    unit: 's',
  },
  {
    id: 'node-failure-eviction',
    file: 'node-failure-defaults.yaml',
    figure: 'node crash to pod eviction',
    measure: { slo: 'pod evicted within 6m' },
    unit: 's',
  },
  {
    id: '114295-notready-spread',
    file: 'site-unreachable-notready-spread.yaml',
    figure: 'first to last pod marked not Ready in the lost site',
    measure: { trace: 'pod-notready-spread' },
    unit: 's',
  },
  {
    id: '114295-detection',
    file: 'site-unreachable-notready-spread.yaml',
    figure: 'site cut off to its last node Unknown',
    measure: { slo: 'site detected within 35s' },
    unit: 's',
  },
  {
    id: '125530-kcm-failover',
    file: 'kcm-leader-power-off.yaml',
    figure: "leader's host powered off to the next controller-manager leader",
    measure: { trace: 'kcm-leader-after-fault' },
    unit: 's',
  },
  {
    id: '121793-grace-40s',
    file: 'etcd-stall-grace-40s.yaml',
    figure: 'nodes marked Unknown during a 40 s etcd stall',
    measure: { trace: 'nodes-marked-unknown' },
    unit: 'count',
  },
  {
    id: '121793-grace-50s',
    file: 'etcd-stall-grace-50s.yaml',
    figure: 'nodes marked Unknown during a 40 s etcd stall',
    measure: { trace: 'nodes-marked-unknown' },
    unit: 'count',
  },
  {
    id: 'gardener-10223',
    file: 'kubelet-connection-drop-45s.yaml',
    figure: 'nodes marked Unknown after 45 s without renewals',
    measure: { trace: 'nodes-marked-unknown' },
    unit: 'count',
  },
  {
    id: 'cce-eviction-rate',
    file: 'zone-outage-eviction-rate.yaml',
    figure: 'longest gap between two NoExecute taints',
    measure: { trace: 'noexecute-taint-gap-max' },
    unit: 's',
  },
  {
    id: 'cce-small-zone',
    file: 'small-zone-partial-disruption.yaml',
    figure: 'pods evicted from a partially disrupted small zone',
    measure: { trace: 'pods-evicted' },
    unit: 'count',
  },
  {
    id: 'docs-statefulset-stuck',
    file: 'statefulset-shutdown-stuck.yaml',
    figure: 'StatefulSet pods still Terminating at the end',
    measure: { slo: 'one ledger pod stuck Terminating' },
    unit: 'count',
  },
  {
    id: 'etcd-docs-leader-failure',
    file: 'etcd-leader-failure.yaml',
    figure: 'etcd leader stopped to the next etcd leader',
    measure: { trace: 'etcd-leaderless' },
    unit: 's',
  },
  {
    id: '68086-force-detach',
    file: 'volume-force-detach-wait.yaml',
    figure: 'a ReadWriteOnce disk on a dead node: detach wanted to force detach',
    measure: { trace: 'force-detach-wait' },
    unit: 's',
  },
];

export interface RowFigures {
  row: ValidationRow;
  /** One value per seed (null: it never happened in that run). */
  values: Array<number | null>;
  dist: Distribution;
}

/** The scenario files in scenarios/validation/, sorted. */
export function validationFiles(root = process.cwd()): string[] {
  return readdirSync(join(root, VALIDATION_DIR))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

function faultStartMs(events: readonly TraceEvent[]): number {
  const e = events.find((x) => x.type === 'fault.started');
  return e ? e.atMs : 0;
}

/** Computes a trace figure; null when the run has nothing to measure (e.g. no pod was marked). */
export function traceFigure(figure: TraceFigure, events: readonly TraceEvent[]): number | null {
  const from = faultStartMs(events);
  const after = events.filter((e) => e.atMs >= from);
  switch (figure) {
    case 'pod-notready-spread': {
      const marks = after.filter(
        (e) => e.type === 'pod.ready.changed' && !e.ready && e.by === 'node-lifecycle-controller',
      );
      return marks.length === 0 ? null : marks[marks.length - 1].atMs - marks[0].atMs;
    }
    case 'nodes-marked-unknown':
      return after.filter(
        (e) => e.type === 'node.ready.changed' && e.by === 'node-lifecycle-controller' && e.to !== 'True',
      ).length;
    case 'noexecute-taint-gap-max': {
      const taints = after.filter(
        (e) =>
          e.type === 'node.taint.added' &&
          e.effect === 'NoExecute' &&
          (e.key === 'node.kubernetes.io/unreachable' || e.key === 'node.kubernetes.io/not-ready'),
      );
      if (taints.length < 2) return null;
      let gap = 0;
      for (let i = 1; i < taints.length; i++) gap = Math.max(gap, taints[i].atMs - taints[i - 1].atMs);
      return gap;
    }
    case 'pods-evicted':
      return after.filter(
        (e) => e.type === 'pod.deleted' && (e.reason === 'taint-eviction' || e.reason === 'pod-eviction-timeout'),
      ).length;
    case 'force-detach-wait': {
      const waits = after.flatMap((e) =>
        e.type === 'volume.detach.started' && e.reason === 'maxWaitForUnmountDuration' ? [e.waitedMs] : [],
      );
      return waits.length === 0 ? null : Math.max(...waits);
    }
    case 'etcd-leaderless': {
      const next = after.find((e) => e.type === 'etcd.leader.elected');
      return next === undefined || next.type !== 'etcd.leader.elected' ? null : next.leaderlessMs;
    }
    case 'kcm-leader-after-fault': {
      const next = after.find((e) => e.type === 'leader.acquired' && e.component === 'kube-controller-manager');
      return next === undefined ? null : next.atMs - from;
    }
  }
}

function sloFigure(summary: RunSummary, name: string, file: string): number | null {
  const slo = summary.slos.find((s) => s.name === name);
  if (!slo)
    throw new Error(`${file} has no SLO named "${name}" (it has: ${summary.slos.map((s) => s.name).join(', ')})`);
  return slo.measuredMs !== undefined ? slo.measuredMs : (slo.measured ?? null);
}

/** Runs one row's scenario with one seed and returns its figure. */
export function measureRow(row: ValidationRow, seed: number, root = process.cwd()): number | null {
  const text = readFileSync(join(root, VALIDATION_DIR, row.file), 'utf8');
  const parsed = parseScenarioText(text, { file: row.file });
  if (!parsed.ok) throw new Error(`${row.file} does not validate: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const run = runScenario(parsed.scenario, { seed });
  return 'slo' in row.measure
    ? sloFigure(run.summary, row.measure.slo, row.file)
    : traceFigure(row.measure.trace, run.events);
}

/** Every seed 1..seeds of one row. */
export function measureRowOverSeeds(row: ValidationRow, seeds: number, root = process.cwd()): RowFigures {
  const values: Array<number | null> = [];
  for (let seed = 1; seed <= seeds; seed++) values.push(measureRow(row, seed, root));
  return { row, values, dist: distribution(values) };
}

/** A figure as the doc prints it: seconds with one decimal, or a count. */
export function formatFigure(value: number | null, unit: ValidationRow['unit']): string {
  if (value === null) return 'never';
  return unit === 's' ? `${(value / 1000).toFixed(1)} s` : String(value);
}

/** `min / p50 / p90 / max`, plus how many runs had nothing to measure. */
export function formatDistribution(d: Distribution, unit: ValidationRow['unit']): string {
  const text = [d.min, d.p50, d.p90, d.max].map((v) => formatFigure(v, unit)).join(' / ');
  return d.missing > 0 ? `${text} (never in ${d.missing} of ${d.count + d.missing} runs)` : text;
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: string[]): number {
  const seedsText = flagValue(argv, '--seeds') ?? String(DEFAULT_SEEDS);
  const seeds = Number(seedsText);
  if (!Number.isInteger(seeds) || seeds < 1) {
    console.error(`error: --seeds must be a whole number of at least 1 (got "${seedsText}")`);
    return 2;
  }
  const only = flagValue(argv, '--row');
  const rows = only === undefined ? ROWS : ROWS.filter((r) => r.id === only);
  if (rows.length === 0) {
    console.error(`error: no row "${only}" (rows: ${ROWS.map((r) => r.id).join(', ')})`);
    return 2;
  }
  const files = new Set(validationFiles());
  const unused = [...files].filter((f) => !ROWS.some((r) => r.file === f));
  for (const r of rows)
    if (!files.has(r.file)) {
      console.error(`error: row ${r.id} names ${join(VALIDATION_DIR, r.file)}, which does not exist`);
      return 2;
    }
  console.log(`hasim column of docs/validation.md, seeds 1-${seeds} (min / p50 / p90 / max):\n`);
  console.log('| row | scenario | figure | hasim (min / p50 / p90 / max) |');
  console.log('|---|---|---|---|');
  for (const row of rows) {
    const { dist } = measureRowOverSeeds(row, seeds);
    console.log(`| ${row.id} | ${row.file} | ${row.figure} | ${formatDistribution(dist, row.unit)} |`);
  }
  if (unused.length > 0) console.log(`\nNot in any row: ${unused.join(', ')}.`);
  return 0;
}

if (process.argv[1] && /validation\.(js|ts)$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));

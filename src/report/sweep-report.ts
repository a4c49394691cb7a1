// How a sweep reads: the terminal text `hasim sweep` prints and the sweep.md it writes. One block per
// grid point, one line per SLO with its pass rate and the distribution of what was measured, then the
// failing seeds with the command that reproduces each.
import type { Distribution, SweepPointResult, SweepResult, SweepSloStats } from '../trace/sweep.js';
import { ansiPalette, formatDuration } from './format.js';

/** Failing seeds listed per grid point in the text output (sweep.json has them all). */
export const FAILING_SEEDS_SHOWN = 5;

export interface SweepTextOptions {
  color: boolean;
  /** Real time the sweep took, and over how many workers (not part of sweep.json). */
  wallMs: number;
  workers: number;
  outDir?: string;
  /** Set by `hasim sweep merge`: the runs came from this many shards (wallMs is then the merge's). */
  mergedShards?: number;
}

/** A pass rate as a percentage, rounded down so that 99.96% never shows as 100%. */
export function formatPassRate(rate: number): string {
  const tenths = Math.floor(rate * 1000 + 1e-9);
  return tenths % 10 === 0 ? `${tenths / 10}%` : `${(tenths / 10).toFixed(1)}%`;
}

function formatValue(v: number | null, unit: 'ms' | 'count'): string {
  if (v === null) return '—';
  if (unit === 'ms') return formatDuration(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function formatBound(slo: Pick<SweepSloStats, 'type' | 'bound' | 'unit'>): string {
  if (slo.bound === null) return '—';
  return (
    (slo.type === 'min-available' || slo.type === 'request-success-rate' ? '≥ ' : '≤ ') +
    formatValue(slo.bound, slo.unit)
  );
}

/** "p50 6m12s p99 6m31s max 6m40s": the figures an SRE reads a recovery distribution by. */
function formatSpread(d: Distribution, unit: 'ms' | 'count'): string {
  if (d.count === 0) return 'never measured';
  const parts = [
    `p50 ${formatValue(d.p50, unit)}`,
    `p99 ${formatValue(d.p99, unit)}`,
    `max ${formatValue(d.max, unit)}`,
  ];
  return parts.join(' ');
}

export function pointTitle(p: Pick<SweepPointResult, 'settings'>): string {
  return p.settings.length ? p.settings.map((s) => `${s.path}=${s.value}`).join('  ') : 'all runs';
}

function seedRange(r: SweepResult): string {
  const { first, count } = r.seeds;
  return count === 1 ? `seed ${first}` : `seeds ${first}..${first + count - 1}`;
}

/**
 * A grid point named by the last segment of each swept path when that is unambiguous
 * (`nodeMonitorGracePeriod=20s` rather than `spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s`).
 */
export function shortTitle(r: Pick<SweepResult, 'grid'>, p: Pick<SweepPointResult, 'settings'>): string {
  if (p.settings.length === 0) return 'all runs';
  const last = (path: string) => path.slice(path.lastIndexOf('.') + 1);
  const lasts = r.grid.map((a) => last(a.path));
  const unique = new Set(lasts).size === lasts.length;
  return p.settings.map((s) => `${unique ? last(s.path) : s.path}=${s.value}`).join(' ');
}

/** What the tail figures mean, for the header of a comparison. */
const TAIL_NOTE =
  'p50/p90/p99: the value that half, 90% and 99% of the runs did at least as well as; worst: the worst run. For min-available (more is better) that is the low tail.';

interface ComparisonRow {
  slo: SweepSloStats;
  point: SweepPointResult;
  pointIndex: number;
  ok: boolean;
}

/** Every SLO at every grid point, SLO by SLO, so the grid points of one SLO sit under each other. */
function comparisonRows(r: SweepResult): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const names = r.points[0]?.slos.map((s) => s.name) ?? [];
  names.forEach((_, k) => {
    r.points.forEach((point, pointIndex) => {
      const slo = point.slos[k];
      if (slo) rows.push({ slo, point, pointIndex, ok: slo.passRate >= r.minPassRate });
    });
  });
  return rows;
}

function tailCells(s: SweepSloStats): string[] {
  const v = (x: number | null) => formatValue(x, s.unit);
  return [v(s.tail.p50), v(s.tail.p90), v(s.tail.p99), v(s.tail.worst)];
}

/** `p50 36.4s, p90 37.9s, p99 38.3s, worst 38.3s (bound ≤ 1m30s); 3 never dropped`: one SLO at one grid point in words. */
export function sloFigures(s: SweepSloStats): string {
  const [p50, p90, p99, worst] = tailCells(s);
  const apart = apartText(s);
  return `p50 ${p50}, p90 ${p90}, p99 ${p99}, worst ${worst} (bound ${formatBound(s)})${apart ? `; ${apart}` : ''}`;
}

/** Runs left out of the figures: unaffected (never dropped) and those that measured nothing. */
function apartText(s: SweepSloStats): string {
  const parts: string[] = [];
  if (s.unaffectedRuns) parts.push(`${s.unaffectedRuns} never dropped`);
  if (s.measured.missing)
    parts.push(`${s.measured.missing} never ${s.type === 'recovery-time' ? 'recovered' : 'measured'}`);
  return parts.join(', ');
}

/** The comparison table of the terminal: one row per SLO and grid point, columns aligned. */
function comparisonTable(r: SweepResult, color: boolean): string[] {
  const { bold, dim, green, red } = ansiPalette(color);
  const multi = r.points.length > 1;
  const rows = comparisonRows(r);
  if (rows.length === 0) return [dim('no SLOs in this scenario')];
  const head = ['', 'held', 'p50', 'p90', 'p99', 'worst', 'bound', ''];
  const lines: { heading?: string; cells?: string[]; ok?: boolean }[] = [];
  let lastSlo = -1;
  for (const row of rows) {
    const k = row.point.slos.indexOf(row.slo);
    if (multi && k !== lastSlo) lines.push({ heading: `${row.slo.type} ${row.slo.name}` });
    lastSlo = k;
    const label = multi ? `  ${shortTitle(r, row.point)}` : `${row.slo.type} ${row.slo.name}`;
    const held = `${formatPassRate(row.slo.passRate)}${row.slo.passed < row.slo.runs ? ` (${row.slo.passed}/${row.slo.runs})` : ''}`;
    lines.push({
      cells: [label, held, ...tailCells(row.slo), formatBound(row.slo), apartText(row.slo)],
      ok: row.ok,
    });
  }
  const all = [head, ...lines.flatMap((l) => (l.cells ? [l.cells] : []))];
  const widths = head.map((_, c) => Math.max(...all.map((cells) => cells[c].length)));
  const pad = (cells: string[]) =>
    cells.map((x, c) => (c === 0 || c === cells.length - 1 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  const out = [`  ${bold(pad(head).trimEnd())}`];
  for (const l of lines) {
    if (l.heading) out.push(`  ${bold(l.heading)}`);
    else {
      const text = pad(l.cells!).trimEnd();
      out.push(`${l.ok ? green('✔') : red('✘')} ${l.ok ? text : red(text)}`);
    }
  }
  out.push(dim(`  ${TAIL_NOTE}`));
  return out;
}

export function renderSweepText(r: SweepResult, opts: SweepTextOptions): string {
  const { bold, dim, green, red } = ansiPalette(opts.color);
  const out: string[] = [];
  const pts = r.points.length;
  out.push(
    `${bold('hasim sweep')} ${bold(r.scenario)}  ${seedRange(r)}${pts > 1 ? ` × ${pts} grid points` : ''} = ${r.runs} runs`,
  );

  out.push('', ...comparisonTable(r, opts.color));
  r.points.forEach((p, i) => {
    const title = '  ';
    out.push('');
    if (pts > 1) out.push(bold(`[${i + 1}/${pts}] ${shortTitle(r, p)}`));
    for (const w of p.workloads) {
      if (w.startingRuns)
        out.push(
          `${title}${dim('workload')} ${w.workload}: still starting when the first fault hit in ${w.startingRuns}/${p.runs} runs (left out below: hasim starts every cluster empty; start the faults later)`,
        );
      if (w.startingRuns === p.runs) continue;
      if (w.droppedRuns === 0) {
        out.push(`${title}${dim('workload')} ${w.workload}: never below ${w.desired} Ready`);
        continue;
      }
      const back =
        w.recoveredRuns > 0
          ? `back after ${formatSpread(w.recoveryMs, 'ms')} from the first fault${w.recoveredRuns < w.droppedRuns ? `; ${w.droppedRuns - w.recoveredRuns} runs never back` : ''}`
          : 'never back';
      out.push(
        `${title}${dim('workload')} ${w.workload}: below ${w.desired} Ready in ${w.droppedRuns}/${p.runs} runs (lowest ${w.minReady.min}), ${back}`,
      );
    }
    if (p.failedRuns.length) {
      out.push(`  ${red(`${p.failedRuns.length} of ${p.runs} runs failed an SLO`)}; reproduce:`);
      for (const f of p.failedRuns.slice(0, FAILING_SEEDS_SHOWN))
        out.push(`    ${f.reproduce}  ${dim(`# ${f.failed.join(', ')}`)}`);
      if (p.failedRuns.length > FAILING_SEEDS_SHOWN)
        out.push(dim(`    … ${p.failedRuns.length - FAILING_SEEDS_SHOWN} more in sweep.json`));
    }
  });

  out.push('');
  out.push(
    opts.mergedShards !== undefined
      ? `${r.runs} runs from ${opts.mergedShards} shard${opts.mergedShards === 1 ? '' : 's'}, merged in ${formatDuration(opts.wallMs)}`
      : `${r.runs} runs in ${formatDuration(opts.wallMs)} wall (${opts.workers} worker${opts.workers === 1 ? '' : 's'})`,
  );
  const below = r.points.flatMap((p, i) => p.slos.filter((s) => s.passRate < r.minPassRate).map((s) => ({ p, i, s })));
  if (below.length) {
    out.push(
      bold(
        red(
          `${below.length} SLO pass rate${below.length === 1 ? '' : 's'} below ${formatPassRate(r.minPassRate)} (--min-pass-rate ${r.minPassRate}):`,
        ),
      ),
    );
    for (const { p, i, s } of below) {
      out.push(`  ${s.name}: ${formatPassRate(s.passRate)}${pts > 1 ? ` at [${i + 1}/${pts}] ${pointTitle(p)}` : ''}`);
    }
  } else {
    out.push(
      green(
        r.minPassRate >= 1
          ? 'Every SLO held in every run.'
          : `Every SLO held in at least ${formatPassRate(r.minPassRate)} of the runs of each grid point.`,
      ),
    );
  }
  if (opts.outDir) out.push(`Report: ${opts.outDir.replace(/\/$/, '')}/sweep.md`);
  return out.join('\n') + '\n';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderSweepMarkdown(r: SweepResult): string {
  const out: string[] = [];
  out.push(`# Sweep: ${r.scenario}`, '');
  out.push(
    `\`${r.file}\`, ${seedRange(r)}, ${r.points.length} grid point${r.points.length === 1 ? '' : 's'}, ${r.runs} runs; ` +
      `minimum pass rate ${formatPassRate(r.minPassRate)}: **${r.passed ? 'met' : 'not met'}**.`,
  );
  if (r.sets.length) out.push('', `Every run: ${r.sets.map((s) => `\`--set ${cell(s)}\``).join(' ')}`);
  const rows = comparisonRows(r);
  if (rows.length) {
    out.push('', '## SLOs', '', TAIL_NOTE, '');
    out.push('| SLO | type | grid point | bound | pass rate | p50 | p90 | p99 | worst | mean | left out |');
    out.push('|---|---|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const { slo: s, point, ok } of rows) {
      const mean = formatValue(s.measured.mean, s.unit);
      out.push(
        `| ${cell(s.name)} | ${s.type} | ${cell(shortTitle(r, point))} | ${formatBound(s)} | ${formatPassRate(s.passRate)} (${s.passed}/${s.runs})${ok ? '' : ' ✘'} | ${tailCells(s).join(' | ')} | ${mean} | ${apartText(s) || '—'} |`,
      );
    }
  }
  for (const p of r.points) {
    out.push(
      '',
      `## ${p.settings.length ? p.settings.map((s) => `\`${cell(`${s.path}=${s.value}`)}\``).join(' ') : 'All runs'}`,
      '',
    );
    out.push(`${p.passedRuns} of ${p.runs} runs held every SLO.`, '');
    if (p.workloads.length) {
      out.push('| workload | desired | lowest Ready | runs below desired | back | recovery p50 | p90 | p99 | max |');
      out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const w of p.workloads) {
        const d = w.recoveryMs;
        const v = (x: number | null) => formatValue(x, 'ms');
        out.push(
          `| ${cell(w.workload)} | ${w.desired} | ${w.minReady.min ?? '—'} | ${w.droppedRuns} | ${w.recoveredRuns} | ${v(d.p50)} | ${v(d.p90)} | ${v(d.p99)} | ${v(d.max)} |`,
        );
      }
      for (const w of p.workloads.filter((x) => x.startingRuns))
        out.push(
          '',
          `${cell(w.workload)} was still starting when the first fault hit in ${w.startingRuns} of ${p.runs} runs: those runs measure its start-up, not an outage, and are left out of its row (hasim starts every cluster empty; start the faults later).`,
        );
      out.push(
        '',
        'Recovery is measured from the start of the first fault to the moment the workload is back to desired Ready pods.',
        '',
      );
    }
    if (p.failedRuns.length) {
      out.push('Failing seeds:', '');
      for (const f of p.failedRuns) out.push(`- seed ${f.seed} (${cell(f.failed.join(', '))}): \`${f.reproduce}\``);
    }
  }
  out.push(
    '',
    `<sub>Made by hasim ${r.hasimVersion}. A seed replays the same run with the same version of hasim.</sub>`,
  );
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

// How a sweep reads: the terminal text `hasim sweep` prints and the sweep.md it writes. One block per
// grid point, one line per SLO with its pass rate and the distribution of what was measured, then the
// failing seeds with the command that reproduces each.
import type { Distribution, SweepPointResult, SweepResult, SweepSloStats } from '../runner/sweep.js';
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
  return (slo.type === 'min-available' ? '≥ ' : '') + formatValue(slo.bound, slo.unit);
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

export function renderSweepText(r: SweepResult, opts: SweepTextOptions): string {
  const { bold, dim, green, red } = ansiPalette(opts.color);
  const out: string[] = [];
  const pts = r.points.length;
  out.push(
    `${bold('hasim sweep')} ${bold(r.scenario)}  ${seedRange(r)}${pts > 1 ? ` × ${pts} grid points` : ''} = ${r.runs} runs`,
  );

  r.points.forEach((p, i) => {
    out.push('');
    out.push(bold(pts > 1 ? `[${i + 1}/${pts}] ${pointTitle(p)}` : pointTitle(p)));
    if (p.slos.length === 0) out.push(dim('  no SLOs in this scenario'));
    for (const s of p.slos) {
      const ok = s.passRate >= r.minPassRate;
      const held = `${formatPassRate(s.passRate)} held${s.passed < s.runs ? ` (${s.passed}/${s.runs})` : ''}`;
      const missing = s.measured.missing ? `, ${s.measured.missing} never` : '';
      out.push(
        `  ${ok ? green('✔') : red('✘')} ${dim(s.type)} ${s.name}: ${ok ? held : red(held)}, ${formatSpread(s.measured, s.unit)}${missing} ${dim(`(bound ${formatBound(s)})`)}`,
      );
    }
    for (const w of p.workloads) {
      if (w.droppedRuns === 0) {
        out.push(`  ${dim('workload')} ${w.workload}: never below ${w.desired} Ready`);
        continue;
      }
      const back =
        w.recoveredRuns > 0
          ? `back after ${formatSpread(w.recoveryMs, 'ms')} from the first fault${w.recoveredRuns < w.droppedRuns ? `; ${w.droppedRuns - w.recoveredRuns} runs never back` : ''}`
          : 'never back';
      out.push(
        `  ${dim('workload')} ${w.workload}: below ${w.desired} Ready in ${w.droppedRuns}/${p.runs} runs (lowest ${w.minReady.min}), ${back}`,
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
  for (const p of r.points) {
    out.push(
      '',
      `## ${p.settings.length ? p.settings.map((s) => `\`${cell(`${s.path}=${s.value}`)}\``).join(' ') : 'All runs'}`,
      '',
    );
    out.push(`${p.passedRuns} of ${p.runs} runs held every SLO.`, '');
    if (p.slos.length) {
      out.push('| SLO | type | bound | pass rate | min | p50 | p90 | p99 | max | mean | never |');
      out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const s of p.slos) {
        const d = s.measured;
        const v = (x: number | null) => formatValue(x, s.unit);
        const mark = s.passRate >= r.minPassRate ? '' : ' ✘';
        out.push(
          `| ${cell(s.name)} | ${s.type} | ${formatBound(s)} | ${formatPassRate(s.passRate)} (${s.passed}/${s.runs})${mark} | ${v(d.min)} | ${v(d.p50)} | ${v(d.p90)} | ${v(d.p99)} | ${v(d.max)} | ${v(d.mean)} | ${d.missing} |`,
        );
      }
      out.push('');
    }
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

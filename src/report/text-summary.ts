// The terminal summary `hasim run` prints: what ran, which SLOs held, the key moments, why the failing
// ones failed, where the report is and how to reproduce. Colour only when asked (a TTY, no NO_COLOR).
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { ansiPalette, formatBound, formatClock, formatDuration, formatMeasured } from './format.js';
import { describeEvent } from './html-report.js';
import { causesOf, causeLines } from './causes.js';
import { chainLine, chainNotes, faultChains } from './fault-chains.js';
import { milestones } from './milestones.js';

export const TEXT_MILESTONES_MAX = 12;
/** Fault chains shown in the terminal; the rest are in the report. */
export const TEXT_CHAINS_MAX = 4;

export interface TextSummaryOptions {
  color: boolean;
  reportDir?: string;
  events?: readonly TraceEvent[];
  /** Width of the terminal: SLO names are cut to fit it. Without it (not a terminal) they are never cut. */
  columns?: number;
}

/**
 * What to keep when there are more milestones than lines: faults and workload drops and recoveries
 * first, then evictions and taints, then nodes, then zone states and leader changes; shown in time order.
 */
const MILESTONE_PRIORITY: Record<string, number> = {
  fault: 0,
  workload: 0,
  eviction: 1,
  taint: 1,
  node: 2,
  zone: 3,
  leader: 3,
};

function pickMilestones<T extends { atMs: number; kind: string }>(log: readonly T[], max: number): T[] {
  if (log.length <= max) return [...log];
  const ranked = log
    .map((m, i) => ({ m, i }))
    .sort((a, b) => MILESTONE_PRIORITY[a.m.kind] - MILESTONE_PRIORITY[b.m.kind] || a.i - b.i);
  return ranked
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.m);
}

export function renderTextSummary(summary: RunSummary, opts: TextSummaryOptions): string {
  const { bold, dim, green, red } = ansiPalette(opts.color);
  const out: string[] = [];

  out.push(
    `${bold('hasim')} ${bold(summary.scenario)}  seed ${summary.seed}  k8s ${summary.kubernetesVersion}  ${formatDuration(summary.durationMs)} simulated  ${summary.stats.events.toLocaleString('en-US')} events  ${formatDuration(summary.stats.wallMs)} wall`,
  );
  out.push('');
  if (summary.slos.length === 0) out.push(dim('  no SLOs in this scenario'));
  const typeW = Math.max(...summary.slos.map((s) => s.type.length), 4);
  const measW = Math.max(...summary.slos.map((s) => formatMeasured(s).length), 1);
  const boundW = Math.max(...summary.slos.map((s) => formatBound(s).length), 1);
  const longest = Math.max(...summary.slos.map((s) => s.name.length), 3);
  // "  ✔ PASS  " + name + 2 + type + 2 + measured + 2 + bound
  const room = opts.columns === undefined ? longest : opts.columns - (10 + 2 + typeW + 2 + measW + 2 + boundW);
  const nameW = Math.min(longest, Math.max(20, room));
  for (const s of summary.slos) {
    const mark = s.passed ? green('✔ PASS') : red('✘ FAIL');
    const name = s.name.length > nameW ? s.name.slice(0, nameW - 1) + '…' : s.name.padEnd(nameW);
    out.push(
      `  ${mark}  ${name}  ${dim(s.type.padEnd(typeW))}  ${formatMeasured(s).padStart(measW)}  ${dim(formatBound(s).padEnd(boundW))}`,
    );
  }

  if (opts.events) {
    // Elections at start-up are not news once a fault has happened: start the story at the first fault.
    const all = milestones(opts.events);
    const firstFault = all.find((m) => m.kind === 'fault');
    const log = firstFault ? all.filter((m) => m.atMs >= firstFault.atMs) : all;
    if (log.length) {
      out.push('', bold('Milestones'));
      const shown = log.length > TEXT_MILESTONES_MAX ? pickMilestones(log, TEXT_MILESTONES_MAX - 1) : log;
      for (const m of shown) out.push(`  ${dim(formatClock(m.atMs))} ${m.text}`);
      if (shown.length < log.length) out.push(dim(`  … ${log.length - shown.length} more in the report`));
    }
  }

  if (opts.events) {
    const chains = faultChains(opts.events).filter((c) => c.steps.length > 1);
    if (chains.length) {
      out.push('', bold('Faults, from hit to Ready'));
      for (const c of chains.slice(0, TEXT_CHAINS_MAX)) {
        out.push(`  ${chainLine(c)}`);
        for (const n of chainNotes(c)) out.push(dim(`    ${n}`));
      }
      if (chains.length > TEXT_CHAINS_MAX) out.push(dim(`  … ${chains.length - TEXT_CHAINS_MAX} more in the report`));
    }
  }

  const failed = summary.slos.filter((s) => !s.passed);
  if (failed.length) {
    out.push('', bold(red(`${failed.length} of ${summary.slos.length} SLOs failed`)));
    for (const s of failed) {
      out.push(`  ${red('✘')} ${bold(s.name)}: ${s.message}`);
      out.push(`    measured ${formatMeasured(s)}, bound ${formatBound(s)}`);
      if (s.violatedAtMs !== undefined) {
        out.push(
          `    broken at ${formatClock(s.violatedAtMs)}${s.violatedBy ? ` by ${describeEvent(s.violatedBy)}` : ''}`,
        );
      }
      const causes = opts.events ? causesOf(s, summary, opts.events) : undefined;
      if (causes) for (const line of causeLines(causes, 3)) out.push(`    ${line}`);
    }
  } else if (summary.slos.length) {
    out.push('', green(`All ${summary.slos.length} SLOs held.`));
  }
  if (opts.reportDir) out.push('', `Report: ${opts.reportDir.replace(/\/$/, '')}/report.html`);
  if (!summary.passed) out.push(`Reproduce: ${bold(summary.reproduce)}`);
  return out.join('\n') + '\n';
}

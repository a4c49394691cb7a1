// The terminal summary `hasim run` prints: what ran, which SLOs held, the key moments, why the failing
// ones failed, where the report is and how to reproduce. Colour only when asked (a TTY, no NO_COLOR).
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { ansiPalette, formatBound, formatClock, formatDuration, formatMeasured } from './format.js';
import { describeEvent } from './html-report.js';
import { causesOf, causeLines } from './causes.js';
import { chainLine, chainNotes, faultChains } from './fault-chains.js';
import { milestones, type MilestoneKind } from './milestones.js';
import { startupNoteLines, startupNotes } from './startup-notes.js';

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
const MILESTONE_PRIORITY: Record<MilestoneKind, number> = {
  fault: 0,
  workload: 0,
  autoscaler: 0,
  service: 0,
  drain: 1,
  volume: 1,
  eviction: 1,
  taint: 1,
  node: 2,
  zone: 3,
  leader: 3,
};

/**
 * The `max` milestones the terminal shows, in time order: by priority, each kind's later lines losing a
 * step per line before them (a zone outage's twentieth taint must not push out the first node
 * detection or the Service's recovery), then by time.
 */
function pickMilestones<T extends { atMs: number; kind: MilestoneKind }>(log: readonly T[], max: number): T[] {
  if (log.length <= max) return [...log];
  const seen = new Map<MilestoneKind, number>();
  const ranked = log.map((m, i) => {
    const n = seen.get(m.kind) ?? 0;
    seen.set(m.kind, n + 1);
    return { m, i, rank: MILESTONE_PRIORITY[m.kind] + n };
  });
  ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
  return ranked
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.m);
}

/** The terminal summary stays under this many lines whatever the size of the run. */
export const TEXT_LINES_MAX = 40;
/** SLO table rows before the rest are summed up (failed ones first). */
export const TEXT_SLO_ROWS_MAX = 10;
/** Failed SLOs explained in full; the others get one line each, up to TEXT_FAILED_LISTED. */
export const TEXT_FAILED_EXPLAINED = 2;
export const TEXT_FAILED_LISTED = 5;

type Palette = ReturnType<typeof ansiPalette>;

export function renderTextSummary(summary: RunSummary, opts: TextSummaryOptions): string {
  const p = ansiPalette(opts.color);
  const { bold, green } = p;
  const head = [
    `${bold('hasim')} ${bold(summary.scenario)}  seed ${summary.seed}  k8s ${summary.kubernetesVersion}  ${formatDuration(summary.durationMs)} simulated  ${summary.stats.events.toLocaleString('en-US')} events  ${formatDuration(summary.stats.wallMs)} wall`,
    '',
    ...sloTable(summary, opts, p),
  ];
  const foot: string[] = [];
  const notes = startupNoteLines(startupNotes(summary), 2);
  if (notes.length) foot.push('', ...notes.map((l, i) => (i === 0 ? `${p.yellow('Note:')} ${l}` : `  ${p.dim(l)}`)));
  if (opts.reportDir) foot.push('', `Report: ${opts.reportDir.replace(/\/$/, '')}/report.html`);
  if (!summary.passed) foot.push(`Reproduce: ${bold(summary.reproduce)}`);
  // From the richest to the leanest: the first that leaves room for a few milestones wins.
  let chains: string[] = [];
  let failures: string[] = [];
  for (const level of DETAIL_LEVELS) {
    chains = opts.events ? chainSection(opts.events, level.chains, p) : [];
    failures = failureSection(summary, opts, level, p);
    if (head.length + chains.length + failures.length + foot.length + 6 < TEXT_LINES_MAX) break;
  }
  if (!failures.length && summary.slos.length) failures.push('', green(`All ${summary.slos.length} SLOs held.`));
  // The milestones get the lines the rest leaves, between 3 and TEXT_MILESTONES_MAX.
  const left = TEXT_LINES_MAX - 1 - head.length - chains.length - failures.length - foot.length - 3;
  const budget = Math.max(3, Math.min(TEXT_MILESTONES_MAX, left));
  const story = opts.events ? milestoneSection(opts.events, budget, p) : [];
  return [...head, ...story, ...chains, ...failures, ...foot].join('\n') + '\n';
}

/** How much of the chains and failures to show: fault chains, failed SLOs explained and listed, cause lines each. */
interface DetailLevel {
  chains: number;
  explained: number;
  listed: number;
  groups: number;
}
const DETAIL_LEVELS: DetailLevel[] = [
  { chains: TEXT_CHAINS_MAX, explained: TEXT_FAILED_EXPLAINED, listed: TEXT_FAILED_LISTED, groups: 3 },
  { chains: 3, explained: 1, listed: 4, groups: 3 },
  { chains: 2, explained: 1, listed: 3, groups: 2 },
  { chains: 1, explained: 1, listed: 2, groups: 1 },
  { chains: 1, explained: 0, listed: 2, groups: 0 },
];

/** One row per SLO, failed ones first when they do not all fit. */
function sloTable(summary: RunSummary, opts: TextSummaryOptions, { dim, green, red }: Palette): string[] {
  if (summary.slos.length === 0) return [dim('  no SLOs in this scenario')];
  const typeW = Math.max(...summary.slos.map((s) => s.type.length), 4);
  const measW = Math.max(...summary.slos.map((s) => formatMeasured(s).length), 1);
  const boundW = Math.max(...summary.slos.map((s) => formatBound(s).length), 1);
  const longest = Math.max(...summary.slos.map((s) => s.name.length), 3);
  // "  ✔ PASS  " + name + 2 + type + 2 + measured + 2 + bound
  const room = opts.columns === undefined ? longest : opts.columns - (10 + 2 + typeW + 2 + measW + 2 + boundW);
  const nameW = Math.min(longest, Math.max(20, room));
  let shown = summary.slos;
  if (shown.length > TEXT_SLO_ROWS_MAX) {
    const keep = new Set([...summary.slos.filter((s) => !s.passed), ...summary.slos].slice(0, TEXT_SLO_ROWS_MAX - 1));
    shown = summary.slos.filter((s) => keep.has(s));
  }
  const out = shown.map((s) => {
    const mark = s.passed ? green('✔ PASS') : red('✘ FAIL');
    const name = s.name.length > nameW ? s.name.slice(0, nameW - 1) + '…' : s.name.padEnd(nameW);
    return `  ${mark}  ${name}  ${dim(s.type.padEnd(typeW))}  ${formatMeasured(s).padStart(measW)}  ${dim(formatBound(s).padEnd(boundW))}`;
  });
  if (shown.length < summary.slos.length) {
    const rest = summary.slos.filter((s) => !shown.includes(s));
    const failed = rest.filter((s) => !s.passed).length;
    out.push(dim(`  … ${rest.length} more SLOs (${failed ? `${failed} failed` : 'all held'}) in the report`));
  }
  return out;
}

function milestoneSection(events: readonly TraceEvent[], max: number, { bold, dim }: Palette): string[] {
  // Elections at start-up are not news once a fault has happened: start the story at the first fault.
  const all = milestones(events);
  const firstFault = all.find((m) => m.kind === 'fault');
  const log = firstFault ? all.filter((m) => m.atMs >= firstFault.atMs) : all;
  if (!log.length) return [];
  const out = ['', bold('Milestones')];
  const shown = log.length > max ? pickMilestones(log, max - 1) : log;
  for (const m of shown) out.push(`  ${dim(formatClock(m.atMs))} ${m.text}`);
  if (shown.length < log.length) out.push(dim(`  … ${log.length - shown.length} more in the report`));
  return out;
}

function chainSection(events: readonly TraceEvent[], max: number, { bold, dim }: Palette): string[] {
  const chains = faultChains(events).filter((c) => c.steps.length > 1);
  if (!chains.length) return [];
  const out = ['', bold('Faults, from hit to Ready')];
  for (const c of chains.slice(0, max)) {
    out.push(`  ${chainLine(c)}`);
    for (const n of chainNotes(c)) out.push(dim(`    ${n}`));
  }
  if (chains.length > max) out.push(dim(`  … ${chains.length - max} more in the report`));
  return out;
}

/** The failed SLOs: the first ones explained (what broke, when, why), the next ones a line each. */
function failureSection(
  summary: RunSummary,
  opts: TextSummaryOptions,
  level: DetailLevel,
  { bold, dim, red }: Palette,
): string[] {
  const failed = summary.slos.filter((s) => !s.passed);
  if (!failed.length) return [];
  const out = ['', bold(red(`${failed.length} of ${summary.slos.length} SLOs failed`))];
  failed.slice(0, level.listed).forEach((s, i) => {
    out.push(`  ${red('✘')} ${bold(s.name)}: ${s.message}`);
    if (i >= level.explained) return;
    out.push(`    measured ${formatMeasured(s)}, bound ${formatBound(s)}`);
    if (s.violatedAtMs !== undefined)
      out.push(
        `    broken at ${formatClock(s.violatedAtMs)}${s.violatedBy ? ` by ${describeEvent(s.violatedBy)}` : ''}`,
      );
    const causes = opts.events ? causesOf(s, summary, opts.events) : undefined;
    if (causes) for (const line of causeLines(causes, 3)) out.push(`    ${line}`);
  });
  if (failed.length > TEXT_FAILED_LISTED)
    out.push(dim(`  … ${failed.length - TEXT_FAILED_LISTED} more failed SLOs in the report`));
  return out;
}

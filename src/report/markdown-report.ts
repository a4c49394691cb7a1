// report.md, written for $GITHUB_STEP_SUMMARY: verdict, SLO table, faults and the first milestones.
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { formatBound, formatClock, formatDuration, formatMeasured, madeBy } from './format.js';
import { describeEvent, targetsText } from './html-report.js';
import { causesOf, causeLines } from './causes.js';
import { chainNotes, faultChains, stepText } from './fault-chains.js';
import { milestones } from './milestones.js';
import { startupNoteLines, startupNotes } from './startup-notes.js';

export const MARKDOWN_MILESTONES_MAX = 40;

/** Text in a code span: no pipes or line breaks, and no raw HTML (GitHub renders it). */
function codeCell(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

/**
 * Markdown text and table cells: as codeCell, and no links or images from the scenario's text
 * (a description's `![x](https://...)` would load a remote image in every CI summary that shows
 * it): backslashes and square brackets are escaped, so they show as written.
 */
function cell(s: unknown): string {
  return codeCell(String(s).replace(/[\\[\]]/g, (c) => `\\${c}`));
}

/** The SLO table: one row per SLO, with where a failed one broke. */
function sloTableMarkdown(summary: RunSummary): string[] {
  const out: string[] = [];
  out.push('| | SLO | type | measured | bound | what happened |');
  out.push('|---|---|---|---|---|---|');
  for (const s of summary.slos) {
    const broke =
      !s.passed && s.violatedAtMs !== undefined
        ? ` (broken at ${formatClock(s.violatedAtMs)}${s.violatedBy ? ` by \`${codeCell(describeEvent(s.violatedBy)).replace(/`/g, "'")}\`` : ''})`
        : '';
    out.push(
      `| ${s.passed ? '✅' : '❌'} | ${cell(s.name)} | \`${s.type}\` | ${cell(formatMeasured(s))} | ${cell(formatBound(s))} | ${cell(s.message)}${broke} |`,
    );
  }
  if (summary.slos.length === 0) out.push('| | no SLOs | | | | |');
  return out;
}

export function renderMarkdownReport(summary: RunSummary, events: readonly TraceEvent[]): string {
  const failed = summary.slos.filter((s) => !s.passed);
  const out: string[] = [];
  out.push(
    `## ${summary.passed ? '✅' : '❌'} hasim: ${cell(summary.scenario)} — ${summary.passed ? `all ${summary.slos.length} SLOs held` : `${failed.length} of ${summary.slos.length} SLOs failed`}`,
  );
  out.push('');
  if (summary.description) out.push(`${cell(summary.description)}`, '');
  out.push(
    `seed ${summary.seed} · Kubernetes ${cell(summary.kubernetesVersion)} · ${formatDuration(summary.durationMs)} simulated · ${summary.stats.events} events · ${formatDuration(summary.stats.wallMs)} wall time`,
  );
  out.push('');
  const notes = startupNoteLines(startupNotes(summary), 5);
  if (notes.length) out.push(`> **Note:** ${notes.map(cell).join(' ')}`, '');
  out.push(...sloTableMarkdown(summary));
  out.push('');
  const explained = summary.slos.flatMap((s) => {
    const c = causesOf(s, summary, events);
    return c ? [{ s, c }] : [];
  });
  if (explained.length) {
    out.push('### Why', '');
    for (const { s, c } of explained) {
      const [head, ...items] = causeLines(c, 8);
      out.push(`**${cell(s.name)}**: ${cell(head)}`, '');
      for (const l of items) out.push(`- ${cell(l.replace(/^- /, ''))}`);
      out.push('');
    }
  }
  if (summary.faults.length) {
    out.push('### Faults', '');
    for (const f of summary.faults) {
      out.push(
        `- **${cell(f.name)}** (\`${cell(f.type)}\`) ${formatClock(f.startMs)} → ${f.endMs === null ? 'end of run' : formatClock(f.endMs)}: ${cell(targetsText(f.targets))}`,
      );
    }
    out.push('');
  }
  const chains = faultChains(events).filter((c) => c.steps.length > 1);
  if (chains.length) {
    out.push('### From hit to Ready, per fault', '');
    for (const c of chains) {
      out.push(`- **${cell(c.fault)}**: ${c.steps.map((s) => cell(stepText(c, s))).join(' → ')}`);
      for (const n of chainNotes(c)) out.push(`  - ${cell(n)}`);
    }
    out.push('');
  }
  const log = milestones(events);
  if (log.length) {
    out.push('### Milestones', '', '```');
    for (const m of log.slice(0, MARKDOWN_MILESTONES_MAX))
      out.push(`${formatClock(m.atMs)} ${m.text.replace(/`/g, "'")}`);
    if (log.length > MARKDOWN_MILESTONES_MAX)
      out.push(`… ${log.length - MARKDOWN_MILESTONES_MAX} more (see report.html)`);
    out.push('```', '');
  }
  if (!summary.passed) out.push('Reproduce:', '', '```sh', summary.reproduce, '```', '');
  out.push(`<sub>${cell(madeBy(summary))}</sub>`, '');
  return out.join('\n');
}

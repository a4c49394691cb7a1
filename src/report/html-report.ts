// report.html: one self-contained file (inline CSS, the timeline SVG inline, no network) that an SRE
// can attach to an incident review. Every string that came from the scenario is escaped.
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { escapeXml as esc, formatBound, formatClock, formatDuration, formatMeasured, madeBy } from './format.js';
import { causesOf, causeLines, type SloCauses } from './causes.js';
import { faultChains, stepText, type FaultChain } from './fault-chains.js';
import { INTERACTIVE_CSS, INTERACTIVE_JS } from './html-interactive.js';
import { milestones } from './milestones.js';
import { podTableHtml } from './pod-table.js';
import { renderTimelineSvg } from './timeline-svg.js';
import { lowestReadyText, startupNoteLines, startupNotes } from './startup-notes.js';

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2933; background: #f5f7fa; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.desc { color: #3e4c59; margin: 0 0 8px; }
.meta { color: #616e7c; font-size: 13px; }
.banner { margin: 16px 0; padding: 12px 16px; border-radius: 8px; font-weight: 600; font-size: 16px; }
.banner.pass { background: #e3f9e5; color: #1f6f3a; border: 1px solid #a3d9a5; }
.banner.fail { background: #ffe3e3; color: #9b1c1c; border: 1px solid #f5a3a3; }
.note { margin: 0 0 16px; padding: 10px 16px; border-radius: 8px; background: #fffbea; color: #513c06; border: 1px solid #f7d070; }
.note p { margin: 0 0 4px; }
.note p:last-child { margin: 0; }
.card { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 12px; overflow-x: auto; }
.timeline svg { display: block; width: 100%; min-width: 1100px; height: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; color: #3e4c59; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.pass-cell { color: #1f6f3a; font-weight: 600; white-space: nowrap; }
.fail-cell { color: #9b1c1c; font-weight: 600; white-space: nowrap; }
tr.failed td { background: #fff5f5; }
tr.passed td:first-child, tr.failed td:first-child { min-width: 150px; }
code, .log { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.log { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 10px 14px; margin: 0; white-space: pre-wrap; }
.log .t { color: #616e7c; }
.log .fault { color: #5b3cc4; font-weight: 600; }
.log .workload { color: #1f6f3a; font-weight: 600; }
.log .leader { color: #1d4ed8; }
.small { color: #616e7c; font-size: 12px; }
.causes { margin: 6px 0 0; padding-left: 18px; font-size: 12.5px; }
.causes li { margin: 2px 0; }
.chain { display: flex; flex-wrap: wrap; gap: 4px 0; margin: 0; padding: 0; list-style: none; font-size: 13px; }
.chain li { white-space: nowrap; }
.chain li + li::before { content: "→"; color: #9aa5b1; margin: 0 6px; }
.chain-note { color: #3e4c59; font-size: 12.5px; margin: 4px 0 0; }
`;

/** The HTML report as one string. */
export function renderHtmlReport(summary: RunSummary, events: readonly TraceEvent[], timelineSvg?: string): string {
  const svg = timelineSvg ?? renderTimelineSvg(summary, events);
  const sloRows = sloRowsHtml(summary, events);
  const faultRows = faultRowsHtml(summary);
  const workloadRows = workloadRowsHtml(summary);
  const logLines = milestoneLogHtml(events);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hasim: ${esc(summary.scenario)} — ${summary.passed ? 'passed' : 'failed'}</title>
<style>${CSS}${INTERACTIVE_CSS}</style>
</head>
<body>
<main>
<h1>hasim: ${esc(summary.scenario)}</h1>
${summary.description ? `<p class="desc">${esc(summary.description)}</p>` : ''}
<div class="meta">seed ${esc(summary.seed)} · Kubernetes ${esc(summary.kubernetesVersion)} · ${esc(formatDuration(summary.durationMs))} simulated · ${summary.stats.events.toLocaleString('en-US')} events · ${esc(formatDuration(summary.stats.wallMs))} wall time</div>
<div class="banner ${summary.passed ? 'pass' : 'fail'}">${esc(verdictText(summary))}</div>
${startupNoteHtml(summary)}<h2>SLOs</h2>
<table>
<thead><tr><th>SLO</th><th>type</th><th>measured</th><th>bound</th><th>result</th><th>what happened</th></tr></thead>
<tbody>
${sloRows || '<tr><td colspan="6">No SLOs in this scenario.</td></tr>'}
</tbody>
</table>
<h2 id="timeline">Timeline</h2>
<div class="card timeline">
${svg}
</div>
<h2>Faults</h2>
<table>
<thead><tr><th>fault</th><th>type</th><th>start</th><th>end</th><th>targets</th></tr></thead>
<tbody>
${faultRows || '<tr><td colspan="5">No faults.</td></tr>'}
</tbody>
</table>
${chainsHtml(faultChains(events))}
<h2>Workloads</h2>
<table>
<thead><tr><th>workload</th><th>desired</th><th>lowest Ready</th><th>recovered at</th></tr></thead>
<tbody>
${workloadRows || '<tr><td colspan="4">No workloads.</td></tr>'}
</tbody>
</table>
<h2>Milestones</h2>
<pre class="log">${logLines || 'Nothing notable happened.'}</pre>
${podTableHtml(events)}
${summary.passed ? '' : `<h2>Reproduce</h2>\n<pre class="log">${esc(summary.reproduce)}</pre>`}
<footer class="meta">${esc(madeBy(summary))}</footer>
</main>
<script>${INTERACTIVE_JS}</script>
</body>
</html>
`;
}

/** Workloads the first fault hit while they were still starting (startup-notes.ts). */
function startupNoteHtml(summary: RunSummary): string {
  const lines = startupNoteLines(startupNotes(summary), 5);
  return lines.length ? `<div class="note">${lines.map((l) => `<p>${esc(l)}</p>`).join('')}</div>\n` : '';
}

/** The banner: passed, or which SLOs failed. */
function verdictText(summary: RunSummary): string {
  const failed = summary.slos.filter((s) => !s.passed);
  return summary.passed
    ? `✔ Passed: all ${summary.slos.length} SLOs held`
    : `✘ Failed: ${failed.length} of ${summary.slos.length} SLOs violated (${failed.map((s) => s.name).join(', ')})`;
}

function faultRowsHtml(summary: RunSummary): string {
  return summary.faults
    .map(
      (f) =>
        `<tr><td>${esc(f.name)}</td><td><code>${esc(f.type)}</code></td><td class="num">${formatClock(f.startMs)}</td><td class="num">${f.endMs === null ? 'end of run' : formatClock(f.endMs)}</td><td>${esc(targetsText(f.targets))}</td></tr>`,
    )
    .join('\n');
}

function workloadRowsHtml(summary: RunSummary): string {
  return summary.workloads
    .map(
      (w) =>
        `<tr><td>${esc(w.workload)}</td><td class="num">${w.desired}</td><td class="num">${esc(lowestReadyText(w))}</td><td class="num">${w.recoveredAtMs === null ? '—' : formatClock(w.recoveredAtMs)}</td></tr>`,
    )
    .join('\n');
}

/** The milestones as lines of the log block, each with its time and a class for its kind. */
function milestoneLogHtml(events: readonly TraceEvent[]): string {
  return milestones(events)
    .map((m) => `<span class="t">${formatClock(m.atMs)}</span> <span class="${m.kind}">${esc(m.text)}</span>`)
    .join('\n');
}

function sloRowsHtml(summary: RunSummary, events: readonly TraceEvent[]): string {
  return summary.slos
    .map(
      (s) =>
        `<tr class="${s.passed ? 'passed' : 'failed'}"><td>${esc(s.name)}</td><td><code>${esc(s.type)}</code></td><td class="num">${esc(formatMeasured(s))}</td><td class="num">${esc(formatBound(s))}</td><td class="${s.passed ? 'pass-cell">✔ pass' : 'fail-cell">✘ fail'}</td><td>${esc(s.message)}${
          s.passed || s.violatedAtMs === undefined
            ? ''
            : `<br><span class="small">broken at ${formatClock(s.violatedAtMs)}${s.violatedBy ? ` by <code>${esc(describeEvent(s.violatedBy))}</code>` : ''}</span> <a class="jump" href="#timeline" data-t="${Math.min(s.violatedAtMs, summary.durationMs)}">show on the timeline</a>`
        }${causesHtml(causesOf(s, summary, events))}</td></tr>`,
    )
    .join('\n');
}

/** Why a failed availability SLO's workload was short: a list under its message. */
function causesHtml(c: SloCauses | undefined): string {
  if (!c) return '';
  const [head, ...items] = causeLines(c, 20);
  return `<div class="causes-head small">${esc(head)}</div><ul class="causes">${items.map((l) => `<li>${esc(l.replace(/^- /, ''))}</li>`).join('')}</ul>`;
}

/** Each fault's chain of reactions, one row per fault. */
function chainsHtml(chains: readonly FaultChain[]): string {
  const shown = chains.filter((c) => c.steps.length > 1);
  if (shown.length === 0) return '';
  const rows = shown
    .map((c) => {
      const notes = c.steps
        .filter((s) => s.note)
        .map((s) => `<p class="chain-note">${esc(`${s.kind}: ${s.note}`)}</p>`)
        .join('');
      const steps = c.steps.map((s) => `<li>${esc(stepText(c, s))}</li>`).join('');
      return `<tr><td>${esc(c.fault)}</td><td><ol class="chain">${steps}</ol>${notes}</td></tr>`;
    })
    .join('\n');
  return `<h3>From hit to Ready, per fault</h3>
<table class="chains">
<thead><tr><th>fault</th><th>hit → detected → tainted → evicted → replaced → scheduled → Ready (times after the fault started)</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** A recorded event in one line: `pod.deleted pod=web-1 reason=taint-eviction`. */
export function describeEvent(e: Record<string, unknown>): string {
  const parts = [String(e.type ?? 'event')];
  if (typeof e.atMs === 'number') parts.push(`at ${formatClock(e.atMs)}`);
  // A Service's traffic change in words: its ten fields in a row read like a log line, not a reason.
  if (e.type === 'service.traffic.changed' && typeof e.successRate === 'number' && typeof e.cause === 'string') {
    const failing = Math.round((1 - e.successRate) * 1000) / 10;
    return `${parts.join(' ')}: ${String(e.service)} ${failing}% of requests failing (${e.cause})`;
  }
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type' || k === 'atMs') continue;
    // A fault's 101 targets would make one line of a whole screen.
    const list = (xs: unknown[]) => (xs.length <= 5 ? xs.join(',') : `${xs.slice(0, 5).join(',')},… (${xs.length})`);
    parts.push(`${k}=${Array.isArray(v) ? list(v) : String(v)}`);
  }
  return parts.join(' ');
}

export function targetsText(targets: readonly string[], max = 12): string {
  if (targets.length === 0) return '—';
  return targets.length <= max
    ? targets.join(', ')
    : `${targets.slice(0, max).join(', ')} and ${targets.length - max} more`;
}

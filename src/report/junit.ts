// junit.xml: one test case per SLO, so CI systems (GitHub Actions reporters, GitLab) list each SLO
// as a test that passed or failed.
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { causesOf, causeLines } from './causes.js';
import { chainLine, chainNotes, faultChains, type FaultChain } from './fault-chains.js';
import { escapeXml as esc, formatBound, formatClock, formatMeasured } from './format.js';
import { describeEvent } from './html-report.js';

/** Without the trace, failures say what broke but not why. */
export function renderJunit(summary: RunSummary, events?: readonly TraceEvent[]): string {
  const chains = new Map<string, FaultChain>((events ? faultChains(events) : []).map((c) => [c.fault, c]));
  const failures = summary.slos.filter((s) => !s.passed).length;
  const suiteTime = (summary.stats.wallMs / 1000).toFixed(3);
  const name = `hasim: ${summary.scenario}`;
  const lines: string[] = [];
  lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  lines.push(
    `<testsuites name="hasim" tests="${summary.slos.length}" failures="${failures}" errors="0" time="${suiteTime}">`,
  );
  lines.push(
    `  <testsuite name="${esc(name)}" tests="${summary.slos.length}" failures="${failures}" errors="0" skipped="0" time="${suiteTime}">`,
  );
  lines.push('    <properties>');
  lines.push(`      <property name="seed" value="${esc(summary.seed)}"/>`);
  lines.push(`      <property name="kubernetesVersion" value="${esc(summary.kubernetesVersion)}"/>`);
  lines.push(`      <property name="reproduce" value="${esc(summary.reproduce)}"/>`);
  if (summary.hasimVersion) lines.push(`      <property name="hasimVersion" value="${esc(summary.hasimVersion)}"/>`);
  lines.push('    </properties>');
  for (const s of summary.slos) {
    // Judging takes no measurable time; the simulated durations are in the message, not in `time`.
    const open = `    <testcase classname="${esc(summary.scenario)}" name="${esc(s.name)}" time="0"`;
    const detail = `${s.type}: measured ${formatMeasured(s)}, bound ${formatBound(s)}`;
    if (s.passed) {
      lines.push(`${open}>`);
      lines.push(`      <system-out>${esc(`${detail}. ${s.message}`)}</system-out>`);
      lines.push('    </testcase>');
      continue;
    }
    const body = [
      s.message,
      detail,
      s.violatedAtMs !== undefined
        ? `broken at ${formatClock(s.violatedAtMs)}${s.violatedBy ? ` by ${describeEvent(s.violatedBy)}` : ''}`
        : '',
      ...(events ? why(s, summary, events, chains) : []),
      `reproduce: ${summary.reproduce}`,
    ].filter(Boolean);
    lines.push(`${open}>`);
    lines.push(`      <failure message="${esc(s.message)}" type="${esc(s.type)}">${esc(body.join('\n'))}</failure>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>');
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** The causes of a failed availability SLO and the chain of the fault it is measured from. */
function why(
  s: RunSummary['slos'][number],
  summary: RunSummary,
  events: readonly TraceEvent[],
  chains: ReadonlyMap<string, FaultChain>,
): string[] {
  const out: string[] = [];
  const c = causesOf(s, summary, events);
  if (c) out.push(...causeLines(c, 10));
  const chain = s.after !== undefined ? chains.get(s.after) : undefined;
  if (chain) out.push(`fault ${chainLine(chain)}`, ...chainNotes(chain));
  return out;
}

// junit.xml: one test case per SLO, so CI systems (GitHub Actions reporters, GitLab) list each SLO
// as a test that passed or failed.
import type { RunSummary } from '../trace/summary.js';
import { escapeXml as esc, formatBound, formatClock, formatMeasured } from './format.js';
import { describeEvent } from './html-report.js';

export function renderJunit(summary: RunSummary): string {
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

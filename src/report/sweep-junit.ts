// A sweep's junit.xml: one test suite per grid point and one test case per SLO in it, failed when the
// SLO held in fewer runs than --min-pass-rate, so CI test reporters list each SLO at each setting.
import type { SweepResult } from '../trace/sweep.js';
import { escapeXml as esc } from './format.js';
import { formatPassRate, shortTitle, sloFigures } from './sweep-report.js';

/** Failing seeds listed in a failed test case (sweep.json has them all). */
export const JUNIT_SEEDS_SHOWN = 10;

export function renderSweepJunit(r: SweepResult): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const cases = r.points.reduce((n, p) => n + p.slos.length, 0);
  const failures = r.points.reduce((n, p) => n + p.slos.filter((s) => s.passRate < r.minPassRate).length, 0);
  lines.push(`<testsuites name="hasim sweep" tests="${cases}" failures="${failures}" errors="0" time="0">`);
  for (const p of r.points) {
    const title = shortTitle(r, p);
    const failed = p.slos.filter((s) => s.passRate < r.minPassRate).length;
    lines.push(
      `  <testsuite name="${esc(`hasim sweep: ${r.scenario} [${title}]`)}" tests="${p.slos.length}" failures="${failed}" errors="0" skipped="0" time="0">`,
    );
    lines.push('    <properties>');
    lines.push(`      <property name="seeds" value="${r.seeds.first}..${r.seeds.first + r.seeds.count - 1}"/>`);
    for (const s of p.settings) lines.push(`      <property name="${esc(s.path)}" value="${esc(s.value)}"/>`);
    lines.push('    </properties>');
    for (const s of p.slos) {
      const open = `    <testcase classname="${esc(`${r.scenario} [${title}]`)}" name="${esc(s.name)}" time="0">`;
      const held = `held in ${formatPassRate(s.passRate)} of ${s.runs} runs (${s.passed}/${s.runs})`;
      const figures = `${s.type}: ${held}; ${sloFigures(s)}`;
      lines.push(open);
      if (s.passRate >= r.minPassRate) lines.push(`      <system-out>${esc(figures)}</system-out>`);
      else {
        const reproduce = p.failedRuns
          .filter((f) => f.failed.includes(s.name))
          .slice(0, JUNIT_SEEDS_SHOWN)
          .map((f) => f.reproduce);
        const more = s.failedSeeds.length - reproduce.length;
        const body = [figures, 'failing runs:', ...reproduce, ...(more > 0 ? [`… ${more} more in sweep.json`] : [])];
        lines.push(
          `      <failure message="${esc(`${held}, below the minimum pass rate of ${formatPassRate(r.minPassRate)}`)}" type="${esc(s.type)}">${esc(body.join('\n'))}</failure>`,
        );
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

// One end-to-end run in a process of its own (started by scale-bench.ts), as `hasim run` does it:
// simulate, judge, then write events.jsonl, summary.json and every report file, and render the terminal
// summary, with the CPU time of each part. `node report-run.js <nodes> <pods> <deployments> [out-dir]` prints its figures as one JSON
// object; with out-dir the files are kept there (to look at them), else written to a temporary folder.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonlChunks } from '../src/engine/index.js';
import { ReportFolder } from '../src/cli/write-atomic.js';
import { renderReports, renderTextSummary } from '../src/report/index.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { scaleScenario } from './scale-scenario.js';

export interface ReportRunFigures {
  nodes: number;
  pods: number;
  deployments: number;
  wallS: number;
  simulateS: number;
  reportsS: number;
  /** CPU seconds (user + system) of the whole run, the simulation and the reports: they move less with load than wall. */
  cpuS: number;
  simulateCpuS: number;
  reportsCpuS: number;
  /** CPU seconds of each part of the reports, in the order they are made. */
  reportPartsCpuS: Record<string, number>;
  peakRssMiB: number;
  /** File sizes in bytes. */
  sizes: Record<string, number>;
  summaryLines: number;
}

const [nodes, pods, deployments] = process.argv.slice(2, 5).map(Number);
const keep = process.argv[5];
const scenario = scaleScenario(nodes, pods, deployments);
const dir = keep ?? join(mkdtempSync(join(tmpdir(), 'hasim-bench-')), 'run');
// Written as `hasim run` writes them (src/cli/commands/run.ts): into a staging folder, put in place at the end.
const folder = ReportFolder.open(dir);
const cpuS = (from?: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
};
const t0 = performance.now();
const c0 = process.cpuUsage();
const { summary, events } = runScenario(scenario, { wallClockMs: () => performance.now() });
const t1 = performance.now();
const c1 = process.cpuUsage();
const parts: Record<string, number> = {};
/** Times one part of the reports in CPU seconds. */
const part = <T>(name: string, make: () => T): T => {
  const c = process.cpuUsage();
  const out = make();
  parts[name] = cpuS(c);
  return out;
};
// events.jsonl is made, hashed and written piece by piece, as `hasim run` does.
part('events.jsonl (made, hashed and written)', () => {
  const hash = createHash('sha256');
  const pieces = function* () {
    for (const piece of jsonlChunks(events)) {
      hash.update(piece);
      yield piece;
    }
  };
  folder.write({ 'events.jsonl': pieces() });
  summary.trace = { events: events.length, sha256: hash.digest('hex') };
});
const files: Record<string, string> = {
  'summary.json': part('summary.json', () => JSON.stringify(summary, null, 2) + '\n'),
  ...part('timeline, report.html, report.md, junit.xml', () => renderReports(summary, events)),
};
part('writing the files', () => {
  folder.write(files);
  folder.commit();
});
const text = part('terminal summary', () => renderTextSummary(summary, { color: false, reportDir: dir, events }));
const t2 = performance.now();
const c2 = process.cpuUsage(c1);
const sizes: Record<string, number> = {};
for (const name of ['events.jsonl', ...Object.keys(files)]) sizes[name] = statSync(join(dir, name)).size;
if (!keep) rmSync(join(dir, '..'), { recursive: true, force: true });
const figures: ReportRunFigures = {
  nodes,
  pods,
  deployments,
  wallS: (t2 - t0) / 1000,
  simulateS: (t1 - t0) / 1000,
  reportsS: (t2 - t1) / 1000,
  cpuS: cpuS(c0),
  simulateCpuS: (c1.user + c1.system - c0.user - c0.system) / 1e6,
  reportsCpuS: (c2.user + c2.system) / 1e6,
  reportPartsCpuS: parts,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  sizes,
  summaryLines: text.split('\n').length - 1,
};
process.stdout.write(JSON.stringify(figures) + '\n');

// One end-to-end run in a process of its own (started by scale-bench.ts), as `hasim run` does it:
// simulate, judge, then write events.jsonl, summary.json and every report file, and render the terminal
// summary. `node report-run.js <nodes> <pods> <deployments> [out-dir]` prints its figures as one JSON
// object; with out-dir the files are kept there (to look at them), else written to a temporary folder.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJsonl } from '../src/engine/index.js';
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
  peakRssMiB: number;
  /** File sizes in bytes. */
  sizes: Record<string, number>;
  summaryLines: number;
}

const [nodes, pods, deployments] = process.argv.slice(2, 5).map(Number);
const keep = process.argv[5];
const scenario = scaleScenario(nodes, pods, deployments);
const dir = keep ?? mkdtempSync(join(tmpdir(), 'hasim-bench-'));
mkdirSync(dir, { recursive: true });
const t0 = performance.now();
const { summary, events } = runScenario(scenario, { wallClockMs: () => performance.now() });
const t1 = performance.now();
const files: Record<string, string> = {
  'events.jsonl': toJsonl(events),
  'summary.json': JSON.stringify(summary, null, 2) + '\n',
  ...renderReports(summary, events),
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
const text = renderTextSummary(summary, { color: false, reportDir: dir, events });
const t2 = performance.now();
const sizes: Record<string, number> = {};
for (const name of Object.keys(files)) sizes[name] = statSync(join(dir, name)).size;
if (!keep) rmSync(dir, { recursive: true, force: true });
const figures: ReportRunFigures = {
  nodes,
  pods,
  deployments,
  wallS: (t2 - t0) / 1000,
  simulateS: (t1 - t0) / 1000,
  reportsS: (t2 - t1) / 1000,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  sizes,
  summaryLines: text.split('\n').length - 1,
};
process.stdout.write(JSON.stringify(figures) + '\n');

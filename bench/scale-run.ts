// One scale run in a process of its own (started by scale-bench.ts): `node scale-run.js <nodes> <pods>
// [--services]` (--services: a Service with traffic on every Deployment).
// Prints its figures as one JSON object. Wall and CPU time cover the run as `hasim run` does it: building
// the cluster, simulating, judging the SLOs and summarising (not writing report files).
import { runScenario } from '../src/runner/run-scenario.js';
import type { ScaleFigures } from './scale-bench.js';
import { scaleScenario } from './scale-scenario.js';

const args = process.argv.slice(2);
const [nodes, pods] = args.filter((a) => !a.startsWith('--')).map(Number);
const scenario = scaleScenario(nodes, pods, 30, args.includes('--services'));
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const { summary, events } = runScenario(scenario, { wallClockMs: () => performance.now() });
const cpu = process.cpuUsage(cpu0);
const figures: ScaleFigures = {
  nodes,
  pods,
  wallS: (performance.now() - t0) / 1000,
  cpuS: (cpu.user + cpu.system) / 1e6,
  events: summary.stats.events,
  traceEvents: events.length,
  // resourceUsage().maxRSS is in KiB.
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  slos: summary.slos.map((s) => `${s.name} ${s.passed ? 'held' : 'FAILED'} (${s.message})`),
};
process.stdout.write(JSON.stringify(figures) + '\n');

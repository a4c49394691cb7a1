// One measured run for the scale and upgrade benchmarks: the run as `hasim run` does it (building the
// cluster, simulating, judging the SLOs and summarising, not writing report files), with its wall and CPU
// time, events and the process's peak resident memory.
import type { TraceEvent } from '../src/trace/events.js';
import { runScenario } from '../src/runner/run-scenario.js';
import type { Scenario } from '../src/scenario/types.js';
import type { ScaleFigures } from './scale-bench.js';

export function measureRun(
  scenario: Scenario,
  nodes: number,
  pods: number,
): { figures: ScaleFigures; events: TraceEvent[] } {
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
  return { figures, events };
}

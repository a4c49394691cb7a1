// Cluster scale: Kubernetes' supported maximum (5,000 nodes, 150,000 pods) through a 1-hour scenario with a
// zone outage. Target: under 20 s wall and under 2 GB of memory on a 2-core machine.
import { runScenario } from '../src/runner/run-scenario.js';
import { scaleScenario } from './scale-scenario.js';

export function scaleBench(): void {
  const sizes = [
    { nodes: 500, pods: 15_000 },
    { nodes: 5_000, pods: 150_000 },
  ];
  for (const size of sizes) {
    const scenario = scaleScenario(size.nodes, size.pods);
    const t0 = performance.now();
    const { summary, events } = runScenario(scenario, { wallClockMs: () => performance.now() });
    const wallS = (performance.now() - t0) / 1000;
    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    console.log(`scale: ${size.nodes} nodes, ${size.pods} pods, 1 h with a zone outage`);
    console.log(`  wall ${wallS.toFixed(1)} s (target < 20 s: ${wallS < 20 ? 'met' : 'NOT met'}), ${summary.stats.events.toLocaleString('en')} events dispatched, ${events.length.toLocaleString('en')} trace events`);
    console.log(`  memory: heap ${heapMiB.toFixed(0)} MiB, rss ${rssMiB.toFixed(0)} MiB (target < 2048 MiB: ${rssMiB < 2048 ? 'met' : 'NOT met'})`);
    console.log(`  SLOs: ${summary.slos.map((s) => `${s.name} ${s.passed ? 'held' : 'FAILED'} (${s.message})`).join('; ')}\n`);
  }
}

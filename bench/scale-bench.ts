// Cluster scale: Kubernetes' supported maximum (5,000 nodes, 150,000 pods) through a 1-hour scenario with a
// zone outage. Target: under 20 s wall and under 2 GB of memory on a 2-core machine.
// Each size runs in a child process of its own (scale-run.ts), so that one size's heap does not weigh on
// the next one's figures and the peak resident memory reported is that run's alone.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SEMI_SPACE_FLAG } from '../src/cli/heap.js';
import type { ReportRunFigures } from './report-run.js';

export interface ScaleFigures {
  nodes: number;
  pods: number;
  wallS: number;
  cpuS: number;
  events: number;
  traceEvents: number;
  peakRssMiB: number;
  slos: string[];
}

/** The targets (issue 3) are for Kubernetes' supported maximum; the small size is for quick comparison. */
const SIZES = [
  { nodes: 500, pods: 15_000, targets: false },
  { nodes: 5_000, pods: 150_000, targets: true },
];

export function scaleBench(): void {
  const runner = fileURLToPath(new URL('./scale-run.js', import.meta.url));
  for (const size of SIZES) {
    const out = execFileSync(process.execPath, [SEMI_SPACE_FLAG, runner, String(size.nodes), String(size.pods)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const f = JSON.parse(out) as ScaleFigures;
    const events = (n: number) => n.toLocaleString('en');
    console.log(
      `scale: ${f.nodes.toLocaleString('en')} nodes, ${f.pods.toLocaleString('en')} pods, 1 h with a zone outage`,
    );
    const target = (text: string, met: boolean) =>
      size.targets ? ` (target ${text}: ${met ? 'met' : 'NOT met'})` : '';
    console.log(`  wall ${f.wallS.toFixed(1)} s${target('< 20 s', f.wallS < 20)}, CPU ${f.cpuS.toFixed(1)} s`);
    console.log(`  ${events(f.events)} events dispatched, ${events(f.traceEvents)} trace events`);
    console.log(`  peak memory (resident) ${f.peakRssMiB.toFixed(0)} MiB${target('< 2048 MiB', f.peakRssMiB < 2048)}`);
    console.log(`  SLOs: ${f.slos.join('; ')}\n`);
  }
  reportBench();
}

/**
 * The whole `hasim run` of the largest size with 300 Deployments and every report file written (issue
 * 18): under 25 s and 2 GB, report.html under 5 MB, the terminal summary under 40 lines.
 */
function reportBench(): void {
  const runner = fileURLToPath(new URL('./report-run.js', import.meta.url));
  const out = execFileSync(process.execPath, [SEMI_SPACE_FLAG, runner, '5000', '150000', '300'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const f = JSON.parse(out) as ReportRunFigures;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log('end to end: 5,000 nodes, 150,000 pods, 300 Deployments, every report file written');
  console.log(
    `  wall ${f.wallS.toFixed(1)} s (target < 25 s: ${met(f.wallS < 25)}): simulate ${f.simulateS.toFixed(1)} s, reports ${f.reportsS.toFixed(1)} s`,
  );
  console.log(
    `  CPU ${f.cpuS.toFixed(1)} s: simulate ${f.simulateCpuS.toFixed(1)} s, reports ${f.reportsCpuS.toFixed(1)} s (${Object.entries(
      f.reportPartsCpuS,
    )
      .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
      .join(', ')})`,
  );
  console.log(
    `  peak memory (resident) ${f.peakRssMiB.toFixed(0)} MiB (target < 2048 MiB: ${met(f.peakRssMiB < 2048)})`,
  );
  console.log(
    `  report.html ${mb(f.sizes['report.html'])} (target < 5 MiB: ${met(f.sizes['report.html'] < 5 * 2 ** 20)}), timeline.svg ${mb(f.sizes['timeline.svg'])}, events.jsonl ${mb(f.sizes['events.jsonl'])}`,
  );
  console.log(`  terminal summary ${f.summaryLines} lines (target < 40: ${met(f.summaryLines < 40)})\n`);
}

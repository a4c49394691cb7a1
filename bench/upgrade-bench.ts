// Node-pool upgrade at scale (issue 17): every node of the 5,000-node cluster replaced by a surge upgrade
// (maxSurge 10 %). Target: the run simulates in under 60 s. A 500-node run first, for quick comparison.
// Each size runs in a child process of its own (upgrade-run.ts), as the scale benchmark does.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SEMI_SPACE_FLAG } from '../src/cli/heap.js';
import type { UpgradeFigures } from './upgrade-run.js';

const SIZES = [
  { nodes: 500, target: false },
  { nodes: 5_000, target: true },
];

export function upgradeBench(): void {
  const runner = fileURLToPath(new URL('./upgrade-run.js', import.meta.url));
  for (const size of SIZES) {
    const out = execFileSync(process.execPath, [SEMI_SPACE_FLAG, runner, String(size.nodes)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const f = JSON.parse(out) as UpgradeFigures;
    const n = (x: number) => x.toLocaleString('en');
    console.log(`upgrade: a ${n(f.nodes)}-node pool (${n(f.pods)} pods) replaced by a surge upgrade, maxSurge 10%`);
    const target = size.target ? ` (target < 60 s: ${f.wallS < 60 ? 'met' : 'NOT met'})` : '';
    console.log(`  wall ${f.wallS.toFixed(1)} s${target}, CPU ${f.cpuS.toFixed(1)} s`);
    console.log(`  ${n(f.events)} events dispatched, ${n(f.traceEvents)} trace events`);
    console.log(`  peak memory (resident) ${f.peakRssMiB.toFixed(0)} MiB`);
    console.log(`  SLOs: ${f.slos.join('; ')}\n`);
  }
}

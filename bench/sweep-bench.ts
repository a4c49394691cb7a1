// Sweeps (issue 18): what one run of the demo costs inside a sweep worker, phase by phase, and the
// whole `hasim sweep` of 1,000 seeds with 1 and 2 worker processes, against the targets. On a shared
// machine the wall time of a sweep says more about the other processes than about hasim, so CPU time is
// printed beside it (bench/README.md#sweeps).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenarioText } from '../src/scenario/index.js';
import { startRun } from '../src/runner/run-scenario.js';
import { toRunRecord } from '../src/runner/sweep.js';
import { SEMI_SPACE_FLAG } from '../src/cli/heap.js';

const DEMO = fileURLToPath(new URL('../../scenarios/demo.yaml', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Runs played before measuring, so that the figures are of optimised code, as most of a long sweep is. */
const WARM_UP_RUNS = 10;
const MEASURED_RUNS = 100;
/**
 * Seeds of the `hasim sweep` comparison (issue 18's target: 1,000 seeds of the demo in under 8 s, and 2
 * workers at least 1.8 times as fast as 1), and how many alternated pairs of 1 and 2 workers.
 */
const SWEEP_SEEDS = 1000;
const SWEEP_PAIRS = 2;
const TARGET_WALL_S = 8;
const TARGET_SPEED_UP = 1.8;

export function sweepBench(): void {
  perRunBench();
  workersBench();
}

/** CPU milliseconds of each phase of a demo run, as a sweep worker plays it (runner/sweep-job.ts). */
function perRunBench(): void {
  const parsed = parseScenarioText(readFileSync(DEMO, 'utf8'), { file: DEMO });
  if (!parsed.ok) throw new Error('scenarios/demo.yaml did not validate');
  const scenario = parsed.scenario;
  const phases = { setup: 0, simulate: 0, 'judge and summary': 0, record: 0 };
  let events = 0;
  const cpuMs = (from: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(from);
    return (c.user + c.system) / 1000;
  };
  for (let k = 0; k < WARM_UP_RUNS + MEASURED_RUNS; k++) {
    const seed = k + 1;
    const measured = k >= WARM_UP_RUNS;
    let c = process.cpuUsage();
    const handle = startRun(scenario, { seed, reproduce: { scenarioArg: DEMO, sets: [] } });
    if (measured) phases.setup += cpuMs(c);
    c = process.cpuUsage();
    handle.advance(handle.durationMs);
    if (measured) phases.simulate += cpuMs(c);
    if (measured) events += handle.events;
    c = process.cpuUsage();
    const { summary } = handle.finish();
    if (measured) phases['judge and summary'] += cpuMs(c);
    c = process.cpuUsage();
    toRunRecord({ index: k, point: 0, seed }, summary);
    if (measured) phases.record += cpuMs(c);
  }
  const total = Object.values(phases).reduce((a, b) => a + b, 0);
  console.log(
    `sweep: one run of the demo in a worker, CPU per run (mean of ${MEASURED_RUNS} seeds after ${WARM_UP_RUNS})`,
  );
  console.log(
    `  ${(total / MEASURED_RUNS).toFixed(1)} ms: ${Object.entries(phases)
      .map(([name, ms]) => `${name} ${(ms / MEASURED_RUNS).toFixed(1)} ms`)
      .join(', ')}`,
  );
  console.log(`  ${Math.round(events / MEASURED_RUNS).toLocaleString('en-US')} events dispatched per run`);
  console.log(
    `  so 1,000 seeds are about ${(((total / MEASURED_RUNS) * 1000) / 1000).toFixed(1)} s of CPU in the workers\n`,
  );
}

interface SweepTimes {
  wallS: number;
  cpuS: number;
}

/**
 * `hasim sweep scenarios/demo.yaml --seeds 1000` with 1 and 2 workers, alternated, timed by /usr/bin/time
 * (CPU is user + system of the main process and its worker processes). Prints whether the targets are
 * met by wall time, and what the CPU time bounds the wall time to on two free cores: each of 2 workers is
 * one single-threaded process, so 2 workers need at least half their CPU time in wall time.
 */
function workersBench(): void {
  const times: Record<1 | 2, SweepTimes[]> = { 1: [], 2: [] };
  const loadBefore = loadavg()[0];
  for (let pair = 0; pair < SWEEP_PAIRS; pair++)
    for (const workers of [1, 2] as const) times[workers].push(timeSweep(workers));
  const loadAfter = loadavg()[0];
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  console.log(
    `sweep: hasim sweep scenarios/demo.yaml --seeds ${SWEEP_SEEDS}, ${SWEEP_PAIRS} alternated pair(s), load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after`,
  );
  for (const workers of [1, 2] as const) {
    const t = times[workers];
    console.log(
      `  ${workers} worker${workers === 1 ? ' ' : 's'}: wall ${t.map((x) => x.wallS.toFixed(2)).join(', ')} s; CPU ${t.map((x) => x.cpuS.toFixed(2)).join(', ')} s`,
    );
  }
  const wall1 = median(times[1].map((t) => t.wallS));
  const wall2 = median(times[2].map((t) => t.wallS));
  const cpu2 = median(times[2].map((t) => t.cpuS));
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  2 workers: median ${wall2.toFixed(2)} s wall (target < ${TARGET_WALL_S} s: ${met(wall2 < TARGET_WALL_S)}); ${(wall1 / wall2).toFixed(2)}× as fast as 1 worker's median ${wall1.toFixed(2)} s (target >= ${TARGET_SPEED_UP}×: ${met(wall1 / wall2 >= TARGET_SPEED_UP)})`,
  );
  console.log(
    `  on two free cores 2 workers need at least ${(cpu2 / 2).toFixed(2)} s wall (half their CPU); wall time only means something on an idle machine\n`,
  );
}

function timeSweep(workers: 1 | 2): SweepTimes {
  const out = mkdtempSync(join(tmpdir(), 'hasim-sweep-bench-'));
  try {
    // The exit code does not matter here (a seed may fail an SLO): /usr/bin/time's line ends stderr.
    const res = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        '%e %U %S',
        process.execPath,
        SEMI_SPACE_FLAG,
        CLI,
        'sweep',
        DEMO,
        '--seeds',
        String(SWEEP_SEEDS),
        '--workers',
        String(workers),
        '--out',
        out,
        '--quiet',
        '--force',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return parseTime(res.stderr);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function parseTime(stderr: string): SweepTimes {
  const last = stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys] = last.split(' ').map(Number);
  return { wallS: wall, cpuS: user + sys };
}

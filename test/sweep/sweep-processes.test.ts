// `hasim sweep` plays its runs in worker processes (cli/sweep-workers.ts). These tests drive the built
// binary as a user does: the runs the processes send back are the runs played in this process; a worker
// that dies is an internal error that names its seed; and no worker is left running after the sweep,
// however it ends (done, an SLO failed, Ctrl-C, SIGTERM, a worker killed, the main process killed).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweepJob } from '../../src/runner/sweep-job.js';
import { aggregateSweep, expandGrid, parseGridFlags, pointSets, sweepJobs } from '../../src/runner/sweep.js';
import type { SweepPlan } from '../../src/runner/sweep.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { sweepFiles } from '../../src/cli/sweep-output.js';
import { WORKER_INTERRUPT_BUDGET_FLAG, workerExecArgv } from '../../src/cli/sweep-workers.js';
import { SMALL_SCENARIO } from './fixture.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const DEMO = 'demo.yaml';
const GRACE = 'spec.kubernetes.controllerManager.nodeMonitorGracePeriod';
const NO_STACK = /\n\s+at .*:\d+:\d+\)?/;

function scenarioDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-sweep-proc-'));
  writeFileSync(join(dir, 'small.yaml'), SMALL_SCENARIO);
  copyFileSync(join(process.cwd(), 'scenarios', 'demo.yaml'), join(dir, DEMO));
  return dir;
}

/** The process ids of a process's children, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by its parent) counts as gone.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Started {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[], cwd: string, detached = false): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    detached,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** The sweep's worker processes once `count` of them run (the first run has started in each). */
function workersOf(s: Started, count: number): Promise<number[]> {
  return until(`${count} worker processes`, () => {
    const kids = childrenOf(s.child.pid!);
    return kids.length >= count ? kids : undefined;
  });
}

/** Each worker is gone shortly after the sweep ended (not a moment later: they are killed, not left). */
async function expectGone(pids: number[]): Promise<void> {
  await until('the worker processes to exit', () => (pids.every((p) => !alive(p)) ? true : undefined), 5_000);
}

describe('hasim sweep in worker processes', () => {
  const dir = scenarioDir();

  it('gives the runs a single process plays, for a grid, with 1 and 2 workers', () => {
    const grid = `${GRACE}=20s,40s`;
    const args = (out: string, workers: number) => [
      'sweep',
      'small.yaml',
      '--seeds',
      '5',
      '--grid',
      grid,
      '--workers',
      String(workers),
      '--out',
      out,
      '--quiet',
    ];
    for (const workers of [1, 2]) {
      const r = spawnSync(process.execPath, [BIN, ...args(`w${workers}`, workers)], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).not.toBe(3);
    }
    // The same sweep played here, in this process, one run after another.
    const axes = parseGridFlags([grid]).axes;
    const points = expandGrid(axes);
    const plan: SweepPlan = {
      scenario: 'small',
      file: 'small.yaml',
      sets: [],
      grid: axes,
      points,
      firstSeed: 1,
      seedCount: 5,
      minPassRate: 1,
    };
    const records = sweepJobs(points.length, 1, 5).map((job) => {
      const sets = pointSets(plan, job.point);
      const parsed = parseScenarioText(SMALL_SCENARIO, { file: 'small.yaml', sets });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      return runSweepJob(parsed.scenario, job, { scenarioArg: 'small.yaml', sets });
    });
    const expected = sweepFiles(aggregateSweep(plan, records))['sweep.json'];
    expect(readFileSync(join(dir, 'w1', 'sweep.json'), 'utf8')).toBe(expected);
    expect(readFileSync(join(dir, 'w2', 'sweep.json'), 'utf8')).toBe(expected);
    // The grid points differ, so a mix-up of settings between processes would show.
    const json = JSON.parse(expected) as { points: Array<{ results: unknown[] }> };
    expect(JSON.stringify(json.points[0].results)).not.toBe(JSON.stringify(json.points[1].results));
  });

  it("collects a worker's garbage on its own thread only when the workers take every core", () => {
    expect(workerExecArgv(2, 2)).toContain('--single-threaded-gc');
    expect(workerExecArgv(4, 2)).toContain('--single-threaded-gc');
    expect(workerExecArgv(1, 2)).not.toContain('--single-threaded-gc');
    expect(workerExecArgv(3, 4)).not.toContain('--single-threaded-gc');
    // The same for optimising later: with a free core the compiler's threads cost the runs nothing.
    expect(workerExecArgv(2, 2)).toContain(WORKER_INTERRUPT_BUDGET_FLAG);
    expect(workerExecArgv(1, 2)).not.toContain(WORKER_INTERRUPT_BUDGET_FLAG);
    for (const workers of [1, 2, 4]) expect(workerExecArgv(workers, 2)).toContain('--max-semi-space-size=128');
  });

  it('exits 3 with the seed and the reproduce line when a worker dies, and leaves no worker behind', async () => {
    const s = start(['sweep', DEMO, '--seeds', '1000', '--workers', '2', '--out', join(dir, 'crash')], dir);
    const [victim, other] = await workersOf(s, 2);
    process.kill(victim, 'SIGKILL');
    const r = await s.done;
    expect(r.code).toBe(3);
    const seed = /internal error in the run with seed (\d+): a sweep worker \(process \d+\) was killed by SIGKILL/.exec(
      r.stderr,
    );
    expect(seed).not.toBeNull();
    expect(r.stderr).toContain(`Reproduce: hasim run ${DEMO} --seed ${seed![1]}`);
    expect(r.stderr).toContain('This is a bug in hasim');
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(existsSync(join(dir, 'crash', 'sweep.json'))).toBe(false);
    await expectGone([victim, other]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'stops on %s sent to the main process alone, exits %d and leaves no worker behind',
    async (signal, code) => {
      const s = start(['sweep', DEMO, '--seeds', '1000', '--workers', '2', '--out', join(dir, signal)], dir);
      const workers = await workersOf(s, 2);
      s.child.kill(signal);
      const r = await s.done;
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(`hasim: stopped by ${signal}`);
      expect(r.stderr).not.toContain('internal error');
      await expectGone(workers);
    },
  );

  it('stops on Ctrl-C (SIGINT to the whole process group) with 130, not as a dead worker', async () => {
    const s = start(['sweep', DEMO, '--seeds', '1000', '--workers', '2', '--out', join(dir, 'ctrl-c')], dir, true);
    const workers = await workersOf(s, 2);
    process.kill(-s.child.pid!, 'SIGINT');
    const r = await s.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('hasim: stopped by SIGINT');
    expect(r.stderr).not.toContain('internal error');
    await expectGone(workers);
  });

  it('leaves no worker behind when the main process is killed outright', async () => {
    const s = start(['sweep', DEMO, '--seeds', '1000', '--workers', '2', '--out', join(dir, 'killed')], dir);
    const workers = await workersOf(s, 2);
    s.child.kill('SIGKILL');
    await s.done;
    // Nobody can kill them now: each stops by itself when its channel closes, after the run it is in.
    await until('the orphaned workers to stop', () => (workers.every((p) => !alive(p)) ? true : undefined), 20_000);
  });

  it('leaves no worker behind when runs fail an SLO (exit 1)', async () => {
    const s = start(
      ['sweep', DEMO, '--seeds', '120', '--workers', '2', '--set', GRACE + '=3m', '--out', join(dir, 'failing')],
      dir,
    );
    const workers = await workersOf(s, 2);
    const r = await s.done;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✘');
    await expectGone(workers);
  });
});

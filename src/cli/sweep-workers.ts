// Spreads the runs of a sweep over worker processes (child_process.fork of sweep-worker.ts), so that each
// worker can be started with V8 flags of its own (workerExecArgv): worker threads share one V8, its
// flags and its helper threads. Each worker is started once and gets the scenario text and the --set list
// of every grid point, then chunks of jobs as it finishes them: it always holds CHUNKS_AHEAD_PER_WORKER
// chunks (one running, the next queued in its channel), so it never waits for the main process between
// two runs. Chunks shrink as the sweep nears its end (chunkSize), so a slow grid point still does not
// leave the other workers idle while jobs remain. A worker sends its results back in batches (at the end
// of each chunk, and at least every FLUSH_MS while a chunk lasts), not one message per run: each message
// costs both processes a wake-up, which was most of the main process's CPU in a sweep of short runs.
// Results come back in completion order and are returned sorted by job index, so nothing downstream sees
// how many workers there were, how the jobs were cut into chunks, or who finished first.
//
// No worker outlives the sweep: they are killed when it ends for any reason, when the main process exits
// (also through process.exit, as on Ctrl-C), and a worker stops by itself when its channel to the main
// process closes (the main process died): it looks between two runs, so it never outlives its sweep by
// more than the run it is in. A worker that dies is an internal error with the seed of the first run it
// had not reported, which is the run it was playing unless it died within FLUSH_MS of a batch it had not
// yet sent; one killed by SIGINT or SIGTERM (Ctrl-C reaches the whole process group) stops the sweep as
// that signal does (signals.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SEMI_SPACE_FLAG } from './heap.js';
import type { SweepJob, SweepRunRecord } from '../runner/sweep.js';

export interface WorkerData {
  text: string;
  /** The scenario file as the user named it (messages, reproduce lines). */
  file: string;
  /** Every --set of each grid point's runs. */
  pointSets: string[][];
  /** --allow-large. */
  allowLarge: boolean;
}

/** What the main process sends a worker: the scenario once, then chunks of jobs, each played in order. */
export type WorkerRequest = { kind: 'setup'; data: WorkerData } | { kind: 'jobs'; jobs: SweepJob[] };

export type WorkerReply =
  /** The records of the next runs of the worker's chunks, in the order they were sent. */
  | { kind: 'done'; records: SweepRunRecord[] }
  /** A SimulationBug: a bug in hasim found by this run. */
  | { kind: 'bug'; job: SweepJob; message: string }
  /** Anything else that went wrong in the worker. */
  | { kind: 'error'; job: SweepJob | undefined; message: string };

export interface ExecuteOptions extends WorkerData {
  jobs: SweepJob[];
  workers: number;
  /** Called after each batch of finished runs. */
  onProgress?: (done: number, failed: number) => void;
}

export type ExecuteOutcome =
  | { ok: true; records: SweepRunRecord[] }
  | { ok: false; kind: 'bug' | 'error'; job: SweepJob | undefined; message: string };

const WORKER_FILE = fileURLToPath(new URL('./sweep-worker.js', import.meta.url));

/**
 * Chunks each worker holds at once. With one, a worker sat idle from posting a result until the main
 * process (busy with the other worker's result, the progress line, or another process on the core)
 * posted the next job; with two, the next chunk is already queued in its channel. More would only leave
 * jobs queued behind a slow worker at the end of the sweep.
 */
export const CHUNKS_AHEAD_PER_WORKER = 2;

/** The most jobs in one chunk. */
export const MAX_CHUNK = 50;

/**
 * How many jobs the next chunk gets: an eighth of each worker's share of the jobs left (guided
 * self-scheduling), at most MAX_CHUNK and at least 1, so chunks are large while many jobs are left and
 * single jobs at the end, when a worker left with a long chunk would keep the sweep waiting.
 */
export function chunkSize(remaining: number, workers: number): number {
  return Math.max(1, Math.min(MAX_CHUNK, Math.floor(remaining / (workers * 8))));
}

/**
 * A worker sends the results it holds once this many milliseconds (real time) have passed since its last
 * batch, so that the progress line moves while a chunk of long runs is played. Runs longer than this are
 * each sent as they finish.
 */
export const FLUSH_MS = 200;

/** The last bytes of a worker's stderr kept for the message when it dies (V8's fatal errors go there). */
const STDERR_KEPT_BYTES = 4096;

/**
 * When the workers take every core, each worker's functions are optimised only after 4 times the default
 * interrupt budget of Node 20's V8 (67,584 bytes of bytecode run; measured on Node 20 only: later V8s
 * start from other defaults, and the flag is the same there). A sweep worker kept V8's optimising compiler
 * busy all its life: functions played once per run (building the cluster, a Kubelet, judging the SLOs)
 * reach the default budget one after another hundreds of runs in, and their compiles are the largest (a
 * third of a worker's CPU for 500 demo runs was the compiler's threads). With the workers on every core
 * that work takes CPU from the runs; with 4 times the budget the compiler's threads took about half the
 * CPU (bench/README.md#sweeps) for a little more on the worker's own thread, since the hot code is
 * optimised all the same, a few runs later.
 */
export const WORKER_INTERRUPT_BUDGET_FLAG = '--interrupt-budget=270336';

/**
 * The V8 flags of a worker process. Each gets hasim's young generation (heap.ts). When the workers take
 * every core, each collects its garbage on its own thread (`--single-threaded-gc`) instead of V8's
 * helper threads, which would compete with the other workers for the cores: of the flags measured
 * (bench/README.md#sweeps, 500 demo runs in one process) it took the least CPU, less than
 * `--single-threaded` (which compiles on the worker's thread too) and about a fifth less than none; and
 * it optimises less eagerly (WORKER_INTERRUPT_BUDGET_FLAG). With cores to spare, V8's defaults are left
 * on, so that its helper threads can use a free core.
 */
export function workerExecArgv(workers: number, cores: number = availableParallelism()): string[] {
  return workers >= cores ? [SEMI_SPACE_FLAG, '--single-threaded-gc', WORKER_INTERRUPT_BUDGET_FLAG] : [SEMI_SPACE_FLAG];
}

export function executeSweep(opts: ExecuteOptions): Promise<ExecuteOutcome> {
  const { jobs } = opts;
  const count = Math.max(1, Math.min(opts.workers, jobs.length));
  const records: SweepRunRecord[] = [];
  let next = 0;
  let failed = 0;
  let settled = false;
  const pool: ChildProcess[] = [];
  const killAll = (): void => {
    for (const w of pool) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  };

  return new Promise((resolve) => {
    const finish = (outcome: ExecuteOutcome): void => {
      if (settled) return;
      settled = true;
      process.off('exit', killAll);
      killAll();
      if (outcome.ok) outcome.records.sort((a, b) => a.index - b.index);
      resolve(outcome);
    };
    if (jobs.length === 0) return finish({ ok: true, records });
    process.on('exit', killAll);

    const held = new HeldJobs();
    const feed = (w: ChildProcess): void => {
      while (held.chunks(w) < CHUNKS_AHEAD_PER_WORKER && next < jobs.length) {
        const chunk = jobs.slice(next, next + chunkSize(jobs.length - next, count));
        next += chunk.length;
        held.add(w, chunk);
        send(w, { kind: 'jobs', jobs: chunk });
      }
      if (held.done(w) && held.allDone()) finish({ ok: true, records });
    };

    const data: WorkerData = {
      text: opts.text,
      file: opts.file,
      pointSets: opts.pointSets,
      allowLarge: opts.allowLarge,
    };
    const execArgv = workerExecArgv(count);
    for (let i = 0; i < count; i++) {
      const w: ChildProcess = startWorker(execArgv, {
        reply: (reply) => {
          if (settled) return;
          if (reply.kind !== 'done')
            return finish({ ok: false, kind: reply.kind, job: reply.job, message: reply.message });
          held.reported(w, reply.records.length);
          for (const record of reply.records) {
            records.push(record);
            if (!record.passed) failed++;
          }
          opts.onProgress?.(records.length, failed);
          feed(w);
        },
        died: (message) => finish({ ok: false, kind: 'error', job: held.first(w), message }),
        // Stopped by the user (Ctrl-C reaches every process of the group, the worker first at times): the
        // sweep stops as if the main process had been sent the signal, through its handler (signals.ts).
        stopped: (signal) => {
          if (!settled) process.kill(process.pid, signal);
        },
      });
      pool.push(w);
      send(w, { kind: 'setup', data });
      feed(w);
    }
  });
}

/** The jobs each worker holds and has not reported yet, in the order it plays them, and their chunks. */
class HeldJobs {
  private readonly jobs = new Map<ChildProcess, SweepJob[]>();
  /** How many of each worker's jobs are in each of its chunks (a batch of results never spans two). */
  private readonly sizes = new Map<ChildProcess, number[]>();

  add(w: ChildProcess, chunk: SweepJob[]): void {
    const jobs = this.jobs.get(w) ?? [];
    jobs.push(...chunk);
    this.jobs.set(w, jobs);
    const sizes = this.sizes.get(w) ?? [];
    sizes.push(chunk.length);
    this.sizes.set(w, sizes);
  }

  /** The worker sent back its next n results. */
  reported(w: ChildProcess, n: number): void {
    this.jobs.get(w)?.splice(0, n);
    const sizes = this.sizes.get(w);
    if (!sizes?.length) return;
    sizes[0] -= n;
    if (sizes[0] <= 0) sizes.shift();
  }

  chunks(w: ChildProcess): number {
    return this.sizes.get(w)?.length ?? 0;
  }

  /** The job the worker is playing (or has played without reporting it yet). */
  first(w: ChildProcess): SweepJob | undefined {
    return this.jobs.get(w)?.[0];
  }

  /** True when the worker holds no job; it is then forgotten. */
  done(w: ChildProcess): boolean {
    if (this.jobs.get(w)?.length) return false;
    this.jobs.delete(w);
    this.sizes.delete(w);
    return true;
  }

  allDone(): boolean {
    return this.jobs.size === 0;
  }
}

/** A worker that died is reported when it closes, with the job it was playing: nothing to send to. */
function send(w: ChildProcess, request: WorkerRequest): void {
  if (w.connected) w.send(request);
}

interface WorkerEvents {
  reply: (reply: WorkerReply) => void;
  /** The worker could not be started or died: why, in a sentence (with the end of its stderr). */
  died: (message: string) => void;
  /** The worker was stopped by SIGINT or SIGTERM. */
  stopped: (signal: 'SIGINT' | 'SIGTERM') => void;
}

function startWorker(execArgv: string[], on: WorkerEvents): ChildProcess {
  const w = fork(WORKER_FILE, [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  w.stderr?.setEncoding('utf8');
  w.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT_BYTES);
  });
  w.on('message', on.reply);
  w.on('error', (err) => {
    // Only if the worker could not be started: one that dies is reported by its exit.
    if (w.pid === undefined) on.died(`a sweep worker could not be started: ${err.message}`);
  });
  // 'close' rather than 'exit': by then all it wrote to stderr has been read.
  w.on('close', (code, signal) => {
    if (signal === 'SIGINT' || signal === 'SIGTERM') return on.stopped(signal);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const said = stderr.trim();
    on.died(
      `a sweep worker (process ${w.pid}) ${how} before it finished its runs${said ? `; it wrote:\n${said}` : ''}`,
    );
  });
  return w;
}

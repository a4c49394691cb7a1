// Spreads the runs of a sweep over worker threads. Each worker is started once and gets the scenario
// text and the --set list of every grid point, then jobs as it finishes them: it always holds
// JOBS_AHEAD_PER_WORKER of them (one running, the rest queued in its message port), so it never waits
// for the main thread between two runs, and a slow grid point still does not leave the other workers
// idle while jobs remain. Results come back in completion order and are returned
// sorted by job index, so nothing downstream sees how many workers there were or who finished first.
import { Worker } from 'node:worker_threads';
import { WORKER_YOUNG_GENERATION_MIB } from './heap.js';
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

export type WorkerReply =
  | { kind: 'done'; job: SweepJob; record: SweepRunRecord }
  /** A SimulationBug: a bug in hasim found by this run. */
  | { kind: 'bug'; job: SweepJob; message: string }
  /** Anything else that went wrong in the worker. */
  | { kind: 'error'; job: SweepJob | undefined; message: string };

export interface ExecuteOptions extends WorkerData {
  jobs: SweepJob[];
  workers: number;
  /** Called after each finished run. */
  onProgress?: (done: number, failed: number) => void;
}

export type ExecuteOutcome =
  | { ok: true; records: SweepRunRecord[] }
  | { ok: false; kind: 'bug' | 'error'; job: SweepJob | undefined; message: string };

const WORKER_URL = new URL('./sweep-worker.js', import.meta.url);

/**
 * Jobs each worker holds at once. With one, a worker sat idle from posting a result until the main
 * thread (busy with the other worker's result, the progress line, or another process on the core)
 * posted the next job; with two, the next job is already queued in its port. More would only leave
 * jobs queued behind a slow worker at the end of the sweep.
 */
export const JOBS_AHEAD_PER_WORKER = 2;

export function executeSweep(opts: ExecuteOptions): Promise<ExecuteOutcome> {
  const { jobs } = opts;
  const count = Math.max(1, Math.min(opts.workers, jobs.length));
  const records: SweepRunRecord[] = [];
  let next = 0;
  let failed = 0;
  let settled = false;
  const pool: Worker[] = [];

  return new Promise((resolve) => {
    const finish = (outcome: ExecuteOutcome): void => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (outcome.ok) outcome.records.sort((a, b) => a.index - b.index);
      resolve(outcome);
    };
    if (jobs.length === 0) return finish({ ok: true, records });

    /** Each worker's jobs, in the order it runs them: the first is running. */
    const inFlight = new Map<Worker, SweepJob[]>();
    const feed = (w: Worker): void => {
      const mine = inFlight.get(w) ?? [];
      inFlight.set(w, mine);
      while (mine.length < JOBS_AHEAD_PER_WORKER && next < jobs.length) {
        const job = jobs[next++];
        mine.push(job);
        w.postMessage(job);
      }
      if (mine.length === 0) {
        inFlight.delete(w);
        if (inFlight.size === 0) finish({ ok: true, records });
      }
    };

    const workerData: WorkerData = {
      text: opts.text,
      file: opts.file,
      pointSets: opts.pointSets,
      allowLarge: opts.allowLarge,
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(WORKER_URL, {
        workerData,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MIB },
      });
      pool.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (settled) return;
        if (reply.kind !== 'done')
          return finish({ ok: false, kind: reply.kind, job: reply.job, message: reply.message });
        inFlight.get(w)?.shift();
        records.push(reply.record);
        if (!reply.record.passed) failed++;
        opts.onProgress?.(records.length, failed);
        feed(w);
      });
      w.on('error', (err) =>
        finish({ ok: false, kind: 'error', job: inFlight.get(w)?.[0], message: err.stack ?? err.message }),
      );
      w.on('exit', (code) => {
        if (!settled)
          finish({
            ok: false,
            kind: 'error',
            job: inFlight.get(w)?.[0],
            message: `a sweep worker exited unexpectedly (code ${code})`,
          });
      });
      feed(w);
    }
  });
}

// Spreads the runs of a sweep over worker threads. Each worker gets the scenario text and the --set
// list of every grid point, then one job at a time: an idle worker gets the next job, so a slow grid
// point does not leave the other workers idle. Results come back in completion order and are returned
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

    const inFlight = new Map<Worker, SweepJob>();
    const feed = (w: Worker): void => {
      if (next < jobs.length) {
        const job = jobs[next++];
        inFlight.set(w, job);
        w.postMessage(job);
      } else {
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
        records.push(reply.record);
        if (!reply.record.passed) failed++;
        opts.onProgress?.(records.length, failed);
        feed(w);
      });
      w.on('error', (err) =>
        finish({ ok: false, kind: 'error', job: inFlight.get(w), message: err.stack ?? err.message }),
      );
      w.on('exit', (code) => {
        if (!settled)
          finish({
            ok: false,
            kind: 'error',
            job: inFlight.get(w),
            message: `a sweep worker exited unexpectedly (code ${code})`,
          });
      });
      feed(w);
    }
  });
}

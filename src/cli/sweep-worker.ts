// One worker process of `hasim sweep` (started by sweep-workers.ts with child_process.fork): its first
// message is the scenario text and the --set list of every grid point; it parses the scenario itself
// (once per grid point it is given) and plays the chunks of jobs that follow, one run at a time in the
// order they came, sending the results back in batches (at the end of each chunk, and once FLUSH_MS have
// passed since the last batch). Kept to the runner and scenario modules so that a worker starts quickly
// (no report renderers). Between two runs it returns to the event loop, so it sees at once when the main
// process closes the channel (also when the main process died without killing it: the channel closes
// with it) and stops: a worker never outlives its sweep by more than the run it is in.
import { SimulationBug } from '../engine/index.js';
import { formatIssues, parseScenarioText } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import type { SweepJob, SweepRunRecord } from '../runner/sweep.js';
import { runSweepJob } from '../runner/sweep-job.js';
import { FLUSH_MS, type WorkerData, type WorkerReply, type WorkerRequest } from './sweep-workers.js';

let data: WorkerData | undefined;
const scenarios = new Map<number, Scenario>();

function scenarioFor(setup: WorkerData, point: number): Scenario {
  let scenario = scenarios.get(point);
  if (!scenario) {
    const parsed = parseScenarioText(setup.text, {
      file: setup.file,
      sets: setup.pointSets[point],
      allowLarge: setup.allowLarge,
    });
    // The main process validated every grid point before starting any worker.
    if (!parsed.ok)
      throw new Error(`grid point ${point + 1} did not validate in a worker:\n${formatIssues(parsed.issues)}`);
    scenario = parsed.scenario;
    scenarios.set(point, scenario);
  }
  return scenario;
}

function run(job: SweepJob): WorkerReply {
  try {
    if (!data) throw new Error('a sweep worker was sent a job before the scenario');
    const record = runSweepJob(scenarioFor(data, job.point), job, {
      scenarioArg: data.file,
      sets: data.pointSets[job.point],
      allowLarge: data.allowLarge,
    });
    return { kind: 'done', records: [record] };
  } catch (err) {
    return err instanceof SimulationBug
      ? { kind: 'bug', job, message: err.message }
      : { kind: 'error', job, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

/** The jobs to play, in order; `last` marks the last job of a chunk, whose results are sent at once. */
const queue: Array<{ job: SweepJob; last: boolean }> = [];
/** Results not sent yet. */
let batch: SweepRunRecord[] = [];
let lastSentMs = performance.now();
let scheduled = false;
let failed = false;

function send(reply: WorkerReply): void {
  // The main process may have finished (or died) while a run was played: nobody is left to answer.
  if (!process.connected) return process.exit(0);
  process.send!(reply);
}

/** Plays the next job, then gives the event loop a turn (messages, a closed channel) before the one after. */
function playNext(): void {
  scheduled = false;
  if (!process.connected) return process.exit(0);
  const next = queue.shift();
  if (!next || failed) return;
  const reply = run(next.job);
  if (reply.kind !== 'done') {
    // The sweep stops on the first failure: the results held back no longer matter.
    failed = true;
    return send(reply);
  }
  batch.push(...reply.records);
  const now = performance.now();
  if (next.last || queue.length === 0 || now - lastSentMs >= FLUSH_MS) {
    send({ kind: 'done', records: batch });
    batch = [];
    lastSentMs = now;
  }
  schedule();
}

function schedule(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  setImmediate(playNext);
}

process.on('message', (message: WorkerRequest) => {
  if (message.kind === 'setup') {
    data = message.data;
    return;
  }
  message.jobs.forEach((job, i) => queue.push({ job, last: i === message.jobs.length - 1 }));
  schedule();
});
process.on('disconnect', () => process.exit(0));

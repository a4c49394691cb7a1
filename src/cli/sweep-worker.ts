// One worker process of `hasim sweep` (started by sweep-workers.ts with child_process.fork): its first
// message is the scenario text and the --set list of every grid point; it parses the scenario itself
// (once per grid point it is given) and runs the jobs that follow one at a time, answering each with its
// result. Kept to the runner and scenario modules so that a worker starts quickly (no report renderers).
// It stops when the main process closes the channel (also when the main process died without killing
// it: the channel closes with it), so a worker never outlives its sweep by more than the run it is in.
import { SimulationBug } from '../engine/index.js';
import { formatIssues, parseScenarioText } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import type { SweepJob } from '../runner/sweep.js';
import { runSweepJob } from '../runner/sweep-job.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './sweep-workers.js';

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
    return { kind: 'done', job, record };
  } catch (err) {
    return err instanceof SimulationBug
      ? { kind: 'bug', job, message: err.message }
      : { kind: 'error', job, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

process.on('message', (message: WorkerRequest) => {
  if (message.kind === 'setup') {
    data = message.data;
    return;
  }
  const reply = run(message.job);
  // The main process may have finished (or died) while this run was played: nobody is left to answer.
  if (!process.connected) return process.exit(0);
  process.send!(reply);
});
process.on('disconnect', () => process.exit(0));

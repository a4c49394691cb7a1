// One worker thread of `hasim sweep`: it parses the scenario text itself (once per grid point it is
// given) and runs the jobs the main thread sends it one at a time, answering each with its result.
// Kept to the runner and scenario modules so that a worker starts quickly (no report renderers).
import { parentPort, workerData } from 'node:worker_threads';
import { SimulationBug } from '../engine/index.js';
import { formatIssues, parseScenarioText } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import type { SweepJob } from '../runner/sweep.js';
import { runSweepJob } from '../runner/sweep-job.js';
import type { WorkerData, WorkerReply } from './sweep-workers.js';

const data = workerData as WorkerData;
const scenarios = new Map<number, Scenario>();

function scenarioFor(point: number): Scenario {
  let scenario = scenarios.get(point);
  if (!scenario) {
    const parsed = parseScenarioText(data.text, {
      file: data.file,
      sets: data.pointSets[point],
      allowLarge: data.allowLarge,
    });
    // The main thread validated every grid point before starting any worker.
    if (!parsed.ok)
      throw new Error(`grid point ${point + 1} did not validate in a worker:\n${formatIssues(parsed.issues)}`);
    scenario = parsed.scenario;
    scenarios.set(point, scenario);
  }
  return scenario;
}

parentPort!.on('message', (job: SweepJob) => {
  let reply: WorkerReply;
  try {
    const record = runSweepJob(scenarioFor(job.point), job, {
      scenarioArg: data.file,
      sets: data.pointSets[job.point],
      allowLarge: data.allowLarge,
    });
    reply = { kind: 'done', job, record };
  } catch (err) {
    reply =
      err instanceof SimulationBug
        ? { kind: 'bug', job, message: err.message }
        : { kind: 'error', job, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});

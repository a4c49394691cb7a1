// One run of a sweep, as a worker process plays it. Apart from sweep.ts so that planning and aggregating
// a sweep (the main process, \`hasim sweep merge\`) does not load the simulator.
import type { Scenario } from '../scenario/types.js';
import { runScenario } from './run-scenario.js';
import { toRunRecord, type SweepJob, type SweepRunRecord } from './sweep.js';

/**
 * Runs one job on an already validated scenario (the grid point's). A SimulationBug propagates: the
 * caller reports it with the seed and settings.
 */
export function runSweepJob(
  scenario: Scenario,
  job: SweepJob,
  reproduce: { scenarioArg: string; sets: string[]; allowLarge?: boolean },
): SweepRunRecord {
  const { summary } = runScenario(scenario, { seed: job.seed, reproduce });
  return toRunRecord(job, summary);
}

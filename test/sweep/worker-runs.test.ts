// A sweep worker plays run after run in one thread (cli/sweep-worker.ts): whatever a run leaves behind in
// the process (the kernel's reused event objects and lists are per simulator, the leader-election chains
// per run context) must not change the next run. Played in-process, as a worker plays them.
import { readFileSync } from 'node:fs';
import { runSweepJob } from '../../src/runner/sweep-job.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';

const DEMO = readFileSync(new URL('../../scenarios/demo.yaml', import.meta.url), 'utf8');

function demo(sets: string[] = []): Scenario {
  const parsed = parseScenarioText(DEMO, { file: 'demo.yaml', sets });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

describe('runs one after another in a sweep worker', () => {
  it('gives each seed the same record whatever ran before it in the thread', () => {
    const scenario = demo();
    const grace = demo(['spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s']);
    const run = (s: Scenario, seed: number, point = 0) =>
      runSweepJob(s, { index: seed, point, seed }, { scenarioArg: 'demo.yaml', sets: [] });
    // Seeds 1-3 in order, then in reverse with a run of another grid point between each, then 1 again.
    const forward = [1, 2, 3].map((seed) => run(scenario, seed));
    const backward = new Map<number, ReturnType<typeof run>>();
    const other: Array<ReturnType<typeof run>> = [];
    for (const seed of [3, 2, 1]) {
      backward.set(seed, run(scenario, seed));
      other.push(run(grace, seed, 1));
    }
    expect(backward.get(1)).toEqual(forward[0]);
    expect(backward.get(2)).toEqual(forward[1]);
    expect(backward.get(3)).toEqual(forward[2]);
    expect(run(scenario, 1)).toEqual(forward[0]);
    // The seeds differ from each other, and the other grid point from the demo: the comparison can fail.
    expect(new Set(forward.map((r) => JSON.stringify(r.slos))).size).toBeGreaterThan(1);
    expect(other[2].slos).not.toEqual(forward[0].slos);
  });
});

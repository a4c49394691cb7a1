// The CLI plays a run in steps (startRun/advance) to show progress and to stop on a signal between
// steps. Steps must change nothing: every scenario, played to successive horizons of uneven lengths,
// gives its golden trace byte for byte.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from '../../src/engine/index.js';
import { startRun } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { goldenCases, goldenKey, readGolden } from '../../tools/golden.js';

const golden = readGolden();
// Seed 1 of every scenario, with and without heartbeats traced.
const cases = goldenCases().filter((c) => c.seed === 1);

it.each(cases.map((c) => [goldenKey(c), c] as const))('%s played in steps gives its golden trace', (key, c) => {
  const text = readFileSync(join('scenarios', c.file), 'utf8');
  const parsed = parseScenarioText(text, { file: c.file });
  if (!parsed.ok) throw new Error(`${c.file} does not validate`);
  const run = startRun(parsed.scenario, { seed: c.seed, traceHeartbeats: c.heartbeats });
  // Uneven steps: 1 ms, then prime-sized ones, some landing exactly on event times (whole seconds).
  const steps = [1, 997, 5_000, 7_919, 10_000, 30_011, 60_000];
  let at = 0;
  for (let i = 0; !run.advance(at); i++) at += steps[i % steps.length];
  const hash = createHash('sha256').update(toJsonl(run.finish().events)).digest('hex');
  expect(hash).toBe(golden[key]);
});

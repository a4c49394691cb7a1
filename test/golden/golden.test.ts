// Golden traces (tools/golden.ts): every scenario in scenarios/, seeds 1-3, heartbeats traced and not,
// must give the events.jsonl whose SHA-256 is committed in test/golden/golden.json. A difference is a
// change of the model's behaviour: if it is intended, run `npm run golden -- --update` and name the change
// in the commit message.
import { goldenCases, goldenHash, goldenKey, readGolden } from '../../tools/golden.js';

const golden = readGolden();
const cases = goldenCases();

it('the committed list has exactly one hash per scenario, seed and heartbeat setting', () => {
  expect(Object.keys(golden).sort()).toEqual(cases.map(goldenKey).sort());
});

it.each(cases.map((c) => [goldenKey(c), c] as const))('%s gives its golden trace', (key, c) => {
  const hash = goldenHash(c);
  if (hash !== golden[key])
    throw new Error(
      `the trace of ${key} changed (sha256 ${hash}, golden ${golden[key]}). If this model change is intended, ` +
        'run `npm run golden -- --update` and name the change in the commit message.',
    );
});

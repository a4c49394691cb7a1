// A fixed set of vopr seeds on every test run (npm run vopr runs thousands): each generated scenario must
// validate, run without a bug in hasim, give the same trace with the fast paths and with the reference
// behaviour, and keep the run invariants. A failure prints what `npm run vopr -- --seed N` would.
import { stringify } from 'yaml';
import { generateScenario } from '../../tools/vopr/generate.js';
import { shrink, voprSeed, type VoprFailure } from '../../tools/vopr.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

it.each(SEEDS)('seed %d: fast paths equal the reference and every invariant holds', (seed) => {
  const failure = voprSeed(seed);
  if (failure) throw new Error(`${failure.kind}: ${failure.message}\nreproduce: npm run vopr -- --seed ${seed}`);
});

it('generates the same scenario from the same seed, and another from another seed', () => {
  expect(stringify(generateScenario(7))).toBe(stringify(generateScenario(7)));
  expect(stringify(generateScenario(7))).not.toBe(stringify(generateScenario(8)));
});

it('generates every fault type over the first seeds', () => {
  const types = new Set<string>();
  for (let seed = 1; seed <= 200; seed++) for (const f of generateScenario(seed).spec.faults) types.add(f.type);
  expect([...types].sort()).toEqual(
    [
      'apiserver-outage',
      'clock-skew',
      'controller-manager-crash',
      'etcd-member-down',
      'kubelet-stop',
      'network-degrade',
      'network-partition',
      'node-crash',
      'node-delete',
      'node-out-of-service',
      'pod-force-delete',
      'scheduler-crash',
      'zone-outage',
    ].sort(),
  );
});

it('shrinks a failing scenario to the parts that make it fail', () => {
  // An invalid fault makes the scenario fail validation; shrinking keeps only what still fails that way.
  const raw = generateScenario(3);
  raw.spec.faults.push({ name: 'bad', type: 'node-crash', at: '1m', target: { node: 'no-such-node' } });
  const failure: VoprFailure = { seed: 3, kind: 'invalid', message: '' };
  const small = shrink(raw, failure, false);
  expect(small.spec.faults.map((f: { name: string }) => f.name)).toEqual(['bad']);
  expect(small.spec.slos).toEqual([]);
});

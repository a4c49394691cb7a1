// The traffic meter's faster forms against the plain ones (docs/fidelity.md#traffic): kube-proxy's
// in-place slice comparison (sameFlattened) against comparing the flat lists, on randomized slice lists,
// and a Service scenario's whole trace with the meter's kept outcomes (fast-paths.ts trafficKeptOutcomes)
// against the reference, which works everything out at every evaluation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng, type Rng } from '../../../src/engine/index.js';
import type { Endpoint } from '../../../src/k8s/services.js';
import { ALL_FAST_PATHS } from '../../../src/model/fast-paths.js';
import { sameFlattened } from '../../../src/model/proxy/kube-proxy.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

function endpoint(rng: Rng, pods: number): Endpoint {
  const ready = rng.chance(0.7);
  return {
    pod: `p${rng.int(0, pods)}`,
    nodeName: 'n',
    zone: 'z',
    ready,
    serving: ready || rng.chance(0.5),
    terminating: !ready && rng.chance(0.5),
  };
}

/** Plain: concatenate and compare as kube-proxy's sameList does. */
function plain(a: readonly (readonly Endpoint[])[], b: readonly (readonly Endpoint[])[]): boolean {
  const x = a.flat();
  const y = b.flat();
  return (
    x.length === y.length &&
    x.every(
      (e, i) =>
        e.pod === y[i].pod &&
        e.ready === y[i].ready &&
        e.serving === y[i].serving &&
        e.terminating === y[i].terminating,
    )
  );
}

describe('kube-proxy: the fleet is behind exactly when the flat lists differ', () => {
  it('sameFlattened agrees with comparing the concatenated slices on 5,000 random cases', () => {
    const rng = makeRng('traffic-fast-paths');
    let equal = 0;
    for (let c = 0; c < 5000; c++) {
      const pods = rng.int(1, 6);
      const a = Array.from({ length: rng.int(0, 4) }, () =>
        Array.from({ length: rng.int(0, 3) }, () => endpoint(rng, pods)),
      );
      // b: a's slices, some shared as they are, some copied, changed, split, merged, emptied or added.
      const b: Endpoint[][] = [];
      for (const s of a) {
        const r = rng.int(0, 5);
        if (r <= 1) b.push(s);
        else if (r === 2) b.push([...s]);
        else if (r === 3 && s.length > 1) b.push(s.slice(0, 1), s.slice(1));
        else if (r === 4) b.push(s.map((e) => (rng.chance(0.5) ? { ...e, ready: !e.ready } : e)));
        else b.push([]);
      }
      if (rng.chance(0.2)) b.push([endpoint(rng, pods)]);
      if (rng.chance(0.1) && b.length > 1) b.splice(0, 2, [...b[0], ...b[1]]);
      const same = plain(a, b);
      if (same) equal++;
      expect([c, sameFlattened(a, b)]).toEqual([c, same]);
      expect([c, sameFlattened(b, a)]).toEqual([c, same]);
    }
    // Both answers occur often.
    expect(equal).toBeGreaterThan(500);
    expect(equal).toBeLessThan(4500);
  });
});

describe('traffic meter: kept outcomes give the reference trace', () => {
  test.each(['service-node-crash.yaml', 'service-zone-partition.yaml'])('%s, seeds 1-3', (file) => {
    const text = readFileSync(join(process.cwd(), 'scenarios', file), 'utf8');
    for (const seed of [1, 2, 3]) {
      const parsed = parseScenarioText(text, { file, sets: [`spec.seed=${seed}`] });
      if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
      const fast = runScenario(parsed.scenario, {}).events.filter((e) => e.type === 'service.traffic.changed');
      const ref = runScenario(parsed.scenario, {
        fastPaths: { ...ALL_FAST_PATHS, trafficKeptOutcomes: false },
      }).events.filter((e) => e.type === 'service.traffic.changed');
      expect(fast.length).toBeGreaterThan(2);
      expect(fast).toEqual(ref);
    }
  });
});

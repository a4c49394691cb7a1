// Fast path sliceMiddles (fast-paths.ts, proxy/kube-proxy.ts forChangedEndpoints): a slice written since is
// compared with the one it replaces from both ends, and only the endpoints between their common head and
// tail leave and enter kube-proxy's routed pods and the traffic meter's picked lists. Checked against the
// plain way (the whole old slice out, the whole new one in) on random histories of slice writes, and whole
// traces byte for byte (the fast path off, and every fast path off) where slices are rewritten endpoint by
// endpoint: a zone's pods marked NotReady one by one, a rollout, nodes crashing.
import { makeRng } from '../../../src/engine/index.js';
import type { Endpoint } from '../../../src/k8s/services.js';
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { forChangedEndpoints } from '../../../src/model/proxy/kube-proxy.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import type { Scenario } from '../../../src/scenario/index.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

/** Pods by how many endpoints of the lists each has, after applying the calls to `counts`. */
function apply(
  counts: Map<string, number>,
  a: readonly (readonly Endpoint[])[],
  b: readonly (readonly Endpoint[])[],
  middles: boolean,
): number {
  let calls = 0;
  let entered = false;
  forChangedEndpoints(
    a,
    b,
    middles,
    (e) => {
      // Every leave comes before the first enter.
      if (entered) throw new Error('a leave after an enter');
      calls++;
      const n = counts.get(e.pod)! - 1;
      if (n === 0) counts.delete(e.pod);
      else counts.set(e.pod, n);
    },
    (e) => {
      entered = true;
      calls++;
      counts.set(e.pod, (counts.get(e.pod) ?? 0) + 1);
    },
  );
  return calls;
}

function countsOf(lists: readonly (readonly Endpoint[])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lists) for (const e of l) m.set(e.pod, (m.get(e.pod) ?? 0) + 1);
  return m;
}

const sorted = (m: Map<string, number>) => [...m].sort((x, y) => (x[0] < y[0] ? -1 : 1));

describe('forChangedEndpoints moves the counts as the plain way does', () => {
  it('on 300 random histories of 50 slice writes each', () => {
    const rng = makeRng('slice-middles');
    let fewer = 0;
    for (let c = 0; c < 300; c++) {
      const ep = (pod: string, ready = true): Endpoint =>
        ({ pod, ready, serving: ready, terminating: false }) as unknown as Endpoint;
      let slices: (readonly Endpoint[])[] = Array.from({ length: rng.int(0, 4) }, (_, s) =>
        Array.from({ length: rng.int(0, 12) }, (_, i) => ep(`p-${s}-${i}`)),
      );
      const middle = countsOf(slices);
      const plain = countsOf(slices);
      for (let step = 0; step < 50; step++) {
        const next = slices.slice();
        const r = rng.int(0, 9);
        if (r === 0) next.push(Array.from({ length: rng.int(0, 5) }, (_, i) => ep(`n-${step}-${i}`)));
        else if (r === 1 && next.length > 0) next.splice(rng.int(0, next.length - 1), 1);
        else if (r === 2 && next.length > 1) next.reverse();
        else if (next.length > 0) {
          // One slice rewritten: a new list keeping the other endpoints as the same objects.
          const at = rng.int(0, next.length - 1);
          const list = next[at].slice();
          const k = rng.int(0, 2);
          if (k === 0 && list.length > 0) list.splice(rng.int(0, list.length - 1), 1);
          else if (k === 1) list.splice(rng.int(0, list.length), 0, ep(`m-${step}`, rng.chance(0.5)));
          else if (list.length > 0) {
            const i = rng.int(0, list.length - 1);
            list[i] = ep(list[i].pod, !list[i].ready);
          }
          next[at] = list;
        }
        const slow = apply(plain, slices, next, false);
        const fast = apply(middle, slices, next, true);
        if (fast < slow) fewer++;
        const want = JSON.stringify(sorted(countsOf(next)));
        const got = JSON.stringify(sorted(middle));
        if (got !== want || JSON.stringify(sorted(plain)) !== want) {
          expect([c, step, got]).toEqual([c, step, want]);
          expect([c, step, JSON.stringify(sorted(plain))]).toEqual([c, step, want]);
        }
        slices = next;
      }
    }
    // Most rewrites of one endpoint move fewer endpoints than the whole slices.
    expect(fewer).toBeGreaterThan(5_000);
  });

  it('moves one endpoint out and one in for one endpoint rewritten in the middle of a slice', () => {
    const eps = Array.from({ length: 100 }, (_, i) => ({ pod: `p-${i}` }));
    const other = Array.from({ length: 100 }, (_, i) => ({ pod: `q-${i}` }));
    const rewritten = eps.slice();
    rewritten[40] = { pod: 'p-40' };
    const moved: string[] = [];
    forChangedEndpoints(
      [eps, other],
      [rewritten, other],
      true,
      (e) => moved.push(`-${e.pod}`),
      (e) => moved.push(`+${e.pod}`),
    );
    expect(moved).toEqual(['-p-40', '+p-40']);
  });
});

/** cart's 250 endpoints in three slices on 15 nodes (five per zone); `faults`: YAML list items. */
function scenario(faults: string): Scenario {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: slice-middles }
spec:
  seed: 1
  duration: 8m
  kubernetes: { version: "1.31", apiServer: { replicas: 3 }, etcd: { members: 3 } }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker-a, count: 5, zone: zone-a }
    - { name: worker-b, count: 5, zone: zone-b }
    - { name: worker-c, count: 5, zone: zone-c }
  workloads:
    - kind: Deployment
      name: cart
      replicas: 250
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      probes: { readiness: { period: 5s, failureThreshold: 3 } }
      service: { traffic: { rate: 300, timeout: 1s } }
  faults:
${faults}`;
  const parsed = parseScenarioText(text, { file: 'slice-middles.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

const CASES: Array<[string, string]> = [
  [
    // The node lifecycle controller marks zone-a's pods NotReady: the slices are rewritten a few
    // endpoints at a time while their dead pods stay in the picked lists.
    'a zone powered off and back',
    `    - { name: zone-a-down, type: zone-outage, at: 1m, duration: 4m, target: { zone: zone-a } }`,
  ],
  [
    'pods failing their readiness probes, and a node crashing',
    `    - name: cart-failing
      type: app-degrade
      at: 1m
      duration: 1m
      target: { workload: Deployment/cart, pods: 30% }
      symptom: readiness
    - { name: crash, type: node-crash, at: 3m, duration: 2m, target: { node: worker-b-1 } }`,
  ],
];

describe('sliceMiddles gives the reference trace', () => {
  test.each(CASES)('%s, seeds 1-2', (_name, faults) => {
    const s = scenario(faults);
    const text = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n');
    for (const seed of [1, 2]) {
      const fast = runScenario(s, { seed }).events;
      const plain = runScenario(s, { seed, fastPaths: { ...ALL_FAST_PATHS, sliceMiddles: false } }).events;
      expect(text(plain)).toBe(text(fast));
      const reference = runScenario(s, { seed, fastPaths: REFERENCE_BEHAVIOUR }).events;
      expect(text(reference)).toBe(text(fast));
      // The case does what it is for: endpoints leave the ready set while the traffic meter sees dead ones.
      const changes = fast.filter((e) => e.type === 'service.traffic.changed');
      expect(changes.some((e) => (e as unknown as { deadEndpoints: number }).deadEndpoints > 0)).toBe(true);
      expect(fast.filter((e) => e.type === 'service.endpoints.changed').length).toBeGreaterThan(20);
    }
  });
});

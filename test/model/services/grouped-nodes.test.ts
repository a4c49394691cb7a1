// The traffic meter's grouped client nodes (fast-paths.ts trafficGroupedNodes), docs/fidelity.md#traffic:
// the powered-on nodes that do not follow the kube-proxy fleet, taken together by zone and shared rules
// map, with their stale-since times kept from one evaluation to the next, give the trace of one position
// per node, byte for byte (the fast path off, and every fast path off). The cases move what the groups
// depend on: nodes cut off from the control plane while a zone is off and coming back, kube-proxy stopped
// on a whole zone, a partition that makes the meter look at every node on its own and back, and clients
// weighted by zone (rates that are not whole numbers, added node by node).
import { ALL_FAST_PATHS, REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { TrafficMeter } from '../../../src/model/traffic/traffic-meter.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import type { Scenario } from '../../../src/scenario/index.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

/** Two Services on 15 nodes (five per zone); `faults`: YAML list items; `clients`: cart's clients. */
function scenario(faults: string, clients: string): Scenario {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: grouped-nodes }
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
      replicas: 150
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      probes: { readiness: { period: 5s, failureThreshold: 3 } }
      service: { traffic: { rate: 300, timeout: 1s, clients: ${clients} } }
    - kind: Deployment
      name: search
      replicas: 15
      spreadAcrossZones: true
      startup: { imagePull: 2s..10s, ready: 5s }
      service: { traffic: { rate: 300, timeout: 1s } }
  faults:
${faults}`;
  const parsed = parseScenarioText(text, { file: 'grouped-nodes.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

const ZONE_A_DOWN = `    - { name: zone-a-down, type: zone-outage, at: 1m, duration: 2m, target: { zone: zone-a } }`;

/** Name, faults, cart's clients. */
const CASES: Array<[string, string, string]> = [
  // zone-a's API server goes with its power: the nodes connected to it are cut off until their connection
  // closes (one group per moment of the fleet's rules), and zone-a's nodes boot with no rules at 3m.
  ['a zone powered off and back', ZONE_A_DOWN, 'nodes'],
  [
    // Every kube-proxy of zone-c stopped while zone-a is off: one group of five stopped nodes, stale.
    'kube-proxy stopped on a whole zone while another zone is off',
    `${ZONE_A_DOWN}
    - { name: proxy-stop, type: kube-proxy-stop, at: 1m30s, duration: 3m, target: { zone: zone-c } }`,
    'nodes',
  ],
  [
    // zone-c's five kube-proxies stop with zone-a's dead pods in their rules, while zone-b's nodes follow
    // the fleet, which drops them: zone-c's nodes stay stale since zone-a's workers went off (their zone's
    // time, taken when they left the fleet), after zone-b's nodes stopped being stale.
    'kube-proxy stopped on a whole zone while another zone’s workers are off',
    `    - { name: workers-a-down, type: node-crash, at: 1m, duration: 3m, target: { zone: zone-a } }
    - { name: proxy-stop, type: kube-proxy-stop, at: 1m20s, duration: 4m, target: { zone: zone-c } }`,
    'nodes',
  ],
  [
    // While worker-b-1 is cut off every node is looked at on its own; before and after, in groups.
    'a partition in the middle of a zone outage',
    `${ZONE_A_DOWN}
    - { name: proxy-stop, type: kube-proxy-stop, at: 50s, duration: 4m, target: { zone: zone-c } }
    - name: worker-b-1-cut
      type: network-partition
      at: 1m40s
      duration: 40s
      target: { node: worker-b-1 }
      from: { labels: {} }`,
    'nodes',
  ],
  [
    'clients weighted by zone while a zone is off',
    `${ZONE_A_DOWN}
    - { name: proxy-stop, type: kube-proxy-stop, at: 1m30s, duration: 3m, target: { zone: zone-b } }`,
    '{ zones: [{ zone: zone-a, weight: 3 }, { zone: zone-b, weight: 7 }, { zone: zone-c }] }',
  ],
];

/** The largest group of nodes the meter took together while fn ran. */
function largestGroup<T>(fn: () => T): [T, number] {
  const proto = TrafficMeter.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = proto.groupedView;
  let most = 0;
  proto.groupedView = function (this: unknown, ...args: unknown[]) {
    const view = saved.apply(this, args) as { groups: Array<{ members: unknown[] }> };
    for (const g of view.groups) most = Math.max(most, g.members.length);
    return view;
  };
  try {
    return [fn(), most];
  } finally {
    proto.groupedView = saved;
  }
}

describe('grouped client nodes give the trace of one position per node', () => {
  test.each(CASES)('%s, seeds 1-2', (_name, faults, clients) => {
    const s = scenario(faults, clients);
    const text = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n');
    for (const seed of [1, 2]) {
      const [fast, most] = largestGroup(() => runScenario(s, { seed }).events);
      // Nodes were taken together: some group had several of them.
      expect(most).toBeGreaterThan(1);
      const plain = runScenario(s, { seed, fastPaths: { ...ALL_FAST_PATHS, trafficGroupedNodes: false } }).events;
      expect(text(plain)).toBe(text(fast));
      const reference = runScenario(s, { seed, fastPaths: REFERENCE_BEHAVIOUR }).events;
      expect(text(reference)).toBe(text(fast));
      // The runs show what the groups are for: nodes behind the API server, and stale rules.
      const changes = fast.filter((e) => e.type === 'service.traffic.changed') as unknown as Array<{
        behindNodes: number;
        staleNodes: number;
      }>;
      expect(changes.some((c) => c.behindNodes > 1)).toBe(true);
      expect(changes.some((c) => c.staleNodes > 0)).toBe(true);
    }
  });
});

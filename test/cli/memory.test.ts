// A run that would not fit in this machine's memory is refused before anything is built, with the
// setting that lifts the limit (src/cli/memory.ts).
import { checkMemory, estimateRunBytes } from '../../src/cli/memory.js';
import { parseScenarioText, type Scenario } from '../../src/scenario/index.js';

function scenario(nodes: number, replicas: number): Scenario {
  const parsed = parseScenarioText(
    `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: m }
spec:
  duration: 1h
  nodes: [{ name: w, count: ${nodes}, zone: zone-a }]
  workloads: [{ kind: Deployment, name: web, replicas: ${replicas} }]
`,
    { file: 'm.yaml', allowLarge: true },
  );
  if (!parsed.ok) throw new Error('invalid');
  return parsed.scenario;
}

const GIB = 2 ** 30;

it('the estimate matches the scale benchmark: about 1 GiB for 5,000 nodes and 150,000 pods', () => {
  expect(estimateRunBytes(scenario(5000, 150_000)) / GIB).toBeCloseTo(1.0, 1);
});

it('over the heap limit: names NODE_OPTIONS', () => {
  expect(() => checkMemory(scenario(16_000, 1_000_000), 1, { heapLimitBytes: 4 * GIB, totalBytes: 24 * GIB })).toThrow(
    "hasim: this run needs about 4.7 GiB of memory (16,000 nodes, 1,000,000 pods), more than Node's heap limit here (4.0 GiB); raise it with NODE_OPTIONS=--max-old-space-size=6019",
  );
});

it("over the machine's memory with sweep workers: names --workers", () => {
  expect(() => checkMemory(scenario(5000, 150_000), 16, { heapLimitBytes: 4 * GIB, totalBytes: 8 * GIB })).toThrow(
    "hasim: 16 runs at once need about 15.6 GiB of memory (5,000 nodes, 150,000 pods each), more than this machine's 8.0 GiB; use fewer --workers",
  );
});

it('a run that fits passes', () => {
  expect(() =>
    checkMemory(scenario(5000, 150_000), 1, { heapLimitBytes: 4 * GIB, totalBytes: 24 * GIB }),
  ).not.toThrow();
});

// A node-pool upgrade of a whole cluster in a process of its own (started by upgrade-bench in run.ts):
// issue 17's speed target, "an upgrade of a 5,000-node pool (surge 10 %) simulates in under 60 s".
// `node upgrade-run.js <nodes>`: the cluster of the scale benchmark (bench/scale-scenario.ts: three zones,
// 30 pods a node in 30 zone-spread Deployments, three control-plane replicas) with no zone outage; at 5
// minutes every node is replaced by a surge upgrade (maxSurge 10 %, maxUnavailable 0): a new node is
// provisioned and boots, the old one is cordoned, drained through the Eviction API and deleted. Prints its
// figures as one JSON object; wall and CPU time cover the run as `hasim run` does it (building the cluster,
// simulating, judging the SLOs and summarising, not writing report files).
import { measureRun } from './measure-run.js';
import { scaleScenario } from './scale-scenario.js';
import type { Scenario } from '../src/scenario/types.js';
import type { ScaleFigures } from './scale-bench.js';

/** The same figures as a scale run's. */
export type UpgradeFigures = ScaleFigures;

/** The scale benchmark's cluster with one pool upgrade of every node instead of the zone outage. */
export function upgradeScenario(nodes: number): Scenario {
  const s = scaleScenario(nodes, nodes * 30);
  const spec = s.spec;
  return {
    metadata: { name: `pool-upgrade-${nodes}` },
    spec: {
      ...spec,
      durationMs: 40 * 60_000,
      nodes: spec.nodes.map((n) => ({ ...n, labels: { ...n.labels, pool: 'default' } })),
      faults: [
        {
          name: 'pool-upgrade',
          type: 'node-pool-upgrade',
          atMs: 5 * 60_000,
          target: { labels: { pool: 'default' } },
          maxSurge: { value: 10, percent: true },
          maxUnavailable: { value: 0, percent: false },
        },
      ],
      slos: [{ name: 'pool upgraded', type: 'upgrade-time', after: 'pool-upgrade', maxMs: 35 * 60_000 }],
    },
  };
}

if (process.argv[1]?.endsWith('upgrade-run.js')) {
  const nodes = Number(process.argv[2] ?? 5000);
  const scenario = upgradeScenario(nodes);
  const { figures } = measureRun(scenario, nodes, nodes * 30);
  process.stdout.write(JSON.stringify(figures) + '\n');
}

// One scale run in a process of its own (started by scale-bench.ts): `node scale-run.js <nodes> <pods>
// [zones|defaults|anti-affinity] [--services] [--probes] [--upgrade] [--autoscaler]` (how the workloads
// ask to be placed, bench/scale-scenario.ts; default zones; --services: a Service with traffic on every
// Deployment; --probes: readiness and liveness probes on every Deployment; --upgrade: a node-pool upgrade
// of zone-b's nodes, maxSurge 10%, at 30 minutes; --autoscaler: a cluster autoscaler with a node group per
// zone, and a cloud-controller-manager; --events=FILE: also writes the trace as events.jsonl to FILE, to
// compare two builds' traces byte for byte).
// Prints its figures as one JSON object. Wall and CPU time cover the run as `hasim run` does it: building
// the cluster, simulating, judging the SLOs and summarising (not writing report files).
import { writeFileSync } from 'node:fs';
import { toJsonl } from '../src/engine/index.js';
import { measureRun } from './measure-run.js';
import { type ScalePlacement, scaleScenario } from './scale-scenario.js';

const args = process.argv.slice(2);
const [nodes, pods] = args.filter((a) => !a.startsWith('--')).map(Number);
const placement = (args.filter((a) => !a.startsWith('--'))[2] ?? 'zones') as ScalePlacement;
if (placement !== 'zones' && placement !== 'defaults' && placement !== 'anti-affinity') {
  process.stderr.write(`scale-run: unknown placement ${placement} (zones, defaults or anti-affinity)\n`);
  process.exit(2);
}
// With anti-affinity the pods are 300 Deployments (500 pods each at 150,000): no two pods of one on a node.
const scenario = scaleScenario(
  nodes,
  pods,
  placement === 'anti-affinity' ? 300 : 30,
  placement,
  args.includes('--services'),
  args.includes('--probes'),
  args.includes('--upgrade'),
  args.includes('--autoscaler'),
);
const { figures, events } = measureRun(scenario, nodes, pods);
const eventsFile = args.find((a) => a.startsWith('--events='))?.slice('--events='.length);
if (eventsFile !== undefined) writeFileSync(eventsFile, toJsonl(events));
process.stdout.write(JSON.stringify(figures) + '\n');

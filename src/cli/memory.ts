// What this machine can run: a scenario's memory, estimated from its size before anything is built,
// against the V8 heap limit hasim runs with and the machine's memory. The estimate is fitted to the
// scale benchmark (bench/README.md: 500 nodes and 15,000 pods peak at about 270 MiB, 5,000 nodes and
// 150,000 pods at about 1,000 MiB): a base, plus about 46 KiB per node and 4 KiB per pod. It is
// rough; it is there to refuse in a second what would otherwise die of heap exhaustion after minutes.
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Scenario } from '../scenario/types.js';
import { BadInput } from './exit-codes.js';

const MIB = 2 ** 20;
const BASE_BYTES = 190 * MIB;
const NODE_BYTES = 46 * 1024;
const POD_BYTES = 4 * 1024;

/** Pods of a scenario: the replicas of every workload and a DaemonSet's pod on every node. */
export function podCount(scenario: Scenario): number {
  const nodes = scenario.spec.nodes.length;
  return scenario.spec.workloads.reduce((sum, w) => sum + (w.kind === 'DaemonSet' ? nodes : w.replicas), 0);
}

export function estimateRunBytes(scenario: Scenario): number {
  return BASE_BYTES + NODE_BYTES * scenario.spec.nodes.length + POD_BYTES * podCount(scenario);
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * Throws BadInput when `runs` runs of the scenario at once (sweep workers) would not fit: one run in
 * the heap limit, all of them in the machine's memory.
 */
export function checkMemory(
  scenario: Scenario,
  runs = 1,
  machine = { heapLimitBytes: getHeapStatistics().heap_size_limit, totalBytes: totalmem() },
): void {
  const need = estimateRunBytes(scenario);
  const size = `${scenario.spec.nodes.length.toLocaleString('en-US')} nodes, ${podCount(scenario).toLocaleString('en-US')} pods`;
  if (need * runs > machine.totalBytes)
    throw new BadInput(
      `hasim: ${runs > 1 ? `${runs} runs at once need` : 'this run needs'} about ${gib(need * runs)} of memory (${size}${runs > 1 ? ' each' : ''}), more than this machine's ${gib(machine.totalBytes)}${runs > 1 ? '; use fewer --workers' : ''}`,
    );
  if (need > machine.heapLimitBytes * 0.9)
    throw new BadInput(
      `hasim: this run needs about ${gib(need)} of memory (${size}), more than Node's heap limit here (${gib(machine.heapLimitBytes)}); raise it with NODE_OPTIONS=--max-old-space-size=${Math.ceil((need * 1.25) / MIB)}`,
    );
}

// The nodeLifecycleIdleTainting fast path (src/model/nodelifecycle/idle-tainting-loop.ts): the node
// lifecycle controller's NoExecute tainting pass (every 100 ms) sleeps while every zone queue is empty,
// and a node put into a queue schedules the next pass where the reference's would have been. Each case
// runs a scenario with the fast path and with a pass every 100 ms (the reference) and requires the same
// trace, byte for byte; each also checks that the case it is named after happened, and that the passes
// were skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from '../../../src/engine/index.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';
import type { Scenario } from '../../../src/scenario/types.js';
import type { TraceEvent } from '../../../src/trace/events.js';

function load(file: string, sets: string[] = []): Scenario {
  const path = join(process.cwd(), 'scenarios', file);
  const parsed = parseScenarioText(readFileSync(path, 'utf8'), { file: path, sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

function firstDivergence(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, k) => line !== y[k]);
  return `line ${i + 1}:\n  fast:      ${x[i]}\n  reference: ${y[i]}`;
}

/** Runs both ways; returns the fast run's events after checking that the traces are equal. */
function sameAsReference(scenario: Scenario, seed: number): TraceEvent[] {
  const fast = runScenario(scenario, { seed });
  const ref = runScenario(scenario, { seed, fastPaths: { nodeLifecycleIdleTainting: false } });
  const a = toJsonl(fast.events);
  const b = toJsonl(ref.events);
  if (a !== b) throw new Error(`seed ${seed}: traces diverge at ${firstDivergence(a, b)}`);
  // The passes over empty queues were skipped: ten a second of virtual time while a controller-manager
  // leads, less the busy ones.
  const skipped = ref.cluster.ctx.sim.dispatched - fast.cluster.ctx.sim.dispatched;
  expect(skipped).toBeGreaterThan(scenario.spec.durationMs / 100 / 4);
  return fast.events;
}

const noExecuteTaints = (events: TraceEvent[]) =>
  events.filter((e) => e.type === 'node.taint.added' && JSON.stringify(e).includes('NoExecute'));

describe('node lifecycle controller: the tainting pass sleeps while its queues are empty', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'a node queued for tainting after minutes of skipped passes is tainted at the same moment (node-crash, seed %d)',
    (seed) => {
      const events = sameAsReference(load('node-crash.yaml'), seed);
      expect(noExecuteTaints(events).length).toBeGreaterThan(0);
    },
  );

  it.each([1, 2, 3])(
    'a zone of nodes queued at once drains at the zone rate limit as with a pass every 100 ms (zone-outage, seed %d)',
    (seed) => {
      const events = sameAsReference(load('zone-outage.yaml'), seed);
      expect(noExecuteTaints(events).length).toBeGreaterThanOrEqual(3);
    },
  );

  it.each([1, 2, 3])(
    'a controller-manager leader that crashes while its pass sleeps leaves nothing behind; the new leader taints on time (seed %d)',
    (seed) => {
      const events = sameAsReference(load('leader-crash-during-node-failure.yaml'), seed);
      expect(events.some((e) => e.type === 'leader.acquired' && e.atMs > 90_000)).toBe(true);
      expect(noExecuteTaints(events).length).toBeGreaterThan(0);
    },
  );

  it.each([1, 2, 3])(
    "the skipped passes follow the leader's re-rated clock (clock-rate-split-brain, seed %d)",
    (seed) => {
      sameAsReference(load('clock-rate-split-brain.yaml'), seed);
    },
  );

  it.each([1, 2, 3])(
    'the pod eviction pass of evictionMode legacy sleeps and wakes the same way (node-crash on 1.26, seed %d)',
    (seed) => {
      const scenario = load('node-crash.yaml', [
        'spec.kubernetes.version="1.26"',
        'spec.kubernetes.controllerManager.evictionMode=legacy',
        'spec.kubernetes.controllerManager.podEvictionTimeout=1m',
      ]);
      const events = sameAsReference(scenario, seed);
      expect(events.some((e) => e.type === 'pod.deleted' && JSON.stringify(e).includes('pod-eviction-timeout'))).toBe(
        true,
      );
    },
  );

  it.each([1, 2, 3])('an API server outage or slow etcd during the tainting changes nothing (seed %d)', (seed) => {
    sameAsReference(load('apiserver-outage.yaml'), seed);
    sameAsReference(load('etcd-slow.yaml'), seed);
  });
});

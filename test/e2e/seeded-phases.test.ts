// Seeded phases (docs/fidelity.md#loops-and-pass-time): the control plane of a run stands for one that has
// been running for a while, so every periodic loop sits at a phase of its own in every seed. Measured over
// many seeds, detection and PodGC times must then fill the windows upstream's arithmetic gives, instead of
// the few values a loop grid anchored at t = 0 allowed (31.1 s, 36.1 s and 41.1 s; PodGC 41.1 s in every seed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { TraceEvent } from '../../src/trace/events.js';

function load(file: string): Scenario {
  const parsed = parseScenarioText(readFileSync(join(process.cwd(), 'scenarios', file), 'utf8'), { file });
  if (!parsed.ok) throw new Error(`${file} does not validate`);
  return parsed.scenario;
}

function faultStartMs(events: TraceEvent[], fault: string): number {
  const e = events.find((x) => x.type === 'fault.started' && x.fault === fault);
  if (!e) throw new Error(`fault ${fault} never started`);
  return e.atMs;
}

const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('seeded phases', () => {
  it('spreads node-crash detection over 200 seeds across the whole upstream window, without gaps', () => {
    const scenario = load('node-crash.yaml');
    // Upstream arithmetic (1.31 defaults): the last lease renewal is 0-10.4 s before the crash (renew
    // interval 0.25 x 40 s with 4 % jitter); the node goes Unknown at the first 5 s monitor pass after
    // nodeMonitorGracePeriod (40 s) has passed since the pass that observed that renewal, i.e. 40-45 s after
    // it. Detection after the crash therefore lies in about 29.6-45.1 s.
    const detectedMs: number[] = [];
    for (const seed of seeds(200)) {
      const { events } = runScenario(scenario, { seed });
      const crashMs = faultStartMs(events, 'worker-b-1-power-loss');
      const unknown = events.find(
        (e) => e.type === 'node.ready.changed' && e.node === 'worker-b-1' && e.to === 'Unknown' && e.atMs > crashMs,
      );
      expect(unknown).toBeDefined();
      detectedMs.push(unknown!.atMs - crashMs);
    }
    expect(Math.min(...detectedMs)).toBeGreaterThanOrEqual(29_600);
    expect(Math.max(...detectedMs)).toBeLessThanOrEqual(45_200);
    expect(Math.min(...detectedMs)).toBeLessThan(32_000);
    expect(Math.max(...detectedMs)).toBeGreaterThan(43_000);
    // Continuous, not a few grid values: every whole second from 31 s to 43 s is hit.
    const seconds = new Set(detectedMs.map((ms) => Math.floor(ms / 1000)));
    for (let s = 31; s <= 43; s++) expect([s, seconds.has(s)]).toEqual([s, true]);
    expect(new Set(detectedMs.map((ms) => Math.round(ms / 100))).size).toBeGreaterThan(80);
  });

  it('spreads PodGC after a node delete over the 40-60 s upstream window (quarantine 40 s + a 20 s pass)', () => {
    const scenario = load('statefulset-node-delete.yaml');
    const gcMs: number[] = [];
    for (const seed of seeds(100)) {
      const { events } = runScenario(scenario, { seed });
      const deleteMs = faultStartMs(events, 'operator-deletes-worker-b-1');
      // The pod was evicted at 300 s and stays Terminating on the dead node: PodGC's force delete removes it.
      const gc = events.find(
        (e) =>
          e.atMs > deleteMs &&
          ((e.type === 'pod.deleted' && e.reason === 'pod-gc') ||
            (e.type === 'pod.removed' && e.pod.startsWith('ledger-'))),
      );
      // A seed whose worker-b-1 ran no ledger pod has nothing to collect.
      if (gc) gcMs.push(gc.atMs - deleteMs);
    }
    expect(gcMs.length).toBeGreaterThan(20);
    // gcOrphaned quarantines the node at the first pass after the delete (0-20 s), confirms it at the pass
    // 40 s later, and the force delete is one API round trip after that.
    expect(Math.min(...gcMs)).toBeGreaterThanOrEqual(40_000);
    expect(Math.max(...gcMs)).toBeLessThanOrEqual(60_200);
    expect(Math.min(...gcMs)).toBeLessThan(45_000);
    expect(Math.max(...gcMs)).toBeGreaterThan(55_000);
    expect(new Set(gcMs.map((ms) => Math.round(ms / 1000))).size).toBeGreaterThan(10);
  });
});

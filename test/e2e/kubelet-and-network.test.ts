// kubelet-stop and network-degrade end to end: the two faults where the machines are fine and only
// the conversation with the control plane suffers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { TraceEvent } from '../../src/trace/events.js';

function run(file: string, sets: string[] = [], seed?: number) {
  const parsed = parseScenarioText(readFileSync(join('scenarios', file), 'utf8'), { file, sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, { seed });
}

describe('kubelet-stop', () => {
  const { events, summary } = run('kubelet-stop.yaml');
  const at = (pred: (e: TraceEvent) => boolean) => events.find(pred)?.atMs;
  const faultEnd = at((e) => e.type === 'fault.ended')!;
  const onNode = new Set(
    events.filter((e) => e.type === 'pod.scheduled' && e.node === 'worker-b-0').map((e) => (e as { pod: string }).pod),
  );

  it('keeps the containers running while the node is declared Unknown, then evicts and replaces its pods', () => {
    expect(summary.passed).toBe(true);
    expect(at((e) => e.type === 'node.ready.changed' && e.node === 'worker-b-0' && e.to === 'Unknown')).toBeDefined();
    const evicted = events.filter(
      (e) => e.type === 'pod.deleted' && e.reason === 'taint-eviction' && onNode.has(e.pod),
    );
    expect(evicted.length).toBeGreaterThan(0);
    // Nothing on worker-b-0 stops before the kubelet comes back: the evicted copies run on.
    const stopped = events.filter((e) => e.type === 'pod.stopped' && e.node === 'worker-b-0');
    expect(stopped.length).toBe(evicted.length);
    for (const s of stopped) expect(s.atMs).toBeGreaterThanOrEqual(faultEnd);
    // Their replacements ran elsewhere meanwhile: copies ran twice.
    const replacementsStarted = events.filter(
      (e) => e.type === 'pod.started' && e.node !== 'worker-b-0' && e.atMs > evicted[0].atMs && e.atMs < faultEnd,
    );
    expect(replacementsStarted.length).toBe(evicted.length);
  });
});

describe('network-degrade', () => {
  // One seed is one timing of losses, so the counts are summed over five seeds. At 60% packet loss a
  // renewal fails when its segment is lost six times in a row (its retransmissions outrun the 10 s
  // timeout): over seeds 1-10 the 20 s grace gives 10-29 flaps per run; the default 40 s gives none.
  it('makes healthy nodes flap with a 20 s grace period, and hardly ever with the default 40 s', () => {
    const seeds = [1, 2, 3, 4, 5];
    const flaps = (sets: string[]) =>
      seeds.map(
        (seed) =>
          run('heartbeat-loss.yaml', sets, seed).events.filter(
            (e) => e.type === 'node.ready.changed' && e.to === 'Unknown',
          ).length,
      );
    const noPowerLoss = run('heartbeat-loss.yaml').events.filter((e) => e.type === 'host.powered.off');
    expect(noPowerLoss).toEqual([]);
    const lowGrace = flaps([]);
    expect(lowGrace.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    expect(lowGrace.every((n) => n > 0)).toBe(true);
    expect(
      flaps(['spec.kubernetes.controllerManager.nodeMonitorGracePeriod=40s']).reduce((a, b) => a + b, 0),
    ).toBeLessThanOrEqual(2);
  });

  it('at 5% packet loss only delays messages: TCP retransmits them long before a client gives up', () => {
    for (const seed of [1, 2, 3]) {
      const { events } = run('heartbeat-loss.yaml', ['spec.faults[0].loss=0.05'], seed);
      expect(events.filter((e) => e.type === 'node.ready.changed' && e.to === 'Unknown')).toEqual([]);
    }
  });
});

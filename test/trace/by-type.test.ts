// eventsOfTypes (src/trace/by-type.ts): the reports' index of a trace by event type must give exactly
// what a filter over the whole trace gives, in trace order, and follow a trace that grows.
import { eventsOfTypes } from '../../src/trace/by-type.js';
import { runningSeries } from '../../src/slo/ready-series.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { readFileSync } from 'node:fs';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';

function trace(file: string): TraceEvent[] {
  const parsed = parseScenarioText(readFileSync(file, 'utf8'), { file, sets: [] });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, { seed: 3 }).events as TraceEvent[];
}

describe('eventsOfTypes', () => {
  const events = trace('scenarios/validation/kcm-leader-power-off.yaml');

  it('gives what a filter gives, for one type and for several, in trace order', () => {
    const sets: TraceEvent['type'][][] = [
      ['pod.created'],
      ['node.ready.changed', 'host.powered.off', 'node.taint.added'],
      ['leader.acquired', 'leader.lost', 'component.started', 'component.stopped'],
      ['service.traffic.changed'],
    ];
    for (const types of sets) {
      const want = events.filter((e) => (types as string[]).includes(e.type));
      expect(eventsOfTypes(events, ...types)).toEqual(want);
      // Asked again (in another order): the same list.
      expect(eventsOfTypes(events, ...[...types].reverse())).toEqual(want);
    }
    expect(eventsOfTypes(events, 'volume.attached')).toEqual([]);
  });

  it('sees events pushed after the first question', () => {
    const live: TraceEvent[] = events.slice(0, 10);
    const before = eventsOfTypes(live, 'pod.created').length;
    live.push(...events.slice(10));
    expect(eventsOfTypes(live, 'pod.created')).toEqual(events.filter((e) => e.type === 'pod.created'));
    expect(eventsOfTypes(live, 'pod.created').length).toBeGreaterThanOrEqual(before);
  });
});

describe('runningSeries', () => {
  it('counts a copy per node: a pod running on two nodes at once (behind a partition) counts twice', () => {
    const e = (x: object) => x as TraceEvent;
    const trace = [
      e({ type: 'pod.created', atMs: 0, pod: 'web-1', workload: 'Deployment/web' }),
      e({ type: 'pod.started', atMs: 10, pod: 'web-1', node: 'a' }),
      e({ type: 'pod.started', atMs: 20, pod: 'web-1', node: 'a' }),
      e({ type: 'pod.started', atMs: 30, pod: 'web-1', node: 'b' }),
      e({ type: 'pod.stopped', atMs: 40, pod: 'web-1', node: 'a' }),
      e({ type: 'pod.stopped', atMs: 50, pod: 'web-1', node: 'a' }),
      e({ type: 'pod.started', atMs: 60, pod: 'ghost', node: 'a' }),
      e({ type: 'pod.stopped', atMs: 70, pod: 'web-1', node: 'b' }),
    ];
    expect(runningSeries(trace).get('Deployment/web')).toEqual([
      { atMs: 10, running: 1 },
      { atMs: 30, running: 2 },
      { atMs: 40, running: 1 },
      { atMs: 70, running: 0 },
    ]);
  });
});

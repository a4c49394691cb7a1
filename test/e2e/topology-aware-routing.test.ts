// Topology-aware routing end to end (docs/fidelity.md#topology-aware-routing): scenarios/topology-aware-routing.yaml
// powers zone-c off from 1m to 11m. `search` has the topology-mode annotation Auto (shorthand topologyMode),
// `cart` has no topology.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { renderReports } from '../../src/report/index.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { TraceEvent, TraceEventOf } from '../../src/trace/events.js';

const FAULT_MS = 60_000;
const END_MS = 660_000;

function load(edit: (text: string) => string = (t) => t): Scenario {
  const file = 'topology-aware-routing.yaml';
  const text = edit(readFileSync(join(process.cwd(), 'scenarios', file), 'utf8'));
  const parsed = parseScenarioText(text, { file });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return parsed.scenario;
}

const traffic = (events: TraceEvent[], service: string) =>
  events.filter(
    (e): e is TraceEventOf<'service.traffic.changed'> => e.type === 'service.traffic.changed' && e.service === service,
  );
const hints = (events: TraceEvent[]) =>
  events.filter((e): e is TraceEventOf<'service.hints.changed'> => e.type === 'service.hints.changed');
/** The event in force at t. */
const at = <T extends TraceEvent>(list: T[], t: number): T => [...list].reverse().find((e) => e.atMs <= t)!;

describe('topology-aware-routing.yaml: topology-mode Auto through a zone outage', () => {
  const result = runScenario(load(), { seed: 1 });
  const { events } = result;
  const search = traffic(events, 'search');
  const cart = traffic(events, 'cart');
  const searchHints = hints(events).filter((e) => e.service === 'search');

  test('before the outage every zone is hinted its own 3 endpoints; cart gets no hints at all', () => {
    expect(at(searchHints, FAULT_MS - 1)).toMatchObject({ hints: true, zones: 'zone-a 3, zone-b 3, zone-c 3' });
    expect(hints(events).every((e) => e.service === 'search')).toBe(true);
  });

  test("at the power loss zone-a's and zone-b's clients keep to their zone: search fails nothing while cart loses a third", () => {
    expect(at(cart, FAULT_MS).failingPerSecond).toBeCloseTo(100, 3);
    const during = search.filter((e) => e.atMs >= FAULT_MS && e.atMs < END_MS);
    expect(during.every((e) => e.failingPerSecond === 0)).toBe(true);
    expect(at(search, FAULT_MS).failingPerSecond).toBe(0);
  });

  test('once zone-c is NotReady its endpoints lose their hints, and the replacements are hinted for their own zones', () => {
    // SetNodes leaves zone-c out; GetOverloadedServices queues search; its sync hints zones a and b only.
    expect(at(searchHints, 150_000)).toMatchObject({ hints: true, zones: 'zone-a 3, zone-b 3' });
    const later = at(searchHints, END_MS - 1);
    expect(later.hints).toBe(true);
    expect(later.zones).not.toContain('zone-c');
    expect(later.zones.split(', ').reduce((n, z) => n + Number(z.split(' ')[1]), 0)).toBe(9);
  });

  test('when zone-c is Ready again the hints are reallocated to it (3 of the endpoints in zones a and b)', () => {
    const back = searchHints.filter((e) => e.atMs > END_MS);
    expect(back.length).toBeGreaterThan(0);
    expect(back[back.length - 1]).toMatchObject({ hints: true, zones: 'zone-a 3, zone-b 3, zone-c 3' });
  });

  test('the report lists the hint changes after the fault, a run of reallocations as one line', () => {
    const reports = renderReports(result.summary, events);
    const md = reports['report.md'];
    // The timeline's strip under search's lane: hinted stretches and the few seconds without.
    expect(reports['timeline.svg']).toContain('search: zone hints, endpoints per zone: zone-a 3, zone-b 3, zone-c 3');
    expect(reports['timeline.svg']).toMatch(
      /11:38\.2–11:43\.0 search: no zone hints, every node sends to every ready endpoint/,
    );
    expect(reports['timeline.svg']).not.toContain('cart: zone hints');
    // The outage's reallocations read as one line; the removal and the return as their own.
    expect(md).toContain(
      'search: zone hints reallocated 6 times until 07:01.2, endpoints per zone now: zone-a 4, zone-b 5',
    );
    expect(md).toContain('search: zone hints removed, every node sends to every ready endpoint: Unable to allocate');
    expect(md).toContain('search: zone hints added, endpoints per zone: zone-a 3, zone-b 4, zone-c 2');
    expect(md).not.toContain('cart: zone hints');
  });

  test('without the annotation search fails like cart: the hints are what keeps it in zone', () => {
    const plain = runScenario(
      load((t) => t.replace('        topologyMode: Auto\n', '')),
      { seed: 1 },
    );
    expect(hints(plain.events)).toEqual([]);
    expect(at(traffic(plain.events, 'search'), FAULT_MS).failingPerSecond).toBeCloseTo(100, 3);
  });
});

// The kernel's lazy-dispatch extension (src/engine/lazy-dispatch.ts): early work visible from the start of
// its millisecond, replay of past early work, and reserved insertion numbers that say where an event would
// have run. Exact times and orders, as for the base kernel.
import { LazySimulator as Simulator, Priority, SimulationBug } from '../../src/engine/index.js';

describe('LazySimulator', () => {
  it('counts early work as done from the start of its millisecond, after faults (visibleEarly)', () => {
    const sim = new Simulator();
    const seen: string[] = [];
    const look = (who: string) => () => seen.push(`${who}:${sim.visibleEarly(100) ? 'seen' : 'not yet'}`);
    sim.at(100, look('normal'));
    sim.at(100, look('fault'), '', Priority.fault);
    sim.at(100, look('early'), '', Priority.early);
    sim.at(100, look('late'), '', Priority.late);
    sim.at(99, look('before'));
    sim.run(1000);
    expect(seen).toEqual(['before:not yet', 'fault:not yet', 'early:not yet', 'normal:seen', 'late:seen']);
    expect(sim.visibleEarly(1000)).toBe(true);
    expect(sim.visibleEarly(1001)).toBe(false);
  });

  it('replays a past early event with its clock, restores its own, and refuses to schedule meanwhile', () => {
    const sim = new Simulator();
    const clocks: number[] = [];
    sim.at(500, () => {
      sim.replay(200, () => {
        clocks.push(sim.nowMs);
        sim.replay(150, () => clocks.push(sim.nowMs));
        clocks.push(sim.nowMs);
        expect(sim.visibleEarly(200)).toBe(false); // as an early event at 200 ms would see it
        expect(sim.visibleEarly(199)).toBe(true);
        expect(() => sim.after(10, () => {})).toThrow(SimulationBug);
      });
      clocks.push(sim.nowMs);
      expect(() => sim.replay(501, () => {})).toThrow(/not happened yet/);
    });
    sim.run(1000);
    expect(clocks).toEqual([200, 150, 200, 500]);
  });

  it('wouldHaveRun() agrees with real dispatch for a reserved insertion number (lazy work lands where an event would have run)', () => {
    // Each reservation is paired with a real marker event scheduled at the same moment for the same time:
    // wouldHaveRun(reservation) must say exactly whether the marker has run, seen from any later event.
    const sim = new Simulator();
    const markers: Array<{ atMs: number; seq: number; ran: boolean }> = [];
    const reserveWithMarker = (atMs: number) => {
      const m = { atMs, seq: sim.reserveSeq(), ran: false };
      sim.at(atMs, () => (m.ran = true));
      markers.push(m);
    };
    let checked = 0;
    const check = () => {
      for (const m of markers) {
        // The marker's own seq is one more than the reservation, so "has the marker run" and "would the
        // reserved work have run" coincide except while the marker itself is the running event.
        expect(sim.wouldHaveRun(m.atMs, m.seq)).toBe(m.ran);
        checked++;
      }
    };
    sim.at(5, () => {
      reserveWithMarker(5);
      reserveWithMarker(7);
      check();
    });
    sim.at(5, check);
    sim.at(5, check, '', Priority.fault);
    sim.at(
      5,
      () => {
        reserveWithMarker(5);
        check();
      },
      '',
      Priority.late,
    );
    sim.at(6, check);
    sim.at(7, check, '', Priority.late);
    sim.run(6);
    check();
    sim.run(10);
    check();
    expect(checked).toBeGreaterThan(10);
    expect(markers.every((m) => m.ran)).toBe(true);
  });
});

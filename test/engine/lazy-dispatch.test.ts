// The kernel's lazy-dispatch extension (src/engine/lazy-dispatch.ts): early work visible from the start of
// its millisecond, replay of past early work, and reserved insertion numbers that say where an event would
// have run. Exact times and orders, as for the base kernel.
import { LazySimulator as Simulator, makeRng, Priority, SimulationBug } from '../../src/engine/index.js';

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

describe('LazySimulator: sleeping tickers (sleep, wake)', () => {
  /**
   * A periodic event (every periodMs after its pass) that has work only after a wake-up event, and
   * randomized other events, many in the ticker's milliseconds, scheduled at every priority and from every
   * moment (before, in and after the ticker's place in a millisecond). Returns the order of everything that
   * did something. `sleeping`: the ticker sleeps while it has no work (the fast path); otherwise every pass
   * is an event (the reference).
   */
  function play(seed: string, sleeping: boolean, periodAt: (ms: number) => number): string[] {
    const sim = new Simulator();
    const rng = makeRng(seed);
    const log: string[] = [];
    const guard = { epoch: 0 };
    let work = 0;
    let ticker: ReturnType<Simulator['sleep']> | undefined;
    const pass = () => {
      if (work > 0) {
        work--;
        log.push(`tick@${sim.nowMs}`);
      }
      if (sleeping && work === 0)
        ticker = sim.sleep(sim.nowMs + periodAt(sim.nowMs), (ms) => ms + periodAt(ms), guard, 't');
      else sim.after(periodAt(sim.nowMs), pass, 't');
    };
    const wake = () => {
      work += 2;
      if (ticker !== undefined) {
        const t = ticker;
        ticker = undefined;
        sim.wake(t, pass, undefined);
      }
    };
    let n = 0;
    const priorities = [
      Priority.fault,
      Priority.early,
      Priority.normal,
      Priority.normal,
      Priority.normal,
      Priority.late,
    ];
    const other = (id: number, depth: number) => () => {
      log.push(`e${id}@${sim.nowMs}`);
      if (rng.chance(0.15)) {
        log.push(`wake@${sim.nowMs}`);
        wake();
      }
      if (depth > 3) return;
      for (let k = rng.int(0, 2); k > 0; k--) {
        // Delays that land on the ticker's grid (multiples of its period) as often as not.
        const delayMs = rng.pick([0, 1, 50, 100, 100, 200, 300, rng.int(0, 400)]);
        const child = n++;
        sim.at(sim.nowMs + delayMs, other(child, depth + 1), `e${child}`, rng.pick(priorities));
      }
    };
    sim.after(7, pass, 't');
    for (let i = 0; i < 60; i++) {
      const id = n++;
      sim.at(7 + 100 * rng.int(0, 40) + rng.pick([0, 0, 1, 100]), other(id, 0), `e${id}`, rng.pick(priorities));
    }
    sim.run(6000);
    return log;
  }

  it('a woken ticker passes at the millisecond and place of the periodic event, on 200 randomized runs', () => {
    let ticks = 0;
    for (let s = 0; s < 200; s++) {
      const ref = play(`ticker-${s}`, false, () => 100);
      ticks += ref.filter((x) => x.startsWith('tick')).length;
      expect([s, play(`ticker-${s}`, true, () => 100)]).toEqual([s, ref]);
    }
    expect(ticks).toBeGreaterThan(1000);
  });

  it('keeps the place with a period that changes along the way (a host clock re-rated)', () => {
    const period = (ms: number) => (ms < 2000 ? 100 : ms < 4000 ? 37.4 : 250);
    for (let s = 0; s < 50; s++)
      expect([s, play(`rated-${s}`, true, period)]).toEqual([s, play(`rated-${s}`, false, period)]);
  });

  it('puts a woken pass after the running event of its millisecond and before later ones', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const guard = { epoch: 0 };
    sim.at(0, () => {
      const t = sim.sleep(100, (ms) => ms + 100, guard, 't');
      // Scheduled after the sleep: these come after the pass at 300 ms (the pass at 200 ms scheduled it).
      sim.at(300, () => log.push('scheduled at 0'));
      sim.at(250, () => {
        sim.at(300, () => log.push('scheduled at 250'));
        sim.wake(t, () => log.push(`pass@${sim.nowMs}`), undefined);
      });
      sim.at(200, () => sim.at(300, () => log.push('scheduled at 200, before the pass')));
    });
    sim.run(1000);
    expect(log).toEqual(['scheduled at 0', 'scheduled at 200, before the pass', 'pass@300', 'scheduled at 250']);
  });

  it("drops a sleeping ticker whose guard's epoch moved on", () => {
    const sim = new Simulator();
    const guard = { epoch: 0 };
    const t = sim.sleep(100, (ms) => ms + 100, guard, 't');
    sim.at(150, () => guard.epoch++);
    sim.at(500, () => {});
    sim.run(1000);
    expect(t.live).toBe(false);
    expect(() => sim.wake(t, () => {}, undefined)).toThrow(SimulationBug);
  });
});

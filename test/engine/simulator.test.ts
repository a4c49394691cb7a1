import seedrandom from 'seedrandom';
import {
  Priority,
  RandomStreams,
  Simulator,
  SimulationBug,
  TraceRecorder,
  makeRng,
  startLoop,
} from '../../src/engine/index.js';

describe('Simulator', () => {
  it('dispatches events at their exact virtual times, in time order', () => {
    const sim = new Simulator();
    const seen: Array<[string, number]> = [];
    sim.at(300, () => seen.push(['c', sim.nowMs]));
    sim.at(100, () => seen.push(['a', sim.nowMs]));
    sim.after(200, () => seen.push(['b', sim.nowMs]));
    sim.run(1000);
    expect(seen).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
    expect(sim.nowMs).toBe(1000);
  });

  it('finds the next millisecond with events across empty stretches, word edges and the ring wrapping', () => {
    // Events chained at random gaps (1 ms to past the 16,384 ms ring), each scheduling the next and some
    // scheduling a second one: every event runs once, at its time, in time order.
    const sim = new Simulator();
    const rng = makeRng('next-slot');
    const due: number[] = [];
    const ran: number[] = [];
    const gaps = [1, 2, 31, 32, 33, 63, 64, 65, 1000, 16_383, 16_384, 16_385, 40_000];
    const step = () => {
      ran.push(sim.nowMs);
      for (let k = rng.chance(0.2) ? 2 : 1; k > 0 && due.length < 3000; k--) {
        const at = sim.nowMs + rng.pick(gaps);
        due.push(at);
        sim.at(at, step);
      }
    };
    due.push(5);
    sim.at(5, step);
    sim.run(1e9);
    expect(ran.length).toBe(3000);
    expect(ran).toEqual([...due].sort((a, b) => a - b));
  });

  it('runs events due at the same time and priority first-in first-out', () => {
    const sim = new Simulator();
    const order: number[] = [];
    for (let i = 0; i < 50; i++) sim.at(5, () => order.push(i));
    sim.run(10);
    expect(order).toEqual([...Array(50).keys()]);
  });

  it('orders same-time events by priority before insertion order', () => {
    const sim = new Simulator();
    const order: string[] = [];
    sim.at(5, () => order.push('normal'));
    sim.at(5, () => order.push('late'), '', Priority.late);
    sim.at(5, () => order.push('fault'), '', Priority.fault);
    sim.run(5);
    expect(order).toEqual(['fault', 'normal', 'late']);
  });

  it('orders same-time events of one priority by their order key, whenever each was scheduled (atOrdered)', () => {
    const sim = new Simulator();
    const ran: string[] = [];
    const rec = (name: string) => () => ran.push(`${name}@${sim.nowMs}`);
    // c is scheduled first (far ahead: it waits in the heap), b and a later, at the same ms and priority.
    sim.atOrdered(20_000, rec('c'), undefined, 'c', Priority.early, 3);
    sim.at(5, () => {
      sim.atOrdered(20_000, rec('b'), undefined, 'b', Priority.early, 2);
      sim.atOrdered(20_000, rec('b2'), undefined, 'b2', Priority.early, 2);
    });
    sim.at(10, () => sim.atOrdered(20_000, rec('a'), undefined, 'a', Priority.early, 1));
    sim.at(20_000, rec('normal'));
    sim.run(30_000);
    // By order key, then (b before b2) insertion order; the normal-priority event after the early ones.
    expect(ran).toEqual(['a@20000', 'b@20000', 'b2@20000', 'c@20000', 'normal@20000']);
  });

  it('an ordered event scheduled while its list runs goes after what has already run', () => {
    const sim = new Simulator();
    const ran: string[] = [];
    sim.atOrdered(
      50,
      () => {
        ran.push('5');
        sim.atOrdered(50, () => ran.push('1 (late)'), undefined, 'x', Priority.ordered, 1);
        sim.atOrdered(50, () => ran.push('7'), undefined, 'x', Priority.ordered, 7);
      },
      undefined,
      'first',
      Priority.ordered,
      5,
    );
    sim.atOrdered(50, () => ran.push('9'), undefined, 'x', Priority.ordered, 9);
    sim.run(100);
    expect(ran).toEqual(['5', '1 (late)', '7', '9']);
  });

  it('refuses an order key at a priority other than early and ordered (a bug in hasim)', () => {
    const sim = new Simulator(3);
    expect(() => sim.atOrdered(10, () => {}, undefined, 'x', Priority.normal, 2)).toThrow(SimulationBug);
  });

  it('cancels an event so it never runs and is not counted', () => {
    const sim = new Simulator();
    let ran = false;
    const ev = sim.at(10, () => (ran = true));
    sim.cancel(ev);
    sim.run(100);
    expect(ran).toBe(false);
    expect(sim.dispatched).toBe(0);
  });

  it('events scheduled during dispatch at the current time run in the same millisecond, after the current one', () => {
    const sim = new Simulator();
    const order: string[] = [];
    sim.at(7, () => {
      order.push('first');
      sim.after(0, () => order.push(`nested@${sim.nowMs}`));
    });
    sim.at(7, () => order.push('second'));
    sim.run(7);
    expect(order).toEqual(['first', 'second', 'nested@7']);
  });

  it('runs a same-millisecond event of lower priority scheduled during dispatch right after the current bucket', () => {
    const sim = new Simulator();
    const order: string[] = [];
    sim.at(7, () => {
      order.push('normal-1');
      sim.at(7, () => order.push('fault-level'), 'urgent', Priority.fault);
      sim.at(7, () => order.push('normal-3'));
    });
    sim.at(7, () => order.push('normal-2'));
    sim.at(8, () => order.push('next-ms'));
    sim.run(10);
    expect(order).toEqual(['normal-1', 'normal-2', 'normal-3', 'fault-level', 'next-ms']);
    expect(sim.pending).toBe(0);
  });

  it('posted events take their place among the others as at() would, before and after their objects are reused', () => {
    const sim = new Simulator();
    const order: string[] = [];
    const target = { name: 'posted' };
    function record(this: { name: string }): void {
      order.push(`${this.name}@${sim.nowMs}`);
    }
    sim.at(10, () => order.push('a@10'));
    const seq = sim.postWith(10, record, target, 'p1');
    sim.at(10, () => order.push('b@10'));
    sim.at(5, () => {
      order.push('c@5');
      sim.postWith(10, record, { name: 'late' }, 'p2'); // queued after b
    });
    sim.run(20);
    expect(order).toEqual(['c@5', 'a@10', 'posted@10', 'b@10', 'late@10']);
    expect(seq).toBe(1); // the insertion number at() would have given it
    // Reused objects run where they are posted next, and nothing of their last use is left.
    const again: string[] = [];
    for (let i = 0; i < 5; i++)
      sim.postWith(
        30 - i,
        function (this: number) {
          again.push(`${this}@${sim.nowMs}`);
        },
        i,
        `r${i}`,
      );
    sim.run(40);
    expect(again).toEqual(['4@26', '3@27', '2@28', '1@29', '0@30']);
    expect(sim.dispatched).toBe(10);
  });

  it('a posted guarded event is dropped once its guard moves on, and its reused object carries no guard', () => {
    const sim = new Simulator();
    const order: string[] = [];
    const guard = { epoch: 1 };
    sim.postGuarded(10, () => order.push('dropped'), undefined, 'g1', guard);
    sim.postGuarded(10, () => order.push('kept'), undefined, 'g2', { epoch: 7 });
    sim.at(5, () => guard.epoch++);
    sim.run(10);
    expect(order).toEqual(['kept']);
    expect(sim.dispatched).toBe(2); // the dropped one is not counted
    // Both objects are back on the free list: reused without a guard they always run.
    sim.postWith(20, () => order.push('reused 1'), undefined, 'p1');
    sim.postWith(20, () => order.push('reused 2'), undefined, 'p2');
    guard.epoch++;
    sim.run(20);
    expect(order).toEqual(['kept', 'reused 1', 'reused 2']);
  });

  it('stops at the horizon and leaves later events queued', () => {
    const sim = new Simulator();
    let ran = 0;
    sim.at(10, () => ran++);
    sim.at(11, () => ran++);
    sim.run(10);
    expect(ran).toBe(1);
    sim.run(20);
    expect(ran).toBe(2);
  });

  it('refuses to schedule in the past with a SimulationBug carrying virtual time, event and seed', () => {
    const sim = new Simulator(42);
    sim.at(50, () => sim.at(10, () => {}, 'late'), 'culprit');
    let caught: unknown;
    try {
      sim.run(100);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SimulationBug);
    const bug = caught as SimulationBug;
    expect(bug.atMs).toBe(50);
    expect(bug.eventLabel).toBe('culprit');
    expect(bug.seed).toBe(42);
    expect(bug.message).toBe(
      'simulator bug at 50 ms (event "culprit", seed 42): event "late" scheduled at 10 ms, before now (50 ms)',
    );
  });

  it('assert() stops the run with a SimulationBug', () => {
    const sim = new Simulator(3);
    sim.at(5, () => sim.assert(false, 'pods went negative'), 'x');
    expect(() => sim.run(10)).toThrow('simulator bug at 5 ms (event "x", seed 3): pods went negative');
  });
});

describe('the calendar ring reused millisecond after millisecond', () => {
  it('runs events by (time, priority, insertion) over many windows, slots and lists reused', () => {
    // Slots and event lists go back to free lists once run and keep their arrays; a slot's priorities
    // are inserted in place while it runs. Events are scheduled from inside events, at later
    // milliseconds (near and far: the ring holds 16,384 ms) or in the running millisecond at the same
    // or a later priority, so the order that must come out is a plain sort.
    const sim = new Simulator();
    const rng = makeRng('ring-reuse');
    const priorities = [Priority.fault, Priority.early, Priority.normal, Priority.ordered, Priority.late];
    const scheduled: Array<{ atMs: number; priority: number; n: number }> = [];
    const ran: number[] = [];
    const schedule = (atMs: number, priority: number): void => {
      const n = scheduled.length;
      scheduled.push({ atMs, priority, n });
      sim.atWith(
        atMs,
        () => {
          ran.push(n);
          if (scheduled.length > 20_000) return;
          for (let k = rng.int(1, 2); k > 0; k--) {
            const sameMs = rng.chance(0.3);
            const later = sameMs ? 0 : rng.chance(0.1) ? rng.int(16_000, 40_000) : rng.int(1, 40);
            const p = sameMs ? priorities.filter((q) => q >= priority) : priorities;
            schedule(sim.nowMs + later, rng.pick(p));
          }
        },
        undefined,
        '',
        priority,
      );
    };
    for (let i = 0; i < 20; i++) schedule(rng.int(0, 50), rng.pick(priorities));
    sim.run(10_000_000);
    const expected = [...scheduled]
      .sort((a, b) => a.atMs - b.atMs || a.priority - b.priority || a.n - b.n)
      .map((e) => e.n);
    expect(scheduled.length).toBeGreaterThan(20_000);
    expect(ran).toEqual(expected);
  });
});

describe('sliding loops (wait.Until / JitterUntil sliding=true)', () => {
  it('starts the next pass one period after the previous pass ends', () => {
    const sim = new Simulator();
    const starts: number[] = [];
    startLoop(sim, { periodMs: 5000 }, () => {
      starts.push(sim.nowMs);
      return 3; // the pass takes 3 ms
    });
    sim.run(20_100);
    expect(starts).toEqual([0, 5003, 10006, 15009, 20012].filter((t) => t <= 20_100));
  });

  it('honours an initial delay and stop()', () => {
    const sim = new Simulator();
    const starts: number[] = [];
    const loop = startLoop(sim, { periodMs: 100, initialDelayMs: 50 }, () => {
      starts.push(sim.nowMs);
    });
    sim.at(260, () => loop.stop());
    sim.run(1000);
    expect(starts).toEqual([50, 150, 250]);
    expect(loop.running).toBe(false);
  });

  it("drops the pass pending when it stops, unrun and uncounted, and reuses the passes' events", () => {
    const sim = new Simulator();
    const starts: number[] = [];
    const loop = startLoop(sim, { periodMs: 100 }, () => {
      starts.push(sim.nowMs);
    });
    sim.at(260, () => loop.stop());
    sim.run(1000);
    // Passes at 0, 100 and 200 and the stop: the pass due at 300 is not dispatched.
    expect(starts).toEqual([0, 100, 200]);
    expect(sim.dispatched).toBe(4);
    // A loop stopped from inside its own pass schedules nothing more.
    const sim2 = new Simulator();
    let passes = 0;
    const self = startLoop(sim2, { periodMs: 10 }, () => {
      if (++passes === 3) self.stop();
    });
    sim2.run(1000);
    expect(passes).toBe(3);
    expect(sim2.dispatched).toBe(3);
  });

  it('draws jitter from the given stream: waits lie in [period, period * (1 + factor))', () => {
    const sim = new Simulator();
    const rng = makeRng('jitter-test');
    const starts: number[] = [];
    startLoop(sim, { periodMs: 10_000, jitterFactor: 0.04, rng }, () => {
      starts.push(sim.nowMs);
    });
    sim.run(1_000_000);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(gaps.length).toBeGreaterThan(90);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(10_000);
      expect(g).toBeLessThanOrEqual(10_400);
    }
    expect(new Set(gaps).size).toBeGreaterThan(10);
  });
});

describe('seeded random streams', () => {
  it('pins the first outputs of a labelled stream (changing the generator breaks every saved seed)', () => {
    // seedrandom's Alea since hasim 0.2 (ARC4 before: a seed replays the same run only within a version).
    const s = new RandomStreams(42).stream('kubelet/worker-a-0');
    const first = Array.from({ length: 5 }, () => s.next().toFixed(12));
    expect(first).toEqual(['0.036424653837', '0.081234215759', '0.164162105182', '0.226831148379', '0.653833135730']);
  });

  it("steps Alea exactly as seedrandom's own function does, to the bit", () => {
    const own = makeRng('hasim:9:kubelet/worker-c-7');
    const pkg = seedrandom.alea('hasim:9:kubelet/worker-c-7');
    for (let i = 0; i < 10_000; i++) expect(own.next()).toBe(pkg());
  });

  it("seeds each stream exactly as seedrandom's Alea does, for many texts", () => {
    // makeRng hashes the text itself (Mash, three passes) instead of building the package's generator.
    const texts = [
      '',
      ' ',
      'x',
      'hasim:1:kubelet/worker-a-0/lease',
      'hasim:123456789:network/kube-controller-manager-control-plane-2/leader-election/3f2a',
      'hasim:seed-text:chaos/zone-b-power/worker-b-2',
      'hasim:7:ünïcødé/ノード/𝔷',
      'a'.repeat(5000),
    ];
    for (let k = 0; k < 300; k++) texts.push(`hasim:${k}:kubelet/worker-${String.fromCharCode(97 + (k % 26))}-${k}`);
    for (const text of texts) {
      const own = makeRng(text);
      const pkg = seedrandom.alea(text);
      for (let i = 0; i < 20; i++) expect(own.next()).toBe(pkg());
    }
  });

  it('gives back unread values, last given back first, as if they had never been drawn', () => {
    const a = new RandomStreams(3).stream('x');
    const b = new RandomStreams(3).stream('x');
    const reference = Array.from({ length: 5 }, () => b.next());
    const [, d1, d2] = [a.next(), a.next(), a.next()];
    a.unread(d2);
    a.unread(d1);
    expect([a.next(), a.next(), a.next(), a.next()]).toEqual(reference.slice(1, 5));
  });

  it('gives each label an independent stream: adding a component does not change another one', () => {
    const a = new RandomStreams(7);
    const before = Array.from({ length: 5 }, () => a.stream('kubelet/worker-b-1').next());
    const b = new RandomStreams(7);
    b.stream('kubelet/worker-z-9').next(); // a new node created first
    b.stream('kubelet/worker-a-0').next();
    const after = Array.from({ length: 5 }, () => b.stream('kubelet/worker-b-1').next());
    expect(after).toEqual(before);
  });

  it('differs between seeds and is repeatable for one seed', () => {
    const x = new RandomStreams(1).stream('x');
    const y = new RandomStreams(2).stream('x');
    const x2 = new RandomStreams(1).stream('x');
    const xs = [x.next(), x.next()];
    expect([x2.next(), x2.next()]).toEqual(xs);
    expect([y.next(), y.next()]).not.toEqual(xs);
  });

  it('between(), int(), sample() stay in range and sample() keeps input order', () => {
    const r = makeRng('ranges');
    for (let i = 0; i < 1000; i++) {
      const v = r.between(2, 20);
      expect(Number.isInteger(v) && v >= 2 && v <= 20).toBe(true);
    }
    expect(r.between(5, 5)).toBe(5);
    const picked = r.sample(['a', 'b', 'c', 'd', 'e'], 3);
    expect(picked).toHaveLength(3);
    expect([...picked].sort()).toEqual(picked);
  });
});

describe('TraceRecorder', () => {
  it('records events with virtual time first and writes JSON Lines', () => {
    const sim = new Simulator();
    const trace = new TraceRecorder<{ 'x.happened': { n: number } }>(sim);
    sim.at(65_012, () => trace.emit('x.happened', { n: 1 }));
    sim.run(100_000);
    expect(trace.toJsonl()).toBe('{"atMs":65012,"type":"x.happened","n":1}\n');
  });

  it('counts but does not store muted types', () => {
    const sim = new Simulator();
    const trace = new TraceRecorder<{ a: object; b: object }>(sim, { mute: ['a'] });
    trace.emit('a', {});
    trace.emit('b', {});
    expect(trace.events.map((e) => e.type)).toEqual(['b']);
    expect(trace.mutedCount).toBe(1);
  });
});

// What a change of the world undoes and what it keeps (src/model/infra/world.ts): a change that names a
// worker host undoes only the speculations on that host and those that name no host; any other change
// (naming nothing, a control-plane host, or a host marked shared) undoes every speculation, in the order
// they were registered. Then, in a cluster, a worker's power changes leave the other kubelets' work done
// ahead in place, and a pool upgrade (a power change per old and new node) still gives the reference's
// trace byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from '../../../src/engine/index.js';
import { Host } from '../../../src/model/infra/host.js';
import { World, type Speculation } from '../../../src/model/infra/world.js';
import { REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const sim = { nowMs: 0 };

function worker(name: string): Host {
  return new Host(sim, name, 'zone-a', 'node');
}

/** A speculation that records its undo in `log` (by its name). */
function spec(log: string[], name: string, host?: Host): Speculation {
  return { undo: () => log.push(name), ...(host === undefined ? {} : { host }) };
}

describe('World: which speculations a change undoes', () => {
  test('a change naming a worker host undoes the speculations on it and keeps those on other hosts', () => {
    const world = new World();
    const [a, b] = [worker('node-a'), worker('node-b')];
    const log: string[] = [];
    const onA = spec(log, 'a', a);
    const onB = spec(log, 'b', b);
    world.speculate(onA);
    world.speculate(onB);
    world.changed(a);
    expect(log).toEqual(['a']);
    // b's is still registered: the next change that can affect it undoes it (once).
    world.changed();
    expect(log).toEqual(['a', 'b']);
    world.changed();
    expect(log).toEqual(['a', 'b']);
  });

  test('a speculation that names no host is undone by every change, in registration order with the host’s own', () => {
    const world = new World();
    const [a, b] = [worker('node-a'), worker('node-b')];
    const log: string[] = [];
    world.speculate(spec(log, 'a1', a));
    world.speculate(spec(log, 'any', undefined));
    world.speculate(spec(log, 'b', b));
    world.speculate(spec(log, 'a2', a));
    world.changed(a);
    expect(log).toEqual(['a1', 'any', 'a2']);
    world.changed(b);
    expect(log).toEqual(['a1', 'any', 'a2', 'b']);
  });

  test('a change naming nothing undoes every speculation in the order registered', () => {
    const world = new World();
    const [a, b] = [worker('node-a'), worker('node-b')];
    const log: string[] = [];
    world.speculate(spec(log, 'b', b));
    world.speculate(spec(log, 'a', a));
    world.speculate(spec(log, 'any'));
    world.changed();
    expect(log).toEqual(['b', 'a', 'any']);
  });

  test('a change of a control-plane host, or of a host marked shared, undoes everything', () => {
    const world = new World();
    const a = worker('node-a');
    const member = worker('node-with-etcd');
    const cp = new Host(sim, 'cp-0', 'zone-a', 'control-plane');
    world.share(member);
    const log: string[] = [];
    world.speculate(spec(log, 'a', a));
    world.changed(cp);
    expect(log).toEqual(['a']);
    world.speculate(spec(log, 'a again', a));
    world.changed(member);
    expect(log).toEqual(['a', 'a again']);
  });

  test('registering twice before a change undoes once; after an undo it can register again', () => {
    const world = new World();
    const a = worker('node-a');
    const log: string[] = [];
    const s = spec(log, 'a', a);
    world.speculate(s);
    world.speculate(s);
    world.changed(a);
    expect(log).toEqual(['a']);
    world.speculate(s);
    world.changed(a);
    expect(log).toEqual(['a', 'a']);
  });

  test('settlers and listeners are told the host a change is confined to, or undefined', () => {
    const world = new World();
    const a = worker('node-a');
    const cp = new Host(sim, 'cp-0', 'zone-a', 'control-plane');
    const told: Array<string | undefined> = [];
    world.beforeChange((h) => told.push(`before ${h?.name}`));
    world.onChanged((h) => told.push(`after ${h?.name}`));
    const v = world.version;
    world.willChange(a);
    world.changed(a);
    world.willChange(cp);
    world.changed(cp);
    world.changed();
    expect(told).toEqual(['before node-a', 'after node-a', 'before undefined', 'after undefined', 'after undefined']);
    // Every change bumps the version, whatever it names (caches of routes and quorum follow it).
    expect(world.version).toBe(v + 3);
  });
});

describe('World in a cluster', () => {
  function run(file: string, seed: number, reference: boolean) {
    const text = readFileSync(join('scenarios', file), 'utf8');
    const parsed = parseScenarioText(text, { file });
    if (!parsed.ok) throw new Error(`${file} does not validate`);
    return runScenario(parsed.scenario, { seed, ...(reference ? { fastPaths: REFERENCE_BEHAVIOUR } : {}) });
  }

  test('a pool upgrade (old nodes powered off, new ones powered on) gives the reference trace, for three seeds', () => {
    for (const seed of [1, 2, 3]) {
      const fast = run('node-pool-upgrade.yaml', seed, false);
      const plain = run('node-pool-upgrade.yaml', seed, true);
      expect(toJsonl(fast.events)).toBe(toJsonl(plain.events));
    }
  });

  /**
   * How often kubelets register work done ahead with the world in a run of the pool upgrade: once after
   * every undo. `fullUndo`: every change is announced as naming nothing (as before changes named a host).
   */
  function registrations(fullUndo: boolean): number {
    const proto = World.prototype;
    const speculate = proto.speculate;
    const changed = proto.changed;
    const willChange = proto.willChange;
    let n = 0;
    proto.speculate = function (this: World, s: Speculation) {
      n++;
      speculate.call(this, s);
    };
    if (fullUndo) {
      proto.changed = function (this: World) {
        changed.call(this);
      };
      proto.willChange = function (this: World) {
        willChange.call(this);
      };
    }
    try {
      run('node-pool-upgrade.yaml', 1, false);
    } finally {
      proto.speculate = speculate;
      proto.changed = changed;
      proto.willChange = willChange;
    }
    return n;
  }

  test('a worker’s power change leaves the other kubelets’ work done ahead in place', () => {
    // Twelve hosts power on or off (six new, six old), and each used to undo every kubelet's work.
    const scoped = registrations(false);
    const full = registrations(true);
    expect(scoped).toBeGreaterThan(0);
    // Seed 1: 12 registrations against 117.
    expect(scoped * 3).toBeLessThan(full);
  });
});

// An informer without handlers applies its watch events lazily, when its cache is read (informer.ts). Its
// cache must be exactly what an informer with a delivery event per watch event holds, read at any moment,
// including reads in the very millisecond a watch event arrives. The node-Lease informer is modelled apart:
// its events keep their order per lease only and count from the start of their millisecond.
import { Priority } from '../../../src/engine/index.js';
import type { Lease } from '../../../src/k8s/objects.js';
import { Informer } from '../../../src/model/apiserver/informer.js';
import type { ModelContext } from '../../../src/model/context.js';
import { Host } from '../../../src/model/infra/host.js';
import { controlPlane } from '../ha/fixtures.js';

function lease(name: string, renewTimeMs: number, namespace: Lease['metadata']['namespace'] = 'kube-system'): Lease {
  return {
    kind: 'Lease',
    metadata: { name, namespace, uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: {} },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, acquireTimeMs: 0, renewTimeMs, leaseTransitions: 0 },
  };
}

/** Writes lease `name` with this renewTime (creates it the first time). */
function writeLease(
  api: ModelContext['api'],
  name: string,
  renewTimeMs: number,
  namespace: Lease['metadata']['namespace'] = 'kube-system',
): void {
  const got = api.store.getLease(namespace, name);
  if (got.ok) api.store.update({ ...lease(name, renewTimeMs, namespace), metadata: got.value.metadata }, 'test');
  else api.store.create(lease(name, renewTimeMs, namespace), 'test');
}

/**
 * A small control plane and a lease informer on a host of its own (watch events cross the network to it;
 * the API server's own host has no latency), not started.
 */
function leaseWatcher(
  namespace: Lease['metadata']['namespace'],
  latency: { minMs: number; maxMs: number },
  label: string,
) {
  const { ctx } = controlPlane({ controllerManagers: 1, schedulers: 1, latency });
  const host = new Host(ctx.sim, 'watcher', 'zone-x', 'node');
  const informer = new Informer<Lease>(ctx, host, { kind: 'Lease', namespace }, label);
  return { ctx, sim: ctx.sim, api: ctx.api, informer };
}

const view = (cache: ReadonlyMap<string, Lease>) =>
  [...cache.values()]
    .filter((l) => l.metadata.name.startsWith('node-'))
    .map((l) => `${l.metadata.name}@${l.spec.renewTimeMs}`)
    .sort();

describe('Informer without handlers (lazy watch delivery)', () => {
  it('holds exactly what an informer with one delivery event per watch event holds, read at any moment', () => {
    // A fixed 3 ms latency gives both informers the same delivery times, so their caches must agree.
    const { sim, api, informer: lazy } = leaseWatcher('kube-system', { minMs: 3, maxMs: 3 }, 'test/lazy');
    // The reference: a plain watcher with one real delivery event per watch event, 3 ms after the write.
    const reference = new Map<string, Lease>();
    const updates: string[] = [];
    api.store.watch({
      kind: 'Lease',
      namespace: 'kube-system',
      notify: (_type, obj) => {
        sim.at(sim.nowMs + 3, () => {
          reference.set(obj.metadata.name, obj as Lease);
          updates.push(obj.metadata.name);
        });
      },
    });
    lazy.start();
    sim.run(900);
    expect(lazy.synced).toBe(true);

    let reads = 0;
    const compare = () => {
      expect(view(lazy.cache)).toEqual(view(reference));
      reads++;
    };
    const write = (name: string, renewTimeMs: number) => writeLease(api, name, renewTimeMs);
    // Writes every few ms from 1 s on; reads scheduled before the writes (so they run before a delivery in
    // the same ms), during them (so they run after), at fault priority (before) and at late priority (after).
    for (let i = 0; i < 200; i++) {
      const t = 1_000 + i * 2;
      sim.at(t + 3, compare);
      sim.at(t, () => {
        write(`node-${i % 7}`, t);
        sim.at(t + 3, compare);
        sim.at(t + 3, compare, '', Priority.late);
        sim.at(t + 3, compare, '', Priority.fault);
      });
    }
    sim.run(2_000);
    compare();
    expect(reads).toBeGreaterThan(800);
    expect(view(lazy.cache)).toHaveLength(7);
    expect(updates.length).toBeGreaterThanOrEqual(200);
  });

  it('refuses handlers added while watch events are in flight (they would be called late)', () => {
    const cluster = controlPlane({ controllerManagers: 1, schedulers: 1 });
    const { ctx } = cluster;
    const host = [...ctx.hosts.values()][0];
    const lazy = new Informer<Lease>(ctx, host, { kind: 'Lease', namespace: 'kube-system' }, 'test/lazy');
    lazy.start();
    ctx.sim.run(1_000);
    ctx.sim.at(1_000, () => ctx.api.store.create(lease('n', 1_000), 'test'));
    ctx.sim.run(1_000);
    expect(() => lazy.addHandlers({})).toThrow(/handlers added while watch events are in flight/);
  });
});

describe('The node-Lease informer', () => {
  it('holds what a delivery at the start of each millisecond (Priority.early) would have given it, read at any moment', () => {
    // Latency 1-9 ms: events of different leases overtake each other, those of one lease do not.
    const { sim, api, informer } = leaseWatcher('kube-node-lease', { minMs: 1, maxMs: 9 }, 'test/node-leases');
    informer.start();
    sim.run(900);
    expect(informer.synced).toBe(true);
    // Every event the informer was sent, with the time it counts from (taken from deliveredAtMs).
    const written: Array<{ name: string; renewTimeMs: number; atMs: number }> = [];
    const write = (name: string, renewTimeMs: number) => writeLease(api, name, renewTimeMs, 'kube-node-lease');
    let reads = 0;
    let overtaken = 0;
    const held = new Map<string, number>();
    const check = (early: boolean) => {
      const cache = informer.cache;
      for (const l of cache.values()) {
        const name = l.metadata.name;
        const at = informer.deliveredAtMs(name)!;
        // What it holds has arrived, and nothing of that lease sent later has (events of a lease keep their order).
        expect(early ? at < sim.nowMs : at <= sim.nowMs).toBe(true);
        const later = written.filter((w) => w.name === name && w.renewTimeMs > l.spec.renewTimeMs);
        for (const w of later) expect(early ? w.atMs >= sim.nowMs : w.atMs > sim.nowMs).toBe(true);
        // Never an older object than one it held.
        expect(l.spec.renewTimeMs).toBeGreaterThanOrEqual(held.get(name) ?? 0);
        held.set(name, l.spec.renewTimeMs);
      }
      reads++;
    };
    for (let i = 0; i < 300; i++) {
      const t = 1_000 + i;
      sim.at(t, () => {
        const name = `node-${i % 5}`;
        write(name, t);
        // Learn when it counts from: read once it must have arrived (latency at most 9 ms).
        sim.at(
          t + 10,
          () => {
            const l = informer.cache.get(name)!;
            if (l.spec.renewTimeMs === t) written.push({ name, renewTimeMs: t, atMs: informer.deliveredAtMs(name)! });
          },
          '',
          Priority.late,
        );
      });
      sim.at(t, () => check(false));
      sim.at(t, () => check(true), '', Priority.fault);
      sim.at(t, () => check(false), '', Priority.late);
    }
    sim.run(1_400);
    expect(reads).toBe(900);
    expect(written.length).toBeGreaterThan(100);
    // The events of different leases did overtake each other.
    for (let i = 1; i < written.length; i++) if (written[i].atMs < written[i - 1].atMs) overtaken++;
    expect(overtaken).toBeGreaterThan(10);
  });

  it('takes no handlers (nobody would be told in time)', () => {
    const cluster = controlPlane({ controllerManagers: 1, schedulers: 1 });
    const { ctx } = cluster;
    const host = [...ctx.hosts.values()][0];
    const informer = new Informer<Lease>(
      ctx,
      host,
      { kind: 'Lease', namespace: 'kube-node-lease' },
      'test/node-leases',
    );
    expect(() => informer.addHandlers({})).toThrow(/takes no handlers/);
  });
});

describe('Quiet watch events (InformerHandlers.quiet)', () => {
  it('are applied to the cache in order without a delivery, and the next handled event sees them as prev', () => {
    const { sim, api, informer } = leaseWatcher('kube-system', { minMs: 3, maxMs: 3 }, 'test/quiet');
    const updates: string[] = [];
    informer.addHandlers({
      onUpdate: (prev, next) =>
        next.metadata.name === 'a' && updates.push(`${prev.spec.renewTimeMs}->${next.spec.renewTimeMs}@${sim.nowMs}`),
      // An even renewTime of lease a changes nothing for this handler (the leader leases are not quiet).
      quiet: (_prev, next) => next.metadata.name === 'a' && next.spec.renewTimeMs % 2 === 0,
    });
    informer.start();
    sim.run(900);
    writeLease(api, 'a', 1);
    sim.run(1_000);
    const renew = (renewTimeMs: number) => writeLease(api, 'a', renewTimeMs);
    sim.at(1_010, () => renew(2)); // quiet: no delivery
    sim.at(1_020, () => renew(4)); // quiet
    sim.at(1_030, () => renew(5)); // handled: delivered at 1,033 with prev 4
    sim.at(1_040, () => renew(6)); // quiet, and nothing reads the cache afterwards
    // Reads scheduled now run before a delivery in their millisecond (it is scheduled later): 1,013 sees 1.
    const seen: number[] = [];
    for (const t of [1_012, 1_013, 1_014, 1_024]) sim.at(t, () => seen.push(informer.get('a')!.spec.renewTimeMs));
    sim.run(1_100);
    expect(seen).toEqual([1, 1, 2, 4]);
    expect(updates).toEqual(['4->5@1033']);
    expect(informer.get('a')!.spec.renewTimeMs).toBe(6);
  });

  it('are delivered as usual unless every handler calls them quiet', () => {
    const { sim, api, informer } = leaseWatcher('kube-system', { minMs: 3, maxMs: 3 }, 'test/mixed');
    const updates: number[] = [];
    informer.addHandlers({ onUpdate: () => {}, quiet: () => true });
    informer.addHandlers({
      onUpdate: (_prev, next) => next.metadata.name === 'a' && updates.push(next.spec.renewTimeMs),
    });
    informer.start();
    sim.run(900);
    writeLease(api, 'a', 1);
    sim.run(1_000);
    writeLease(api, 'a', 2);
    sim.run(1_100);
    expect(updates).toEqual([2]);
  });
});

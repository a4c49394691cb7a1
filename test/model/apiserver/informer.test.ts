// An informer without handlers applies its watch events lazily, when its cache is read (informer.ts). Its
// cache must be exactly what an informer with a delivery event per watch event holds, read at any moment,
// including reads in the very millisecond a watch event arrives.
import { Priority } from '../../../src/engine/index.js';
import type { Lease } from '../../../src/model/api/objects.js';
import { Informer } from '../../../src/model/apiserver/informer.js';
import { Host } from '../../../src/model/infra/host.js';
import { controlPlane } from '../ha/fixtures.js';

function lease(name: string, renewTimeMs: number): Lease {
  return {
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease', uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: {} },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, acquireTimeMs: 0, renewTimeMs, leaseTransitions: 0 },
  };
}

const view = (cache: ReadonlyMap<string, Lease>) => [...cache.values()].map((l) => `${l.metadata.name}@${l.spec.renewTimeMs}`).sort();

describe('Informer without handlers (lazy watch delivery)', () => {
  it('holds exactly what an informer with one delivery event per watch event holds, read at any moment', () => {
    // A fixed 3 ms latency gives both informers the same delivery times, so their caches must agree.
    const cluster = controlPlane({ controllerManagers: 1, schedulers: 1, latency: { minMs: 3, maxMs: 3 } });
    const { ctx } = cluster;
    const { sim, api } = ctx;
    // A host of its own: watch events cross the network to it (the API server's own host has no latency).
    const host = new Host(sim, 'watcher', 'zone-x', 'node');
    // The reference: a plain watcher with one real delivery event per watch event, 3 ms after the write.
    const reference = new Map<string, Lease>();
    const updates: string[] = [];
    api.store.watch({
      kind: 'Lease',
      namespace: 'kube-node-lease',
      notify: (_type, obj) => {
        sim.at(sim.nowMs + 3, () => {
          reference.set(obj.metadata.name, obj as Lease);
          updates.push(obj.metadata.name);
        });
      },
    });
    const lazy = new Informer<Lease>(ctx, host, { kind: 'Lease', namespace: 'kube-node-lease' }, 'test/lazy');
    lazy.start();
    sim.run(900);
    expect(lazy.synced).toBe(true);

    let reads = 0;
    const compare = () => {
      expect(view(lazy.cache)).toEqual(view(reference));
      reads++;
    };
    const write = (name: string, renewTimeMs: number) => {
      const got = api.store.getLease('kube-node-lease', name);
      if (got.ok) api.store.update({ ...lease(name, renewTimeMs), metadata: got.value.metadata }, 'test');
      else api.store.create(lease(name, renewTimeMs), 'test');
    };
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
    const lazy = new Informer<Lease>(ctx, host, { kind: 'Lease', namespace: 'kube-node-lease' }, 'test/lazy');
    lazy.start();
    ctx.sim.run(1_000);
    ctx.sim.at(1_000, () => ctx.api.store.create(lease('n', 1_000), 'test'));
    ctx.sim.run(1_000);
    expect(() => lazy.addHandlers({})).toThrow(/handlers added while watch events are in flight/);
  });
});

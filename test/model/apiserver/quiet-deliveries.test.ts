// The quietDeliveries fast path (quiet-deliveries.ts) against its reference, PlainDeliveries: the same
// handlers and writes, with and without it, see the same updates and the same cache at every read; only the
// number of events differs.
import type { Lease } from '../../../src/k8s/objects.js';
import { Informer } from '../../../src/model/apiserver/informer.js';
import { PlainDeliveries, QuietDeliveries, watchDeliveries } from '../../../src/model/apiserver/quiet-deliveries.js';
import { Host } from '../../../src/model/infra/host.js';
import { controlPlane } from '../ha/fixtures.js';

function lease(name: string, renewTimeMs: number): Lease {
  return {
    kind: 'Lease',
    metadata: { name, namespace: 'kube-system', uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: {} },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, acquireTimeMs: 0, renewTimeMs, leaseTransitions: 0 },
  };
}

/** Runs one informer whose handler calls even renewTimes quiet; returns what it saw and the events run. */
function run(quietDeliveries: boolean) {
  const { ctx } = controlPlane({
    controllerManagers: 1,
    schedulers: 1,
    latency: { minMs: 3, maxMs: 3 },
    fastPaths: { leaderElectionChains: false, quietDeliveries },
  });
  const sim = ctx.sim;
  const informer = new Informer<Lease>(
    ctx,
    new Host(sim, 'watcher', 'zone-x', 'node'),
    { kind: 'Lease', namespace: 'kube-system' },
    'test/informer',
  );
  const updates: string[] = [];
  informer.addHandlers({
    onUpdate: (prev, next) => {
      if (next.metadata.name !== 'a') return;
      // What the quiet() below promises: an even renewTime changes nothing for this handler.
      if (next.spec.renewTimeMs % 2 !== 0)
        updates.push(`${prev.spec.renewTimeMs}->${next.spec.renewTimeMs}@${sim.nowMs}`);
    },
    quiet: (_prev, next) => next.metadata.name === 'a' && next.spec.renewTimeMs % 2 === 0,
  });
  informer.start();
  sim.run(900);
  const write = (renewTimeMs: number) => {
    const got = ctx.api.store.getLease('kube-system', 'a');
    if (got.ok) ctx.api.store.update({ ...lease('a', renewTimeMs), metadata: got.value.metadata }, 'test');
    else ctx.api.store.create(lease('a', renewTimeMs), 'test');
  };
  for (let i = 1; i <= 20; i++) sim.at(1_000 + 7 * i, () => write(i));
  const seen: number[] = [];
  for (let t = 1_000; t < 1_200; t += 5) sim.at(t, () => seen.push(informer.get('a')?.spec.renewTimeMs ?? -1));
  const before = sim.dispatched;
  sim.run(1_300);
  return { updates, seen, events: sim.dispatched - before };
}

describe('quietDeliveries against its reference (PlainDeliveries)', () => {
  it('gives the same updates and the same cache at every read, with fewer events', () => {
    const fast = run(true);
    const reference = run(false);
    expect(fast.updates).toEqual(reference.updates);
    expect(fast.seen).toEqual(reference.seen);
    // Renewals 3, 5, ..., 19 (the first write creates the lease: an add, not an update).
    expect(fast.updates.length).toBe(9);
    // The ten even renewals are applied without a delivery event of their own.
    expect(reference.events - fast.events).toBe(10);
  });

  it('takes the fast path only when it is on and every handler has a quiet()', () => {
    const quiet = { onUpdate: () => {}, quiet: () => true };
    const plain = { onUpdate: () => {} };
    expect(watchDeliveries<Lease>(true, [quiet])).toBeInstanceOf(QuietDeliveries);
    expect(watchDeliveries<Lease>(false, [quiet])).toBeInstanceOf(PlainDeliveries);
    expect(watchDeliveries<Lease>(true, [quiet, plain])).toBeInstanceOf(PlainDeliveries);
    expect(new PlainDeliveries<Lease>().cacheOnly()).toBe(false);
    // A change from nothing (an ADDED object) is never quiet.
    expect(new QuietDeliveries<Lease>([quiet]).cacheOnly(undefined, lease('a', 2))).toBe(false);
    expect(new QuietDeliveries<Lease>([quiet]).cacheOnly(lease('a', 1), lease('a', 2))).toBe(true);
  });
});

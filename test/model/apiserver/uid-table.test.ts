// UidTable stands in for a Map from name to object in informer caches and controller indexes: whatever
// the sequence of writes, it must hold and iterate exactly what that Map would, in the same order.
import seedrandom from 'seedrandom';
import type { Pod } from '../../../src/k8s/objects.js';
import { UidSlots, UidTable } from '../../../src/model/apiserver/uid-table.js';

function pod(name: string, uid: number, resourceVersion: number): Pod {
  return { kind: 'Pod', metadata: { name, uid, resourceVersion } } as unknown as Pod;
}

const contents = (m: ReadonlyMap<string, Pod>) =>
  [...m].map(([k, p]) => `${k}@${p.metadata.uid}.${p.metadata.resourceVersion}`);

describe('UidTable', () => {
  it('holds and iterates what a Map would, in the same order, over 5,000 random writes', () => {
    const rng = seedrandom('uid-table');
    const table = new UidTable<Pod>();
    const map = new Map<string, Pod>();
    let uid = 10;
    let rv = 0;
    const uids = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const name = `p-${Math.floor(rng() * 40)}`;
      const held = map.get(name);
      const r = rng();
      if (held !== undefined && r < 0.5) {
        // A MODIFIED event: the same incarnation, a new object, by uid.
        const next = pod(name, held.metadata.uid, ++rv);
        expect(table.replaceHeld(held, next)).toBe(true);
        map.set(name, next);
      } else if (held !== undefined && r < 0.7) {
        expect(table.delete(name)).toBe(true);
        map.delete(name);
      } else {
        // A new object, or a new incarnation taking the name over (a relist's set).
        if (held === undefined || r < 0.85) uids.set(name, (uid += 1 + Math.floor(rng() * 3)));
        const next = pod(name, uids.get(name)!, ++rv);
        // As an informer does after its own lookup (setHeld), or plainly.
        if (rng() < 0.5) table.setHeld(name, next, table.get(name));
        else table.set(name, next);
        map.set(name, next);
      }
      expect(table.size).toBe(map.size);
    }
    expect(contents(table)).toEqual(contents(map));
    expect([...table.keys()]).toEqual([...map.keys()]);
    expect([...table.values()]).toEqual([...map.values()]);
    for (const k of map.keys()) expect(table.get(k)).toBe(map.get(k));
    expect(table.get('p-none')).toBeUndefined();
  });

  it('refuses to replace an object it does not hold, changing nothing', () => {
    const table = new UidTable<Pod>();
    const a = pod('a', 3, 1);
    table.set('a', a);
    expect(table.replaceHeld(pod('a', 3, 0), pod('a', 3, 2))).toBe(false);
    expect(table.replaceHeld(a, pod('a', 4, 2))).toBe(false);
    expect(table.get('a')).toBe(a);
  });

  it('shares slots between tables whose names never overlap', () => {
    const slots = new UidSlots<Pod>();
    const onA = new UidTable(slots);
    const onB = new UidTable(slots);
    const p1 = pod('p1', 7, 1);
    const p2 = pod('p2', 9, 1);
    onA.set('p1', p1);
    onB.set('p2', p2);
    const p1b = pod('p1', 7, 2);
    expect(onB.replaceHeld(p1, p1b)).toBe(true); // the slot is shared: whichever table asks
    expect(onA.get('p1')).toBe(p1b);
    expect(onB.get('p1')).toBeUndefined();
    onA.delete('p1');
    expect(slots.at(7)).toBeUndefined();
    expect(onB.get('p2')).toBe(p2);
  });
});

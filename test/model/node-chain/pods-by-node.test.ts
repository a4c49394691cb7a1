// The lifecycle controller's pods-by-node index (src/model/apiserver/pods-by-node.ts) must list, for every node, exactly the
// pods a Map per node kept by the same informer events would hold, in the same order.
import seedrandom from 'seedrandom';
import type { Pod } from '../../../src/k8s/objects.js';
import { PodsByNode } from '../../../src/model/apiserver/pods-by-node.js';

function pod(name: string, uid: number, nodeName: string | undefined, rv: number): Pod {
  return {
    kind: 'Pod',
    metadata: { name, uid, resourceVersion: rv },
    spec: { nodeName },
    status: { ready: false },
  } as unknown as Pod;
}

describe('PodsByNode', () => {
  it('lists what a Map per node would, in the same order, over 5,000 random informer events', () => {
    const rng = seedrandom('pods-by-node');
    const index = new PodsByNode();
    const held = new Map<string, Pod>(); // the informer's cache
    const ref = new Map<string, Map<string, Pod>>();
    const nodes = ['n0', 'n1', 'n2', 'n3'];
    let uid = 1;
    let rv = 0;
    const apply = (prev: Pod | undefined, next: Pod | undefined) => {
      index.set(prev, next);
      const before = prev?.spec.nodeName;
      const after = next?.spec.nodeName;
      const name = (next ?? prev)!.metadata.name;
      if (before !== undefined && before !== after) {
        ref.get(before)?.delete(name);
        if (ref.get(before)?.size === 0) ref.delete(before);
      }
      if (after !== undefined && next) {
        if (!ref.has(after)) ref.set(after, new Map());
        ref.get(after)!.set(name, next);
      }
      if (next) held.set(name, next);
      else held.delete(name);
    };
    for (let i = 0; i < 5000; i++) {
      const name = `p${Math.floor(rng() * 30)}`;
      const prev = held.get(name);
      const r = rng();
      const node = nodes[Math.floor(rng() * nodes.length)];
      if (prev === undefined) apply(undefined, pod(name, uid++, r < 0.5 ? undefined : node, ++rv));
      else if (r < 0.15) apply(prev, undefined);
      else if (r < 0.25)
        apply(prev, pod(name, uid++, prev.spec.nodeName ?? node, ++rv)); // a new incarnation (a relist)
      else if (prev.spec.nodeName === undefined)
        apply(prev, pod(name, prev.metadata.uid, node, ++rv)); // bound
      else apply(prev, pod(name, prev.metadata.uid, prev.spec.nodeName, ++rv)); // a status change
      for (const n of nodes) {
        expect(index.podsOn(n)).toEqual([...(ref.get(n)?.values() ?? [])]);
        expect(index.podNamesOn(n)).toEqual([...(ref.get(n)?.keys() ?? [])]);
      }
      expect([...index.nodeNames()].sort()).toEqual([...ref.keys()].sort());
    }
  });
});

// A pods-by-node index over a controller's shared pod informer, as upstream's informer indexer
// (`getPodsAssignedToNode` in pkg/controller/nodelifecycle and pkg/controller/tainteviction). It keeps
// node-scoped work O(pods on that node): nothing in the node lifecycle, taint eviction or pod GC
// controllers ever scans every pod. One index per informer, shared by every controller that asks for it.
import type { Pod } from '../api/objects.js';
import type { Informer } from '../apiserver/informer.js';
import { UidSlots, UidTable } from '../apiserver/uid-table.js';

const EMPTY: ReadonlyMap<string, Pod> = new Map();

export class PodsByNode {
  private readonly byNode = new Map<string, UidTable<Pod>>();
  /** Shared by the nodes' tables: a pod is bound to one node. */
  private readonly slots = new UidSlots<Pod>();
  /** Bumped whenever a node gains its first pod or loses its last (the set of nodeNames() changes). */
  nodesVersion = 0;

  /** The nodes with pods bound to them. */
  nodeNames(): MapIterator<string> {
    return this.byNode.keys();
  }

  /** The pods bound to a node, keyed by name (a live view: copy it before writing while iterating). */
  podsOn(nodeName: string): ReadonlyMap<string, Pod> {
    return this.byNode.get(nodeName) ?? EMPTY;
  }

  set(prev: Pod | undefined, next: Pod | undefined): void {
    const before = prev?.spec.nodeName;
    const after = next?.spec.nodeName;
    // A status change of a pod indexed already (most events): one array write, no lookup by node or name.
    if (before !== undefined && before === after && this.slots.replaceHeld(prev!, next!)) return;
    const name = (next ?? prev)!.metadata.name;
    if (before !== undefined && before !== after) {
      const m = this.byNode.get(before);
      if (m) {
        m.delete(name);
        if (m.size === 0) {
          this.byNode.delete(before);
          this.nodesVersion++;
        }
      }
    }
    if (after !== undefined && next) {
      let m = this.byNode.get(after);
      if (!m) {
        this.byNode.set(after, (m = new UidTable(this.slots)));
        this.nodesVersion++;
      }
      m.set(name, next);
    }
  }
}

const indexes = new WeakMap<Informer<Pod>, PodsByNode>();

/**
 * The index of this pod informer, created (and its handlers registered) on the first call. Call it while
 * building a controller, before the informer starts, so the initial list is indexed too.
 */
export function podIndexFor(informer: Informer<Pod>): PodsByNode {
  let idx = indexes.get(informer);
  if (!idx) {
    const created = new PodsByNode();
    idx = created;
    indexes.set(informer, created);
    informer.addHandlers({
      onAdd: (p) => created.set(undefined, p),
      onUpdate: (prev, next) => created.set(prev, next),
      onDelete: (p) => created.set(p, undefined),
    });
    // Objects already in the cache (an index asked for late) are indexed at once.
    for (const p of informer.cache.values()) created.set(undefined, p);
  }
  return idx;
}

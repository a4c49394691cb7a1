// A pods-by-node index over a controller's shared pod informer, as upstream's informer indexer
// (`getPodsAssignedToNode` in pkg/controller/nodelifecycle and pkg/controller/tainteviction). It keeps
// node-scoped work O(pods on that node): nothing in the node lifecycle, taint eviction or pod GC
// controllers ever scans every pod. One index per informer, shared by every controller that asks for it.
import type { Pod } from '../../k8s/objects.js';
import type { Informer } from './informer.js';
import { UidSlots } from './uid-table.js';

/** The pods bound to one node, in the order they came (a Map's order): names and uids side by side. */
interface NodePods {
  names: string[];
  uids: number[];
}

export class PodsByNode {
  private readonly byNode = new Map<string, NodePods>();
  /**
   * The pod objects by uid, shared by the nodes: a pod is bound to one node. A node's lists change only
   * when a pod comes or goes (a node holds tens of pods: arrays, not a map to grow per node).
   */
  private readonly slots = new UidSlots<Pod>();
  /** Bumped whenever a node gains its first pod or loses its last (the set of nodeNames() changes). */
  nodesVersion = 0;

  /** The nodes with pods bound to them. */
  nodeNames(): MapIterator<string> {
    return this.byNode.keys();
  }

  /** The pods bound to a node, in the order they came (a copy). */
  podsOn(nodeName: string): Pod[] {
    const m = this.byNode.get(nodeName);
    return m === undefined ? [] : m.uids.map((uid) => this.slots.at(uid)!);
  }

  /** The names of the pods bound to a node, in the order they came (a copy). */
  podNamesOn(nodeName: string): string[] {
    const m = this.byNode.get(nodeName);
    return m === undefined ? [] : [...m.names];
  }

  set(prev: Pod | undefined, next: Pod | undefined): void {
    const before = prev?.spec.nodeName;
    const after = next?.spec.nodeName;
    // A status change of a pod indexed already (most events): one array write, no lookup by node or name.
    if (before !== undefined && before === after && this.slots.replaceHeld(prev!, next!)) return;
    const name = (next ?? prev)!.metadata.name;
    if (before !== undefined && before !== after) {
      const m = this.byNode.get(before);
      const at = m === undefined ? -1 : m.names.indexOf(name);
      if (m !== undefined && at >= 0) {
        this.slots.clear(m.uids[at]);
        m.names.splice(at, 1);
        m.uids.splice(at, 1);
        if (m.names.length === 0) {
          this.byNode.delete(before);
          this.nodesVersion++;
        }
      }
    }
    if (after !== undefined && next) {
      let m = this.byNode.get(after);
      if (!m) {
        this.byNode.set(after, (m = { names: [], uids: [] }));
        this.nodesVersion++;
      }
      const uid = next.metadata.uid;
      const at = m.names.indexOf(name);
      if (at < 0) {
        m.names.push(name);
        m.uids.push(uid);
      } else if (m.uids[at] !== uid) {
        // A new incarnation of the name (a relist): it keeps the name's place.
        this.slots.clear(m.uids[at]);
        m.uids[at] = uid;
      }
      this.slots.put(next);
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

// Maps by name of API objects, for caches that hold the latest object of each name (an informer's cache
// of every pod, a controller's index of pods by workload or by node), stored so that the common write
// costs no hash lookup. Such a write is a MODIFIED watch event: it replaces the object held under the
// same name, and the store keeps an object's uid on every write, so the new object goes to the slot of
// its uid in an array (UidSlots). The map from name to uid (UidTable) changes only when a name comes or
// goes or is taken by a new incarnation (a StatefulSet pod re-created with the same name). At 150,000
// pods, each hash lookup saved missed the processor's caches several times (bench/README.md).
// Iteration follows the names' insertion order, exactly as a Map of the objects would.
import type { ApiObject } from '../../k8s/objects.js';

/** Objects by uid: an array grown by pushes, so never sparse. Several tables may share one. */
export class UidSlots<T extends ApiObject> {
  private readonly byUid: Array<T | undefined> = [];

  at(uid: number): T | undefined {
    return this.byUid[uid];
  }

  put(obj: T): void {
    const byUid = this.byUid;
    const uid = obj.metadata.uid;
    while (byUid.length < uid) byUid.push(undefined);
    byUid[uid] = obj;
  }

  clear(uid: number): void {
    if (uid < this.byUid.length) this.byUid[uid] = undefined;
  }

  /**
   * `obj` replaces `held`, which is held here, with the same uid: no lookup by name. Returns false,
   * changing nothing, when `held` is not what is held or the uids differ.
   */
  replaceHeld(held: T, obj: T): boolean {
    const uid = obj.metadata.uid;
    if (held.metadata.uid !== uid || this.byUid[uid] !== held) return false;
    this.byUid[uid] = obj;
    return true;
  }
}

/**
 * A map from name to the object held under it, over UidSlots (its own, or shared by tables whose
 * names never overlap: each slot belongs to the one table that holds its uid).
 */
export class UidTable<T extends ApiObject> implements ReadonlyMap<string, T> {
  private readonly uids = new Map<string, number>();

  constructor(readonly slots: UidSlots<T> = new UidSlots<T>()) {}

  get size(): number {
    return this.uids.size;
  }

  get(key: string): T | undefined {
    const uid = this.uids.get(key);
    return uid === undefined ? undefined : this.slots.at(uid);
  }

  has(key: string): boolean {
    return this.uids.has(key);
  }

  set(key: string, obj: T): this {
    const uid = obj.metadata.uid;
    const old = this.uids.get(key);
    if (old !== uid) {
      if (old !== undefined) this.slots.clear(old);
      this.uids.set(key, uid);
    }
    this.slots.put(obj);
    return this;
  }

  /** As set(), when `held` is what get(key) has just returned (undefined: nothing): one lookup fewer. */
  setHeld(key: string, obj: T, held: T | undefined): void {
    const uid = obj.metadata.uid;
    if (held === undefined) this.uids.set(key, uid);
    else if (held.metadata.uid !== uid) {
      this.slots.clear(held.metadata.uid);
      this.uids.set(key, uid);
    }
    this.slots.put(obj);
  }

  /** slots.replaceHeld: `obj` replaces `held`, held under their name, without a lookup by name. */
  replaceHeld(held: T, obj: T): boolean {
    return this.slots.replaceHeld(held, obj);
  }

  delete(key: string): boolean {
    const uid = this.uids.get(key);
    if (uid === undefined) return false;
    this.uids.delete(key);
    this.slots.clear(uid);
    return true;
  }

  *entries(): MapIterator<[string, T]> {
    for (const [key, uid] of this.uids) yield [key, this.slots.at(uid)!];
  }

  keys(): MapIterator<string> {
    return this.uids.keys();
  }

  *values(): MapIterator<T> {
    for (const uid of this.uids.values()) yield this.slots.at(uid)!;
  }

  forEach(fn: (value: T, key: string, map: ReadonlyMap<string, T>) => void, thisArg?: unknown): void {
    for (const [key, uid] of this.uids) fn.call(thisArg, this.slots.at(uid)!, key, this);
  }

  [Symbol.iterator](): MapIterator<[string, T]> {
    return this.entries();
  }
}

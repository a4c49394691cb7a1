// Which watch events of an informer need a delivery of their own (the quietDeliveries fast path).
// Upstream, a reflector's watch event goes into the informer's store and then to every handler
// (client-go tools/cache shared_informer.go, sharedIndexInformer.HandleDeltas -> processDeltas ->
// sharedProcessor.distribute): the reference here, PlainDeliveries, gives every event of an informer with
// handlers a delivery event of its own, which applies it to the cache and calls the handlers.
//
// QuietDeliveries skips the delivery event of a MODIFIED event that every handler calls quiet
// (InformerHandlers.quiet: onUpdate(prev, next) would do nothing, now or whenever it runs before the
// informer's next delivery), such as a pod's own Ready report coming back to its kubelet. The informer
// keeps such an event in flight with the insertion number its delivery would have had
// (LazySimulator.reserveSeq) and applies it to the cache when the cache is read or the next delivery runs,
// as it does every event of an informer without handlers. The cache a reader sees at any moment is the
// same, and no handler call is lost, since each would have done nothing: the outcome is the same, with
// one event fewer per quiet change (most of a large cluster's pod status traffic at its kubelets).
// An informer takes the fast path only when every one of its handlers has a quiet().
import type { ApiObject } from '../../k8s/objects.js';
import type { InformerHandlers } from './informer.js';

/** Decides, per MODIFIED watch event, whether it goes into the cache without a delivery of its own. */
export interface WatchDeliveries<T> {
  /** Whether the change from prev (the object the cache will hold) to next needs no delivery event. */
  cacheOnly(prev: T | undefined, next: T): boolean;
}

/** The reference: every watch event of an informer with handlers is delivered to them. */
export class PlainDeliveries<T> implements WatchDeliveries<T> {
  cacheOnly(): boolean {
    return false;
  }
}

/** The fast path: a change that every handler calls quiet goes into the cache only. */
export class QuietDeliveries<T extends ApiObject> implements WatchDeliveries<T> {
  constructor(private readonly handlers: ReadonlyArray<InformerHandlers<T>>) {}

  cacheOnly(prev: T | undefined, next: T): boolean {
    if (prev === undefined) return false;
    for (const h of this.handlers) if (!h.quiet!(prev, next)) return false;
    return true;
  }
}

/**
 * The deliveries of an informer with these handlers: quiet ones when the fast path is on and every handler
 * can tell a quiet change, else the reference.
 */
export function watchDeliveries<T extends ApiObject>(
  quietDeliveries: boolean,
  handlers: ReadonlyArray<InformerHandlers<T>>,
): WatchDeliveries<T> {
  return quietDeliveries && handlers.every((h) => h.quiet !== undefined)
    ? new QuietDeliveries(handlers)
    : new PlainDeliveries();
}

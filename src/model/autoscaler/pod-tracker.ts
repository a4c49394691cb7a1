// What the autoscaler keeps from its pod informer between loops, so that a loop with nothing Pending
// costs O(nodes), not O(pods): the Pending pods (no node, not being deleted), and per node the requests
// and names of the pods that occupy it (bound and not finished; Terminating pods still hold their room).
// A pod's status changes on its node (Ready flips, most of a cluster's pod traffic) change neither, and
// the handler calls them quiet (informer.ts), so they cost the informer no delivery.
import type { Pod } from '../../k8s/objects.js';
import type { Informer } from '../apiserver/informer.js';
import { podOccupies } from './snapshot.js';

export interface NodeUsage {
  cpuMilli: number;
  memoryBytes: number;
  pods: Set<string>;
}

export class PodTracker {
  readonly pending = new Map<string, Pod>();
  readonly usage = new Map<string, NodeUsage>();
  /**
   * Bumped at every pod change a scheduling snapshot could see (static-autoscaler.ts ScanReuse): all but
   * the quiet ones, which change neither where a pod is, whether it occupies its node, nor whether it is
   * terminating (PodTopologySpread counts only pods without a deletionTimestamp).
   */
  version = 0;

  constructor(informer: Informer<Pod>) {
    informer.addHandlers({
      onAdd: (p) => this.set(undefined, p),
      onUpdate: (prev, next) => this.set(prev, next),
      onDelete: (p) => this.set(p, undefined),
      quiet: (prev, next) =>
        prev.spec.nodeName !== undefined &&
        prev.spec.nodeName === next.spec.nodeName &&
        podOccupies(prev) === podOccupies(next) &&
        (prev.metadata.deletionTimestampMs === undefined) === (next.metadata.deletionTimestampMs === undefined),
    });
  }

  private set(prev: Pod | undefined, next: Pod | undefined): void {
    this.version++;
    if (prev !== undefined) {
      this.pending.delete(prev.metadata.name);
      if (podOccupies(prev)) this.account(prev, -1);
    }
    if (next !== undefined) {
      if (next.spec.nodeName === undefined && next.metadata.deletionTimestampMs === undefined)
        this.pending.set(next.metadata.name, next);
      if (podOccupies(next)) this.account(next, 1);
    }
  }

  private account(pod: Pod, sign: number): void {
    const node = pod.spec.nodeName!;
    let u = this.usage.get(node);
    if (u === undefined) this.usage.set(node, (u = { cpuMilli: 0, memoryBytes: 0, pods: new Set() }));
    u.cpuMilli += sign * pod.spec.requests.cpuMilli;
    u.memoryBytes += sign * pod.spec.requests.memoryBytes;
    if (sign > 0) u.pods.add(pod.metadata.name);
    else u.pods.delete(pod.metadata.name);
    if (u.pods.size === 0) this.usage.delete(node);
  }
}

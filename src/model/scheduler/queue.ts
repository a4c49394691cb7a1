// kube-scheduler's SchedulingQueue (pkg/scheduler/backend/queue/scheduling_queue.go, PriorityQueue):
// activeQ (a heap: priority desc, then the time the pod was queued), backoffQ (a heap by backoff
// expiry) and unschedulablePods (a map).
//
// Fidelity notes:
// - Backoff = podInitialBackoffSeconds (1 s) doubled per attempt after the first, capped at
//   podMaxBackoffSeconds (10 s): 1, 2, 4, 8, 10, 10 s (calculateBackoffDuration).
// - A pod that failed as unschedulable goes to unschedulablePods, unless a move request happened during
//   its scheduling cycle (moveRequestCycle >= the pod's cycle), or it failed with an error rather than a
//   plugin rejection: then it goes to backoffQ (AddUnschedulableIfNotPresent).
// - A cluster event moves the unschedulable pods it may help (queueing hints, reduced to "which plugin
//   rejected the pod") to backoffQ if still backing off, else to activeQ. flushBackoffQCompleted runs
//   every 1 s; flushUnschedulablePodsLeftover every 30 s moves pods unschedulable for more than 5 min
//   (DefaultPodMaxInUnschedulablePodsDuration).
// - activeQ is ordered by the default profile's QueueSort plugin, PrioritySort
//   (pkg/scheduler/framework/plugins/queuesort/priority_sort.go, Less): the higher spec.priority first,
//   then the earlier queue timestamp; hasim breaks a remaining tie by the order the pods were first
//   queued. All times are the scheduler's local clock.
import FastPriorityQueue from 'fastpriorityqueue';
import type { Pod } from '../../k8s/objects.js';

export const POD_INITIAL_BACKOFF_MS = 1_000;
export const POD_MAX_BACKOFF_MS = 10_000;
export const BACKOFF_FLUSH_PERIOD_MS = 1_000;
export const UNSCHEDULABLE_FLUSH_PERIOD_MS = 30_000;
export const POD_MAX_IN_UNSCHEDULABLE_PODS_MS = 5 * 60_000;

/** A filter plugin's name (framework.ts); a cluster event names the ones it may un-reject. */
export type PluginName = string;

/** calculateBackoffDuration: 1 s · 2^(attempts−1), capped at 10 s. */
export function backoffDurationMs(attempts: number): number {
  let d = POD_INITIAL_BACKOFF_MS;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d >= POD_MAX_BACKOFF_MS) return POD_MAX_BACKOFF_MS;
  }
  return d;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'inflight';

export interface QueuedPodInfo {
  pod: Pod;
  /** Scheduling attempts so far (incremented when popped). */
  attempts: number;
  /** When it was last queued (activeQ order; unschedulable flush age). */
  timestampMs: number;
  backoffExpiryMs: number;
  where: QueueName;
  /** The scheduling cycle it was popped in. */
  cycle: number;
  /** Plugins that rejected it in its last attempt. */
  rejectors: ReadonlySet<PluginName>;
  /** The last pod.unschedulable reason traced for it. */
  lastReason?: string;
  /** The pod's part of its reused-verdict key (verdicts.ts), and the pod object it was built from. */
  verdictKey: string;
  verdictKeyPod: Pod | undefined;
  /** Bumped at every move; heap entries of older generations are stale. */
  gen: number;
  seq: number;
}

/** The rejectors of a pod not yet attempted (shared: rejectors are replaced, never changed). */
const NO_REJECTORS: ReadonlySet<PluginName> = new Set();

interface Entry {
  info: QueuedPodInfo;
  gen: number;
}

/** PrioritySort's Less: whether `a` is popped before `b` (higher priority, then earlier queue time). */
export function prioritySortLess(
  a: Pick<QueuedPodInfo, 'pod' | 'timestampMs' | 'seq'>,
  b: Pick<QueuedPodInfo, 'pod' | 'timestampMs' | 'seq'>,
): boolean {
  const pa = a.pod.spec.priority;
  const pb = b.pod.spec.priority;
  if (pa !== pb) return pa > pb;
  return a.timestampMs !== b.timestampMs ? a.timestampMs < b.timestampMs : a.seq < b.seq;
}

export class SchedulingQueue {
  private readonly infos = new Map<string, QueuedPodInfo>();
  private readonly activeQ = new FastPriorityQueue<Entry>((a, b) => prioritySortLess(a.info, b.info));
  private readonly backoffQ = new FastPriorityQueue<Entry>((a, b) =>
    a.info.backoffExpiryMs !== b.info.backoffExpiryMs
      ? a.info.backoffExpiryMs < b.info.backoffExpiryMs
      : a.info.seq < b.info.seq,
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private activeCount = 0;
  private seq = 0;
  schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(private readonly now: () => number) {}

  get activeSize(): number {
    return this.activeCount;
  }

  get unschedulableSize(): number {
    return this.unschedulable.size;
  }

  get(name: string): QueuedPodInfo | undefined {
    return this.infos.get(name);
  }

  /** A new pending pod: straight to activeQ. */
  add(pod: Pod): void {
    const name = pod.metadata.name;
    if (this.infos.has(name)) {
      this.update(pod);
      return;
    }
    const info: QueuedPodInfo = {
      pod,
      attempts: 0,
      timestampMs: this.now(),
      backoffExpiryMs: 0,
      where: 'inflight',
      cycle: 0,
      rejectors: NO_REJECTORS,
      verdictKey: '',
      verdictKeyPod: undefined,
      gen: 0,
      seq: this.seq++,
    };
    this.infos.set(name, info);
    this.toActive(info);
  }

  update(pod: Pod): void {
    const info = this.infos.get(pod.metadata.name);
    if (info) info.pod = pod;
  }

  /** The pod was bound or deleted: forget it wherever it is. */
  delete(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    this.leave(info);
    info.gen++;
    this.infos.delete(name);
  }

  /** The next pod to schedule, or undefined when activeQ is empty. */
  pop(): QueuedPodInfo | undefined {
    for (;;) {
      const e = this.activeQ.poll();
      if (!e) return undefined;
      if (e.gen !== e.info.gen || e.info.where !== 'active') continue;
      this.activeCount--;
      const info = e.info;
      info.where = 'inflight';
      info.attempts++;
      info.cycle = ++this.schedulingCycle;
      return info;
    }
  }

  /** After a failed attempt (rejectors empty: an error such as a failed bind). */
  addUnschedulableIfNotPresent(info: QueuedPodInfo, rejectors: ReadonlySet<PluginName>): void {
    if (this.infos.get(info.pod.metadata.name) !== info || info.where !== 'inflight') return;
    const now = this.now();
    info.timestampMs = now;
    info.backoffExpiryMs = now + backoffDurationMs(info.attempts);
    info.rejectors = rejectors;
    if (this.moveRequestCycle >= info.cycle || rejectors.size === 0) this.toBackoff(info);
    else {
      info.where = 'unschedulable';
      info.gen++;
      this.unschedulable.set(info.pod.metadata.name, info);
    }
  }

  /**
   * MoveAllToActiveOrBackoffQueue for an event that may help pods rejected by `plugins` (undefined: any).
   * Returns whether activeQ gained pods.
   */
  moveAllToActiveOrBackoff(plugins: ReadonlySet<PluginName> | undefined): boolean {
    this.moveRequestCycle = this.schedulingCycle;
    const moved: QueuedPodInfo[] = [];
    for (const info of this.unschedulable.values()) {
      if (plugins && !intersects(info.rejectors, plugins)) continue;
      moved.push(info);
    }
    return this.moveToActiveOrBackoff(moved);
  }

  /** flushBackoffQCompleted: pods whose backoff has expired go to activeQ. */
  flushBackoffCompleted(): boolean {
    const now = this.now();
    let any = false;
    for (;;) {
      const e = this.backoffQ.peek();
      if (!e) break;
      if (e.gen !== e.info.gen || e.info.where !== 'backoff') {
        this.backoffQ.poll();
        continue;
      }
      if (e.info.backoffExpiryMs > now) break;
      this.backoffQ.poll();
      this.toActive(e.info);
      any = true;
    }
    return any;
  }

  /** flushUnschedulablePodsLeftover: pods unschedulable for longer than 5 min. */
  flushUnschedulableLeftover(): boolean {
    const now = this.now();
    const moved: QueuedPodInfo[] = [];
    for (const info of this.unschedulable.values())
      if (now - info.timestampMs > POD_MAX_IN_UNSCHEDULABLE_PODS_MS) moved.push(info);
    return this.moveToActiveOrBackoff(moved);
  }

  private moveToActiveOrBackoff(infos: QueuedPodInfo[]): boolean {
    const now = this.now();
    let any = false;
    for (const info of infos) {
      this.unschedulable.delete(info.pod.metadata.name);
      if (info.backoffExpiryMs > now) this.toBackoff(info);
      else {
        this.toActive(info);
        any = true;
      }
    }
    return any;
  }

  private toActive(info: QueuedPodInfo): void {
    this.leave(info);
    info.where = 'active';
    info.gen++;
    this.activeCount++;
    this.activeQ.add({ info, gen: info.gen });
  }

  private toBackoff(info: QueuedPodInfo): void {
    this.leave(info);
    info.where = 'backoff';
    info.gen++;
    this.backoffQ.add({ info, gen: info.gen });
  }

  private leave(info: QueuedPodInfo): void {
    if (info.where === 'active') this.activeCount--;
    else if (info.where === 'unschedulable') this.unschedulable.delete(info.pod.metadata.name);
    info.where = 'inflight';
  }
}

function intersects<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

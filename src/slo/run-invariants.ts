// Safety invariants of a whole run, checked on its trace after it ends (npm run vopr runs them on every
// generated scenario; a test runs them on every library scenario). A violation is a bug in hasim, not a
// simulated failure. Each check allows exactly what the modelled failures make possible:
// - time: events are in time order, at integer milliseconds within the run (none after its end);
// - one copy: a pod's containers never run on two nodes at once, unless the older copy is out of the
//   control plane's sight (its node cut off, degraded, its kubelet stopped or its clock skewed, or the API
//   server or etcd down) or its object was force-deleted or removed while it ran (grace 0: the API forgets
//   the pod without waiting for the kubelet, which is how upstream's force delete can run two copies), or
//   it started within 30 s of a removal of its name (a kubelet starting a pod whose removal it has not
//   heard of yet);
// - one leader: at most one instance of a component acts as leader at a time, unless a clock was skewed
//   (leader election trusts clocks to run at the same rate);
// - terminating: a pod still Terminating at the end is there for a modelled reason: its node is not Ready
//   or is powered off, its kubelet is stopped or cut off, the API server is down, or its deletion is
//   younger than its grace period plus a minute.
import type { TraceEvent } from '../trace/events.js';

export interface InvariantViolation {
  atMs: number;
  invariant: 'time' | 'one-copy' | 'one-leader' | 'terminating';
  message: string;
}

/** Fault types under which a node's kubelet may miss what the API server decided about its pods. */
const HIDING_FAULTS = new Set(['network-partition', 'network-degrade', 'kubelet-stop', 'clock-skew']);
/** Fault types under which nobody's kubelet hears from the API server. */
const BLINDING_FAULTS = new Set(['apiserver-outage', 'etcd-member-down']);
/** Deletions that forget the pod without waiting for its kubelet. */
const FORCE_REASONS = new Set(['force-delete', 'pod-gc']);
/** How long after a pod's removal a kubelet may still start the removed copy (its watch catching up). */
const STALE_START_MS = 30_000;
/** Slack past a pod's grace period before a Terminating pod on a healthy node is suspicious. */
const TERMINATING_SLACK_MS = 60_000;
/** The longest terminationGracePeriod hasim accepts is well under this; pods are checked against it. */
const TERMINATING_MAX_GRACE_MS = 10 * 60_000;

class ActiveFaults {
  private readonly byName = new Map<string, { type: string; targets: string[] }>();
  everSkewed = false;

  start(e: Extract<TraceEvent, { type: 'fault.started' }>): void {
    this.byName.set(e.fault, { type: e.faultType, targets: e.targets });
    if (e.faultType === 'clock-skew') this.everSkewed = true;
  }
  end(e: Extract<TraceEvent, { type: 'fault.ended' }>): void {
    this.byName.delete(e.fault);
  }
  /** Whether the control plane may not see what happens on node (or the node not hear from it). */
  hides(node: string): boolean {
    for (const f of this.byName.values()) {
      if (BLINDING_FAULTS.has(f.type)) return true;
      if (HIDING_FAULTS.has(f.type) && (f.targets.includes(node) || f.type === 'network-partition')) return true;
    }
    return false;
  }
}

export function checkRunInvariants(events: readonly TraceEvent[], durationMs: number): InvariantViolation[] {
  const check = new RunChecker(durationMs);
  for (const e of events) check.observe(e);
  return check.finish();
}

/** The state the invariants need, kept event by event. */
class RunChecker {
  readonly out: InvariantViolation[] = [];
  private readonly faults = new ActiveFaults();
  /** Nodes where each pod's containers run now. */
  private readonly running = new Map<string, Set<string>>();
  /** Copies (`pod@node`) whose pod was force-deleted or removed while they ran: the API server forgot them. */
  private readonly forgotten = new Set<string>();
  private readonly leaders = new Map<string, Set<string>>();
  /** Pods deleted and not removed, with when their deletion was asked. */
  private readonly terminating = new Map<string, number>();
  private readonly podNode = new Map<string, string>();
  private readonly nodeReady = new Map<string, string>();
  private readonly poweredOff = new Set<string>();
  /** When each pod name was last removed from the API server. */
  private readonly removedAtMs = new Map<string, number>();
  private lastMs = 0;

  constructor(private readonly durationMs: number) {}

  observe(e: TraceEvent): void {
    if (!Number.isInteger(e.atMs) || e.atMs < this.lastMs || e.atMs > this.durationMs)
      this.out.push({
        atMs: e.atMs,
        invariant: 'time',
        message: `${e.type} at ${e.atMs} ms after ${this.lastMs} ms (run ends at ${this.durationMs} ms)`,
      });
    this.lastMs = Math.max(this.lastMs, e.atMs);
    switch (e.type) {
      case 'fault.started':
        return this.faults.start(e);
      case 'fault.ended':
        return this.faults.end(e);
      case 'host.powered.off':
        this.poweredOff.add(e.host);
        return;
      case 'host.powered.on':
        this.poweredOff.delete(e.host);
        return;
      case 'node.ready.changed':
        this.nodeReady.set(e.node, e.to);
        return;
      case 'pod.scheduled':
        this.podNode.set(e.pod, e.node);
        return;
      case 'pod.deleted':
        if (!this.terminating.has(e.pod)) this.terminating.set(e.pod, e.atMs);
        if (FORCE_REASONS.has(e.reason)) this.forget(e.pod);
        return;
      case 'pod.removed':
        this.terminating.delete(e.pod);
        this.removedAtMs.set(e.pod, e.atMs);
        // Removed while its containers still run: the API server forgot them (a grace-0 delete, e.g. PodGC
        // on an out-of-service node, of a pod that was Terminating already).
        return this.forget(e.pod);
      case 'pod.started':
        return this.started(e);
      case 'pod.stopped':
        this.running.get(e.pod)?.delete(e.node);
        this.forgotten.delete(`${e.pod}@${e.node}`);
        return;
      case 'leader.acquired':
        return this.leaderAcquired(e);
      case 'leader.lost':
      case 'component.stopped':
        this.leaders.get(e.component)?.delete(e.instance);
        return;
    }
  }

  private forget(pod: string): void {
    for (const node of this.running.get(pod) ?? []) this.forgotten.add(`${pod}@${node}`);
  }

  private started(e: Extract<TraceEvent, { type: 'pod.started' }>): void {
    // A kubelet that learns of a pod before its removal reaches it starts a copy the API server has already
    // forgotten; the trace does not say which incarnation a copy is, so a copy started soon after a removal
    // of its name counts as possibly forgotten.
    const removedAtMs = this.removedAtMs.get(e.pod);
    if (removedAtMs !== undefined && e.atMs - removedAtMs <= STALE_START_MS) this.forgotten.add(`${e.pod}@${e.node}`);
    const nodes = this.running.get(e.pod) ?? new Set<string>();
    for (const other of nodes)
      if (other !== e.node && !this.faults.hides(other) && !this.forgotten.has(`${e.pod}@${other}`))
        this.out.push({
          atMs: e.atMs,
          invariant: 'one-copy',
          message: `${e.pod} started on ${e.node} while its containers still run on ${other}, which the control plane can see`,
        });
    nodes.add(e.node);
    this.running.set(e.pod, nodes);
  }

  private leaderAcquired(e: Extract<TraceEvent, { type: 'leader.acquired' }>): void {
    const set = this.leaders.get(e.component) ?? new Set<string>();
    set.add(e.instance);
    this.leaders.set(e.component, set);
    if (set.size > 1 && !this.faults.everSkewed)
      this.out.push({
        atMs: e.atMs,
        invariant: 'one-leader',
        message: `${e.instance} became ${e.component} leader while ${[...set].filter((i) => i !== e.instance).join(', ')} still led, with no clock skewed`,
      });
  }

  /** The end of the run: every pod still Terminating must have a modelled reason to be. */
  finish(): InvariantViolation[] {
    for (const [pod, sinceMs] of this.terminating) {
      const node = this.podNode.get(pod);
      const excused =
        node === undefined ||
        this.nodeReady.get(node) !== 'True' ||
        this.poweredOff.has(node) ||
        this.faults.hides(node) ||
        this.durationMs - sinceMs < TERMINATING_MAX_GRACE_MS + TERMINATING_SLACK_MS;
      if (!excused)
        this.out.push({
          atMs: this.durationMs,
          invariant: 'terminating',
          message: `${pod} has been Terminating since ${sinceMs} ms on ${node}, which is Ready and reachable`,
        });
    }
    return this.out;
  }
}

// Safety invariants checked while the run goes, event by event. A violation is a bug in hasim (the
// simulated API server let a pod be in two states at once), not a simulated failure.
import type { TraceEvent } from '../trace/events.js';

type PodPhase = 'pending' | 'running' | 'terminating' | 'removed';

/**
 * Pod accounting: each pod the trace names is exactly one of pending (created, not bound), running
 * (bound to a node), terminating (deletion requested) or removed (gone from the API server), and
 * moves only forward through them. O(1) per event: one map lookup and one store.
 */
export class PodAccounting {
  private readonly phase = new Map<string, PodPhase>();

  /** Returns a description of the violation when the event breaks pod accounting, else undefined. */
  observe(e: TraceEvent): string | undefined {
    switch (e.type) {
      case 'pod.created': {
        const p = this.phase.get(e.pod);
        if (p !== undefined && p !== 'removed')
          return `pod.created for ${e.pod} while a pod of that name still exists (${p})`;
        this.phase.set(e.pod, 'pending');
        return undefined;
      }
      case 'pod.scheduled': {
        const p = this.phase.get(e.pod);
        if (p === undefined) return `pod.scheduled for unknown pod ${e.pod}`;
        if (p === 'removed') return `pod.scheduled for removed pod ${e.pod}`;
        if (p === 'running') return `pod.scheduled for ${e.pod}, which is already bound to a node`;
        if (p === 'terminating') return `pod.scheduled for ${e.pod}, which is being deleted`;
        this.phase.set(e.pod, 'running');
        return undefined;
      }
      case 'pod.ready.changed': {
        const p = this.phase.get(e.pod);
        if (p === undefined) return `pod.ready.changed for unknown pod ${e.pod}`;
        if (p === 'removed') return `pod.ready.changed for removed pod ${e.pod}`;
        if (p === 'pending' && e.ready) return `pod.ready.changed to ready for ${e.pod}, which is not bound to a node`;
        return undefined;
      }
      case 'pod.deleted': {
        const p = this.phase.get(e.pod);
        if (p === undefined) return `pod.deleted for unknown pod ${e.pod}`;
        if (p === 'removed') return `pod.deleted for removed pod ${e.pod}`;
        // A second deletion of a Terminating pod is legitimate (a force delete after a graceful one).
        this.phase.set(e.pod, 'terminating');
        return undefined;
      }
      case 'pod.removed': {
        const p = this.phase.get(e.pod);
        if (p === undefined) return `pod.removed for unknown pod ${e.pod}`;
        if (p === 'removed') return `pod.removed twice for ${e.pod}`;
        this.phase.set(e.pod, 'removed');
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** Pods currently in each phase (for messages and tests). */
  counts(): Record<PodPhase, number> {
    const c: Record<PodPhase, number> = { pending: 0, running: 0, terminating: 0, removed: 0 };
    for (const p of this.phase.values()) c[p]++;
    return c;
  }
}

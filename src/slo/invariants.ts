// Safety invariants checked while the run goes, event by event. A violation is a bug in hasim (the
// simulated API server let a pod be in two states at once), not a simulated failure.
import type { TraceEvent } from '../trace/events.js';

type PodPhase = 'pending' | 'running' | 'terminating' | 'removed';

/**
 * Pod accounting: each pod the trace names is exactly one of pending (created, not bound), running
 * (bound to a node), terminating (deletion requested) or removed (gone from the API server), and
 * moves only forward through them. O(1) per event: one map lookup (the phase is a field of a record, so
 * moving on writes no map entry).
 */
export class PodAccounting {
  private readonly phase = new Map<string, { phase: PodPhase }>();

  /** Returns a description of the violation when the event breaks pod accounting, else undefined. */
  observe(e: TraceEvent): string | undefined {
    switch (e.type) {
      case 'pod.created': {
        const r = this.phase.get(e.pod);
        if (r !== undefined && r.phase !== 'removed') return `pod.created for ${e.pod} while a pod of that name still exists (${r.phase})`;
        if (r === undefined) this.phase.set(e.pod, { phase: 'pending' });
        else r.phase = 'pending';
        return undefined;
      }
      case 'pod.scheduled': {
        const r = this.phase.get(e.pod);
        if (r === undefined) return `pod.scheduled for unknown pod ${e.pod}`;
        const p = r.phase;
        if (p === 'removed') return `pod.scheduled for removed pod ${e.pod}`;
        if (p === 'running') return `pod.scheduled for ${e.pod}, which is already bound to a node`;
        if (p === 'terminating') return `pod.scheduled for ${e.pod}, which is being deleted`;
        r.phase = 'running';
        return undefined;
      }
      case 'pod.ready.changed': {
        const r = this.phase.get(e.pod);
        if (r === undefined) return `pod.ready.changed for unknown pod ${e.pod}`;
        const p = r.phase;
        if (p === 'removed') return `pod.ready.changed for removed pod ${e.pod}`;
        if (p === 'pending' && e.ready) return `pod.ready.changed to ready for ${e.pod}, which is not bound to a node`;
        return undefined;
      }
      case 'pod.deleted': {
        const r = this.phase.get(e.pod);
        if (r === undefined) return `pod.deleted for unknown pod ${e.pod}`;
        const p = r.phase;
        if (p === 'removed') return `pod.deleted for removed pod ${e.pod}`;
        // A second deletion of a Terminating pod is legitimate (a force delete after a graceful one).
        r.phase = 'terminating';
        return undefined;
      }
      case 'pod.removed': {
        const r = this.phase.get(e.pod);
        if (r === undefined) return `pod.removed for unknown pod ${e.pod}`;
        const p = r.phase;
        if (p === 'removed') return `pod.removed twice for ${e.pod}`;
        r.phase = 'removed';
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** Pods currently in each phase (for messages and tests). */
  counts(): Record<PodPhase, number> {
    const c: Record<PodPhase, number> = { pending: 0, running: 0, terminating: 0, removed: 0 };
    for (const r of this.phase.values()) c[r.phase]++;
    return c;
  }
}

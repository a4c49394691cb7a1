// What a run's StatefulSet volumes did that an SRE should see (model/volume, docs/fidelity.md#volumes): a
// replacement pod held by a Multi-Attach error while its ReadWriteOnce disk is still attached to the old
// node, until which detach (normal, forced after maxWaitForUnmountDuration, or forced by the out-of-service
// taint), and the force detaches themselves. The attaches of the initial rollout are not news.
// Read from the trace alone, as every report is.
import type { TraceEvent, TraceEventOf } from '../trace/events.js';
import { formatClock, formatDuration } from './format.js';
import { eventsOfTypes } from '../trace/by-type.js';

export interface VolumeMilestone {
  atMs: number;
  text: string;
}

/** A pod's wait for a disk attached elsewhere: from its Multi-Attach error to the attach to its node. */
export interface VolumeWait {
  claim: string;
  pod: string;
  node: string;
  /** The node the disk was still attached to. */
  attachedTo: string;
  fromMs: number;
  /** When the disk was attached to the pod's node (undefined: not by the end of the run). */
  untilMs: number | undefined;
  /** The detach that freed the disk (undefined: none by the end of the run). */
  detach: TraceEventOf<'volume.detach.started'> | undefined;
}

const REASON_WORDS: Record<string, string> = {
  unmounted: 'detach',
  maxWaitForUnmountDuration: 'force detach',
  'out-of-service': 'force detach (out-of-service taint)',
};

/** The Multi-Attach waits of a run, in the order they started. */
export function volumeWaits(events: readonly TraceEvent[]): VolumeWait[] {
  const waits: VolumeWait[] = [];
  const open = new Map<string, VolumeWait>();
  /** Detaches under way, by claim (one started in the same reconcile as the error comes first in the trace). */
  const detaching = new Map<string, TraceEventOf<'volume.detach.started'>>();
  for (const e of eventsOfTypes(
    events,
    'volume.multiattach.error',
    'volume.detach.started',
    'volume.detached',
    'volume.attached',
  )) {
    if (e.type === 'volume.multiattach.error') {
      if (open.has(e.claim)) continue;
      const d = detaching.get(e.claim);
      const w: VolumeWait = {
        claim: e.claim,
        pod: e.pod,
        node: e.node,
        attachedTo: e.attachedTo,
        fromMs: e.atMs,
        untilMs: undefined,
        detach: d !== undefined && e.attachedTo.split(',').includes(d.node) ? d : undefined,
      };
      open.set(e.claim, w);
      waits.push(w);
    } else if (e.type === 'volume.detach.started') {
      detaching.set(e.claim, e);
      const w = open.get(e.claim);
      if (w !== undefined && w.attachedTo.split(',').includes(e.node)) w.detach = e;
    } else if (e.type === 'volume.detached') {
      if (detaching.get(e.claim)?.node === e.node) detaching.delete(e.claim);
    } else if (e.type === 'volume.attached') {
      const w = open.get(e.claim);
      if (w !== undefined && w.node === e.node) {
        w.untilMs = e.atMs;
        open.delete(e.claim);
      }
    }
  }
  return waits;
}

/** The milestone lines of a run's volumes. */
export function volumeMilestones(events: readonly TraceEvent[]): VolumeMilestone[] {
  const out: VolumeMilestone[] = [];
  for (const w of volumeWaits(events)) {
    const d = w.detach;
    const until =
      d === undefined
        ? 'not detached by the end of the run'
        : `until the ${REASON_WORDS[d.reason] ?? d.reason} at ${formatClock(d.atMs)}` +
          (d.reason === 'maxWaitForUnmountDuration' ? ' (maxWaitForUnmountDuration)' : '');
    out.push({
      atMs: w.fromMs,
      text: `${w.pod} on ${w.node}: Multi-Attach error, disk ${w.claim} attached to ${w.attachedTo} ${until}`,
    });
    if (w.untilMs !== undefined)
      out.push({ atMs: w.untilMs, text: `${w.claim} attached to ${w.node}: ${w.pod} can start` });
  }
  for (const e of eventsOfTypes(events, 'volume.detach.started')) {
    if (e.reason === 'unmounted') continue;
    const why =
      e.reason === 'out-of-service'
        ? 'the node has the out-of-service taint'
        : `still in use on an unhealthy node ${formatDuration(e.waitedMs)} after the detach was wanted (maxWaitForUnmountDuration)`;
    out.push({ atMs: e.atMs, text: `${e.claim} force-detached from ${e.node}: ${why}` });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

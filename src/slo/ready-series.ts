// Ready pods of each workload over time, rebuilt from the trace. SLOs, the workload summary, the
// milestones and the timeline all read availability from here, so they can never disagree.
//
// A pod counts as available while its latest pod.ready.changed says ready, its containers run, and it
// has been neither deleted nor removed. Ready is the API server's view: a Terminating or NotReady pod is
// dropped from EndpointSlices, so it serves no traffic. Running is the node's truth: a pod on a host that
// lost power stays Ready in the API until the node lifecycle controller notices (or forever, if the
// control plane is down too), yet serves nothing. Counting only pods that are both keeps an SLO from
// calling a dead workload available.
import type { TraceEvent } from '../trace/events.js';
import { naturalCompare } from '../trace/format.js';

export interface ReadyPoint {
  atMs: number;
  ready: number;
  desired: number;
  /** The last event at this instant that changed ready or desired. */
  cause: TraceEvent;
}

export interface ReadySeries {
  workload: string;
  /** Step function: each point holds from its atMs until the next point. One point per instant. */
  points: ReadyPoint[];
  /** First instant at which ready >= desired > 0 (the end of the initial rollout), or null. */
  firstFullMs: number | null;
}

/** The series last built for a trace (by array, and its length in case events were added since). */
const built = new WeakMap<readonly TraceEvent[], { length: number; series: Map<string, ReadySeries> }>();

/**
 * The Ready-count series of every workload that appears in the trace, sorted by name (natural order: svc-2 before svc-10). Built once per
 * trace: the SLO judge, the workload summary, the milestones and the timeline all ask for it. Treat
 * the result as read-only.
 */
export function readySeries(events: readonly TraceEvent[]): Map<string, ReadySeries> {
  const memo = built.get(events);
  if (memo !== undefined && memo.length === events.length) return memo.series;
  const series = buildReadySeries(events);
  built.set(events, { length: events.length, series });
  return series;
}

/** What the series needs of one pod: its workload and the three things that make it available. */
interface PodState {
  workload: string;
  ready: boolean;
  gone: boolean;
  /** Its containers were stopped (pod.stopped) and not started again. */
  down: boolean;
}

function buildReadySeries(events: readonly TraceEvent[]): Map<string, ReadySeries> {
  const b = new ReadySeriesBuilder();
  for (const e of events) b.apply(e);
  return b.finish();
}

/** Reads a trace event by event, keeping each pod's state and each workload's counts and series. */
class ReadySeriesBuilder {
  // One record per pod name (one map lookup per event: at 150,000 pods, sets per flag cost a second).
  private readonly pods = new Map<string, PodState>();
  private readonly ready = new Map<string, number>();
  private readonly desired = new Map<string, number>();
  private readonly byWorkload = new Map<string, ReadySeries>();

  apply(e: TraceEvent): void {
    switch (e.type) {
      case 'workload.desired.changed':
        this.desired.set(e.workload, e.desired);
        this.push(e.workload, e);
        break;
      case 'pod.created': {
        // A name reused by a StatefulSet starts afresh.
        const p = this.pods.get(e.pod);
        if (p === undefined) this.pods.set(e.pod, { workload: e.workload, ready: false, gone: false, down: false });
        else {
          p.workload = e.workload;
          p.ready = false;
          p.gone = false;
          p.down = false;
        }
        if (!this.byWorkload.has(e.workload)) this.push(e.workload, e);
        break;
      }
      case 'pod.ready.changed': {
        const p = this.pods.get(e.pod);
        if (p === undefined || p.gone) break;
        const counted = available(p);
        p.ready = e.ready;
        this.changed(p, counted, e);
        break;
      }
      case 'pod.stopped':
      case 'pod.started': {
        const p = this.pods.get(e.pod);
        if (p === undefined) break;
        const counted = available(p);
        p.down = e.type === 'pod.stopped';
        this.changed(p, counted, e);
        break;
      }
      case 'pod.deleted':
      case 'pod.removed': {
        const p = this.pods.get(e.pod);
        if (p === undefined || p.gone) break;
        const counted = available(p);
        p.ready = false;
        p.gone = true;
        this.changed(p, counted, e);
        break;
      }
    }
  }

  /** The series, each with the end of its initial rollout, sorted by workload. */
  finish(): Map<string, ReadySeries> {
    for (const s of this.byWorkload.values()) {
      const full = s.points.find((p) => p.desired > 0 && p.ready >= p.desired);
      s.firstFullMs = full ? full.atMs : null;
    }
    return new Map([...this.byWorkload.entries()].sort(([a], [b]) => naturalCompare(a, b)));
  }

  /** Records the workload's current counts at e (one point per millisecond: the last one wins). */
  private push(workload: string, e: TraceEvent): void {
    let s = this.byWorkload.get(workload);
    if (!s) {
      s = { workload, points: [], firstFullMs: null };
      this.byWorkload.set(workload, s);
    }
    const point: ReadyPoint = {
      atMs: e.atMs,
      ready: this.ready.get(workload) ?? 0,
      desired: this.desired.get(workload) ?? 0,
      cause: e,
    };
    const last = s.points[s.points.length - 1];
    if (last && last.atMs === e.atMs) s.points[s.points.length - 1] = point;
    else if (!last || last.ready !== point.ready || last.desired !== point.desired) s.points.push(point);
  }

  /** After a change of one pod's state (counted: whether it was available before), records the workload's new count if it moved. */
  private changed(p: PodState, counted: boolean, e: TraceEvent): void {
    const nowCounted = available(p);
    if (counted === nowCounted) return;
    this.ready.set(p.workload, (this.ready.get(p.workload) ?? 0) + (nowCounted ? 1 : -1));
    this.push(p.workload, e);
  }
}

function available(p: PodState): boolean {
  return p.ready && !p.gone && !p.down;
}

/** The point in effect at atMs (the last one at or before it), or undefined before the first. */
export function pointAt(points: readonly ReadyPoint[], atMs: number): ReadyPoint | undefined {
  let lo = 0;
  let hi = points.length - 1;
  let found: ReadyPoint | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].atMs <= atMs) {
      found = points[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface RunningPoint {
  atMs: number;
  /** Pods of the workload whose containers run on some node, whatever the API server believes. */
  running: number;
}

/**
 * Pods whose containers run, per workload, from pod.started / pod.stopped alone. Above desired means
 * copies run twice: the old ones behind a partition, still serving (or writing) on the far side, while
 * their replacements run elsewhere. Ready counts cannot show that; this can.
 */
export function runningSeries(events: readonly TraceEvent[]): Map<string, RunningPoint[]> {
  /** Each pod's workload and the nodes where a copy of it runs (one, but two behind a partition). */
  const pods = new Map<string, { workload: string; on: string[] }>();
  const count = new Map<string, number>();
  const out = new Map<string, RunningPoint[]>();
  const set = (workload: string, atMs: number, delta: number) => {
    const n = (count.get(workload) ?? 0) + delta;
    count.set(workload, n);
    let pts = out.get(workload);
    if (!pts) out.set(workload, (pts = []));
    const last = pts[pts.length - 1];
    if (last && last.atMs === atMs) last.running = n;
    else pts.push({ atMs, running: n });
  };
  for (const e of events) {
    if (e.type === 'pod.created') {
      // A reused name (a StatefulSet's) keeps the copies of its earlier pod that still run.
      const p = pods.get(e.pod);
      if (p === undefined) pods.set(e.pod, { workload: e.workload, on: [] });
      else p.workload = e.workload;
    } else if (e.type === 'pod.started' || e.type === 'pod.stopped') {
      const p = pods.get(e.pod);
      if (p === undefined) continue;
      const i = p.on.indexOf(e.node);
      if (e.type === 'pod.started') {
        if (i >= 0) continue;
        p.on.push(e.node);
        set(p.workload, e.atMs, 1);
      } else if (i >= 0) {
        p.on.splice(i, 1);
        set(p.workload, e.atMs, -1);
      }
    }
  }
  return out;
}

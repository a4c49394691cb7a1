// Judges the SLOs of docs/scenario-format.md#specslos on the recorded trace alone, so a saved run is judged exactly as a live
// one. Each result carries one plain-English sentence and, when it failed, the moment and the event
// that broke it, which is what an SRE reads first.
import type { Count, LeaderComponent, SloSpec } from '../scenario/types.js';
import type { TraceEvent } from '../trace/events.js';
import type { SloResult } from '../trace/summary.js';
import { formatClock, formatDuration } from '../trace/format.js';
import { judgeBlockedEvictions, judgeUpgradeTime, judgeDrainTime } from './drain-slos.js';
import { failedRequests, requestSuccessRate, staleEndpointTime } from './traffic-slos.js';
import { pointAt, readySeries, type ReadyPoint, type ReadySeries } from './ready-series.js';
import { workloadKindOf } from '../k8s/workloads.js';

type FaultStarted = Extract<TraceEvent, { type: 'fault.started' }>;

/** Judges every SLO, in the order given. */
export function judgeSlos(slos: SloSpec[], events: readonly TraceEvent[], runEndMs: number): SloResult[] {
  const ctx = new TraceIndex(events, runEndMs);
  return slos.map((slo) => withMetadata(slo, judgeOne(slo, ctx), ctx.runEndMs));
}

/** What the SLO is about and the unit of its figures, for reports (SloResult's optional fields). */
export function sloMetadata(slo: SloSpec): Pick<SloResult, 'workload' | 'after' | 'component' | 'unit' | 'service'> {
  const m: Pick<SloResult, 'workload' | 'after' | 'component' | 'unit' | 'service'> = {};
  if ('service' in slo) m.service = slo.service;
  if ('workload' in slo) m.workload = slo.workload;
  if ('after' in slo) m.after = slo.after;
  if ('component' in slo) m.component = slo.component;
  if ('maxMs' in slo) m.unit = 'ms';
  else if (slo.type === 'min-available') m.unit = slo.min.percent ? 'percent' : 'pods';
  else if (slo.type === 'max-concurrent-leaders') m.unit = 'leaders';
  else if (slo.type === 'request-success-rate') m.unit = 'percent';
  else if (slo.type === 'failed-requests') m.unit = 'requests';
  else m.unit = 'pods';
  return m;
}

/**
 * Puts the metadata right after name and type, so summary.json reads in a natural order. A bound that
 * lies past the run's end (a recovery not seen by the end of a run shorter than its bound) breaks at the
 * end of the run: that is when the run knew the SLO failed, and nothing is recorded after it.
 */
function withMetadata(slo: SloSpec, r: SloResult, runEndMs: number): SloResult {
  if (r.violatedAtMs !== undefined && r.violatedAtMs > runEndMs) r.violatedAtMs = runEndMs;
  const { name, type, ...rest } = r;
  return { name, type, ...sloMetadata(slo), ...rest };
}

/** What several SLOs need from the trace, computed once. */
class TraceIndex {
  private series?: Map<string, ReadySeries>;
  readonly faults = new Map<string, FaultStarted>();

  constructor(
    readonly events: readonly TraceEvent[],
    readonly runEndMs: number,
  ) {
    for (const e of events) if (e.type === 'fault.started' && !this.faults.has(e.fault)) this.faults.set(e.fault, e);
  }

  readySeries(workload: string): ReadySeries | undefined {
    this.series ??= readySeries(this.events);
    return this.series.get(workload);
  }
}

function judgeOne(slo: SloSpec, ctx: TraceIndex): SloResult {
  switch (slo.type) {
    case 'recovery-time':
      return recoveryTime(slo, ctx);
    case 'min-available':
      return minAvailable(slo, ctx);
    case 'unavailable-time':
      return unavailableTime(slo, ctx);
    case 'detection-time':
      return detectionTime(slo, ctx);
    case 'eviction-time':
      return evictionTime(slo, ctx);
    case 'leaderless-time':
      return leaderlessTime(slo, ctx);
    case 'max-concurrent-leaders':
      return maxConcurrentLeaders(slo, ctx);
    case 'stuck-terminating':
      return stuckTerminating(slo, ctx);
    case 'drain-time': {
      const r = judgeDrainTime(slo, ctx.events, ctx.runEndMs);
      return durationResult(slo, r.measuredMs, r.message, r.violation);
    }
    case 'blocked-evictions': {
      const r = judgeBlockedEvictions(slo, ctx.events, ctx.runEndMs);
      return durationResult(slo, r.measuredMs, r.message, r.violation);
    }
    case 'upgrade-time': {
      const r = judgeUpgradeTime(slo, ctx.events, ctx.runEndMs);
      return durationResult(slo, r.measuredMs, r.message, r.violation);
    }
    case 'request-success-rate':
      return requestSuccessRate(slo, ctx.events, ctx.runEndMs);
    case 'failed-requests':
      return failedRequests(slo, ctx.events, ctx.runEndMs);
    case 'stale-endpoint-time':
      return staleEndpointTime(slo, ctx.events, ctx.runEndMs);
  }
}

const d = formatDuration;

function durationResult(
  slo: { name: string; type: SloSpec['type']; maxMs: number },
  measuredMs: number | null,
  message: string,
  violation?: { atMs: number; by?: TraceEvent },
): SloResult {
  const passed = measuredMs !== null && measuredMs <= slo.maxMs;
  const r: SloResult = { name: slo.name, type: slo.type, passed, measuredMs, boundMs: slo.maxMs, message };
  if (!passed && violation) addViolation(r, violation);
  return r;
}

function countResult(
  slo: { name: string; type: SloSpec['type'] },
  passed: boolean,
  measured: number | null,
  bound: number,
  message: string,
  violation?: { atMs: number; by?: TraceEvent },
): SloResult {
  const r: SloResult = { name: slo.name, type: slo.type, passed, measured, bound, message };
  if (!passed && violation) addViolation(r, violation);
  return r;
}

function addViolation(r: SloResult, v: { atMs: number; by?: TraceEvent }): void {
  r.violatedAtMs = v.atMs;
  if (v.by) r.violatedBy = { ...v.by };
}

function missingFault(slo: SloSpec & { after: string; maxMs: number }): SloResult {
  return durationResult(slo, null, `fault "${slo.after}" never started during the run, so nothing was measured`);
}

function missingWorkload(slo: SloSpec & { workload: string }): SloResult {
  const message = `workload ${slo.workload} does not appear in the trace`;
  if ('maxMs' in slo) return durationResult(slo, null, message);
  return countResult(slo, false, null, 'min' in slo ? slo.min.value : 'max' in slo ? slo.max : 0, message);
}

// recovery-time: from the fault's start until the workload is back at desired after having dropped.
function recoveryTime(slo: Extract<SloSpec, { type: 'recovery-time' }>, ctx: TraceIndex): SloResult {
  const fault = ctx.faults.get(slo.after);
  if (!fault) return missingFault(slo);
  const series = ctx.readySeries(slo.workload);
  if (!series) return missingWorkload(slo);
  const faultMs = fault.atMs;
  const drop = firstBelow(series.points, faultMs, (p) => p.desired);
  if (!drop) {
    return durationResult(
      slo,
      0,
      `${slo.workload} never dropped below its desired Ready pods after ${slo.after}; bound ${d(slo.maxMs)}`,
    );
  }
  const back = series.points.find((p) => p.atMs > drop.atMs && p.ready >= p.desired);
  const measuredMs = back ? back.atMs - faultMs : null;
  const boundCrossedMs = faultMs + slo.maxMs;
  const violation = { atMs: Math.max(boundCrossedMs, drop.atMs), by: drop.cause };
  if (measuredMs === null) {
    return durationResult(
      slo,
      null,
      `${slo.workload} dropped to ${drop.ready}/${drop.desired} Ready at ${formatClock(drop.atMs)} and was not recovered by the end of the run; bound ${d(slo.maxMs)}`,
      violation,
    );
  }
  const message =
    measuredMs <= slo.maxMs
      ? `${slo.workload} recovered ${d(measuredMs)} after ${slo.after} started; bound ${d(slo.maxMs)}`
      : `${slo.workload} took ${d(measuredMs)} to recover after ${slo.after} started, over the ${d(slo.maxMs)} bound`;
  return durationResult(slo, measuredMs, message, violation);
}

/** The first point in effect at or after fromMs whose ready count is below the threshold. */
function firstBelow(
  points: readonly ReadyPoint[],
  fromMs: number,
  threshold: (p: ReadyPoint) => number,
): ReadyPoint | undefined {
  const atStart = pointAt(points, fromMs);
  if (atStart && atStart.ready < threshold(atStart)) return { ...atStart, atMs: fromMs };
  return points.find((p) => p.atMs > fromMs && p.ready < threshold(p));
}

function thresholdOf(count: Count, desired: number): number {
  return count.percent ? (count.value * desired) / 100 : count.value;
}

function countText(count: Count): string {
  return count.percent ? `${count.value}% of desired` : `${count.value}`;
}

// min-available: the lowest Ready count (or % of desired) once the initial rollout is over.
function minAvailable(slo: Extract<SloSpec, { type: 'min-available' }>, ctx: TraceIndex): SloResult {
  const series = ctx.readySeries(slo.workload);
  if (!series) return missingWorkload(slo);
  if (series.firstFullMs === null) {
    return countResult(
      slo,
      false,
      null,
      slo.min.value,
      `${slo.workload} never reached its desired Ready pods, so its availability was never established`,
    );
  }
  const fromMs = Math.max(series.firstFullMs, slo.window?.fromMs ?? 0);
  const toMs = Math.min(ctx.runEndMs, slo.window?.toMs ?? ctx.runEndMs);
  const valueOf = (p: ReadyPoint): number =>
    slo.min.percent ? (p.desired > 0 ? (p.ready * 100) / p.desired : 100) : p.ready;
  let lowest: ReadyPoint | undefined;
  let lowestValue = Infinity;
  let firstBreak: ReadyPoint | undefined;
  const consider = (p: ReadyPoint, atMs: number): void => {
    const v = valueOf(p);
    if (v < lowestValue) {
      lowestValue = v;
      lowest = { ...p, atMs };
    }
    if (!firstBreak && p.ready < thresholdOf(slo.min, p.desired) - 1e-9) firstBreak = { ...p, atMs };
  };
  const start = pointAt(series.points, fromMs);
  if (start) consider(start, fromMs);
  for (const p of series.points) if (p.atMs > fromMs && p.atMs <= toMs) consider(p, p.atMs);
  const measured = lowest ? round1(lowestValue) : null;
  const passed = !firstBreak && measured !== null;
  const unit = slo.min.percent ? '% of desired' : ' Ready';
  const scope = slo.window
    ? `between ${formatClock(fromMs)} and ${formatClock(toMs)}`
    : `after the initial rollout (ignored until it first reached desired at ${formatClock(series.firstFullMs)})`;
  const at = lowest ? ` at ${formatClock(lowest.atMs)}` : '';
  const message = passed
    ? `${slo.workload} had at least ${measured}${unit} (lowest${at}) ${scope}; bound ${countText(slo.min)}`
    : `${slo.workload} fell to ${measured}${unit}${at} ${scope}, below the bound of ${countText(slo.min)}`;
  return countResult(
    slo,
    passed,
    measured,
    slo.min.value,
    message,
    firstBreak ? { atMs: firstBreak.atMs, by: firstBreak.cause } : undefined,
  );
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

// unavailable-time: total time below the threshold once it was first reached.
function unavailableTime(slo: Extract<SloSpec, { type: 'unavailable-time' }>, ctx: TraceIndex): SloResult {
  const series = ctx.readySeries(slo.workload);
  if (!series) return missingWorkload(slo);
  const threshold = (p: ReadyPoint): number => (slo.threshold ? thresholdOf(slo.threshold, p.desired) : p.desired);
  const below = (p: ReadyPoint): boolean => p.ready < threshold(p) - 1e-9;
  const thresholdText = slo.threshold ? countText(slo.threshold) : 'desired';
  const reached = series.points.find((p) => p.desired > 0 && !below(p));
  if (!reached) {
    return durationResult(
      slo,
      null,
      `${slo.workload} never reached ${thresholdText} Ready pods, so its availability was never established`,
    );
  }
  let totalMs = 0;
  let crossed: { atMs: number; by?: TraceEvent } | undefined;
  const pts = series.points.filter((p) => p.atMs >= reached.atMs);
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i];
    if (!below(p)) continue;
    const endMs = Math.min(i + 1 < pts.length ? pts[i + 1].atMs : ctx.runEndMs, ctx.runEndMs);
    const spanMs = Math.max(0, endMs - p.atMs);
    if (!crossed && totalMs + spanMs > slo.maxMs) crossed = { atMs: p.atMs + (slo.maxMs - totalMs), by: p.cause };
    totalMs += spanMs;
  }
  const message =
    totalMs <= slo.maxMs
      ? `${slo.workload} was below ${thresholdText} Ready pods for ${d(totalMs)} in total; bound ${d(slo.maxMs)}`
      : `${slo.workload} was below ${thresholdText} Ready pods for ${d(totalMs)} in total, over the ${d(slo.maxMs)} bound`;
  return durationResult(slo, totalMs, message, crossed);
}

/** Names of nodes that exist in the trace (a fault's targets may also name control-plane members). */
function nodeNames(events: readonly TraceEvent[]): Set<string> {
  const names = new Set<string>();
  for (const e of events) if (e.type === 'node.created' || e.type === 'node.ready.changed') names.add(e.node);
  return names;
}

// detection-time: until every node the fault hit is Ready=Unknown/False.
function detectionTime(slo: Extract<SloSpec, { type: 'detection-time' }>, ctx: TraceIndex): SloResult {
  const fault = ctx.faults.get(slo.after);
  if (!fault) return missingFault(slo);
  const known = nodeNames(ctx.events);
  const targets = fault.targets.filter((t) => known.has(t));
  if (targets.length === 0)
    return durationResult(slo, null, `fault "${slo.after}" hit no nodes, so there was nothing to detect`);
  // Status as it stood when the fault started (events before fault.started), then the first change away from True.
  const status = new Map<string, string>();
  const detectedMs = new Map<string, number>();
  let started = false;
  for (const e of ctx.events) {
    if (e === fault) started = true;
    if (e.type !== 'node.ready.changed') continue;
    if (!started) status.set(e.node, e.to);
    else if (e.to !== 'True' && !detectedMs.has(e.node)) detectedMs.set(e.node, e.atMs);
  }
  // A node already not Ready when the fault started is detected at once.
  for (const n of targets)
    if (!detectedMs.has(n) && status.has(n) && status.get(n) !== 'True') detectedMs.set(n, fault.atMs);
  const missing = targets.filter((n) => !detectedMs.has(n));
  const bound = { atMs: fault.atMs + slo.maxMs, by: fault as TraceEvent };
  if (missing.length > 0) {
    return durationResult(
      slo,
      null,
      `${missing.length} of ${targets.length} hit nodes (${listNames(missing)}) were never marked Unknown/NotReady; bound ${d(slo.maxMs)}`,
      bound,
    );
  }
  let lastNode = targets[0];
  for (const n of targets) if (detectedMs.get(n)! > detectedMs.get(lastNode)!) lastNode = n;
  const measuredMs = detectedMs.get(lastNode)! - fault.atMs;
  const what =
    targets.length === 1
      ? `${lastNode} was marked not Ready`
      : `all ${targets.length} hit nodes were marked not Ready (last ${lastNode})`;
  const message =
    measuredMs <= slo.maxMs
      ? `${what} after ${d(measuredMs)}; bound ${d(slo.maxMs)}`
      : `detection took ${d(measuredMs)} (${what.replace(' after', '')}), over the ${d(slo.maxMs)} bound`;
  // The bound is crossed by time passing, not by an event: name the fault that started the clock.
  return durationResult(slo, measuredMs, message, bound);
}

function listNames(names: string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

// eviction-time: until the last pod that ran on the hit nodes at the fault's start is deleted. DaemonSet
// pods are left out: their controller gives them NoExecute tolerations for unreachable and not-ready
// with no tolerationSeconds (upstream daemon/util AddOrUpdateDaemonPodTolerations), so they are never
// evicted and would make the SLO unpassable in any cluster with a DaemonSet. With `workload`, only that
// workload's pods count.
function evictionTime(slo: Extract<SloSpec, { type: 'eviction-time' }>, ctx: TraceIndex): SloResult {
  const fault = ctx.faults.get(slo.after);
  if (!fault) return missingFault(slo);
  const { pods: onHit, deletedMs, deleteEvent } = podsOnHitNodes(fault, ctx.events);
  const counted = (pod: string): boolean => {
    const workload = onHit.get(pod) ?? '';
    return slo.workload !== undefined ? workload === slo.workload : workloadKindOf(workload) !== 'DaemonSet';
  };
  const pods = [...onHit.keys()].filter(counted).sort();
  const which = slo.workload !== undefined ? `pods of ${slo.workload}` : 'pods';
  if (pods.length === 0) {
    const skipped = slo.workload === undefined && onHit.size > 0 ? ' other than DaemonSet pods' : '';
    return durationResult(
      slo,
      0,
      `no ${which}${skipped} were running on the nodes hit by ${slo.after}; bound ${d(slo.maxMs)}`,
    );
  }
  const never = pods.filter((p) => !deletedMs.has(p));
  const boundMs = fault.atMs + slo.maxMs;
  if (never.length > 0) {
    return durationResult(
      slo,
      null,
      `${never.length} of ${pods.length} ${which} on the hit nodes (${listNames(never)}) were never deleted; bound ${d(slo.maxMs)}`,
      { atMs: boundMs, by: fault },
    );
  }
  let last = pods[0];
  for (const p of pods) if (deletedMs.get(p)! > deletedMs.get(last)!) last = p;
  const measuredMs = Math.max(0, deletedMs.get(last)! - fault.atMs);
  const message =
    measuredMs <= slo.maxMs
      ? `all ${pods.length} ${which} on the hit nodes were deleted after ${d(measuredMs)}; bound ${d(slo.maxMs)}`
      : `took ${d(measuredMs)} to delete all ${pods.length} ${which} on the hit nodes (last ${last}), over the ${d(slo.maxMs)} bound`;
  return durationResult(slo, measuredMs, message, { atMs: boundMs, by: deleteEvent.get(last) });
}

/**
 * The pods bound to the fault's nodes when it started, with their workload, and when each pod's first
 * deletion was requested (at any time).
 */
function podsOnHitNodes(
  fault: FaultStarted,
  events: readonly TraceEvent[],
): { pods: Map<string, string>; deletedMs: Map<string, number>; deleteEvent: Map<string, TraceEvent> } {
  const targets = new Set(fault.targets);
  const podNode = new Map<string, string>();
  const podWorkload = new Map<string, string>();
  const deletedMs = new Map<string, number>();
  const pods = new Map<string, string>();
  const deleteEvent = new Map<string, TraceEvent>();
  let snapshotTaken = false;
  const snapshot = (): void => {
    snapshotTaken = true;
    for (const [pod, node] of podNode) if (targets.has(node)) pods.set(pod, podWorkload.get(pod) ?? '');
  };
  for (const e of events) {
    if (e === fault) snapshot();
    switch (e.type) {
      case 'pod.created':
        if (!snapshotTaken) {
          podNode.delete(e.pod);
          deletedMs.delete(e.pod);
          podWorkload.set(e.pod, e.workload);
        }
        break;
      case 'pod.scheduled':
        if (!snapshotTaken) podNode.set(e.pod, e.node);
        break;
      case 'pod.removed':
        if (!snapshotTaken) podNode.delete(e.pod);
        break;
      case 'pod.deleted':
        if (!deletedMs.has(e.pod)) {
          deletedMs.set(e.pod, e.atMs);
          deleteEvent.set(e.pod, e);
        }
        break;
    }
  }
  if (!snapshotTaken) snapshot();
  return { pods, deletedMs, deleteEvent };
}

interface LeaderTimeline {
  firstAcquiredMs: number | null;
  /** Intervals with no leader after the first acquisition; endMs null: to the end of the run. */
  gaps: { startMs: number; endMs: number | null; by: TraceEvent }[];
  maxConcurrent: number;
  maxConcurrentBy?: TraceEvent;
  firstOver: (max: number) => TraceEvent | undefined;
}

function leaderTimeline(component: LeaderComponent, events: readonly TraceEvent[]): LeaderTimeline {
  const leading = new Set<string>();
  const t: LeaderTimeline = { firstAcquiredMs: null, gaps: [], maxConcurrent: 0, firstOver: () => undefined };
  const overEvents: { count: number; e: TraceEvent }[] = [];
  for (const e of events) {
    if (!('component' in e) || e.component !== component) continue;
    const before = leading.size;
    if (e.type === 'leader.acquired') leading.add(e.instance);
    else if (e.type === 'leader.lost' || e.type === 'component.stopped') leading.delete(e.instance);
    else continue;
    if (e.type === 'leader.acquired' && t.firstAcquiredMs === null) t.firstAcquiredMs = e.atMs;
    if (before > 0 && leading.size === 0) t.gaps.push({ startMs: e.atMs, endMs: null, by: e });
    if (before === 0 && leading.size > 0 && t.gaps.length > 0) t.gaps[t.gaps.length - 1].endMs = e.atMs;
    if (leading.size > t.maxConcurrent) {
      t.maxConcurrent = leading.size;
      t.maxConcurrentBy = e;
      overEvents.push({ count: leading.size, e });
    }
  }
  t.firstOver = (max) => overEvents.find((o) => o.count > max)?.e;
  return t;
}

// leaderless-time: the longest stretch without a leader, counted from the first election on.
function leaderlessTime(slo: Extract<SloSpec, { type: 'leaderless-time' }>, ctx: TraceIndex): SloResult {
  const t = leaderTimeline(slo.component, ctx.events);
  if (t.firstAcquiredMs === null) {
    return durationResult(slo, null, `no instance of ${slo.component} ever became leader`, { atMs: slo.maxMs });
  }
  let longest: { startMs: number; lengthMs: number; by: TraceEvent } | undefined;
  let firstOver: { atMs: number; by: TraceEvent } | undefined;
  for (const g of t.gaps) {
    const lengthMs = (g.endMs ?? ctx.runEndMs) - g.startMs;
    if (!longest || lengthMs > longest.lengthMs) longest = { startMs: g.startMs, lengthMs, by: g.by };
    if (!firstOver && lengthMs > slo.maxMs) firstOver = { atMs: g.startMs + slo.maxMs, by: g.by };
  }
  const since = `counted from the first election at ${formatClock(t.firstAcquiredMs)}`;
  if (!longest) return durationResult(slo, 0, `${slo.component} always had a leader (${since}); bound ${d(slo.maxMs)}`);
  const measuredMs = longest.lengthMs;
  const message =
    measuredMs <= slo.maxMs
      ? `longest leaderless gap of ${slo.component} was ${d(measuredMs)} at ${formatClock(longest.startMs)} (${since}); bound ${d(slo.maxMs)}`
      : `${slo.component} was leaderless for ${d(measuredMs)} from ${formatClock(longest.startMs)} (${since}), over the ${d(slo.maxMs)} bound`;
  return durationResult(slo, measuredMs, message, firstOver);
}

// max-concurrent-leaders: split brain shows as more than one instance acting as leader at once.
function maxConcurrentLeaders(slo: Extract<SloSpec, { type: 'max-concurrent-leaders' }>, ctx: TraceIndex): SloResult {
  const t = leaderTimeline(slo.component, ctx.events);
  const measured = t.maxConcurrent;
  const passed = measured <= slo.max;
  const by = t.firstOver(slo.max);
  const message = passed
    ? `at most ${measured} instance${measured === 1 ? '' : 's'} of ${slo.component} acted as leader at once; bound ${slo.max}`
    : `${measured} instances of ${slo.component} acted as leader at once, over the bound of ${slo.max}`;
  return countResult(slo, passed, measured, slo.max, message, by ? { atMs: by.atMs, by } : undefined);
}

// stuck-terminating: pods deleted (Terminating) but still in the API server when the run ended.
function stuckTerminating(slo: Extract<SloSpec, { type: 'stuck-terminating' }>, ctx: TraceIndex): SloResult {
  const podWorkload = new Map<string, string>();
  const terminating = new Map<string, TraceEvent>();
  let seen = false;
  for (const e of ctx.events) {
    if (e.type === 'pod.created') {
      podWorkload.set(e.pod, e.workload);
      terminating.delete(e.pod);
      if (e.workload === slo.workload) seen = true;
    } else if (e.type === 'pod.deleted' && podWorkload.get(e.pod) === slo.workload && !terminating.has(e.pod)) {
      terminating.set(e.pod, e);
    } else if (e.type === 'pod.removed') {
      terminating.delete(e.pod);
    }
  }
  if (!seen && !ctx.readySeries(slo.workload)) return missingWorkload(slo);
  const stuck = [...terminating.entries()].sort((a, b) => a[1].atMs - b[1].atMs || (a[0] < b[0] ? -1 : 1));
  const measured = stuck.length;
  const passed = measured <= slo.max;
  const names = listNames(stuck.map(([p]) => p));
  const message =
    measured === 0
      ? `no pod of ${slo.workload} was left Terminating at the end of the run; bound ${slo.max}`
      : passed
        ? `${measured} pod${measured === 1 ? '' : 's'} of ${slo.workload} ended the run Terminating (${names}); bound ${slo.max}`
        : `${measured} pods of ${slo.workload} ended the run Terminating (${names}), over the bound of ${slo.max}`;
  const breaker = passed ? undefined : stuck[slo.max][1];
  return countResult(
    slo,
    passed,
    measured,
    slo.max,
    message,
    breaker ? { atMs: breaker.atMs, by: breaker } : undefined,
  );
}

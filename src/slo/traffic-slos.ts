// The SLOs on the requests a Service's clients send, judged on the trace's `service.traffic.changed`
// events: between two of them every rate is constant, so totals are exact sums of rate × time.
// - request-success-rate: the lowest share of requests that succeeded, over the run or over any rolling
//   window of the given length (the lowest of a ratio of two piecewise-linear totals lies where a window
//   edge meets a change, so only those windows are looked at).
// - failed-requests: how many requests failed in all.
// - stale-endpoint-time: the longest time any node kept routing requests to a dead endpoint.
// Like min-available, all three ignore the initial rollout: requests count from the first moment every
// request succeeded, or from the first fault if one started earlier, so that a fault is never hidden.
import type { SloSpec } from '../scenario/types.js';
import type { TraceEvent, TraceEventOf } from '../trace/events.js';
import type { SloResult } from '../trace/summary.js';
import { formatClock, formatDuration } from '../trace/format.js';

type TrafficEvent = TraceEventOf<'service.traffic.changed'>;

interface Segment {
  startMs: number;
  endMs: number;
  event: TrafficEvent;
}

/** A Service's traffic as constant-rate stretches, from its first traffic event to the end of the run. */
function allSegments(events: readonly TraceEvent[], service: string, runEndMs: number): Segment[] {
  const out: Segment[] = [];
  for (const e of events) {
    if (e.type !== 'service.traffic.changed' || e.service !== service) continue;
    const last = out[out.length - 1];
    if (last !== undefined) last.endMs = e.atMs;
    out.push({ startMs: e.atMs, endMs: runEndMs, event: e });
  }
  return out.filter((s) => s.endMs > s.startMs);
}

/** Where the counting of a Service's requests starts, and what the initial rollout left out. */
export interface CountedTraffic {
  /** The stretches from `fromMs` on (the first one cut at `fromMs`). */
  segments: Segment[];
  /** The first request, or undefined if the Service received none. */
  firstMs: number | undefined;
  /** From here on requests count: the initial rollout is over, or a fault has started. */
  fromMs: number;
  /** Requests that failed before `fromMs`, while the Service's pods first became Ready (not counted). */
  rolloutFailed: number;
}

/**
 * A Service's traffic once its initial rollout is over: from the first moment every request succeeded,
 * or the first fault's start if that came earlier (a fault's failures always count), or the first request
 * if neither happened. Before it, failing requests are pods starting at t = 0 (with
 * `internalTrafficPolicy: Local`, a node whose own endpoint is not Ready yet), not an outage.
 */
export function countedTraffic(events: readonly TraceEvent[], service: string, runEndMs: number): CountedTraffic {
  const all = allSegments(events, service, runEndMs);
  const firstMs = all[0]?.startMs;
  if (firstMs === undefined) return { segments: [], firstMs, fromMs: runEndMs, rolloutFailed: 0 };
  const fromMs = countingStartMs(
    all.map((s) => s.event),
    firstFaultMs(events),
  );
  let rolloutFailed = 0;
  const segments: Segment[] = [];
  for (const s of all) {
    if (s.startMs < fromMs)
      rolloutFailed += (s.event.failingPerSecond * (Math.min(s.endMs, fromMs) - s.startMs)) / 1000;
    if (s.endMs > fromMs) segments.push(s.startMs >= fromMs ? s : { ...s, startMs: fromMs });
  }
  return { segments, firstMs, fromMs, rolloutFailed };
}

/** When the first fault started, if one did. */
export function firstFaultMs(events: readonly TraceEvent[]): number | undefined {
  for (const e of events) if (e.type === 'fault.started') return e.atMs;
  return undefined;
}

/** countedTraffic's start, from a Service's traffic events (in order, at least one) and the first fault. */
export function countingStartMs(points: readonly TrafficEvent[], faultMs: number | undefined): number {
  const firstMs = points[0].atMs;
  const settledMs = points.find((p) => p.failingPerSecond === 0)?.atMs ?? firstMs;
  return faultMs !== undefined && faultMs < settledMs ? Math.max(firstMs, faultMs) : settledMs;
}

/** The Service's counted stretches (see countedTraffic). */
export function trafficSegments(events: readonly TraceEvent[], service: string, runEndMs: number): Segment[] {
  return countedTraffic(events, service, runEndMs).segments;
}

/** " (N requests that failed during the initial rollout, before 00:11.2, are not counted)", or "". */
function rolloutNote(t: CountedTraffic): string {
  const n = Math.round(t.rolloutFailed);
  if (n === 0) return '';
  const what = n === 1 ? '1 request that failed' : `${n} requests that failed`;
  return ` (${what} during the initial rollout, before ${formatClock(t.fromMs)}, ${n === 1 ? 'is' : 'are'} not counted)`;
}

function base(slo: { name: string; type: SloSpec['type']; service: string }) {
  return { name: slo.name, type: slo.type, service: slo.service };
}

function noTraffic(slo: Extract<SloSpec, { service: string }>): SloResult {
  const message = `Service ${slo.service} received no traffic during the run (it never had a ready endpoint)`;
  if (slo.type === 'stale-endpoint-time')
    return { ...base(slo), passed: false, measuredMs: null, boundMs: slo.maxMs, message };
  const bound = slo.type === 'request-success-rate' ? slo.minPercent : slo.max;
  return { ...base(slo), passed: false, measured: null, bound, message };
}

const percentText = (p: number) => `${p}%`;
/** Rounded down, so that 99.996% never shows as 100%. */
const floorPercent = (ratio: number) => Math.floor(ratio * 100_000 + 1e-9) / 1000;

/** Cumulative requests and failures at each stretch's start (in request-milliseconds per second). */
class CumulativeTraffic {
  readonly times: number[];
  private readonly req = [0];
  private readonly fail = [0];

  constructor(segs: readonly Segment[]) {
    this.times = segs.map((s) => s.startMs);
    this.times.push(segs[segs.length - 1].endMs);
    for (const s of segs) {
      const dt = s.endMs - s.startMs;
      this.req.push(this.req[this.req.length - 1] + s.event.requestsPerSecond * dt);
      this.fail.push(this.fail[this.fail.length - 1] + s.event.failingPerSecond * dt);
    }
  }

  get firstMs(): number {
    return this.times[0];
  }

  get endMs(): number {
    return this.times[this.times.length - 1];
  }

  /** The share of the requests between `from` and `to` that succeeded; undefined if none were sent. */
  ratio(from: number, to: number): number | undefined {
    const r = this.at(this.req, to) - this.at(this.req, from);
    return r <= 0 ? undefined : 1 - (this.at(this.fail, to) - this.at(this.fail, from)) / r;
  }

  private at(arr: number[], t: number): number {
    const times = this.times;
    let lo = 0;
    let hi = times.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid;
    }
    const span = times[lo + 1] - times[lo];
    const k = span > 0 ? Math.min(1, Math.max(0, (t - times[lo]) / span)) : 0;
    return arr[lo] + (arr[lo + 1] - arr[lo]) * k;
  }
}

/**
 * The lowest success ratio over any window of `windowMs` (ending at `endMs`), and the first millisecond
 * at which a window's ratio is below the bound. The lowest of a ratio of two piecewise-linear totals lies
 * where a window edge meets a change, so only those windows are looked at.
 */
function worstWindow(cum: CumulativeTraffic, windowMs: number, below: (ratio: number | undefined) => boolean) {
  let worst = { ratio: Infinity, endMs: cum.endMs };
  let firstBelowMs: number | undefined;
  const ratioAt = (t: number) => cum.ratio(t - windowMs, t);
  const candidates = new Set<number>();
  for (const t of cum.times) {
    if (t >= cum.firstMs + windowMs) candidates.add(t);
    if (t + windowMs <= cum.endMs) candidates.add(t + windowMs);
  }
  let prev: number | undefined;
  for (const t of [...candidates].sort((a, b) => a - b)) {
    const ratio = ratioAt(t);
    if (ratio !== undefined && ratio < worst.ratio) worst = { ratio, endMs: t };
    if (firstBelowMs === undefined && below(ratio)) {
      // Between two window edges the ratio moves monotonically: find the first millisecond below the bound.
      let lo = prev ?? t;
      let hi = t;
      if (below(ratioAt(lo))) hi = lo;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (below(ratioAt(mid))) hi = mid;
        else lo = mid;
      }
      firstBelowMs = hi;
    }
    prev = t;
  }
  return { worst, firstBelowMs };
}

export function requestSuccessRate(
  slo: Extract<SloSpec, { type: 'request-success-rate' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): SloResult {
  const counted = countedTraffic(events, slo.service, runEndMs);
  const segs = counted.segments;
  if (segs.length === 0) return noTraffic(slo);
  const cum = new CumulativeTraffic(segs);
  const endMs = cum.endMs;
  const windowMs = slo.rollingWindowMs !== undefined ? Math.min(slo.rollingWindowMs, endMs - cum.firstMs) : undefined;
  const below = (ratio: number | undefined) => ratio !== undefined && ratio * 100 < slo.minPercent;
  let worst = { ratio: Infinity, endMs };
  let firstBelowMs: number | undefined;
  if (windowMs === undefined) {
    const ratio = cum.ratio(cum.firstMs, endMs);
    if (ratio !== undefined) worst = { ratio, endMs };
  } else {
    ({ worst, firstBelowMs } = worstWindow(cum, windowMs, below));
  }
  if (worst.ratio === Infinity) return noTraffic(slo);
  const measured = floorPercent(worst.ratio);
  const passed = worst.ratio * 100 >= slo.minPercent;
  const over =
    windowMs === undefined ? 'over the run' : `over the ${formatDuration(windowMs)} ending ${formatClock(worst.endMs)}`;
  const message = passed
    ? `${slo.service}: the lowest share of requests that succeeded was ${percentText(measured)} ${over}; bound ${percentText(slo.minPercent)}`
    : `${slo.service}: only ${percentText(measured)} of requests succeeded ${over}, under the ${percentText(slo.minPercent)} bound`;
  const r: SloResult = {
    ...base(slo),
    passed,
    measured,
    bound: slo.minPercent,
    message: message + rolloutNote(counted),
  };
  if (!passed) {
    const t =
      windowMs === undefined ? (segs.find((s) => s.event.failingPerSecond > 0)?.startMs ?? endMs) : firstBelowMs!;
    r.violatedAtMs = t;
    const by = [...segs].reverse().find((s) => s.startMs <= t)?.event;
    if (by) r.violatedBy = { ...by };
  }
  return r;
}

export function failedRequests(
  slo: Extract<SloSpec, { type: 'failed-requests' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): SloResult {
  const counted = countedTraffic(events, slo.service, runEndMs);
  const segs = counted.segments;
  if (segs.length === 0) return noTraffic(slo);
  let total = 0;
  let sent = 0;
  let crossed: { atMs: number; event: TrafficEvent } | undefined;
  for (const s of segs) {
    const f = s.event.failingPerSecond;
    const add = (f * (s.endMs - s.startMs)) / 1000;
    if (crossed === undefined && f > 0 && total + add > slo.max) {
      crossed = { atMs: Math.ceil(s.startMs + ((slo.max - total) * 1000) / f), event: s.event };
    }
    total += add;
    sent += (s.event.requestsPerSecond * (s.endMs - s.startMs)) / 1000;
  }
  const measured = Math.round(total);
  const passed = measured <= slo.max;
  const of = `of ${Math.round(sent)} sent`;
  const message = passed
    ? `${slo.service}: ${measured} requests failed (${of}); bound ${slo.max}`
    : `${slo.service}: ${measured} requests failed (${of}), over the bound of ${slo.max}`;
  const r: SloResult = { ...base(slo), passed, measured, bound: slo.max, message: message + rolloutNote(counted) };
  if (!passed && crossed) {
    r.violatedAtMs = crossed.atMs;
    r.violatedBy = { ...crossed.event };
  }
  return r;
}

export function staleEndpointTime(
  slo: Extract<SloSpec, { type: 'stale-endpoint-time' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): SloResult {
  const segs = trafficSegments(events, slo.service, runEndMs);
  if (segs.length === 0) return noTraffic(slo);
  let longest: { sinceMs: number; lengthMs: number } | undefined;
  let first: { atMs: number; event: TrafficEvent } | undefined;
  for (const s of segs) {
    const since = s.event.staleSinceMs;
    if (since === undefined) continue;
    const lengthMs = s.endMs - since;
    if (longest === undefined || lengthMs > longest.lengthMs) longest = { sinceMs: since, lengthMs };
    if (first === undefined && lengthMs > slo.maxMs) first = { atMs: since + slo.maxMs, event: s.event };
  }
  if (longest === undefined) {
    return {
      ...base(slo),
      passed: true,
      measuredMs: 0,
      boundMs: slo.maxMs,
      message: `${slo.service}: no node ever sent requests to a dead endpoint; bound ${formatDuration(slo.maxMs)}`,
    };
  }
  const passed = longest.lengthMs <= slo.maxMs;
  const message = passed
    ? `${slo.service}: the longest a node sent requests to a dead endpoint was ${formatDuration(longest.lengthMs)} from ${formatClock(longest.sinceMs)}; bound ${formatDuration(slo.maxMs)}`
    : `${slo.service}: a node sent requests to a dead endpoint for ${formatDuration(longest.lengthMs)} from ${formatClock(longest.sinceMs)}, over the ${formatDuration(slo.maxMs)} bound`;
  const r: SloResult = { ...base(slo), passed, measuredMs: longest.lengthMs, boundMs: slo.maxMs, message };
  if (!passed && first) {
    r.violatedAtMs = first.atMs;
    r.violatedBy = { ...first.event };
  }
  return r;
}

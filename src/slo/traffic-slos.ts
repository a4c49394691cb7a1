// The SLOs on the requests a Service's clients send, judged on the trace's `service.traffic.changed`
// events: between two of them every rate is constant, so totals are exact sums of rate × time.
// - request-success-rate: the lowest share of requests that succeeded, over the run or over any rolling
//   window of the given length (the lowest of a ratio of two piecewise-linear totals lies where a window
//   edge meets a change, so only those windows are looked at).
// - failed-requests: how many requests failed in all.
// - stale-endpoint-time: the longest time any node kept routing requests to a dead endpoint.
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
export function trafficSegments(events: readonly TraceEvent[], service: string, runEndMs: number): Segment[] {
  const out: Segment[] = [];
  for (const e of events) {
    if (e.type !== 'service.traffic.changed' || e.service !== service) continue;
    const last = out[out.length - 1];
    if (last !== undefined) last.endMs = e.atMs;
    out.push({ startMs: e.atMs, endMs: runEndMs, event: e });
  }
  return out.filter((s) => s.endMs > s.startMs);
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

export function requestSuccessRate(
  slo: Extract<SloSpec, { type: 'request-success-rate' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): SloResult {
  const segs = trafficSegments(events, slo.service, runEndMs);
  if (segs.length === 0) return noTraffic(slo);
  // Cumulative requests and failures at each segment start (in request-milliseconds per second).
  const times = segs.map((s) => s.startMs);
  times.push(segs[segs.length - 1].endMs);
  const req = [0];
  const fail = [0];
  for (const s of segs) {
    const dt = s.endMs - s.startMs;
    req.push(req[req.length - 1] + s.event.requestsPerSecond * dt);
    fail.push(fail[fail.length - 1] + s.event.failingPerSecond * dt);
  }
  const at = (arr: number[], t: number): number => {
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
  };
  const firstMs = times[0];
  const endMs = times[times.length - 1];
  const windowMs = slo.rollingWindowMs !== undefined ? Math.min(slo.rollingWindowMs, endMs - firstMs) : undefined;
  let worst = { ratio: Infinity, endMs };
  let firstBelowMs: number | undefined;
  const ratioAt = (t: number): number | undefined => {
    const from = windowMs === undefined ? firstMs : t - windowMs;
    const r = at(req, t) - at(req, from);
    return r <= 0 ? undefined : 1 - (at(fail, t) - at(fail, from)) / r;
  };
  const below = (ratio: number | undefined) => ratio !== undefined && ratio * 100 < slo.minPercent;
  if (windowMs === undefined) {
    const ratio = ratioAt(endMs);
    if (ratio !== undefined) worst = { ratio, endMs };
  } else {
    const candidates = new Set<number>();
    for (const t of times) {
      if (t >= firstMs + windowMs) candidates.add(t);
      if (t + windowMs <= endMs) candidates.add(t + windowMs);
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
  }
  if (worst.ratio === Infinity) return noTraffic(slo);
  const measured = floorPercent(worst.ratio);
  const passed = worst.ratio * 100 >= slo.minPercent;
  const over =
    windowMs === undefined ? 'over the run' : `over the ${formatDuration(windowMs)} ending ${formatClock(worst.endMs)}`;
  const message = passed
    ? `${slo.service}: the lowest share of requests that succeeded was ${percentText(measured)} ${over}; bound ${percentText(slo.minPercent)}`
    : `${slo.service}: only ${percentText(measured)} of requests succeeded ${over}, under the ${percentText(slo.minPercent)} bound`;
  const r: SloResult = { ...base(slo), passed, measured, bound: slo.minPercent, message };
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
  const segs = trafficSegments(events, slo.service, runEndMs);
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
  const r: SloResult = { ...base(slo), passed, measured, bound: slo.max, message };
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

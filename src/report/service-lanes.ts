// One lane per Service on the timeline: the share of its requests that succeed over time (from the trace's
// service.traffic.changed events), failing stretches filled red and labelled with their worst rate and
// cause; and the Service milestones shared by every report ("checkout-svc: 11% of requests failing: ...").
import type { TraceEvent, TraceEventOf } from '../trace/events.js';
import { formatClock } from './format.js';
import { eventsOfTypes } from '../trace/by-type.js';
import { countingStartMs, firstFaultMs } from '../slo/traffic-slos.js';

type TrafficEvent = TraceEventOf<'service.traffic.changed'>;
type HintsEvent = TraceEventOf<'service.hints.changed'>;

export interface ServiceSeries {
  service: string;
  points: TrafficEvent[];
  /** Its zone hints added, reallocated or removed (topology-aware routing), in order; empty without. */
  hints: HintsEvent[];
  /** The end of the initial rollout (or the first fault): the request SLOs count from here. */
  countedFromMs: number;
}

export const SERVICE_LANE_H = 60;
/** The succeeding share: a light green, drawn solid so that adjacent stretches show no seams. */
const SUCCEEDING = '#b9dfc6';
/** Zone hints (topology-aware routing) under a lane. */
const HINTS = '#5b6ee1';

/** Each Service's traffic events, in order, by name. */
export function serviceSeries(events: readonly TraceEvent[]): ServiceSeries[] {
  const by = new Map<string, TrafficEvent[]>();
  const hints = new Map<string, HintsEvent[]>();
  for (const e of eventsOfTypes(events, 'service.hints.changed', 'service.traffic.changed')) {
    if (e.type === 'service.hints.changed') {
      let list = hints.get(e.service);
      if (list === undefined) hints.set(e.service, (list = []));
      list.push(e);
    }
    if (e.type !== 'service.traffic.changed') continue;
    let list = by.get(e.service);
    if (list === undefined) by.set(e.service, (list = []));
    list.push(e);
  }
  const faultMs = firstFaultMs(events);
  return [...by.keys()].sort().map((service) => {
    const points = by.get(service)!;
    return { service, points, hints: hints.get(service) ?? [], countedFromMs: countingStartMs(points, faultMs) };
  });
}

const pct = (rate: number) => {
  const p = Math.round(rate * 1000) / 10;
  return `${p}%`;
};

/**
 * When each Service started failing requests and when it stopped, with the cause at the start, plus when
 * every kube-proxy had caught up after a failing stretch.
 */
export function serviceMilestones(events: readonly TraceEvent[]): { atMs: number; text: string; failing: boolean }[] {
  const out: { atMs: number; text: string; failing: boolean }[] = [];
  for (const s of serviceSeries(events)) {
    let failing = false;
    let inRollout = false;
    let worst = 0;
    let awaitingSync = false;
    for (const p of s.points) {
      const share = p.requestsPerSecond > 0 ? p.failingPerSecond / p.requestsPerSecond : 0;
      const rollout = p.atMs < s.countedFromMs ? ' during the initial rollout (not counted by the SLOs)' : '';
      if (share > 0 && !failing) {
        failing = true;
        inRollout = rollout !== '';
        worst = share;
        out.push({
          atMs: p.atMs,
          failing: true,
          text: `${s.service}: ${pct(share)} of requests failing${rollout}: ${p.cause}`,
        });
      } else if (share > 0 && failing && share > worst) {
        worst = share;
      } else if (share === 0 && failing) {
        failing = false;
        out.push({
          atMs: p.atMs,
          failing: false,
          text: inRollout
            ? `${s.service}: all requests succeed, the initial rollout is over (worst ${pct(worst)} failing)`
            : `${s.service}: all requests succeed again (worst ${pct(worst)} failing)`,
        });
        awaitingSync = p.behindNodes > 0;
        if (!awaitingSync) continue;
      }
      if (awaitingSync && p.behindNodes === 0) {
        awaitingSync = false;
        out.push({ atMs: p.atMs, failing: false, text: `${s.service}: kube-proxy synced on all nodes` });
      }
    }
  }
  out.push(...endpointMilestones(events));
  out.push(...hintMilestones(events));
  return out.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Zone hints of topology-aware routing (service.hints.changed) added, reallocated or removed, from the first
 * fault on (or the end of the Service's initial rollout, whose every new pod moves them). A run of
 * reallocations reads as one line, as a zone outage's hundreds of slice writes each move the counts.
 */
function hintMilestones(events: readonly TraceEvent[]): { atMs: number; text: string; failing: boolean }[] {
  const out: { atMs: number; text: string; failing: boolean }[] = [];
  const faultMs = firstFaultMs(events);
  const from = new Map(serviceSeries(events).map((s) => [s.service, faultMs ?? s.countedFromMs]));
  const had = new Map<string, boolean>();
  const open = new Map<string, { milestone: { text: string }; times: number }>();
  for (const e of eventsOfTypes(events, 'service.hints.changed')) {
    const before = had.get(e.service);
    had.set(e.service, e.hints);
    if (e.atMs < (from.get(e.service) ?? 0)) continue;
    const reallocated = e.hints && before === true;
    const group = open.get(e.service);
    if (reallocated && group !== undefined) {
      group.times++;
      group.milestone.text = `${e.service}: zone hints reallocated ${group.times} times until ${formatClock(e.atMs)}, endpoints per zone now: ${e.zones}`;
      continue;
    }
    const text = !e.hints
      ? `${e.service}: zone hints removed, every node sends to every ready endpoint: ${e.reason}`
      : `${e.service}: zone hints ${reallocated ? 'reallocated' : 'added'}, endpoints per zone: ${e.zones}`;
    const milestone = { atMs: e.atMs, failing: false, text };
    out.push(milestone);
    if (reallocated) open.set(e.service, { milestone, times: 1 });
    else open.delete(e.service);
  }
  return out;
}

/**
 * Endpoints leaving a Service's slices (not ready any more), after its first rollout: one milestone per
 * stretch of writes that only remove endpoints, at its first write, so that a zone outage's hundreds
 * of writes read as one line ("EndpointSlices updated 700 times until 05:15.0, down to 1400 of 2100").
 */
function endpointMilestones(events: readonly TraceEvent[]): { atMs: number; text: string; failing: boolean }[] {
  const out: { atMs: number; text: string; failing: boolean }[] = [];
  const readyOf = new Map<string, number>();
  const open = new Map<string, { milestone: { text: string }; writes: number }>();
  for (const e of eventsOfTypes(events, 'service.endpoints.changed')) {
    const before = readyOf.get(e.service);
    readyOf.set(e.service, e.ready);
    if (before === undefined) continue;
    if (e.ready >= before) {
      if (e.ready > before) open.delete(e.service);
      continue;
    }
    const group = open.get(e.service);
    if (group === undefined) {
      const milestone = {
        atMs: e.atMs,
        failing: false,
        text: `${e.service}: EndpointSlice updated, ${e.ready} of ${e.endpoints} endpoints ready`,
      };
      out.push(milestone);
      open.set(e.service, { milestone, writes: 1 });
    } else {
      group.writes++;
      group.milestone.text = `${e.service}: EndpointSlices updated ${group.writes} times until ${formatClock(e.atMs)}, down to ${e.ready} of ${e.endpoints} endpoints ready`;
    }
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sel = any;
type Scale = (ms: number) => number;

type Colors = { pass: string; fail: string; text: string; muted: string; grid: string };

/** The Service's name and its lowest success rate, left of the lane. */
function caption(g: Sel, service: string, worst: number, top: number, colors: Colors): void {
  g.append('text')
    .attr('x', 16)
    .attr('y', top + 12)
    .attr('font-weight', 600)
    .attr('fill', colors.text)
    .text(service);
  g.append('text')
    .attr('x', 16)
    .attr('y', top + 26)
    .attr('fill', worst < 1 ? colors.fail : colors.muted)
    .text(worst < 1 ? `lowest ${pct(worst)} succeeding` : 'no request failed');
}

/** The 0% guide line and the 100% / 0% marks. */
function guides(g: Sel, y: (rate: number) => number, plotLeft: number, right: number, colors: Colors): void {
  g.append('line').attr('x1', plotLeft).attr('x2', right).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', colors.grid);
  for (const [rate, label, dy] of [
    [1, '100%', 4],
    [0, '0%', 0],
  ] as const) {
    g.append('text')
      .attr('x', plotLeft - 4)
      .attr('y', y(rate) + dy)
      .attr('text-anchor', 'end')
      .attr('fill', colors.muted)
      .attr('font-size', 9)
      .text(label);
  }
}

/** Draws a Service's success-rate lane: 100% at the top of the lane, 0% at the bottom. */
export function serviceLane(
  svg: Sel,
  x: Scale,
  s: ServiceSeries,
  top: number,
  endMs: number,
  colors: Colors,
  plotLeft: number,
): void {
  const h = SERVICE_LANE_H - 12;
  const y = (rate: number) => top + (1 - rate) * h;
  const g = svg.append('g');
  const firstMs = s.points[0]?.atMs ?? endMs;
  // The caption's lowest rate is the SLOs' one: from the end of the initial rollout (or the first fault).
  let worst = 1;
  s.points.forEach((p, i) => {
    const to = s.points[i + 1]?.atMs ?? endMs;
    if (to > s.countedFromMs && to > p.atMs) worst = Math.min(worst, p.successRate);
  });
  caption(g, s.service, worst, top, colors);
  guides(g, y, plotLeft, x(endMs), colors);
  if (firstMs > 0)
    g.append('rect')
      .attr('x', x(0))
      .attr('y', top)
      .attr('width', Math.max(0, x(firstMs) - x(0)))
      .attr('height', h)
      .attr('fill', '#f5f7fa')
      .append('title')
      .text(`${s.service}: no traffic until ${formatClock(firstMs)} (the Service had no ready endpoint yet)`);
  drawSeries(g, x, y, s, endMs, colors.fail);
  drawHints(g, x, y(0), s, endMs, top, colors);
  if (s.countedFromMs > firstMs) {
    // The initial rollout: drawn like the rest, veiled and explained, since the SLOs do not count it.
    g.append('rect')
      .attr('x', x(firstMs))
      .attr('y', top)
      .attr('width', Math.max(0, x(s.countedFromMs) - x(firstMs)))
      .attr('height', h)
      .attr('fill', '#ffffff')
      .attr('fill-opacity', 0.6)
      .append('title')
      .text(
        `${formatClock(firstMs)}–${formatClock(s.countedFromMs)} ${s.service}: the initial rollout, while its pods first became Ready; the request SLOs count from ${formatClock(s.countedFromMs)}`,
      );
  }
}

/** Topology-aware routing: a strip under the lane while the endpoints have zone hints, hollow while they have none. */
function drawHints(
  g: Sel,
  x: Scale,
  bottom: number,
  s: ServiceSeries,
  endMs: number,
  top: number,
  colors: Colors,
): void {
  if (s.hints.length === 0) return;
  g.append('text')
    .attr('x', 16)
    .attr('y', top + 40)
    .attr('fill', HINTS)
    .attr('font-size', 10)
    .text('▬ zone hints');
  s.hints.forEach((e, i) => {
    const to = s.hints[i + 1]?.atMs ?? endMs;
    if (to <= e.atMs) return;
    g.append('rect')
      .attr('x', x(e.atMs))
      .attr('y', bottom + 2)
      .attr('width', Math.max(1, x(to) - x(e.atMs)))
      .attr('height', 4)
      .attr('fill', e.hints ? HINTS : 'none')
      .attr('stroke', e.hints ? 'none' : colors.muted)
      .attr('stroke-width', 0.5)
      .attr('shape-rendering', 'crispEdges')
      .append('title')
      .text(
        e.hints
          ? `${formatClock(e.atMs)}–${formatClock(to)} ${s.service}: zone hints, endpoints per zone: ${e.zones}`
          : `${formatClock(e.atMs)}–${formatClock(to)} ${s.service}: no zone hints, every node sends to every ready endpoint: ${e.reason}`,
      );
  });
}

function drawSeries(
  g: Sel,
  x: Scale,
  y: (rate: number) => number,
  s: ServiceSeries,
  endMs: number,
  fail: string,
): void {
  s.points.forEach((p, i) => {
    const to = s.points[i + 1]?.atMs ?? endMs;
    if (to <= p.atMs) return;
    const x0 = x(p.atMs);
    const w = Math.max(1, x(to) - x0);
    // Succeeding share in green from the rate down to 0, failing share in red above it.
    g.append('rect')
      .attr('x', x0)
      .attr('y', y(p.successRate))
      .attr('width', w)
      .attr('height', y(0) - y(p.successRate))
      .attr('fill', SUCCEEDING)
      .attr('shape-rendering', 'crispEdges');
    if (p.successRate < 1) {
      g.append('rect')
        .attr('x', x0)
        .attr('y', y(1))
        .attr('width', w)
        .attr('height', y(p.successRate) - y(1))
        .attr('fill', fail)
        .attr('shape-rendering', 'crispEdges')
        .append('title')
        .text(
          `${formatClock(p.atMs)}–${formatClock(to)} ${s.service}: ${pct(1 - p.successRate)} of ${p.requestsPerSecond} requests/s failing: ${p.cause}`,
        );
    }
  });
}

// The outage timeline (README.md#what-a-run-writes), drawn with d3-node: node lanes grouped by zone (collapsed into one
// row per zone above COLLAPSE_NODES_ABOVE nodes), per-workload Ready pods against desired with SLO
// bounds, one lane per leader-elected component, fault bands across everything, and labelled
// milestones. Pure: summary and trace in, SVG text out.
import { D3Node } from 'd3-node';
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary, SloResult } from '../trace/summary.js';
import { naturalCompare } from '../trace/format.js';
import { pointAt, readySeries, runningSeries, type ReadySeries, type RunningPoint } from '../slo/ready-series.js';
import { formatClock, formatClockShort, formatDuration } from './format.js';
import { faultMilestones, type FaultMilestone } from './milestones.js';
import { collectPdbLanes, PDB_ROW, pdbLane } from './pdb-lanes.js';
import { SERVICE_LANE_H, serviceLane, serviceSeries } from './service-lanes.js';
import { volumeWaits, type VolumeWait } from './volume-milestones.js';
import { eventsOfTypes } from '../trace/by-type.js';

export const COLLAPSE_NODES_ABOVE = 40;
/** Above this many workloads, those no SLO names and that dropped least are folded into one chart. */
export const FOLD_WORKLOADS_ABOVE = 8;

export const COLORS = {
  ready: '#3a9d5d',
  running: '#7b3fb5',
  unknown: '#e9a23b',
  notReady: '#d64541',
  none: '#e4e7eb',
  poweredOff: '#1f2933',
  noExecute: '#8e1b1b',
  noSchedule: '#c98a12',
  fault: '#6d4cc2',
  desired: '#52606d',
  readyLine: '#2b6cb0',
  readyFill: '#dbe8f6',
  deficit: '#f4c7c3',
  pass: '#2f855a',
  fail: '#c53030',
  text: '#1f2933',
  muted: '#616e7c',
  grid: '#e4e7eb',
  volumeWait: '#b7791f',
} as const;

const LEADER_PALETTE = ['#4c6ef5', '#12b886', '#f76707', '#ae3ec9', '#1098ad', '#82c91e'];
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const WIDTH = 1200;
const PLOT_LEFT = 200;
const PLOT_RIGHT = WIDTH - 30;
const NODE_ROW_FEW = 20; // up to 12 nodes: roomy lanes
const NODE_ROW_MANY = 15;
const ZONE_ROW = 40;
const WORKLOAD_H = 74;
const LEADER_ROW = 20;
const MEMBER_ROW = 16;
const CHAR_W = 6.2; // average glyph width of 11px system-ui, for label collision checks

type Status = 'True' | 'False' | 'Unknown' | 'None';
interface Span {
  startMs: number;
  endMs: number;
}
interface StatusSpan extends Span {
  status: Status;
}
interface NodeInfo {
  name: string;
  zone: string;
  status: StatusSpan[];
  off: Span[];
  noExecute: Span[];
  noSchedule: Span[];
}

/** A vertical section of lanes: where its heading goes and where each of its lanes starts. */
interface Section<T> {
  top: number;
  rows: { item: T; top: number }[];
}

/** Where everything goes: the SVG height depends on it, so it is worked out before anything is drawn. */
interface TimelineLayout {
  endMs: number;
  nodes: NodeInfo[];
  collapsed: boolean;
  nodeRow: number;
  marks: FaultMilestone[];
  faultLabelRows: { x: number; row: number }[];
  faultLabelTop: number;
  axisTop: number;
  nodeSectionTop: number;
  zones: { zone: string; top: number; nodes: NodeInfo[] }[];
  workloads: Section<ReadySeries>;
  services: Section<ReturnType<typeof serviceSeries>[number]>;
  leaders: Section<LeaderLane>;
  pdbs: Section<ReturnType<typeof collectPdbLanes>[number]>;
  members: Section<MemberLane>;
  plotBottom: number;
  markLabels: { x: number; row: number }[];
  marksTop: number;
  height: number;
}

/** Renders the timeline as a standalone SVG document (well-formed XML). */
export function renderTimelineSvg(summary: RunSummary, events: readonly TraceEvent[]): string {
  const endMs = Math.max(summary.durationMs, events.length ? events[events.length - 1].atMs : 0, 1);
  const d3n = new D3Node();
  const x: Scale = d3n.d3.scaleLinear().domain([0, endMs]).range([PLOT_LEFT, PLOT_RIGHT]);
  const lay = layoutTimeline(summary, events, endMs, x);

  const svg = d3n.createSVG(WIDTH, lay.height, {
    viewBox: `0 0 ${WIDTH} ${lay.height}`,
    'font-family': FONT,
    'font-size': 11,
    role: 'img',
    'aria-label': `hasim timeline of ${summary.scenario}`,
    // For report.html's zoom: where the time axis lies and what it spans.
    'data-plot-left': PLOT_LEFT,
    'data-plot-right': PLOT_RIGHT,
    'data-end-ms': endMs,
  });
  defs(svg);
  svg.append('rect').attr('width', WIDTH).attr('height', lay.height).attr('fill', '#ffffff');

  drawHeader(svg, summary);
  drawGrid(svg, x, lay);
  drawNodeSection(svg, x, lay);
  drawWorkloadSection(svg, x, lay, summary, events);
  drawControlPlaneSections(svg, x, lay);
  drawFaultBands(svg, x, lay, summary);
  drawMilestoneMarks(svg, x, lay);

  // XMLSerializer, not outerHTML: the HTML serializer would emit entities and forms XML parsers reject.
  const serializer: { serializeToString(node: unknown): string } = new d3n.window.XMLSerializer();
  return serializer.serializeToString((svg as Sel).node()) + '\n';
}

/** Lays the timeline out from top to bottom. */
function layoutTimeline(summary: RunSummary, events: readonly TraceEvent[], endMs: number, x: Scale): TimelineLayout {
  const nodes = collectNodes(events, endMs);
  const collapsed = nodes.length > COLLAPSE_NODES_ABOVE;
  const nodeRow = nodes.length <= 12 ? NODE_ROW_FEW : NODE_ROW_MANY;
  const marks = mergeMarks(faultMilestones(events), x);

  let y = 78; // the header
  const faultLabelRows = placeLabels(
    summary.faults.map((f) => ({ x: x(f.startMs) + 4, text: `⚡ ${f.name} (${f.type})` })),
    PLOT_RIGHT,
  );
  const faultLabelH = (Math.max(...faultLabelRows.map((l) => l.row), -1) + 1) * 14;
  const faultLabelTop = y;
  y += faultLabelH + 22; // the top axis labels
  const axisTop = y;
  y += 10;
  const nodeSectionTop = y;
  y += 18;
  const zones: TimelineLayout['zones'] = [];
  for (const [zone, zn] of groupByZone(nodes)) {
    y += 16; // zone heading
    zones.push({ zone, top: y, nodes: zn });
    y += collapsed ? ZONE_ROW + 10 : zn.length * nodeRow + 4;
  }
  y += 8;
  const cursor = { y };
  const workloads = stackSection(
    cursor,
    foldWorkloads([...readySeries(events).values()], summary),
    18,
    16,
    () => WORKLOAD_H + 12,
  );
  const services = stackSection(cursor, serviceSeries(events), 18, 8, () => SERVICE_LANE_H);
  const leaders = stackSection(cursor, collectLeaders(events, endMs), 18, 14, (l) => LEADER_ROW * l.slots + 8);
  const pdbs = stackSection(cursor, collectPdbLanes(events, endMs), 18 + 4, 0, () => PDB_ROW);
  const members = stackSection(cursor, collectMembers(events, endMs), 18 + 4, 0, () => MEMBER_ROW);
  y = cursor.y;
  if (members.rows.length) y += 6;
  const plotBottom = y;
  y += 24; // bottom axis labels
  const markLabels = placeLabels(
    marks.map((m) => ({ x: x(m.atMs) + 3, text: m.label })),
    WIDTH - 4,
  );
  const markRows = Math.max(...markLabels.map((l) => l.row), -1) + 1;
  const marksTop = y + 4;
  y += markRows * 15 + 16;
  return {
    endMs,
    nodes,
    collapsed,
    nodeRow,
    marks,
    faultLabelRows,
    faultLabelTop,
    axisTop,
    nodeSectionTop,
    zones,
    workloads,
    services,
    leaders,
    pdbs,
    members,
    plotBottom,
    markLabels,
    marksTop,
    height: Math.ceil(y),
  };
}

/**
 * Stacks a section's lanes under cursor.y: a heading of headingH when there is any lane, then each
 * lane gapAbove below the one before, as tall as heightOf says.
 */
function stackSection<T>(
  cursor: { y: number },
  items: readonly T[],
  headingH: number,
  gapAbove: number,
  heightOf: (item: T) => number,
): Section<T> {
  const top = cursor.y;
  if (items.length) cursor.y += headingH;
  const rows = items.map((item) => {
    const rowTop = cursor.y + gapAbove;
    cursor.y = rowTop + heightOf(item);
    return { item, top: rowTop };
  });
  return { top, rows };
}

/** 1. Title, seed and verdict, and the legend. */
function drawHeader(svg: Sel, summary: RunSummary): void {
  svg
    .append('text')
    .attr('x', 16)
    .attr('y', 26)
    .attr('font-size', 17)
    .attr('font-weight', 600)
    .attr('fill', COLORS.text)
    .text(`${summary.scenario} — timeline`);
  const verdict = summary.passed
    ? 'all SLOs held'
    : `${summary.slos.filter((s) => !s.passed).length} of ${summary.slos.length} SLOs failed`;
  const sub = svg.append('text').attr('x', 16).attr('y', 45).attr('fill', COLORS.muted);
  sub
    .append('tspan')
    .text(
      `seed ${summary.seed} · Kubernetes ${summary.kubernetesVersion} · ${formatDuration(summary.durationMs)} simulated · `,
    );
  sub
    .append('tspan')
    .attr('font-weight', 600)
    .attr('fill', summary.passed ? COLORS.pass : COLORS.fail)
    .text(verdict);
  legend(svg, 16, 64);
}

/** 2. Grid lines and the time axes above and below the plot. */
function drawGrid(svg: Sel, x: Scale, { endMs, axisTop, plotBottom }: TimelineLayout): void {
  const ticks = timeTicks(endMs);
  const grid = svg.append('g').attr('stroke', COLORS.grid).attr('pointer-events', 'none');
  for (const t of ticks)
    grid.append('line').attr('x1', x(t)).attr('x2', x(t)).attr('y1', axisTop).attr('y2', plotBottom);
  axis(svg, ticks, x, axisTop, 'top');
  axis(svg, ticks, x, plotBottom, 'bottom');
}

/** 3. Nodes: a lane per node, or a row per zone above COLLAPSE_NODES_ABOVE nodes. */
function drawNodeSection(svg: Sel, x: Scale, lay: TimelineLayout): void {
  const { nodes, collapsed, nodeRow, endMs } = lay;
  sectionTitle(
    svg,
    lay.nodeSectionTop + 12,
    collapsed ? `Nodes (${nodes.length}, one row per zone: how many are in each state)` : `Nodes (${nodes.length})`,
  );
  for (const z of lay.zones) {
    svg
      .append('text')
      .attr('x', 16)
      .attr('y', z.top - 4)
      .attr('font-weight', 600)
      .attr('fill', COLORS.text)
      .text(`${z.zone} · ${z.nodes.length} node${z.nodes.length === 1 ? '' : 's'}`);
    const tainted = taintedText(z.nodes);
    const headingW = `${z.zone} · ${z.nodes.length} nodes`.length * 7; // bold 11px: ~7 px a character
    if (tainted)
      svg
        .append('text')
        .attr('x', 16 + headingW + 10)
        .attr('y', z.top - 4)
        .attr('fill', COLORS.noExecute)
        .text(tainted);
    if (collapsed) zoneRow(svg, x, z.nodes, z.top, endMs);
    else z.nodes.forEach((n, i) => nodeLane(svg, x, n, z.top + i * nodeRow, nodeRow));
  }
}

/** 4. Workloads: Ready against desired, with the pods running and the SLO bounds. */
function drawWorkloadSection(
  svg: Sel,
  x: Scale,
  lay: TimelineLayout,
  summary: RunSummary,
  events: readonly TraceEvent[],
): void {
  const { workloads, endMs } = lay;
  if (workloads.rows.length)
    sectionTitle(
      svg,
      workloads.top + 12,
      'Workloads: Ready pods (line) against desired (dashed); pods actually running (dotted)',
    );
  const running = runningSeries(events);
  const waits = waitsByWorkload(events);
  for (const w of workloads.rows) {
    workloadChart(svg, x, w.item, running.get(w.item.workload) ?? [], w.top, endMs, summary);
    workloadVolumeWaits(svg, x, waits.get(w.item.workload) ?? [], w.top, endMs);
  }
}

/** The Multi-Attach waits of a run by the workload of their pod. */
function waitsByWorkload(events: readonly TraceEvent[]): Map<string, VolumeWait[]> {
  const out = new Map<string, VolumeWait[]>();
  const waits = volumeWaits(events);
  if (waits.length === 0) return out;
  const workloadOf = new Map<string, string>();
  for (const e of eventsOfTypes(events, 'pod.created')) workloadOf.set(e.pod, e.workload);
  for (const w of waits) {
    const id = workloadOf.get(w.pod);
    if (id === undefined) continue;
    const list = out.get(id) ?? [];
    out.set(id, list);
    list.push(w);
  }
  return out;
}

/**
 * A bar along the bottom of a workload's chart for each pod held by a Multi-Attach error, from the error to
 * its disk's attach (or the end of the run), the detach that freed the disk marked on it and named.
 */
function workloadVolumeWaits(svg: Sel, x: Scale, waits: readonly VolumeWait[], top: number, endMs: number): void {
  const barH = 7;
  const y = top + WORKLOAD_H - barH;
  for (const w of waits) {
    const g = svg.append('g');
    const x0 = x(w.fromMs);
    const x1 = x(w.untilMs ?? endMs);
    const d = w.detach;
    const freed =
      d === undefined
        ? 'not detached by the end of the run'
        : d.reason === 'maxWaitForUnmountDuration'
          ? `force detach ${formatClockShort(d.atMs)}`
          : d.reason === 'out-of-service'
            ? `out-of-service detach ${formatClockShort(d.atMs)}`
            : `detach ${formatClockShort(d.atMs)}`;
    g.append('rect')
      .attr('x', x0.toFixed(1))
      .attr('y', y)
      .attr('width', Math.max(1, x1 - x0).toFixed(1))
      .attr('height', barH)
      .attr('fill', COLORS.volumeWait)
      .attr('fill-opacity', 0.75)
      .append('title')
      .text(
        `${w.pod} on ${w.node} waits for disk ${w.claim}, still attached to ${w.attachedTo} (Multi-Attach error) from ${formatClock(w.fromMs)}: ${freed}` +
          (w.untilMs !== undefined ? `; attached to ${w.node} at ${formatClock(w.untilMs)}` : ''),
      );
    if (d !== undefined) {
      const xd = x(d.atMs);
      g.append('line')
        .attr('x1', xd.toFixed(1))
        .attr('x2', xd.toFixed(1))
        .attr('y1', y)
        .attr('y2', y + barH)
        .attr('stroke', COLORS.text)
        .attr('stroke-width', 1.5);
    }
    const label = `${w.pod} Multi-Attach: ${w.claim} on ${w.attachedTo} until ${freed}`;
    // Kept inside the plot: a wait that starts late is labelled leftwards from the plot's right edge.
    const labelX = Math.min(x0 + 4, PLOT_RIGHT - label.length * CHAR_W);
    g.append('text')
      .attr('x', labelX.toFixed(1))
      .attr('y', y - 3)
      .attr('font-size', 10)
      .attr('fill', COLORS.volumeWait)
      .attr('font-weight', 600)
      .text(label);
  }
}

/** 4b-5b. Services, leader election, PodDisruptionBudgets, API servers and etcd members. */
function drawControlPlaneSections(svg: Sel, x: Scale, lay: TimelineLayout): void {
  const { services, leaders, pdbs, members, endMs } = lay;
  if (services.rows.length)
    sectionTitle(svg, services.top + 12, 'Services: share of requests that succeed (green) and fail (red)');
  for (const sl of services.rows) serviceLane(svg, x, sl.item, sl.top, endMs, COLORS, PLOT_LEFT);

  if (leaders.rows.length) sectionTitle(svg, leaders.top + 12, 'Leader election: who leads (hatched red: no leader)');
  for (const l of leaders.rows) leaderLane(svg, x, l.item, l.top);

  // PodDisruptionBudgets that held evictions back.
  if (pdbs.rows.length)
    sectionTitle(svg, pdbs.top + 12, 'PodDisruptionBudgets: disruptions allowed (red: none; ticks: refused evictions)');
  for (const p of pdbs.rows) pdbLane(svg, x, p.item, p.top, PLOT_LEFT);

  // API servers and etcd members: without them nothing else can act.
  if (members.rows.length)
    sectionTitle(svg, members.top + 12, 'API servers and etcd members that stopped during the run (dark: stopped)');
  for (const m of members.rows) memberLane(svg, x, m.item, m.top);
}

/** 6. Fault bands over every lane, labelled above the axis. */
function drawFaultBands(svg: Sel, x: Scale, lay: TimelineLayout, summary: RunSummary): void {
  const { endMs, axisTop, plotBottom, faultLabelTop, faultLabelRows } = lay;
  const bands = svg.append('g');
  // One shade for the time any fault was active: overlapping faults would darken it band on band.
  for (const span of mergeSpans(summary.faults.map((f) => ({ startMs: f.startMs, endMs: f.endMs ?? endMs })))) {
    bands
      .append('rect')
      .attr('x', x(span.startMs))
      .attr('y', axisTop)
      .attr('width', Math.max(1, x(span.endMs) - x(span.startMs)))
      .attr('height', plotBottom - axisTop)
      .attr('fill', COLORS.fault)
      .attr('fill-opacity', 0.07)
      // Shades and guide lines drawn over the lanes must not hide the lanes' hover details.
      .attr('pointer-events', 'none');
  }
  summary.faults.forEach((f, i) => {
    const x0 = x(f.startMs);
    const x1 = x(f.endMs ?? endMs);
    for (const bx of f.endMs === null ? [x0] : [x0, x1]) {
      bands
        .append('line')
        .attr('x1', bx)
        .attr('x2', bx)
        .attr('y1', faultLabelTop + faultLabelRows[i].row * 14 + 2)
        .attr('y2', plotBottom)
        .attr('stroke', COLORS.fault)
        .attr('stroke-width', 1)
        .attr('stroke-dasharray', '4 3')
        .attr('pointer-events', 'none');
    }
    bands
      .append('text')
      .attr('x', faultLabelRows[i].x)
      .attr('y', faultLabelTop + faultLabelRows[i].row * 14 + 11)
      .attr('fill', COLORS.fault)
      .attr('font-weight', 600)
      .text(`⚡ ${f.name} (${f.type})`)
      .append('title')
      .text(
        `${f.name} (${f.type}) ${formatClock(f.startMs)}–${f.endMs === null ? 'end of run' : formatClock(f.endMs)}: ${f.targets.length} target${f.targets.length === 1 ? '' : 's'} (${f.targets.slice(0, 8).join(', ')}${f.targets.length > 8 ? ', …' : ''})`,
      );
  });
}

/** 7. Milestones: a dotted line through the plot and a staggered label under the bottom axis. */
function drawMilestoneMarks(svg: Sel, x: Scale, { marks, markLabels, marksTop, axisTop }: TimelineLayout): void {
  const ms = svg.append('g');
  marks.forEach((m, i) => {
    const mx = x(m.atMs);
    const color = m.kind === 'recovered' ? COLORS.pass : COLORS.text;
    const ly = marksTop + markLabels[i].row * 15;
    ms.append('line')
      .attr('x1', mx)
      .attr('x2', mx)
      .attr('y1', axisTop)
      .attr('y2', ly + 2)
      .attr('stroke', color)
      .attr('stroke-opacity', 0.45)
      .attr('stroke-dasharray', '1 2')
      .attr('pointer-events', 'none');
    ms.append('circle')
      .attr('cx', mx)
      .attr('cy', ly + 5)
      .attr('r', 2.5)
      .attr('fill', color)
      .append('title')
      .text(`${formatClock(m.atMs)} ${m.label}`);
    ms.append('text')
      .attr('x', markLabels[i].x + 3)
      .attr('y', ly + 9)
      .attr('fill', color)
      .text(m.label);
  });
}

// ---------------------------------------------------------------------------------------------
// Data from the trace.

/** One node's spans as the trace is read: its current status, power and taints, and the spans closed so far. */
class NodeTrack {
  zone = '(no zone)';
  private readonly status: NodeInfo['status'] = [];
  private readonly off: NodeInfo['off'] = [];
  private readonly noExecute: NodeInfo['noExecute'] = [];
  private readonly noSchedule: NodeInfo['noSchedule'] = [];
  private cur: Status = 'None';
  private curSince: number;
  private offSince?: number;
  /** Open taints by `key:effect`, with when they were added. */
  private readonly taints = new Map<string, number>();

  constructor(
    readonly name: string,
    atMs: number,
  ) {
    this.curSince = atMs;
  }

  setStatus(s: Status, atMs: number): void {
    if (s === this.cur) return;
    if (atMs > this.curSince) this.status.push({ startMs: this.curSince, endMs: atMs, status: this.cur });
    this.cur = s;
    this.curSince = atMs;
  }

  poweredOff(atMs: number): void {
    if (this.offSince === undefined) this.offSince = atMs;
  }

  poweredOn(atMs: number): void {
    if (this.offSince === undefined) return;
    this.off.push({ startMs: this.offSince, endMs: atMs });
    this.offSince = undefined;
  }

  /**
   * The Node object is gone: its lane shows no Node from here (grey, as before registration), its taints
   * end with it, and its host's power stops being drawn (a terminated VM is no longer this node's story).
   */
  deleted(atMs: number): void {
    this.setStatus('None', atMs);
    for (const key of [...this.taints.keys()]) {
      const [k, effect] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
      this.taint(k, effect as 'NoExecute' | 'NoSchedule', false, atMs);
    }
    this.poweredOn(atMs);
  }

  taint(key: string, effect: 'NoExecute' | 'NoSchedule', added: boolean, atMs: number): void {
    const k = `${key}:${effect}`;
    if (added) {
      if (!this.taints.has(k)) this.taints.set(k, atMs);
      return;
    }
    const since = this.taints.get(k);
    if (since === undefined) return;
    (effect === 'NoExecute' ? this.noExecute : this.noSchedule).push({ startMs: since, endMs: atMs });
    this.taints.delete(k);
  }

  /** Closes every open span at endMs. */
  finish(endMs: number): NodeInfo {
    this.setStatus(this.cur === 'None' ? 'True' : 'None', endMs);
    if (this.offSince !== undefined) this.off.push({ startMs: this.offSince, endMs });
    for (const [key, since] of this.taints)
      (key.endsWith(':NoExecute') ? this.noExecute : this.noSchedule).push({ startMs: since, endMs });
    return {
      name: this.name,
      zone: this.zone,
      status: this.status,
      off: this.off,
      noExecute: mergeSpans(this.noExecute),
      noSchedule: mergeSpans(this.noSchedule),
    };
  }
}

function collectNodes(events: readonly TraceEvent[], endMs: number): NodeInfo[] {
  const nodes = new Map<string, NodeTrack>();
  const get = (name: string) => {
    let n = nodes.get(name);
    if (!n) nodes.set(name, (n = new NodeTrack(name, 0)));
    return n;
  };
  const types = eventsOfTypes(
    events,
    'node.created',
    'node.deleted',
    'node.ready.changed',
    'host.powered.off',
    'host.powered.on',
    'node.taint.added',
    'node.taint.removed',
  );
  for (const e of types) {
    switch (e.type) {
      case 'node.created':
        get(e.node).zone = e.zone;
        break;
      case 'node.deleted':
        get(e.node).deleted(e.atMs);
        break;
      case 'node.ready.changed':
        get(e.node).setStatus(e.to, e.atMs);
        break;
      // Hosts that are not nodes (control-plane members) are left out.
      case 'host.powered.off':
        nodes.get(e.host)?.poweredOff(e.atMs);
        break;
      case 'host.powered.on':
        nodes.get(e.host)?.poweredOn(e.atMs);
        break;
      case 'node.taint.added':
      case 'node.taint.removed':
        if (e.effect === 'NoExecute' || e.effect === 'NoSchedule')
          get(e.node).taint(e.key, e.effect, e.type === 'node.taint.added', e.atMs);
        break;
    }
  }
  const out = [...nodes.values()].map((n) => n.finish(endMs));
  return out.sort((a, b) => cmp(a.zone, b.zone) || naturalCompare(a.name, b.name));
}

/** `up to 4 tainted NoExecute at once (13:01.2)`: how many of a zone's nodes were tainted together. */
function taintedText(nodes: readonly NodeInfo[]): string {
  const edges: [number, number][] = [];
  for (const n of nodes) for (const sp of mergeSpans(n.noExecute)) edges.push([sp.startMs, 1], [sp.endMs, -1]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  let atMs = 0;
  for (const [t, d] of edges) {
    now += d;
    if (now > most) {
      most = now;
      atMs = t;
    }
  }
  return most === 0 ? '' : `up to ${most} tainted NoExecute at once (${formatClock(atMs)})`;
}

function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}

function groupByZone(nodes: NodeInfo[]): [string, NodeInfo[]][] {
  const zones = new Map<string, NodeInfo[]>();
  for (const n of nodes) {
    const list = zones.get(n.zone) ?? [];
    list.push(n);
    zones.set(n.zone, list);
  }
  return [...zones.entries()];
}

interface LeaderLane {
  component: string;
  instances: string[];
  spans: { instance: string; startMs: number; endMs: number; slot: number }[];
  gaps: Span[];
  slots: number;
}

/** One event of a leader lane. */
interface LeaderLaneEvent {
  type: 'leader.acquired' | 'leader.lost' | 'component.started' | 'component.stopped';
  atMs: number;
  component: string;
  instance: string;
}

/** A leader lane's events: the Lease holders', and etcd's raft leader as the lane "etcd". */
function leaderEvent(e: TraceEvent): LeaderLaneEvent | undefined {
  switch (e.type) {
    case 'leader.acquired':
    case 'leader.lost':
    case 'component.started':
    case 'component.stopped':
      return e;
    case 'etcd.leader.elected':
      return { type: 'leader.acquired', atMs: e.atMs, component: 'etcd', instance: e.member };
    case 'etcd.leader.lost':
      return { type: 'leader.lost', atMs: e.atMs, component: 'etcd', instance: e.member };
    default:
      return undefined;
  }
}

/** The events leaderEvent reads. */
const LEADER_LANE_TYPES = [
  'leader.acquired',
  'leader.lost',
  'component.started',
  'component.stopped',
  'etcd.leader.elected',
  'etcd.leader.lost',
] as const;

function collectLeaders(events: readonly TraceEvent[], endMs: number): LeaderLane[] {
  const byComponent = new Map<
    string,
    {
      leading: Map<string, number>;
      spans: { instance: string; startMs: number; endMs: number }[];
      instances: Set<string>;
      gaps: Span[];
      gapSince?: number;
      elected: boolean;
    }
  >();
  const types = eventsOfTypes(events, ...LEADER_LANE_TYPES);
  for (const raw of types) {
    const e = leaderEvent(raw);
    if (!e) continue;
    let c = byComponent.get(e.component);
    if (!c) {
      c = { leading: new Map(), spans: [], instances: new Set(), gaps: [], elected: false };
      byComponent.set(e.component, c);
    }
    c.instances.add(e.instance);
    // etcd's first leader leads from the start without an election in the trace: its loss shows it.
    if (e.type === 'leader.lost' && e.component === 'etcd' && !c.elected && c.spans.length === 0) {
      c.spans.push({ instance: e.instance, startMs: 0, endMs: e.atMs });
      c.gapSince = e.atMs;
      c.elected = true;
      continue;
    }
    if (e.type === 'leader.acquired') {
      if (!c.leading.has(e.instance)) c.leading.set(e.instance, e.atMs);
      c.elected = true;
      if (c.gapSince !== undefined) {
        c.gaps.push({ startMs: c.gapSince, endMs: e.atMs });
        c.gapSince = undefined;
      }
    } else if (e.type === 'leader.lost' || e.type === 'component.stopped') {
      const since = c.leading.get(e.instance);
      if (since !== undefined) {
        c.spans.push({ instance: e.instance, startMs: since, endMs: e.atMs });
        c.leading.delete(e.instance);
        if (c.leading.size === 0) c.gapSince = e.atMs;
      }
    }
  }
  const lanes: LeaderLane[] = [];
  for (const [component, c] of [...byComponent.entries()].sort(([a], [b]) => cmp(a, b))) {
    if (!c.elected) continue;
    for (const [instance, since] of c.leading) c.spans.push({ instance, startMs: since, endMs });
    if (c.gapSince !== undefined) c.gaps.push({ startMs: c.gapSince, endMs });
    // Split brain: overlapping leadership gets its own slot so both stay visible.
    const slotEnds: number[] = [];
    const spans = c.spans
      .sort((a, b) => a.startMs - b.startMs)
      .map((s) => {
        let slot = slotEnds.findIndex((end) => end <= s.startMs);
        if (slot < 0) slot = slotEnds.length;
        slotEnds[slot] = s.endMs;
        return { ...s, slot };
      });
    lanes.push({
      component,
      instances: [...c.instances].sort(naturalCompare),
      spans,
      gaps: c.gaps,
      slots: Math.max(1, slotEnds.length),
    });
  }
  return lanes;
}

// ---------------------------------------------------------------------------------------------
// Drawing.

// d3's selection types need the DOM lib, which this Node project does not load; one loose alias
// keeps the drawing code readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sel = any;
type Scale = (ms: number) => number;

function defs(svg: Sel): void {
  const d = svg.append('defs');
  const hatch = (id: string, color: string, bg: string | null, width = 1.5) => {
    const p = d
      .append('pattern')
      .attr('id', id)
      .attr('patternUnits', 'userSpaceOnUse')
      .attr('width', 6)
      .attr('height', 6)
      .attr('patternTransform', 'rotate(45)');
    if (bg) p.append('rect').attr('width', 6).attr('height', 6).attr('fill', bg);
    p.append('line')
      .attr('x1', 0)
      .attr('y1', 0)
      .attr('x2', 0)
      .attr('y2', 6)
      .attr('stroke', color)
      .attr('stroke-width', width);
  };
  hatch('hasim-off', COLORS.poweredOff, null, 1.6);
  hatch('hasim-leaderless', COLORS.fail, '#fde2e1', 2);
}

function legend(svg: Sel, x0: number, y0: number): void {
  const items: { label: string; draw: (g: Sel) => void }[] = [
    { label: 'Ready', draw: (g) => g.append('rect').attr('width', 14).attr('height', 10).attr('fill', COLORS.ready) },
    {
      label: 'Unknown',
      draw: (g) => g.append('rect').attr('width', 14).attr('height', 10).attr('fill', COLORS.unknown),
    },
    {
      label: 'NotReady',
      draw: (g) => g.append('rect').attr('width', 14).attr('height', 10).attr('fill', COLORS.notReady),
    },
    {
      label: 'no Node object',
      draw: (g) => g.append('rect').attr('width', 14).attr('height', 10).attr('fill', COLORS.none),
    },
    {
      label: 'host powered off',
      draw: (g) =>
        g
          .append('rect')
          .attr('width', 14)
          .attr('height', 10)
          .attr('fill', 'url(#hasim-off)')
          .attr('stroke', COLORS.poweredOff)
          .attr('stroke-width', 0.5),
    },
    {
      label: 'NoExecute taint',
      draw: (g) => g.append('rect').attr('y', 7).attr('width', 14).attr('height', 3).attr('fill', COLORS.noExecute),
    },
    {
      label: 'NoSchedule taint',
      draw: (g) => g.append('rect').attr('y', 7).attr('width', 14).attr('height', 3).attr('fill', COLORS.noSchedule),
    },
    {
      label: 'fault',
      draw: (g) =>
        g.append('rect').attr('width', 14).attr('height', 10).attr('fill', COLORS.fault).attr('fill-opacity', 0.25),
    },
    {
      label: 'no leader',
      draw: (g) => g.append('rect').attr('width', 14).attr('height', 10).attr('fill', 'url(#hasim-leaderless)'),
    },
    {
      label: 'running pods',
      draw: (g) =>
        g
          .append('line')
          .attr('x1', 0)
          .attr('x2', 14)
          .attr('y1', 5)
          .attr('y2', 5)
          .attr('stroke', COLORS.running)
          .attr('stroke-width', 1.6)
          .attr('stroke-dasharray', '1 2'),
    },
    {
      label: 'milestone',
      draw: (g) => g.append('circle').attr('cx', 7).attr('cy', 5).attr('r', 2.5).attr('fill', COLORS.text),
    },
  ];
  let x = x0;
  for (const it of items) {
    const g = svg.append('g').attr('transform', `translate(${x},${y0 - 9})`);
    it.draw(g);
    g.append('text').attr('x', 19).attr('y', 9).attr('fill', COLORS.muted).text(it.label);
    x += 19 + it.label.length * CHAR_W + 16;
  }
}

function sectionTitle(svg: Sel, y: number, text: string): void {
  svg
    .append('text')
    .attr('x', 16)
    .attr('y', y)
    .attr('font-size', 13)
    .attr('font-weight', 600)
    .attr('fill', COLORS.text)
    .text(text);
}

function timeTicks(endMs: number): number[] {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400].map((s) => s * 1000);
  const step = steps.find((s) => endMs / s <= 12) ?? steps[steps.length - 1];
  const out: number[] = [];
  for (let t = 0; t <= endMs; t += step) out.push(t);
  return out;
}

function axis(svg: Sel, ticks: number[], x: Scale, y: number, side: 'top' | 'bottom'): void {
  // report.html's zoom replaces the ticks of the class with finer ones, at data-y.
  const g = svg
    .append('g')
    .attr('fill', COLORS.muted)
    .attr('class', 'axis-ticks')
    .attr('data-y', y)
    .attr('data-side', side);
  g.append('line')
    .attr('x1', PLOT_LEFT)
    .attr('x2', PLOT_RIGHT)
    .attr('y1', y)
    .attr('y2', y)
    .attr('stroke', '#9aa5b1')
    .attr('data-fixed', 1);
  for (const t of ticks) {
    g.append('line')
      .attr('x1', x(t))
      .attr('x2', x(t))
      .attr('y1', y)
      .attr('y2', side === 'top' ? y - 4 : y + 4)
      .attr('stroke', '#9aa5b1');
    g.append('text')
      .attr('x', x(t))
      .attr('y', side === 'top' ? y - 7 : y + 15)
      .attr('text-anchor', 'middle')
      .text(formatClockShort(t));
  }
}

function statusColor(s: Status): string {
  return s === 'True' ? COLORS.ready : s === 'Unknown' ? COLORS.unknown : s === 'False' ? COLORS.notReady : COLORS.none;
}

function nodeLane(svg: Sel, x: Scale, n: NodeInfo, top: number, rowH: number): void {
  const g = svg.append('g');
  // The status bar on top, then one thin strip per taint effect, so both stay visible at once.
  const h = rowH - 8;
  g.append('text')
    .attr('x', PLOT_LEFT - 8)
    .attr('y', top + h - 1)
    .attr('text-anchor', 'end')
    .attr('fill', COLORS.text)
    .text(n.name);
  const span = (sp: Span) =>
    `${formatClock(sp.startMs)}–${formatClock(sp.endMs)} (${formatDuration(sp.endMs - sp.startMs)})`;
  const word: Record<Status, string> = { True: 'Ready', False: 'NotReady', Unknown: 'Unknown', None: 'no Node object' };
  for (const s of n.status) {
    g.append('rect')
      .attr('x', x(s.startMs))
      .attr('y', top)
      .attr('width', Math.max(0.5, x(s.endMs) - x(s.startMs)))
      .attr('height', h)
      .attr('fill', statusColor(s.status))
      .append('title')
      .text(`${n.name}: ${word[s.status]} ${span(s)}`);
  }
  for (const s of n.off) {
    g.append('rect')
      .attr('x', x(s.startMs))
      .attr('y', top)
      .attr('width', Math.max(0.5, x(s.endMs) - x(s.startMs)))
      .attr('height', h)
      .attr('fill', 'url(#hasim-off)')
      .append('title')
      .text(`${n.name}: host powered off ${span(s)}`);
  }
  for (const [spans, color, dy] of [
    [n.noSchedule, COLORS.noSchedule, 1],
    [n.noExecute, COLORS.noExecute, 3.5],
  ] as const) {
    for (const s of spans) {
      g.append('rect')
        .attr('x', x(s.startMs))
        .attr('y', top + h + dy)
        .attr('width', Math.max(1.5, x(s.endMs) - x(s.startMs)))
        .attr('height', 2.5)
        .attr('fill', color)
        .append('title')
        .text(`${n.name}: ${color === COLORS.noExecute ? 'NoExecute' : 'NoSchedule'} taint ${span(s)}`);
    }
  }
}

/** Many nodes: per zone, a stacked step chart of how many nodes are in each state. */
type ZoneCounts = { True: number; Unknown: number; False: number; None: number; off: number; noExecute: number };

/** How the counts of a zone's nodes per status, power and NoExecute taint change, by time. */
function zoneDeltas(nodes: readonly NodeInfo[]): Array<[number, ZoneCounts]> {
  const deltas = new Map<number, ZoneCounts>();
  const at = (t: number) => {
    let d = deltas.get(t);
    if (!d) deltas.set(t, (d = { True: 0, Unknown: 0, False: 0, None: 0, off: 0, noExecute: 0 }));
    return d;
  };
  for (const n of nodes) {
    for (const s of n.status) {
      at(s.startMs)[s.status]++;
      at(s.endMs)[s.status]--;
    }
    for (const s of n.off) {
      at(s.startMs).off++;
      at(s.endMs).off--;
    }
    for (const s of n.noExecute) {
      at(s.startMs).noExecute++;
      at(s.endMs).noExecute--;
    }
  }
  return [...deltas.entries()].sort((a, b) => a[0] - b[0]);
}

type ZonePart = 'False' | 'Unknown' | 'True' | 'off' | 'noExecute';

/**
 * The zone row's shapes, one list of rectangles per colour (one path each: thousands of rect elements
 * made the timeline of a 5,000-node run slow to build and to draw), and the row's maxima.
 */
function zoneShapes(x: Scale, total: number, top: number, endMs: number, steps: Array<[number, ZoneCounts]>) {
  const h = ZONE_ROW;
  const yOf = (count: number) => (count / total) * h;
  const cur: ZoneCounts = { True: 0, Unknown: 0, False: 0, None: 0, off: 0, noExecute: 0 };
  const max = { unhealthy: 0, off: 0, tainted: 0 };
  const parts: Record<ZonePart, Box[]> = { False: [], Unknown: [], True: [], off: [], noExecute: [] };
  const flush = (t0: number, t1: number) => {
    if (t1 <= t0) return;
    const x0 = x(t0);
    const w = Math.max(0.5, x(t1) - x0);
    // Unhealthy at the bottom (what the eye looks for), healthy above.
    let base = top + h;
    for (const k of ['False', 'Unknown', 'True'] as const) {
      const hh = yOf(cur[k]);
      if (hh > 0) parts[k].push({ x: x0, y: base - hh, w, h: hh });
      base -= hh;
    }
    if (cur.off > 0) parts.off.push({ x: x0, y: top + h - yOf(cur.off), w, h: yOf(cur.off) });
    if (cur.noExecute > 0) parts.noExecute.push({ x: x0, y: top + h + 1, w, h: 4 });
    max.unhealthy = Math.max(max.unhealthy, cur.Unknown + cur.False);
    max.off = Math.max(max.off, cur.off);
    max.tainted = Math.max(max.tainted, cur.noExecute);
  };
  let prev = 0;
  for (const [t, d] of steps) {
    flush(prev, Math.min(t, endMs));
    for (const k of ['True', 'Unknown', 'False', 'None', 'off', 'noExecute'] as const) cur[k] += d[k];
    prev = t;
  }
  flush(prev, endMs);
  return { parts, max };
}

function zoneRow(svg: Sel, x: Scale, nodes: NodeInfo[], top: number, endMs: number): void {
  const g = svg.append('g');
  const total = nodes.length;
  const h = ZONE_ROW;
  g.append('rect')
    .attr('x', PLOT_LEFT)
    .attr('y', top)
    .attr('width', PLOT_RIGHT - PLOT_LEFT)
    .attr('height', h)
    .attr('fill', COLORS.none);
  const { parts, max } = zoneShapes(x, total, top, endMs, zoneDeltas(nodes));
  const zone = nodes[0]?.zone ?? '';
  const fills = [
    ['False', COLORS.notReady, `${zone}: NotReady nodes (at most ${max.unhealthy} not Ready)`],
    ['Unknown', COLORS.unknown, `${zone}: Unknown nodes (at most ${max.unhealthy} not Ready)`],
    ['True', COLORS.ready, `${zone}: Ready nodes`],
    ['off', 'url(#hasim-off)', `${zone}: powered-off hosts (at most ${max.off})`],
    ['noExecute', COLORS.noExecute, `${zone}: nodes tainted NoExecute (at most ${max.tainted} at once)`],
  ] as const;
  for (const [k, fill, tip] of fills)
    if (parts[k].length)
      g.append('path')
        .attr('d', boxesPath(parts[k]))
        .attr('fill', fill)
        .attr('fill-opacity', k === 'noExecute' ? 0.7 : 1)
        .append('title')
        .text(tip);
  g.append('rect')
    .attr('x', PLOT_LEFT)
    .attr('y', top)
    .attr('width', PLOT_RIGHT - PLOT_LEFT)
    .attr('height', h)
    .attr('fill', 'none')
    .attr('stroke', '#cbd2d9');
  const lines = [`${total} nodes`, `max ${max.unhealthy} not Ready`];
  if (max.off) lines.push(`max ${max.off} powered off`);
  lines.forEach((l, i) =>
    g
      .append('text')
      .attr('x', PLOT_LEFT - 8)
      .attr('y', top + 11 + i * 12)
      .attr('text-anchor', 'end')
      .attr('fill', i === 1 && max.unhealthy ? COLORS.notReady : COLORS.muted)
      .text(l),
  );
}

/** What the parts of one workload's chart share: its group, axes and compressed series. */
interface WorkloadPlot {
  g: Sel;
  x: Scale;
  y: (v: number) => number;
  top: number;
  endMs: number;
  s: ReadySeries;
  /** The Ready series, compressed to the drawing's resolution. */
  pts: ReadySeries['points'];
  /** The same, as segments with their end. */
  seg: Array<ReadySeries['points'][number] & { endMs: number }>;
}

function workloadChart(
  svg: Sel,
  x: Scale,
  s: ReadySeries,
  running: RunningPoint[],
  top: number,
  endMs: number,
  summary: RunSummary,
): void {
  const pts = compressSteps(s.points, endMs, (p) => p.ready);
  running = compressSteps(running, endMs, (p) => -p.running);
  let maxY = 1;
  for (const p of pts) maxY = Math.max(maxY, p.ready, p.desired);
  for (const p of running) maxY = Math.max(maxY, p.running);
  const y = (v: number) => top + WORKLOAD_H - (v / maxY) * WORKLOAD_H;
  const seg = pts
    .map((p, i) => ({ ...p, endMs: i + 1 < pts.length ? pts[i + 1].atMs : endMs }))
    .filter((p) => p.endMs > p.atMs);
  const plot: WorkloadPlot = { g: svg.append('g'), x, y, top, endMs, s, pts, seg };
  workloadFrame(plot, maxY);
  workloadReadyArea(plot);
  workloadLines(plot);
  workloadRunningCopies(plot, running);
  workloadCaption(plot, summary);
  workloadSloMarks(plot, summary);
}

/** The workload's name, the plot's frame and its y axis. */
function workloadFrame({ g, y, top, s }: WorkloadPlot, maxY: number): void {
  g.append('text')
    .attr('x', 16)
    .attr('y', top - 4)
    .attr('font-weight', 600)
    .attr('fill', COLORS.text)
    .text(s.workload);
  g.append('rect')
    .attr('x', PLOT_LEFT)
    .attr('y', top)
    .attr('width', PLOT_RIGHT - PLOT_LEFT)
    .attr('height', WORKLOAD_H)
    .attr('fill', 'none')
    .attr('stroke', '#cbd2d9');
  for (const v of yTicks(maxY)) {
    g.append('line')
      .attr('x1', PLOT_LEFT - 3)
      .attr('x2', PLOT_LEFT)
      .attr('y1', y(v))
      .attr('y2', y(v))
      .attr('stroke', '#9aa5b1');
    g.append('text')
      .attr('x', PLOT_LEFT - 6)
      .attr('y', y(v) + 4)
      .attr('text-anchor', 'end')
      .attr('fill', COLORS.muted)
      .text(String(v));
  }
}

/** The Ready area as one path; each drop below desired as one shape with its own hover details. */
function workloadReadyArea({ g, x, y, top, s, seg }: WorkloadPlot): void {
  const readyBoxes: Box[] = [];
  const drops: { boxes: Box[]; fromMs: number; toMs: number; lowest: number; desired: number }[] = [];
  let open: (typeof drops)[number] | undefined;
  for (const p of seg) {
    const x0 = x(p.atMs);
    const w = Math.max(0.5, x(p.endMs) - x0);
    readyBoxes.push({ x: x0, y: y(p.ready), w, h: top + WORKLOAD_H - y(p.ready) });
    if (p.ready < p.desired && (s.firstFullMs === null || p.atMs >= s.firstFullMs)) {
      if (!open) drops.push((open = { boxes: [], fromMs: p.atMs, toMs: p.endMs, lowest: p.ready, desired: p.desired }));
      open.boxes.push({ x: x0, y: y(p.desired), w, h: y(p.ready) - y(p.desired) });
      open.toMs = p.endMs;
      open.lowest = Math.min(open.lowest, p.ready);
      open.desired = p.desired;
    } else open = undefined;
  }
  if (readyBoxes.length) g.append('path').attr('d', boxesPath(readyBoxes)).attr('fill', COLORS.readyFill);
  for (const d of drops)
    g.append('path')
      .attr('d', boxesPath(d.boxes))
      .attr('fill', COLORS.deficit)
      .append('title')
      .text(
        `${s.workload}: below desired ${formatClock(d.fromMs)}–${formatClock(d.toMs)} (${formatDuration(d.toMs - d.fromMs)}), lowest ${d.lowest}/${d.desired} Ready`,
      );
}

/** The desired count (dashed) and the Ready count as step lines. */
function workloadLines({ g, x, y, seg }: WorkloadPlot): void {
  if (!seg.length) return;
  const step = (value: (p: (typeof seg)[number]) => number) =>
    seg
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.atMs).toFixed(1)},${y(value(p)).toFixed(1)}H${x(p.endMs).toFixed(1)}`)
      .join('');
  g.append('path')
    .attr(
      'd',
      step((p) => p.desired),
    )
    .attr('fill', 'none')
    .attr('stroke', COLORS.desired)
    .attr('stroke-width', 1.2)
    .attr('stroke-dasharray', '5 3');
  g.append('path')
    .attr(
      'd',
      step((p) => p.ready),
    )
    .attr('fill', 'none')
    .attr('stroke', COLORS.readyLine)
    .attr('stroke-width', 1.8);
}

/**
 * Pods whose containers run, whatever the API server says: above desired, copies run twice. The worst
 * excess over desired is said in the caption column, where it cannot collide with SLO notes.
 */
function workloadRunningCopies({ g, x, y, top, endMs, pts }: WorkloadPlot, running: RunningPoint[]): void {
  if (!running.length) return;
  const d = running
    .map(
      (p, i) =>
        `${i === 0 ? 'M' : 'L'}${x(p.atMs).toFixed(1)},${y(p.running).toFixed(1)}H${x(i + 1 < running.length ? running[i + 1].atMs : endMs).toFixed(1)}`,
    )
    .join('');
  g.append('path')
    .attr('d', d)
    .attr('fill', 'none')
    .attr('stroke', COLORS.running)
    .attr('stroke-width', 1.4)
    .attr('stroke-dasharray', '1 2');
  let peak: RunningPoint | undefined;
  let excess = 0;
  for (const p of running) {
    const desired = pointAt(pts, p.atMs)?.desired ?? 0;
    if (desired > 0 && p.running - desired > excess) [peak, excess] = [p, p.running - desired];
  }
  if (!peak) return;
  g.append('text')
    .attr('x', 16)
    .attr('y', top + 38)
    .attr('fill', COLORS.running)
    .attr('font-weight', 600)
    .text(`${peak.running} running: ${excess} old cop${excess === 1 ? 'y' : 'ies'}`)
    .append('title')
    .text(
      `${peak.running} pods running at ${formatClockShort(peak.atMs)}, ${excess} more than desired: the old ones (behind a partition, or on a node the control plane gave up on) still run next to their replacements.`,
    );
}

/** Desired, lowest and recovery time in the caption column. */
function workloadCaption({ g, top, s }: WorkloadPlot, summary: RunSummary): void {
  const ws = summary.workloads.find((w) => w.workload === s.workload);
  if (!ws) return;
  g.append('text')
    .attr('x', 16)
    .attr('y', top + 12)
    .attr('fill', COLORS.muted)
    .text(
      ws.fullAtMs === null ? `desired ${ws.desired}, never all Ready` : `desired ${ws.desired}, lowest ${ws.minReady}`,
    );
  if (ws.recoveredAtMs !== null)
    g.append('text')
      .attr('x', 16)
      .attr('y', top + 25)
      .attr('fill', COLORS.muted)
      .text(`recovered ${formatClockShort(ws.recoveredAtMs)}`);
}

/** SLO bounds of this workload: where a recovery bound falls, a min-available level, and where the SLO broke. */
function workloadSloMarks(plot: WorkloadPlot, summary: RunSummary): void {
  const { g, x, top, endMs, s } = plot;
  let note = 0;
  for (const r of slosOf(summary, s.workload)) {
    const fault = faultOf(summary, r);
    if (r.type === 'recovery-time' && fault && r.boundMs !== undefined) {
      recoveryBoundMark(plot, r, fault.startMs + r.boundMs, note);
      note++;
    } else if (r.type === 'min-available' && r.bound !== undefined) minAvailableLevel(plot, r, r.bound);
    if (!r.passed && r.violatedAtMs !== undefined) {
      const vx = x(Math.min(endMs, r.violatedAtMs));
      g.append('path')
        .attr('d', `M${vx - 5},${top - 7}L${vx + 5},${top - 7}L${vx},${top}Z`)
        .attr('fill', COLORS.fail)
        // A marker: report.html's zoom moves it along the axis without widening it.
        .attr('data-shift', 1)
        .append('title')
        .text(`✘ ${r.name}: broken at ${formatClock(r.violatedAtMs)}`);
    }
  }
}

/** A recovery-time SLO's deadline as a vertical line, labelled in the note row `note`. */
function recoveryBoundMark({ g, x, top, endMs }: WorkloadPlot, r: SloResult, deadlineMs: number, note: number): void {
  const color = r.passed ? COLORS.pass : COLORS.fail;
  const bx = x(Math.min(endMs, deadlineMs));
  g.append('line')
    .attr('x1', bx)
    .attr('x2', bx)
    .attr('y1', top - 2)
    .attr('y2', top + WORKLOAD_H)
    .attr('stroke', color)
    .attr('stroke-width', 1.5);
  const label = `${r.passed ? '✔' : '✘'} ${r.name}: bound ${formatDuration(r.boundMs ?? 0)}`;
  const anchorEnd = bx + label.length * CHAR_W > PLOT_RIGHT;
  g.append('text')
    .attr('x', anchorEnd ? bx - 4 : bx + 4)
    .attr('y', top + 11 + note * 12)
    .attr('text-anchor', anchorEnd ? 'end' : 'start')
    .attr('fill', color)
    .attr('font-weight', 600)
    .text(label);
}

/** A min-available SLO's level as a horizontal dashed line across the plot. */
function minAvailableLevel({ g, y, pts }: WorkloadPlot, r: SloResult, bound: number): void {
  const color = r.passed ? COLORS.pass : COLORS.fail;
  const last = pts[pts.length - 1];
  const percent = isPercent(r);
  const level = percent && last ? (bound * last.desired) / 100 : bound;
  g.append('line')
    .attr('x1', PLOT_LEFT)
    .attr('x2', PLOT_RIGHT)
    .attr('y1', y(level))
    .attr('y2', y(level))
    .attr('stroke', color)
    .attr('stroke-width', 1)
    .attr('stroke-dasharray', '2 2')
    .attr('data-fixed', 1);
  g.append('text')
    .attr('data-fixed', 1)
    .attr('x', PLOT_RIGHT - 4)
    .attr('y', y(level) - 3)
    .attr('text-anchor', 'end')
    .attr('fill', color)
    .text(`${r.passed ? '✔' : '✘'} ${r.name}: min ${bound}${percent ? '%' : ''}`);
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Rectangles as one path of absolute commands (M, H, V, Z: what report.html's zoom rewrites). */
function boxesPath(boxes: readonly Box[]): string {
  let d = '';
  for (const b of boxes)
    d += `M${b.x.toFixed(1)},${b.y.toFixed(1)}H${(b.x + b.w).toFixed(1)}V${(b.y + b.h).toFixed(1)}H${b.x.toFixed(1)}Z`;
  return d;
}

/** Above this many steps a chart is thinned to what its width can show. */
const STEPS_MAX = 3000;
const STEP_BUCKETS = 1000;

/**
 * A step function with more steps than pixels, thinned: per 1/1000 of the run, its first step, its
 * lowest one (by `key`: a dip must stay visible) and its last one. A 300-Deployment run sums to more
 * than 100,000 steps; the chart shows the same shape from 3,000 at most.
 */
function compressSteps<T extends { atMs: number }>(points: readonly T[], endMs: number, key: (p: T) => number): T[] {
  if (points.length <= STEPS_MAX) return points as T[];
  const out: T[] = [];
  const bucketMs = Math.max(1, endMs / STEP_BUCKETS);
  let i = 0;
  while (i < points.length) {
    const bucket = Math.floor(points[i].atMs / bucketMs);
    let j = i;
    let low = i;
    while (j + 1 < points.length && Math.floor(points[j + 1].atMs / bucketMs) === bucket) {
      j++;
      if (key(points[j]) < key(points[low])) low = j;
    }
    for (const k of [...new Set([i, low, j])].sort((a, b) => a - b)) out.push(points[k]);
    i = j + 1;
  }
  return out;
}

function yTicks(maxY: number): number[] {
  if (maxY <= 4) return Array.from({ length: maxY + 1 }, (_, i) => i);
  // Round steps (0, 10, 20, 30), plus the top when it is not one of them and not crowding the last.
  const raw = Math.ceil(maxY / 4);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= maxY; v += step) out.push(v);
  if (maxY - out[out.length - 1] >= step / 2) out.push(maxY);
  return out;
}

const WORKLOAD_SLOS: readonly string[] = ['recovery-time', 'min-available', 'unavailable-time', 'stuck-terminating'];

/**
 * SLO results about a workload. Summaries carry the workload; summaries saved before they did are
 * matched by their message, which names it.
 */
function slosOf(summary: RunSummary, workload: string): SloResult[] {
  return summary.slos.filter(
    (r) =>
      WORKLOAD_SLOS.includes(r.type) &&
      (r.workload !== undefined ? r.workload === workload : mentions(r.message, workload)),
  );
}

/** The fault an SLO is measured from: its `after`, or for old summaries the longest fault name its message mentions. */
function faultOf(summary: RunSummary, r: SloResult) {
  if (r.after !== undefined) return summary.faults.find((f) => f.name === r.after);
  const named = summary.faults.filter((f) => mentions(r.message, f.name)).sort((a, b) => b.name.length - a.name.length);
  return named[0] ?? (summary.faults.length === 1 ? summary.faults[0] : undefined);
}

/** A min-available bound given as a percentage of desired (old summaries: the message says so). */
function isPercent(r: SloResult): boolean {
  return r.unit !== undefined ? r.unit === 'percent' : /% of desired/.test(r.message);
}

/** Whether `text` names `name` as a whole word (Deployment/web is not mentioned by Deployment/web-2). */
function mentions(text: string, name: string): boolean {
  let i = text.indexOf(name);
  while (i >= 0) {
    const after = text[i + name.length];
    const before = text[i - 1];
    if ((after === undefined || !/[\w/-]/.test(after)) && (before === undefined || !/[\w/-]/.test(before))) return true;
    i = text.indexOf(name, i + 1);
  }
  return false;
}

interface MemberLane {
  component: string;
  instance: string;
  down: Span[];
}

/**
 * kube-apiserver and etcd members, from their component.stopped/started events. The trace does not
 * announce members at start-up, so only those that stopped at some point get a lane.
 */
function collectMembers(events: readonly TraceEvent[], endMs: number): MemberLane[] {
  const lanes = new Map<string, MemberLane & { since?: number }>();
  for (const e of eventsOfTypes(events, 'component.stopped', 'component.started')) {
    if (e.component !== 'kube-apiserver' && e.component !== 'etcd') continue;
    let l = lanes.get(e.instance);
    if (!l) lanes.set(e.instance, (l = { component: e.component, instance: e.instance, down: [] }));
    if (e.type === 'component.stopped') l.since ??= e.atMs;
    else if (l.since !== undefined) {
      l.down.push({ startMs: l.since, endMs: e.atMs });
      l.since = undefined;
    }
  }
  const out: MemberLane[] = [];
  for (const l of lanes.values()) {
    if (l.since !== undefined) l.down.push({ startMs: l.since, endMs });
    if (l.down.length) out.push({ component: l.component, instance: l.instance, down: l.down });
  }
  return out.sort((a, b) => cmp(b.component, a.component) || naturalCompare(a.instance, b.instance));
}

function memberLane(svg: Sel, x: Scale, m: MemberLane, top: number): void {
  const g = svg.append('g');
  g.append('text')
    .attr('x', PLOT_LEFT - 8)
    .attr('y', top + 10)
    .attr('text-anchor', 'end')
    .attr('fill', COLORS.text)
    .text(m.instance);
  g.append('rect')
    .attr('x', PLOT_LEFT)
    .attr('y', top + 2)
    .attr('width', PLOT_RIGHT - PLOT_LEFT)
    .attr('height', MEMBER_ROW - 6)
    .attr('fill', COLORS.ready)
    .attr('fill-opacity', 0.35);
  for (const d of m.down) {
    const x0 = x(d.startMs);
    g.append('rect')
      .attr('x', x0)
      .attr('y', top + 2)
      .attr('width', Math.max(1.5, x(d.endMs) - x0))
      .attr('height', MEMBER_ROW - 6)
      .attr('fill', COLORS.poweredOff)
      .append('title')
      .text(
        `${m.instance} stopped ${formatClock(d.startMs)}–${formatClock(d.endMs)} (${formatDuration(d.endMs - d.startMs)})`,
      );
  }
}

function leaderLane(svg: Sel, x: Scale, l: LeaderLane, top: number): void {
  const g = svg.append('g');
  const color = (inst: string) => LEADER_PALETTE[Math.max(0, l.instances.indexOf(inst)) % LEADER_PALETTE.length];
  g.append('text')
    .attr('x', PLOT_LEFT - 8)
    .attr('y', top + 13)
    .attr('text-anchor', 'end')
    .attr('fill', COLORS.text)
    .attr('font-weight', 600)
    .text(l.component);
  const h = LEADER_ROW - 4;
  for (const s of l.spans) {
    const x0 = x(s.startMs);
    const w = Math.max(1, x(s.endMs) - x0);
    const sy = top + s.slot * LEADER_ROW;
    g.append('rect')
      .attr('x', x0)
      .attr('y', sy)
      .attr('width', w)
      .attr('height', h)
      .attr('rx', 2)
      .attr('fill', color(s.instance))
      .attr('fill-opacity', 0.85)
      .append('title')
      .text(`${s.instance} leads ${formatClock(s.startMs)}–${formatClock(s.endMs)}`);
    // The full instance name when it fits, else its host part (kube-controller-manager-control-plane-1 -> control-plane-1).
    const name = [
      s.instance,
      s.instance.startsWith(`${l.component}-`) ? s.instance.slice(l.component.length + 1) : '',
    ].find((n) => n && w > n.length * CHAR_W + 8);
    if (name)
      g.append('text')
        .attr('x', x0 + 4)
        .attr('y', sy + 12)
        .attr('fill', '#ffffff')
        .attr('font-weight', 600)
        .text(name);
  }
  for (const gap of l.gaps) {
    const x0 = x(gap.startMs);
    const w = Math.max(1.5, x(gap.endMs) - x0);
    const label = `no leader ${formatDuration(gap.endMs - gap.startMs)}`;
    g.append('rect')
      .attr('x', x0)
      .attr('y', top)
      .attr('width', w)
      .attr('height', h)
      .attr('fill', 'url(#hasim-leaderless)')
      .attr('stroke', COLORS.fail)
      .attr('stroke-width', 0.8)
      .append('title')
      .text(`${label} (${formatClock(gap.startMs)}–${formatClock(gap.endMs)})`);
    if (w > label.length * CHAR_W + 6)
      g.append('text')
        .attr('x', x0 + 3)
        .attr('y', top + 12)
        .attr('fill', COLORS.fail)
        .attr('font-weight', 600)
        .text(label);
  }
  if (l.slots > 1)
    g.append('text')
      .attr('x', PLOT_LEFT - 8)
      .attr('y', top + 26)
      .attr('text-anchor', 'end')
      .attr('fill', COLORS.fail)
      .text(`split brain: ${l.slots} leaders`);
}

/** Greedy label placement: each label goes in the first row where it does not overlap the previous one. */
/**
 * At most FOLD_WORKLOADS_ABOVE charts: every workload an SLO names, then those that lost the largest
 * share of their pods; the rest are summed into one chart ("292 other workloads"), so a run with 300
 * Deployments does not draw 300 charts.
 */
function foldWorkloads(series: ReadySeries[], summary: RunSummary): ReadySeries[] {
  if (series.length <= FOLD_WORKLOADS_ABOVE) return series;
  const named = new Set(summary.slos.map((s) => s.workload).filter((w): w is string => w !== undefined));
  const worst = (s: ReadySeries): number => {
    let share = 1;
    for (const p of s.points)
      if (s.firstFullMs !== null && p.atMs >= s.firstFullMs && p.desired > 0)
        share = Math.min(share, p.ready / p.desired);
    return share;
  };
  const ranked = series
    .map((s, i) => ({ s, i, named: named.has(s.workload), worst: worst(s) }))
    .sort((a, b) => Number(b.named) - Number(a.named) || a.worst - b.worst || a.i - b.i);
  const keep = Math.max(FOLD_WORKLOADS_ABOVE - 1, ranked.filter((r) => r.named).length);
  const shown = ranked.slice(0, keep).sort((a, b) => a.i - b.i);
  const rest = ranked.slice(keep).map((r) => r.s);
  return [...shown.map((r) => r.s), sumSeries(rest, `${rest.length} other workloads (summed)`)];
}

/** The Ready and desired counts of several workloads added up, as one step function. */
function sumSeries(series: readonly ReadySeries[], name: string): ReadySeries {
  const all = series
    .flatMap((s, k) => s.points.map((p) => ({ p, k })))
    .sort((a, b) => a.p.atMs - b.p.atMs || a.k - b.k);
  const ready = new Array<number>(series.length).fill(0);
  const desired = new Array<number>(series.length).fill(0);
  let readySum = 0;
  let desiredSum = 0;
  const points: ReadySeries['points'] = [];
  for (const { p, k } of all) {
    readySum += p.ready - ready[k];
    desiredSum += p.desired - desired[k];
    ready[k] = p.ready;
    desired[k] = p.desired;
    const point = { atMs: p.atMs, ready: readySum, desired: desiredSum, cause: p.cause };
    const last = points[points.length - 1];
    if (last && last.atMs === p.atMs) points[points.length - 1] = point;
    else points.push(point);
  }
  const full = points.find((p) => p.desired > 0 && p.ready >= p.desired);
  return { workload: name, points, firstFullMs: full ? full.atMs : null };
}

/** Marks of one fault closer than this on the page share one label. */
const MERGE_MARKS_PX = 14;

/**
 * One label per cluster of marks: a fault's reactions a few pixels apart read "crash-a0: detected,
 * tainted"; workloads that recovered together from one fault read "Deployment/web, Deployment/api
 * recovered (zone-c-power)".
 */
function mergeMarks(marks: readonly FaultMilestone[], x: Scale): FaultMilestone[] {
  const groups: { m: FaultMilestone; parts: string[]; px: number }[] = [];
  const lastOf = new Map<string, (typeof groups)[number]>();
  for (const m of marks) {
    const key = `${m.fault}|${m.kind === 'recovered'}`;
    const part = m.kind === 'recovered' ? m.label.replace(/ recovered \(.*\)$/, '') : m.kind;
    const g = lastOf.get(key);
    if (g && x(m.atMs) - g.px <= MERGE_MARKS_PX) {
      // A workload that recovered twice within a few pixels is named once.
      if (!g.parts.includes(part)) g.parts.push(part);
      continue;
    }
    const ng = { m, parts: [part], px: x(m.atMs) };
    groups.push(ng);
    lastOf.set(key, ng);
  }
  return groups.map(({ m, parts }) => {
    if (m.kind !== 'recovered') return { ...m, label: `${m.fault}: ${parts.join(', ')}` };
    const who = parts.length <= 2 ? parts.join(', ') : `${parts.length} workloads`;
    return { ...m, label: `${who} recovered (${m.fault})` };
  });
}

function placeLabels(items: { x: number; text: string }[], maxX: number): { x: number; row: number }[] {
  const rowEnds: number[] = [];
  const order = items.map((it, i) => ({ ...it, i })).sort((a, b) => a.x - b.x);
  const out: { x: number; row: number }[] = new Array(items.length);
  for (const it of order) {
    const w = it.text.length * CHAR_W + 10;
    // Near the right edge a label goes to the left of its mark rather than over it.
    const lx = it.x + w > maxX ? Math.max(0, it.x - w) : it.x;
    let row = rowEnds.findIndex((end) => end < lx);
    if (row < 0) row = rowEnds.length;
    rowEnds[row] = lx + w;
    out[it.i] = { x: lx, row };
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// The timeline's PodDisruptionBudget lanes: per PDB, how many disruptions it allowed over time (from
// `pdb.status.changed`), red where it allowed none, with a tick for every eviction it refused
// (`pod.eviction.refused`). Only PDBs that refused an eviction or went to zero after first allowing
// one are drawn (at most MAX_LANES, those that refused most first), so a cluster with hundreds of
// budgets gets the few that mattered.
import type { TraceEvent } from '../trace/events.js';
import { formatClock } from './format.js';
import { eventsOfTypes } from '../trace/by-type.js';

export const PDB_ROW = 22;
const MAX_LANES = 8;
const ALLOWED = '#3a9d5d';
const BLOCKED = '#d64541';
const TEXT = '#1f2933';
const CHAR_W = 6.2;

export interface PdbLane {
  pdb: string;
  workload: string;
  spans: { startMs: number; endMs: number; allowed: number }[];
  refusals: number[];
}

export function collectPdbLanes(events: readonly TraceEvent[], endMs: number): PdbLane[] {
  const lanes = new Map<string, PdbLane & { everAllowed: boolean; blockedAfter: boolean }>();
  for (const e of eventsOfTypes(events, 'pdb.status.changed', 'pod.eviction.refused')) {
    if (e.type === 'pdb.status.changed') {
      let l = lanes.get(e.pdb);
      if (!l)
        lanes.set(
          e.pdb,
          (l = { pdb: e.pdb, workload: e.workload, spans: [], refusals: [], everAllowed: false, blockedAfter: false }),
        );
      const last = l.spans.at(-1);
      if (last && last.allowed === e.disruptionsAllowed) continue;
      if (last) last.endMs = e.atMs;
      l.spans.push({ startMs: e.atMs, endMs, allowed: e.disruptionsAllowed });
      if (e.disruptionsAllowed > 0) l.everAllowed = true;
      else if (l.everAllowed) l.blockedAfter = true;
    } else if (e.type === 'pod.eviction.refused') lanes.get(e.pdb)?.refusals.push(e.atMs);
  }
  return [...lanes.values()]
    .filter((l) => l.refusals.length > 0 || l.blockedAfter)
    .sort((a, b) => b.refusals.length - a.refusals.length || (a.pdb < b.pdb ? -1 : a.pdb > b.pdb ? 1 : 0))
    .slice(0, MAX_LANES)
    .map(({ pdb, workload, spans, refusals }) => ({ pdb, workload, spans, refusals }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- d3-node selections are untyped
export function pdbLane(svg: any, x: (ms: number) => number, l: PdbLane, top: number, plotLeft: number): void {
  const g = svg.append('g');
  g.append('text')
    .attr('x', plotLeft - 8)
    .attr('y', top + 13)
    .attr('text-anchor', 'end')
    .attr('fill', TEXT)
    .attr('font-weight', 600)
    .text(`PDB ${l.pdb}`)
    .append('title')
    .text(`PodDisruptionBudget ${l.pdb} (${l.workload})`);
  const h = PDB_ROW - 6;
  for (const s of l.spans) {
    const x0 = x(s.startMs);
    const w = Math.max(1, x(s.endMs) - x0);
    const label = s.allowed === 0 ? 'no disruption allowed' : `${s.allowed} allowed`;
    g.append('rect')
      .attr('x', x0)
      .attr('y', top)
      .attr('width', w)
      .attr('height', h)
      .attr('fill', s.allowed === 0 ? BLOCKED : ALLOWED)
      .attr('fill-opacity', s.allowed === 0 ? 0.35 : 0.55)
      .append('title')
      .text(`${l.pdb}: disruptionsAllowed ${s.allowed}, ${formatClock(s.startMs)}–${formatClock(s.endMs)}`);
    if (w > label.length * CHAR_W + 6)
      g.append('text')
        .attr('x', x0 + 3)
        .attr('y', top + 12)
        .attr('fill', TEXT)
        .text(label);
  }
  for (const atMs of l.refusals)
    g.append('line')
      .attr('x1', x(atMs))
      .attr('x2', x(atMs))
      .attr('y1', top + h - 5)
      .attr('y2', top + h + 3)
      .attr('stroke', BLOCKED)
      .attr('stroke-width', 1.2)
      .append('title')
      .text(`${formatClock(atMs)} eviction refused (429) by ${l.pdb}`);
}

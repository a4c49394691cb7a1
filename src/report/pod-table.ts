// The per-pod table of report.html: each pod touched by a fault (or not Ready at the end), its
// workload, node and state at the end of the run, and its life as a line of timed events. Capped, so
// that a run with 150,000 pods still gives a small page.
import type { TraceEvent } from '../trace/events.js';
import { escapeXml as esc, formatClock } from './format.js';

/** Rows at most; the table says how many pods it leaves out. */
export const POD_ROWS_MAX = 500;

interface PodLife {
  pod: string;
  workload: string;
  node?: string;
  life: string[];
  state: string;
  touchedMs: number;
}

function lifeOf(events: readonly TraceEvent[]): { pods: PodLife[]; firstFaultMs: number } {
  const pods = new Map<string, PodLife>();
  let firstFaultMs = Infinity;
  for (const e of events) {
    if (e.type === 'fault.started') firstFaultMs = Math.min(firstFaultMs, e.atMs);
    if (!('pod' in e)) continue;
    let p = pods.get(e.pod);
    if (e.type === 'pod.created') {
      // A StatefulSet reuses names: the new object's life continues on the same row.
      if (!p) pods.set(e.pod, (p = { pod: e.pod, workload: e.workload, life: [], state: 'Pending', touchedMs: -1 }));
      else p.state = 'Pending';
    }
    if (!p) continue;
    const at = formatClock(e.atMs);
    switch (e.type) {
      case 'pod.created':
        p.life.push(`${at} created`);
        break;
      case 'pod.unschedulable':
        p.life.push(`${at} unschedulable: ${e.reason}`);
        break;
      case 'pod.scheduled':
        p.node = e.node;
        p.state = 'ContainerCreating';
        p.life.push(`${at} scheduled to ${e.node}`);
        break;
      case 'pod.started':
        p.state = 'Running';
        p.life.push(`${at} started`);
        break;
      case 'pod.stopped':
        p.state = 'Stopped';
        p.life.push(`${at} stopped (${e.reason})`);
        break;
      case 'pod.ready.changed':
        if (p.state === 'Running' || p.state === 'Running, Ready') p.state = e.ready ? 'Running, Ready' : 'Running';
        p.life.push(`${at} ${e.ready ? 'Ready' : 'not Ready'} (${e.by})`);
        break;
      case 'pod.deleted':
        p.state = 'Terminating';
        p.life.push(`${at} deleted (${e.reason})`);
        break;
      case 'pod.removed':
        p.state = 'gone';
        p.life.push(`${at} removed`);
        break;
    }
    if (e.atMs >= firstFaultMs && p.touchedMs < 0) p.touchedMs = e.atMs;
  }
  return { pods: [...pods.values()], firstFaultMs };
}

/** The table (with its filter box, which only shows when JavaScript runs), or '' when there are no pods. */
export function podTableHtml(events: readonly TraceEvent[]): string {
  const { pods } = lifeOf(events);
  if (pods.length === 0) return '';
  // Pods the faults touched, and pods not Ready at the end, first; then in order of the first touch.
  const relevant = pods.filter((p) => p.touchedMs >= 0 || p.state !== 'Running, Ready');
  const shown = relevant.slice(0, POD_ROWS_MAX);
  const left = pods.length - shown.length;
  const rows = shown
    .map(
      (p) =>
        `<tr><td>${esc(p.pod)}</td><td>${esc(p.workload)}</td><td>${esc(p.node ?? '—')}</td><td>${esc(p.state)}</td><td class="life">${esc(p.life.join(' · '))}</td></tr>`,
    )
    .join('\n');
  const note =
    shown.length === 0
      ? 'No pod was touched by a fault, and every pod was Ready at the end.'
      : left > 0
        ? `${shown.length} of ${pods.length} pods: those a fault touched or that were not Ready at the end${relevant.length > shown.length ? ` (the first ${POD_ROWS_MAX})` : ''}; the others ran Ready throughout.`
        : `All ${pods.length} pods.`;
  return `<h2 id="pods">Pods</h2>
<p class="small">${esc(note)}</p>
<div class="podfilter"><input type="search" placeholder="filter: workload, node, state, event (all words must match)" aria-label="filter pods"> <span class="count small"></span></div>
<table class="pods">
<thead><tr><th>pod</th><th>workload</th><th>node</th><th>at the end</th><th>life</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

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
}

/** What a pod is after an event (undefined: the event does not change it). */
function stateAfter(e: TraceEvent, before: string): string | undefined {
  switch (e.type) {
    case 'pod.created':
      return 'Pending';
    case 'pod.scheduled':
      return 'ContainerCreating';
    case 'pod.started':
      return 'Running';
    case 'pod.stopped':
      return 'Stopped';
    case 'pod.ready.changed':
      return before === 'Running' || before === 'Running, Ready' ? (e.ready ? 'Running, Ready' : 'Running') : undefined;
    case 'pod.deleted':
      return 'Terminating';
    case 'pod.removed':
      return 'gone';
    default:
      return undefined;
  }
}

/** One event of a pod's life as text: `03:00.0 scheduled to worker-a-1`. */
function lifeText(e: TraceEvent): string | undefined {
  const at = formatClock(e.atMs);
  switch (e.type) {
    case 'pod.created':
      return `${at} created`;
    case 'pod.unschedulable':
      return `${at} unschedulable: ${e.reason}`;
    case 'pod.scheduled':
      return `${at} scheduled to ${e.node}`;
    case 'pod.started':
      return `${at} started`;
    case 'pod.stopped':
      return `${at} stopped (${e.reason})`;
    case 'pod.ready.changed':
      return `${at} ${e.ready ? 'Ready' : 'not Ready'} (${e.by})`;
    case 'pod.deleted':
      return `${at} deleted (${e.reason})`;
    case 'pod.removed':
      return `${at} removed`;
    default:
      return undefined;
  }
}

/**
 * Two passes, so that a run with 150,000 pods builds the life story of at most POD_ROWS_MAX of them:
 * the first finds each pod's state at the end and whether a fault touched it, the second writes the
 * lives of the pods shown.
 */
function lifeOf(events: readonly TraceEvent[]): { shown: PodLife[]; total: number; relevant: number } {
  const pods = new Map<string, { state: string; touched: boolean }>();
  let firstFaultMs = Infinity;
  for (const e of events) {
    if (e.type === 'fault.started') firstFaultMs = Math.min(firstFaultMs, e.atMs);
    if (!('pod' in e)) continue;
    let p = pods.get(e.pod);
    if (!p) {
      if (e.type !== 'pod.created') continue;
      pods.set(e.pod, (p = { state: 'Pending', touched: false }));
    }
    p.state = stateAfter(e, p.state) ?? p.state;
    if (e.atMs >= firstFaultMs) p.touched = true;
  }
  // Pods a fault touched, and pods not Ready at the end, in the order they first appeared.
  const chosen = new Map<string, PodLife>();
  let relevant = 0;
  for (const [pod, p] of pods) {
    if (!p.touched && p.state === 'Running, Ready') continue;
    relevant++;
    if (chosen.size < POD_ROWS_MAX) chosen.set(pod, { pod, workload: '', life: [], state: p.state });
  }
  for (const e of events) {
    if (!('pod' in e)) continue;
    const p = chosen.get(e.pod);
    if (!p) continue;
    if (e.type === 'pod.created') p.workload = e.workload;
    if (e.type === 'pod.scheduled') p.node = e.node;
    const text = lifeText(e);
    if (text !== undefined) p.life.push(text);
  }
  return { shown: [...chosen.values()], total: pods.size, relevant };
}

/** The table (with its filter box, which only shows when JavaScript runs), or '' when there are no pods. */
export function podTableHtml(events: readonly TraceEvent[]): string {
  const { shown, total, relevant } = lifeOf(events);
  if (total === 0) return '';
  const left = total - shown.length;
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
        ? relevant > shown.length
          ? `${shown.length} of ${total} pods: the first ${shown.length} of the ${relevant} that a fault touched or that were not Ready at the end.`
          : `${shown.length} of ${total} pods: those a fault touched or that were not Ready at the end; the others ran Ready throughout.`
        : `All ${total} pods.`;
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

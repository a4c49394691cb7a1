// Workloads still starting when the first fault hit. hasim starts every cluster empty: nodes register,
// then each workload's pods are created, scheduled, attached to their volumes and started (a StatefulSet
// one pod after another). A fault early in the run can hit a workload before all its pods are up, and its
// lowest Ready count and recovery then include its own start-up, which the user's running cluster does
// not have. The reports say so, so that a start-up is not read as an outage (README.md#what-a-run-writes).
import type { RunSummary, WorkloadSummary } from '../trace/summary.js';
import { formatClock } from './format.js';

export interface StartupNote {
  workload: string;
  desired: number;
  /** When it first had all its desired pods Ready: null, never in the run. */
  fullAtMs: number | null;
  fault: string;
  faultMs: number;
}

/** Workloads that had not yet had all their pods Ready when the run's first fault started. */
export function startupNotes(summary: RunSummary): StartupNote[] {
  const first = summary.faults.reduce<RunSummary['faults'][number] | undefined>(
    (a, f) => (a === undefined || f.startMs < a.startMs ? f : a),
    undefined,
  );
  if (!first) return [];
  return summary.workloads
    .filter((w) => w.desired > 0 && w.fullAtMs !== undefined && (w.fullAtMs === null || w.fullAtMs > first.startMs))
    .map((w) => ({
      workload: w.workload,
      desired: w.desired,
      fullAtMs: w.fullAtMs ?? null,
      fault: first.name,
      faultMs: first.startMs,
    }));
}

/** One line per note (at most `max`, then how many more). */
export function startupNoteLines(notes: readonly StartupNote[], max = notes.length): string[] {
  if (notes.length === 0) return [];
  const lines = notes
    .slice(0, max)
    .map((n) =>
      n.fullAtMs === null
        ? `${n.workload} never had all ${n.desired} pods Ready in this run (the first fault, ${n.fault}, hit at ${formatClock(n.faultMs)}): either it was still starting then, or some of its pods can never run (the pod table says why).`
        : `${n.workload} was still starting when the first fault (${n.fault}) hit at ${formatClock(n.faultMs)}: it first had all ${n.desired} pods Ready at ${formatClock(n.fullAtMs)}.`,
    );
  if (notes.length > max) lines.push(`${notes.length - max} more workloads had not had all their pods Ready by then.`);
  lines.push(
    'hasim starts every cluster empty, so a workload hit while starting shows its own start-up in its figures: start the faults after every workload is up.',
  );
  return lines;
}

/** The "lowest Ready" of the workload tables: the count, or that it never had all its pods Ready. */
export function lowestReadyText(w: WorkloadSummary): string {
  return w.fullAtMs === null ? `never all ${w.desired} Ready` : String(w.minReady);
}

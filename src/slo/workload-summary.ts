// The per-workload and per-fault lines of the run summary (README.md#what-a-run-writes), from the trace alone.
import type { TraceEvent } from '../trace/events.js';
import type { FaultSummary, WorkloadSummary } from '../trace/summary.js';
import { readySeries } from './ready-series.js';

/** Desired and lowest Ready pods of each workload (after the initial rollout), and when it last recovered. */
export function summarizeWorkloads(events: readonly TraceEvent[], runEndMs: number): WorkloadSummary[] {
  const out: WorkloadSummary[] = [];
  for (const s of readySeries(events).values()) {
    const inRun = s.points.filter((p) => p.atMs <= runEndMs);
    const last = inRun[inRun.length - 1];
    const desired = last ? last.desired : 0;
    // Before the first rollout completes, "below desired" is just pods starting, not an outage.
    const after = s.firstFullMs === null ? inRun : inRun.filter((p) => p.atMs >= s.firstFullMs!);
    const minReady = after.length > 0 ? Math.min(...after.map((p) => p.ready)) : 0;
    let recoveredAtMs: number | null = null;
    let below = false;
    for (const p of after) {
      if (p.ready < p.desired) below = true;
      else if (below) {
        below = false;
        recoveredAtMs = p.atMs;
      }
    }
    if (below) recoveredAtMs = null;
    out.push({ workload: s.workload, desired, minReady, recoveredAtMs, fullAtMs: s.firstFullMs });
  }
  return out;
}

/** Every fault that started, with its end (null: lasted to the end) and the names it hit. */
export function summarizeFaults(events: readonly TraceEvent[]): FaultSummary[] {
  const out: FaultSummary[] = [];
  const open = new Map<string, FaultSummary>();
  for (const e of events) {
    if (e.type === 'fault.started') {
      const f: FaultSummary = {
        name: e.fault,
        type: e.faultType,
        startMs: e.atMs,
        endMs: null,
        targets: [...e.targets],
      };
      out.push(f);
      open.set(e.fault, f);
    } else if (e.type === 'fault.ended') {
      const f = open.get(e.fault);
      if (f) {
        f.endMs = e.atMs;
        open.delete(e.fault);
      }
    }
  }
  return out;
}

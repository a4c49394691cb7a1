// The planned-disruption SLOs of docs/scenario-format.md#specslos, judged on the trace alone:
// - drain-time: from the start of a node-drain fault until each node it drains is empty
//   (`node.drain.finished` for every target node). A drain that timed out, failed or was still running
//   at the end has no value and fails.
// - blocked-evictions: the longest time one pod's evictions were refused (429 from its
//   PodDisruptionBudget): from the first `pod.eviction.refused` of a blocked stretch until the pod was
//   evicted (`pod.deleted`), or the drain that asked gave up on it (`node.drain.timedout` /
//   `node.drain.failed` of its node), or the run ended.
// - upgrade-time: from the start of a node-pool-upgrade fault until `nodepool.upgrade.finished` (every node
//   of the pool replaced). An upgrade still running at the end has no value and fails.
import type { SloSpec } from '../scenario/types.js';
import type { TraceEvent } from '../trace/events.js';
import { formatDuration as d } from '../trace/format.js';

type Ev<K extends TraceEvent['type']> = Extract<TraceEvent, { type: K }>;

interface Result {
  measuredMs: number | null;
  message: string;
  violation?: { atMs: number; by?: TraceEvent };
}

export function judgeDrainTime(
  slo: Extract<SloSpec, { type: 'drain-time' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): Result {
  const fault = events.find((e): e is Ev<'fault.started'> => e.type === 'fault.started' && e.fault === slo.after);
  if (!fault)
    return { measuredMs: null, message: `fault "${slo.after}" never started during the run, so nothing was measured` };
  const bound = { atMs: fault.atMs + slo.maxMs, by: fault as TraceEvent };
  if (fault.targets.length === 0)
    return { measuredMs: 0, message: `fault "${slo.after}" selected no nodes, so there was nothing to drain` };
  const finished = new Map<string, number>();
  let stopped: Ev<'node.drain.timedout'> | Ev<'node.drain.failed'> | undefined;
  for (const e of events) {
    if (e.atMs < fault.atMs) continue;
    if (e.type === 'node.drain.finished' && e.fault === slo.after) finished.set(e.node, e.atMs);
    if ((e.type === 'node.drain.timedout' || e.type === 'node.drain.failed') && e.fault === slo.after) stopped ??= e;
  }
  const missing = fault.targets.filter((n) => !finished.has(n));
  if (missing.length > 0) {
    const why = stopped
      ? stopped.type === 'node.drain.timedout'
        ? `the drain of ${stopped.node} gave up after its ${d(stopped.timeoutMs)} timeout ("${stopped.message}") with ${stopped.remaining.length} pod${stopped.remaining.length === 1 ? '' : 's'} left (${stopped.remaining.slice(0, 3).join(', ')}${stopped.remaining.length > 3 ? ', ...' : ''})`
        : `the drain of ${stopped.node} failed: ${stopped.message}`
      : `the drain was still running when the run ended at ${d(runEndMs)}`;
    const summary =
      fault.targets.length === 1
        ? `${missing[0]} was not drained`
        : `${fault.targets.length - missing.length} of ${fault.targets.length} nodes drained`;
    const left = stopped?.type === 'node.drain.timedout' ? stopped.remaining : [];
    const blocked = refusalsOf(events, fault.atMs, stopped?.atMs ?? runEndMs, left);
    return {
      measuredMs: null,
      message: `${summary}: ${why}${blocked}${unreached(events, fault, slo.after, missing, stopped)}; bound ${d(slo.maxMs)}`,
      violation: stopped && stopped.atMs < bound.atMs ? { atMs: stopped.atMs, by: stopped as TraceEvent } : bound,
    };
  }
  let last = fault.targets[0];
  for (const n of fault.targets) if (finished.get(n)! > finished.get(last)!) last = n;
  const measuredMs = finished.get(last)! - fault.atMs;
  const what =
    fault.targets.length === 1
      ? `${last} was drained`
      : `all ${fault.targets.length} nodes were drained (last ${last})`;
  return {
    measuredMs,
    message:
      measuredMs <= slo.maxMs
        ? `${what} in ${d(measuredMs)}; bound ${d(slo.maxMs)}`
        : `the drain took ${d(measuredMs)} (${what.replace(' was drained', '').replace(' were drained', '')}), over the ${d(slo.maxMs)} bound`,
    violation: bound,
  };
}

/**
 * The nodes the drain never began (kubectl drains them one after the other and stops at the first that
 * fails or times out), as a clause for the message; '' when there are none.
 */
function unreached(
  events: readonly TraceEvent[],
  fault: Ev<'fault.started'>,
  faultName: string,
  missing: readonly string[],
  stopped: Ev<'node.drain.timedout'> | Ev<'node.drain.failed'> | undefined,
): string {
  const begun = new Set<string>();
  for (const e of events)
    if (e.atMs >= fault.atMs && e.type === 'node.drain.started' && e.fault === faultName) begun.add(e.node);
  const never = missing.filter((n) => !begun.has(n) && n !== stopped?.node);
  if (never.length === 0) return '';
  const list = `${never.slice(0, 3).join(', ')}${never.length > 3 ? `, ... (${never.length} nodes)` : ''}`;
  return stopped
    ? `; kubectl stopped there, so ${list} ${never.length === 1 ? 'was' : 'were'} never drained`
    : `; ${list} ${never.length === 1 ? 'was' : 'were'} not reached yet`;
}

export function judgeBlockedEvictions(
  slo: Extract<SloSpec, { type: 'blocked-evictions' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): Result {
  const fault =
    slo.after === undefined
      ? undefined
      : events.find((e): e is Ev<'fault.started'> => e.type === 'fault.started' && e.fault === slo.after);
  const targets = fault ? new Set(fault.targets) : undefined;
  // A blocked stretch per pod: its first refusal, until it ends.
  const open = new Map<string, Ev<'pod.eviction.refused'>>();
  let worst: { pod: string; pdb: string; ms: number; from: Ev<'pod.eviction.refused'>; ended: string } | undefined;
  let refusals = 0;
  const close = (pod: string, atMs: number, ended: string) => {
    const from = open.get(pod);
    if (!from) return;
    open.delete(pod);
    const ms = atMs - from.atMs;
    if (!worst || ms > worst.ms) worst = { pod, pdb: from.pdb, ms, from, ended };
  };
  for (const e of events) {
    if (e.type === 'pod.eviction.refused') {
      if (slo.workload !== undefined && e.workload !== slo.workload) continue;
      if (targets !== undefined && (e.atMs < fault!.atMs || !targets.has(e.node))) continue;
      refusals++;
      if (!open.has(e.pod)) open.set(e.pod, e);
    } else if (e.type === 'pod.deleted' || e.type === 'pod.removed') {
      close(e.pod, e.atMs, 'until it was evicted');
    } else if (e.type === 'node.drain.timedout') {
      for (const p of e.remaining) close(p, e.atMs, 'until the drain gave up');
    }
  }
  for (const p of [...open.keys()].sort()) close(p, runEndMs, 'until the end of the run');
  const scope = slo.workload !== undefined ? ` of ${slo.workload}` : '';
  if (!worst) return { measuredMs: 0, message: `no eviction${scope} was refused; bound ${d(slo.maxMs)}` };
  const w = worst;
  const summary = `PodDisruptionBudget ${w.pdb} refused evictions of ${w.pod} for ${d(w.ms)} (${w.ended}; ${refusals} refusal${refusals === 1 ? '' : 's'} in all)`;
  return {
    measuredMs: w.ms,
    message: w.ms <= slo.maxMs ? `${summary}; bound ${d(slo.maxMs)}` : `${summary}, over the ${d(slo.maxMs)} bound`,
    violation: { atMs: w.from.atMs + slo.maxMs, by: w.from as TraceEvent },
  };
}

export function judgeUpgradeTime(
  slo: Extract<SloSpec, { type: 'upgrade-time' }>,
  events: readonly TraceEvent[],
  runEndMs: number,
): Result {
  const fault = events.find((e): e is Ev<'fault.started'> => e.type === 'fault.started' && e.fault === slo.after);
  if (!fault)
    return { measuredMs: null, message: `fault "${slo.after}" never started during the run, so nothing was measured` };
  const bound = { atMs: fault.atMs + slo.maxMs, by: fault as TraceEvent };
  let replaced = 0;
  let timedOut = 0;
  for (const e of events) {
    if (e.atMs < fault.atMs) continue;
    if (e.type === 'node.upgrade.finished' && e.fault === slo.after) replaced++;
    if (e.type === 'node.drain.timedout' && e.fault === slo.after) timedOut++;
    if (e.type === 'nodepool.upgrade.finished' && e.fault === slo.after) {
      const measuredMs = e.atMs - fault.atMs;
      const forced =
        timedOut === 0 ? '' : ` (${timedOut} node${timedOut === 1 ? '' : 's'} removed when the drain timeout passed)`;
      const what = `${e.nodes} node${e.nodes === 1 ? '' : 's'} replaced in ${d(measuredMs)}${forced}`;
      return {
        measuredMs,
        message: measuredMs <= slo.maxMs ? `${what}; bound ${d(slo.maxMs)}` : `${what}, over the ${d(slo.maxMs)} bound`,
        violation: bound,
      };
    }
  }
  return {
    measuredMs: null,
    message: `the upgrade was still running when the run ended at ${d(runEndMs)}: ${replaced} of ${fault.targets.length} nodes replaced; bound ${d(slo.maxMs)}`,
    violation: bound,
  };
}

/**
 * Why a drain's pods were left, when a PodDisruptionBudget refused their evictions: `: their evictions
 * were refused 48 times (429) by PodDisruptionBudget checkout, which allowed no disruption (3 healthy, 3
 * needed)`, one clause per budget, with its status as last traced before the drain stopped. Empty when
 * nothing refused them.
 */
function refusalsOf(events: readonly TraceEvent[], fromMs: number, untilMs: number, pods: readonly string[]): string {
  if (pods.length === 0) return '';
  const wanted = new Set(pods);
  const byPdb = new Map<string, { count: number; codes: Set<number> }>();
  const status = new Map<string, Ev<'pdb.status.changed'>>();
  for (const e of events) {
    if (e.atMs > untilMs) break;
    if (e.type === 'pdb.status.changed') status.set(e.pdb, e);
    if (e.type !== 'pod.eviction.refused' || e.atMs < fromMs || !wanted.has(e.pod)) continue;
    const r = byPdb.get(e.pdb) ?? { count: 0, codes: new Set<number>() };
    r.count++;
    r.codes.add(e.code);
    byPdb.set(e.pdb, r);
  }
  const clauses = [...byPdb].map(([pdb, r]) => {
    const s = status.get(pdb);
    const state =
      s === undefined
        ? ''
        : `, which allowed ${s.disruptionsAllowed === 0 ? 'no disruption' : `${s.disruptionsAllowed} disruption${s.disruptionsAllowed === 1 ? '' : 's'}`} (${s.currentHealthy} healthy, ${s.desiredHealthy} needed)`;
    return `refused ${r.count} time${r.count === 1 ? '' : 's'} (${[...r.codes].join(', ')}) by PodDisruptionBudget ${pdb}${state}`;
  });
  return clauses.length === 0 ? '' : `: their evictions were ${clauses.join('; and ')}`;
}

// The composition root of one run: scenario + seed -> simulated cluster -> faults -> trace -> SLO verdicts
// and the run summary (README.md#what-a-run-writes). Knows no file system and no real time: the CLI passes a wall clock in.
import { SimulationBug, toJsonl } from '../engine/index.js';
import { clockStepsPlanned, scheduleFaults } from '../chaos/faults.js';
import { buildCluster, type Cluster } from '../model/cluster.js';
import type { FastPaths } from '../model/fast-paths.js';
import type { Scenario } from '../scenario/types.js';
import { PodAccounting, judgeSlos, summarizeFaults, summarizeWorkloads } from '../slo/index.js';
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { HASIM_VERSION } from '../trace/version.js';
import { reproduceCommand } from './reproduce.js';

export interface RunOptions {
  /** Overrides spec.seed. */
  seed?: number;
  traceHeartbeats?: boolean;
  /** How to re-run this from a shell: the scenario argument and the --set flags used. */
  reproduce?: { scenarioArg?: string; sets?: string[]; allowLarge?: boolean };
  /** Real time in ms, for the wall-time figure only (the simulation never reads it). */
  wallClockMs?: () => number;
  /** Check safety invariants event by event (on by default; off only for benchmarks). */
  checkInvariants?: boolean;
  /**
   * Fast paths to turn off (model/fast-paths.ts; default all on). REFERENCE_BEHAVIOUR turns every one off:
   * the trace must not change (vopr and the determinism tests compare).
   */
  fastPaths?: Partial<FastPaths>;
}

export interface RunResult {
  summary: RunSummary;
  events: TraceEvent[];
  cluster: Cluster;
}

/**
 * A run that is played in steps: `advance(untilMs)` plays virtual time up to a horizon and returns, so
 * the CLI can show progress and stop on a signal between steps. The simulation is the same whatever
 * the horizons: sim.run to successive horizons dispatches the same events in the same order as one
 * sim.run to the end (test/golden/chunked.test.ts checks every scenario's trace hash).
 */
export interface RunHandle {
  readonly durationMs: number;
  /** Virtual time reached. */
  readonly nowMs: number;
  /** Events dispatched so far. */
  readonly events: number;
  /** Plays up to untilMs (at most the end of the run); true when the run has reached its end. */
  advance(untilMs: number): boolean;
  /** Plays what is left, judges the SLOs and builds the summary. */
  finish(): RunResult;
}

export function startRun(scenario: Scenario, opts: RunOptions = {}): RunHandle {
  const wall = opts.wallClockMs ?? (() => 0);
  const startedWallMs = wall();
  const seed = opts.seed ?? scenario.spec.seed;
  const cluster = buildCluster(scenario.spec, {
    seed,
    clockStepsPossible: clockStepsPlanned(scenario.spec.faults),
    traceHeartbeats: opts.traceHeartbeats,
    fastPaths: opts.fastPaths,
  });
  const { sim, trace } = cluster.ctx;
  const durationMs = scenario.spec.durationMs;

  if (opts.checkInvariants !== false) {
    const accounting = new PodAccounting();
    trace.observe((e) => {
      const problem = accounting.observe(e as TraceEvent);
      if (problem) throw sim.bug(`pod accounting: ${problem}`);
    });
  }
  trace.emit('run.started', {
    scenario: scenario.metadata.name,
    seed,
    durationMs,
    kubernetesVersion: scenario.spec.kubernetes.version,
    hasimVersion: HASIM_VERSION,
  });
  scheduleFaults(cluster, scenario.spec.faults);
  let reachedMs = 0;
  let started = false;
  const advance = (untilMs: number): boolean => {
    const horizon = Math.min(Math.floor(untilMs), durationMs);
    if (!started || horizon > reachedMs) {
      sim.run(horizon);
      reachedMs = horizon;
      started = true;
    }
    return reachedMs >= durationMs;
  };
  return {
    durationMs,
    get nowMs() {
      return reachedMs;
    },
    get events() {
      return sim.dispatched;
    },
    advance,
    finish: () => {
      advance(durationMs);
      return finishRun(scenario, cluster, seed, opts, Math.max(0, Math.round(wall() - startedWallMs)));
    },
  };
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  return startRun(scenario, opts).finish();
}

function finishRun(scenario: Scenario, cluster: Cluster, seed: number, opts: RunOptions, wallMs: number): RunResult {
  const { sim, trace } = cluster.ctx;
  const durationMs = scenario.spec.durationMs;
  // Renewals not played yet happened before the end: they count in the trace (node.lease.renewed).
  cluster.ctx.api.store.chains.catchUpAll();

  const events = trace.events as unknown as TraceEvent[];
  const slos = judgeSlos(scenario.spec.slos, events, durationMs);
  const withViolations = insertViolations(events, slos);
  const summary: RunSummary = {
    hasimVersion: HASIM_VERSION,
    scenario: scenario.metadata.name,
    ...(scenario.metadata.description ? { description: scenario.metadata.description } : {}),
    seed,
    durationMs,
    kubernetesVersion: scenario.spec.kubernetes.version,
    passed: slos.every((s) => s.passed),
    slos,
    faults: summarizeFaults(withViolations),
    workloads: summarizeWorkloads(withViolations, durationMs),
    stats: { events: sim.dispatched, wallMs },
    reproduce: reproduceCommand(seed, opts.reproduce),
  };
  return { summary, events: withViolations, cluster };
}

/** Adds an slo.violated event at the moment each failed SLO broke, keeping the trace in time order. */
function insertViolations(events: TraceEvent[], slos: RunSummary['slos']): TraceEvent[] {
  const extra: TraceEvent[] = slos
    .filter((s) => !s.passed && s.violatedAtMs !== undefined)
    .map((s) => ({
      atMs: s.violatedAtMs!,
      type: 'slo.violated' as const,
      slo: s.name,
      measured: s.measuredMs ?? s.measured ?? 'never',
    }));
  if (extra.length === 0) return events;
  const out: TraceEvent[] = [];
  let i = 0;
  extra.sort((a, b) => a.atMs - b.atMs);
  for (const e of events) {
    while (i < extra.length && extra[i].atMs < e.atMs) out.push(extra[i++]);
    out.push(e);
  }
  while (i < extra.length) out.push(extra[i++]);
  return out;
}

export function eventsToJsonl(events: readonly TraceEvent[]): string {
  return toJsonl(events);
}

export { SimulationBug };
export { reproduceCommand, shellQuote } from './reproduce.js';

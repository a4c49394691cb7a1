// The composition root of one run: scenario + seed -> simulated cluster -> faults -> trace -> SLO verdicts
// and the run summary (SPEC §4). Knows no file system and no real time: the CLI passes a wall clock in.
import { SimulationBug, toJsonl } from '../engine/index.js';
import { scheduleFaults } from '../chaos/faults.js';
import { buildCluster, type Cluster } from '../model/cluster.js';
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
  reproduce?: { scenarioArg?: string; sets?: string[] };
  /** Real time in ms, for the wall-time figure only (the simulation never reads it). */
  wallClockMs?: () => number;
  /** Check safety invariants event by event (on by default; off only for benchmarks). */
  checkInvariants?: boolean;
  /** Let components work ahead of time (default true; false only to check that it changes nothing). */
  speculate?: boolean;
  /** See ClusterOptions.leaseChains. */
  leaseChains?: boolean;
}

export interface RunResult {
  summary: RunSummary;
  events: TraceEvent[];
  cluster: Cluster;
}

export function runScenario(scenario: Scenario, opts: RunOptions = {}): RunResult {
  const wall = opts.wallClockMs ?? (() => 0);
  const startedWallMs = wall();
  const seed = opts.seed ?? scenario.spec.seed;
  const cluster = buildCluster(scenario, {
    seed,
    traceHeartbeats: opts.traceHeartbeats,
    speculate: opts.speculate,
    leaseChains: opts.leaseChains,
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
  scheduleFaults(cluster);
  sim.run(durationMs);
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
    stats: { events: sim.dispatched, wallMs: Math.max(0, Math.round(wall() - startedWallMs)) },
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

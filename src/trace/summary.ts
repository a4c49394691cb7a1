// The run summary (README.md#what-a-run-writes): summary.json and `hasim run --format json`. Together with events.jsonl it
// is a saved run, from which `hasim report` re-renders every report file.

/** The SLO types a summary can hold (docs/scenario-format.md describes each). */
export const SLO_TYPES = [
  'recovery-time',
  'min-available',
  'unavailable-time',
  'detection-time',
  'eviction-time',
  'leaderless-time',
  'max-concurrent-leaders',
  'stuck-terminating',
  'drain-time',
  'blocked-evictions',
  'upgrade-time',
  'request-success-rate',
  'failed-requests',
  'stale-endpoint-time',
] as const;
export type SloType = (typeof SLO_TYPES)[number];

export interface SloResult {
  name: string;
  type: SloType;
  passed: boolean;
  /** Duration SLOs: measured and bound in ms (measuredMs null when it never happened, e.g. no recovery). */
  measuredMs?: number | null;
  boundMs?: number;
  /** Count SLOs (min-available, max-concurrent-leaders, stuck-terminating). */
  measured?: number | null;
  bound?: number;
  /**
   * What the SLO is about, copied from its spec so reports need not guess from the message (absent in
   * summaries saved before these fields existed, and for SLO types without them).
   */
  workload?: string;
  /** The fault the measurement starts at (recovery-time, detection-time, eviction-time). */
  after?: string;
  /** leaderless-time, max-concurrent-leaders. */
  component?: string;
  /** Unit of measured/bound: ms for durations; pods, percent (of desired, min-available with "N%") or leaders for counts. */
  unit?: 'ms' | 'pods' | 'percent' | 'leaders' | 'requests';
  /** request-success-rate, failed-requests, stale-endpoint-time. */
  service?: string;
  /** One plain-English sentence: what was measured against what bound. */
  message: string;
  /** Virtual time of the first trace event that broke the SLO, when it failed. */
  violatedAtMs?: number;
  /** That event, as recorded, when there is one. */
  violatedBy?: Record<string, unknown>;
}

export interface FaultSummary {
  name: string;
  type: string;
  startMs: number;
  /** null: lasted to the end of the run. */
  endMs: number | null;
  targets: string[];
}

export interface WorkloadSummary {
  workload: string;
  desired: number;
  minReady: number;
  /** When it last came back to desired Ready pods after dropping below (null: never dropped, or never recovered). */
  recoveredAtMs: number | null;
  /**
   * When it first had all its desired pods Ready (null: never in this run; absent from summaries of hasim
   * 0.3). Before that, a drop is its start-up, not an outage: minReady counts from here.
   */
  fullAtMs?: number | null;
}

export interface RunSummary {
  /** The hasim that ran it: a seed replays the same run only within one version (absent before 0.3.0). */
  hasimVersion?: string;
  scenario: string;
  description?: string;
  seed: number;
  durationMs: number;
  kubernetesVersion: string;
  passed: boolean;
  slos: SloResult[];
  faults: FaultSummary[];
  workloads: WorkloadSummary[];
  stats: { events: number; wallMs: number };
  reproduce: string;
  /**
   * The events.jsonl written with this summary: its number of events and its SHA-256, so that
   * `hasim report` can tell a trace cut short or from another run (absent from --format json before
   * the files are written, and from summaries of hasim 0.3).
   */
  trace?: { events: number; sha256: string };
}

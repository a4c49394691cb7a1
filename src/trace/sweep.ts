// The sweep report's contract (sweep.json, and the shard files a distributed sweep writes): the plan of a
// sweep, each run's record and the aggregate per grid point. Like summary.ts for a single run, it lives
// with the trace vocabulary so that the runner that produces it and the reports that render it both
// depend on it, not on each other.

/** One `--grid path=v1,v2,...` flag. */
export interface GridAxis {
  path: string;
  values: string[];
}

/** One combination of grid values, in --grid flag order. */
export interface GridPoint {
  settings: Array<{ path: string; value: string }>;
  /** The same as `path=value` strings, applied like --set after the plain --set flags. */
  sets: string[];
}

/** One run of a sweep: grid point `point` with `seed`. `index` orders every result. */
export interface SweepJob {
  index: number;
  point: number;
  seed: number;
}

export interface SweepPlan {
  /** The scenario's metadata.name. */
  scenario: string;
  /** The scenario file as the user named it (for reproduce lines). */
  file: string;
  /** --set flags, applied to every run before the grid values. */
  sets: string[];
  grid: GridAxis[];
  points: GridPoint[];
  firstSeed: number;
  seedCount: number;
  minPassRate: number;
}

/** What a sweep keeps of one run: small enough to pass between threads by the thousand. */
export interface SweepRunRecord {
  index: number;
  point: number;
  seed: number;
  passed: boolean;
  slos: Array<{
    name: string;
    type: string;
    passed: boolean;
    value: number | null;
    bound: number | null;
    unit: 'ms' | 'count';
    /** A recovery-time SLO whose workload never dropped below desired after the fault: nothing to recover from. */
    unaffected?: true;
  }>;
  workloads: Array<{
    workload: string;
    desired: number;
    minReady: number;
    recoveredAtMs: number | null;
    /** When it first had all its desired pods Ready (null: never; absent in records of hasim 0.3). */
    fullAtMs?: number | null;
  }>;
  /** Start of the earliest fault (recovery times are measured from it); null without faults. */
  firstFaultStartMs: number | null;
  reproduce: string;
}

/** min, p50, p90, p99, max and mean of the values that were measured; `missing` runs measured nothing. */
export interface Distribution {
  count: number;
  missing: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export interface SweepSloStats {
  name: string;
  type: string;
  /** 'ms': measured and bound are durations in ms; 'count': plain numbers. */
  unit: 'ms' | 'count';
  bound: number | null;
  runs: number;
  passed: number;
  passRate: number;
  /**
   * What was measured, over the runs that measured something; for recovery-time, over the runs in which
   * the workload dropped (the unaffected ones are counted apart, not as 0 ms recoveries).
   */
  measured: Distribution;
  /** recovery-time: runs in which the workload never dropped below desired after the fault. */
  unaffectedRuns: number;
  /** min-available: more is better, so the tail that matters is the low one. */
  higherIsBetter: boolean;
  /**
   * The tail that matters, read the SRE's way: the value half the runs do at least as well as, then
   * 90% and 99% of them, then the worst run (max when lower is better, min when higher is better).
   */
  tail: { p50: number | null; p90: number | null; p99: number | null; worst: number | null };
  failedSeeds: number[];
}

/** Each run's result at one grid point: its seed, its verdict and every SLO's value and verdict. */
export interface SweepRunResult {
  seed: number;
  passed: boolean;
  slos: Array<{ name: string; value: number | null; passed: boolean; unaffected?: true }>;
}

export interface SweepWorkloadStats {
  workload: string;
  desired: number;
  /** Fewest Ready pods during the run (runs in which it was still starting left out). */
  minReady: Distribution;
  /**
   * Runs whose first fault hit it before it first had all its desired pods Ready (or that never had
   * them): its start-up, not an outage, so they are left out of the figures here (absent before 0.4).
   */
  startingRuns?: number;
  /** Runs in which it fell below desired, and of those the ones that were back by the end. */
  droppedRuns: number;
  recoveredRuns: number;
  /** From the start of the first fault until it was back to desired (runs that dropped and recovered). */
  recoveryMs: Distribution;
}

export interface SweepPointResult {
  settings: GridPoint['settings'];
  /** Every --set of its runs, plain and grid. */
  sets: string[];
  runs: number;
  passedRuns: number;
  slos: SweepSloStats[];
  workloads: SweepWorkloadStats[];
  /** Every run with a failed SLO, by seed. */
  failedRuns: Array<{ seed: number; failed: string[]; reproduce: string }>;
  /** Every run, by seed (the settings are the point's). */
  results: SweepRunResult[];
  /** Does every SLO's pass rate reach minPassRate? */
  meetsMinPassRate: boolean;
}

/** sweep.json: everything here is a function of the inputs, so the same sweep gives the same bytes. */
export interface SweepResult {
  /** The hasim that ran it: seeds replay the same runs only within one version. */
  hasimVersion: string;
  scenario: string;
  file: string;
  seeds: { first: number; count: number };
  sets: string[];
  grid: GridAxis[];
  minPassRate: number;
  runs: number;
  passed: boolean;
  points: SweepPointResult[];
}

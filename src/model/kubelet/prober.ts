// Fidelity note. The kubelet's probe workers (docs/fidelity.md#probes), after kubernetes/kubernetes
// pkg/kubelet/prober/worker.go (newWorker, run, doProbe) and pkg/kubelet/prober/prober_manager.go (AddPod,
// UpdatePodStatus), with the container restart back-off of pkg/kubelet/kuberuntime/kuberuntime_manager.go
// (doBackOff) and client-go util/flowcontrol/backoff.go (Next, IsInBackOffSince).
// Kept: one worker per probe type and container, probing on a ticker of periodSeconds from the worker's start;
// a probe within initialDelaySeconds of the container's start is skipped; readiness and liveness probes wait
// for the startup probe to succeed; the result kept for the container changes only after failureThreshold
// failures or successThreshold successes in a row (lastResult, resultRun); initial results: readiness
// Failure, liveness Success, startup Unknown; a liveness or startup failure puts the worker on hold until the
// container is replaced.
// Not one event per probe: what a probe answers is a property of the container and the faults on it, constant
// between two changes the kubelet knows of (the container starts or stops, the application finishes starting,
// an app-degrade fault starts or ends). So the worker counts the ticks between changes arithmetically and
// tells when the next result change lands; the kubelet schedules one event for it.
// Simplified: a failing probe fails at its tick (an application answering an error; a probe that hangs until
// timeoutSeconds is not modelled); the probe handler (HTTP, TCP, exec, gRPC) does not matter.
import type { ProbeSpec } from '../../k8s/workloads.js';

export type ProbeType = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

/** The container restart back-off (pkg/kubelet/kubelet.go: backOffPeriod 10 s, MaxContainerBackOff 300 s). */
export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
export const CONTAINER_BACKOFF_MAX_MS = 300_000;

/**
 * What the probes of one worker answer from now on, until the kubelet announces a change: nothing before
 * eligibleFromMs (the initial delay, or the startup probe not yet passed), Failure until succeedsFromMs, then
 * Success (Infinity: Failure for good).
 */
export interface ProbeInputs {
  eligibleFromMs: number;
  succeedsFromMs: number;
}

/** A change of the result the worker keeps for its container (the results manager's Set). */
export interface ProbeCrossing {
  atMs: number;
  result: 'Success' | 'Failure';
}

/** worker.go's initialValue: readiness Failure, liveness Success, startup Unknown. */
export function initialResult(type: ProbeType): ProbeResult {
  return type === 'readiness' ? 'Failure' : type === 'liveness' ? 'Success' : 'Unknown';
}

/** A probe worker for one container: its ticker from anchorMs, and the results counted so far. */
export class ProbeWorker {
  result: ProbeResult;
  lastResult: ProbeResult = 'Unknown';
  resultRun = 0;
  /** Ticks before this time have been counted. */
  countedToMs: number;
  /** A liveness or startup failure: no more probes until the container is replaced. */
  onHold = false;
  /** The result has been Failure after a probe (not just as the initial value): a later success is a recovery. */
  failedBefore = false;

  constructor(
    readonly type: ProbeType,
    readonly spec: ProbeSpec,
    /** The ticker's first tick (the worker's start, plus the first-probe jitter). */
    readonly anchorMs: number,
    fromMs: number,
  ) {
    this.result = initialResult(type);
    this.countedToMs = fromMs;
  }

  /** The k-th tick (from 1) at or after fromMs. */
  tickAtOrAfter(fromMs: number, k = 1): number {
    const periodMs = this.spec.periodMs;
    const n = Math.max(0, Math.ceil((fromMs - this.anchorMs) / periodMs));
    return this.anchorMs + (n + k - 1) * periodMs;
  }

  /** How many ticks fall in [fromMs, toMs). */
  ticksIn(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    const first = this.tickAtOrAfter(fromMs);
    if (first >= toMs) return 0;
    if (toMs === Infinity) return Infinity;
    return Math.floor((toMs - 1 - first) / this.spec.periodMs) + 1;
  }

  /**
   * doProbe for every tick in [countedToMs, toMs) under `inputs`: stops after the first tick that changes the
   * result and returns it (the ticks after it are counted by the next call), else returns undefined.
   */
  advance(toMs: number, inputs: ProbeInputs): ProbeCrossing | undefined {
    const from = Math.max(this.countedToMs, inputs.eligibleFromMs);
    if (this.onHold || from >= toMs) {
      this.countedToMs = Math.max(this.countedToMs, toMs);
      return undefined;
    }
    const split = Math.min(Math.max(from, inputs.succeedsFromMs), toMs);
    const segments: Array<[number, number, 'Success' | 'Failure']> = [
      [from, split, 'Failure'],
      [split, toMs, 'Success'],
    ];
    for (const [a, b, outcome] of segments) {
      const n = this.ticksIn(a, b);
      if (n === 0) continue;
      const run = this.lastResult === outcome ? this.resultRun : 0;
      const threshold = outcome === 'Success' ? this.spec.successThreshold : this.spec.failureThreshold;
      const need = Math.max(1, threshold - run);
      if (this.result !== outcome && n >= need) {
        const atMs = this.tickAtOrAfter(a, need);
        this.lastResult = outcome;
        this.resultRun = run + need;
        this.result = outcome;
        this.countedToMs = atMs + 1;
        if (outcome === 'Failure' && this.type !== 'readiness') {
          this.onHold = true;
          this.resultRun = 0;
        }
        return { atMs, result: outcome };
      }
      this.lastResult = outcome;
      this.resultRun = run + n;
    }
    this.countedToMs = toMs;
    return undefined;
  }

  /** When the result would next change if nothing else does (advance on a copy: this worker is unchanged). */
  nextCrossing(inputs: ProbeInputs): ProbeCrossing | undefined {
    const copy = new ProbeWorker(this.type, this.spec, this.anchorMs, this.countedToMs);
    copy.result = this.result;
    copy.lastResult = this.lastResult;
    copy.resultRun = this.resultRun;
    copy.onHold = this.onHold;
    return copy.advance(Infinity, inputs);
  }
}

/**
 * The wait before the next start of a container that exited at exitMs (doBackOff with flowcontrol.Backoff):
 * none the first time; then 10 s, doubling to 300 s; back to none when the previous exit was more than twice
 * the maximum (10 min) before. Returns the wait and the back-off state to keep.
 */
export function containerBackOff(
  prev: { backOffMs: number; lastExitMs: number } | undefined,
  exitMs: number,
): { waitMs: number; state: { backOffMs: number; lastExitMs: number } } {
  if (prev === undefined || exitMs - prev.lastExitMs > 2 * CONTAINER_BACKOFF_MAX_MS)
    return { waitMs: 0, state: { backOffMs: CONTAINER_BACKOFF_INITIAL_MS, lastExitMs: exitMs } };
  return {
    waitMs: prev.backOffMs,
    state: { backOffMs: Math.min(prev.backOffMs * 2, CONTAINER_BACKOFF_MAX_MS), lastExitMs: exitMs },
  };
}

// How the host's kubelet brings back a control-plane static pod whose container exited on its own
// (kube-controller-manager or kube-scheduler after "leaderelection lost"): the container restart back-off
// of pkg/kubelet/kuberuntime/kuberuntime_manager.go (doBackOff) over client-go util/flowcontrol.Backoff with
// initial 10 s, cap MaxContainerBackOff 300 s and no jitter.
//
// - An exit that finds no back-off entry (or an expired one) is restarted at the kubelet's next sync of
//   the pod: the PLEG relist notices the exit within its 1 s period. That restart arms the back-off: 10 s.
// - A later exit waits out the current back-off counted from the exit, then the back-off doubles (20 s,
//   40 s, ... capped at 300 s): the familiar CrashLoopBackOff.
// - The entry expires when an exit comes more than 2 × 300 s = 10 min after the last restart (hasExpired),
//   so a component that stayed up for 10 minutes starts again from the 1 s restart.
// Simplified: the pod worker's requeue jitter is ignored, and the state survives a host reboot (a real
// kubelet forgets it). The restart timer lives on the simulator, not on the stopped process, and does
// nothing if the host is powered off when it fires (the host's boot starts the process instead).
import type { EventHandle } from '../../engine/index.js';
import type { Process } from '../infra/process.js';

/** PLEG relist period: how soon the kubelet notices an exited container it may restart at once. */
export const PLEG_RELIST_PERIOD_MS = 1_000;
export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
/** MaxContainerBackOff (pkg/kubelet/kubelet.go). */
export const CONTAINER_BACKOFF_MAX_MS = 300_000;

export class LeaderRestartBackoff {
  /** Current back-off (0: no entry). */
  private backoffMs = 0;
  /** Local time of the last back-off update (the last restart). */
  private lastUpdateMs = 0;
  private pending: EventHandle | undefined;

  constructor(private readonly proc: Process) {}

  /** The container exited now; schedules its restart and returns the delay in local ms. */
  exited(): number {
    const clock = this.proc.host.clock;
    const exitMs = clock.monotonicNow();
    const expired = this.backoffMs === 0 || exitMs - this.lastUpdateMs > 2 * CONTAINER_BACKOFF_MAX_MS;
    const delayMs = expired ? PLEG_RELIST_PERIOD_MS : this.backoffMs;
    const nextBackoffMs = expired
      ? CONTAINER_BACKOFF_INITIAL_MS
      : Math.min(2 * this.backoffMs, CONTAINER_BACKOFF_MAX_MS);
    const sim = this.proc.ctx.sim;
    sim.cancel(this.pending);
    this.pending = sim.after(
      clock.toSimMs(delayMs),
      () => {
        this.pending = undefined;
        if (!this.proc.host.poweredOn || this.proc.running) return;
        this.backoffMs = nextBackoffMs;
        this.lastUpdateMs = clock.monotonicNow();
        this.proc.start();
      },
      `${this.proc.name}/restart`,
    );
    return delayMs;
  }

  /** Forgets a scheduled restart (the process was killed or started by someone else meanwhile). */
  cancel(): void {
    this.proc.ctx.sim.cancel(this.pending);
    this.pending = undefined;
  }

  get restartPending(): boolean {
    return this.pending !== undefined;
  }
}

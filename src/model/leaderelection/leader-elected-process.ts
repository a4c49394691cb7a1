// What kube-controller-manager and kube-scheduler share as processes: a leader elector, the kubelet's
// restart back-off for a static pod that exited on its own, and the difference between a crash (kill:
// nothing released, whoever killed it brings it back) and an exit after losing the lease (restart).
import { LeaderElector } from './leader-elector.js';
import { LeaderRestartBackoff } from './leader-restart-backoff.js';
import { Process } from '../infra/process.js';

export abstract class LeaderElectedProcess extends Process {
  elector: LeaderElector | undefined;
  /** The kubelet's restart of this static pod after it exited on its own. */
  readonly restarts = new LeaderRestartBackoff(this);

  get isLeader(): boolean {
    return this.elector?.isLeader ?? false;
  }

  /**
   * Runs the elector. A preexisting incarnation (infra/process.ts) makes its first attempt at a seeded offset
   * within retryPeriod, so the leader's renew loop, and the lease's expiry after a crash, sit at a phase of
   * their own in every seed rather than on the grid of t = 0.
   */
  protected runElector(retryPeriodMs: number): void {
    const delayMs = this.preexisting ? this.rng('leader-election/phase').int(0, Math.max(0, retryPeriodMs - 1)) : 0;
    this.elector!.run(delayMs);
  }

  /**
   * On acquiring: the Lease's first holder stands for a leader that has led since before t = 0, so the
   * loops it starts take seeded phases; a leader that took the lease over starts its loops at once.
   */
  protected phaseLoopsIfFirstHolder(): void {
    this.phaseLoops = this.preexisting && this.elector?.createdLease === true;
  }

  /** A crash: the process dies without releasing anything; whoever killed it brings it back. */
  override kill(reason: string): void {
    this.restarts.cancel();
    super.kill(reason);
  }

  /** Exits on its own (exit code 1) and lets the kubelet start it again after the back-off. */
  restart(reason = 'restart'): void {
    this.stop(reason);
    this.restarts.exited();
  }
}

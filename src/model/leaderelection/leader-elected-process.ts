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

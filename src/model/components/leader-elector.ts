// STUB (replaced by the control-plane HA work): client-go leader election. Until then every instance
// leads at once, which is only right for one replica.
import type { LeaderElectionConfig } from '../../scenario/types.js';
import type { Process } from './process.js';

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export class LeaderElector {
  isLeader = false;
  constructor(
    readonly proc: Process,
    readonly leaseName: string,
    readonly config: LeaderElectionConfig,
    readonly releaseOnCancel: boolean,
    private readonly cb: LeaderCallbacks,
  ) {}

  run(): void {
    this.isLeader = true;
    this.proc.ctx.trace.emit('leader.acquired', { component: this.proc.component, instance: this.proc.name });
    this.cb.onStartedLeading();
  }

  /** The process is stopping: release if configured (graceful), then forget. */
  stop(_graceful: boolean): void {
    if (this.isLeader) {
      this.isLeader = false;
      this.proc.ctx.trace.emit('leader.lost', { component: this.proc.component, instance: this.proc.name });
    }
  }
}

// kube-scheduler as a process (cmd/kube-scheduler/app/server.go): leader-elected on the
// kube-system/kube-scheduler Lease (leader-elector.ts, defaults 15 s / 10 s / 2 s) with ReleaseOnCancel=true;
// only the leader schedules. A new leader starts its informers and queues empty and schedules once they
// have synced.
//
// - shutdown() (SIGTERM): the context is cancelled, so the scheduler stops scheduling at once and the
//   elector releases the lease (holder "", leaseDurationSeconds 1) on the way out: a standby takes over
//   at its next retry, within retryPeriod·2.2 = 4.4 s. No restart: somebody stopped it on purpose.
// - Losing the lease (a renew round ran out): the elector tries to release, then "Leaderelection lost",
//   exit(1), and the host's kubelet restarts the static pod after the container restart back-off
//   (leader-restart-backoff.ts).
// - A crash (scheduler-crash, host power-off) is kill(): nothing is released; whoever killed it restarts it.
// Simplified: upstream starts the informers and waits for their sync before leader election, so a standby
// schedules as soon as it leads; here they start on acquiring the lease (one list round trip later).
import type { LeaderElectionConfig } from '../../k8s/config.js';
import type { Lease, Node, Pod } from '../../k8s/objects.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { Controller, ProcessContext } from '../controllermanager/controller.js';
import { LeaderElector } from '../leaderelection/leader-elector.js';
import { LeaderElectedProcess } from '../leaderelection/leader-elected-process.js';

export class SchedulerProcess extends LeaderElectedProcess {
  scheduler: Controller | undefined;

  constructor(
    ctx: ModelContext,
    host: Host,
    name: string,
    private readonly leaderElection: LeaderElectionConfig,
    private readonly factory: (ctx: ProcessContext) => Controller,
  ) {
    super(ctx, host, name, 'kube-scheduler');
  }

  protected onStart(): void {
    this.restarts.cancel();
    this.elector = new LeaderElector(this, 'kube-scheduler', this.leaderElection, true, {
      onStartedLeading: () => {
        this.phaseLoopsIfFirstHolder();
        this.startScheduling();
      },
      onStoppedLeading: () => this.restart('leaderelection lost'),
    });
    this.runElector(this.leaderElection.retryPeriodMs);
  }

  /** A graceful stop (SIGTERM): the scheduler releases its lease on the way out. */
  shutdown(): void {
    this.restarts.cancel();
    this.elector?.stop(true);
    this.stop('shutdown');
  }

  protected override onStop(_reason: string): void {
    this.elector?.stop(false);
    this.elector = undefined;
    this.scheduler = undefined;
  }

  private startScheduling(): void {
    const nodes = this.informer<Node>({ kind: 'Node' }, 'node-informer');
    const pods = this.informer<Pod>({ kind: 'Pod' }, 'pod-informer');
    // The scheduler does not watch node leases; an empty informer keeps the context shape.
    const nodeLeases = this.informer<Lease>({ kind: 'Lease', namespace: 'kube-node-lease' }, 'lease-informer');
    this.scheduler = this.factory({ proc: this, nodes, pods, nodeLeases });
    let waiting = 2;
    const synced = () => {
      if (--waiting === 0) this.scheduler?.start();
    };
    nodes.whenSynced(synced);
    pods.whenSynced(synced);
    nodes.start();
    pods.start();
  }
}

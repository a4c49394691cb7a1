// kube-scheduler as a process (cmd/kube-scheduler/app/server.go): leader-elected on the
// kube-system/kube-scheduler Lease with ReleaseOnCancel=true; only the leader schedules. A new leader
// starts its informers and queues empty and schedules once they have synced.
import type { LeaderElectionConfig } from '../../scenario/types.js';
import type { Lease, Node, Pod } from '../api/objects.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { ControllerFactory, Controller } from './controller.js';
import { LeaderElector } from './leader-elector.js';
import { Process } from './process.js';

export class SchedulerProcess extends Process {
  elector: LeaderElector | undefined;
  scheduler: Controller | undefined;

  constructor(
    ctx: ModelContext,
    host: Host,
    name: string,
    private readonly leaderElection: LeaderElectionConfig,
    private readonly factory: ControllerFactory,
  ) {
    super(ctx, host, name, 'kube-scheduler');
  }

  get isLeader(): boolean {
    return this.elector?.isLeader ?? false;
  }

  protected onStart(): void {
    this.elector = new LeaderElector(this, 'kube-scheduler', this.leaderElection, true, {
      onStartedLeading: () => this.startScheduling(),
      onStoppedLeading: () => this.stop('leaderelection lost'),
    });
    this.elector.run();
  }

  /** A graceful stop (SIGTERM): the scheduler releases its lease on the way out. */
  shutdown(): void {
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

// kube-controller-manager (cmd/kube-controller-manager/app/controllermanager.go): leader-elected on the
// kube-system/kube-controller-manager Lease; only the leader runs controllers. On acquiring the lease it
// starts shared informers and, once they have synced, every controller with empty in-memory state. It
// never releases the lease (ReleaseOnCancel unset) and exits when it loses it ("leaderelection lost").
import type { ControllerManagerConfig } from '../../scenario/types.js';
import type { Lease, Node, Pod } from '../api/objects.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { Controller, ControllerContext, ControllerFactory } from './controller.js';
import { LeaderElector } from './leader-elector.js';
import { Process } from './process.js';

export class ControllerManager extends Process {
  elector: LeaderElector | undefined;
  controllers: Controller[] = [];

  constructor(
    ctx: ModelContext,
    host: Host,
    name: string,
    private readonly config: ControllerManagerConfig,
    private readonly factories: ControllerFactory[],
  ) {
    super(ctx, host, name, 'kube-controller-manager');
  }

  get isLeader(): boolean {
    return this.elector?.isLeader ?? false;
  }

  protected onStart(): void {
    this.controllers = [];
    this.elector = new LeaderElector(this, 'kube-controller-manager', this.config.leaderElection, false, {
      onStartedLeading: () => this.startControllers(),
      onStoppedLeading: () => this.stop('leaderelection lost'),
    });
    this.elector.run();
  }

  protected override onStop(_reason: string): void {
    this.elector?.stop(false);
    this.elector = undefined;
    this.controllers = [];
  }

  private startControllers(): void {
    const nodes = this.informer<Node>({ kind: 'Node' }, 'node-informer');
    const pods = this.informer<Pod>({ kind: 'Pod' }, 'pod-informer');
    const nodeLeases = this.informer<Lease>({ kind: 'Lease', namespace: 'kube-node-lease' }, 'lease-informer');
    const cc: ControllerContext = { proc: this, nodes, pods, nodeLeases };
    this.controllers = this.factories.map((f) => f(cc));
    let waiting = 3;
    const synced = () => {
      if (--waiting === 0) for (const c of this.controllers) c.start();
    };
    nodes.whenSynced(synced);
    pods.whenSynced(synced);
    nodeLeases.whenSynced(synced);
    nodes.start();
    pods.start();
    nodeLeases.start();
  }
}

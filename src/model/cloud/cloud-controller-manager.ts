// cloud-controller-manager (k8s.io/cloud-provider app/controllermanager.go Run): leader-elected on the
// kube-system/cloud-controller-manager Lease (leader-elector.ts, defaults 15 s / 10 s / 2 s, no release on
// cancel), reaching the cluster only through the API server; only the leader runs controllers. hasim runs
// one of them, the cloud node lifecycle controller (cloud-node-lifecycle-controller.ts); the cloud node,
// route and service controllers are not modelled. As kube-controller-manager (controller-manager.ts) does:
// CONTROLLER_STARTUP_MS after acquiring the lease it starts its Node informer, and the controller at the
// first WaitForCacheSync poll after the informer has synced. Losing the lease exits (restart after the
// container back-off); a crash or power-off is kill().
import type { CloudControllerManagerConfig } from '../../k8s/config.js';
import type { Node } from '../../k8s/objects.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import { CACHE_SYNC_POLL_MS, CONTROLLER_STARTUP_MS } from '../controllermanager/controller-manager.js';
import { LeaderElector } from '../leaderelection/leader-elector.js';
import { LeaderElectedProcess } from '../leaderelection/leader-elected-process.js';
import type { CloudInstances } from './cloud-instances.js';
import { startCloudNodeLifecycleController } from './cloud-node-lifecycle-controller.js';

export const CLOUD_CONTROLLER_MANAGER = 'cloud-controller-manager';

export class CloudControllerManager extends LeaderElectedProcess {
  constructor(
    ctx: ModelContext,
    host: Host,
    name: string,
    private readonly config: CloudControllerManagerConfig,
    private readonly cloud: CloudInstances,
  ) {
    super(ctx, host, name, CLOUD_CONTROLLER_MANAGER);
  }

  protected onStart(): void {
    this.restarts.cancel();
    this.elector = new LeaderElector(this, CLOUD_CONTROLLER_MANAGER, this.config.leaderElection, false, {
      onStartedLeading: () => {
        this.phaseLoopsIfFirstHolder();
        this.after(CONTROLLER_STARTUP_MS, () => this.startControllers(), 'controller-startup');
      },
      onStoppedLeading: () => this.restart('leaderelection lost'),
    });
    this.runElector(this.config.leaderElection.retryPeriodMs);
  }

  protected override onStop(_reason: string): void {
    this.elector?.stop(false);
    this.elector = undefined;
  }

  private startControllers(): void {
    const nodes = this.informer<Node>({ kind: 'Node' }, 'node-informer');
    const startedMs = this.host.clock.monotonicNow();
    nodes.whenSynced(() => {
      const sinceMs = this.host.clock.monotonicNow() - startedMs;
      const pollMs = Math.max(CACHE_SYNC_POLL_MS, Math.ceil(sinceMs / CACHE_SYNC_POLL_MS) * CACHE_SYNC_POLL_MS);
      this.after(
        pollMs - sinceMs,
        () =>
          startCloudNodeLifecycleController(this, nodes, {
            nodeMonitorPeriodMs: this.config.nodeMonitorPeriodMs,
            instance: (n) => this.cloud.instance(n),
          }),
        'cache-sync',
      );
    });
    nodes.start();
  }
}

// kube-controller-manager (cmd/kube-controller-manager/app/controllermanager.go): leader-elected on the
// kube-system/kube-controller-manager Lease (leader-elector.ts, defaults 15 s / 10 s / 2 s); only the leader
// runs controllers. On acquiring the lease it builds its controller context, starts shared informers and,
// once they have synced, every controller with empty in-memory state (docs/fidelity.md#leader-change-resets-controller-state).
// It never releases the lease (ReleaseOnCancel unset), so even a clean stop leaves standbys waiting out
// the lease; when it loses the lease it logs "leaderelection lost" and exits, and the host's kubelet
// restarts the static pod after the container restart back-off (leader-restart-backoff.ts).
//
// Modelled start-up after acquiring: CONTROLLER_STARTUP_MS of local time for CreateControllerContext
// (waiting for the API server's /healthz, resource discovery for the REST mapper, building clients and
// controllers), then the informers list and watch over the simulated network, and the controllers start
// at the first 100 ms poll of WaitForCacheSync (syncedPollPeriod) after every informer has synced.
// A crash (controller-manager-crash, host power-off) is kill(): no release, no restart scheduled here.
import type { ControllerManagerConfig } from '../../k8s/config.js';
import type { Lease, Node, Pod } from '../../k8s/objects.js';
import type { WorkloadSpec } from '../../k8s/workloads.js';
import type { ServiceSpec } from '../../k8s/services.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { Controller, ControllerContext, ControllerFactory } from './controller.js';
import { LeaderElector } from '../leaderelection/leader-elector.js';
import { LeaderElectedProcess } from '../leaderelection/leader-elected-process.js';

/** Local ms from acquiring the lease to starting the informers (controller context construction). */
export const CONTROLLER_STARTUP_MS = 1_000;
/** client-go cache.WaitForCacheSync polls the informers' HasSynced every 100 ms. */
export const CACHE_SYNC_POLL_MS = 100;

export class ControllerManager extends LeaderElectedProcess {
  controllers: Controller[] = [];

  constructor(
    ctx: ModelContext,
    host: Host,
    name: string,
    private readonly config: ControllerManagerConfig,
    private readonly factories: ControllerFactory[],
    private readonly workloads: readonly WorkloadSpec[],
    private readonly services: readonly ServiceSpec[] = [],
  ) {
    super(ctx, host, name, 'kube-controller-manager');
  }

  protected onStart(): void {
    this.restarts.cancel();
    this.controllers = [];
    this.elector = new LeaderElector(this, 'kube-controller-manager', this.config.leaderElection, false, {
      onStartedLeading: () => {
        this.phaseLoopsIfFirstHolder();
        this.after(CONTROLLER_STARTUP_MS, () => this.startControllers(), 'controller-startup');
      },
      // klog "leaderelection lost" and exit(1); the kubelet restarts the container.
      onStoppedLeading: () => this.restart('leaderelection lost'),
    });
    this.runElector(this.config.leaderElection.retryPeriodMs);
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
    const cc: ControllerContext = {
      proc: this,
      nodes,
      pods,
      nodeLeases,
      config: this.config,
      workloads: this.workloads,
      services: this.services,
    };
    this.controllers = this.factories.map((f) => f(cc));
    const informersStartedMs = this.host.clock.monotonicNow();
    let waiting = 3;
    const synced = () => {
      if (--waiting > 0) return;
      // The first WaitForCacheSync poll that sees every informer synced.
      const sinceMs = this.host.clock.monotonicNow() - informersStartedMs;
      const pollMs = Math.max(CACHE_SYNC_POLL_MS, Math.ceil(sinceMs / CACHE_SYNC_POLL_MS) * CACHE_SYNC_POLL_MS);
      this.after(
        pollMs - sinceMs,
        () => {
          for (const c of this.controllers) c.start();
        },
        'cache-sync',
      );
    };
    nodes.whenSynced(synced);
    pods.whenSynced(synced);
    nodeLeases.whenSynced(synced);
    nodes.start();
    pods.start();
    nodeLeases.start();
  }
}

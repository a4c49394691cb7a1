// cluster-autoscaler as a process (kubernetes/autoscaler cluster-autoscaler/main.go): leader-elected on the
// kube-system/cluster-autoscaler Lease (leader-elector.ts, 15 s / 10 s / 2 s), run on a control-plane
// host and reaching the cluster only through the API server, so a control-plane outage stops it. The
// leader starts its Node and Pod informers and, once both have synced, runs RunOnce every --scan-interval
// (static-autoscaler.ts) with empty memory: a new leader forgets which nodes were unneeded since when.
// The node groups themselves live in the cloud (cloud/node-groups.ts) and outlast any leader.
import type { Node, Pod } from '../../k8s/objects.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { CloudNodeGroup } from '../cloud/node-groups.js';
import { CACHE_SYNC_POLL_MS } from '../controllermanager/controller-manager.js';
import { LeaderElector } from '../leaderelection/leader-elector.js';
import { LeaderElectedProcess } from '../leaderelection/leader-elected-process.js';
import type { ClusterAutoscalerConfig } from './options.js';
import { PodTracker } from './pod-tracker.js';
import { ACTOR, StaticAutoscaler } from './static-autoscaler.js';

export class ClusterAutoscaler extends LeaderElectedProcess {
  constructor(
    ctx: ModelContext,
    host: Host,
    name: string,
    private readonly config: ClusterAutoscalerConfig,
    private readonly groups: readonly CloudNodeGroup[],
    private readonly startNodes: ReadonlySet<string>,
  ) {
    super(ctx, host, name, ACTOR);
  }

  protected onStart(): void {
    this.restarts.cancel();
    this.elector = new LeaderElector(this, ACTOR, this.config.leaderElection, false, {
      onStartedLeading: () => {
        this.phaseLoopsIfFirstHolder();
        this.startAutoscaling();
      },
      onStoppedLeading: () => this.restart('leaderelection lost'),
    });
    this.runElector(this.config.leaderElection.retryPeriodMs);
  }

  protected override onStop(_reason: string): void {
    this.elector?.stop(false);
    this.elector = undefined;
  }

  private startAutoscaling(): void {
    const nodes = this.informer<Node>({ kind: 'Node' }, 'node-informer');
    const pods = this.informer<Pod>({ kind: 'Pod' }, 'pod-informer');
    const tracker = new PodTracker(pods);
    const autoscaler = new StaticAutoscaler(
      this,
      this.config,
      this.groups,
      nodes,
      pods,
      tracker,
      this.startNodes,
      this.rng('expander'),
    );
    const startedMs = this.host.clock.monotonicNow();
    let waiting = 2;
    const synced = () => {
      if (--waiting > 0) return;
      const sinceMs = this.host.clock.monotonicNow() - startedMs;
      const pollMs = Math.max(CACHE_SYNC_POLL_MS, Math.ceil(sinceMs / CACHE_SYNC_POLL_MS) * CACHE_SYNC_POLL_MS);
      this.after(
        pollMs - sinceMs,
        () => this.loop({ periodMs: this.config.scanIntervalMs, label: ACTOR }, () => autoscaler.runOnce()),
        'cache-sync',
      );
    };
    nodes.whenSynced(synced);
    pods.whenSynced(synced);
    nodes.start();
    pods.start();
  }
}

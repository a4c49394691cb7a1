// Fidelity note. The node lifecycle controller of kube-controller-manager, kubernetes/kubernetes
// pkg/controller/nodelifecycle/node_lifecycle_controller.go (docs/fidelity.md#node-lifecycle-controller). The decisions live in
// nlc-core.ts; this file runs them inside the elected KCM: the loops of `Run` (§2.2) on the KCM host's
// clock, the informer handlers, and the API calls.
// - monitorNodeHealth: sliding loop every nodeMonitorPeriod (default 5 s). A pass takes modelled time,
//   1 ms + 0.02 ms per node visited (docs/fidelity.md#loops-and-pass-time), so passes run every 5.001 s + ε and a dead node
//   goes Unknown at the 9th pass after the last renewal observed, 40–45 s after it with grace 40 s. Its
//   writes (node status, MarkPodsNotReady one pod at a time) go through the controller's client token
//   bucket (--kube-api-qps 20 / --kube-api-burst 30) on 8 workers, and the pass lasts until the last is
//   sent (pass-writes.ts, docs/fidelity.md#client-rate-limits).
// - doNoExecuteTaintingPass: every 100 ms (NodeEvictionPeriod), draining the per-zone queues; with the
//   nodeLifecycleIdleTainting fast path, passes that find every queue empty are not run
//   (idle-tainting-loop.ts).
// - doNodeProcessingPassWorker: NoSchedule condition taints on node add/update (not rate limited).
// - doPodProcessingWorker: a pod newly bound to a node known as not Ready is marked NotReady.
// Writes use the actor 'node-lifecycle-controller' (it names the writer in the trace).
// Simplified: the OS/arch label reconcile and node events are not modelled.
import { type Lease, type Node, type Pod, podStatus } from '../../k8s/objects.js';
import { podIndexFor } from '../apiserver/pods-by-node.js';
import { NodeLifecycleCore, type NlcEnv } from './nlc-core.js';
import { swapTaints } from './nlc-taints.js';
import { PassWrites } from './pass-writes.js';
import { IdleTaintingLoop } from './idle-tainting-loop.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ControllerContext,
} from '../controllermanager/controller.js';

export const NLC_ACTOR = 'node-lifecycle-controller';
/** NodeEvictionPeriod: how often the zone queues are drained. */
export const NODE_EVICTION_PERIOD_MS = 100;
/** Modelled cost of a monitorNodeHealth pass (docs/fidelity.md#loops-and-pass-time). */
export const PASS_BASE_MS = 1;
export const PASS_PER_NODE_MS = 0.02;

export function monitorPassMs(nodesVisited: number): number {
  return PASS_BASE_MS + PASS_PER_NODE_MS * nodesVisited;
}

export function nodeLifecycleController(ctx: ControllerContext): Controller {
  const { proc, nodes, pods } = ctx;
  const cfg = ctx.config;
  const index = podIndexFor(pods);

  const writes = new PassWrites(proc, cfg.kubeAPIQPS, cfg.kubeAPIBurst);
  const env = controllerEnv(ctx, index, writes);
  const core = new NodeLifecycleCore(cfg, env, proc.ctx.fastPaths.nodeLifecycleQuietNodes);
  let started = false;

  nodes.addHandlers({
    onAdd: (n) => started && core.onNodeChanged(n),
    onUpdate: (_prev, n) => started && core.onNodeChanged(n),
    onDelete: (n) => core.onNodeDeleted(n.metadata.name),
  });
  pods.addHandlers({
    onAdd: (p) => started && core.onPodBound(p),
    onUpdate: (prev, p) => {
      if (started && p.spec.nodeName !== undefined && prev.spec.nodeName !== p.spec.nodeName) core.onPodBound(p);
    },
  });

  return {
    name: 'node-lifecycle-controller',
    start() {
      started = true;
      // The node-update queue filled by the initial list is worked off now that the workers run.
      for (const n of [...nodes.cache.values()]) core.onNodeChanged(n);
      // The pass ends when its workers have sent their last rate-limited write (pass-writes.ts).
      proc.loop({ periodMs: cfg.nodeMonitorPeriodMs, label: 'nlc/monitor-node-health' }, () => {
        writes.begin();
        const visited = core.monitorNodeHealth();
        return monitorPassMs(visited) + writes.end();
      });
      // With the nodeLifecycleIdleTainting fast path the loop sleeps while every zone queue is empty
      // (idle-tainting-loop.ts); the reference runs a pass every NodeEvictionPeriod.
      if (proc.ctx.fastPaths.nodeLifecycleIdleTainting)
        new IdleTaintingLoop(proc, core, NODE_EVICTION_PERIOD_MS, 'nlc/no-execute-tainting');
      else
        proc.loop({ periodMs: NODE_EVICTION_PERIOD_MS, label: 'nlc/no-execute-tainting' }, () =>
          core.doNoExecuteTaintingPass(),
        );
    },
  };
}

/**
 * What the decision logic (nlc-core.ts) reads and does, through this controller's informers and API client:
 * every write is a call of the controller-manager process. With the nodeLifecycleLeaseSkip fast path, also
 * when each lease was delivered and the lease chains' state.
 */
function controllerEnv(ctx: ControllerContext, index: ReturnType<typeof podIndexFor>, writes: PassWrites): NlcEnv {
  const { proc, nodes, nodeLeases } = ctx;
  const trace = proc.ctx.trace;
  const t = CONTROLLER_REQUEST_TIMEOUT_MS;
  const env: NlcEnv = {
    now: () => proc.now(),
    nodes: () => nodes.cache.values(),
    node: (name) => nodes.cache.get(name),
    // The lease informer is scoped to kube-node-lease, so it keys leases by node name.
    lease: (name) => nodeLeases.get(name) as Lease | undefined,
    podsOnNode: (name) => index.podsOn(name),
    updateNodeStatus: (node, done) =>
      writes.write(node.metadata.name, () =>
        proc.call('nlc/update-node-status', t, (s) => s.update(node, NLC_ACTOR), done),
      ),
    markPodNotReady: (pod, done) =>
      writes.write(pod.spec.nodeName ?? '', () =>
        // The controller acts only on a failed mark: a success brings no answer event.
        proc.callForFailure(
          'nlc/mark-pod-not-ready',
          t,
          (s) =>
            s.update<Pod>(
              {
                ...pod,
                status: podStatus(pod.status.phase, false, pod.status.disruptionTarget, pod.status.startTimeMs),
              },
              NLC_ACTOR,
            ),
          done,
        ),
      ),
    swapNodeTaints: (name, add, remove, done) =>
      writes.write(name, () => {
        const nowMs = proc.now();
        proc.call(
          'nlc/swap-node-taints',
          t,
          (s) => s.patch<Node>('Node', name, (cur) => swapTaints(cur, add, remove, nowMs), NLC_ACTOR),
          (r) => done(r.ok),
        );
      }),
    deletePod: (pod, reason, done) =>
      writes.write(pod.spec.nodeName ?? '', () =>
        proc.call(
          'nlc/delete-pod',
          t,
          (s) => s.deletePod(pod.metadata.name, { reason, uid: pod.metadata.uid }, NLC_ACTOR),
          done,
        ),
      ),
    zoneStateChanged: (zone, from, to) => trace.emit('zone.state.changed', { zone, from, to }),
  };
  // With lease renewals played late (lease-chains.ts), a pass skips the leases of healthy nodes whose
  // grace period cannot run out, unless a host clock may be stepped (a renewTime may then go back).
  if (proc.ctx.fastPaths.nodeLifecycleLeaseSkip && !proc.ctx.world.clockStepsPossible) {
    env.leaseDeliveredAtMs = (name) => nodeLeases.deliveredAtMs(name);
    env.passAtMs = () => proc.ctx.sim.nowMs;
    const chains = proc.ctx.api.store.chains;
    env.leaseChain = (name) => chains.link(name);
    env.leaseChainsEpoch = () => chains.epoch;
    // A new watch moves the floor: its leases count from then on.
    env.leaseWatchFloorMs = () => (nodeLeases.watching ? nodeLeases.watchFloorAtMs : undefined);
  }
  return env;
}

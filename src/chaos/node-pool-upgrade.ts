// A managed node-pool upgrade (the `node-pool-upgrade` fault): the node group's VMs are replaced one by
// one by new ones of the same shape, as GKE's surge upgrade does (cloud.google.com/kubernetes-engine/docs/
// concepts/node-pool-upgrade-strategies, "Surge upgrades": `maxSurge` extra nodes may exist during the
// upgrade, `maxUnavailable` nodes may be unavailable at once, so maxSurge + maxUnavailable nodes are
// upgraded at the same time; default maxSurge 1, maxUnavailable 0) and an EKS managed node group update
// (docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html: a new node is launched
// before an old one is drained, up to the update config's maxUnavailable at once).
// For each old node, with at most maxSurge + maxUnavailable in progress and at most maxSurge extra nodes:
//   1. With a surge slot free: a replacement is provisioned first (model/infra/node-provisioning.ts: same
//      zone, labels, capacity and taints, a new name `<old>-u<n>`), and the upgrade waits until its Node is
//      Ready (a GET every 5 s from outside the cluster).
//   2. The old node is cordoned and drained with kubectl's drain logic (drain.ts: Eviction API, a refusal
//      by a PodDisruptionBudget retried every 5 s), for at most `drainTimeout` (GKE respects
//      PodDisruptionBudgets for up to 1 hour, then drains anyway; EKS gives up after 15 minutes and, with
//      force, goes on). When it passes, the upgrade goes on regardless (`node.drain.timedout`).
//   3. The old node's VM is terminated and its Node deleted (PodGC then deletes the pods still bound to it).
//   4. Without a surge slot (maxUnavailable): steps 2 and 3 first, then the replacement as in 1.
// Every API call comes from the operator host (the managed service's controller, outside the cluster).
// Traced: nodepool.upgrade.started, node.upgrade.started / node.upgrade.finished per old node (with its
// replacement), nodepool.upgrade.finished; the drain's own node.drain.* events carry the fault's name.
import type { Node } from '../k8s/objects.js';
import { readyCondition } from '../k8s/objects.js';
import type { NodeSpec } from '../k8s/workloads.js';
import type { Cluster } from '../model/cluster.js';
import { KUBECTL_REQUEST_TIMEOUT_MS, drainNode, setUnschedulable } from './drain.js';

/** How often the upgrade checks whether a replacement has become Ready. */
export const READY_POLL_MS = 5_000;
/** GKE's default: PodDisruptionBudgets are respected for up to 1 hour per node. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 3_600_000;
const ACTOR = 'node-pool-upgrade';

export interface UpgradeOptions {
  fault: string;
  /** Extra nodes allowed during the upgrade. */
  maxSurge: number;
  /** Nodes allowed to be unavailable at once. */
  maxUnavailable: number;
  /** Per node: how long PodDisruptionBudgets are respected before the node goes anyway. */
  drainTimeoutMs: number;
}

/** Replaces every node of `oldNodes` (sorted by name) as the header describes. */
export function upgradeNodePool(cluster: Cluster, oldNodes: readonly string[], opts: UpgradeOptions): void {
  new PoolUpgrade(cluster, oldNodes, opts).start();
}

class PoolUpgrade {
  private readonly specs: Map<string, NodeSpec>;
  private readonly queue: string[];
  private readonly parallel: number;
  private readonly startedMs: number;
  private active = 0;
  private surgeUsed = 0;
  private replaced = 0;

  constructor(
    private readonly cluster: Cluster,
    oldNodes: readonly string[],
    private readonly opts: UpgradeOptions,
  ) {
    this.specs = new Map(cluster.provisioner.nodes().map((n) => [n.name, n]));
    this.queue = [...oldNodes].sort();
    this.parallel = Math.max(1, opts.maxSurge + opts.maxUnavailable);
    this.startedMs = cluster.ctx.sim.nowMs;
  }

  start(): void {
    const { opts, queue } = this;
    const { trace } = this.cluster.ctx;
    trace.emit('nodepool.upgrade.started', {
      fault: opts.fault,
      nodes: queue.length,
      maxSurge: opts.maxSurge,
      maxUnavailable: opts.maxUnavailable,
    });
    if (queue.length === 0) {
      trace.emit('nodepool.upgrade.finished', { fault: opts.fault, nodes: 0, durationMs: 0 });
      return;
    }
    this.fill();
  }

  /** Step 1's wait: GET the Node until it is Ready. */
  private whenReady(name: string, then: () => void): void {
    const { sim, api } = this.cluster.ctx;
    api.request<Node>(
      this.cluster.operator,
      KUBECTL_REQUEST_TIMEOUT_MS,
      (s) => s.getNode(name),
      (r) => {
        const node = (r as { ok: boolean; value?: Node }).value;
        if (r.ok && node !== undefined && readyCondition(node)?.status === 'True') then();
        else sim.after(READY_POLL_MS, () => this.whenReady(name, then), `${ACTOR}/${this.opts.fault}/poll`);
      },
      `${ACTOR}/get node ${name}`,
    );
  }

  /** Step 1: a replacement of `old`'s shape, Ready. */
  private replacement(old: string, then: (name: string) => void): void {
    const spec = this.specs.get(old)!;
    const name = replacementName(old, (n) => this.cluster.ctx.hosts.has(n));
    this.cluster.provisioner.provision(replacementSpec(spec, name));
    this.whenReady(name, () => then(name));
  }

  /** Steps 2 and 3 for `old`. */
  private drainAndRemove(old: string, then: () => void): void {
    const { cluster, opts } = this;
    setUnschedulable(
      cluster,
      old,
      true,
      () =>
        drainNode(
          cluster,
          old,
          { fault: opts.fault, timeoutMs: opts.drainTimeoutMs, disableEviction: false, actor: ACTOR },
          () => {
            cluster.provisioner.terminate(old);
            cluster.provisioner.deleteNode(old, { host: cluster.operator, name: ACTOR }, () => then());
          },
        ),
      ACTOR,
    );
  }

  private finishNode(old: string, name: string, surge: boolean, nodeStartedMs: number): void {
    const { sim, trace } = this.cluster.ctx;
    const { opts } = this;
    trace.emit('node.upgrade.finished', {
      fault: opts.fault,
      node: old,
      replacement: name,
      durationMs: sim.nowMs - nodeStartedMs,
    });
    this.active--;
    if (surge) this.surgeUsed--;
    this.replaced++;
    if (this.queue.length === 0 && this.active === 0) {
      trace.emit('nodepool.upgrade.finished', {
        fault: opts.fault,
        nodes: this.replaced,
        durationMs: sim.nowMs - this.startedMs,
      });
      return;
    }
    this.fill();
  }

  private fill(): void {
    const { sim, trace } = this.cluster.ctx;
    while (this.active < this.parallel && this.queue.length > 0) {
      const old = this.queue.shift()!;
      const surge = this.surgeUsed < this.opts.maxSurge;
      this.active++;
      if (surge) this.surgeUsed++;
      const nodeStartedMs = sim.nowMs;
      trace.emit('node.upgrade.started', { fault: this.opts.fault, node: old, surge });
      if (surge)
        this.replacement(old, (name) =>
          this.drainAndRemove(old, () => this.finishNode(old, name, true, nodeStartedMs)),
        );
      else
        this.drainAndRemove(old, () =>
          this.replacement(old, (name) => this.finishNode(old, name, false, nodeStartedMs)),
        );
    }
  }
}

/** `<old>-u<n>`: the first generation not taken (a node replaced again keeps one suffix). */
export function replacementName(old: string, taken: (name: string) => boolean): string {
  const base = old.replace(/-u\d+$/, '');
  for (let n = 1; ; n++) {
    const name = `${base}-u${n}`;
    if (!taken(name)) return name;
  }
}

/** The old node's shape under a new name (its hostname label follows the name). */
function replacementSpec(old: NodeSpec, name: string): NodeSpec {
  const labels = { ...old.labels };
  if (labels['kubernetes.io/hostname'] !== undefined) labels['kubernetes.io/hostname'] = name;
  return {
    name,
    zone: old.zone,
    labels,
    capacity: { ...old.capacity },
    ...(old.taints ? { taints: old.taints.map((t) => ({ ...t })) } : {}),
  };
}

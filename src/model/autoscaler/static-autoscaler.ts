// One cluster-autoscaler leader's loop (cluster-autoscaler core/static_autoscaler.go, StaticAutoscaler.
// RunOnce), every --scan-interval from its informer caches. The numbered steps are RunOnce's:
// 1. clusterstate (clusterstate.ts): readiness of every node, each node group's upcoming and
//    long-unregistered VMs. VMs that never registered within --max-node-provision-time are deleted and
//    their group backed off (5 m, doubling to 30 m): the scale-up failed (deleteCreatedNodesWithErrors /
//    removeOldUnregisteredNodes, and the backoff of clusterstate's RegisterFailedScaleUp).
// 2. IsClusterHealthy false: nothing else this loop ("Cluster is not ready for autoscaling").
// 3. Unschedulable pods (the Pending ones), less those that fit a node already there or on its way
//    (core/podlistprocessor filterOutSchedulable, in a snapshot with a template node for each upcoming one).
// 4. Scale-up (core/scaleup/orchestrator ScaleUp): for each node group not backed off with room below its
//    maximum, the binpacking estimate (binpacking-estimator.ts) of the nodes it needs; the expander picks
//    one option (expander.ts); with --balance-similar-node-groups the new nodes are shared with its
//    similar groups; IncreaseSize.
// 5. Scale-down (core/scaledown: planner's unneeded nodes, then the actuator), unless a scale-up happened
//    within --scale-down-delay-after-add or a scale-down failed within 3 m: a Ready node of a group above
//    its minimum whose requests are below --scale-down-utilization-threshold of its capacity (the larger of
//    the cpu and memory shares; DaemonSet pods count) and whose other pods all fit elsewhere is unneeded; one
//    unneeded for --scale-down-unneeded-time is removed: tainted ToBeDeletedByClusterAutoscaler:NoSchedule,
//    its pods evicted through the Eviction API (PodDisruptionBudgets hold; a refused eviction is retried
//    every 10 s for --max-pod-eviction-time, 2 m, then the scale-down fails and the taint is removed), and
//    once they are gone its VM deleted (DeleteNodes). The Node object is left to the cloud node lifecycle
//    controller, as upstream.
// Simplified (docs/fidelity.md#cluster-autoscaler): Pending pods stand for unschedulable ones (hasim's
// scheduler does not write the PodScheduled=False condition); one node is scaled down at a time (upstream
// removes empty nodes in bulk and drains up to --max-drain-parallelism); no --max-nodes-total, resource
// limits, expendable pods, node-group health or scale-up-from-zero caching.
// A fast path (ScanReuse, fast-paths.ts autoscalerReusedScans) reuses a loop's snapshot results while
// nothing a snapshot holds has changed; docs/fidelity.md#cluster-autoscaler.
import { type Node, type Pod, readyCondition } from '../../k8s/objects.js';
import type { Rng } from '../../engine/index.js';
import { evictPod } from '../apiserver/eviction.js';
import { CONTROLLER_REQUEST_TIMEOUT_MS } from '../controllermanager/controller.js';
import type { Informer } from '../apiserver/informer.js';
import type { Process } from '../infra/process.js';
import type { CloudNodeGroup } from '../cloud/node-groups.js';
import { estimate, podEquivalenceGroups } from './binpacking-estimator.js';
import { countReadiness, groupState, isClusterHealthy, nodeReadiness, type GroupState } from './clusterstate.js';
import { balanceScaleUp, bestOption, similarTemplates, type ScaleUpOption } from './expander.js';
import {
  type ClusterAutoscalerConfig,
  EVICTION_RETRY_MS,
  INITIAL_NODE_GROUP_BACKOFF_MS,
  MAX_NODE_GROUP_BACKOFF_MS,
  MAX_POD_EVICTION_TIME_MS,
  SCALE_DOWN_DELAY_AFTER_FAILURE_MS,
  TO_BE_DELETED_TAINT,
} from './options.js';
import type { PodTracker } from './pod-tracker.js';
import { KnownRejections, SchedulingSnapshot, templateNode } from './snapshot.js';

export const ACTOR = 'cluster-autoscaler';
/** How often a scale-down drain checks whether the evicted pods are gone. */
const DRAIN_POLL_MS = 5_000;
/** The longest a scale-down waits for evicted pods to go (--max-graceful-termination-sec, 10 m). */
const MAX_GRACEFUL_TERMINATION_MS = 10 * 60_000;

interface Backoff {
  untilMs: number;
  durationMs: number;
}

/**
 * Whether a Node update changes what a scheduling snapshot holds of it (SchedulerCache.setNode: labels,
 * taints, unschedulable, capacity, the conditions' statuses); a status heartbeat does not.
 */
function nodeChanged(prev: Node, next: Node): boolean {
  if (prev.spec !== next.spec && JSON.stringify(prev.spec) !== JSON.stringify(next.spec)) return true;
  if (
    prev.metadata.labels !== next.metadata.labels &&
    JSON.stringify(prev.metadata.labels) !== JSON.stringify(next.metadata.labels)
  )
    return true;
  const a = prev.status;
  const b = next.status;
  if (a.capacity !== b.capacity && JSON.stringify(a.capacity) !== JSON.stringify(b.capacity)) return true;
  if (a.conditions.length !== b.conditions.length) return true;
  for (let i = 0; i < a.conditions.length; i++)
    if (a.conditions[i].type !== b.conditions[i].type || a.conditions[i].status !== b.conditions[i].status) return true;
  return false;
}

/**
 * A fast path (fast-paths.ts autoscalerReusedScans; the reference builds its snapshots at every loop): what
 * a loop works out from its snapshots depends only on the Nodes and Pods in its informer caches (as far as
 * a snapshot holds them: `inputs`), the upcoming nodes per group, and for an estimate the group's room. While
 * none of them changed, the last loop's unschedulable pods, estimates and unneeded nodes are the answer,
 * and no snapshot is built. The decisions made from them (backoff, expander draws, timers) run as always.
 */
interface ScanReuse {
  /** Pod and Node versions, and the upcoming nodes per group, the scale-up results were worked out for. */
  upKey: string;
  unschedulable: Pod[];
  /** By group: its room when estimated, and the estimate. */
  estimates: Map<string, { room: number; est: ReturnType<typeof estimate> }>;
  /** Pod and Node versions and the candidates the unneeded nodes were worked out for. */
  downKey: string;
  unneeded: ReadonlySet<string>;
}

export class StaticAutoscaler {
  private lastScaleUpMs = -Infinity;
  private lastScaleDownFailMs = -Infinity;
  private halted = false;
  /** Unneeded nodes and since when (planner's unneeded list): local ms. */
  private readonly unneededSince = new Map<string, number>();
  private readonly backoff = new Map<string, Backoff>();
  /** The node being scaled down, if any. */
  private deleting: string | undefined;
  /** Bumped at every Node change a snapshot could see. */
  private nodeVersion = 0;
  private reuse: ScanReuse = { upKey: '', unschedulable: [], estimates: new Map(), downKey: '', unneeded: new Set() };

  constructor(
    private readonly proc: Process,
    private readonly config: ClusterAutoscalerConfig,
    private readonly groups: readonly CloudNodeGroup[],
    private readonly nodes: Informer<Node>,
    private readonly pods: Informer<Pod>,
    private readonly tracker: PodTracker,
    /** Nodes present at the start of the run (never NotStarted: see clusterstate.ts). */
    private readonly preexisting: ReadonlySet<string>,
    private readonly rng: Rng,
  ) {
    const bump = () => this.nodeVersion++;
    nodes.addHandlers({
      onAdd: bump,
      onUpdate: (prev, next) => {
        if (nodeChanged(prev, next)) bump();
      },
      onDelete: bump,
      quiet: (prev, next) => !nodeChanged(prev, next),
    });
  }

  private get reusing(): boolean {
    return this.proc.ctx.fastPaths.autoscalerReusedScans;
  }

  private get knownRejections(): boolean {
    return this.proc.ctx.fastPaths.autoscalerKnownRejections;
  }

  private get trace() {
    return this.proc.ctx.trace;
  }

  /** Each group's state; VMs that never registered within maxNodeProvisionTime are deleted, the group backed off. */
  private clusterState(now: number, simNow: number): Map<string, GroupState> {
    const nodeCache = this.nodes.cache;
    const states = new Map<string, GroupState>();
    for (const g of this.groups) {
      const st = groupState(
        g.instances,
        (n) => {
          const node = nodeCache.get(n);
          return node && nodeReadiness(node, simNow, this.preexisting.has(n));
        },
        simNow,
        this.config.maxNodeProvisionTimeMs,
      );
      if (st.longUnregistered.length > 0) {
        const b = this.backoff.get(g.name);
        const durationMs = b ? Math.min(2 * b.durationMs, MAX_NODE_GROUP_BACKOFF_MS) : INITIAL_NODE_GROUP_BACKOFF_MS;
        this.backoff.set(g.name, { untilMs: now + durationMs, durationMs });
        g.deleteNodes(st.longUnregistered);
        this.trace.emit('nodegroup.scaleup.failed', {
          nodeGroup: g.name,
          nodes: st.longUnregistered,
          backoffMs: durationMs,
          reason: `no Node registered within maxNodeProvisionTime (${Math.round(this.config.maxNodeProvisionTimeMs / 1000)}s)`,
        });
        st.targetSize -= st.longUnregistered.length;
        st.longUnregistered = [];
      }
      states.set(g.name, st);
    }
    return states;
  }

  /** RunOnce; returns the modelled duration of the loop in local ms. */
  runOnce(): number {
    const now = this.proc.now();
    const simNow = this.proc.ctx.sim.nowMs;
    const nodeCache = this.nodes.cache;
    // 1. clusterstate.
    const states = this.clusterState(now, simNow);
    const readiness = countReadiness(
      [...nodeCache.values()].map((n) => nodeReadiness(n, simNow, this.preexisting.has(n.metadata.name))),
    );
    // 2. IsClusterHealthy.
    if (!isClusterHealthy(readiness, this.config)) {
      if (!this.halted) {
        this.halted = true;
        const pct = readiness.total > 0 ? Math.round((100 * readiness.unready) / readiness.total) : 0;
        this.trace.emit('autoscaler.halted', {
          reason: `${pct}% of nodes unready (${readiness.unready} of ${readiness.total}; maxTotalUnreadyPercentage ${this.config.maxTotalUnreadyPercentage}, okTotalUnreadyCount ${this.config.okTotalUnreadyCount})`,
          unready: readiness.unready,
          total: readiness.total,
        });
      }
      return 1 + Math.floor(readiness.total / 1000);
    }
    if (this.halted) {
      this.halted = false;
      this.trace.emit('autoscaler.resumed', { unready: readiness.unready, total: readiness.total });
    }
    let work = 1 + Math.floor(readiness.total / 1000);
    // 3. Unschedulable pods, less those that fit somewhere.
    let scaledUp = false;
    if (this.tracker.pending.size > 0) {
      const pending = [...this.tracker.pending.values()].sort((a, b) =>
        a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
      );
      const { unschedulable, snapshotFor } = this.unschedulable(pending, states);
      work += Math.floor((pending.length + this.pods.cache.size) / 1000);
      // 4. Scale-up.
      if (unschedulable.length > 0) scaledUp = this.scaleUp(snapshotFor, unschedulable, states, now, simNow);
    }
    if (scaledUp) this.lastScaleUpMs = now;
    // 5. Scale-down.
    if (this.config.scaleDownEnabled) {
      const cooldown =
        scaledUp ||
        now - this.lastScaleUpMs < this.config.scaleDownDelayAfterAddMs ||
        now - this.lastScaleDownFailMs < SCALE_DOWN_DELAY_AFTER_FAILURE_MS;
      if (cooldown) this.unneededSince.clear();
      else work += this.scaleDown(states, now);
    }
    return work;
  }

  /**
   * 3. The Pending pods that fit nowhere (filterOutSchedulable), and the snapshot with those that fit placed
   * in it, built when first needed (at once in the reference; see ScanReuse).
   */
  private unschedulable(
    pending: Pod[],
    states: ReadonlyMap<string, GroupState>,
  ): { unschedulable: Pod[]; snapshotFor: () => SchedulingSnapshot } {
    // The snapshot with the pods that fit placed, built when first needed (at once in the reference).
    let snapshot: SchedulingSnapshot | undefined;
    let unschedulable: Pod[];
    const upKey = `${this.tracker.version}/${this.nodeVersion}/${this.groups.map((g) => states.get(g.name)!.upcoming).join(',')}`;
    if (this.reusing && this.reuse.upKey === upKey) unschedulable = this.reuse.unschedulable;
    else {
      snapshot = this.snapshot(states);
      unschedulable = filterOutSchedulable(snapshot, pending, this.knownRejections);
      this.reuse.upKey = this.reusing ? upKey : '';
      this.reuse.unschedulable = unschedulable;
      this.reuse.estimates.clear();
    }
    const snapshotFor = () => {
      if (snapshot === undefined) {
        snapshot = this.snapshot(states);
        filterOutSchedulable(snapshot, pending, this.knownRejections);
      }
      return snapshot;
    };
    return { unschedulable, snapshotFor };
  }

  /**
   * The cluster's nodes and bound pods, with a template node for every upcoming node; a registered upcoming
   * node is left out, its template standing in for it (RunOnce's subtractNodesByName).
   */
  private snapshot(states: ReadonlyMap<string, GroupState>): SchedulingSnapshot {
    const replaced = new Set<string>();
    for (const st of states.values()) for (const n of st.registeredUpcoming) replaced.add(n);
    const nodes = [...this.nodes.cache.values()].filter((n) => replaced.size === 0 || !replaced.has(n.metadata.name));
    const snapshot = new SchedulingSnapshot(nodes, this.pods.cache.values());
    for (const g of this.groups) {
      const upcoming = states.get(g.name)!.upcoming;
      for (let k = 0; k < upcoming; k++) snapshot.addNode(templateNode(g.spec.template, `upcoming/${g.name}/${k}`));
    }
    return snapshot;
  }

  private scaleUp(
    snapshot: () => SchedulingSnapshot,
    unschedulable: Pod[],
    states: ReadonlyMap<string, GroupState>,
    now: number,
    simNow: number,
  ): boolean {
    const groups = podEquivalenceGroups(unschedulable);
    const options: ScaleUpOption[] = [];
    for (const g of this.groups) {
      if ((this.backoff.get(g.name)?.untilMs ?? -Infinity) > now) continue;
      const room = g.spec.maxSize - states.get(g.name)!.targetSize;
      if (room <= 0) continue;
      const kept = this.reuse.estimates.get(g.name);
      let est: ReturnType<typeof estimate>;
      if (this.reusing && kept !== undefined && kept.room === room) est = kept.est;
      else {
        est = estimate(snapshot(), groups, g.spec.template, (k) => `estimate/${g.name}/${k}`, room);
        this.reuse.estimates.set(g.name, { room, est });
      }
      if (est.nodeCount > 0)
        options.push({ group: g.name, nodeCount: est.nodeCount, pods: est.scheduledPods, template: g.spec.template });
    }
    if (options.length === 0) return false;
    const best = bestOption(this.config.expander, options, this.rng);
    let plan = new Map([[best.group, best.nodeCount]]);
    if (this.config.balanceSimilarNodeGroups) {
      const bestGroup = this.groups.find((g) => g.name === best.group)!;
      const similar = this.groups.filter(
        (g) =>
          (g === bestGroup || similarTemplates(g.spec.template, bestGroup.spec.template)) &&
          (this.backoff.get(g.name)?.untilMs ?? -Infinity) <= now,
      );
      plan = balanceScaleUp(
        similar.map((g) => ({ name: g.name, size: states.get(g.name)!.targetSize, maxSize: g.spec.maxSize })),
        best.nodeCount,
      );
    }
    const pods = best.pods.length;
    for (const g of this.groups) {
      const delta = plan.get(g.name);
      if (!delta) continue;
      const from = g.targetSize();
      const nodes = g.increaseSize(delta, simNow);
      this.trace.emit('nodegroup.scaled.up', {
        nodeGroup: g.name,
        from,
        to: g.targetSize(),
        pods,
        nodes,
        reason:
          `${pods} unschedulable pod${pods === 1 ? '' : 's'} (${[...new Set(best.pods.map((p) => p.metadata.workload))].join(', ')})` +
          ` fit ${best.nodeCount} new node${best.nodeCount === 1 ? '' : 's'} of ${best.group} (expander ${this.config.expander}` +
          (plan.size > 1 ? ', balanced across similar node groups' : '') +
          ')',
      });
    }
    return true;
  }

  /** Returns the modelled extra work of the pass. */
  private scaleDown(states: ReadonlyMap<string, GroupState>, now: number): number {
    if (this.deleting !== undefined) return 0;
    const nodeCache = this.nodes.cache;
    const candidates: Array<{ group: CloudNodeGroup; node: Node }> = [];
    for (const g of this.groups) {
      let removable = states.get(g.name)!.targetSize - g.spec.minSize;
      if (removable <= 0) continue;
      for (const inst of g.instances) {
        const node = nodeCache.get(inst.name);
        if (node === undefined || readyCondition(node)?.status !== 'True' || node.spec.unschedulable) continue;
        if (utilization(node, this.tracker) >= this.config.scaleDownUtilizationThreshold) continue;
        if (removable-- <= 0) break;
        candidates.push({ group: g, node });
      }
    }
    let seen = new Set<string>();
    let work = 0;
    if (candidates.length > 0) {
      work += Math.floor(this.pods.cache.size / 1000);
      const downKey = `${this.tracker.version}/${this.nodeVersion}/${candidates.map((c) => c.node.metadata.name).join(',')}`;
      if (this.reusing && this.reuse.downKey === downKey) seen = new Set(this.reuse.unneeded);
      else {
        // Can their pods go elsewhere? In one snapshot, candidate after candidate (as the planner does).
        const snapshot = new SchedulingSnapshot(nodeCache.values(), this.pods.cache.values());
        const removed = new Set<string>();
        for (const { node } of candidates) {
          const name = node.metadata.name;
          if (this.podsCanMove(snapshot, name, removed)) {
            removed.add(name);
            seen.add(name);
          }
        }
        this.reuse.downKey = this.reusing ? downKey : '';
        this.reuse.unneeded = new Set(seen);
      }
      for (const name of seen) if (!this.unneededSince.has(name)) this.unneededSince.set(name, now);
    }
    for (const name of [...this.unneededSince.keys()]) if (!seen.has(name)) this.unneededSince.delete(name);
    // The longest unneeded first, once it has been unneeded long enough.
    const due = [...this.unneededSince.entries()]
      .filter(([, since]) => now - since >= this.config.scaleDownUnneededTimeMs)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    if (due.length > 0) {
      const name = due[0][0];
      const group = candidates.find((c) => c.node.metadata.name === name)!.group;
      this.removeNode(group, name, now - due[0][1]);
    }
    return work;
  }

  /** Moves the node's pods (DaemonSet pods stay with it) to other nodes in the snapshot, if they all fit. */
  private podsCanMove(snapshot: SchedulingSnapshot, nodeName: string, removed: ReadonlySet<string>): boolean {
    const podNames = [...(this.tracker.usage.get(nodeName)?.pods ?? [])].sort();
    const moving = podNames
      .map((n) => this.pods.cache.get(n))
      .filter((p): p is Pod => p !== undefined && !p.metadata.workload.startsWith('DaemonSet/'));
    const except = new Set([...removed, nodeName]);
    const moved: string[] = [];
    for (const p of moving) {
      snapshot.unplace(p.metadata.name);
      const to = snapshot.fitsAnyNode(p, except);
      if (to === undefined) {
        // Put back what was moved: the node stays.
        for (const m of moved) snapshot.unplace(m);
        for (const q of moving) snapshot.place(q, nodeName);
        return false;
      }
      snapshot.place(p, to);
      moved.push(p.metadata.name);
    }
    return true;
  }

  /** The actuator: taint, evict, wait for the pods to go, delete the VM. */
  private removeNode(group: CloudNodeGroup, nodeName: string, unneededForMs: number): void {
    const proc = this.proc;
    this.deleting = nodeName;
    this.unneededSince.delete(nodeName);
    const startedMs = proc.now();
    const fail = (reason: string) => {
      this.trace.emit('nodegroup.scaledown.failed', { nodeGroup: group.name, node: nodeName, reason });
      this.lastScaleDownFailMs = proc.now();
      this.deleting = undefined;
      this.setTaint(nodeName, false);
    };
    this.setTaint(nodeName, true);
    const victims = [...(this.tracker.usage.get(nodeName)?.pods ?? [])]
      .sort()
      .filter((n) => !(this.pods.cache.get(n)?.metadata.workload.startsWith('DaemonSet/') ?? true));
    let left = victims.length;
    let failed = false;
    const evicted = () => {
      if (--left > 0 || failed) return;
      waitGone();
    };
    const evict = (name: string) => {
      if (failed) return;
      proc.call(
        `${ACTOR}/evict`,
        CONTROLLER_REQUEST_TIMEOUT_MS,
        (s) => evictPod(s, name, { reason: 'autoscaler-scale-down' }, ACTOR),
        (r) => {
          if (failed) return;
          if (r.ok || r.reason === 'NotFound') return evicted();
          if (proc.now() - startedMs >= MAX_POD_EVICTION_TIME_MS) {
            failed = true;
            return fail(`eviction of ${name} refused (${r.reason}) for maxPodEvictionTime (120s)`);
          }
          proc.after(EVICTION_RETRY_MS, () => evict(name), `${ACTOR}/evict-retry`);
        },
      );
    };
    const waitGone = () => {
      const still = victims.filter((n) => this.pods.cache.get(n)?.spec.nodeName === nodeName);
      if (still.length === 0 || proc.now() - startedMs >= MAX_GRACEFUL_TERMINATION_MS) {
        const from = group.targetSize();
        group.deleteNodes([nodeName]);
        this.deleting = undefined;
        this.trace.emit('nodegroup.scaled.down', {
          nodeGroup: group.name,
          node: nodeName,
          from,
          to: group.targetSize(),
          reason: `unneeded for ${Math.round(unneededForMs / 1000)}s (requests below ${Math.round(this.config.scaleDownUtilizationThreshold * 100)}% of its capacity and its pods fit elsewhere)`,
        });
        return;
      }
      proc.after(DRAIN_POLL_MS, waitGone, `${ACTOR}/drain-wait`);
    };
    if (victims.length === 0) waitGone();
    else for (const v of victims) evict(v);
  }

  private setTaint(nodeName: string, on: boolean): void {
    this.proc.call(`${ACTOR}/taint`, CONTROLLER_REQUEST_TIMEOUT_MS, (s) =>
      s.patch<Node>(
        'Node',
        nodeName,
        (cur) => {
          const has = cur.spec.taints.some((t) => t.key === TO_BE_DELETED_TAINT);
          if (has === on) return undefined;
          const taints = on
            ? [...cur.spec.taints, { key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' as const, timeAddedMs: s.nowMs() }]
            : cur.spec.taints.filter((t) => t.key !== TO_BE_DELETED_TAINT);
          return { ...cur, spec: { ...cur.spec, taints } };
        },
        ACTOR,
      ),
    );
  }
}

/** The larger of the node's requested cpu and memory shares (utilization.Calculate). */
export function utilization(node: Node, tracker: PodTracker): number {
  const u = tracker.usage.get(node.metadata.name);
  if (u === undefined) return 0;
  const cap = node.status.capacity;
  return Math.max(
    cap.cpuMilli > 0 ? u.cpuMilli / cap.cpuMilli : 0,
    cap.memoryBytes > 0 ? u.memoryBytes / cap.memoryBytes : 0,
  );
}

/**
 * filterOutSchedulable: each Pending pod that fits some node of the snapshot is placed there (so the next
 * sees the room it took) and dropped; the rest are unschedulable. Once a pod of a workload fits nowhere,
 * the workload's later pods are not tried (they are alike: the equivalence-group shortcut).
 */
export function filterOutSchedulable(
  snapshot: SchedulingSnapshot,
  pending: readonly Pod[],
  skipKnownRejections = false,
): Pod[] {
  const out: Pod[] = [];
  const hopeless = new Set<string>();
  const known = skipKnownRejections ? new KnownRejections() : undefined;
  for (const p of pending) {
    if (hopeless.has(p.metadata.workload)) {
      out.push(p);
      continue;
    }
    const to = known === undefined ? snapshot.fitsAnyNode(p) : snapshot.fitsAnyNodeKnown(p, known);
    if (to === undefined) {
      hopeless.add(p.metadata.workload);
      out.push(p);
    } else snapshot.place(p, to);
  }
  return out;
}

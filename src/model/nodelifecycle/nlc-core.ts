// Fidelity note. The decision logic of the node lifecycle controller, kubernetes/kubernetes
// pkg/controller/nodelifecycle/node_lifecycle_controller.go (monitorNodeHealth, tryUpdateNodeHealth,
// processTaintBaseEviction, markNodeForTainting, markNodeAsReachable, doNoExecuteTaintingPass,
// doNoScheduleTaintingPass, processPod, handleDisruption) and, for `evictionMode: legacy`, the pre-1.27
// processNoTaintBaseEviction / evictPods / doEvictionPass. docs/fidelity.md#node-lifecycle-controller, vectors V1–V17 and Z1–Z9.
//
// It knows neither the simulator nor the API server: everything it reads and writes goes through NlcEnv,
// so tests drive it with injected node/lease states and an injected controller clock, and the cluster
// wires it to informers and API calls (node-lifecycle-controller.ts).
//
// Kept exactly: nodeHealthData on the controller's own clock (remote heartbeat/renew times are compared for
// change only), the strict `>` on the grace period, the startup grace for nodes without a Ready condition,
// Ready + pressure conditions set Unknown in one UpdateStatus with the resourceVersion read, MarkPodsNotReady
// in the transition pass (with nodesToRetry), taint decisions on the status observed at the start of the
// pass, immediate not rate-limited swaps, markNodeAsReachable, per-zone RateLimitedTimedQueues, zone states
// with the all-zones-down rule and the fresh grace for every node when it ends, and the exclude-disruption
// label.
// Simplified: API writes are asynchronous and a failed write is not retried inside the pass (upstream polls
// up to 5 times 20 ms apart): the next pass decides again, which needs no extra state because nodeHealth is
// left as it was. The zone statistics of a pass count the status the pass wrote, even if the write fails.
// Per-node work runs serially in informer order (upstream: 8 goroutines; only the queue order of nodes
// enqueued in the same pass depends on it, and upstream's is random).
import type { ControllerManagerConfig } from '../../k8s/config.js';
import type { ZoneState } from '../../trace/events.js';
import type { ApiResult } from '../apiserver/store.js';
import type { ConditionStatus, Lease, Node, NodeCondition, NodeConditionType, Pod, Taint } from '../../k8s/objects.js';
import { LABEL_EXCLUDE_DISRUPTION, readyCondition } from '../../k8s/objects.js';
import { NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE, noScheduleTaintDiff, taintExists } from './nlc-taints.js';
import { RateLimitedTimedQueue } from './rate-limited-queue.js';
import { type ZoneCounts, computeZoneState, qpsForZoneState, zoneKey } from './zone-state.js';
import { workloadKindOf } from '../../k8s/workloads.js';

export type NlcConfig = Pick<
  ControllerManagerConfig,
  | 'nodeMonitorGracePeriodMs'
  | 'nodeStartupGracePeriodMs'
  | 'nodeEvictionRate'
  | 'secondaryNodeEvictionRate'
  | 'unhealthyZoneThreshold'
  | 'largeClusterSizeThreshold'
  | 'evictionMode'
  | 'podEvictionTimeoutMs'
>;

/** What the controller reads (its informers and clock) and writes (API calls; `done` runs when answered). */
export interface NlcEnv {
  /** The controller's local clock, in ms. */
  now(): number;
  nodes(): Iterable<Node>;
  node(name: string): Node | undefined;
  /** The kube-node-lease Lease of a node. */
  lease(nodeName: string): Lease | undefined;
  podsOnNode(nodeName: string): Iterable<Pod>;
  /** UpdateStatus with the resourceVersion of `node` (Conflict if it changed). */
  updateNodeStatus(node: Node, done: (r: ApiResult<Node>) => void): void;
  /** UpdateStatus of a pod with Ready=False (resourceVersion precondition); `done` may be left out for a success. */
  markPodNotReady(pod: Pod, done: (r: ApiResult<Pod>) => void): void;
  /** SwapNodeControllerTaint: add and remove taints on the current object. */
  swapNodeTaints(nodeName: string, add: Taint[], remove: Taint[], done: (ok: boolean) => void): void;
  /** DELETE with the pod's own grace period (legacy eviction). */
  deletePod(pod: Pod, reason: string, done: (r: ApiResult<unknown>) => void): void;
  zoneStateChanged(zone: string, from: ZoneState, to: ZoneState): void;
  /**
   * When the lease held for a node was delivered (virtual ms), and the virtual time of the pass: given
   * both, a pass skips a quiet Ready node's lease while its grace period cannot run out, and works out
   * later at which pass the controller saw the lease first (monitorNodeHealth). Left out when a lease's
   * renewTime may go back (a host clock stepped back): then every pass reads every lease.
   */
  leaseDeliveredAtMs?(nodeName: string): number | undefined;
  passAtMs?(): number;
  /**
   * The chain of the node's kubelet, when its renewals are played late (lease-chains.ts): while it is live,
   * its leases are delivered anew in every window of gapMs from sinceMs on (virtual ms), to a lease watch
   * that ran all that time. A pass can then skip the node's lease even past probe + grace, as long as the
   * pass that would have seen the oldest such lease is within the grace period. The controller keeps the
   * view until it is no longer live.
   */
  leaseChain?(nodeName: string): LeaseChainView | undefined;
  /** Since when (virtual ms) the lease informer's current watch delivers; undefined while it is not watching. */
  leaseWatchFloorMs?(): number | undefined;
  /** Changes whenever a lease chain ends or is replaced: a chain seen live is still live while it stays. */
  leaseChainsEpoch?(): number;
}

/** What the controller reads of a lease chain (NlcEnv.leaseChain). */
export interface LeaseChainView {
  readonly live: boolean;
  readonly sinceMs: number;
  readonly gapMs: number;
}

/** nodeHealthData: what the controller remembers of a node, on its own clock. */
export interface NodeHealth {
  readonly nodeName: string;
  probeTimestampMs: number;
  readyTransitionTimestampMs: number;
  /** The Ready condition of the status last taken in (undefined: none). */
  savedReady: NodeCondition | undefined;
  /** renewTime of the lease last taken in. */
  savedLeaseRenewMs: number | undefined;
  /**
   * Set by a pass that had nothing to do for the node: that Node object. While the informer still holds
   * the same object, a pass only takes in the lease and checks what could make it act (monitorNodeHealth).
   * Quiet Ready: no status write, no NoExecute taint, not queued, no pod-marking retry. Quiet Unknown
   * (quietQueue set): already Unknown, not tainted not-ready, in its zone's queue, no retry; tainted
   * unreachable, or not yet (quietRequeue).
   */
  quietNode: Node | undefined;
  /** A quiet Unknown node's zone queue (undefined: the node is quiet Ready). */
  quietQueue: RateLimitedTimedQueue | undefined;
  /**
   * A quiet Unknown node not tainted yet: every pass removes it from its zone queue and adds it again, as
   * markNodeForTainting does upstream (so it waits behind nodes added since).
   */
  quietRequeue: boolean;
  /** The number of the last pass that read the node's lease (NodeLifecycleCore.passes). */
  leaseReadPass: number;
  /** Its kubelet's lease chain as last asked (NlcEnv.leaseChain), while live. */
  chain: LeaseChainView | undefined;
  /**
   * The counts of the zone a quiet node counts in (undefined: excluded from disruption), kept to save a
   * lookup per pass (NodeLifecycleCore.countsOf).
   */
  quietCounts: PassZoneCounts | undefined;
}

/** A zone's counts, reused pass after pass: reset by the first node of the zone a pass counts. */
interface PassZoneCounts extends ZoneCounts {
  readonly zone: string;
  pass: number;
}

function newHealth(
  nodeName: string,
  probeTimestampMs: number,
  readyTransitionTimestampMs: number,
  savedReady: NodeCondition | undefined,
  savedLeaseRenewMs: number | undefined,
  leaseReadPass: number,
): NodeHealth {
  return {
    nodeName,
    probeTimestampMs,
    readyTransitionTimestampMs,
    savedReady,
    savedLeaseRenewMs,
    quietNode: undefined,
    quietQueue: undefined,
    quietRequeue: false,
    leaseReadPass,
    chain: undefined,
    quietCounts: undefined,
  };
}

/** Step 1 of tryUpdateNodeHealth: the Ready condition of a node whose kubelet never posted, Unknown since its creation. */
function neverPostedReady(createdMs: number): NodeCondition {
  return {
    type: 'Ready',
    status: 'Unknown',
    lastHeartbeatTimeMs: createdMs,
    lastTransitionTimeMs: createdMs,
    reason: '',
    message: '',
  };
}

/**
 * Step 4 of tryUpdateNodeHealth: the node's conditions with Ready and the pressure conditions set Unknown
 * (NodeStatusNeverUpdated for one the kubelet never posted, NodeStatusUnknown for one it stopped posting).
 */
function conditionsSetUnknown(node: Node, now: number): NodeCondition[] {
  const conditions = [...node.status.conditions];
  for (const type of UNKNOWN_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTimeMs: node.metadata.creationTimestampMs,
        lastTransitionTimeMs: now,
      });
    } else if (conditions[i].status !== 'Unknown') {
      conditions[i] = {
        ...conditions[i],
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTimeMs: now,
      };
    }
  }
  return conditions;
}

/** How many passes back a skipped lease can be worked out (a quiet node is read at least this often). */
const PASS_HISTORY = 64;

/** The result of tryUpdateNodeHealth. */
export interface HealthResult {
  /** Ready as observed at the start of the pass (a fake Unknown when the node never posted). */
  observed: NodeCondition;
  /** Ready after the pass's decision (undefined: no condition and still within the startup grace). */
  current: NodeCondition | undefined;
  /** The node to write with UpdateStatus, when Ready changed. */
  update?: Node;
}

const UNKNOWN_CONDITIONS: readonly NodeConditionType[] = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

type EvictionStatus = 'unmarked' | 'toBeEvicted' | 'evicted';

/** Whether the node carries one of the controller's NoExecute taints. */
function hasNoExecuteTaint(node: Node): boolean {
  const t = node.spec.taints;
  return t.length > 0 && (taintExists(t, UNREACHABLE_NO_EXECUTE) || taintExists(t, NOT_READY_NO_EXECUTE));
}

export class NodeLifecycleCore {
  readonly health = new Map<string, NodeHealth>();
  readonly zoneStates = new Map<string, ZoneState>();
  /** zoneNoExecuteTainter (taint mode) or zonePodEvictor (legacy mode). */
  readonly zoneQueues = new Map<string, RateLimitedTimedQueue>();
  private readonly knownNodes = new Set<string>();
  private readonly nodesToRetry = new Set<string>();
  private readonly evictionStatus = new Map<string, EvictionStatus>();
  private readonly noScheduleInFlight = new Set<string>();
  private readonly noScheduleDirty = new Set<string>();
  private readonly legacy: boolean;

  /**
   * @param quietNodes the nodeLifecycleQuietNodes fast path (fast-paths.ts): quiet nodes take the short
   *   path of monitorNodeHealth; without it every node takes the full path (the reference).
   */
  constructor(
    private readonly cfg: NlcConfig,
    private readonly env: NlcEnv,
    private readonly quietNodes = true,
  ) {
    this.legacy = cfg.evictionMode === 'legacy';
  }

  // ---- monitorNodeHealth ----

  /**
   * One pass over every node. Returns the number of nodes visited (the caller models pass time from it).
   *
   * A quiet node (NodeHealth.quietNode: the last pass had nothing to do for it, and its Node object has
   * not changed since) takes a short path that does exactly what the full one would: it takes in the
   * lease, and the status heartbeat is the one taken in. A quiet Ready node has no taint to remove, is not
   * queued and has no retry; past its grace period it takes the full path. A quiet Unknown node is
   * written already (an Unknown status is not written again), carries the unreachable taint, so nothing
   * is swapped, and stays in its zone queue, where adding it again does nothing; should it have left the
   * queue, it takes the full path. A quiet Unknown node not tainted yet is removed from its queue and
   * added again, as markNodeForTainting does on the full path. At 5,000 nodes this is most of every
   * pass, and during a zone outage every node of the zone (in a zone in full disruption they wait in
   * the queue untainted for hours).
   */
  monitorNodeHealth(): number {
    this.passZoneCounts.clear();
    let visited = 0;
    const now = this.env.now();
    const graceMs = this.cfg.nodeMonitorGracePeriodMs;
    const pass = ++this.passes;
    const passAtMs = this.env.passAtMs;
    if (passAtMs !== undefined) {
      this.passAt[pass % PASS_HISTORY] = passAtMs();
      this.passNow[pass % PASS_HISTORY] = now;
    }
    const skip = this.quietNodes && this.env.leaseDeliveredAtMs !== undefined && passAtMs !== undefined;
    for (const node of this.env.nodes()) {
      const at = visited++;
      if (this.quietNodes && this.shortPath(node, at, pass, now, graceMs, skip)) continue;
      this.fullPath(node, at, pass);
    }
    this.passOrder.length = visited;
    // 5. Zones.
    this.handleDisruption(this.passZoneCounts);
    return visited;
  }

  /**
   * The nodeLifecycleQuietNodes fast path for the node at position `at` of this pass: true when it was
   * decided here (a quiet node's lease taken in or skipped, and counted), false when the full path must
   * decide. Does exactly what the full path would for such a node (see monitorNodeHealth).
   */
  private shortPath(node: Node, at: number, pass: number, now: number, graceMs: number, skip: boolean): boolean {
    const skipped = this.skipped;
    const order = this.passOrder;
    // Skipped here last pass with this very object, and nothing has changed its record since: skipped
    // again as long as what made it skip holds (noteSkip), without reading the record.
    if (
      skip &&
      skipped.node[at] === node &&
      skipped.epoch[at] === this.skipEpoch &&
      pass <= skipped.untilPass[at] &&
      (now <= skipped.deadline[at] || this.stillRenewed(at, now, graceMs))
    ) {
      const c = skipped.counts[at];
      if (c !== undefined) this.touch(c, pass).ready++;
      return true;
    }
    skipped.node[at] = undefined;
    // The record at this position last pass is this node's when it is quiet with this very object
    // (records stop being quiet before they are replaced or dropped): no lookup by name.
    const last = order[at];
    if (last !== undefined && last.quietNode === node) {
      if (skip && this.skipLease(last, now, graceMs)) {
        this.noteSkip(at, node, last, graceMs);
        return true;
      }
      if (this.quietPass(last, now, graceMs)) return true;
    }
    const quiet = this.health.get(node.metadata.name);
    if (quiet !== undefined && quiet.quietNode === node && quiet !== last) {
      if (skip && this.skipLease(quiet, now, graceMs)) {
        order[at] = quiet;
        this.noteSkip(at, node, quiet, graceMs);
        return true;
      }
      if (this.quietPass(quiet, now, graceMs)) {
        order[at] = quiet;
        return true;
      }
    }
    return false;
  }

  /** The reference path of a pass for one node: steps 1-4 of monitorNodeHealth. */
  private fullPath(node: Node, at: number, pass: number): void {
    const name = node.metadata.name;
    // A quiet node's lease is taken in already, as it would be; it is no longer quiet.
    const quiet = this.health.get(name);
    if (quiet !== undefined) quiet.quietNode = undefined;
    const zone = zoneKey(node);
    // 1. classifyNodes: a node new to this controller gets a zone queue and is marked reachable.
    if (!this.knownNodes.has(name)) {
      this.knownNodes.add(name);
      this.addZoneIfNew(zone);
      if (this.legacy) this.cancelPodEviction(node);
      else this.markNodeAsReachable(node);
    }
    // 2. The health decision.
    const r = this.updateHealth(node, this.scratch);
    if (node.metadata.labels[LABEL_EXCLUDE_DISRUPTION] === undefined) {
      const c = this.countsOf(zone, pass);
      if (r.current?.status === 'True') c.ready++;
      else c.notReady++;
    }
    // 3-4. Write the status, then act on it (taints, queues) once written.
    const observed = r.observed;
    if (r.update) {
      this.env.updateNodeStatus(r.update, (res) => {
        if (!res.ok) return; // "no pods will be evicted" for this node this pass; the next pass decides again
        const h = this.health.get(name);
        if (h) {
          h.savedReady = readyCondition(res.value);
          h.readyTransitionTimestampMs = this.env.now();
        }
        this.afterHealth(res.value, observed, readyCondition(res.value));
      });
      return;
    }
    const current = r.current;
    this.afterHealth(node, observed, current);
    if (this.quietNodes) this.markQuiet(node, at, pass, zone, observed, current);
  }

  /**
   * Quiet from now on while this object stays (see monitorNodeHealth): nothing written, no retry pending,
   * and either Ready without NoExecute taints (markNodeAsReachable called nothing and emptied its queue
   * entry) or Unknown, tainted unreachable only and queued.
   */
  private markQuiet(
    node: Node,
    at: number,
    pass: number,
    zone: string,
    observed: NodeCondition | undefined,
    current: NodeCondition | undefined,
  ): void {
    const name = node.metadata.name;
    if (this.legacy || current === undefined || observed !== current || this.nodesToRetry.has(name)) return;
    const h = this.health.get(name);
    let quietQueue: RateLimitedTimedQueue | undefined;
    let quiet = false;
    let requeue = false;
    if (current.status === 'True') quiet = !hasNoExecuteTaint(node);
    else if (current.status === 'Unknown' && !taintExists(node.spec.taints, NOT_READY_NO_EXECUTE)) {
      // Tainted unreachable, or waiting in the queue to be (a zone in full disruption waits long).
      quietQueue = this.queueOf(node);
      quiet = quietQueue.has(name);
      requeue = !taintExists(node.spec.taints, UNREACHABLE_NO_EXECUTE);
    }
    if (h !== undefined && quiet) {
      h.quietNode = node;
      h.quietCounts =
        node.metadata.labels[LABEL_EXCLUDE_DISRUPTION] === undefined ? this.countsOf(zone, pass) : undefined;
      h.quietQueue = quietQueue;
      h.quietRequeue = requeue;
      this.passOrder[at] = h;
    }
  }

  /**
   * A quiet node's pass: takes in its lease, then returns false when the full path must decide (a quiet
   * Ready node past its grace period, a quiet Unknown node no longer in its zone queue), else counts it.
   */
  private quietPass(h: NodeHealth, now: number, graceMs: number): boolean {
    const lease = this.env.lease(h.nodeName);
    if (lease && (h.savedLeaseRenewMs === undefined || h.savedLeaseRenewMs < lease.spec.renewTimeMs)) {
      h.savedLeaseRenewMs = lease.spec.renewTimeMs;
      h.probeTimestampMs = this.probeTime(h, now);
    }
    h.leaseReadPass = this.passes;
    const queue = h.quietQueue;
    if (queue === undefined ? now > h.probeTimestampMs + graceMs : !queue.has(h.nodeName)) return false;
    if (h.quietRequeue) {
      queue!.remove(h.nodeName);
      queue!.add(h.nodeName, String(h.quietNode!.metadata.uid));
    }
    const c = this.quietCountsOf(h);
    if (c !== undefined) {
      if (queue === undefined) c.ready++;
      else c.notReady++;
    }
    return true;
  }

  /**
   * A quiet Ready node whose grace period cannot run out at this pass, whatever its lease says (the
   * probe timestamp only moves forward): its lease is not read, and the node counts Ready. Its lease is
   * read at a later pass, which works out when the controller first saw it (probeTime). So a healthy
   * node's lease is read about once per grace period instead of every pass, and its kubelet's renewals
   * are played in runs (lease-chains.ts).
   */
  private skipLease(h: NodeHealth, now: number, graceMs: number): boolean {
    if (h.quietQueue !== undefined || this.passes - h.leaseReadPass >= PASS_HISTORY - 1) return false;
    if (now > h.probeTimestampMs + graceMs && !this.renewedWithinGrace(h, now, graceMs)) return false;
    const c = this.quietCountsOf(h);
    if (c !== undefined) c.ready++;
    return true;
  }

  /**
   * Notes what made a pass skip the node at position `at` (skipLease): a later pass skips it again on
   * these alone while they hold. Until PASS_HISTORY - 2 passes after its lease was read; while the
   * controller's clock is within probe + grace, or else while its kubelet's chain (the same one: the
   * chains' epoch) has renewed within grace (renewedWithinGrace's window).
   */
  private noteSkip(at: number, node: Node, h: NodeHealth, graceMs: number): void {
    const skipped = this.skipped;
    skipped.node[at] = node;
    skipped.epoch[at] = this.skipEpoch;
    skipped.untilPass[at] = h.leaseReadPass + PASS_HISTORY - 2;
    skipped.deadline[at] = h.probeTimestampMs + graceMs;
    const chain = h.chain;
    const atMs = this.passAt[this.passes % PASS_HISTORY];
    const usable =
      chain !== undefined &&
      chain.live &&
      chain.sinceMs + chain.gapMs <= atMs &&
      this.env.leaseChainsEpoch !== undefined;
    skipped.gap[at] = usable ? chain.gapMs : -1;
    skipped.chainsEpoch[at] = usable ? this.env.leaseChainsEpoch!() : -1;
    skipped.counts[at] = h.quietCounts;
  }

  /** renewedWithinGrace for a node skipped at `at`, from what noteSkip kept. */
  private stillRenewed(at: number, now: number, graceMs: number): boolean {
    const skipped = this.skipped;
    const gapMs = skipped.gap[at];
    if (gapMs < 0 || skipped.chainsEpoch[at] !== this.env.leaseChainsEpoch!()) return false;
    return this.renewedOver(gapMs, now, graceMs);
  }

  /**
   * The probe timestamp for a lease read now that differs from the one last read: the controller's time
   * at the first pass since that read that saw it (a lease delivered at d is seen by a pass at d or
   * later), which is this pass unless passes skipped the node (skipLease).
   */
  private probeTime(h: NodeHealth, now: number): number {
    const deliveredAtMs = this.env.leaseDeliveredAtMs?.(h.nodeName);
    if (deliveredAtMs === undefined) return now;
    for (let p = h.leaseReadPass + 1; p < this.passes; p++) {
      const i = p % PASS_HISTORY;
      if (this.passAt[i] >= deliveredAtMs) return this.passNow[i];
    }
    return now;
  }

  /**
   * Whether the node's lease, whichever it is now, was first seen by a pass within the grace period: a
   * lease was delivered in the last gap ms (its chain's gap, NlcEnv.leaseChain), and the first pass at
   * or after that window's start is no more than graceMs ago on the controller's clock.
   */
  private renewedWithinGrace(h: NodeHealth, now: number, graceMs: number): boolean {
    let chain = h.chain;
    if (chain === undefined || !chain.live) h.chain = chain = this.env.leaseChain?.(h.nodeName);
    if (chain === undefined) return false;
    const gapMs = chain.gapMs;
    if (chain.sinceMs + gapMs > this.passAt[this.passes % PASS_HISTORY]) return false;
    return this.renewedOver(gapMs, now, graceMs);
  }

  /**
   * For a chain that has run for a whole window of gapMs (virtual): whether the informer's watch has too,
   * and the first pass of the window is within the grace period of now (the controller's clock).
   */
  private renewedOver(gapMs: number, now: number, graceMs: number): boolean {
    const floorMs = this.env.leaseWatchFloorMs?.();
    if (floorMs === undefined || floorMs + gapMs > this.passAt[this.passes % PASS_HISTORY]) return false;
    // Nodes whose clocks run alike share the gap: the window's first pass is worked out once a pass.
    if (this.windowPass !== this.passes || this.windowGapMs !== gapMs) {
      this.windowPass = this.passes;
      this.windowGapMs = gapMs;
      const fromMs = this.passAt[this.passes % PASS_HISTORY] - gapMs;
      const oldest = Math.max(1, this.passes - PASS_HISTORY + 1);
      let first = this.passes;
      while (first > oldest && this.passAt[(first - 1) % PASS_HISTORY] >= fromMs) first--;
      // A window reaching the oldest pass kept may start before the history: never fresh then.
      this.windowFirstNow = first === oldest ? -Infinity : this.passNow[first % PASS_HISTORY];
    }
    return now - this.windowFirstNow <= graceMs;
  }
  /** A zone's counts for this pass, the same record pass after pass (the first count of a pass resets it). */
  private countsOf(zone: string, pass: number): PassZoneCounts {
    let c = this.zoneCountRecords.get(zone);
    if (c === undefined) this.zoneCountRecords.set(zone, (c = { zone, ready: 0, notReady: 0, pass: -1 }));
    return this.touch(c, pass);
  }

  /** The counts a quiet node adds to (its zone's), without a lookup by zone once known. */
  private quietCountsOf(h: NodeHealth): PassZoneCounts | undefined {
    const c = h.quietCounts;
    return c === undefined ? undefined : this.touch(c, this.passes);
  }

  /** Resets a zone's counts at the first count of a pass, and enters them in the pass's map (in first-seen order). */
  private touch(c: PassZoneCounts, pass: number): PassZoneCounts {
    if (c.pass !== pass) {
      c.pass = pass;
      c.ready = 0;
      c.notReady = 0;
      this.passZoneCounts.set(c.zone, c);
    }
    return c;
  }
  private readonly zoneCountRecords = new Map<string, PassZoneCounts>();
  /** The zone counts of the pass running (handleDisruption reads them). */
  private readonly passZoneCounts = new Map<string, ZoneCounts>();

  /** What noteSkip kept, per position of the pass order. */
  private readonly skipped = {
    node: [] as Array<Node | undefined>,
    epoch: [] as number[],
    untilPass: [] as number[],
    deadline: [] as number[],
    gap: [] as number[],
    chainsEpoch: [] as number[],
    counts: [] as Array<PassZoneCounts | undefined>,
  };
  /** Bumped when a record's quiet state changes outside a pass: voids everything noteSkip kept. */
  private skipEpoch = 0;

  /** renewedWithinGrace's window for the pass and gap last asked: the first pass's controller time. */
  private windowPass = -1;
  private windowGapMs = -1;
  private windowFirstNow = -Infinity;

  /** Whether the last pass skipped the node's lease although the lease held now was there to be seen. */
  private seenAtLastPass(h: NodeHealth): boolean {
    const last = this.passes - 1;
    if (h.leaseReadPass >= last) return false;
    const deliveredAtMs = this.env.leaseDeliveredAtMs?.(h.nodeName);
    return deliveredAtMs !== undefined && this.passAt[last % PASS_HISTORY] >= deliveredAtMs;
  }

  /** Passes so far, and the virtual and controller times of the last PASS_HISTORY of them. */
  private passes = 0;
  private readonly passAt = new Float64Array(PASS_HISTORY);
  private readonly passNow = new Float64Array(PASS_HISTORY);

  /** Each position of the last pass's node order: the record of the node there, when it was left quiet. */
  private readonly passOrder: Array<NodeHealth | undefined> = [];

  /** tryUpdateNodeHealth (docs/fidelity.md#health-decision), numbered as there. */
  tryUpdateNodeHealth(node: Node): HealthResult {
    return this.updateHealth(node, { observed: undefined as unknown as NodeCondition, current: undefined });
  }

  /** The pass's own result record, reused node after node (read before the next node is decided). */
  private readonly scratch: HealthResult = {
    observed: undefined as unknown as NodeCondition,
    current: undefined,
    update: undefined,
  };

  /** tryUpdateNodeHealth writing its result into `out`. */
  private updateHealth(node: Node, out: HealthResult): HealthResult {
    const name = node.metadata.name;
    const now = this.env.now();
    const held = this.health.get(name);
    let h = held;
    const cur = readyCondition(node);
    let observed: NodeCondition;
    let graceMs: number;
    // 1. The observed condition: a fake Unknown stamped with the creation time if the kubelet never posted.
    if (!cur) {
      const created = node.metadata.creationTimestampMs;
      observed = neverPostedReady(created);
      graceMs = this.cfg.nodeStartupGracePeriodMs;
      if (h) h.savedReady = undefined;
      else h = newHealth(name, created, created, undefined, undefined, this.passes);
    } else {
      observed = cur;
      graceMs = this.cfg.nodeMonitorGracePeriodMs;
    }
    // 2. Refresh the probe timestamp when the status heartbeat changed (the saved status is the one taken in).
    const savedLeaseRenewMs = h?.savedLeaseRenewMs;
    h = this.statusTakenIn(name, h, cur, now);
    // 3. A renewed lease refreshes the probe timestamp too.
    this.leaseTakenIn(name, h, held, savedLeaseRenewMs, now);
    if (h !== held) {
      if (held !== undefined) held.quietNode = undefined;
      this.health.set(name, h);
    }
    // 4. Past the grace period (strict >): Ready and the pressure conditions become Unknown.
    out.observed = observed;
    out.current = cur;
    out.update = undefined;
    if (!(now > h.probeTimestampMs + graceMs)) return out;
    if (cur && cur.status === 'Unknown') return out;
    const update: Node = { ...node, status: { ...node.status, conditions: conditionsSetUnknown(node, now) } };
    out.current = readyCondition(update);
    out.update = update;
    return out;
  }

  /**
   * Step 2 of tryUpdateNodeHealth: the record to keep for the node's Ready condition `cur`, a new one
   * stamped now when there was none or the status heartbeat changed. As upstream, a replaced record forgets
   * the saved lease (its struct literal has no lease field), so the lease seen next counts as renewed once more.
   */
  private statusTakenIn(
    name: string,
    h: NodeHealth | undefined,
    cur: NodeCondition | undefined,
    now: number,
  ): NodeHealth {
    const saved = h?.savedReady;
    if (!h) return newHealth(name, now, now, cur, undefined, this.passes);
    if (!saved && cur) return newHealth(name, now, now, cur, undefined, this.passes);
    // Unreachable upstream (the saved status was just replaced by the one without Ready); kept as §2.3 lists it.
    if (saved && !cur) return newHealth(name, now, now, cur, undefined, this.passes);
    if (saved && cur && saved.lastHeartbeatTimeMs !== cur.lastHeartbeatTimeMs) {
      const transition = saved.lastTransitionTimeMs !== cur.lastTransitionTimeMs ? now : h.readyTransitionTimestampMs;
      return newHealth(name, now, transition, cur, undefined, this.passes);
    }
    return h;
  }

  /**
   * Step 3 of tryUpdateNodeHealth: a lease renewed since the one saved (`savedLeaseRenewMs`, read before
   * step 2) is saved in `h` and refreshes its probe timestamp; `held` is the record the pass started with.
   */
  private leaseTakenIn(
    name: string,
    h: NodeHealth,
    held: NodeHealth | undefined,
    savedLeaseRenewMs: number | undefined,
    now: number,
  ): void {
    const lease = this.env.lease(name);
    let seenRenewMs = savedLeaseRenewMs;
    if (lease && h !== held && held !== undefined && this.seenAtLastPass(held)) {
      // The last pass skipped a lease it would have taken in (skipLease): a record replaced now compares
      // with it, as it would have been saved.
      seenRenewMs = lease.spec.renewTimeMs;
    }
    if (lease && (seenRenewMs === undefined || seenRenewMs < lease.spec.renewTimeMs)) {
      h.savedLeaseRenewMs = lease.spec.renewTimeMs;
      // A record replaced at this pass has just been stamped now.
      h.probeTimestampMs = h === held ? this.probeTime(h, now) : now;
    }
    h.leaseReadPass = this.passes;
  }

  /** Steps 3–4 of a pass for one node, once its health is settled. */
  private afterHealth(node: Node, observed: NodeCondition, current: NodeCondition | undefined): void {
    const name = node.metadata.name;
    if (!current) {
      this.nodesToRetry.delete(name);
      return;
    }
    if (this.legacy) this.processNoTaintBaseEviction(node, observed);
    else this.processTaintBaseEviction(node, observed);
    const needsRetry = this.nodesToRetry.delete(name);
    if (current.status !== 'True' && (observed.status === 'True' || needsRetry)) this.markPodsNotReady(name);
  }

  /** MarkPodsNotReady: Ready=False on every ready pod of the node; a failure retries next pass. */
  private markPodsNotReady(nodeName: string): void {
    for (const pod of [...this.env.podsOnNode(nodeName)]) {
      if (pod.spec.nodeName !== nodeName || !pod.status.ready) continue;
      this.env.markPodNotReady(pod, (r) => {
        if (r.ok || r.reason === 'NotFound') return;
        this.nodesToRetry.add(nodeName);
        const h = this.health.get(nodeName);
        if (h !== undefined) h.quietNode = undefined;
        this.skipEpoch++;
      });
    }
  }

  // ---- NoExecute tainting (taint mode) ----

  private processTaintBaseEviction(node: Node, observed: NodeCondition): void {
    const name = node.metadata.name;
    switch (observed.status) {
      case 'False':
        if (taintExists(node.spec.taints, UNREACHABLE_NO_EXECUTE)) {
          this.env.swapNodeTaints(name, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], () => {});
        } else this.markNodeForTainting(node, 'False');
        break;
      case 'Unknown':
        if (taintExists(node.spec.taints, NOT_READY_NO_EXECUTE)) {
          this.env.swapNodeTaints(name, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], () => {});
        } else this.markNodeForTainting(node, 'Unknown');
        break;
      case 'True':
        this.markNodeAsReachable(node);
        break;
    }
  }

  private markNodeForTainting(node: Node, status: ConditionStatus): boolean {
    const q = this.queueOf(node);
    const name = node.metadata.name;
    if (status === 'False' && !taintExists(node.spec.taints, NOT_READY_NO_EXECUTE)) q.remove(name);
    if (status === 'Unknown' && !taintExists(node.spec.taints, UNREACHABLE_NO_EXECUTE)) q.remove(name);
    return q.add(name, String(node.metadata.uid));
  }

  /** Removes both NoExecute taints (one API call only if one is present) and drops the node from its queue. */
  markNodeAsReachable(node: Node): boolean {
    if (hasNoExecuteTaint(node)) {
      this.env.swapNodeTaints(node.metadata.name, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE], () => {});
    }
    return this.queueOf(node).remove(node.metadata.name);
  }

  /**
   * Told whenever a node goes into a zone queue's heap (set before the first pass): the
   * nodeLifecycleIdleTainting fast path wakes the pass on it (idle-tainting-loop.ts).
   */
  onQueueWork: (() => void) | undefined = undefined;

  /** No zone queue has a node waiting: a doNoExecuteTaintingPass now would take no token and do nothing. */
  taintingQueuesIdle(): boolean {
    for (const q of this.zoneQueues.values()) if (q.waiting > 0) return false;
    return true;
  }

  /** doNoExecuteTaintingPass (every 100 ms) or, in legacy mode, doEvictionPass. */
  doNoExecuteTaintingPass(): void {
    for (const [, q] of this.zoneQueues) {
      q.try((v) => {
        const node = this.env.node(v.value);
        if (this.legacy) {
          this.deletePods(v.value);
          this.evictionStatus.set(v.value, 'evicted');
          return { done: true };
        }
        if (!node) return { done: true };
        const cond = readyCondition(node);
        if (!cond) return { done: false, waitMs: 50 };
        let add: Taint;
        let opposite: Taint;
        if (cond.status === 'False') [add, opposite] = [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE];
        else if (cond.status === 'Unknown') [add, opposite] = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
        else return { done: true }; // ready again: nothing to taint
        this.env.swapNodeTaints(v.value, [add], [opposite], (ok) => {
          // Upstream's fn returns false on a failed swap: the node is retried at once (re-queued).
          if (!ok && q.has(v.value)) {
            q.remove(v.value);
            q.add(v.value, v.uid);
          }
        });
        return { done: true };
      });
    }
  }

  // ---- legacy eviction (evictionMode: legacy, versions < 1.27 with the taint manager disabled) ----

  private processNoTaintBaseEviction(node: Node, observed: NodeCondition): void {
    const h = this.health.get(node.metadata.name);
    if (!h) return;
    const now = this.env.now();
    switch (observed.status) {
      case 'False':
        if (now > h.readyTransitionTimestampMs + this.cfg.podEvictionTimeoutMs) this.evictPods(node);
        break;
      case 'Unknown':
        if (now > h.probeTimestampMs + this.cfg.podEvictionTimeoutMs) this.evictPods(node);
        break;
      case 'True':
        this.cancelPodEviction(node);
        break;
    }
  }

  private evictPods(node: Node): void {
    const name = node.metadata.name;
    if (this.evictionStatus.get(name) === 'evicted') {
      // Already evicted: pods bound since are deleted at once, without the rate limiter.
      this.deletePods(name);
      return;
    }
    this.evictionStatus.set(name, 'toBeEvicted');
    this.queueOf(node).add(name, String(node.metadata.uid));
  }

  private cancelPodEviction(node: Node): boolean {
    this.evictionStatus.set(node.metadata.name, 'unmarked');
    return this.queueOf(node).remove(node.metadata.name);
  }

  /** DeletePods: every pod of the node that is not already terminating and not a DaemonSet pod. */
  private deletePods(nodeName: string): void {
    for (const pod of [...this.env.podsOnNode(nodeName)]) {
      if (pod.spec.nodeName !== nodeName) continue;
      if (pod.metadata.deletionGracePeriodSeconds !== undefined) continue;
      if (workloadKindOf(pod.metadata.workload) === 'DaemonSet') continue;
      this.env.deletePod(pod, 'pod-eviction-timeout', () => {});
    }
  }

  // ---- event-driven work ----

  /** doNoScheduleTaintingPass for a node added or updated (deduplicated while a write is in flight). */
  onNodeChanged(node: Node): void {
    const name = node.metadata.name;
    if (this.noScheduleInFlight.has(name)) {
      this.noScheduleDirty.add(name);
      return;
    }
    const { add, remove } = noScheduleTaintDiff(node);
    if (add.length === 0 && remove.length === 0) return;
    this.noScheduleInFlight.add(name);
    this.env.swapNodeTaints(name, add, remove, () => {
      this.noScheduleInFlight.delete(name);
      if (this.noScheduleDirty.delete(name)) {
        const latest = this.env.node(name);
        if (latest) this.onNodeChanged(latest);
      }
    });
  }

  onNodeDeleted(name: string): void {
    const h = this.health.get(name);
    if (h !== undefined) h.quietNode = undefined;
    this.skipEpoch++;
    this.knownNodes.delete(name);
    this.health.delete(name);
    this.nodesToRetry.delete(name);
    this.evictionStatus.delete(name);
  }

  /** processPod: a pod newly bound to a node the controller knows as not Ready is marked NotReady. */
  onPodBound(pod: Pod): void {
    const nodeName = pod.spec.nodeName;
    if (nodeName === undefined) return;
    const saved = this.health.get(nodeName)?.savedReady;
    if (!saved || saved.status === 'True' || !pod.status.ready) return;
    this.env.markPodNotReady(pod, () => {});
  }

  // ---- zones ----

  private addZoneIfNew(zone: string): void {
    if (this.zoneStates.has(zone)) return;
    this.zoneStates.set(zone, 'Initial');
    if (!this.zoneQueues.has(zone)) {
      const q = new RateLimitedTimedQueue(() => this.env.now(), this.cfg.nodeEvictionRate);
      q.onPush = () => this.onQueueWork?.();
      this.zoneQueues.set(zone, q);
    }
  }

  private queueOf(node: Node): RateLimitedTimedQueue {
    const zone = zoneKey(node);
    let q = this.zoneQueues.get(zone);
    if (!q) {
      this.addZoneIfNew(zone);
      q = this.zoneQueues.get(zone)!;
    }
    return q;
  }

  private setZoneState(zone: string, to: ZoneState): void {
    const from = this.zoneStates.get(zone) ?? 'Initial';
    this.zoneStates.set(zone, to);
    if (from !== to) this.env.zoneStateChanged(zone, from, to);
  }

  private setLimiterInZone(zone: string, zoneSize: number, state: ZoneState): void {
    const qps = qpsForZoneState(state, zoneSize, this.cfg);
    if (qps !== undefined) this.zoneQueues.get(zone)?.swapLimiter(qps);
  }

  /** handleDisruption (docs/fidelity.md#zone-states-and-rate-limiting). */
  private handleDisruption(zoneCounts: Map<string, ZoneCounts>): void {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, counts] of zoneCounts) {
      const s = computeZoneState(counts, this.cfg.unhealthyZoneThreshold);
      if (s !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(zone, s);
      if (!this.zoneStates.has(zone)) this.addZoneIfNew(zone);
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneCounts.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') allWasFullyDisrupted = false;
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      // Every zone is down: probably the control plane's own network. Undo tainting and stop it everywhere.
      for (const node of this.env.nodes()) {
        if (this.legacy) this.cancelPodEviction(node);
        else this.markNodeAsReachable(node);
      }
      for (const zone of this.zoneStates.keys()) this.zoneQueues.get(zone)?.swapLimiter(0);
      for (const zone of [...this.zoneStates.keys()]) this.setZoneState(zone, 'FullDisruption');
      return;
    }
    if (allWasFullyDisrupted) {
      // Leaving the all-zones-down mode: every node gets a fresh grace period from now.
      const now = this.env.now();
      for (const node of this.env.nodes()) {
        const h = this.health.get(node.metadata.name);
        if (h) {
          h.probeTimestampMs = now;
          h.readyTransitionTimestampMs = now;
        }
      }
      for (const zone of [...this.zoneStates.keys()]) {
        const s = newStates.get(zone)!;
        const c = zoneCounts.get(zone)!;
        this.setLimiterInZone(zone, c.ready + c.notReady, s);
        this.setZoneState(zone, s);
      }
      return;
    }
    for (const [zone, state] of [...this.zoneStates]) {
      const s = newStates.get(zone)!;
      if (s === state) continue;
      const c = zoneCounts.get(zone)!;
      this.setLimiterInZone(zone, c.ready + c.notReady, s);
      this.setZoneState(zone, s);
    }
  }
}

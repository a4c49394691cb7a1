// kube-scheduler's cache and snapshot (pkg/scheduler/backend/cache): per-node requested resources and
// pod counts, kept incrementally from the pod informer plus the pods the scheduler has assumed (bound in
// its own mind before the API server confirms), and, for the selectors of PodTopologySpread, each
// workload's active pods per node and per value of every topology key a constraint has asked about
// (DomainCounts). Pods are matched by workload: every pod of a workload has the same labels and namespace
// (PodGroup), so a selector is evaluated once per workload, not once per pod. Nothing here scans every
// pod: each informer event costs O(1) per topology key in use.
// For the scheduler's hot loop it also keeps the filter's per-node fields in typed records by nodeTree
// position (NodeColumns), with NodeResourcesFit's fit and the profile's resource scores (plugins/
// node-resources-*.ts) memoized per node or indexed per request (FitIndex: the accelerator's, see
// accelerator.ts), and versions the reused failed verdicts' checks (filterGen, zoneVersion). For the
// scheduler's fast paths it also keeps, on demand, a topology key's values by node position
// (ValueColumn), a workload's active pods by position (workloadColumn: PodTopologySpread's scoreAll) and
// the nodes whose value of a key holds a workload's pods as a bitset (heldBits: InterPodAffinity's word
// form), each updated by the pod events and rebuilt when the node order changes.
//
// Fidelity notes:
// - A pod occupies its node's resources until its object is removed, Terminating or not, as upstream's
//   cache does. PodTopologySpread counts only pods without a deletionTimestamp (countPodsMatchSelector),
//   and only those on nodes the cache has (upstream iterates the snapshot's nodes).
// - A StatefulSet pod's own statefulset.kubernetes.io/pod-name label is left out of its group's labels:
//   a selector on that label is evaluated as if no pod had it.
// - The node order for sampling is upstream's nodeTree: zones taken round-robin (zone-a node 1,
//   zone-b node 1, ..., zone-a node 2, ...), so a sample of nodes covers every zone. Zones and the nodes
//   in each are in name order (upstream: insertion order).
import { type Node, type Pod, readyCondition, zoneOf } from '../../k8s/objects.js';
import type { Affinity } from '../../k8s/scheduling.js';

/** The label the StatefulSet controller gives each pod its own value of; not part of a PodGroup's labels. */
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

type Labels = Node['metadata']['labels'];

/** A node added (no `before`), removed (no `after`) or relabelled: its labels before and after. */
export interface NodeLabelChange {
  readonly name: string;
  readonly before: Labels | undefined;
  readonly after: Labels | undefined;
}

/** How many label changes the log keeps at least (a reader further behind walks the nodes again). */
const LABEL_LOG_KEEP = 256;

/** The pods of one workload as selectors see them (one per workload, in order of first appearance). */
export interface PodGroup {
  readonly workload: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The pods' spec.affinity (every pod of a workload has the same). */
  readonly affinity: Affinity | undefined;
}

/**
 * Pods of each workload per value of one topology key, over the nodes in the cache that have the key:
 * the active ones (PodTopologySpread counts them) and all of them, Terminating included (InterPodAffinity
 * counts those). Kept current by every pod and node event once a plugin has asked for the key.
 */
export class DomainCounts {
  /** workload -> topology value -> active pods on nodes with that value. */
  readonly byWorkload = new Map<string, Map<string, number>>();
  /** workload -> topology value -> every pod the cache accounts on nodes with that value. */
  readonly allByWorkload = new Map<string, Map<string, number>>();

  constructor(readonly key: string) {}

  get(workload: string, value: string): number {
    return this.byWorkload.get(workload)?.get(value) ?? 0;
  }

  getAll(workload: string, value: string): number {
    return this.allByWorkload.get(workload)?.get(value) ?? 0;
  }

  /** The workload's counts of every pod by value (an empty map if it has none yet; valid until the cache changes). */
  allOf(workload: string): ReadonlyMap<string, number> {
    return this.allByWorkload.get(workload) ?? NO_COUNTS;
  }

  /** Whether the workload has a pod on any node with the key. */
  anyAll(workload: string): boolean {
    const m = this.allByWorkload.get(workload);
    if (m) for (const n of m.values()) if (n > 0) return true;
    return false;
  }

  bump(workload: string, value: string, delta: number): void {
    bumpIn(this.byWorkload, workload, value, delta);
  }

  /** Returns the workload's new count of every pod at the value. */
  bumpAll(workload: string, value: string, delta: number): number {
    return bumpIn(this.allByWorkload, workload, value, delta);
  }

  /** By workload: the nodes whose value has one of its pods (SchedulerCache.heldBits), for the workloads asked about. */
  readonly held = new Map<string, { bits: Uint32Array; gen: number }>();
}

const NO_COUNTS: ReadonlyMap<string, number> = new Map();

function bumpIn(maps: Map<string, Map<string, number>>, workload: string, value: string, delta: number): number {
  let m = maps.get(workload);
  if (!m) maps.set(workload, (m = new Map()));
  const n = (m.get(value) ?? 0) + delta;
  m.set(value, n);
  return n;
}

/** Sets (or clears) in `bits` the positions of the nodes with value v in the column. */
function markValue(col: ValueColumn, v: string, bits: Uint32Array, on: boolean): void {
  const id = col.idOf.get(v);
  if (id === undefined) return;
  const { start, positions } = col;
  for (let k = start[id]; k < start[id + 1]; k++) {
    const p = positions[k];
    if (on) bits[p >>> 5] |= 1 << (p & 31);
    else bits[p >>> 5] &= ~(1 << (p & 31));
  }
}

export class NodeInfo {
  node: Node | undefined;
  zone = '';
  /** A small integer per zone name (SchedulerCache.zoneIdOf): lets a cycle memoize per zone in an array. */
  zoneId = -1;
  ready = false;
  unschedulable = false;
  taints: Node['spec']['taints'] = [];
  labels: Node['metadata']['labels'] = {};
  cpuCapMilli = 0;
  memCapBytes = 0;
  podCap = 0;
  cpuUsedMilli = 0;
  memUsedBytes = 0;
  /**
   * A small integer per distinct taint list (key, value, effect, in order; SchedulerCache.taintSets):
   * 0 for none. The filter decides tolerations once per taint list and cycle instead of once per node.
   */
  taintSetId = 0;
  /** The node has a PreferNoSchedule taint (TaintToleration's Score reads those). */
  preferNoSchedule = false;
  podCount = 0;
  /** Position in order() (and in NodeColumns) while the order is current, else -1. */
  pos = -1;
  /** Active pods per workload on this node (for the topology spread counts). */
  readonly workloadCounts = new Map<string, number>();
  /** Every accounted pod per workload on this node, Terminating included (for inter-pod affinity). */
  readonly podsByWorkload = new Map<string, number>();
  constructor(readonly name: string) {}
}

export const COL_READY = 1;
export const COL_UNSCHEDULABLE = 2;
export const COL_NO_ZONE = 4;
/** HOT_META holds the COL_ flags in its low bits and the zone id above them. */
export const META_ZONE_SHIFT = 3;
export const FIT_TOO_MANY_PODS = 1;
export const FIT_CPU = 2;
export const FIT_MEMORY = 4;
/**
 * HOT_MEMO holds the score in its low bits and the FIT_ bits above them. The resource score (the weighted
 * sum of the profile's resource scores, framework.ts) is at most MEMO_SCORE_MASK: the framework checks.
 */
export const MEMO_FIT_SHIFT = 8;
export const MEMO_SCORE_MASK = 0xff;

/** The Int32 record of a node in NodeColumns.hot, HOT_STRIDE ints per node. */
export const HOT_STRIDE = 4;
/** COL_ flags | zone id << META_ZONE_SHIFT. */
export const HOT_META = 0;
/** SchedulerCache.taintSets id. */
export const HOT_TAINTS = 1;
/**
 * The scheduler's NodeResourcesFit memo: the request id (one per distinct cpu/memory request) that
 * HOT_MEMO was computed for, -1 for none.
 */
export const HOT_MEMO_REQ = 2;
/** Insufficient resources (FIT_ bits) << MEMO_FIT_SHIFT | score, for the request HOT_MEMO_REQ. */
export const HOT_MEMO = 3;

/** The scores a memo can hold (0..MEMO_SCORE_MASK): a FitIndex keeps a bitset per score. */
export const SCORE_LEVELS = MEMO_SCORE_MASK + 1;

/**
 * NodeResourcesFit for one request (cpu, memory) on every node of order(), kept current by NodeColumns:
 * bit p % 32 of fits[p >>> 5] is set if the node at position p has room, and then scores[p] is its score.
 * The filter skips the nodes without room 32 at a time and reads a fitting node's score from one byte.
 * The fitting nodes are also kept by score, a bitset per score (levels[s], created on first use) with a
 * count per score: the filter finds the best score among the nodes it examines a word at a time.
 */
export class FitIndex {
  fits = new Uint32Array(0);
  scores = new Uint8Array(0);
  levels: Array<Uint32Array | undefined> = [];
  levelCounts = new Int32Array(SCORE_LEVELS);
  /** The nodes without room, by what they lack (FIT_TOO_MANY_PODS, FIT_CPU, FIT_MEMORY): a node may be in several. */
  tooManyPods = new Uint32Array(0);
  noCpu = new Uint32Array(0);
  noMemory = new Uint32Array(0);
  constructor(
    readonly cpuMilli: number,
    readonly memBytes: number,
  ) {}
}

/**
 * The fields of the nodes in order() that the filter and score loop reads, in typed arrays indexed by
 * position in that order. Kept in step with the NodeInfos by the cache.
 *
 * At 5,000 nodes a cycle examines ~900 nodes that the rest of the simulation has pushed out of the CPU
 * caches since the last visit, so the loop is bound by memory traffic: what it reads of a node fits in one
 * 16-byte record (`hot`). The resource fit and the score depend only on the node's capacity and usage and
 * the pod's requests; they are memoized in the record per request and reset whenever capacity or usage
 * change. Nodes are revisited every few cycles with usage mostly unchanged, so the six resource columns
 * (48 bytes) are read only on a miss.
 *
 * The filter's pod-independent verdicts are also kept as bitsets over positions (bit p % 32 of word
 * p >>> 5), so that the filter can skip the nodes a pod cannot use 32 at a time: which nodes are Ready,
 * which are "plain" (schedulable, untainted: only NodeAffinity, NodeResourcesFit and
 * PodTopologySpread can reject them), which are in each zone, and for a few requests which have room
 * (fitIndexes). Bits at positions past the last node are clear.
 */
export class NodeColumns {
  hot = new Int32Array(0);
  podCount = new Float64Array(0);
  podCap = new Float64Array(0);
  cpuUsed = new Float64Array(0);
  cpuCap = new Float64Array(0);
  memUsed = new Float64Array(0);
  memCap = new Float64Array(0);
  ready = new Uint32Array(0);
  plain = new Uint32Array(0);
  /** By zone id: the nodes of that zone (a node without a zone is in none). */
  readonly zones: Uint32Array[] = [];
  /** The requests the scheduler indexes (addFitIndex); each costs a fit and score at every usage change. */
  readonly fitIndexes: FitIndex[] = [];
  /**
   * The score of a node from its capacity and requests with the pod's added: the weighted sum of the
   * profile's resource scores (framework.ts Framework.resourceScore), set before any memo is computed.
   */
  resourceScore: (cpuCap: number, memCap: number, cpuReq: number, memReq: number) => number = () => {
    throw new Error('scheduler cache: no resource score set');
  };

  /** Makes room for n nodes and clears the bitsets: order() then writes every node and calls forgetMemo. */
  reset(n: number): void {
    if (this.podCount.length < n) {
      const cap = Math.max(n, this.podCount.length * 2);
      const words = (cap + 31) >>> 5;
      this.hot = new Int32Array(cap * HOT_STRIDE);
      this.podCount = new Float64Array(cap);
      this.podCap = new Float64Array(cap);
      this.cpuUsed = new Float64Array(cap);
      this.cpuCap = new Float64Array(cap);
      this.memUsed = new Float64Array(cap);
      this.memCap = new Float64Array(cap);
      this.ready = new Uint32Array(words);
      this.plain = new Uint32Array(words);
      for (let z = 0; z < this.zones.length; z++) this.zones[z] = new Uint32Array(words);
      for (const x of this.fitIndexes) this.allocate(x);
    } else {
      this.ready.fill(0);
      this.plain.fill(0);
      for (const bits of this.zones) bits.fill(0);
    }
  }

  /** Copies every field of the node at its position. */
  write(info: NodeInfo): void {
    const p = info.pos;
    const h = p * HOT_STRIDE;
    const flags =
      (info.ready ? COL_READY : 0) |
      (info.unschedulable ? COL_UNSCHEDULABLE : 0) |
      (info.zone === '' ? COL_NO_ZONE : 0);
    this.hot[h + HOT_META] = flags | (Math.max(info.zoneId, 0) << META_ZONE_SHIFT);
    this.hot[h + HOT_TAINTS] = info.taintSetId;
    const capChanged =
      this.podCap[p] !== info.podCap || this.cpuCap[p] !== info.cpuCapMilli || this.memCap[p] !== info.memCapBytes;
    this.podCap[p] = info.podCap;
    this.cpuCap[p] = info.cpuCapMilli;
    this.memCap[p] = info.memCapBytes;
    this.podCount[p] = info.podCount;
    this.cpuUsed[p] = info.cpuUsedMilli;
    this.memUsed[p] = info.memUsedBytes;
    if (capChanged) this.forget(p);
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    if (info.ready) this.ready[w] |= bit;
    else this.ready[w] &= ~bit;
    if (!info.unschedulable && info.taintSetId === 0) this.plain[w] |= bit;
    else this.plain[w] &= ~bit;
    for (const bits of this.zones) bits[w] &= ~bit;
    if (info.zone !== '') {
      while (this.zones.length <= info.zoneId) this.zones.push(new Uint32Array(this.ready.length));
      this.zones[info.zoneId][w] |= bit;
    }
  }

  /** The number of positions the columns have room for (reset grows it). */
  get capacity(): number {
    return this.podCount.length;
  }

  /**
   * Writes a node that has come to position info.pos since the last order, as reset, write and forgetMemo
   * leave it: every field copied, its fit and score forgotten, its indexed fits recomputed.
   */
  place(info: NodeInfo): void {
    this.write(info);
    this.forget(info.pos);
  }

  /**
   * Clears position p, past the order's last node now (the order shrank): its bits in the bitsets and the
   * fit indexes, as reset and forgetMemo leave a position past the last node.
   */
  vacate(p: number): void {
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    this.ready[w] &= ~bit;
    this.plain[w] &= ~bit;
    for (const bits of this.zones) bits[w] &= ~bit;
    for (const x of this.fitIndexes) {
      if ((x.fits[w] & bit) !== 0) {
        const old = x.scores[p];
        x.levels[old]![w] &= ~bit;
        x.levelCounts[old]--;
      }
      x.fits[w] &= ~bit;
      x.tooManyPods[w] &= ~bit;
      x.noCpu[w] &= ~bit;
      x.noMemory[w] &= ~bit;
    }
  }

  /** Copies the node's requested resources and pod count; forgets its fit and score. */
  writeUsage(info: NodeInfo): void {
    const p = info.pos;
    this.podCount[p] = info.podCount;
    this.cpuUsed[p] = info.cpuUsedMilli;
    this.memUsed[p] = info.memUsedBytes;
    this.forget(p);
  }

  /** Forgets every memoized fit and score and recomputes the fit indexes (positions changed). */
  forgetMemo(n: number): void {
    for (let p = 0; p < n; p++) this.hot[p * HOT_STRIDE + HOT_MEMO_REQ] = -1;
    for (const x of this.fitIndexes) this.fill(x, n);
  }

  /** Starts indexing the fit of a request over the first n positions (order()'s nodes). */
  addFitIndex(cpuMilli: number, memBytes: number, n: number): FitIndex {
    const x = new FitIndex(cpuMilli, memBytes);
    this.allocate(x);
    this.fill(x, n);
    this.fitIndexes.push(x);
    return x;
  }

  /** fitMemo for the node at p and a request (id, cpu, memory), memoized in the node's record. */
  memo(p: number, requestId: number, cpuMilli: number, memBytes: number): number {
    const h = p * HOT_STRIDE;
    if (this.hot[h + HOT_MEMO_REQ] === requestId) return this.hot[h + HOT_MEMO];
    const memo = this.fitMemo(p, cpuMilli, memBytes);
    this.hot[h + HOT_MEMO] = memo;
    this.hot[h + HOT_MEMO_REQ] = requestId;
    return memo;
  }

  /** NodeResourcesFit's insufficient resources on the node at p for a pod's requests, and its score, as HOT_MEMO. */
  fitMemo(p: number, cpuMilli: number, memBytes: number): number {
    const cpuUsed = this.cpuUsed[p];
    const memUsed = this.memUsed[p];
    let fit = 0;
    if (this.podCount[p] + 1 > this.podCap[p]) fit |= FIT_TOO_MANY_PODS;
    if (cpuMilli > 0 && cpuUsed + cpuMilli > this.cpuCap[p]) fit |= FIT_CPU;
    if (memBytes > 0 && memUsed + memBytes > this.memCap[p]) fit |= FIT_MEMORY;
    return (
      (fit << MEMO_FIT_SHIFT) |
      this.resourceScore(this.cpuCap[p], this.memCap[p], cpuUsed + cpuMilli, memUsed + memBytes)
    );
  }

  /** The node at p changed capacity or usage: its memo is stale and its indexed fits are recomputed. */
  private forget(p: number): void {
    this.hot[p * HOT_STRIDE + HOT_MEMO_REQ] = -1;
    for (const x of this.fitIndexes) this.refit(x, p);
  }

  private allocate(x: FitIndex): void {
    x.fits = new Uint32Array(this.ready.length);
    x.tooManyPods = new Uint32Array(this.ready.length);
    x.noCpu = new Uint32Array(this.ready.length);
    x.noMemory = new Uint32Array(this.ready.length);
    x.scores = new Uint8Array(this.podCount.length);
    x.levels = [];
    x.levelCounts.fill(0);
  }

  private fill(x: FitIndex, n: number): void {
    x.fits.fill(0);
    x.tooManyPods.fill(0);
    x.noCpu.fill(0);
    x.noMemory.fill(0);
    for (const bits of x.levels) bits?.fill(0);
    x.levelCounts.fill(0);
    for (let p = 0; p < n; p++) this.refit(x, p);
  }

  private refit(x: FitIndex, p: number): void {
    const memo = this.fitMemo(p, x.cpuMilli, x.memBytes);
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    if ((x.fits[w] & bit) !== 0) {
      const old = x.scores[p];
      x.levels[old]![w] &= ~bit;
      x.levelCounts[old]--;
    }
    const lacks = memo >> MEMO_FIT_SHIFT;
    if ((lacks & FIT_TOO_MANY_PODS) !== 0) x.tooManyPods[w] |= bit;
    else x.tooManyPods[w] &= ~bit;
    if ((lacks & FIT_CPU) !== 0) x.noCpu[w] |= bit;
    else x.noCpu[w] &= ~bit;
    if ((lacks & FIT_MEMORY) !== 0) x.noMemory[w] |= bit;
    else x.noMemory[w] &= ~bit;
    if (memo > MEMO_SCORE_MASK) x.fits[w] &= ~bit;
    else {
      x.fits[w] |= bit;
      x.scores[p] = memo;
      const level = (x.levels[memo] ??= new Uint32Array(x.fits.length));
      level[w] |= bit;
      x.levelCounts[memo]++;
    }
  }
}

/**
 * One node label by position in order(), for the Score and Filter fast paths that read a node's topology
 * value from an array instead of its labels object (SchedulerCache.valueColumn): `ids[p]` is a small
 * integer per distinct value (-1: the node has no such label), `names[id]` the value, and the positions
 * of each value are listed together, `positions[start[id]] .. positions[start[id + 1] - 1]`. Rebuilt
 * when the order changes (a node added, removed or relabelled); ids index arrays only, no order depends
 * on them.
 */
export class ValueColumn {
  ids = new Int32Array(0);
  names: string[] = [];
  readonly idOf = new Map<string, number>();
  start = new Int32Array(1);
  positions = new Int32Array(0);
  /** SchedulerCache.orderGen the column was built for. */
  gen = -1;
  /** The number of positions (order().length) the column was built for. */
  size = 0;
  private present: Uint32Array | undefined;
  constructor(readonly key: string) {}

  /** The positions of the nodes that have the label, as a bitset (bit p % 32 of word p >>> 5). */
  presentBits(): Uint32Array {
    if (this.present !== undefined) return this.present;
    const bits = new Uint32Array((this.size + 31) >>> 5);
    for (let k = 0; k < this.positions.length; k++) bits[this.positions[k] >>> 5] |= 1 << (this.positions[k] & 31);
    return (this.present = bits);
  }

  /** Refills the column from the nodes of order(). */
  fill(order: readonly NodeInfo[], gen: number): void {
    const n = order.length;
    const key = this.key;
    if (this.ids.length < n) this.ids = new Int32Array(Math.max(n, this.ids.length * 2));
    this.names.length = 0;
    this.idOf.clear();
    for (let p = 0; p < n; p++) {
      const labels = order[p].labels;
      const v = Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
      if (typeof v !== 'string') {
        this.ids[p] = -1;
        continue;
      }
      let id = this.idOf.get(v);
      if (id === undefined) {
        id = this.names.length;
        this.idOf.set(v, id);
        this.names.push(v);
      }
      this.ids[p] = id;
    }
    // The positions grouped by value (a counting sort), each group in position order.
    const values = this.names.length;
    const start = new Int32Array(values + 1);
    for (let p = 0; p < n; p++) if (this.ids[p] >= 0) start[this.ids[p] + 1]++;
    for (let id = 0; id < values; id++) start[id + 1] += start[id];
    const next = start.slice(0, values);
    const positions = new Int32Array(start[values]);
    for (let p = 0; p < n; p++) if (this.ids[p] >= 0) positions[next[this.ids[p]]++] = p;
    this.start = start;
    this.positions = positions;
    this.present = undefined;
    this.size = n;
    this.gen = gen;
  }
}

/** A workload's active pods by position in order() (SchedulerCache.workloadColumn). */
interface WorkloadColumn {
  counts: Int32Array;
  /** SchedulerCache.orderGen the counts are by position of; kept current by every pod event while it is. */
  gen: number;
}

interface PodAccount {
  info: NodeInfo;
  cpuMilli: number;
  memBytes: number;
  workload: string;
  active: boolean;
  uid: number;
  priority: number;
}

export class SchedulerCache {
  readonly nodes = new Map<string, NodeInfo>();
  /** The hot fields of order()'s nodes, valid after order(). */
  readonly columns = new NodeColumns();
  private readonly pods = new Map<string, PodAccount>();
  /**
   * The same accounts by pod uid (an array grown by pushes): each watch event of a bound pod checks its
   * account, and a lookup by name in a map of 150,000 pods missed the processor's caches.
   */
  private readonly byUid: Array<PodAccount | undefined> = [];
  /** By topology key: the active pods of each workload per value, for the keys asked about so far. */
  private readonly domainCountsByKey = new Map<string, DomainCounts>();
  /** The same, as a list (the informer handlers walk it). */
  private readonly domainCountList: DomainCounts[] = [];
  /** workload -> a version bumped at every change of its active pods' placement. */
  private readonly workloadVersions = new Map<string, number>();
  /** workload -> its PodGroup; and the groups in order of first appearance. */
  private readonly groupByWorkload = new Map<string, PodGroup>();
  readonly groups: PodGroup[] = [];
  /** The groups whose pods have pod affinity or anti-affinity terms. */
  readonly affinityGroups: PodGroup[] = [];
  /** Bumped whenever a node is added or removed or changes its labels (the topology domains). */
  nodeLabelGen = 0;
  /**
   * The latest changes that bumped nodeLabelGen, oldest first: entry k took the generation from
   * labelLogBase + k to labelLogBase + k + 1. PodTopologySpread brings its eligible domains up to date
   * from these instead of walking every node again (fast path schedulerSpreadDeltas).
   */
  readonly labelLog: NodeLabelChange[] = [];
  /** The generation before labelLog's first entry. */
  labelLogBase = 0;
  /** Bumped whenever a node's taints change (a topology spread constraint's nodeTaintsPolicy Honor reads them). */
  nodeTaintGen = 0;
  /** Nodes (with an object) that have a PreferNoSchedule taint. */
  preferNoScheduleNodes = 0;
  /**
   * Bumped by every change that can alter a Filter verdict other than a workload's zone counts: a node
   * added, removed or changed in a field the filter reads (readiness, unschedulable, taints, labels,
   * capacity), a pod's resources added or removed. Heartbeats change none of these.
   */
  filterGen = 0;
  /**
   * Accounted pods by spec.priority, for the priorities other than 0 (the pods of priority 0 are the rest):
   * DefaultPreemption asks whether any pod has a priority below the preemptor's before it looks further.
   */
  private readonly nonZeroPriorityCounts = new Map<number, number>();
  private nonZeroPriorityPods = 0;
  private orderCache: NodeInfo[] | undefined;
  /**
   * Fast path schedulerKeptPositions (fast-paths.ts): order() rewrites the columns only at the positions
   * whose node changed since the last order, instead of every position. Set by the scheduler.
   */
  keptPositions = false;
  /** The order order() last built (kept after it is invalidated, for keptPositions). */
  private lastOrder: NodeInfo[] | undefined;
  /**
   * Zone name -> the nodes with an object in that zone, kept in name order as nodes come and go, so that
   * order() interleaves them without sorting every zone again after each node added or removed (a
   * node-pool upgrade of 5,000 nodes adds and removes 10,000).
   */
  private readonly zoneLists = new Map<string, NodeInfo[]>();
  /** Bumped whenever order() builds the order again (the positions change). */
  private orderGen = 0;
  /** By topology key: the nodes' values by position (valueColumn). */
  private readonly valueColumns = new Map<string, ValueColumn>();
  /** By workload: its active pods by position (workloadColumn), for the workloads asked about. */
  private readonly workloadColumns = new Map<string, WorkloadColumn>();
  /** Zone name -> id, in order of first appearance (ids only index memo arrays; no order depends on them). */
  private readonly zoneIds = new Map<string, number>();
  /** Zone id -> name. */
  private readonly zoneNames: string[] = [];
  /** Taint list content key -> id; taintSets[id] is the first list seen with that content. */
  private readonly taintSetIds = new Map<string, number>([['', 0]]);
  readonly taintSets: Array<Node['spec']['taints']> = [[]];

  /** Number of zone ids handed out so far. */
  get zoneIdCount(): number {
    return this.zoneIds.size;
  }

  zoneName(zoneId: number): string {
    return this.zoneNames[zoneId];
  }

  // ---- nodes ----

  /** Adds or updates a node; returns the previous object. */
  setNode(node: Node): Node | undefined {
    const info = this.ensure(node.metadata.name);
    const prev = info.node;
    const zone = zoneOf(node);
    if (prev === undefined) {
      if (zone !== info.zone) this.moveZone(info, zone);
      this.zoneListAdd(info);
    } else if (zone !== info.zone) {
      this.zoneListDelete(info);
      this.moveZone(info, zone);
      this.zoneListAdd(info);
    }
    if (prev === undefined) this.countNode(info, node.metadata.labels, 1);
    else if (info.labels !== node.metadata.labels) this.relabel(info, node.metadata.labels);
    const ready = readyCondition(node)?.status === 'True';
    const taintSetId = info.taints === node.spec.taints ? info.taintSetId : this.taintSetIdOf(node.spec.taints);
    const cap = node.status.capacity;
    if (
      !prev ||
      info.ready !== ready ||
      info.unschedulable !== node.spec.unschedulable ||
      info.taintSetId !== taintSetId ||
      info.labels !== node.metadata.labels ||
      info.cpuCapMilli !== cap.cpuMilli ||
      info.memCapBytes !== cap.memoryBytes ||
      info.podCap !== cap.pods
    ) {
      this.filterGen++;
    }
    if (!prev || info.labels !== node.metadata.labels)
      this.logLabels(info.name, prev ? info.labels : undefined, node.metadata.labels);
    if (info.taintSetId !== taintSetId) {
      this.nodeTaintGen++;
      const prefer = node.spec.taints.some((t) => t.effect === 'PreferNoSchedule');
      if (prefer !== info.preferNoSchedule) this.preferNoScheduleNodes += prefer ? 1 : -1;
      info.preferNoSchedule = prefer;
    }
    info.node = node;
    info.ready = ready;
    info.unschedulable = node.spec.unschedulable;
    info.taints = node.spec.taints;
    info.taintSetId = taintSetId;
    info.labels = node.metadata.labels;
    info.cpuCapMilli = cap.cpuMilli;
    info.memCapBytes = cap.memoryBytes;
    info.podCap = cap.pods;
    if (!prev || prev.metadata.labels !== node.metadata.labels) this.orderCache = undefined;
    if ((this.orderCache || this.keptPositions) && info.pos >= 0) this.columns.write(info);
    return prev;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info || !info.node) return;
    this.zoneListDelete(info);
    this.countNode(info, info.labels, -1);
    if (info.preferNoSchedule) this.preferNoScheduleNodes--;
    info.preferNoSchedule = false;
    info.taints = [];
    info.taintSetId = 0;
    info.node = undefined;
    info.ready = false;
    info.pos = -1;
    this.filterGen++;
    this.logLabels(name, info.labels, undefined);
    this.orderCache = undefined;
    if (info.podCount === 0) this.nodes.delete(name);
  }

  /** Nodes with an object, in nodeTree order. */
  order(): NodeInfo[] {
    if (this.orderCache) return this.orderCache;
    // Nodes without an object have pos -1 already (removeNode, NodeInfo's constructor).
    const zones = [...this.zoneLists.keys()].sort();
    const lists = zones.map((z) => this.zoneLists.get(z)!);
    const out: NodeInfo[] = [];
    for (let i = 0, left = true; left; i++) {
      left = false;
      for (const l of lists) {
        if (i < l.length) {
          out.push(l[i]);
          left = true;
        }
      }
    }
    const last = this.lastOrder;
    if (this.keptPositions && last !== undefined && out.length <= this.columns.capacity) this.keepPositions(out, last);
    else {
      this.columns.reset(out.length);
      for (let p = 0; p < out.length; p++) {
        out[p].pos = p;
        this.columns.write(out[p]);
      }
      this.columns.forgetMemo(out.length);
    }
    this.orderCache = out;
    this.lastOrder = out;
    this.orderGen++;
    return out;
  }

  /**
   * The fast path's order(): the columns of a node still at the position it had in the last order are
   * current (with keptPositions, setNode and the pod events write them while the order is invalid too,
   * at the node's last position), so only the positions whose node changed are written, and the
   * positions past the new end cleared. The columns end as reset, write and forgetMemo leave them, but for
   * memoized fits and scores still valid (a memo is forgotten whenever its node's capacity or usage
   * changes, and a request's id never changes). During a node-pool upgrade most nodes keep their position
   * when one is added or removed (about 5 in 6 at 600 nodes).
   */
  private keepPositions(out: NodeInfo[], last: readonly NodeInfo[]): void {
    const cols = this.columns;
    for (let p = 0; p < out.length; p++) {
      const info = out[p];
      if (p < last.length && last[p] === info && info.pos === p) continue;
      info.pos = p;
      cols.place(info);
    }
    for (let p = out.length; p < last.length; p++) cols.vacate(p);
  }

  /** The values of the node label `key` by position in order() (built again after the order changes). */
  valueColumn(key: string): ValueColumn {
    const order = this.order();
    let c = this.valueColumns.get(key);
    if (c === undefined) this.valueColumns.set(key, (c = new ValueColumn(key)));
    if (c.gen !== this.orderGen) c.fill(order, this.orderGen);
    return c;
  }

  /**
   * The nodes of order() whose value of `d.key` has a pod of the workload (any pod the cache accounts,
   * as DomainCounts.allOf counts them), as a bitset over positions: InterPodAffinity's word form. Kept
   * current from now on by every pod event (a value's count going from 0 or to 0 sets or clears its
   * nodes); built again after the order changes.
   */
  heldBits(d: DomainCounts, workload: string): Uint32Array {
    const order = this.order();
    const words = (order.length + 31) >>> 5;
    let h = d.held.get(workload);
    if (h === undefined) d.held.set(workload, (h = { bits: new Uint32Array(words), gen: -1 }));
    if (h.gen !== this.orderGen) {
      if (h.bits.length < words) h.bits = new Uint32Array(words);
      else h.bits.fill(0);
      const col = this.valueColumn(d.key);
      for (const [v, n] of d.allOf(workload)) if (n > 0) markValue(col, v, h.bits, true);
      h.gen = this.orderGen;
    }
    return h.bits;
  }

  /**
   * The workload's active pods on the node at each position of order() (NodeInfo.workloadCounts as a
   * column), kept current from now on by every pod event; built again after the order changes.
   */
  workloadColumn(workload: string): Int32Array {
    const order = this.order();
    let c = this.workloadColumns.get(workload);
    if (c === undefined) this.workloadColumns.set(workload, (c = { counts: new Int32Array(0), gen: -1 }));
    if (c.gen !== this.orderGen) {
      if (c.counts.length < order.length) c.counts = new Int32Array(Math.max(order.length, c.counts.length * 2));
      for (let p = 0; p < order.length; p++) c.counts[p] = order[p].workloadCounts.get(workload) ?? 0;
      c.gen = this.orderGen;
    }
    return c.counts;
  }

  /**
   * The active pods of each workload per value of `key`, kept from now on (built from the nodes' counts on
   * first use).
   */
  domainCounts(key: string): DomainCounts {
    let d = this.domainCountsByKey.get(key);
    if (d) return d;
    d = new DomainCounts(key);
    for (const info of this.nodes.values()) {
      if (!info.node) continue;
      const value = info.labels[key];
      if (value === undefined || !Object.prototype.hasOwnProperty.call(info.labels, key)) continue;
      for (const [w, n] of info.workloadCounts) if (n !== 0) d.bump(w, value, n);
      for (const [w, n] of info.podsByWorkload) if (n !== 0) d.bumpAll(w, value, n);
    }
    this.domainCountsByKey.set(key, d);
    this.domainCountList.push(d);
    return d;
  }

  /** Changes whenever the placement of the workload's active pods changes (0 before it has any). */
  workloadVersion(workload: string): number {
    return this.workloadVersions.get(workload) ?? 0;
  }

  /** The workload's PodGroup, once one of its pods has been accounted. */
  group(workload: string): PodGroup | undefined {
    return this.groupByWorkload.get(workload);
  }

  // ---- pods ----

  /** Accounts a bound (or assumed) pod; an update changes only its Terminating state. */
  addOrUpdatePod(pod: Pod, nodeName: string): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    const active = pod.metadata.deletionTimestampMs === undefined;
    const held = this.byUid[uid];
    if (held !== undefined && held.info.name === nodeName) {
      if (held.active !== active) {
        this.countWorkload(held.info, held.workload, active ? 1 : -1);
        held.active = active;
      }
      return;
    }
    // Not accounted as it is: a new account replaces any held under its name.
    if (this.pods.has(name)) this.removePod(name);
    const info = this.ensure(nodeName);
    if (!this.groupByWorkload.has(pod.metadata.workload)) this.addGroup(pod);
    const acc: PodAccount = {
      info,
      cpuMilli: pod.spec.requests.cpuMilli,
      memBytes: pod.spec.requests.memoryBytes,
      workload: pod.metadata.workload,
      active,
      uid: pod.metadata.uid,
      priority: pod.spec.priority,
    };
    if (acc.priority !== 0) this.countPriority(acc.priority, 1);
    this.pods.set(name, acc);
    const byUid = this.byUid;
    while (byUid.length < uid) byUid.push(undefined);
    byUid[uid] = acc;
    this.filterGen++;
    info.cpuUsedMilli += acc.cpuMilli;
    info.memUsedBytes += acc.memBytes;
    info.podCount++;
    if ((this.orderCache || this.keptPositions) && info.pos >= 0) this.columns.writeUsage(info);
    this.countPod(info, acc.workload, 1);
    if (active) this.countWorkload(info, acc.workload, 1);
  }

  removePod(name: string): void {
    const acc = this.pods.get(name);
    if (!acc) return;
    this.pods.delete(name);
    this.byUid[acc.uid] = undefined;
    if (acc.priority !== 0) this.countPriority(acc.priority, -1);
    const info = acc.info;
    this.filterGen++;
    info.cpuUsedMilli -= acc.cpuMilli;
    info.memUsedBytes -= acc.memBytes;
    info.podCount--;
    if ((this.orderCache || this.keptPositions) && info.pos >= 0) this.columns.writeUsage(info);
    this.countPod(info, acc.workload, -1);
    if (acc.active) this.countWorkload(info, acc.workload, -1);
    if (!info.node && info.podCount === 0) this.nodes.delete(info.name);
  }

  /** Whether some accounted pod has a priority below `priority` (then preemption may find victims). */
  hasPodBelow(priority: number): boolean {
    if (priority > 0 && this.pods.size > this.nonZeroPriorityPods) return true;
    for (const [p, n] of this.nonZeroPriorityCounts) if (p < priority && n > 0) return true;
    return false;
  }

  /** The node an accounted pod is on. */
  nodeOfPod(name: string): string | undefined {
    return this.pods.get(name)?.info.name;
  }

  hasPod(name: string): boolean {
    return this.pods.has(name);
  }

  /** Whether addOrUpdatePod(pod, nodeName) would change nothing: the pod is accounted there, as it is. */
  accounts(pod: Pod, nodeName: string): boolean {
    // By uid: an account held there is the one held under the pod's name.
    const cur = this.byUid[pod.metadata.uid];
    return (
      cur !== undefined && cur.info.name === nodeName && cur.active === (pod.metadata.deletionTimestampMs === undefined)
    );
  }

  // ---- internals ----

  private countPriority(priority: number, delta: number): void {
    const n = (this.nonZeroPriorityCounts.get(priority) ?? 0) + delta;
    if (n === 0) this.nonZeroPriorityCounts.delete(priority);
    else this.nonZeroPriorityCounts.set(priority, n);
    this.nonZeroPriorityPods += delta;
  }

  private taintSetIdOf(taints: Node['spec']['taints']): number {
    if (taints.length === 0) return 0;
    let key = '';
    for (const t of taints) key += `${t.key}\u0000${t.value ?? ''}\u0000${t.effect}\u0001`;
    let id = this.taintSetIds.get(key);
    if (id === undefined) {
      id = this.taintSets.length;
      this.taintSetIds.set(key, id);
      this.taintSets.push(taints);
    }
    return id;
  }

  private ensure(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    return info;
  }

  private addGroup(pod: Pod): void {
    let labels = pod.metadata.labels;
    if (Object.prototype.hasOwnProperty.call(labels, POD_NAME_LABEL)) {
      const { [POD_NAME_LABEL]: _own, ...rest } = labels;
      labels = rest;
    }
    const affinity = pod.spec.affinity;
    const g: PodGroup = { workload: pod.metadata.workload, namespace: pod.metadata.namespace, labels, affinity };
    this.groupByWorkload.set(g.workload, g);
    this.groups.push(g);
    if (affinity?.podAffinity !== undefined || affinity?.podAntiAffinity !== undefined) this.affinityGroups.push(g);
  }

  private countWorkload(info: NodeInfo, workload: string, delta: number): void {
    info.workloadCounts.set(workload, (info.workloadCounts.get(workload) ?? 0) + delta);
    this.workloadVersions.set(workload, (this.workloadVersions.get(workload) ?? 0) + 1);
    if (!info.node) return;
    if (this.orderCache !== undefined && info.pos >= 0) {
      const c = this.workloadColumns.get(workload);
      if (c !== undefined && c.gen === this.orderGen) c.counts[info.pos] += delta;
    }
    const labels = info.labels;
    for (const d of this.domainCountList) {
      if (!Object.prototype.hasOwnProperty.call(labels, d.key)) continue;
      d.bump(workload, labels[d.key], delta);
    }
  }

  /** One more (or fewer) pod of the workload accounted on the node, Terminating or not. */
  private countPod(info: NodeInfo, workload: string, delta: number): void {
    info.podsByWorkload.set(workload, (info.podsByWorkload.get(workload) ?? 0) + delta);
    if (!info.node) return;
    const labels = info.labels;
    for (const d of this.domainCountList) {
      if (!Object.prototype.hasOwnProperty.call(labels, d.key)) continue;
      const value = labels[d.key];
      const n = d.bumpAll(workload, value, delta);
      // The value's nodes enter or leave the workload's held bits (when kept for the current order).
      if (d.held.size > 0 && n > 0 !== n - delta > 0 && this.orderCache !== undefined) {
        const h = d.held.get(workload);
        if (h !== undefined && h.gen === this.orderGen) markValue(this.valueColumn(d.key), value, h.bits, n > 0);
      }
    }
  }

  /** Adds (sign 1) or removes (-1) the node's pods to or from the domain counts, under these labels. */
  private countNode(info: NodeInfo, labels: Node['metadata']['labels'], sign: number): void {
    for (const [w, n] of info.podsByWorkload) {
      if (n === 0) continue;
      for (const d of this.domainCountList)
        if (Object.prototype.hasOwnProperty.call(labels, d.key)) d.bumpAll(w, labels[d.key], sign * n);
    }
    for (const [w, n] of info.workloadCounts) {
      if (n === 0) continue;
      this.workloadVersions.set(w, (this.workloadVersions.get(w) ?? 0) + 1);
      for (const d of this.domainCountList)
        if (Object.prototype.hasOwnProperty.call(labels, d.key)) d.bump(w, labels[d.key], sign * n);
    }
  }

  /** The node's labels change: its pods move between domains. */
  private relabel(info: NodeInfo, next: Node['metadata']['labels']): void {
    if (!info.node) return;
    this.countNode(info, info.labels, -1);
    this.countNode(info, next, 1);
  }

  /** Bumps nodeLabelGen and logs the change (the log keeps its latest LABEL_LOG_KEEP entries at least). */
  private logLabels(name: string, before: Labels | undefined, after: Labels | undefined): void {
    this.nodeLabelGen++;
    const log = this.labelLog;
    if (log.length >= 2 * LABEL_LOG_KEEP) {
      log.splice(0, LABEL_LOG_KEEP);
      this.labelLogBase += LABEL_LOG_KEEP;
    }
    log.push({ name, before, after });
  }

  /** Puts a node that has just got an object into its zone's list, in name order. */
  private zoneListAdd(info: NodeInfo): void {
    let list = this.zoneLists.get(info.zone);
    if (list === undefined) this.zoneLists.set(info.zone, (list = []));
    list.splice(nameIndex(list, info.name), 0, info);
  }

  /** Takes a node out of its zone's list (the zone's entry goes with its last node). */
  private zoneListDelete(info: NodeInfo): void {
    const list = this.zoneLists.get(info.zone)!;
    list.splice(nameIndex(list, info.name), 1);
    if (list.length === 0) this.zoneLists.delete(info.zone);
  }

  private moveZone(info: NodeInfo, zone: string): void {
    info.zone = zone;
    let id = this.zoneIds.get(zone);
    if (id === undefined) {
      this.zoneIds.set(zone, (id = this.zoneIds.size));
      this.zoneNames.push(zone);
    }
    info.zoneId = id;
  }
}

/** The index of the first node in `list` (in name order) whose name is not below `name`. */
function nameIndex(list: readonly NodeInfo[], name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The scheduling framework (pkg/scheduler/framework/interface.go, runtime/framework.go): the extension
// points a plugin implements, the per-cycle state, the statuses whose reasons build the FitError message,
// and the profile: the plugins in upstream's default order with upstream's default score weights
// (pkg/scheduler/apis/config/v1/default_plugins.go). Adding a plugin is its file under plugins/ and one
// registration line in DEFAULT_PLUGINS.
//
// Extension points hasim runs, as upstream: PreFilter (which may answer Skip: the plugin's Filter is
// not run for this pod), Filter (per node, in order; the first rejection counts), Score (per feasible
// node, times the plugin's weight) and NormalizeScore, PreScore's Skip being asked before Filter
// (ScorePlugin.scoreSkip). QueueSort is PrioritySort, built into the queue (queue.ts); PostFilter is
// DefaultPreemption (plugins/default-preemption.ts), run by the scheduler, which reads a status's
// Unschedulable vs UnschedulableAndUnresolvable code. Left out: Reserve/Permit/PreBind/PostBind
// (binding is one API call).
//
// hasim's own additions, none of them upstream API:
// - `wordFilter`: how a Filter is answered from the cache's bitset columns, 32 nodes a word (the
//   accelerator, accelerator.ts). A cycle walks words only when every Filter that runs for the pod has
//   one; otherwise it calls every plugin's `filter` node by node (node-loop.ts, the reference path).
// - `resourceScore`: a Score that depends only on the node's capacity and its requests with the pod
//   added. The cache memoizes the weighted sum of these per node and request, and indexes it for the
//   accelerator (cache.ts FitIndex).
// - `verdictKey`/`verdictVersion`: what a Filter's verdicts depend on besides the cache's nodes and pod
//   usage. The reused failed verdicts (verdicts.ts) are keyed by them.
// - `scoreAll`: a Score plugin's PreScore, Score and NormalizeScore over all of a cycle's feasible nodes
//   in one call, reading the cache's position columns (the fast path schedulerColumnScores).
// - `events`: which cluster events may undo a rejection by the plugin (upstream's EventsToRegister with
//   queueing hints, reduced to yes or no).
import type { Node, Pod } from '../../k8s/objects.js';
import type { FastPaths } from '../fast-paths.js';
import type { FitIndex, NodeColumns, NodeInfo, SchedulerCache } from './cache.js';
import { InterPodAffinity } from './plugins/inter-pod-affinity.js';
import { NodeAffinity } from './plugins/node-affinity.js';
import { NodeResourcesBalancedAllocation } from './plugins/node-resources-balanced-allocation.js';
import { NodeResourcesFit } from './plugins/node-resources-fit.js';
import { NodeUnschedulable } from './plugins/node-unschedulable.js';
import { PodTopologySpread } from './plugins/pod-topology-spread.js';
import { TaintToleration } from './plugins/taint-toleration.js';

/** upstream framework.MaxNodeScore: a Score plugin's scores (after NormalizeScore) are 0..100. */
export const MAX_NODE_SCORE = 100;
/** The status of a Filter that passed the node. Any other status is an id from StatusTable.unschedulable. */
export const SUCCESS = 0;
/** PreFilter's answer that the plugin's Filter has nothing to check for this pod (upstream framework.Skip). */
export const SKIP = -1;

/**
 * The reasons of Unschedulable statuses, interned: a status is a small integer, so a Filter allocates
 * nothing per node and the rejections of a cycle are counted in a typed array.
 */
export class StatusTable {
  readonly reasons: string[] = [];
  private readonly reasonIds = new Map<string, number>();
  /** By status id (0 is Success): its reason ids, and the bit of the plugin that returns it. */
  readonly statusReasons: Array<readonly number[]> = [[]];
  readonly statusPluginBit: number[] = [0];
  /** By status id: UnschedulableAndUnresolvable (preemption cannot help on the node) rather than Unschedulable. */
  readonly statusUnresolvable: boolean[] = [false];

  reason(message: string): number {
    let id = this.reasonIds.get(message);
    if (id === undefined) {
      id = this.reasons.length;
      this.reasonIds.set(message, id);
      this.reasons.push(message);
    }
    return id;
  }

  /** A new Unschedulable status of the plugin with these reasons. */
  unschedulable(pluginBit: number, ...messages: string[]): number {
    this.statusReasons.push(messages.map((m) => this.reason(m)));
    this.statusPluginBit.push(pluginBit);
    this.statusUnresolvable.push(false);
    return this.statusReasons.length - 1;
  }

  /** A new UnschedulableAndUnresolvable status: removing pods from the node cannot make the pod fit. */
  unschedulableAndUnresolvable(pluginBit: number, ...messages: string[]): number {
    const id = this.unschedulable(pluginBit, ...messages);
    this.statusUnresolvable[id] = true;
    return id;
  }
}

/**
 * Why a cycle found no node (upstream framework.Diagnosis): rejections counted per reason, each node
 * under the first plugin that rejected it, and the rejecting plugins as a mask of filter-plugin bits.
 */
export class Diagnosis {
  counts = new Int32Array(16);
  /** The reason ids counted since start(), in first-count order. */
  readonly touched: number[] = [];
  rejectorMask = 0;

  constructor(readonly table: StatusTable) {}

  start(): void {
    for (const id of this.touched) this.counts[id] = 0;
    this.touched.length = 0;
    this.rejectorMask = 0;
  }

  /** One node rejected with this status. */
  record(status: number): void {
    const reasons = this.table.statusReasons[status];
    for (let k = 0; k < reasons.length; k++) this.add(reasons[k], 1);
    this.rejectorMask |= this.table.statusPluginBit[status];
  }

  /** `count` nodes rejected for this reason. */
  add(reasonId: number, count: number): void {
    if (count === 0) return;
    if (this.counts.length <= reasonId) {
      const grown = new Int32Array(Math.max(reasonId + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.counts[reasonId] === 0) this.touched.push(reasonId);
    this.counts[reasonId] += count;
  }

  /** FitError.Error(): "0/N nodes are available: <count reason>, ... ." sorted as strings. */
  fitError(numAllNodes: number): string {
    const parts = this.touched.map((id) => `${this.counts[id]} ${this.table.reasons[id]}`).sort();
    return `0/${numAllNodes} nodes are available${parts.length > 0 ? ': ' + parts.join(', ') : ''}.`;
  }

  /** The counts and mask in a canonical form (the accelerator's self-check compares two). */
  signature(): string {
    return [this.rejectorMask, ...this.touched.map((id) => `${id}:${this.counts[id]}`).sort()].join(' ');
  }
}

/**
 * What a cycle knows of the pod being scheduled, refilled every cycle (one object). Upstream's CycleState
 * is a map that each plugin's PreFilter writes its data into under its own key; here a scheduler runs one
 * cycle at a time, so each plugin keeps what its PreFilter computed on itself, for `cycle`.
 */
export class CycleState {
  pod = undefined as unknown as Pod;
  cpuMilli = 0;
  memBytes = 0;
  /** A small integer per distinct (cpu, memory) request: the key of the cache's fit and score memo. */
  requestId = 0;
  /** Counts the cycles that filter (not those that reuse a verdict): a plugin's per-cycle memo is valid for one. */
  cycle = 0;
  /** The nodes in nodeTree order and their columns (cache.order(), cache.columns). */
  order: NodeInfo[] = [];
  cols = undefined as unknown as NodeColumns;
  /** The accelerator's index of the request's fit and resource score, when it keeps one (set before wordFilter). */
  fitIndex: FitIndex | undefined;
  /** The Score plugins (besides the resource scores) that score this pod, and their weights. */
  readonly scorers: ScorePlugin[] = [];
  readonly scoreWeights: number[] = [];
}

/** How a Filter is answered from bitsets over node positions (bit p % 32 of word p >>> 5). */
export type WordFilter = ExactWordFilter | SureWordFilter;

/** A node passes exactly when its bit is set in one of `bits`; every other node is rejected. */
export interface ExactWordFilter {
  readonly kind: 'exact';
  readonly bits: readonly Uint32Array[];
  /** Counts `rejected` (bits of word w this plugin rejects, and no plugin before it) under the plugin's reasons. */
  count(w: number, rejected: number, diag: Diagnosis): void;
}

/** A node whose bit is set passes; one whose bit is clear is asked with `filter`. */
export interface SureWordFilter {
  readonly kind: 'sure';
  readonly bits: Uint32Array;
}

/** Which cluster events may undo a rejection by the plugin (a NodeAdd moves every pod). */
export interface ClusterEvents {
  /** An assigned pod appeared, or started or stopped terminating. */
  assignedPodAdd?: boolean;
  /** An assigned pod left the cache (its resources freed). */
  assignedPodDelete?: boolean;
  nodeDelete?: boolean;
  /** The node changed in a way that may pass a node the plugin rejected. */
  nodeUpdate?(prev: Node, next: Node): boolean;
}

export interface Plugin {
  readonly name: string;
}

export interface FilterPlugin extends Plugin {
  /** PreFilter: prepares the plugin's data for the cycle's pod; SKIP if its Filter has nothing to check. */
  preFilter?(state: CycleState): number;
  /** Filter: SUCCESS, or the status (StatusTable id) the node at position `pos` is rejected with. */
  filter(state: CycleState, pos: number): number;
  /** The accelerator's form of Filter for this cycle (after preFilter), or undefined when it has none this cycle. */
  wordFilter?(state: CycleState): WordFilter | undefined;
  /**
   * The fields of the pod the plugin's verdicts read, as text. Without it no failed verdict is reused:
   * nothing says when two pods would fail alike.
   */
  verdictKey?(pod: Pod): string;
  /** A version of the cache state the verdicts read beyond nodes and pod usage (cache.filterGen), e.g. zone counts. */
  verdictVersion?(pod: Pod): number;
  readonly events: ClusterEvents;
}

export interface ScorePlugin extends Plugin {
  /**
   * PreScore's Skip (the plugin has nothing to score for this pod), decided from the pod alone before
   * Filter runs (after PreFilter), so that a cycle knows up front whether only resource scores count.
   */
  scoreSkip?(state: CycleState): boolean;
  /** PreScore: prepares the plugin's data for scoring this cycle's feasible nodes (positions found[0..count)). */
  preScore?(state: CycleState, found: Int32Array, count: number): void;
  /** Score: 0..MAX_NODE_SCORE (after normalizeScore, when the plugin has one) for the feasible node at `pos`. */
  score?(state: CycleState, pos: number): number;
  /** NormalizeScore over the scores of the cycle's feasible nodes (found[k] has scores[k]), in place. */
  normalizeScore?(state: CycleState, scores: Int32Array, count: number, found: Int32Array): void;
  /**
   * hasim's: PreScore, Score and NormalizeScore over every feasible node in one call, into scores[k] for
   * found[k], with the same outcome (the fast path schedulerColumnScores; the node loop otherwise calls the
   * three extension points).
   */
  scoreAll?(state: CycleState, found: Int32Array, count: number, scores: Int32Array): void;
  /**
   * A Score that reads nothing but the node's capacity and its requests with the pod's added (0..100).
   * The cache memoizes and indexes the weighted sum of these (cache.ts); such a plugin has no `score`.
   */
  resourceScore?(cpuCapMilli: number, memCapBytes: number, cpuReqMilli: number, memReqBytes: number): number;
}

/** What a plugin is constructed with (upstream framework.Handle). */
export interface FrameworkHandle {
  readonly cache: SchedulerCache;
  readonly statuses: StatusTable;
  /** The bit of the plugin among the filter plugins (its statuses carry it: the queue's rejectors). */
  readonly filterBit: number;
  /** The run's fast paths (model/fast-paths.ts), for the plugins whose word form is one; absent: all on. */
  readonly fastPaths?: Readonly<FastPaths>;
}

export interface PluginRegistration {
  readonly name: string;
  readonly create: (h: FrameworkHandle) => FilterPlugin | ScorePlugin;
  /** Upstream's default score weight; it applies where the plugin has a Score extension in hasim. */
  readonly weight?: number;
}

/**
 * The default profile, in upstream's order (default_plugins.go), one line per plugin, with upstream's
 * default score weights (ImageLocality 1, a plugin hasim does not model, aside). A node whose Ready
 * condition is not True is kept off by the node lifecycle controller's not-ready and unreachable
 * NoSchedule taints (TaintToleration), as upstream: no plugin reads the condition.
 */
export const DEFAULT_PLUGINS: readonly PluginRegistration[] = [
  { name: 'NodeUnschedulable', create: (h) => new NodeUnschedulable(h) },
  { name: 'TaintToleration', create: (h) => new TaintToleration(h), weight: 3 },
  { name: 'NodeAffinity', create: (h) => new NodeAffinity(h), weight: 2 },
  { name: 'NodeResourcesFit', create: (h) => new NodeResourcesFit(h), weight: 1 },
  { name: 'PodTopologySpread', create: (h) => new PodTopologySpread(h), weight: 2 },
  { name: 'InterPodAffinity', create: (h) => new InterPodAffinity(h), weight: 2 },
  { name: 'NodeResourcesBalancedAllocation', create: () => new NodeResourcesBalancedAllocation(), weight: 1 },
];

function isFilter(p: FilterPlugin | ScorePlugin): p is FilterPlugin {
  return typeof (p as FilterPlugin).filter === 'function';
}

/** The instantiated plugins of a profile (upstream frameworkImpl), for one scheduler. */
export class Framework {
  readonly statuses = new StatusTable();
  /** In order: the first to reject a node counts. */
  readonly filters: FilterPlugin[] = [];
  /** Score plugins with a `score` (not resource scores), and their weights. */
  readonly scorers: ScorePlugin[] = [];
  readonly scoreWeights: number[] = [];
  /** The weighted sum of the resource scores (0..MEMO_SCORE_MASK), which the cache memoizes. */
  readonly resourceScore: (cpuCap: number, memCap: number, cpuReq: number, memReq: number) => number;
  /** Whether every filter says what its verdicts depend on (else no verdict is reused). */
  readonly verdictsKeyed: boolean;
  /** The filters whose verdicts read a versioned part of the cache. */
  private readonly versioned: FilterPlugin[];
  /** Filter-plugin bits of the plugins each event may help. */
  readonly assignedPodAddMask: number;
  readonly assignedPodDeleteMask: number;
  readonly nodeDeleteMask: number;
  private readonly rejectorSets: Array<ReadonlySet<string> | undefined> = [];

  constructor(
    cache: SchedulerCache,
    registrations: readonly PluginRegistration[],
    maxResourceScore: number,
    fastPaths?: Readonly<FastPaths>,
  ) {
    const resource: Array<{ plugin: ScorePlugin; weight: number }> = [];
    for (const r of registrations) {
      const filterBit = 1 << this.filters.length;
      const plugin = r.create({ cache, statuses: this.statuses, filterBit, fastPaths });
      if (plugin.name !== r.name)
        throw new Error(`scheduler profile: ${r.name} registers a plugin named ${plugin.name}`);
      if (isFilter(plugin)) this.filters.push(plugin);
      const s = plugin as ScorePlugin;
      if (s.resourceScore) resource.push({ plugin: s, weight: r.weight ?? 1 });
      else if (s.score) {
        this.scorers.push(s);
        this.scoreWeights.push(r.weight ?? 1);
      }
    }
    if (this.filters.length > 30) throw new Error('scheduler profile: more than 30 filter plugins');
    const max = resource.reduce((sum, r) => sum + r.weight * MAX_NODE_SCORE, 0);
    if (max > maxResourceScore)
      throw new Error(
        `scheduler profile: resource scores add up to ${max}, more than the memo holds (${maxResourceScore})`,
      );
    this.resourceScore = resourceScorer(resource);
    this.verdictsKeyed = this.filters.every((p) => p.verdictKey !== undefined);
    this.versioned = this.filters.filter((p) => p.verdictVersion !== undefined);
    const mask = (has: (e: ClusterEvents) => boolean | undefined) =>
      this.filters.reduce((m, p, i) => (has(p.events) ? m | (1 << i) : m), 0);
    this.assignedPodAddMask = mask((e) => e.assignedPodAdd);
    this.assignedPodDeleteMask = mask((e) => e.assignedPodDelete);
    this.nodeDeleteMask = mask((e) => e.nodeDelete);
  }

  /** The filter plugins a node update may help, as a mask. Heartbeats help none. */
  nodeUpdateMask(prev: Node, next: Node): number {
    let m = 0;
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i].events.nodeUpdate;
      if (f !== undefined && f(prev, next)) m |= 1 << i;
    }
    return m;
  }

  /** The names of the filter plugins of a mask, one shared immutable set per mask (the queue only reads it). */
  rejectors(mask: number): ReadonlySet<string> {
    let set = this.rejectorSets[mask];
    if (set === undefined)
      this.rejectorSets[mask] = set = new Set(
        this.filters.filter((_p, i) => (mask & (1 << i)) !== 0).map((p) => p.name),
      );
    return set;
  }

  /** The key under which a failed verdict of this pod is reused (verdictsKeyed only). */
  verdictKey(pod: Pod): string {
    return this.versionedVerdictKey(this.podVerdictKey(pod), pod);
  }

  /** The part of verdictKey that depends on the pod alone (a pod's cycles can share it). */
  podVerdictKey(pod: Pod): string {
    let key = '';
    for (const p of this.filters) {
      const part = p.verdictKey!(pod);
      // Length-prefixed: a free-form part (a workload name) cannot run into the next.
      key += `${part.length}:${part};`;
    }
    return key;
  }

  /** verdictKey from its pod part: the versions of the cache state the plugins read added. */
  versionedVerdictKey(podKey: string, pod: Pod): string {
    const versioned = this.versioned;
    for (let k = 0; k < versioned.length; k++) podKey += `@${versioned[k].verdictVersion!(pod)}`;
    return podKey;
  }
}

function resourceScorer(
  resource: ReadonlyArray<{ plugin: ScorePlugin; weight: number }>,
): (cpuCap: number, memCap: number, cpuReq: number, memReq: number) => number {
  if (resource.length === 2 && resource[0].weight === 1 && resource[1].weight === 1) {
    // The default profile: NodeResourcesFit and NodeResourcesBalancedAllocation, weight 1 each.
    const a = resource[0].plugin;
    const b = resource[1].plugin;
    return (cc, mc, cr, mr) => a.resourceScore!(cc, mc, cr, mr) + b.resourceScore!(cc, mc, cr, mr);
  }
  return (cc, mc, cr, mr) => {
    let sum = 0;
    for (const r of resource) sum += r.weight * r.plugin.resourceScore!(cc, mc, cr, mr);
    return sum;
  };
}

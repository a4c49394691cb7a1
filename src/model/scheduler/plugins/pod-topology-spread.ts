// PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread): Filter for the pod's
// DoNotSchedule constraints (filtering.go calPreFilterState, Filter), Score for its ScheduleAnyway ones
// (scoring.go initPreScoreState, PreScore, Score, NormalizeScore; default weight 2), and the cluster's
// system default constraints for a pod without any (common.go buildDefaultConstraints).
//
// As upstream (common.go filterTopologySpreadConstraints, matchNodeInclusionPolicies, countPodsMatchSelector):
// - Any topologyKey. A node takes part in a constraint's domains when it has every constraint's key and
//   passes the constraint's node inclusion policies: nodeAffinityPolicy Honor (the default) needs the
//   pod's nodeSelector and required node affinity to match it; nodeTaintsPolicy Honor (default Ignore)
//   needs the pod to tolerate its NoSchedule and NoExecute taints.
// - Filter: a node without the constraint's key is rejected ("missing required label"); otherwise the
//   skew, matching pods in the node's domain + 1 if the pod matches its own selector − the fewest matching
//   pods in any domain (0 when there are fewer domains than minDomains), must not exceed maxSkew.
// - Matching pods: active (no deletionTimestamp), in the pod's namespace, matched by the labelSelector
//   (absent: none), with matchLabelKeys adding the pod's own values of those keys.
// - Score: a feasible node's score is Σ over constraints of count·log(domains + 2) + (maxSkew − 1), where
//   count is the matching pods on the node (kubernetes.io/hostname) or in its domain; nodes without every
//   key score 0; NormalizeScore maps the lowest raw score to 100 and the highest to 100·min/max.
// - System defaults (the DefaultConstraints of the default PodTopologySpreadArgs, systemDefaulted):
//   kubernetes.io/hostname maxSkew 3 and topology.kubernetes.io/zone maxSkew 5, both ScheduleAnyway,
//   for a pod with no constraints of its own; upstream selects with the selectors of the Services,
//   ReplicaSets, StatefulSets and ReplicationControllers that match the pod and applies no default when
//   there are none. hasim: Deployment and StatefulSet pods get them with their template labels as the
//   selector (their ReplicaSet or StatefulSet); DaemonSet pods get none (hasim models no Services).
//   Nodes missing a key are not ignored for defaulted constraints, as upstream.
//
// hasim's shape: counts come from the cache's per-workload DomainCounts (cache.ts) when every node with
// the key takes part; otherwise (a nodeSelector or taint policy excludes some) they are summed over the
// nodes that take part, node by node, each cycle. The Filter has a word form when every DoNotSchedule
// constraint is on topology.kubernetes.io/zone (the cache's zone bitsets).
import type { Node, Pod } from '../../../k8s/objects.js';
import type { LabelSelector, TopologySpreadConstraint } from '../../../k8s/scheduling.js';
import { matchesLabelSelector, matchesRequiredNodeAffinity, withLabels } from '../../../k8s/selectors.js';
import { untoleratedTaint } from '../../../k8s/tolerations.js';
import { bitCount } from '../bits.js';
import type { NodeInfo, SchedulerCache } from '../cache.js';
import {
  type CycleState,
  type Diagnosis,
  type ExactWordFilter,
  type FilterPlugin,
  type FrameworkHandle,
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  type ScorePlugin,
} from '../framework.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** The system default constraints (pkg/scheduler/apis/config/v1 systemDefaultConstraints), selector filled per pod. */
export const SYSTEM_DEFAULT_CONSTRAINTS: ReadonlyArray<Pick<TopologySpreadConstraint, 'topologyKey' | 'maxSkew'>> = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
  { topologyKey: LABEL_ZONE, maxSkew: 5 },
];

/** Whether system default constraints apply: the scheduler profile's setting (upstream: defaultingType System). */
export const spreadDefaults = { system: true };

/** A constraint as the plugin uses it (upstream's internal topologySpreadConstraint). */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelSelector | undefined;
  readonly minDomains: number;
  readonly affinityHonor: boolean;
  readonly taintsHonor: boolean;
}

/** The constraints of one kind (DoNotSchedule or ScheduleAnyway) of a pod, with what they select. */
interface ConstraintSet {
  readonly constraints: SpreadConstraint[];
  /** By constraint: the workloads whose pods the selector matches, in the pod's namespace. */
  readonly matched: string[][];
  /** The number of cache groups `matched` was computed over (the first ones: groups only grow). */
  groupCount: number;
  /** By constraint: 1 if the pod matches its own selector. */
  readonly selfMatch: number[];
  /** Whether every node must have every key to take part (false for system defaults only). */
  readonly requireAll: boolean;
  /** The part of the verdict key (the filter set) or '' (the score set). */
  readonly key: string;
  /** Whether a constraint honours taints (its eligibility also changes with nodes' taints). */
  readonly taintsHonor: boolean;
  /** By constraint: which nodes take part, for the cache generations below. */
  readonly elig: Array<Eligibility | undefined>;
  eligLabelGen: number;
  eligTaintGen: number;
}

/** Which nodes take part in a constraint's domains, and the domains. */
interface Eligibility {
  /** Every node with the constraint's key takes part: the cache's DomainCounts are the counts. */
  readonly all: boolean;
  /** The nodes that take part (when not `all`). */
  readonly nodes: NodeInfo[];
  /** The topology values of the nodes that take part, sorted. */
  readonly domains: string[];
  /** How many nodes take part per value (kept for the label-change deltas while `all`). */
  readonly perDomain: Map<string, number>;
}

/** The constraints of `pod` of one action, or the system defaults (score only) for a pod without any. */
export function spreadConstraints(
  pod: Pod,
  action: 'DoNotSchedule' | 'ScheduleAnyway',
  groupLabels: Readonly<Record<string, string>>,
): { constraints: SpreadConstraint[]; defaulted: boolean } {
  const own = pod.spec.topologySpreadConstraints;
  if (own.length > 0) {
    const out: SpreadConstraint[] = [];
    for (const c of own) {
      if (c.whenUnsatisfiable !== action) continue;
      let selector = c.labelSelector;
      if (c.matchLabelKeys.length > 0) {
        const set: Record<string, string> = {};
        let any = false;
        for (const k of c.matchLabelKeys)
          if (Object.prototype.hasOwnProperty.call(pod.metadata.labels, k)) {
            set[k] = pod.metadata.labels[k];
            any = true;
          }
        if (any) selector = withLabels(selector, set);
      }
      out.push({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector,
        minDomains: c.minDomains ?? 1,
        affinityHonor: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        taintsHonor: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      });
    }
    return { constraints: out, defaulted: false };
  }
  if (action !== 'ScheduleAnyway' || !spreadDefaults.system) return { constraints: [], defaulted: false };
  const kind = pod.metadata.workload.slice(0, pod.metadata.workload.indexOf('/'));
  if (kind !== 'Deployment' && kind !== 'StatefulSet') return { constraints: [], defaulted: false };
  let any = false;
  for (const _ in groupLabels) {
    any = true;
    break;
  }
  if (!any) return { constraints: [], defaulted: false };
  const selector: LabelSelector = { matchLabels: { ...groupLabels }, matchExpressions: [] };
  return {
    constraints: SYSTEM_DEFAULT_CONSTRAINTS.map((d) => ({
      maxSkew: d.maxSkew,
      topologyKey: d.topologyKey,
      selector,
      minDomains: 1,
      affinityHonor: true,
      taintsHonor: false,
    })),
    defaulted: true,
  };
}

export class PodTopologySpread implements FilterPlugin, ScorePlugin {
  readonly name = 'PodTopologySpread';
  private readonly cache: SchedulerCache;
  private readonly notMatch: number;
  private readonly labelNotMatch: number;
  /** By workload: its pods' DoNotSchedule and ScheduleAnyway sets (pods of a workload share their spec). */
  private readonly sets = new Map<string, { spec: Pod['spec']; filter: ConstraintSet; score: ConstraintSet }>();
  /** Verdict key texts -> short ids. */
  private readonly keyIds = new Map<string, string>();
  // This cycle's Filter data.
  private filterSet: ConstraintSet | undefined;
  /** By constraint: matching pods per domain (eligible domains only) and the minimum used for the skew. */
  private readonly counts: Array<Map<string, number>> = [];
  private minMatch: number[] = [];
  private selfMatch: number[] = [];
  /** The bitsets of the zones allowed this cycle (the word form's `bits`, refilled each cycle). */
  private readonly allowedZones: Uint32Array[] = [];
  private readonly words: ExactWordFilter;
  // This cycle's Score data.
  private scoreSet: ConstraintSet | undefined;
  /** By score constraint: its key and maxSkew − 1 (this cycle), and the domains among the feasible nodes. */
  private readonly scoreKeys: string[] = [];
  private readonly scoreBase: number[] = [];
  private readonly domainsSeen: Array<Set<string>> = [];
  private readonly scoreCounts: Array<Map<string, number>> = [];
  private scoreWeights: number[] = [];
  private ignored = new Uint8Array(0);
  // scoreAll's columns, by score constraint: the nodes' value ids, the matched workloads' pods by position
  // (hostname), the matching pods by value id, and a stamp per value id for counting the domains seen.
  private readonly colIds: Int32Array[] = [];
  private readonly hostCols: Int32Array[][] = [];
  private readonly countById: Int32Array[] = [];
  private readonly seenById: Int32Array[] = [];
  private seenStamp = 0;
  /** Fast path schedulerSpreadDeltas (eligibilityAfter). */
  private readonly spreadDeltas: boolean;

  constructor(h: FrameworkHandle) {
    this.cache = h.cache;
    this.spreadDeltas = h.fastPaths?.schedulerSpreadDeltas ?? true;
    this.notMatch = h.statuses.unschedulable(h.filterBit, ERR_REASON_CONSTRAINTS_NOT_MATCH);
    this.labelNotMatch = h.statuses.unschedulableAndUnresolvable(h.filterBit, ERR_REASON_NODE_LABEL_NOT_MATCH);
    const notMatch = h.statuses.reason(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    const labelNotMatch = h.statuses.reason(ERR_REASON_NODE_LABEL_NOT_MATCH);
    const cols = h.cache.columns;
    this.words = {
      kind: 'exact',
      bits: this.allowedZones,
      count(w: number, rejected: number, diag: Diagnosis): void {
        let inAnyZone = 0;
        for (let z = 0; z < cols.zones.length; z++) inAnyZone |= cols.zones[z][w];
        diag.add(labelNotMatch, bitCount(rejected & ~inAnyZone));
        diag.add(notMatch, bitCount(rejected & inAnyZone));
      },
    };
  }

  readonly events = {
    assignedPodAdd: true,
    assignedPodDelete: true,
    nodeDelete: true,
    nodeUpdate: (prev: Node, next: Node) =>
      prev.metadata.labels !== next.metadata.labels || prev.spec.taints !== next.spec.taints,
  };

  // ---- Filter ----

  preFilter(state: CycleState): number {
    const pod = state.pod;
    if (pod.spec.topologySpreadConstraints.length === 0) return SKIP;
    const set = this.setsOf(pod).filter;
    if (set.constraints.length === 0) return SKIP;
    this.filterSet = set;
    this.selfMatch = set.selfMatch;
    const cs = set.constraints;
    this.minMatch.length = cs.length;
    for (let i = 0; i < cs.length; i++) {
      const e = this.eligibility(set, i, pod);
      const counts = this.domainCounts(cs[i].topologyKey, set.matched[i], e, (this.counts[i] ??= new Map()));
      let min = Infinity;
      for (const v of counts.values()) if (v < min) min = v;
      // Fewer domains than minDomains (so also none at all): the global minimum is 0.
      if (e.domains.length < cs[i].minDomains) min = 0;
      this.minMatch[i] = min;
    }
    return SUCCESS;
  }

  filter(state: CycleState, pos: number): number {
    const cs = this.filterSet!.constraints;
    const labels = state.order[pos].labels;
    for (let i = 0; i < cs.length; i++) {
      const key = cs[i].topologyKey;
      if (!Object.prototype.hasOwnProperty.call(labels, key)) return this.labelNotMatch;
      const matchNum = this.counts[i].get(labels[key]) ?? 0;
      if (matchNum + this.selfMatch[i] - this.minMatch[i] > cs[i].maxSkew) return this.notMatch;
    }
    return SUCCESS;
  }

  /** When every constraint is on the zone key: the nodes of the zones every constraint allows. */
  wordFilter(state: CycleState): ExactWordFilter | undefined {
    const cs = this.filterSet!.constraints;
    for (let i = 0; i < cs.length; i++) if (cs[i].topologyKey !== LABEL_ZONE) return undefined;
    const zones = state.cols.zones;
    this.allowedZones.length = 0;
    zones: for (let z = 0; z < zones.length; z++) {
      const zone = this.cache.zoneName(z);
      for (let i = 0; i < cs.length; i++)
        if ((this.counts[i].get(zone) ?? 0) + this.selfMatch[i] - this.minMatch[i] > cs[i].maxSkew) continue zones;
      this.allowedZones.push(zones[z]);
    }
    return this.words;
  }

  verdictKey(pod: Pod): string {
    if (pod.spec.topologySpreadConstraints.length === 0) return '-';
    const set = this.setsOf(pod).filter;
    return set.constraints.length === 0 ? '-' : set.key;
  }

  verdictVersion(pod: Pod): number {
    if (pod.spec.topologySpreadConstraints.length === 0) return 0;
    const set = this.setsOf(pod).filter;
    let v = 0;
    for (const ws of set.matched) for (const w of ws) v += this.cache.workloadVersion(w);
    return v;
  }

  // ---- Score ----

  scoreSkip(state: CycleState): boolean {
    const pod = state.pod;
    if (pod.spec.topologySpreadConstraints.length === 0 && !spreadDefaults.system) return true;
    this.scoreSet = this.setsOf(pod).score;
    return this.scoreSet.constraints.length === 0;
  }

  preScore(state: CycleState, found: Int32Array, count: number): void {
    const set = this.scoreSet!;
    const cs = set.constraints;
    const order = state.order;
    if (this.ignored.length < order.length) this.ignored = new Uint8Array(order.length * 2);
    const n = cs.length;
    const domainsSeen = this.domainsSeen;
    for (let i = 0; i < n; i++) (domainsSeen[i] ??= new Set()).clear();
    let ignoredCount = 0;
    for (let k = 0; k < count; k++) {
      const p = found[k];
      const labels = order[p].labels;
      let missing = false;
      if (set.requireAll) for (let i = 0; i < n; i++) if (typeof labels[cs[i].topologyKey] !== 'string') missing = true;
      this.ignored[p] = missing ? 1 : 0;
      if (missing) {
        ignoredCount++;
        continue;
      }
      for (let i = 0; i < n; i++) {
        const key = cs[i].topologyKey;
        if (key === LABEL_HOSTNAME) continue;
        const v = labels[key];
        if (typeof v === 'string') domainsSeen[i].add(v);
      }
    }
    this.scoreKeys.length = n;
    this.scoreBase.length = n;
    this.scoreWeights.length = n;
    for (let i = 0; i < n; i++) {
      const key = cs[i].topologyKey;
      const hostname = key === LABEL_HOSTNAME;
      this.scoreKeys[i] = key;
      this.scoreBase[i] = cs[i].maxSkew - 1;
      this.scoreWeights[i] = Math.log((hostname ? count - ignoredCount : domainsSeen[i].size) + 2);
      if (!hostname)
        this.domainCounts(
          key,
          set.matched[i],
          this.eligibility(set, i, state.pod),
          (this.scoreCounts[i] ??= new Map()),
        );
    }
  }

  score(state: CycleState, pos: number): number {
    if (this.ignored[pos] === 1) return 0;
    const matched = this.scoreSet!.matched;
    const info = state.order[pos];
    const labels = info.labels;
    const keys = this.scoreKeys;
    let score = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const v = labels[key];
      if (typeof v !== 'string') continue;
      let cnt = 0;
      if (key === LABEL_HOSTNAME) {
        const ws = matched[i];
        for (let j = 0; j < ws.length; j++) cnt += info.workloadCounts.get(ws[j]) ?? 0;
      } else cnt = this.scoreCounts[i].get(v) ?? 0;
      score += cnt * this.scoreWeights[i] + this.scoreBase[i];
    }
    return Math.round(score);
  }

  /** scoreAll's PreScore: the columns, the nodes ignored, the domains among the others, the weights and counts. */
  private preScoreColumns(state: CycleState, found: Int32Array, count: number): void {
    const set = this.scoreSet!;
    const cs = set.constraints;
    const n = cs.length;
    const cache = this.cache;
    if (this.ignored.length < state.order.length) this.ignored = new Uint8Array(state.order.length * 2);
    const ignored = this.ignored;
    const ids = this.colIds;
    const hostCols = this.hostCols;
    ids.length = n;
    for (let i = 0; i < n; i++) {
      const key = cs[i].topologyKey;
      const col = cache.valueColumn(key);
      ids[i] = col.ids;
      if (key === LABEL_HOSTNAME) {
        const ws = set.matched[i];
        const cols = (hostCols[i] ??= []);
        cols.length = ws.length;
        for (let j = 0; j < ws.length; j++) cols[j] = cache.workloadColumn(ws[j]);
      }
    }
    // PreScore: the nodes ignored (without every key, when that counts) and the domains among the others.
    let ignoredCount = 0;
    for (let k = 0; k < count; k++) {
      const p = found[k];
      let missing = 0;
      if (set.requireAll) for (let i = 0; i < n; i++) if (ids[i][p] < 0) missing = 1;
      ignored[p] = missing;
      ignoredCount += missing;
    }
    for (let i = 0; i < n; i++) {
      const key = cs[i].topologyKey;
      const hostname = key === LABEL_HOSTNAME;
      let domains = 0;
      if (!hostname) {
        const col = cache.valueColumn(key);
        const values = col.names.length;
        let seen = (this.seenById[i] ??= new Int32Array(0));
        if (seen.length < values) this.seenById[i] = seen = new Int32Array(Math.max(values, seen.length * 2));
        const stamp = ++this.seenStamp;
        const vid = ids[i];
        for (let k = 0; k < count; k++) {
          const p = found[k];
          const v = vid[p];
          if (ignored[p] === 1 || v < 0 || seen[v] === stamp) continue;
          seen[v] = stamp;
          domains++;
        }
        // The matching pods per domain, by value id (0 for a value outside the eligible domains).
        const byName = this.domainCounts(
          key,
          set.matched[i],
          this.eligibility(set, i, state.pod),
          (this.scoreCounts[i] ??= new Map()),
        );
        let cnt = (this.countById[i] ??= new Int32Array(0));
        if (cnt.length < values) this.countById[i] = cnt = new Int32Array(Math.max(values, cnt.length * 2));
        cnt.fill(0, 0, values);
        for (const [v, c] of byName) {
          const id = col.idOf.get(v);
          if (id !== undefined) cnt[id] = c;
        }
      }
      this.scoreKeys[i] = key;
      this.scoreBase[i] = cs[i].maxSkew - 1;
      this.scoreWeights[i] = Math.log((hostname ? count - ignoredCount : domains) + 2);
    }
    this.scoreKeys.length = n;
    this.scoreBase.length = n;
    this.scoreWeights.length = n;
  }

  /**
   * PreScore, Score and NormalizeScore over every feasible node in one call (the fast path
   * schedulerColumnScores): the same sums in the same order, with a node's topology values and its own
   * matching pods read from the cache's position columns (valueColumn, workloadColumn) instead of its
   * labels and its per-workload map. At 5,000 nodes a cycle scores ~500 nodes this way in a few typed-array
   * reads each.
   */
  scoreAll(state: CycleState, found: Int32Array, count: number, scores: Int32Array): void {
    this.preScoreColumns(state, found, count);
    const n = this.scoreSet!.constraints.length;
    const ids = this.colIds;
    const hostCols = this.hostCols;
    const ignored = this.ignored;
    // Score, as score() adds it up.
    const base = this.scoreBase;
    const weights = this.scoreWeights;
    for (let k = 0; k < count; k++) {
      const p = found[k];
      if (ignored[p] === 1) {
        scores[k] = 0;
        continue;
      }
      let score = 0;
      for (let i = 0; i < n; i++) {
        const v = ids[i][p];
        if (v < 0) continue;
        let cnt = 0;
        const cols = hostCols[i];
        if (this.scoreKeys[i] === LABEL_HOSTNAME) for (let j = 0; j < cols.length; j++) cnt += cols[j][p];
        else cnt = this.countById[i][v];
        score += cnt * weights[i] + base[i];
      }
      scores[k] = Math.round(score);
    }
    this.normalizeScore(state, scores, count, found);
  }

  normalizeScore(state: CycleState, scores: Int32Array, count: number, found: Int32Array): void {
    let min = Infinity;
    let max = 0;
    for (let k = 0; k < count; k++) {
      if (this.ignored[found[k]] === 1) continue;
      if (scores[k] < min) min = scores[k];
      if (scores[k] > max) max = scores[k];
    }
    for (let k = 0; k < count; k++) {
      if (this.ignored[found[k]] === 1) scores[k] = 0;
      else if (max === 0) scores[k] = MAX_NODE_SCORE;
      else scores[k] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[k])) / max);
    }
  }

  // ---- shared ----

  /** The pod's constraint sets (memoized per workload while its pods' spec fields are the same objects). */
  private setsOf(pod: Pod): { filter: ConstraintSet; score: ConstraintSet } {
    const workload = pod.metadata.workload;
    let s = this.sets.get(workload);
    if (
      s === undefined ||
      s.spec.topologySpreadConstraints !== pod.spec.topologySpreadConstraints ||
      s.spec.affinity !== pod.spec.affinity
    ) {
      const groupLabels = this.cache.group(workload)?.labels ?? withoutPodName(pod.metadata.labels);
      const filter = spreadConstraints(pod, 'DoNotSchedule', groupLabels);
      const score = spreadConstraints(pod, 'ScheduleAnyway', groupLabels);
      s = {
        spec: pod.spec,
        filter: this.newSet(pod, filter.constraints, true, true),
        score: this.newSet(pod, score.constraints, !score.defaulted, false),
      };
      this.sets.set(workload, s);
    }
    this.refreshMatched(s.filter, pod.metadata.namespace);
    this.refreshMatched(s.score, pod.metadata.namespace);
    return s;
  }

  private newSet(pod: Pod, constraints: SpreadConstraint[], requireAll: boolean, keyed: boolean): ConstraintSet {
    const selfMatch = constraints.map((c) => (matchesLabelSelector(c.selector, pod.metadata.labels) ? 1 : 0));
    const policy = constraints.some((c) => c.affinityHonor)
      ? [pod.spec.nodeSelector, pod.spec.affinity?.nodeAffinity?.required ?? null]
      : null;
    const tolerations = constraints.some((c) => c.taintsHonor) ? pod.spec.tolerations : null;
    return {
      constraints,
      matched: constraints.map(() => []),
      groupCount: 0,
      selfMatch,
      requireAll,
      taintsHonor: tolerations !== null,
      elig: constraints.map(() => undefined),
      eligLabelGen: -1,
      eligTaintGen: -1,
      key: keyed
        ? this.keyId(
            JSON.stringify([
              constraints,
              selfMatch,
              pod.metadata.namespace,
              pod.metadata.workload,
              policy,
              tolerations,
            ]),
          )
        : '',
    };
  }

  /** A short stand-in for a verdict key's long text (the reused verdicts hash the key on every lookup). */
  private keyId(text: string): string {
    let id = this.keyIds.get(text);
    if (id === undefined) this.keyIds.set(text, (id = `s${this.keyIds.size}`));
    return id;
  }

  /** Adds the groups that appeared since the last call to the constraints' matched workloads. */
  private refreshMatched(set: ConstraintSet, namespace: string): void {
    const groups = this.cache.groups;
    const from = set.groupCount;
    if (from === groups.length) return;
    set.groupCount = groups.length;
    const cs = set.constraints;
    for (let k = from; k < groups.length; k++) {
      const g = groups[k];
      if (g.namespace !== namespace) continue;
      for (let i = 0; i < cs.length; i++)
        if (matchesLabelSelector(cs[i].selector, g.labels)) set.matched[i].push(g.workload);
    }
  }

  /** Which nodes take part in constraint i's domains for this pod (memoized while the nodes are the same). */
  private eligibility(set: ConstraintSet, i: number, pod: Pod): Eligibility {
    const cache = this.cache;
    if (set.taintsHonor && set.eligTaintGen !== cache.nodeTaintGen) {
      set.elig.fill(undefined);
      set.eligTaintGen = cache.nodeTaintGen;
    }
    if (set.eligLabelGen !== cache.nodeLabelGen) {
      if (this.spreadDeltas && set.eligLabelGen >= cache.labelLogBase) {
        const from = set.eligLabelGen - cache.labelLogBase;
        for (let k = 0; k < set.elig.length; k++) {
          const before = set.elig[k];
          if (before !== undefined) set.elig[k] = this.eligibilityAfter(set, k, pod, before, from);
        }
      } else set.elig.fill(undefined);
      set.eligLabelGen = cache.nodeLabelGen;
    }
    let e = set.elig[i];
    if (e !== undefined) return e;
    const c = set.constraints[i];
    const nodes: NodeInfo[] = [];
    const perDomain = new Map<string, number>();
    let all = true;
    for (const info of this.cache.order()) {
      const labels = info.labels;
      if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) continue;
      if (!this.takesPart(set, i, pod, info.name, labels, info.taints)) {
        all = false;
        continue;
      }
      nodes.push(info);
      const v = labels[c.topologyKey];
      perDomain.set(v, (perDomain.get(v) ?? 0) + 1);
    }
    e = { all, nodes: all ? [] : nodes, domains: [...perDomain.keys()].sort(), perDomain };
    set.elig[i] = e;
    return e;
  }

  /**
   * Whether a node with the constraint's key takes part in constraint `i` (upstream
   * podtopologyspread/common.go: every constraint's key present for the filter, nodeAffinityPolicy and
   * nodeTaintsPolicy Honor).
   */
  private takesPart(
    set: ConstraintSet,
    i: number,
    pod: Pod,
    name: string,
    labels: Readonly<Record<string, string>>,
    taints: Node['spec']['taints'],
  ): boolean {
    const c = set.constraints[i];
    if (set.requireAll)
      for (const o of set.constraints) if (!Object.prototype.hasOwnProperty.call(labels, o.topologyKey)) return false;
    if (c.affinityHonor) {
      const required = pod.spec.affinity?.nodeAffinity?.required;
      if (!matchesRequiredNodeAffinity(pod.spec.nodeSelector, required, name, labels)) return false;
    }
    return !(c.taintsHonor && untoleratedTaint(taints, pod.spec.tolerations) !== undefined);
  }

  /**
   * Fast path schedulerSpreadDeltas: constraint `i`'s eligibility brought up to date from the node label
   * changes logged since `from` (an index into the cache's labelLog), or undefined when the nodes must be
   * walked again. Only an eligibility where every node with the key takes part (`all`) is carried
   * forward, and only while every node added or relabelled takes part too: then it is the counts per
   * value, which the changes give exactly; whatever else happened, the reference walk decides. Not for
   * constraints that honour taints (their verdict reads the node's current taints, not the logged labels).
   */
  private eligibilityAfter(
    set: ConstraintSet,
    i: number,
    pod: Pod,
    e: Eligibility,
    from: number,
  ): Eligibility | undefined {
    const c = set.constraints[i];
    if (!e.all || c.taintsHonor) return undefined;
    const log = this.cache.labelLog;
    const key = c.topologyKey;
    const perDomain = new Map(e.perDomain);
    let domainsChanged = false;
    for (let k = from; k < log.length; k++) {
      const { name, before, after } = log[k];
      if (before !== undefined && Object.prototype.hasOwnProperty.call(before, key)) {
        const v = before[key];
        const had = perDomain.get(v);
        if (had === undefined) return undefined;
        const n = had - 1;
        if (n === 0) {
          perDomain.delete(v);
          domainsChanged = true;
        } else perDomain.set(v, n);
      }
      if (after !== undefined && Object.prototype.hasOwnProperty.call(after, key)) {
        if (!this.takesPart(set, i, pod, name, after, [])) return undefined;
        const v = after[key];
        const n = perDomain.get(v);
        if (n === undefined) domainsChanged = true;
        perDomain.set(v, (n ?? 0) + 1);
      }
    }
    return { all: true, nodes: [], domains: domainsChanged ? [...perDomain.keys()].sort() : e.domains, perDomain };
  }

  /** Matching active pods per domain of the nodes that take part (into `out`, cleared first). */
  private domainCounts(
    key: string,
    matched: readonly string[],
    e: Eligibility,
    out: Map<string, number>,
  ): Map<string, number> {
    out.clear();
    if (e.all) {
      const d = this.cache.domainCounts(key);
      for (const v of e.domains) {
        let n = 0;
        for (const w of matched) n += d.get(w, v);
        out.set(v, n);
      }
      return out;
    }
    for (const v of e.domains) out.set(v, 0);
    for (const info of e.nodes) {
      let n = 0;
      for (const w of matched) n += info.workloadCounts.get(w) ?? 0;
      if (n !== 0) {
        const v = info.labels[key];
        out.set(v, out.get(v)! + n);
      }
    }
    return out;
  }
}

function withoutPodName(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (!Object.prototype.hasOwnProperty.call(labels, 'statefulset.kubernetes.io/pod-name')) return labels;
  const { ['statefulset.kubernetes.io/pod-name']: _own, ...rest } = labels;
  return rest;
}

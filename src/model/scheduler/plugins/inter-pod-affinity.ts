// InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity): Filter (filtering.go PreFilter,
// satisfyPodAffinity, satisfyPodAntiAffinity, satisfyExistingPodsAntiAffinity) and Score (scoring.go
// PreScore, processExistingPod, Score, NormalizeScore; default weight 2, hardPodAffinityWeight 1).
//
// As upstream:
// - A term selects pods by labelSelector (absent: none) in its namespaces: `namespaces`, plus those
//   `namespaceSelector` selects (empty: every namespace); neither: the namespace of the pod that has
//   the term. matchLabelKeys and mismatchLabelKeys add `key In (own value)` and `key NotIn (own value)`
//   of the term's pod to the selector (upstream's API server merges them at admission).
// - Every pod the cache holds counts, Terminating or not (upstream iterates NodeInfo.Pods).
// - Filter, in this order: required affinity (each term needs, in the node's domain of the term's key, a
//   pod that matches all the terms, and the node must have every key; when no pod anywhere matches all
//   terms and the pod matches them itself, it may go anywhere with the keys: the first of a group), rejected with
//   "node(s) didn't match pod affinity rules"; required anti-affinity (no selected pod in the node's
//   domain of any term), "node(s) didn't match pod anti-affinity rules"; existing pods' required
//   anti-affinity terms that select the incoming pod (none of those pods in the node's domain),
//   "node(s) didn't satisfy existing pods anti-affinity rules". PreFilter answers Skip when the pod has
//   no required terms and no existing pod's required anti-affinity term selects it.
// - Score: for each existing pod and each topology key, Σ weights of the incoming pod's preferred
//   affinity terms selecting it (anti-affinity: minus), of its own required affinity terms selecting the
//   incoming pod (weight 1) and of its preferred terms selecting the incoming pod (anti: minus), added to
//   every node in its domain; NormalizeScore maps min..max to 0..100 (all equal: 0).
// - namespaceSelector is matched against the one label every namespace has,
//   kubernetes.io/metadata.name (hasim models no Namespace objects).
//
// hasim's shape: pods are matched by workload (cache.ts PodGroup: every pod of a workload has the same
// labels, namespace and affinity), and counted per topology value from the cache's DomainCounts, so a
// node's verdict costs one lookup per (term, matching workload). The Filter's word form (the fast path
// schedulerAffinityWords) reads the same counts as bitsets: for each (term key, workload) pair the cache
// keeps the nodes whose value of the key has a pod of the workload (SchedulerCache.heldBits, updated when
// a value's count goes from or to 0), and a cycle ORs and masks those words, so the accelerator skips
// the nodes a term rejects 32 at a time.
import type { Node, Pod } from '../../../k8s/objects.js';
import type { LabelSelector, PodAffinityTerm } from '../../../k8s/scheduling.js';
import { matchesLabelSelector } from '../../../k8s/selectors.js';
import { bitCount } from '../bits.js';
import type { DomainCounts, PodGroup, SchedulerCache } from '../cache.js';
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

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH =
  "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
/** InterPodAffinityArgs.hardPodAffinityWeight's default. */
export const HARD_POD_AFFINITY_WEIGHT = 1;
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** An affinity term with its selector resolved for the pod that has it (upstream's framework.AffinityTerm). */
export interface ResolvedTerm {
  readonly topologyKey: string;
  readonly selector: LabelSelector | undefined;
  readonly namespaces: readonly string[];
  readonly namespaceSelector: LabelSelector | undefined;
}

/** The term of a pod with `labels` in `namespace`, matchLabelKeys and mismatchLabelKeys merged. */
export function resolveTerm(
  t: PodAffinityTerm,
  labels: Readonly<Record<string, string>>,
  namespace: string,
): ResolvedTerm {
  let selector = t.labelSelector;
  if (selector !== undefined && (t.matchLabelKeys.length > 0 || t.mismatchLabelKeys.length > 0)) {
    const extra = [];
    for (const k of t.matchLabelKeys)
      if (Object.prototype.hasOwnProperty.call(labels, k))
        extra.push({ key: k, operator: 'In' as const, values: [labels[k]] });
    for (const k of t.mismatchLabelKeys)
      if (Object.prototype.hasOwnProperty.call(labels, k))
        extra.push({ key: k, operator: 'NotIn' as const, values: [labels[k]] });
    selector = { matchLabels: selector.matchLabels, matchExpressions: [...selector.matchExpressions, ...extra] };
  }
  const own = t.namespaces.length === 0 && t.namespaceSelector === undefined;
  return {
    topologyKey: t.topologyKey,
    selector,
    namespaces: own ? [namespace] : t.namespaces,
    namespaceSelector: t.namespaceSelector,
  };
}

/** AffinityTerm.Matches: the pod (labels, namespace) is in the term's namespaces and its selector matches. */
export function termMatches(t: ResolvedTerm, labels: Readonly<Record<string, string>>, namespace: string): boolean {
  const inNamespace =
    t.namespaces.includes(namespace) ||
    (t.namespaceSelector !== undefined &&
      matchesLabelSelector(t.namespaceSelector, { [NAMESPACE_NAME_LABEL]: namespace }));
  return inNamespace && matchesLabelSelector(t.selector, labels);
}

/** A term and the workloads (groups) it counts. */
interface Counted {
  readonly term: ResolvedTerm;
  readonly counts: DomainCounts;
  readonly groups: string[];
}

/** A contribution to the Score: `weight` per pod of `group` in the node's domain of `counts.key`. */
interface Weighted {
  readonly counts: DomainCounts;
  readonly group: string;
  readonly weight: number;
}

interface PodTerms {
  readonly spec: Pod['spec'];
  readonly affinity: Counted[];
  readonly antiAffinity: Counted[];
  readonly preferredAffinity: Array<Counted & { weight: number }>;
  readonly preferredAntiAffinity: Array<Counted & { weight: number }>;
  /** The pod matches all its own required affinity terms. */
  readonly matchesOwnAffinity: boolean;
  /** The cache groups the terms were matched against (how many). */
  groupCount: number;
  /** Existing pods' required anti-affinity terms selecting this pod: their counts and group. */
  readonly existingAnti: Array<{ counts: DomainCounts; group: string }>;
  /** The Score's contributions. */
  readonly weighted: Weighted[];
}

export class InterPodAffinity implements FilterPlugin, ScorePlugin {
  readonly name = 'InterPodAffinity';
  private readonly cache: SchedulerCache;
  private readonly affinityMismatch: number;
  private readonly antiAffinityMismatch: number;
  private readonly existingAntiMismatch: number;
  /** By workload: its pods' resolved terms (pods of a workload share their spec). */
  private readonly byWorkload = new Map<string, PodTerms>();
  private terms: PodTerms | undefined;
  /** This cycle: some pod matches all the pod's required affinity terms (upstream: affinityCounts not empty). */
  private anyAffinityMatch = false;
  private scoreTerms: PodTerms | undefined;
  // This cycle's Filter lookups (preFilter): topology keys and the count maps they read.
  private readonly affinityKeys: string[] = [];
  private readonly affinityMaps: Array<Array<ReadonlyMap<string, number>>> = [];
  private readonly antiKeys: string[] = [];
  private readonly antiMaps: Array<ReadonlyMap<string, number>> = [];
  private readonly existingKeys: string[] = [];
  private readonly existingMaps: Array<ReadonlyMap<string, number>> = [];
  /** The same lookups for the word form: each affinity term's counts and the groups matching all terms, the anti-affinity (counts, group) pairs. */
  private readonly affinityCounts: DomainCounts[] = [];
  private affinityGroups: string[] = [];
  private readonly antiPairs: Array<{ counts: DomainCounts; group: string }> = [];
  /** Verdict key texts -> short ids. */
  private readonly keyIds = new Map<string, string>();
  /** Interned pod label sets (with namespace), for verdictVersion. */
  private readonly labelIds = new Map<string, number>();
  private readonly labelIdOf = new WeakMap<object, number>();
  // The word form (schedulerAffinityWords), refilled each cycle: the nodes that pass the required affinity
  // terms, those a required anti-affinity term rejects and those an existing pod's term rejects.
  private readonly wordForm: boolean;
  private affinityPass = new Uint32Array(0);
  private antiRejects = new Uint32Array(0);
  private existingRejects = new Uint32Array(0);
  private readonly passes: Uint32Array[] = [new Uint32Array(0)];
  private readonly words: ExactWordFilter;

  constructor(h: FrameworkHandle) {
    this.cache = h.cache;
    this.affinityMismatch = h.statuses.unschedulableAndUnresolvable(h.filterBit, ERR_REASON_AFFINITY_RULES_NOT_MATCH);
    this.antiAffinityMismatch = h.statuses.unschedulable(h.filterBit, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    this.existingAntiMismatch = h.statuses.unschedulable(
      h.filterBit,
      ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
    );
    this.wordForm = h.fastPaths?.schedulerAffinityWords ?? true;
    const affinityReason = h.statuses.reason(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
    const antiReason = h.statuses.reason(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    const existingReason = h.statuses.reason(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    this.words = {
      kind: 'exact',
      bits: this.passes,
      // In Filter's order: required affinity, then required anti-affinity, then existing pods' terms.
      count: (w: number, rejected: number, diag: Diagnosis): void => {
        const rest = rejected & this.affinityPass[w];
        diag.add(affinityReason, bitCount(rejected & ~this.affinityPass[w]));
        diag.add(antiReason, bitCount(rest & this.antiRejects[w]));
        diag.add(existingReason, bitCount(rest & ~this.antiRejects[w]));
      },
    };
  }

  readonly events = {
    assignedPodAdd: true,
    assignedPodDelete: true,
    nodeDelete: true,
    nodeUpdate: (prev: Node, next: Node) => prev.metadata.labels !== next.metadata.labels,
  };

  // ---- Filter ----

  preFilter(state: CycleState): number {
    const pod = state.pod;
    if (pod.spec.affinity === undefined && this.cache.affinityGroups.length === 0) return SKIP;
    const t = this.termsOf(pod);
    if (t.affinity.length === 0 && t.antiAffinity.length === 0 && t.existingAnti.length === 0) return SKIP;
    this.terms = t;
    // Only pods matching every required affinity term count, for each term (upstream's
    // updateWithAffinityTerms, podMatchesAllAffinityTerms): the groups every term counts.
    const all =
      t.affinity.length > 0 ? t.affinity[0].groups.filter((g) => t.affinity.every((c) => c.groups.includes(g))) : [];
    this.anyAffinityMatch = all.some((g) => t.affinity.some((c) => c.counts.anyAll(g)));
    // This cycle's counts, looked up once: by term (affinity) or by (term, group) pair (the others).
    this.affinityKeys.length = 0;
    this.affinityMaps.length = 0;
    this.affinityCounts.length = 0;
    for (const c of t.affinity) {
      this.affinityKeys.push(c.term.topologyKey);
      this.affinityMaps.push(all.map((g) => c.counts.allOf(g)));
      this.affinityCounts.push(c.counts);
    }
    this.affinityGroups = all;
    this.antiKeys.length = 0;
    this.antiMaps.length = 0;
    this.antiPairs.length = 0;
    for (const c of t.antiAffinity)
      for (const g of c.groups) {
        this.antiKeys.push(c.term.topologyKey);
        this.antiMaps.push(c.counts.allOf(g));
        this.antiPairs.push({ counts: c.counts, group: g });
      }
    this.existingKeys.length = 0;
    this.existingMaps.length = 0;
    for (const e of t.existingAnti) {
      this.existingKeys.push(e.counts.key);
      this.existingMaps.push(e.counts.allOf(e.group));
    }
    return SUCCESS;
  }

  filter(state: CycleState, pos: number): number {
    const labels = state.order[pos].labels;
    const affinityKeys = this.affinityKeys;
    if (affinityKeys.length > 0) {
      let podsExist = true;
      for (let i = 0; i < affinityKeys.length; i++) {
        const v = labels[affinityKeys[i]];
        if (typeof v !== 'string') return this.affinityMismatch;
        if (podsExist) {
          let n = 0;
          for (const m of this.affinityMaps[i]) n += m.get(v) ?? 0;
          if (n <= 0) podsExist = false;
        }
      }
      if (!podsExist && (this.anyAffinityMatch || !this.terms!.matchesOwnAffinity)) return this.affinityMismatch;
    }
    const antiKeys = this.antiKeys;
    for (let i = 0; i < antiKeys.length; i++) {
      const v = labels[antiKeys[i]];
      if (typeof v === 'string' && (this.antiMaps[i].get(v) ?? 0) > 0) return this.antiAffinityMismatch;
    }
    const existingKeys = this.existingKeys;
    for (let i = 0; i < existingKeys.length; i++) {
      const v = labels[existingKeys[i]];
      if (typeof v === 'string' && (this.existingMaps[i].get(v) ?? 0) > 0) return this.existingAntiMismatch;
    }
    return SUCCESS;
  }

  /**
   * Filter as bitsets, from the counts preFilter looked up: a node passes the required affinity terms when
   * it has every term's key and (unless the pod may go anywhere, the first of a group) a selected pod in
   * its domain of each; it is rejected by an anti-affinity term (its own or an existing pod's) when its
   * domain of the term's key holds a selected pod. One pass over the words per (term, workload) pair.
   */
  wordFilter(state: CycleState): ExactWordFilter | undefined {
    if (!this.wordForm) return undefined;
    const words = (state.order.length + 31) >>> 5;
    if (this.affinityPass.length < words) {
      this.affinityPass = new Uint32Array(words);
      this.antiRejects = new Uint32Array(words);
      this.existingRejects = new Uint32Array(words);
      this.passes[0] = new Uint32Array(words);
    }
    const cache = this.cache;
    const affinityPass = this.affinityPass;
    affinityPass.fill(-1 >>> 0);
    const affinityKeys = this.affinityKeys;
    if (affinityKeys.length > 0) {
      const anywhere = !this.anyAffinityMatch && this.terms!.matchesOwnAffinity;
      const held = this.existingRejects; // scratch: the nodes with a pod matching all terms in their domain of term i
      for (let i = 0; i < affinityKeys.length; i++) {
        const present = cache.valueColumn(affinityKeys[i]).presentBits();
        for (let w = 0; w < words; w++) affinityPass[w] &= present[w];
        if (anywhere) continue;
        held.fill(0, 0, words);
        for (const g of this.affinityGroups) orInto(held, cache.heldBits(this.affinityCounts[i], g), words);
        for (let w = 0; w < words; w++) affinityPass[w] &= held[w];
      }
    }
    const anti = this.antiRejects;
    anti.fill(0, 0, words);
    const pairs = this.antiPairs;
    for (let i = 0; i < pairs.length; i++) orInto(anti, cache.heldBits(pairs[i].counts, pairs[i].group), words);
    const existing = this.existingRejects;
    existing.fill(0, 0, words);
    const ex = this.terms!.existingAnti;
    for (let i = 0; i < ex.length; i++) {
      // A pair the pod's own anti-affinity also has rejects its nodes there first (a workload that keeps its
      // own pods apart): nothing to add.
      if (pairs.some((q) => q.counts === ex[i].counts && q.group === ex[i].group)) continue;
      orInto(existing, cache.heldBits(ex[i].counts, ex[i].group), words);
    }
    const pass = this.passes[0];
    for (let w = 0; w < words; w++) pass[w] = affinityPass[w] & ~anti[w] & ~existing[w];
    return this.words;
  }

  verdictKey(pod: Pod): string {
    if (pod.spec.affinity === undefined) return '-';
    // A short stand-in for the long text: the reused verdicts hash the key on every lookup.
    const text = JSON.stringify([pod.spec.affinity, pod.metadata.workload]);
    let id = this.keyIds.get(text);
    if (id === undefined) this.keyIds.set(text, (id = `a${this.keyIds.size}`));
    return id;
  }

  /** Existing pods' anti-affinity reads the pod's labels and namespace: an id of those, while any such pod exists. */
  verdictVersion(pod: Pod): number {
    if (pod.spec.affinity === undefined && this.cache.affinityGroups.length === 0) return 0;
    let id = this.labelIdOf.get(pod.metadata.labels);
    if (id === undefined) {
      const key = JSON.stringify([pod.metadata.namespace, pod.metadata.labels]);
      id = this.labelIds.get(key);
      if (id === undefined) this.labelIds.set(key, (id = this.labelIds.size + 1));
      this.labelIdOf.set(pod.metadata.labels, id);
    }
    return id;
  }

  // ---- Score ----

  scoreSkip(state: CycleState): boolean {
    const pod = state.pod;
    if (pod.spec.affinity === undefined && this.cache.affinityGroups.length === 0) return true;
    this.scoreTerms = this.termsOf(pod);
    return this.scoreTerms.weighted.length === 0;
  }

  score(state: CycleState, pos: number): number {
    const labels = state.order[pos].labels;
    let score = 0;
    for (const w of this.scoreTerms!.weighted) {
      const key = w.counts.key;
      if (Object.prototype.hasOwnProperty.call(labels, key)) score += w.weight * w.counts.getAll(w.group, labels[key]);
    }
    return score;
  }

  normalizeScore(_state: CycleState, scores: Int32Array, count: number): void {
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < count; k++) {
      if (scores[k] < min) min = scores[k];
      if (scores[k] > max) max = scores[k];
    }
    const diff = max - min;
    for (let k = 0; k < count; k++) scores[k] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[k] - min)) / diff) : 0;
  }

  // ---- shared ----

  /** The pod's terms and what they count (memoized per workload while its pods' spec and the groups are the same). */
  private termsOf(pod: Pod): PodTerms {
    const workload = pod.metadata.workload;
    let t = this.byWorkload.get(workload);
    if (t === undefined || t.spec.affinity !== pod.spec.affinity) {
      const labels = pod.metadata.labels;
      const ns = pod.metadata.namespace;
      const a = pod.spec.affinity;
      const counted = (x: PodAffinityTerm): Counted => {
        const term = resolveTerm(x, labels, ns);
        return { term, counts: this.cache.domainCounts(term.topologyKey), groups: [] };
      };
      const affinity = (a?.podAffinity?.required ?? []).map(counted);
      t = {
        spec: pod.spec,
        affinity,
        antiAffinity: (a?.podAntiAffinity?.required ?? []).map(counted),
        preferredAffinity: (a?.podAffinity?.preferred ?? []).map((w) => ({
          ...counted(w.podAffinityTerm),
          weight: w.weight,
        })),
        preferredAntiAffinity: (a?.podAntiAffinity?.preferred ?? []).map((w) => ({
          ...counted(w.podAffinityTerm),
          weight: w.weight,
        })),
        matchesOwnAffinity: affinity.length > 0 && affinity.every((c) => termMatches(c.term, labels, ns)),
        groupCount: 0,
        existingAnti: [],
        weighted: [],
      };
      this.byWorkload.set(workload, t);
    }
    if (t.groupCount !== this.cache.groups.length) this.match(t, pod);
    return t;
  }

  /**
   * Matches the pod's terms against the groups that appeared since the last call, and their terms
   * against the pod (groups only grow; the order of the lists does not matter: counts and weights add up).
   */
  private match(t: PodTerms, pod: Pod): void {
    const groups = this.cache.groups;
    const from = t.groupCount;
    t.groupCount = groups.length;
    const labels = pod.metadata.labels;
    const ns = pod.metadata.namespace;
    for (let k = from; k < groups.length; k++) {
      const g = groups[k];
      const selects = (c: Counted) => termMatches(c.term, g.labels, g.namespace);
      for (const c of t.affinity) if (selects(c)) c.groups.push(g.workload);
      for (const c of t.antiAffinity) if (selects(c)) c.groups.push(g.workload);
      for (const c of t.preferredAffinity)
        if (selects(c)) {
          c.groups.push(g.workload);
          t.weighted.push({ counts: c.counts, group: g.workload, weight: c.weight });
        }
      for (const c of t.preferredAntiAffinity)
        if (selects(c)) {
          c.groups.push(g.workload);
          t.weighted.push({ counts: c.counts, group: g.workload, weight: -c.weight });
        }
      const a = g.affinity;
      if (a === undefined) continue;
      const own = (x: PodAffinityTerm) => resolveTerm(x, g.labels, g.namespace);
      for (const x of a.podAntiAffinity?.required ?? []) {
        const term = own(x);
        if (termMatches(term, labels, ns))
          t.existingAnti.push({ counts: this.cache.domainCounts(term.topologyKey), group: g.workload });
      }
      const add = (term: ResolvedTerm, weight: number) => {
        if (weight !== 0 && termMatches(term, labels, ns))
          t.weighted.push({ counts: this.cache.domainCounts(term.topologyKey), group: g.workload, weight });
      };
      for (const x of a.podAffinity?.required ?? []) add(own(x), HARD_POD_AFFINITY_WEIGHT);
      for (const x of a.podAffinity?.preferred ?? []) add(own(x.podAffinityTerm), x.weight);
      for (const x of a.podAntiAffinity?.preferred ?? []) add(own(x.podAffinityTerm), -x.weight);
    }
  }
}

/** ORs the first `words` words of `from` into `into`. */
function orInto(into: Uint32Array, from: Uint32Array, words: number): void {
  for (let w = 0; w < words; w++) into[w] |= from[w];
}

export type { PodGroup };

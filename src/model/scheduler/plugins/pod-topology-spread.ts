// PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread/filtering.go), with the one
// constraint hasim pods can have (spreadAcrossZones): topologyKey topology.kubernetes.io/zone, maxSkew 1,
// whenUnsatisfiable DoNotSchedule, the pods of the same workload as the selector, and upstream's defaults
// nodeAffinityPolicy Honor / nodeTaintsPolicy Ignore. Every zone with a node matching the pod's
// nodeSelector is a domain, even one whose nodes are all down, so after a zone outage has evicted its
// pods, replacements that would raise the skew stay Pending. A node without a zone label is rejected
// with the "missing required label" reason. PreFilter answers Skip for a pod without the constraint.
//
// Fidelity: only pods without a deletionTimestamp count (countPodsMatchSelector). Left out: other
// topology keys, maxSkew other than 1, minDomains, matchLabelKeys, and the ScheduleAnyway constraints
// and the cluster's default soft constraints (upstream's Score, default weight 2).
import type { Node, Pod } from '../../../k8s/objects.js';
import { bitCount } from '../bits.js';
import { COL_NO_ZONE, HOT_META, HOT_STRIDE, META_ZONE_SHIFT, type SchedulerCache } from '../cache.js';
import {
  type CycleState,
  type Diagnosis,
  type ExactWordFilter,
  type FilterPlugin,
  type FrameworkHandle,
  SKIP,
  SUCCESS,
} from '../framework.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';

export class PodTopologySpread implements FilterPlugin {
  readonly name = 'PodTopologySpread';
  private readonly cache: SchedulerCache;
  private readonly notMatch: number;
  private readonly labelNotMatch: number;
  private workload = '';
  /** The fewest matching pods in any domain, this cycle. */
  private minMatch = 0;
  /** By zone id: 0 not computed yet this cycle, 1 one more pod there keeps the skew within 1, 2 it does not. */
  private zoneAllowed = new Uint8Array(0);
  /** The bitsets of the zones allowed this cycle (the word form's `bits`, refilled each cycle). */
  private readonly allowedZones: Uint32Array[] = [];
  private readonly words: ExactWordFilter;

  constructor(h: FrameworkHandle) {
    this.cache = h.cache;
    this.notMatch = h.statuses.unschedulable(h.filterBit, ERR_REASON_CONSTRAINTS_NOT_MATCH);
    this.labelNotMatch = h.statuses.unschedulable(h.filterBit, ERR_REASON_NODE_LABEL_NOT_MATCH);
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
    nodeUpdate: (prev: Node, next: Node) => prev.metadata.labels !== next.metadata.labels,
  };

  preFilter(state: CycleState): number {
    const pod = state.pod;
    if (!pod.spec.spreadAcrossZones) return SKIP;
    this.workload = pod.metadata.workload;
    let minMatch = Infinity;
    for (const z of this.cache.domains(pod.spec.nodeSelector))
      minMatch = Math.min(minMatch, this.cache.zoneCount(this.workload, z));
    this.minMatch = minMatch === Infinity ? 0 : minMatch;
    if (this.zoneAllowed.length < this.cache.zoneIdCount) this.zoneAllowed = new Uint8Array(this.cache.zoneIdCount + 8);
    else this.zoneAllowed.fill(0);
    return SUCCESS;
  }

  filter(state: CycleState, pos: number): number {
    const meta = state.cols.hot[pos * HOT_STRIDE + HOT_META];
    if ((meta & COL_NO_ZONE) !== 0) return this.labelNotMatch;
    return this.zoneAllows(meta >> META_ZONE_SHIFT, state.order[pos].zone) ? SUCCESS : this.notMatch;
  }

  /** The nodes of the zones where one more pod keeps the skew within 1. */
  wordFilter(state: CycleState): ExactWordFilter {
    const zones = state.cols.zones;
    this.allowedZones.length = 0;
    for (let z = 0; z < zones.length; z++)
      if (this.zoneAllows(z, this.cache.zoneName(z))) this.allowedZones.push(zones[z]);
    return this.words;
  }

  verdictKey(pod: Pod): string {
    // The domains come from the nodeSelector, the counts from the workload.
    return pod.spec.spreadAcrossZones
      ? `spread\n${JSON.stringify(pod.spec.nodeSelector)}\n${pod.metadata.workload}`
      : '-';
  }

  verdictVersion(pod: Pod): number {
    return pod.spec.spreadAcrossZones ? this.cache.zoneVersion(pod.metadata.workload) : 0;
  }

  /** One more pod in this zone keeps the skew within 1. Memoized per zone for the cycle. */
  private zoneAllows(zoneId: number, zone: string): boolean {
    let allowed = this.zoneAllowed[zoneId];
    if (allowed === 0) {
      allowed = this.cache.zoneCount(this.workload, zone) + 1 - this.minMatch <= 1 ? 1 : 2;
      this.zoneAllowed[zoneId] = allowed;
    }
    return allowed === 1;
  }
}

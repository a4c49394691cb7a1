// Fidelity note. Models the zone bookkeeping of the node lifecycle controller in kubernetes/kubernetes
// pkg/controller/nodelifecycle/node_lifecycle_controller.go (ComputeZoneState, ReducedQPSFunc,
// HealthyQPSFunc, setLimiterInZone) and the zone key of staging/src/k8s.io/component-helpers/node/topology
// (GetZoneKey), docs/fidelity.md#zone-states-and-rate-limiting and vectors Z1–Z9.
// Kept exactly: a node counts as ready only with a Ready condition that is True (a missing condition counts
// as not ready); FullDisruption when nothing is ready; PartialDisruption needs more than 2 not-ready nodes
// and a not-ready fraction >= unhealthyZoneThreshold, compared in float32 as upstream does; the large-zone
// test is a strict `>` on largeClusterSizeThreshold.
// Defaults: unhealthyZoneThreshold 0.55, largeClusterSizeThreshold 50, rates 0.1 / 0.01 (docs/fidelity.md#nlc-defaults).
import type { ZoneState } from '../../trace/events.js';
import type { ConditionStatus, Node } from '../../k8s/objects.js';

export type { ZoneState };

export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';
const LABEL_ZONE_BETA = 'failure-domain.beta.kubernetes.io/zone';
const LABEL_REGION_BETA = 'failure-domain.beta.kubernetes.io/region';

/**
 * The zone key of a node: "" without topology labels, the zone name when only a zone is set, and
 * "region:zone" when a region is set. (Upstream joins them with ":\0:"; hasim uses a printable separator
 * because the key appears in the trace.)
 */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels;
  const zone = l[LABEL_ZONE] ?? l[LABEL_ZONE_BETA] ?? '';
  const region = l[LABEL_REGION] ?? l[LABEL_REGION_BETA] ?? '';
  if (region === '') return zone;
  return `${region}:${zone}`;
}

export interface ZoneCounts {
  ready: number;
  notReady: number;
}

/** ComputeZoneState from the count of ready and not-ready nodes (returns the state only). */
export function computeZoneState(counts: ZoneCounts, unhealthyZoneThreshold: number): Exclude<ZoneState, 'Initial'> {
  const { ready, notReady } = counts;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (
    notReady > 2 &&
    Math.fround(Math.fround(notReady) / Math.fround(notReady + ready)) >= Math.fround(unhealthyZoneThreshold)
  ) {
    return 'PartialDisruption';
  }
  return 'Normal';
}

/** ComputeZoneState over Ready condition statuses (undefined: the node has no Ready condition). */
export function computeZoneStateOf(
  readyStatuses: ReadonlyArray<ConditionStatus | undefined>,
  unhealthyZoneThreshold: number,
): Exclude<ZoneState, 'Initial'> {
  let ready = 0;
  for (const s of readyStatuses) if (s === 'True') ready++;
  return computeZoneState({ ready, notReady: readyStatuses.length - ready }, unhealthyZoneThreshold);
}

export interface ZoneRates {
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
}

/** ReducedQPSFunc: the secondary rate in a zone larger than the threshold (strict >), else stop. */
export function reducedQps(zoneSize: number, r: ZoneRates): number {
  return zoneSize > r.largeClusterSizeThreshold ? r.secondaryNodeEvictionRate : 0;
}

/** setLimiterInZone: the limiter QPS for a zone of `zoneSize` nodes entering `state`. */
export function qpsForZoneState(state: ZoneState, zoneSize: number, r: ZoneRates): number | undefined {
  switch (state) {
    case 'Normal':
      return r.nodeEvictionRate;
    case 'PartialDisruption':
      return reducedQps(zoneSize, r);
    case 'FullDisruption':
      // HealthyQPSFunc: a fully disrupted zone is tainted at the normal rate while other zones are healthy.
      return r.nodeEvictionRate;
    case 'Initial':
      return undefined;
  }
}

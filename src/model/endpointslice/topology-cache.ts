// The EndpointSlice controller's topology cache, for Services annotated
// `service.kubernetes.io/topology-mode: Auto` (or the older `service.kubernetes.io/topology-aware-hints: auto`):
// staging/src/k8s.io/endpointslice/topologycache/topologycache.go (TopologyCache: SetNodes, getAllocations,
// AddHints, RemoveHints, GetOverloadedServices, HasPopulatedHints), utils.go (RemoveHintsFromSlices,
// redistributeHints, getGivingAndReceivingZones, getMost, getHintsByZone, serviceOverloaded) and sliceinfo.go
// (SliceInfo, getAllocatedHintsByZone).
// 1. SetNodes: the allocatable CPU of each zone's Ready nodes; nodes labelled node-role.kubernetes.io/
//    control-plane or /master are left out. One Ready node without a zone or with no allocatable CPU, no CPU at
//    all, or fewer than two zones: insufficient node information, and no Service gets hints.
// 2. getAllocations: each zone's share of the ready endpoints is desired = ratio × endpoints, its minimum
//    ceil(desired / 1.2) (the overload threshold of 20 %), its maximum minimum + (endpoints − Σ minimums). No
//    allocation (hints removed from every slice) with insufficient node information, fewer ready endpoints than
//    zones, or minimums that add up to more than the endpoints.
// 3. AddHints: the slices the reconciler leaves unchanged keep their hints while they stay valid
//    (getHintsByZone: every ready endpoint hinted, for zones still allocated, within each zone's maximum);
//    otherwise they are rewritten. In the slices being written every ready endpoint is first hinted for its own
//    zone, then endpoints of zones above their desired share are re-hinted for zones below theirs
//    (redistributeHints). An endpoint without a zone removes every hint.
// 4. GetOverloadedServices: after a node change, the Services whose hints leave a zone below its minimum under
//    the new CPU ratios; the controller queues them (and only them).
// hasim's EndpointSlices have one address type (IPv4), so the cache keeps one EndpointZoneInfo per Service.
// Upstream iterates Go maps, whose order is random, where it picks among zones: getMost breaks a tie by the
// first zone it meets and redistributeHints gives to the first receiving zone it meets. hasim takes zones in
// name order in both places, so one scenario and seed always gets the same hints.
import type { Node } from '../../k8s/objects.js';
import { readyCondition, zoneOf } from '../../k8s/objects.js';
import type { Endpoint } from '../../k8s/services.js';

/** overloadThreshold: the most any endpoint should be overloaded by (20 %). */
export const OVERLOAD_THRESHOLD = 0.2;

/** The messages of upstream's TopologyAwareHintsEnabled / TopologyAwareHintsDisabled events (topologycache/event.go). */
export const HINTS_MESSAGES = {
  insufficientNodeInfo: 'Insufficient Node information: allocatable CPU or zone not specified on one or more nodes',
  insufficientEndpoints: 'Insufficient number of endpoints',
  minAllocationExceedsOverloadThreshold:
    'Unable to allocate minimum required endpoints to each zone without exceeding overload threshold',
  noZoneSpecified: 'One or more endpoints do not have a zone specified',
  noAllocatedHintsForZones: 'No hints allocated for zones',
  enabled: 'Topology Aware Hints has been enabled',
  disabled: 'Topology Aware Hints has been disabled',
} as const;

/** allocation: how many endpoints a zone should get. */
export interface Allocation {
  minimum: number;
  maximum: number;
  desired: number;
}

/** One EndpointSlice as the reconciler hands it over: its name and endpoints (replaced, never mutated). */
export interface HintSlice {
  name: string;
  endpoints: Endpoint[];
}

/** SliceInfo: the Service's slices the reconciler creates, updates, and leaves unchanged. */
export interface SliceInfo {
  serviceKey: string;
  toCreate: HintSlice[];
  toUpdate: HintSlice[];
  unchanged: HintSlice[];
}

/** What AddHints did: hints added (enabled is true the first time), or removed and why. */
export type HintsOutcome =
  { hints: true; enabled: boolean; byZone: ReadonlyMap<string, number> } | { hints: false; message: string };

/** Control-plane nodes are left out of the CPU ratios (hasExcludedLabels). */
function hasExcludedLabels(labels: Readonly<Record<string, string>>): boolean {
  return (
    Object.hasOwn(labels, 'node-role.kubernetes.io/control-plane') ||
    Object.hasOwn(labels, 'node-role.kubernetes.io/master')
  );
}

function isNodeReady(node: Node): boolean {
  return readyCondition(node)?.status === 'True';
}

/** Whether a node change matters to the cache (updateNode: Ready flipped or the zone label changed). */
export function nodeTopologyChanged(prev: Node, next: Node): boolean {
  return isNodeReady(prev) !== isNodeReady(next) || zoneOf(prev) !== zoneOf(next);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function withHint(e: Endpoint, zone: string): Endpoint {
  return e.forZones !== undefined && e.forZones.length === 1 && e.forZones[0] === zone ? e : { ...e, forZones: [zone] };
}

function withoutHint(e: Endpoint): Endpoint {
  if (e.forZones === undefined) return e;
  const { forZones: _dropped, ...rest } = e;
  return rest;
}

function readyCount(slices: readonly HintSlice[]): number {
  let n = 0;
  for (const sl of slices) for (const e of sl.endpoints) if (e.ready) n++;
  return n;
}

/** RemoveHintsFromSlices: no hint in the slices being written; unchanged slices with a hint are written too. */
export function removeHintsFromSlices(si: SliceInfo): void {
  for (const sl of [...si.toCreate, ...si.toUpdate]) sl.endpoints = sl.endpoints.map(withoutHint);
  const still: HintSlice[] = [];
  for (const sl of si.unchanged) {
    if (sl.endpoints.some((e) => e.forZones !== undefined)) {
      si.toUpdate.push({ name: sl.name, endpoints: sl.endpoints.map(withoutHint) });
    } else still.push(sl);
  }
  si.unchanged = still;
}

/** getMost: the zone with the most left (ties: the first zone by name), or '' when none has more than 0. */
function getMost(zones: ReadonlyMap<string, number>): [string, number] {
  let zone = '';
  let num = 0;
  for (const z of [...zones.keys()].sort(byName)) {
    const n = zones.get(z)!;
    if (n > num) {
      zone = z;
      num = n;
    }
  }
  return [zone, num];
}

/** getGivingAndReceivingZones: how many endpoints each zone gives away and receives. */
export function getGivingAndReceivingZones(
  allocations: ReadonlyMap<string, Allocation>,
  allocated: ReadonlyMap<string, number>,
): [Map<string, number>, Map<string, number>] {
  const givingDesired = new Map<string, number>();
  const receivingDesired = new Map<string, number>();
  for (const [zone, a] of allocations) {
    const hints = allocated.get(zone) ?? 0;
    if (hints > a.desired) givingDesired.set(zone, hints - a.desired);
    else if (hints < a.desired) receivingDesired.set(zone, a.desired - hints);
  }
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [gz, toGive] = getMost(givingDesired);
    const [rz, toReceive] = getMost(receivingDesired);
    if (gz === '' || rz === '' || (toGive < 1 && toReceive < 1) || toGive < 0.5 || toReceive < 0.5) break;
    giving.set(gz, (giving.get(gz) ?? 0) + 1);
    givingDesired.set(gz, toGive - 1);
    receiving.set(rz, (receiving.get(rz) ?? 0) + 1);
    receivingDesired.set(rz, toReceive - 1);
  }
  return [giving, receiving];
}

/**
 * redistributeHints: re-hints endpoints of the giving zones for the receiving zones, slice by slice in order;
 * returns the change in hints per zone. The maps are used up.
 */
export function redistributeHints(
  slices: HintSlice[],
  giving: Map<string, number>,
  receiving: Map<string, number>,
): Map<string, number> {
  const changes = new Map<string, number>();
  for (const sl of slices) {
    for (let i = 0; i < sl.endpoints.length; i++) {
      const e = sl.endpoints[i];
      if (!e.ready) {
        sl.endpoints[i] = withoutHint(e);
        continue;
      }
      if (giving.size === 0 || receiving.size === 0) return changes;
      if (e.zone === '') continue;
      const toGive = giving.get(e.zone);
      if (toGive === undefined || toGive <= 0) continue;
      const rz = [...receiving.keys()].sort(byName).find((z) => receiving.get(z)! > 0);
      if (rz === undefined) continue;
      sl.endpoints[i] = withHint(e, rz);
      if (toGive === 1) giving.delete(e.zone);
      else giving.set(e.zone, toGive - 1);
      const toReceive = receiving.get(rz)!;
      if (toReceive === 1) receiving.delete(rz);
      else receiving.set(rz, toReceive - 1);
      changes.set(rz, (changes.get(rz) ?? 0) + 1);
      changes.set(e.zone, (changes.get(e.zone) ?? 0) - 1);
    }
  }
  return changes;
}

/**
 * getHintsByZone: the hints per zone an unchanged slice holds, or undefined when it must be rewritten (a ready
 * endpoint without a hint, a hint for a zone no longer allocated, or more hints for a zone than its maximum).
 */
export function getHintsByZone(
  sl: HintSlice,
  allocated: ReadonlyMap<string, number>,
  allocations: ReadonlyMap<string, Allocation>,
): Map<string, number> | undefined {
  const out = new Map<string, number>();
  for (const e of sl.endpoints) {
    if (!e.ready) continue;
    if (e.forZones === undefined || e.forZones.length === 0) return undefined;
    for (const z of e.forZones) {
      if (!allocations.has(z)) return undefined;
      out.set(z, (out.get(z) ?? 0) + 1);
    }
  }
  for (const [z, n] of out) if (n + (allocated.get(z) ?? 0) > allocations.get(z)!.maximum) return undefined;
  return out;
}

/** serviceOverloaded: a zone would have fewer hinted endpoints than its minimum under these CPU ratios. */
export function serviceOverloaded(ezi: ReadonlyMap<string, number>, ratios: ReadonlyMap<string, number>): boolean {
  if (ezi.size === 0) return false;
  if (ratios.size === 0) return true;
  let total = 0;
  for (const n of ezi.values()) total += n;
  for (const [zone, ratio] of ratios) {
    const have = ezi.get(zone);
    if (have === undefined) return true;
    if (have < Math.ceil(total * ratio * (1 / (1 + OVERLOAD_THRESHOLD)))) return true;
  }
  return false;
}

export class TopologyCache {
  private sufficientNodeInfo = false;
  /** Each zone's share of the Ready nodes' allocatable CPU; undefined: insufficient node information. */
  private cpuRatiosByZone: Map<string, number> | undefined;
  /** Hints per zone of each Service that has them (endpointsByService, one address type). */
  private readonly endpointsByService = new Map<string, Map<string, number>>();
  private readonly hintsPopulated = new Set<string>();

  /** SetNodes, from the controller's node informer. */
  setNodes(nodes: Iterable<Node>): void {
    const cpuByZone = new Map<string, number>();
    let sufficient = true;
    let total = 0;
    for (const node of nodes) {
      if (hasExcludedLabels(node.metadata.labels)) continue;
      if (!isNodeReady(node)) continue;
      const cpu = node.status.capacity.cpuMilli;
      const zone = zoneOf(node);
      if (zone === '' || cpu <= 0) {
        cpuByZone.clear();
        sufficient = false;
        break;
      }
      total += cpu;
      cpuByZone.set(zone, (cpuByZone.get(zone) ?? 0) + cpu);
    }
    if (total === 0 || !sufficient || cpuByZone.size < 2) {
      this.sufficientNodeInfo = false;
      this.cpuRatiosByZone = undefined;
      return;
    }
    this.sufficientNodeInfo = true;
    const ratios = new Map<string, number>();
    for (const zone of [...cpuByZone.keys()].sort(byName)) ratios.set(zone, cpuByZone.get(zone)! / total);
    this.cpuRatiosByZone = ratios;
  }

  /** Whether the last SetNodes had enough information for hints. */
  get hasSufficientNodeInfo(): boolean {
    return this.sufficientNodeInfo;
  }

  /** The zones' CPU ratios (for tests and messages); undefined without sufficient node information. */
  get ratios(): ReadonlyMap<string, number> | undefined {
    return this.cpuRatiosByZone;
  }

  /** GetOverloadedServices, by name. */
  getOverloadedServices(): string[] {
    const out: string[] = [];
    for (const [key, ezi] of this.endpointsByService)
      if (serviceOverloaded(ezi, this.cpuRatiosByZone ?? new Map())) out.push(key);
    return out.sort(byName);
  }

  hasPopulatedHints(key: string): boolean {
    return this.hintsPopulated.has(key);
  }

  /** The hints per zone the cache holds for a Service (undefined: none). */
  hintsOf(key: string): ReadonlyMap<string, number> | undefined {
    return this.endpointsByService.get(key);
  }

  setHints(key: string, byZone: Map<string, number>): void {
    this.endpointsByService.set(key, byZone);
    this.hintsPopulated.add(key);
  }

  removeHints(key: string): void {
    this.endpointsByService.delete(key);
    this.hintsPopulated.delete(key);
  }

  /** getAllocations for this many ready endpoints, or the message of why there are none. */
  getAllocations(numEndpoints: number): { allocations: Map<string, Allocation> } | { message: string } {
    const ratios = this.cpuRatiosByZone;
    if (ratios === undefined) return { message: HINTS_MESSAGES.insufficientNodeInfo };
    if (ratios.size > numEndpoints)
      return {
        message: `${HINTS_MESSAGES.insufficientEndpoints} (${numEndpoints} endpoints, ${ratios.size} zones)`,
      };
    let remaining = numEndpoints;
    let minTotal = 0;
    const allocations = new Map<string, Allocation>();
    for (const [zone, ratio] of ratios) {
      const desired = ratio * numEndpoints;
      const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
      allocations.set(zone, { minimum, maximum: 0, desired: Math.max(desired, minimum) });
      minTotal += minimum;
      remaining -= minimum;
      if (remaining < 0)
        return {
          message: `${HINTS_MESSAGES.minAllocationExceedsOverloadThreshold} (${numEndpoints} endpoints, ${ratios.size} zones)`,
        };
    }
    for (const a of allocations.values()) a.maximum = a.minimum + numEndpoints - minTotal;
    return { allocations };
  }

  /**
   * AddHints: sets hints on the slices of si (its toCreate and toUpdate lists get the slices to write, an
   * unchanged slice whose hints must change moves to toUpdate), or removes every hint and says why.
   */
  addHints(si: SliceInfo): HintsOutcome {
    const total = readyCount(si.toCreate) + readyCount(si.toUpdate) + readyCount(si.unchanged);
    const got = this.getAllocations(total);
    if ('message' in got) return this.disable(si, got.message);
    const allocations = got.allocations;
    // getAllocatedHintsByZone: the hints of the unchanged slices that stay valid.
    const allocated = new Map<string, number>();
    const still: HintSlice[] = [];
    for (const sl of si.unchanged) {
      const hints = getHintsByZone(sl, allocated, allocations);
      if (hints === undefined) si.toUpdate.push({ name: sl.name, endpoints: [...sl.endpoints] });
      else {
        still.push(sl);
        for (const [z, n] of hints) allocated.set(z, (allocated.get(z) ?? 0) + n);
      }
    }
    si.unchanged = still;
    const allocatable = [...si.toCreate, ...si.toUpdate];
    // Step 1: every ready endpoint hinted for its own zone.
    for (const sl of allocatable) {
      for (let i = 0; i < sl.endpoints.length; i++) {
        const e = sl.endpoints[i];
        if (!e.ready) {
          sl.endpoints[i] = withoutHint(e);
          continue;
        }
        if (e.zone === '') return this.disable(si, HINTS_MESSAGES.noZoneSpecified);
        allocated.set(e.zone, (allocated.get(e.zone) ?? 0) + 1);
        sl.endpoints[i] = withHint(e, e.zone);
      }
    }
    // Steps 2 and 3: from the zones above their desired share to those below it.
    const [giving, receiving] = getGivingAndReceivingZones(allocations, allocated);
    for (const [zone, diff] of redistributeHints(allocatable, giving, receiving))
      allocated.set(zone, (allocated.get(zone) ?? 0) + diff);
    if (allocated.size === 0) return this.disable(si, HINTS_MESSAGES.noAllocatedHintsForZones);
    const enabled = !this.hasPopulatedHints(si.serviceKey);
    this.setHints(si.serviceKey, allocated);
    return { hints: true, enabled, byZone: allocated };
  }

  private disable(si: SliceInfo, message: string): HintsOutcome {
    this.removeHints(si.serviceKey);
    removeHintsFromSlices(si);
    return { hints: false, message };
  }
}

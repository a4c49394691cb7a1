// Which endpoints a node's kube-proxy sends a Service's traffic to: pkg/proxy/topology.go
// CategorizeEndpoints, with canUseTopology (topologyModeFromHints from 1.33) and availableForTopology.
// 1. Cluster policy: the ready endpoints; with topology in use (the Service considers hints: trafficDistribution
//    PreferClose or the topology-mode annotation Auto, services.ts considersZoneHints; every ready endpoint
//    hinted; and one of them hinted for this node's zone) only those hinted for the node's zone. The hints come
//    from the EndpointSlice controller (reconciler.ts for PreferClose, topology-cache.ts for Auto).
//    No ready endpoint at all: the serving-and-terminating ones (ProxyTerminatingEndpoints, GA 1.28).
// 2. Local policy: the ready endpoints on this node; none: the serving-and-terminating ones on this node.
//    None of either: the node has no endpoint and drops the traffic (even when other nodes have some).
// Cluster policy is internalTrafficPolicy for in-cluster clients and externalTrafficPolicy for traffic that
// arrives through a NodePort or load balancer.
import type { Endpoint, TrafficPolicy } from '../../k8s/services.js';

export interface TopologyNode {
  name: string;
  zone: string;
}

/**
 * canUseTopology: the Service considers hints (trafficDistribution set or the topology annotation Auto), every
 * ready endpoint is hinted, and some for the node's zone.
 */
export function canUseTopology(endpoints: readonly Endpoint[], considersHints: boolean, zone: string): boolean {
  if (!considersHints || zone === '') return false;
  let hasEndpointForZone = false;
  for (const e of endpoints) {
    if (!e.ready) continue;
    if (e.forZones === undefined || e.forZones.length === 0) return false;
    if (e.forZones.includes(zone)) hasEndpointForZone = true;
  }
  return hasEndpointForZone;
}

/** The endpoints the node's rules send this Service's traffic to, for one traffic policy. */
export function categorizeEndpoints(
  endpoints: readonly Endpoint[],
  policy: TrafficPolicy,
  considersHints: boolean,
  node: TopologyNode,
): Endpoint[] {
  if (policy === 'Cluster') {
    const useTopology = canUseTopology(endpoints, considersHints, node.zone);
    const ready = endpoints.filter((e) => e.ready && (!useTopology || e.forZones!.includes(node.zone)));
    if (ready.length > 0) return ready;
    return endpoints.filter((e) => e.serving && e.terminating);
  }
  const local = endpoints.filter((e) => e.nodeName === node.name);
  const ready = local.filter((e) => e.ready);
  if (ready.length > 0) return ready;
  return local.filter((e) => e.serving && e.terminating);
}

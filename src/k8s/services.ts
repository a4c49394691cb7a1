// Services and the traffic sent to them, reduced to what decides where a request goes: which pods a
// Service selects, its traffic policies (core/v1 ServiceSpec internalTrafficPolicy, externalTrafficPolicy,
// trafficDistribution) and, hasim's own, who sends requests to it and how many. The EndpointSlice types
// follow discovery.k8s.io/v1 (EndpointConditions ready / serving / terminating, EndpointHints forZones).

export type TrafficPolicy = 'Cluster' | 'Local';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** Where a Service's requests come from. */
export type TrafficClients =
  /** In-cluster clients on every node, the same share each (the default). */
  | { kind: 'nodes' }
  /** In-cluster clients in these zones, by weight; within a zone, spread evenly over its nodes. */
  | { kind: 'zones'; weights: Readonly<Record<string, number>> }
  /** An external load balancer spreading requests evenly over the nodes (NodePort / LoadBalancer). */
  | { kind: 'load-balancer' };

export interface TrafficSpec {
  /** Requests per second sent to the Service, in total. */
  ratePerSecond: number;
  clients: TrafficClients;
  /** A request whose answer takes longer than this has failed. */
  timeoutMs: number;
}

export interface ServiceSpec {
  /**
   * How SLOs and the trace name it, unique in the scenario: metadata.name, or `namespace/name` for a v1 Service
   * manifest outside the default namespace.
   */
  name: string;
  namespace: string;
  type: ServiceType;
  port: number;
  /** The workloads ("Kind/name") whose pods the selector matches. */
  workloads: readonly string[];
  /** spec.selector of a v1 Service manifest; absent for a workload's `service` shorthand (it selects that workload). */
  selector?: Readonly<Record<string, string>>;
  internalTrafficPolicy: TrafficPolicy;
  externalTrafficPolicy: TrafficPolicy;
  trafficDistribution?: 'PreferClose';
  /**
   * `service.kubernetes.io/topology-mode: Auto` (or `service.kubernetes.io/topology-aware-hints: auto`): the
   * EndpointSlice controller's topology cache gives the endpoints zone hints. Never set with trafficDistribution
   * (upstream's controller ignores trafficDistribution while the annotation is Auto).
   */
  topologyMode?: 'Auto';
  /**
   * The requests sent to it. Absent (a v1 Service manifest without a spec.traffic entry): nobody's requests are
   * metered, though its EndpointSlices and kube-proxy rules are kept as for any Service.
   */
  traffic?: TrafficSpec;
  /** Where it was defined, for messages. */
  origin: string;
}

/**
 * Whether kube-proxy looks at the endpoints' zone hints (pkg/proxy/topology.go: trafficDistribution set, or the
 * topology annotation Auto; it uses them only when they are complete, see proxy/topology.ts canUseTopology).
 */
export function considersZoneHints(s: Pick<ServiceSpec, 'trafficDistribution' | 'topologyMode'>): boolean {
  return s.trafficDistribution === 'PreferClose' || s.topologyMode === 'Auto';
}

/** A Service whose requests are metered. */
export type MeteredService = ServiceSpec & { traffic: TrafficSpec };

export function isMetered(s: ServiceSpec): s is MeteredService {
  return s.traffic !== undefined;
}

/** A request rate and timeout when the scenario gives none. */
export const DEFAULT_TRAFFIC: TrafficSpec = { ratePerSecond: 100, clients: { kind: 'nodes' }, timeoutMs: 1_000 };

/** discovery.k8s.io/v1 Endpoint, one per pod, with the conditions kube-proxy reads. */
export interface Endpoint {
  /** targetRef: the pod. */
  pod: string;
  nodeName: string;
  /** The node's topology.kubernetes.io/zone ('' when unknown). */
  zone: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** hints.forZones; absent: no hint. */
  forZones?: readonly string[];
}

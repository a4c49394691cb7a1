// A core/v1 Service read into what decides where its requests go (src/k8s/services.ts ServiceSpec): its
// selector, type, first port, internalTrafficPolicy, externalTrafficPolicy and trafficDistribution.
//
// What kube-proxy does with a Service decides what is read and what is left out:
// - kube-proxy skips a Service whose ClusterIP is not set (`clusterIP: None`, a headless Service) and one of
//   type ExternalName (pkg/proxy/util/utils.go ShouldSkipService): it programs no rules for them.
//   Clients of a headless Service reach the pods through DNS, which hasim does not model, so such a Service
//   is left out with a warning, and so is an ExternalName one (a DNS alias for a name outside the cluster).
// - A Service without a selector gets no EndpointSlices from the EndpointSlice controller
//   (pkg/controller/endpointslice, syncService returns early); its endpoints are written by hand or by another
//   controller, which hasim does not model: left out with a warning.
// - Core/v1 Service validation (pkg/apis/core/validation ValidateService): externalTrafficPolicy only with
//   type NodePort or LoadBalancer, at least one port with a number in 1..65535, enum values of the policies.
// - The `service.kubernetes.io/topology-mode: Auto` annotation (or the older
//   `service.kubernetes.io/topology-aware-hints: auto`; the older one wins when both are set, as in
//   staging/src/k8s.io/endpointslice/reconciler.go hintsEnabled) hands hint allocation to the EndpointSlice
//   controller's topology cache (model/endpointslice/topology-cache.ts), and then the reconciler ignores
//   trafficDistribution (reconciler.go: canUseTrafficDistribution is false while hintsEnabled), with a
//   warning. topology-mode is read from 1.27 (kubernetes#116522); semantic-checks.ts refuses it in 1.26.
// - trafficDistribution PreferSameZone (1.34) is PreferClose under its new name; PreferSameNode is read as
//   PreferSameZone with a warning (hasim's EndpointSlices carry no node hints).
// What the API server writes (clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy, a port's nodePort,
// healthCheckNodePort, sessionAffinity: None, status.loadBalancer, ...) is accepted and ignored; fields that
// change where requests go and that hasim does not model (sessionAffinity: ClientIP, externalIPs,
// publishNotReadyAddresses, loadBalancerSourceRanges) each give a warning saying what hasim does instead.
import { s, validate } from '../schema-def.js';
import { dns1035Label, dns1123Label } from '../names.js';
import type { Path } from '../paths.js';
import type { ServiceType, TrafficPolicy } from '../../k8s/services.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

export interface ManifestService {
  name: string;
  namespace: string;
  /** How SLOs, spec.traffic and the trace name it: `name`, or `namespace/name` outside "default". */
  id: string;
  type: ServiceType;
  /** spec.ports[0].port. */
  port: number;
  /** spec.selector (equality only, as core/v1 Service selectors are). */
  selector: Record<string, string>;
  internalTrafficPolicy: TrafficPolicy;
  externalTrafficPolicy: TrafficPolicy;
  trafficDistribution?: 'PreferClose';
  /** trafficDistribution as written, for the version checks (absent when the topology annotation drops it). */
  trafficDistributionWritten?: string;
  /** The topology annotation is Auto: hints from the EndpointSlice controller's topology cache. */
  topologyMode?: 'Auto';
  /** Which annotation made it Auto, for the version checks. */
  topologyAnnotation?: string;
  origin: string;
  doc: number;
  base: Path;
}

/** A Service's id: its name in the default namespace, `namespace/name` in any other. */
export function serviceId(name: string, namespace: string): string {
  return namespace === 'default' ? name : `${namespace}/${name}`;
}

export const TOPOLOGY_MODE_ANNOTATION = 'service.kubernetes.io/topology-mode';
export const TOPOLOGY_AWARE_HINTS_ANNOTATION = 'service.kubernetes.io/topology-aware-hints';

const TRAFFIC_POLICY = s.enum(['Cluster', 'Local'], 'traffic policy');
const serviceSchema = s.open({
  metadata: s.req(
    s.open({
      name: s.req(s.string(undefined, { rule: dns1035Label })),
      namespace: s.opt(s.string(undefined, { rule: dns1123Label })),
      labels: s.opt(s.map()),
    }),
  ),
  spec: s.req(
    s.open({
      type: s.opt(s.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], 'Service type')),
      selector: s.opt(s.map()),
      clusterIP: s.opt(s.string()),
      ports: s.opt(s.array(s.open({ port: s.req(s.integer(undefined, 1, 65535)) }))),
      internalTrafficPolicy: s.opt(TRAFFIC_POLICY),
      externalTrafficPolicy: s.opt(TRAFFIC_POLICY),
      trafficDistribution: s.opt(s.enum(['PreferClose', 'PreferSameZone', 'PreferSameNode'], 'traffic distribution')),
      sessionAffinity: s.opt(s.enum(['None', 'ClientIP'], 'session affinity')),
      publishNotReadyAddresses: s.opt(s.boolean()),
    }),
  ),
});

/** Problems are reported at paths relative to the object. */
export interface ServiceReadContext {
  problem: (path: Path, message: string, hint?: string, code?: string, severity?: 'error' | 'warning') => void;
  add: (problems: import('../issues.js').Problem[]) => void;
  origin: string;
  doc: number;
  base: Path;
}

function warn(ctx: ServiceReadContext, path: Path, message: string): void {
  ctx.problem(path, message, undefined, 'not-modelled', 'warning');
}

/** What reading one Service gives: the Service; or why hasim leaves it out (warned); or nothing (invalid). */
export type ServiceReadOutcome = { service: ManifestService } | { leftOut: { id: string; why: string } } | undefined;

/** One v1 Service. */
export function readService(raw: Raw, ctx: ServiceReadContext): ServiceReadOutcome {
  const checked = validate(serviceSchema, raw, {});
  ctx.add(checked.problems);
  const v = (checked.value ?? {}) as Raw;
  const name: string | undefined = v.metadata?.name;
  if (name === undefined || checked.problems.some((p) => p.severity === 'error')) return undefined;
  const namespace: string = v.metadata?.namespace ?? 'default';
  const id = serviceId(name, namespace);
  const spec: Raw = v.spec ?? {};
  const why = leftOut(id, spec, raw.spec ?? {}, ctx);
  if (why !== undefined) return { leftOut: { id, why } };
  if (!valid(spec, ctx)) return undefined;
  const distribution = trafficDistribution(id, raw.metadata?.annotations ?? {}, spec, ctx);
  unmodelledFields(spec, raw.spec ?? {}, ctx);
  const service: ManifestService = {
    name,
    namespace,
    id,
    type: (spec.type ?? 'ClusterIP') as ServiceType,
    port: spec.ports[0].port,
    selector: { ...spec.selector },
    internalTrafficPolicy: spec.internalTrafficPolicy ?? 'Cluster',
    externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster',
    ...distribution,
    origin: ctx.origin,
    doc: ctx.doc,
    base: ctx.base,
  };
  return { service };
}

/** Why kube-proxy or the EndpointSlice controller does nothing with this Service (warned), or undefined. */
function leftOut(id: string, spec: Raw, rawSpec: Raw, ctx: ServiceReadContext): string | undefined {
  const shown = `Service "${id}"`;
  if (spec.type === 'ExternalName') {
    const target = rawSpec.externalName ? `"${rawSpec.externalName}"` : 'a name outside the cluster';
    warn(
      ctx,
      ['spec', 'type'],
      `${shown} is of type ExternalName, a DNS alias for ${target}: kube-proxy programs no rules for it, and hasim leaves it out`,
    );
    return 'of type ExternalName';
  }
  const clusterIPs: unknown[] = Array.isArray(rawSpec.clusterIPs) ? rawSpec.clusterIPs : [];
  if (spec.clusterIP === 'None' || clusterIPs[0] === 'None') {
    warn(
      ctx,
      ['spec', spec.clusterIP === 'None' ? 'clusterIP' : 'clusterIPs'],
      `${shown} is headless (clusterIP: None): kube-proxy programs no rules for it and its clients reach the pods through DNS, which hasim does not model, so hasim leaves it out`,
    );
    return 'headless (clusterIP: None)';
  }
  if (spec.selector === undefined || Object.keys(spec.selector).length === 0) {
    // default/kubernetes is the API server's own Service (its endpoints are the API servers, written by the
    // API server itself): in every dump, and never a workload's, so it is left out without a word.
    if (id === 'kubernetes') return "the API server's own Service";
    warn(
      ctx,
      ['spec', ...(spec.selector === undefined ? [] : ['selector'])],
      `${shown} has no selector: its endpoints are managed by hand or by another controller, which hasim does not model, so hasim leaves it out`,
    );
    return 'without a selector';
  }
  return undefined;
}

/** Core/v1 Service validation's rules that the schema cannot say (ValidateService). */
function valid(spec: Raw, ctx: ServiceReadContext): boolean {
  if ((spec.ports ?? []).length === 0) {
    ctx.problem(
      ['spec', 'ports'],
      'a Service needs at least one port (spec.ports[0].port); the API server rejects one without',
      undefined,
      'missing-field',
    );
    return false;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (spec.externalTrafficPolicy !== undefined && !external) {
    ctx.problem(
      ['spec', 'externalTrafficPolicy'],
      'externalTrafficPolicy is only for type NodePort or LoadBalancer (core/v1 Service validation)',
      undefined,
      'not-applicable',
    );
    return false;
  }
  return true;
}

/** trafficDistribution as the EndpointSlice controller applies it: not while the topology annotation is Auto. */
function trafficDistribution(
  id: string,
  annotations: Raw,
  spec: Raw,
  ctx: ServiceReadContext,
): Pick<ManifestService, 'trafficDistribution' | 'trafficDistributionWritten' | 'topologyMode' | 'topologyAnnotation'> {
  const modeKey = Object.hasOwn(annotations, TOPOLOGY_AWARE_HINTS_ANNOTATION)
    ? TOPOLOGY_AWARE_HINTS_ANNOTATION
    : TOPOLOGY_MODE_ANNOTATION;
  const mode = annotations[modeKey];
  const auto = (v: unknown) => v === 'Auto' || v === 'auto';
  if (modeKey === TOPOLOGY_AWARE_HINTS_ANNOTATION && Object.hasOwn(annotations, TOPOLOGY_MODE_ANNOTATION)) {
    const other = annotations[TOPOLOGY_MODE_ANNOTATION];
    if (auto(other) !== auto(mode))
      warn(
        ctx,
        ['metadata', 'annotations', TOPOLOGY_MODE_ANNOTATION],
        `Service "${id}" has both ${TOPOLOGY_AWARE_HINTS_ANNOTATION}: ${String(mode)} and ${TOPOLOGY_MODE_ANNOTATION}: ${String(other)}; the EndpointSlice controller reads the older annotation first, and so does hasim`,
      );
  }
  if (auto(mode)) {
    if (spec.trafficDistribution !== undefined)
      warn(
        ctx,
        ['spec', 'trafficDistribution'],
        `upstream's EndpointSlice controller ignores trafficDistribution while ${modeKey} is ${mode}, and so does hasim`,
      );
    return { topologyMode: 'Auto', topologyAnnotation: modeKey };
  }
  if (spec.trafficDistribution === undefined) return {};
  if (spec.trafficDistribution === 'PreferSameNode')
    warn(
      ctx,
      ['spec', 'trafficDistribution'],
      'hasim does not model node hints: trafficDistribution PreferSameNode is simulated as PreferSameZone (each node prefers the endpoints of its own zone, not its own node)',
    );
  return { trafficDistribution: 'PreferClose', trafficDistributionWritten: spec.trafficDistribution };
}

/** Fields that change where requests go and that hasim does not model: each a warning saying what it does instead. */
function unmodelledFields(spec: Raw, rawSpec: Raw, ctx: ServiceReadContext): void {
  const listed = (field: string) => Array.isArray(rawSpec[field]) && rawSpec[field].length > 0;
  if (spec.sessionAffinity === 'ClientIP')
    warn(
      ctx,
      ['spec', 'sessionAffinity'],
      'hasim does not model sessionAffinity: ClientIP: each client spreads its requests over all the endpoints its node picks, instead of sticking to one',
    );
  if (listed('externalIPs'))
    warn(
      ctx,
      ['spec', 'externalIPs'],
      'hasim does not model externalIPs: only the clients of spec.traffic send requests, through the Service as its type allows',
    );
  if (listed('loadBalancerSourceRanges'))
    warn(
      ctx,
      ['spec', 'loadBalancerSourceRanges'],
      "hasim does not model loadBalancerSourceRanges: every load-balancer client's requests are let through",
    );
  if (spec.publishNotReadyAddresses === true)
    warn(
      ctx,
      ['spec', 'publishNotReadyAddresses'],
      'hasim does not model publishNotReadyAddresses: endpoints of pods that are not Ready are published as not ready, and kube-proxy sends them nothing',
    );
}

// What the EndpointSlice controller publishes for a Service, as pure functions of the pods it selects:
// - podToEndpoint (staging/src/k8s.io/endpointslice/utils.go): serving = podutil.IsPodReady(pod),
//   terminating = pod.deletionTimestamp != nil, ready = serving && !terminating (publishNotReadyAddresses is
//   not modelled).
// - ShouldPodBeInEndpoints (same file, includeTerminating = true): a pod without a node or an IP is left out;
//   hasim's kubelet reports phase Running (the pod has its IP) with Ready in one status write, so a pod
//   enters its Service's slices when it first reports Running.
// - the reconciler (pkg/controller/endpointslice/reconciler.go, staging/src/k8s.io/endpointslice/
//   reconciler.go) keeps slices of at most maxEndpointsPerSlice = 100 (the controller's
//   --max-endpoints-per-slice default). As upstream, an endpoint stays in the slice it is in, a new one
//   goes into the first slice with room (or a new slice), and only changed slices are written; a slice
//   left empty is deleted. Simplified: upstream also repacks slices below a fill target and prefers
//   filling the slices it is already updating; hasim never repacks. packSlices (below) is the packing
//   of a fresh Service, as the tests use it.
// - trafficDistribution: PreferClose (pkg/controller/endpointslice trafficdist, preferCloseHeuristic): every
//   endpoint whose node has a zone gets hints.forZones = [its own zone].
import type { Endpoint } from '../../k8s/services.js';
import type { Pod } from '../../k8s/objects.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;

/** The endpoint of one pod, or undefined when the pod is left out of the slices (ShouldPodBeInEndpoints). */
export function podToEndpoint(pod: Pod, zone: string, preferClose: boolean): Endpoint | undefined {
  const nodeName = pod.spec.nodeName;
  if (nodeName === undefined) return undefined;
  if (pod.status.phase !== 'Running') return undefined;
  const serving = pod.status.ready;
  const terminating = pod.metadata.deletionTimestampMs !== undefined;
  const e: Endpoint = { pod: pod.metadata.name, nodeName, zone, ready: serving && !terminating, serving, terminating };
  if (preferClose && zone !== '') e.forZones = [zone];
  return e;
}

/** Endpoints sorted by pod name, in chunks of at most MAX_ENDPOINTS_PER_SLICE. */
export function packSlices(endpoints: Endpoint[]): Endpoint[][] {
  const sorted = [...endpoints].sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
  const out: Endpoint[][] = [];
  for (let i = 0; i < sorted.length; i += MAX_ENDPOINTS_PER_SLICE)
    out.push(sorted.slice(i, i + MAX_ENDPOINTS_PER_SLICE));
  return out;
}

/** Whether two endpoint lists publish the same thing (a write that changes nothing is skipped). */
export function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (
      x.pod !== y.pod ||
      x.nodeName !== y.nodeName ||
      x.zone !== y.zone ||
      x.ready !== y.ready ||
      x.serving !== y.serving ||
      x.terminating !== y.terminating ||
      (x.forZones?.[0] ?? '') !== (y.forZones?.[0] ?? '')
    )
      return false;
  }
  return true;
}

/**
 * EndpointsEqualBeyondHash (staging/src/k8s.io/endpointslice/utils.go): whether a pod's endpoint changed, its
 * hints aside (nodeName, zone, conditions, targetRef); the reconciler's desired endpoints carry no hints, the
 * topology cache adds them afterwards.
 */
export function endpointsEqualBeyondHints(x: Endpoint, y: Endpoint): boolean {
  return (
    x.pod === y.pod &&
    x.nodeName === y.nodeName &&
    x.zone === y.zone &&
    x.ready === y.ready &&
    x.serving === y.serving &&
    x.terminating === y.terminating
  );
}

/** Slice names in index order (svc-2 before svc-10). */
export function naturalOrder(a: string, b: string): number {
  const ia = Number(a.slice(a.lastIndexOf('-') + 1));
  const ib = Number(b.slice(b.lastIndexOf('-') + 1));
  return ia !== ib ? ia - ib : a < b ? -1 : a > b ? 1 : 0;
}

/** The slice names of a Service: <service>-<index>, as generateName would give, but stable. */
export function sliceName(service: string, index: number): string {
  return `${service}-${index}`;
}

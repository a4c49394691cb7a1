// The trace event vocabulary (SPEC §3), one JSON object a line in events.jsonl. Types are dotted, noun
// first, past tense. The required fields are SPEC's; the extra types and fields let SLOs and reports
// work from a saved trace alone (topology, desired counts, where pods run).

export type ReadyStatus = 'True' | 'False' | 'Unknown';
export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

export type TraceEvent =
  | { atMs: number; type: 'run.started'; scenario: string; seed: number; durationMs: number; kubernetesVersion: string }
  | { atMs: number; type: 'fault.started' | 'fault.ended'; fault: string; faultType: string; targets: string[] }
  /** A Node object exists (at start, or after re-registration). Extra: lets reports lay out lanes by zone. */
  | { atMs: number; type: 'node.created'; node: string; zone: string }
  | { atMs: number; type: 'node.deleted'; node: string }
  | { atMs: number; type: 'node.ready.changed'; node: string; from: ReadyStatus | 'None'; to: ReadyStatus; by: 'kubelet' | 'node-lifecycle-controller' }
  | { atMs: number; type: 'node.taint.added' | 'node.taint.removed'; node: string; key: string; effect: string }
  | { atMs: number; type: 'node.lease.renewed'; node: string }
  /** Host power (node-crash, zone-outage) as the infrastructure sees it, not as Kubernetes does. */
  | { atMs: number; type: 'host.powered.off' | 'host.powered.on'; host: string }
  /** Desired replicas of a workload (DaemonSets change with eligible nodes). */
  | { atMs: number; type: 'workload.desired.changed'; workload: string; desired: number }
  | { atMs: number; type: 'pod.created'; pod: string; workload: string }
  | { atMs: number; type: 'pod.scheduled'; pod: string; node: string }
  | { atMs: number; type: 'pod.unschedulable'; pod: string; reason: string }
  | { atMs: number; type: 'pod.ready.changed'; pod: string; ready: boolean; by: string }
  /** Containers started / stopped on their node: what really runs, whatever the API server believes. */
  | { atMs: number; type: 'pod.started'; pod: string; node: string }
  | { atMs: number; type: 'pod.stopped'; pod: string; node: string; reason: string }
  | { atMs: number; type: 'pod.deleted'; pod: string; reason: string }
  | { atMs: number; type: 'pod.removed'; pod: string }
  | { atMs: number; type: 'leader.acquired' | 'leader.lost'; component: string; instance: string }
  | { atMs: number; type: 'component.started' | 'component.stopped'; component: string; instance: string }
  | { atMs: number; type: 'zone.state.changed'; zone: string; from: ZoneState; to: ZoneState }
  | { atMs: number; type: 'slo.violated'; slo: string; measured: number | string };

export type TraceEventType = TraceEvent['type'];

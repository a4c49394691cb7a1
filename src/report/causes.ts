// Why a workload was not back: for a failed recovery-time, min-available or unavailable-time SLO, the
// workload's pods that were not Ready at the moment that decided it (the recovery deadline, or the
// moment availability broke), each with its state and the reason the trace gives. Everything comes from
// the recorded trace: the scheduler's last pod.unschedulable reason (upstream's wording), deletions that
// cannot finish because the pod's node is down, pods stopped on a powered-off host that the API still
// calls Ready, and the workload's pods the scheduler preempted for pods of a higher priority
// (pod.preempted), by workload. One definition for the terminal, HTML, Markdown and JUnit reports.
import type { TraceEvent, TraceEventOf, TraceEventType } from '../trace/events.js';
import type { RunSummary, SloResult } from '../trace/summary.js';
import { naturalCompare } from '../trace/format.js';
import { formatClock, formatDuration } from './format.js';
import { workloadKindOf } from '../k8s/workloads.js';

export type PodStateWord = 'Pending' | 'ContainerCreating' | 'Running' | 'Stopped' | 'Terminating';

export interface PodCause {
  pod: string;
  /** What the pod was at the moment: Pending (not bound), ContainerCreating, Running (not Ready), Stopped (its containers died, not deleted), Terminating. */
  state: PodStateWord;
  /** Since when it has been in that state. */
  sinceMs: number;
  node?: string;
  /** How its node stood at the moment (`powered off since 02:00.0, Ready=Unknown since 02:36.1`), when not healthy. */
  nodeStatus?: string;
  /** Why it is not Ready, in a sentence that does not name the pod or its node (so pods can be grouped by it). */
  why: string;
}

export interface SloCauses {
  slo: string;
  workload: string;
  atMs: number;
  /** What atMs is: the recovery deadline, the end of the run (when the deadline lies past it), or the moment availability broke. */
  moment: 'the deadline' | 'the end of the run' | 'when it broke';
  ready: number;
  desired: number;
  pods: PodCause[];
  /** Replicas with no pod object at all (desired minus pods that exist and are not Terminating), and why. */
  missing?: { count: number; why: string };
  /** Deleted pods of a Deployment or DaemonSet still Terminating: already counted out and replaced, so not listed. */
  terminatingReplaced?: number;
  /** The workload's pods preempted by the scheduler before the moment, grouped by the preemptors' workload. */
  preempted?: PreemptedBy[];
  /**
   * When the control plane could not act at the moment, or was leaderless for a while since the first
   * fault: which leaders were missing and which API servers and etcd members were stopped, since when.
   */
  controlPlane?: string;
}

/** Pods of the workload preempted to make room for pods of `byWorkload`. */
export interface PreemptedBy {
  byWorkload: string;
  pods: Array<{ pod: string; node: string; preemptor: string; atMs: number }>;
}

const AVAILABILITY_SLOS = new Set(['recovery-time', 'min-available', 'unavailable-time']);

/** Causes for every failed availability SLO of the run that names a workload, in SLO order. */
export function sloCauses(summary: RunSummary, events: readonly TraceEvent[]): SloCauses[] {
  const out: SloCauses[] = [];
  for (const s of summary.slos) {
    const c = causesOf(s, summary, events);
    if (c) out.push(c);
  }
  return out;
}

/** The moment an SLO result is explained at, or undefined when it is not an availability failure. */
function momentOf(s: SloResult, summary: RunSummary): { atMs: number; moment: SloCauses['moment'] } | undefined {
  if (s.passed || !AVAILABILITY_SLOS.has(s.type) || !s.workload || s.violatedAtMs === undefined) return undefined;
  if (s.type !== 'recovery-time') return { atMs: s.violatedAtMs, moment: 'when it broke' };
  // The judge puts a recovery-time violation at the deadline (fault start + bound); a deadline past the
  // end of the run means the run ended first.
  if (s.violatedAtMs >= summary.durationMs) return { atMs: summary.durationMs, moment: 'the end of the run' };
  return { atMs: s.violatedAtMs, moment: 'the deadline' };
}

export function causesOf(s: SloResult, summary: RunSummary, events: readonly TraceEvent[]): SloCauses | undefined {
  const m = momentOf(s, summary);
  if (!m || !s.workload) return undefined;
  const world = replayUntil(events, m.atMs);
  const workload = s.workload;
  const kind = workloadKindOf(workload);
  const pods: PodCause[] = [];
  let ready = 0;
  let live = 0;
  let terminatingReplaced = 0;
  for (const p of world.pods.values()) {
    if (p.workload !== workload || p.removed) continue;
    if (p.deletedMs === undefined) live++;
    if (p.ready && !p.down && p.deletedMs === undefined) {
      ready++;
      continue;
    }
    // A ReplicaSet or DaemonSet counts a deleted pod out at once and replaces it: the Terminating pod
    // is not one of the missing replicas. A StatefulSet's is.
    if (p.deletedMs !== undefined && kind !== 'StatefulSet') terminatingReplaced++;
    else pods.push(explainPod(p, kind, world));
  }
  pods.sort((a, b) => a.sinceMs - b.sinceMs || (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
  const desired = world.desired.get(workload) ?? 0;
  const out: SloCauses = { slo: s.name, workload, atMs: m.atMs, moment: m.moment, ready, desired, pods };
  if (terminatingReplaced > 0) out.terminatingReplaced = terminatingReplaced;
  if (desired > live) out.missing = { count: desired - live, why: missingWhy(kind, pods, world) };
  const preempted = preemptedBy(world, workload);
  if (preempted.length > 0) out.preempted = preempted;
  const firstFaultMs = summary.faults.reduce((lo, f) => Math.min(lo, f.startMs), m.atMs);
  const cp = controlPlaneNote(world, firstFaultMs);
  if (cp) out.controlPlane = cp;
  return out;
}

interface PodRecord {
  name: string;
  workload: string;
  createdMs: number;
  node?: string;
  scheduledMs?: number;
  startedMs?: number;
  down: boolean;
  stoppedMs?: number;
  stoppedReason?: string;
  ready: boolean;
  readyChangedMs: number;
  readyBy?: string;
  deletedMs?: number;
  deleteReason?: string;
  removed: boolean;
  unschedulable?: { atMs: number; reason: string };
  /** A volume it waits for: attaching (attachedTo undefined) or held by a Multi-Attach error. */
  volume?: { claim: string; atMs: number; attachedTo?: string };
}

/** What a pod scheduled but not started waits for on its volumes, if anything (docs/fidelity.md#volumes). */
function volumeWait(p: PodRecord): string | undefined {
  const v = p.volume;
  if (v === undefined) return undefined;
  if (v.attachedTo === undefined) return `its disk ${v.claim} is being attached since ${formatClock(v.atMs)}`;
  return `its ReadWriteOnce disk ${v.claim} is still attached to ${v.attachedTo} (Multi-Attach error since ${formatClock(v.atMs)}); it is detached once that node reports it unmounted, maxWaitForUnmountDuration (default 6 min) after the old pod is gone if the node is down, or at once with the out-of-service taint`;
}

interface NodeRecord {
  zone?: string;
  ready: string;
  readySinceMs: number;
  poweredOffMs?: number;
  deletedMs?: number;
  /** Who deleted the Node object (the trace's `by`; absent in older traces). */
  deletedBy?: string;
  /** NoExecute taints by key, with when they were added. */
  noExecute: Map<string, number>;
}

interface World {
  atMs: number;
  pods: Map<string, PodRecord>;
  nodes: Map<string, NodeRecord>;
  desired: Map<string, number>;
  /** Current leader per component, and since when there has been none. */
  leaders: Map<string, { instance: string | null; sinceMs: number }>;
  /** Per component, the leaderless spans that have ended (from the first leader on). */
  leaderless: Map<string, Array<{ fromMs: number; toMs: number }>>;
  /** API server and etcd instances stopped at the moment, with since when. */
  stopped: Map<string, { component: string; sinceMs: number }>;
  /** Every pod.preempted so far, in trace order. */
  preemptions: Array<Extract<TraceEvent, { type: 'pod.preempted' }>>;
  /** Claims bound to a zone (volume.bound), by claim name. */
  claimZones: Map<string, { zone: string; workload: string }>;
  /** The cluster autoscaler's last scale-up, failed scale-up and halt (absent: none in the trace). */
  autoscaler: {
    scaleUp?: { atMs: number; nodeGroup: string; nodes: string[] };
    failed?: { atMs: number; nodeGroup: string; reason: string };
    halted?: { sinceMs: number; reason: string };
  };
}

/** The state of pods, nodes and leaders as the trace has it at atMs (events at atMs included). */
function replayUntil(events: readonly TraceEvent[], atMs: number): World {
  const w: World = {
    atMs,
    pods: new Map(),
    nodes: new Map(),
    desired: new Map(),
    leaders: new Map(),
    leaderless: new Map(),
    stopped: new Map(),
    preemptions: [],
    autoscaler: {},
    claimZones: new Map(),
  };
  for (const e of events) {
    if (e.atMs > atMs) break;
    if (e.type.startsWith('pod.')) applyPodEvent(w, e);
    else applyClusterEvent(w, e);
  }
  return w;
}

function applyPodEvent(w: World, e: TraceEvent): void {
  const p = 'pod' in e ? w.pods.get(e.pod) : undefined;
  switch (e.type) {
    case 'pod.created':
      // A StatefulSet reuses names: a new object starts afresh.
      w.pods.set(e.pod, {
        name: e.pod,
        workload: e.workload,
        createdMs: e.atMs,
        down: false,
        ready: false,
        readyChangedMs: e.atMs,
        removed: false,
      });
      break;
    case 'pod.unschedulable':
      if (p) p.unschedulable = { atMs: e.atMs, reason: e.reason };
      break;
    case 'pod.scheduled':
      if (p) {
        p.node = e.node;
        p.scheduledMs = e.atMs;
      }
      break;
    case 'pod.started':
      if (p) {
        p.startedMs = e.atMs;
        p.down = false;
      }
      break;
    case 'pod.stopped':
      if (p) {
        p.down = true;
        p.stoppedMs = e.atMs;
        p.stoppedReason = e.reason;
      }
      break;
    case 'pod.ready.changed':
      if (p && p.ready !== e.ready) {
        p.ready = e.ready;
        p.readyChangedMs = e.atMs;
        p.readyBy = e.by;
      }
      break;
    case 'pod.deleted':
      if (p && p.deletedMs === undefined) {
        p.deletedMs = e.atMs;
        p.deleteReason = e.reason;
      }
      break;
    case 'pod.removed':
      if (p) p.removed = true;
      break;
    case 'pod.preempted':
      w.preemptions.push(e);
      break;
  }
}

/** The workload's pods preempted so far, grouped by the preemptors' workload (in order of first preemption). */
function preemptedBy(w: World, workload: string): PreemptedBy[] {
  const groups = new Map<string, PreemptedBy>();
  for (const e of w.preemptions) {
    if (e.workload !== workload) continue;
    let g = groups.get(e.preemptorWorkload);
    if (!g) groups.set(e.preemptorWorkload, (g = { byWorkload: e.preemptorWorkload, pods: [] }));
    g.pods.push({ pod: e.pod, node: e.node, preemptor: e.preemptor, atMs: e.atMs });
  }
  return [...groups.values()];
}

function nodeOf(w: World, name: string): NodeRecord {
  let n = w.nodes.get(name);
  if (!n) w.nodes.set(name, (n = { ready: 'True', readySinceMs: 0, noExecute: new Map() }));
  return n;
}

/** What each cluster event changes in the world the causes are read from (one lookup per event). */
const CLUSTER_HANDLERS: { [K in TraceEventType]?: (w: World, e: TraceEventOf<K>) => void } = {
  'nodegroup.scaled.up': (w, e) => (w.autoscaler.scaleUp = { atMs: e.atMs, nodeGroup: e.nodeGroup, nodes: e.nodes }),
  'nodegroup.scaleup.failed': (w, e) =>
    (w.autoscaler.failed = { atMs: e.atMs, nodeGroup: e.nodeGroup, reason: e.reason }),
  'autoscaler.halted': (w, e) => (w.autoscaler.halted = { sinceMs: e.atMs, reason: e.reason }),
  'autoscaler.resumed': (w) => (w.autoscaler.halted = undefined),
  'workload.desired.changed': (w, e) => w.desired.set(e.workload, e.desired),
  'volume.bound': (w, e) => w.claimZones.set(e.claim, { zone: e.zone, workload: e.workload }),
  // What a pod scheduled but not started waits for on its volumes.
  'volume.attach.started': (w, e) => {
    const p = w.pods.get(e.pod);
    if (p && p.node === e.node) p.volume = { claim: e.claim, atMs: e.atMs };
  },
  'volume.multiattach.error': (w, e) => {
    const p = w.pods.get(e.pod);
    if (p && p.node === e.node) p.volume = { claim: e.claim, atMs: e.atMs, attachedTo: e.attachedTo };
  },
  'node.ready.changed': (w, e) => {
    const n = nodeOf(w, e.node);
    if (n.ready !== e.to) {
      n.ready = e.to;
      n.readySinceMs = e.atMs;
    }
  },
  'node.created': (w, e) => {
    const n = nodeOf(w, e.node);
    n.deletedMs = undefined;
    n.deletedBy = undefined;
    n.zone = e.zone;
  },
  'node.deleted': (w, e) => {
    const n = nodeOf(w, e.node);
    n.deletedMs = e.atMs;
    n.deletedBy = e.by;
  },
  'node.taint.added': (w, e) => {
    if (e.effect === 'NoExecute') nodeOf(w, e.node).noExecute.set(e.key, e.atMs);
  },
  'node.taint.removed': (w, e) => {
    if (e.effect === 'NoExecute') nodeOf(w, e.node).noExecute.delete(e.key);
  },
  // Hosts that are not nodes (control-plane members) are left out.
  'host.powered.off': (w, e) => {
    if (w.nodes.has(e.host)) nodeOf(w, e.host).poweredOffMs = e.atMs;
  },
  'host.powered.on': (w, e) => {
    if (w.nodes.has(e.host)) nodeOf(w, e.host).poweredOffMs = undefined;
  },
  'leader.acquired': (w, e) => {
    const before = w.leaders.get(e.component);
    if (before && before.instance === null && e.atMs > before.sinceMs) {
      const spans = w.leaderless.get(e.component) ?? [];
      spans.push({ fromMs: before.sinceMs, toMs: e.atMs });
      w.leaderless.set(e.component, spans);
    }
    w.leaders.set(e.component, { instance: e.instance, sinceMs: e.atMs });
  },
  'component.stopped': (w, e) => {
    if (CONTROL_PLANE_STORES.has(e.component)) w.stopped.set(e.instance, { component: e.component, sinceMs: e.atMs });
  },
  'component.started': (w, e) => w.stopped.delete(e.instance),
  'leader.lost': (w, e) => {
    const l = w.leaders.get(e.component);
    if (l && l.instance === e.instance) w.leaders.set(e.component, { instance: null, sinceMs: e.atMs });
  },
};

function applyClusterEvent(w: World, e: TraceEvent): void {
  const handle = CLUSTER_HANDLERS[e.type] as ((w: World, e: TraceEvent) => void) | undefined;
  if (handle !== undefined) handle(w, e);
}

/**
 * A Pending pod whose disk is bound to a zone may only run there (docs/fidelity.md#volumes): hasim says
 * so, since its FitError counts the zone pin as node affinity where upstream's says "volume node affinity
 * conflict". Claims are named <template>-<pod>.
 */
function volumeZoneNote(w: World, p: PodRecord): string {
  const pins: string[] = [];
  for (const [claim, c] of w.claimZones)
    if (c.workload === p.workload && claim.endsWith(`-${p.name}`)) pins.push(`${claim} is in ${c.zone}`);
  if (pins.length === 0) return '';
  return `; its disk ${pins.sort().join(', ')}, so it can run only there (upstream counts those nodes as "had volume node affinity conflict")`;
}

/** What the cluster autoscaler was doing for a pod Pending since createdMs (empty without one in the trace). */
function autoscalerNote(w: World, createdMs: number): string {
  const a = w.autoscaler;
  if (a.halted)
    return `; the cluster autoscaler has been halted since ${formatClock(a.halted.sinceMs)}: ${a.halted.reason}`;
  let note = '';
  if (a.failed && a.failed.atMs >= createdMs)
    note += `; the cluster autoscaler's scale-up of ${a.failed.nodeGroup} failed at ${formatClock(a.failed.atMs)} (${a.failed.reason})`;
  if (a.scaleUp && a.scaleUp.atMs >= createdMs) {
    const waiting = a.scaleUp.nodes.filter((n) => w.nodes.get(n)?.ready !== 'True');
    note +=
      waiting.length > 0
        ? `; the cluster autoscaler asked for ${a.scaleUp.nodes.join(', ')} (node group ${a.scaleUp.nodeGroup}) at ${formatClock(a.scaleUp.atMs)}, not Ready yet`
        : `; the cluster autoscaler's new ${a.scaleUp.nodes.join(', ')} (node group ${a.scaleUp.nodeGroup}) asked for at ${formatClock(a.scaleUp.atMs)} are Ready`;
  }
  return note;
}

/** A node that cannot act on its pods: powered off, deleted, or not Ready in the API. */
function nodeDown(n: NodeRecord | undefined): boolean {
  return n !== undefined && (n.poweredOffMs !== undefined || n.deletedMs !== undefined || n.ready !== 'True');
}

function nodeStatusText(n: NodeRecord | undefined): string | undefined {
  if (!n || !nodeDown(n)) return undefined;
  const parts: string[] = [];
  if (n.deletedMs !== undefined)
    parts.push(
      `Node object deleted at ${formatClock(n.deletedMs)}` +
        (n.deletedBy === 'cloud-node-lifecycle-controller'
          ? ' by the cloud node lifecycle controller (its VM no longer exists)'
          : n.deletedBy !== undefined
            ? ` by ${n.deletedBy}`
            : ''),
    );
  if (n.poweredOffMs !== undefined) parts.push(`powered off since ${formatClock(n.poweredOffMs)}`);
  if (n.ready !== 'True') parts.push(`Ready=${n.ready} since ${formatClock(n.readySinceMs)}`);
  for (const [key, atMs] of [...n.noExecute.entries()].sort((a, b) => a[1] - b[1]))
    parts.push(`tainted ${key}:NoExecute at ${formatClock(atMs)}`);
  return parts.join(', ');
}

const RELEASES =
  "It is released by deleting the Node, adding the node.kubernetes.io/out-of-service taint, or force-deleting the pod (fault types node-delete, node-out-of-service, pod-force-delete), or by the node coming back. A cloud-controller-manager deletes the Node only when the node's VM is deleted (vm-delete), not while it is merely powered off.";

function explainPod(p: PodRecord, kind: string, w: World): PodCause {
  const n = p.node !== undefined ? w.nodes.get(p.node) : undefined;
  const base = { pod: p.name, node: p.node, nodeStatus: nodeStatusText(n) };
  if (p.deletedMs !== undefined) {
    const reason = `deleted (${p.deleteReason ?? 'no reason recorded'})`;
    let why: string;
    if (p.node === undefined) why = `${reason}; not yet removed`;
    else if (nodeDown(n)) {
      why = `${reason} on a node that is down, so no kubelet confirms that its containers stopped and the object stays.`;
      why +=
        kind === 'StatefulSet'
          ? ` The StatefulSet will not create a new pod with this name until the old one is gone (two pods with one identity must never run at once). ${RELEASES}`
          : ` The ${kind === 'Deployment' ? 'ReplicaSet' : kind} does not wait for it: it counts a replacement instead.`;
    } else why = `${reason}; its kubelet is stopping the containers (graceful termination)`;
    return { ...base, state: 'Terminating', sinceMs: p.deletedMs, why };
  }
  if (p.node === undefined) {
    const sched = w.leaders.get('kube-scheduler');
    let why = p.unschedulable
      ? `the scheduler's last attempt at ${formatClock(p.unschedulable.atMs)}: "${p.unschedulable.reason}"`
      : 'no scheduling attempt recorded yet';
    if (sched && sched.instance === null)
      why += `; no kube-scheduler has been leading since ${formatClock(sched.sinceMs)}`;
    why += volumeZoneNote(w, p);
    why += autoscalerNote(w, p.createdMs);
    return { ...base, state: 'Pending', sinceMs: p.createdMs, why };
  }
  if (p.down) {
    let why = `containers stopped at ${formatClock(p.stoppedMs ?? p.readyChangedMs)} (${p.stoppedReason ?? 'no reason recorded'})`;
    if (p.ready) why += '; the API server still shows the pod Ready, as nobody has noticed yet';
    else if (p.readyBy === 'node-lifecycle-controller')
      why += `; marked not Ready by the node lifecycle controller at ${formatClock(p.readyChangedMs)}`;
    if (n && n.noExecute.size > 0) why += '; to be evicted when its toleration of the NoExecute taint runs out';
    else if (n && n.ready !== 'True') why += `; ${notTaintedYet(n, w)}`;
    else if (n && n.ready === 'True' && n.poweredOffMs !== undefined) {
      const kcm = w.leaders.get('kube-controller-manager');
      why +=
        kcm && kcm.instance === null
          ? `; no kube-controller-manager has been leading since ${formatClock(kcm.sinceMs)}, so no node lifecycle controller can mark its node`
          : '; the node lifecycle controller has not yet marked its node';
    }
    return { ...base, state: 'Stopped', sinceMs: p.stoppedMs ?? p.readyChangedMs, why };
  }
  if (p.startedMs === undefined) {
    const why = nodeDown(n)
      ? `scheduled at ${formatClock(p.scheduledMs ?? p.createdMs)} to a node that is down; its containers never started`
      : `scheduled at ${formatClock(p.scheduledMs ?? p.createdMs)}; ${volumeWait(p) ?? 'pulling its image and starting its containers'}`;
    return { ...base, state: 'ContainerCreating', sinceMs: p.scheduledMs ?? p.createdMs, why };
  }
  let why: string;
  if (p.readyBy === 'node-lifecycle-controller')
    why = `containers run, but the node lifecycle controller marked the pod not Ready at ${formatClock(p.readyChangedMs)} because its node stopped reporting`;
  else if (p.readyChangedMs > p.startedMs && p.readyBy !== undefined)
    why = `containers run; not Ready since ${formatClock(p.readyChangedMs)} (reported by ${p.readyBy})`;
  else why = `containers started at ${formatClock(p.startedMs)}; not Ready yet (start-up and readiness)`;
  return { ...base, state: 'Running', sinceMs: Math.max(p.startedMs, p.readyChangedMs), why };
}

/**
 * A node marked not Ready but not yet tainted NoExecute: the node lifecycle controller taints a zone's
 * nodes through a rate limiter (--node-eviction-rate, 0.1 nodes/s by default), so the last nodes of a
 * large zone wait minutes for their taint, and their pods for eviction.
 */
function notTaintedYet(n: NodeRecord, w: World): string {
  if (n.zone === undefined) return 'its node has no NoExecute taint yet, so eviction has not started';
  let tainted = 0;
  let notReady = 0;
  for (const m of w.nodes.values()) {
    if (m.zone !== n.zone || m.ready === 'True') continue;
    notReady++;
    if (m.noExecute.size > 0) tainted++;
  }
  return `its node has no NoExecute taint yet, so eviction has not started: the node lifecycle controller taints a zone's nodes at a limited rate, and had tainted ${tainted} of the ${notReady} not-Ready nodes in ${n.zone}`;
}

/** Components whose instances are not leader-elected: their stops are listed as such. */
const CONTROL_PLANE_STORES = new Set(['kube-apiserver', 'etcd']);
/** The leader-elected components whose absence stops recovery, in the order they are named. */
const LEADERS = ['kube-controller-manager', 'kube-scheduler'];
const LEADER_ROLE: Record<string, string> = {
  'kube-controller-manager': 'nothing marks nodes, evicts or replaces pods',
  'kube-scheduler': 'nothing binds new pods',
};

/**
 * Whether the control plane stood in the way: leaders missing at the moment (and what that stops), API
 * servers and etcd members stopped at the moment, and leaderless spans of at least a second between the
 * first fault and the moment. Undefined when the control plane was whole throughout.
 */
function controlPlaneNote(w: World, sinceMs: number): string | undefined {
  const now: string[] = [];
  for (const c of LEADERS) {
    const l = w.leaders.get(c);
    if (l && l.instance === null) now.push(`no ${c} leader since ${formatClock(l.sinceMs)} (${LEADER_ROLE[c]})`);
  }
  const stoppedBy = new Map<string, { sinceMs: number; names: string[] }>();
  for (const [instance, s] of w.stopped) {
    const key = `${s.component}|${s.sinceMs}`;
    const g = stoppedBy.get(key) ?? { sinceMs: s.sinceMs, names: [] };
    g.names.push(instance);
    stoppedBy.set(key, g);
  }
  for (const g of [...stoppedBy.values()].sort((a, b) => a.sinceMs - b.sinceMs))
    now.push(`${nameList(g.names.sort(naturalCompare), 4)} stopped since ${formatClock(g.sinceMs)}`);
  const earlier: string[] = [];
  for (const c of LEADERS)
    for (const s of w.leaderless.get(c) ?? []) {
      if (s.toMs <= sinceMs || s.toMs - s.fromMs < 1000) continue;
      earlier.push(
        `no ${c} leader for ${formatDuration(s.toMs - s.fromMs)} (${formatClock(s.fromMs)}–${formatClock(s.toMs)})`,
      );
    }
  if (now.length === 0 && earlier.length === 0) return undefined;
  const parts: string[] = [];
  if (now.length) parts.push(`the control plane could not act: ${now.join('; ')}`);
  if (earlier.length)
    parts.push(`${now.length ? 'earlier, ' : 'the control plane was out for part of the time: '}${earlier.join('; ')}`);
  return parts.join('. ');
}

function missingWhy(kind: string, pods: readonly PodCause[], w: World): string {
  const kcm = w.leaders.get('kube-controller-manager');
  if (kcm && kcm.instance === null)
    return `no kube-controller-manager has been leading since ${formatClock(kcm.sinceMs)}, so no ${kind === 'StatefulSet' ? 'StatefulSet' : 'ReplicaSet'} controller creates pods`;
  if (kind === 'StatefulSet' && pods.some((p) => p.state === 'Terminating'))
    return 'the StatefulSet creates a pod with a Terminating pod’s name only once the old pod is gone';
  return 'not yet created by its controller';
}

/** Pods that share a state and a reason, for compact output. */
export interface PodCauseGroup {
  state: PodStateWord;
  why: string;
  pods: PodCause[];
}

export function groupPodCauses(pods: readonly PodCause[]): PodCauseGroup[] {
  const groups = new Map<string, PodCauseGroup>();
  for (const p of pods) {
    // Times in the sentence differ pod by pod; the reason itself is what groups them.
    const key = `${p.state}|${p.why.replace(/\d+:\d\d(:\d\d)?\.\d/g, 'T')}`;
    const g = groups.get(key);
    if (g) g.pods.push(p);
    else groups.set(key, { state: p.state, why: p.why, pods: [p] });
  }
  return [...groups.values()];
}

function nameList(names: readonly string[], max: number): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * The causes as plain lines: a heading (`at 08:00.0 (the deadline) Deployment/catalog had 6/9 Ready; not
 * Ready:`) and one line per group of pods with the same state and reason, at most maxGroups of them.
 */
export function causeLines(c: SloCauses, maxGroups = 6): string[] {
  const lines: string[] = [];
  const verb =
    c.moment === 'when it broke' ? `when it broke at ${formatClock(c.atMs)}` : `at ${c.moment}, ${formatClock(c.atMs)}`;
  lines.push(
    `${verb}, ${c.workload} had ${c.ready}/${c.desired} Ready` + (c.pods.length || c.missing ? '; not Ready:' : ''),
  );
  const groups = groupPodCauses(c.pods);
  for (const g of groups.slice(0, maxGroups)) lines.push(`- ${groupLine(g)}`);
  if (groups.length > maxGroups) {
    const rest = groups.slice(maxGroups).reduce((n, g) => n + g.pods.length, 0);
    lines.push(`- ${rest} more pods in ${groups.length - maxGroups} other states (see report.html)`);
  }
  if (c.missing)
    lines.push(
      `- ${c.missing.count} ${c.missing.count === 1 ? 'replica has' : 'replicas have'} no pod: ${c.missing.why}`,
    );
  for (const g of c.preempted ?? []) lines.push(`- ${preemptedLine(g)}`);
  if (c.controlPlane) lines.push(`- ${c.controlPlane[0].toUpperCase()}${c.controlPlane.slice(1)}`);
  return lines;
}

/**
 * `2 pods preempted by the scheduler for higher-priority pods of Deployment/checkout at 07:41.2–07:51.2:
 * batch-x on worker-a-1 for checkout-y, ...`.
 */
export function preemptedLine(g: PreemptedBy): string {
  const times = g.pods.map((p) => p.atMs);
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const when = lo === hi ? `at ${formatClock(lo)}` : `at ${formatClock(lo)}–${formatClock(hi)}`;
  const who = g.pods.length === 1 ? '1 pod' : `${g.pods.length} pods`;
  const list = nameList(
    g.pods.map((p) => `${p.pod} on ${p.node} for ${p.preemptor}`),
    3,
  );
  return `${who} preempted by the scheduler for higher-priority pods of ${g.byWorkload} ${when}: ${list}`;
}

export function groupLine(g: PodCauseGroup): string {
  const first = g.pods[0];
  const nodes = [...new Set(g.pods.map((p) => p.node).filter((n): n is string => n !== undefined))];
  const since = g.pods.map((p) => p.sinceMs);
  const lo = since.reduce((a, b) => Math.min(a, b));
  const hi = since.reduce((a, b) => Math.max(a, b));
  const sinceText = lo === hi ? `since ${formatClock(lo)}` : `since ${formatClock(lo)}–${formatClock(hi)}`;
  const who =
    g.pods.length === 1
      ? `${first.pod} ${g.state} ${sinceText}`
      : `${g.pods.length} pods ${g.state} ${sinceText} (${nameList(
          g.pods.map((p) => p.pod),
          3,
        )})`;
  let where = '';
  if (nodes.length === 1) where = ` on ${nodes[0]}${first.nodeStatus ? ` (${first.nodeStatus})` : ''}`;
  else if (nodes.length > 1) where = ` on ${nodes.length} nodes (${nameList(nodes, 3)})`;
  return `${who}${where}: ${g.why}`;
}

// Each fault's chain of reactions, so "what took 6 minutes" is answered in one place: hit → detected →
// tainted → evicted → replaced → scheduled → Ready, each step with its first and last time and how many
// nodes or pods it covers. Built in one pass over the trace.
//
// Attribution: a fault's victims are the pods bound to the nodes it hit when it started (the first
// fault to hit a pod owns it). A pod created for a workload while some of its victims have been deleted
// and not yet replaced is the replacement of the earliest of them (a StatefulSet's replacement reuses the
// name). Control-plane faults (no node among their targets) have a shorter chain: hit → leader lost →
// new leader.
import type { TraceEvent } from '../trace/events.js';
import { formatClock, formatDuration } from './format.js';

export type ChainStepKind =
  | 'hit'
  | 'detected'
  | 'tainted'
  | 'evicted'
  | 'replaced'
  | 'scheduled'
  | 'Ready'
  | 'leader lost'
  | 'new leader'
  | 'ended';

export interface ChainStep {
  kind: ChainStepKind;
  firstMs: number;
  lastMs: number;
  /** Nodes (hit, detected, tainted) or pods (evicted, replaced, scheduled, Ready) the step covers. */
  count: number;
  /** What count is out of: the nodes hit, the pods evicted. */
  of?: number;
  unit: 'node' | 'pod' | '';
  note?: string;
  /** For leader steps: the components, in the order they lost or gained a leader. */
  components?: string[];
}

export interface FaultChain {
  fault: string;
  faultType: string;
  startMs: number;
  endMs: number | null;
  steps: ChainStep[];
}

interface Acc {
  chain: FaultChain;
  nodes: Set<string>;
  seen: Map<ChainStepKind, { first: number; last: number; subjects: Set<string> }>;
  victims: number;
  lastUnschedulable?: string;
  pendingMsMax: number;
}

const built = new WeakMap<readonly TraceEvent[], { length: number; chains: FaultChain[] }>();

/** The chain of every fault that started, in start order. Built once per trace (every report asks); read-only. */
export function faultChains(events: readonly TraceEvent[]): FaultChain[] {
  const memo = built.get(events);
  if (memo !== undefined && memo.length === events.length) return memo.chains;
  const chains = buildChains(events);
  built.set(events, { length: events.length, chains });
  return chains;
}

function buildChains(events: readonly TraceEvent[]): FaultChain[] {
  const b = new ChainBuilder();
  for (const e of events) {
    if (e.type.startsWith('pod.')) b.podEvent(e);
    else b.clusterEvent(e);
  }
  return b.accs.map(finish);
}

function note(a: Acc, kind: ChainStepKind, atMs: number, subject: string): void {
  let s = a.seen.get(kind);
  if (!s) a.seen.set(kind, (s = { first: atMs, last: atMs, subjects: new Set() }));
  if (s.subjects.has(subject)) return;
  s.subjects.add(subject);
  s.last = atMs;
}

class ChainBuilder {
  readonly accs: Acc[] = [];
  private readonly knownNodes = new Set<string>();
  /** The node of each bound pod not yet removed. */
  private readonly podNode = new Map<string, string>();
  private readonly podWorkload = new Map<string, string>();
  private readonly nodeFaults = new Map<string, Acc[]>();
  private readonly victimOf = new Map<string, Acc>();
  private readonly replacementOf = new Map<string, { acc: Acc; createdMs: number }>();
  /** Per workload, the faults of victims deleted and not yet replaced, oldest first. */
  private readonly awaiting = new Map<string, Acc[]>();
  private readonly byName = new Map<string, Acc>();
  private readonly controlPlane: Acc[] = [];

  clusterEvent(e: TraceEvent): void {
    switch (e.type) {
      case 'node.created':
        this.knownNodes.add(e.node);
        break;
      case 'fault.started':
        this.faultStarted(e);
        break;
      case 'fault.ended': {
        const a = this.byName.get(e.fault);
        if (a && a.chain.endMs === null) a.chain.endMs = e.atMs;
        break;
      }
      case 'node.ready.changed':
        if (e.to !== 'True' && e.from !== 'None')
          for (const a of this.nodeFaults.get(e.node) ?? []) note(a, 'detected', e.atMs, e.node);
        break;
      case 'node.taint.added':
        if (e.effect === 'NoExecute')
          for (const a of this.nodeFaults.get(e.node) ?? []) note(a, 'tainted', e.atMs, e.node);
        break;
      case 'leader.lost':
        for (const a of this.controlPlane) if (a.chain.endMs === null) note(a, 'leader lost', e.atMs, e.component);
        break;
      case 'leader.acquired':
        // The first new leader of each component that lost its leader during the fault.
        for (const a of this.controlPlane)
          if (a.seen.get('leader lost')?.subjects.has(e.component)) note(a, 'new leader', e.atMs, e.component);
        break;
    }
  }

  private faultStarted(e: Extract<TraceEvent, { type: 'fault.started' }>): void {
    const a: Acc = {
      chain: { fault: e.fault, faultType: e.faultType, startMs: e.atMs, endMs: null, steps: [] },
      nodes: new Set(e.targets.filter((t) => this.knownNodes.has(t))),
      seen: new Map(),
      victims: 0,
      pendingMsMax: 0,
    };
    this.accs.push(a);
    this.byName.set(e.fault, a);
    if (a.nodes.size === 0) {
      this.controlPlane.push(a);
      note(a, 'hit', e.atMs, e.fault);
    }
    for (const n of a.nodes) {
      note(a, 'hit', e.atMs, n);
      let list = this.nodeFaults.get(n);
      if (!list) this.nodeFaults.set(n, (list = []));
      list.push(a);
    }
    // The pods bound to the nodes hit: one look at every bound pod per fault, rather than a set of pods per
    // node kept up to date through the whole trace.
    if (a.nodes.size > 0)
      for (const [pod, node] of this.podNode) {
        if (!a.nodes.has(node) || this.victimOf.has(pod)) continue;
        this.victimOf.set(pod, a);
        a.victims++;
      }
  }

  podEvent(e: TraceEvent): void {
    switch (e.type) {
      case 'pod.created': {
        this.podWorkload.set(e.pod, e.workload);
        this.victimOf.delete(e.pod);
        const acc = this.awaiting.get(e.workload)?.shift();
        if (acc) {
          this.replacementOf.set(e.pod, { acc, createdMs: e.atMs });
          note(acc, 'replaced', e.atMs, e.pod);
        } else this.replacementOf.delete(e.pod);
        break;
      }
      case 'pod.unschedulable': {
        const r = this.replacementOf.get(e.pod);
        if (r) r.acc.lastUnschedulable = e.reason;
        break;
      }
      case 'pod.scheduled':
        this.scheduled(e);
        break;
      case 'pod.ready.changed': {
        const r = this.replacementOf.get(e.pod);
        if (r && e.ready) note(r.acc, 'Ready', e.atMs, e.pod);
        break;
      }
      case 'pod.deleted':
        this.deleted(e);
        break;
      case 'pod.removed':
        this.podNode.delete(e.pod);
        break;
    }
  }

  private scheduled(e: Extract<TraceEvent, { type: 'pod.scheduled' }>): void {
    this.podNode.set(e.pod, e.node);
    const r = this.replacementOf.get(e.pod);
    if (r) {
      note(r.acc, 'scheduled', e.atMs, e.pod);
      r.acc.pendingMsMax = Math.max(r.acc.pendingMsMax, e.atMs - r.createdMs);
    }
  }

  private deleted(e: Extract<TraceEvent, { type: 'pod.deleted' }>): void {
    const a = this.victimOf.get(e.pod);
    if (!a) return;
    note(a, 'evicted', e.atMs, e.pod);
    const w = this.podWorkload.get(e.pod);
    if (w === undefined) return;
    let q = this.awaiting.get(w);
    if (!q) this.awaiting.set(w, (q = []));
    q.push(a);
  }
}

const ORDER: ChainStepKind[] = [
  'hit',
  'detected',
  'tainted',
  'evicted',
  'replaced',
  'scheduled',
  'Ready',
  'leader lost',
  'new leader',
];

function finish(a: Acc): FaultChain {
  const nodeCount = a.nodes.size;
  const evicted = a.seen.get('evicted')?.subjects.size ?? 0;
  for (const kind of ORDER) {
    const s = a.seen.get(kind);
    if (!s) continue;
    const isNode = kind === 'hit' || kind === 'detected' || kind === 'tainted';
    const step: ChainStep = {
      kind,
      firstMs: s.first,
      lastMs: s.last,
      count: s.subjects.size,
      unit: nodeCount === 0 ? '' : isNode ? 'node' : 'pod',
    };
    if (nodeCount > 0 && (kind === 'detected' || kind === 'tainted')) step.of = nodeCount;
    if (kind === 'evicted') step.of = a.victims;
    if (kind === 'replaced' || kind === 'scheduled' || kind === 'Ready') step.of = evicted;
    if (kind === 'leader lost' || kind === 'new leader') step.components = [...s.subjects];
    if (kind === 'scheduled' && a.lastUnschedulable !== undefined)
      step.note = `Pending up to ${formatDuration(a.pendingMsMax)}; the scheduler said "${a.lastUnschedulable}"`;
    a.chain.steps.push(step);
  }
  if (a.chain.endMs !== null)
    a.chain.steps.push({ kind: 'ended', firstMs: a.chain.endMs, lastMs: a.chain.endMs, count: 0, unit: '' });
  a.chain.steps.sort((x, y) => x.firstMs - y.firstMs || ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind));
  return a.chain;
}

/** `evicted +5m41.2s (3/3 pods, last +6m1.2s)`: one step, times counted from the fault's start. */
export function stepText(c: FaultChain, s: ChainStep): string {
  if (s.kind === 'hit')
    return `hit ${formatClock(s.firstMs)}${s.unit ? ` (${s.count} ${plural(s.unit, s.count)})` : ''}`;
  const after = `+${formatDuration(s.firstMs - c.startMs)}`;
  if (s.kind === 'ended') return `ended ${after}`;
  const parts: string[] = [];
  if (s.components) parts.push(s.components.join(', '));
  if (s.unit)
    parts.push(
      s.of !== undefined ? `${s.count}/${s.of} ${plural(s.unit, s.of)}` : `${s.count} ${plural(s.unit, s.count)}`,
    );
  const last = `+${formatDuration(s.lastMs - c.startMs)}`;
  if (last !== after) parts.push(`last ${last}`);
  return `${s.kind} ${after}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function plural(unit: string, n: number): string {
  return n === 1 ? unit : `${unit}s`;
}

/** The chain on one line: `zone-c-power (zone-outage): hit 02:00.0 (3 nodes) → detected +36.1s (3/3 nodes) → ...`. */
export function chainLine(c: FaultChain): string {
  return `${c.fault} (${c.faultType}): ${c.steps.map((s) => stepText(c, s)).join(' → ')}`;
}

/** Notes worth a line of their own (why the scheduling step took long). */
export function chainNotes(c: FaultChain): string[] {
  return c.steps.filter((s) => s.note).map((s) => `${s.kind}: ${s.note}`);
}

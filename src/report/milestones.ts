// Key moments of a run, as log lines (`02:43.0 worker-b-1 Ready → Unknown (node-lifecycle-controller)`)
// and as per-fault markers for the timeline. One definition shared by the HTML, Markdown and text
// reports, so they tell the same story. Bursts (a zone's nodes going Unknown, a node's pods evicted)
// are folded into one line so a 300-node run stays readable.
import type { TraceEvent } from '../trace/events.js';
import { readySeries } from '../slo/ready-series.js';
import { faultChains, type ChainStepKind } from './fault-chains.js';
import { serviceMilestones } from './service-lanes.js';
import { volumeMilestones } from './volume-milestones.js';
import { formatClock, formatDuration } from './format.js';

/** The cloud node lifecycle controller's shutdown taint and actor name (model/cloud; reports read the trace only). */
const CLOUD_SHUTDOWN_TAINT = 'node.cloudprovider.kubernetes.io/shutdown';
const CLOUD_NODE_LIFECYCLE = 'cloud-node-lifecycle-controller';

export type MilestoneKind =
  | 'fault'
  | 'node'
  | 'taint'
  | 'zone'
  | 'leader'
  | 'eviction'
  | 'workload'
  | 'drain'
  | 'service'
  | 'autoscaler'
  | 'volume';

export interface Milestone {
  atMs: number;
  kind: MilestoneKind;
  /** The line without its time stamp. */
  text: string;
  /** How many trace events the line stands for. */
  count: number;
  /** For a folded burst that took time (tainting at 0.1 nodes/s), when its last event happened. */
  untilMs?: number;
}

/** Events of one group closer together than this are folded into one line. */
const GROUP_WINDOW_MS = 10_000;
const STATUS_WORD: Record<string, string> = { True: 'Ready', False: 'NotReady', Unknown: 'Unknown', None: 'None' };

interface Group {
  atMs: number;
  lastMs: number;
  kind: MilestoneKind;
  subjects: string[];
  render: (subjects: string[]) => string;
}

const built = new WeakMap<readonly TraceEvent[], { length: number; list: Milestone[] }>();

/** The key events of a run in time order, bursts folded. Built once per trace (every report asks); read-only. */
export function milestones(events: readonly TraceEvent[]): Milestone[] {
  const memo = built.get(events);
  if (memo !== undefined && memo.length === events.length) return memo.list;
  const list = buildMilestones(events);
  built.set(events, { length: events.length, list });
  return list;
}

/** The open and finished groups of the milestones being built, and where each pod was bound. */
class MilestoneGroups {
  readonly done: Group[] = [];
  private readonly open = new Map<string, Group>();
  readonly podNode = new Map<string, string>();

  /** Adds subject to the open group of key, or opens a new group if that one is older than GROUP_WINDOW_MS. */
  add(key: string, e: TraceEvent, kind: MilestoneKind, subject: string, render: (subjects: string[]) => string): void {
    const g = this.open.get(key);
    if (g && e.atMs - g.lastMs <= GROUP_WINDOW_MS) {
      g.subjects.push(subject);
      g.lastMs = e.atMs;
      return;
    }
    const ng: Group = { atMs: e.atMs, lastMs: e.atMs, kind, subjects: [subject], render };
    this.open.set(key, ng);
    this.done.push(ng);
  }

  /** The group open under key (after add() it is the one the event joined). */
  openGroup(key: string): Group | undefined {
    return this.open.get(key);
  }

  /** A line of its own, never folded. */
  single(e: TraceEvent, kind: MilestoneKind, text: string): void {
    this.done.push({ atMs: e.atMs, lastMs: e.atMs, kind, subjects: [text], render: (s) => s[0] });
  }
}

function buildMilestones(events: readonly TraceEvent[]): Milestone[] {
  const c = new MilestoneGroups();
  const probes = new ProbeMilestones(c);
  for (const e of events) {
    clusterMilestone(c, e);
    autoscalerMilestone(c, e);
    workloadEventMilestone(c, e);
    probes.event(e);
  }
  const done = c.done;
  done.push(...foldWorkloadMilestones(workloadMilestones(events)));
  for (const m of serviceMilestones(events))
    done.push({ atMs: m.atMs, lastMs: m.atMs, kind: 'service', subjects: [m.text], render: (s) => s[0] });
  for (const m of volumeMilestones(events))
    done.push({ atMs: m.atMs, lastMs: m.atMs, kind: 'volume', subjects: [m.text], render: (s) => s[0] });

  return done
    .map((g, i) => ({ m: toMilestone(g), i }))
    .sort((a, b) => a.m.atMs - b.m.atMs || a.i - b.i)
    .map((x) => x.m);
}

/** Faults, node conditions and taints, zones, leaders and control-plane members. */
function clusterMilestone(c: MilestoneGroups, e: TraceEvent): void {
  switch (e.type) {
    case 'fault.started':
      c.single(
        e,
        'fault',
        `fault ${e.fault} (${e.faultType}) started` + (e.targets.length ? `: ${nameList(e.targets, 4)}` : ''),
      );
      break;
    case 'fault.ended':
      c.single(e, 'fault', `fault ${e.fault} ended`);
      break;
    case 'node.ready.changed': {
      if (e.from === 'None') break; // registration at start-up is not news
      const change = `${STATUS_WORD[e.from]} → ${STATUS_WORD[e.to]} (${e.by})`;
      c.add(`node|${e.from}|${e.to}|${e.by}`, e, 'node', e.node, (s) =>
        s.length === 1 ? `${s[0]} ${change}` : `${s.length} nodes ${change}: ${nameList(s, 3)}`,
      );
      break;
    }
    case 'node.taint.added':
    case 'node.taint.removed':
      // NoExecute taints move pods; the cloud's shutdown taint tells why a node stays down.
      if (e.effect !== 'NoExecute' && e.key !== CLOUD_SHUTDOWN_TAINT) break;
      c.add(`${e.type}|${e.key}`, e, 'taint', e.node, (s) => {
        const verb = e.type === 'node.taint.added' ? 'tainted' : 'untainted';
        return s.length === 1
          ? `${s[0]} ${verb} ${e.key}:${e.effect}`
          : `${s.length} nodes ${verb} ${e.key}:${e.effect}: ${nameList(s, 3)}`;
      });
      break;
    case 'node.deleted': {
      const by = e.by === CLOUD_NODE_LIFECYCLE ? `${e.by}: its VM no longer exists` : (e.by ?? 'deleted');
      c.add(`node.deleted|${e.by ?? ''}`, e, 'node', e.node, (s) =>
        s.length === 1 ? `${s[0]} Node deleted (${by})` : `${s.length} Nodes deleted (${by}): ${nameList(s, 3)}`,
      );
      break;
    }
    case 'zone.state.changed':
      if (e.from === 'Initial') break;
      c.single(e, 'zone', `zone ${e.zone} ${e.from} → ${e.to}`);
      break;
    case 'leader.acquired':
      c.single(e, 'leader', `${e.component}: ${e.instance} became leader`);
      break;
    case 'leader.lost':
      c.single(e, 'leader', `${e.component}: ${e.instance} lost leadership`);
      break;
    case 'etcd.leader.lost':
      c.single(e, 'leader', `etcd: ${e.member} stopped leading (${e.reason}); writes wait for a new leader`);
      break;
    case 'etcd.leader.elected':
      c.single(
        e,
        'leader',
        `etcd: ${e.member} elected leader, term ${e.term}, after ${formatDuration(e.leaderlessMs)} without one`,
      );
      break;
    case 'component.stopped':
    case 'component.started':
      // kube-apiserver and etcd members going down is why nothing else may react: always news.
      // (Controller-manager and scheduler changes show through their leader events.)
      if (e.component === 'kube-apiserver' || e.component === 'etcd') {
        const verb = e.type === 'component.stopped' ? 'stopped' : 'started';
        c.add(`${e.type}/${e.component}`, e, 'leader', e.instance, (xs) => `${e.component} ${nameList(xs, 4)} ${verb}`);
      }
      break;
  }
}

/** Pods, drains, cordons and evictions. */
function workloadEventMilestone(c: MilestoneGroups, e: TraceEvent): void {
  switch (e.type) {
    case 'pod.scheduled':
      c.podNode.set(e.pod, e.node);
      break;
    case 'node.unschedulable.changed': {
      const verb = e.unschedulable ? 'cordoned' : 'uncordoned';
      c.add(`${e.type}|${verb}`, e, 'drain', e.node, (s) =>
        s.length === 1 ? `${s[0]} ${verb} (${e.by})` : `${s.length} nodes ${verb} (${e.by}): ${nameList(s, 3)}`,
      );
      break;
    }
    case 'node.drain.started':
      c.single(e, 'drain', `drain of ${e.node} started: ${e.pods} pod${e.pods === 1 ? '' : 's'} to evict`);
      break;
    case 'node.drain.finished':
      c.single(e, 'drain', `drain of ${e.node} finished: ${e.evicted} pod${e.evicted === 1 ? '' : 's'} evicted`);
      break;
    case 'node.drain.timedout':
      c.single(
        e,
        'drain',
        `drain of ${e.node} gave up: ${e.message}, ${e.remaining.length} pod${e.remaining.length === 1 ? '' : 's'} left (${nameList(e.remaining, 3)})`,
      );
      break;
    case 'node.drain.failed':
      c.single(e, 'drain', `drain of ${e.node} failed: ${e.message}`);
      break;
    case 'pod.eviction.refused':
      c.add(`${e.type}|${e.pdb}|${e.code}`, e, 'drain', e.pod, (s) => {
        const pods = [...new Set(s)];
        return `${s.length === 1 ? 'eviction' : `${s.length} evictions`} of ${nameList(pods, 3)} refused (${e.code}) by PodDisruptionBudget ${e.pdb}`;
      });
      break;
    case 'node.shutdown.started':
      c.single(
        e,
        'node',
        `${e.node} graceful shutdown started (shutdownGracePeriod ${formatDuration(e.shutdownGracePeriodMs)})`,
      );
      break;
    case 'pod.failed':
      c.add(`${e.type}|${e.node}|${e.reason}`, e, 'eviction', e.pod, (s) =>
        s.length === 1
          ? `pod ${s[0]} on ${e.node} Failed (${e.reason})`
          : `${s.length} pods on ${e.node} Failed (${e.reason}): ${nameList(s, 3)}`,
      );
      break;
    case 'pod.deleted': {
      const node = c.podNode.get(e.pod) ?? '';
      c.add(`pod.deleted|${e.reason}`, e, 'eviction', `${e.pod}|${node}`, (s) => {
        const pods = s.map((x) => x.split('|')[0]);
        const nodes = [...new Set(s.map((x) => x.split('|')[1]).filter(Boolean))];
        const where = nodes.length === 0 ? '' : nodes.length === 1 ? ` on ${nodes[0]}` : ` on ${nodes.length} nodes`;
        return pods.length === 1
          ? `pod ${pods[0]}${where} deleted (${e.reason})`
          : `${pods.length} pods${where} deleted (${e.reason}): ${nameList(pods, 3)}`;
      });
      break;
    }
  }
}

/** Drops below desired and recoveries of each workload, after its initial rollout. */
/** The cluster autoscaler's decisions and halts (model/autoscaler). */
function autoscalerMilestone(c: MilestoneGroups, e: TraceEvent): void {
  switch (e.type) {
    case 'nodegroup.scaled.up':
      c.single(
        e,
        'autoscaler',
        `cluster-autoscaler scaled node group ${e.nodeGroup} up ${e.from} → ${e.to} (${nameList(e.nodes, 3)}): ${e.reason}`,
      );
      break;
    case 'nodegroup.scaleup.failed':
      c.single(
        e,
        'autoscaler',
        `cluster-autoscaler gave up on ${nameList(e.nodes, 3)} of node group ${e.nodeGroup}: ${e.reason}; the group is backed off for ${Math.round(e.backoffMs / 1000)}s`,
      );
      break;
    case 'nodegroup.scaled.down':
      c.single(
        e,
        'autoscaler',
        `cluster-autoscaler removed ${e.node} from node group ${e.nodeGroup} (${e.from} → ${e.to}): ${e.reason}`,
      );
      break;
    case 'nodegroup.scaledown.failed':
      c.single(
        e,
        'autoscaler',
        `cluster-autoscaler could not remove ${e.node} (node group ${e.nodeGroup}): ${e.reason}`,
      );
      break;
    case 'autoscaler.halted':
      c.single(e, 'autoscaler', `cluster-autoscaler halted: ${e.reason}`);
      break;
    case 'autoscaler.resumed':
      c.single(e, 'autoscaler', `cluster-autoscaler resumed (${e.unready} of ${e.total} nodes unready)`);
      break;
  }
}

/**
 * Probe failures and container restarts, per workload: each line says how many of the workload's pods
 * fail the probe after the line's last event (a count per group, kept up to date as the group grows).
 */
class ProbeMilestones {
  private readonly podWorkload = new Map<string, string>();
  private readonly desired = new Map<string, number>();
  private readonly failingProbe = new Map<string, Set<string>>();
  private readonly groupCounts = new Map<Group, { n: number }>();

  constructor(private readonly c: MilestoneGroups) {}

  event(e: TraceEvent): void {
    switch (e.type) {
      case 'pod.created':
        this.podWorkload.set(e.pod, e.workload);
        break;
      case 'workload.desired.changed':
        this.desired.set(e.workload, e.desired);
        break;
      case 'pod.probe.changed': {
        const w = this.podWorkload.get(e.pod) ?? e.pod;
        const failing = this.failingProbe.get(`${w}|${e.probe}`) ?? new Set<string>();
        this.failingProbe.set(`${w}|${e.probe}`, failing);
        if (e.result === 'Failure') failing.add(e.pod);
        else failing.delete(e.pod);
        const key = `${e.type}|${w}|${e.probe}|${e.result}`;
        const of = this.desired.has(w) ? ` of ${this.desired.get(w)}` : '';
        const holder = { n: failing.size };
        this.c.add(key, e, 'workload', e.pod, (xs) =>
          e.result === 'Failure'
            ? `${w}: ${holder.n}${of} pods failing ${e.probe} probes (${nameList(xs, 3)})`
            : `${w}: ${xs.length} pod${xs.length === 1 ? '' : 's'} passing ${e.probe} probes again, ${holder.n}${of} still failing`,
        );
        this.keep(key, holder, (kept) => (kept.n = failing.size));
        break;
      }
      case 'pod.restart.scheduled': {
        const w = this.podWorkload.get(e.pod) ?? e.pod;
        const key = `${e.type}|${w}|${e.reason}`;
        const holder = { n: e.backOffMs };
        this.c.add(key, e, 'workload', e.pod, (xs) => {
          const pods = [...new Set(xs)];
          return `${w}: ${xs.length} container restart${xs.length === 1 ? '' : 's'} of ${nameList(pods, 3)} (${e.reason}; back-off up to ${formatDuration(holder.n)})`;
        });
        this.keep(key, holder, (kept) => (kept.n = Math.max(kept.n, e.backOffMs)));
        break;
      }
    }
  }

  /** The group's count is the holder of its first event: a later event updates that one. */
  private keep(key: string, holder: { n: number }, update: (kept: { n: number }) => void): void {
    const group = this.c.openGroup(key)!;
    const kept = this.groupCounts.get(group);
    if (kept === undefined) this.groupCounts.set(group, holder);
    else update(kept);
  }
}

interface WorkloadMilestone {
  atMs: number;
  workload: string;
  text: string;
  below: boolean;
}

function workloadMilestones(events: readonly TraceEvent[]): WorkloadMilestone[] {
  const out: WorkloadMilestone[] = [];
  for (const s of readySeries(events).values()) {
    if (s.firstFullMs === null) continue;
    let below = false;
    let lowest = Infinity;
    for (const p of s.points) {
      if (p.atMs < s.firstFullMs) continue;
      if (p.ready < p.desired) {
        if (!below)
          out.push({
            atMs: p.atMs,
            workload: s.workload,
            below: true,
            text: `${s.workload} below desired: ${p.ready}/${p.desired} Ready`,
          });
        below = true;
        lowest = Math.min(lowest, p.ready);
      } else if (below) {
        below = false;
        out.push({
          atMs: p.atMs,
          workload: s.workload,
          below: false,
          text: `${s.workload} recovered: ${p.ready}/${p.desired} Ready (lowest ${lowest})`,
        });
        lowest = Infinity;
      }
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Workloads that dropped (or recovered) within GROUP_WINDOW_MS of each other share one line: a zone
 * outage under 300 Deployments is one "300 workloads below desired" line, not 300.
 */
function foldWorkloadMilestones(items: WorkloadMilestone[]): Group[] {
  const groups: Group[] = [];
  const open = new Map<boolean, Group>();
  const members = new Map<Group, Set<string>>();
  for (const w of items) {
    const g = open.get(w.below);
    // A workload that drops or recovers again within the window starts a line of its own: one line
    // never names a workload twice.
    if (g && w.atMs - g.lastMs <= GROUP_WINDOW_MS && !members.get(g)!.has(w.workload)) {
      g.subjects.push(w.text);
      g.lastMs = w.atMs;
      members.get(g)!.add(w.workload);
      continue;
    }
    const verb = w.below ? 'below desired' : 'recovered';
    const ng: Group = {
      atMs: w.atMs,
      lastMs: w.atMs,
      kind: 'workload',
      subjects: [w.text],
      render: (s) =>
        s.length === 1
          ? s[0]
          : `${s.length} workloads ${verb}: ${nameList(
              s.map((t) => t.replace(` ${verb}: `, ' ').replace(/ Ready( \(lowest \d+\))?$/, '')),
              3,
            )}`,
    };
    open.set(w.below, ng);
    members.set(ng, new Set([w.workload]));
    groups.push(ng);
  }
  return groups;
}

function nameList(names: readonly string[], max: number): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, …`;
}

export type FaultMilestoneKind = 'detected' | 'tainted' | 'evicted' | 'rescheduled' | 'recovered';

export interface FaultMilestone {
  /** The fault the moment belongs to (for a recovery: the last fault that started before the drop). */
  fault: string;
  kind: FaultMilestoneKind;
  atMs: number;
  /** Short label for the timeline: "crash-a0: detected", "Deployment/web recovered (zone-c-power)". */
  label: string;
}

const CHAIN_MARKS: Partial<Record<ChainStepKind, FaultMilestoneKind>> = {
  detected: 'detected',
  tainted: 'tainted',
  evicted: 'evicted',
  scheduled: 'rescheduled',
};

/**
 * For each fault, the first moment of each reaction in its chain (a hit node marked not Ready, its
 * NoExecute taint, a victim pod deleted, a replacement bound), and each time a workload came back to
 * desired after dropping: once per drop, attributed to the last fault that started at or before the drop.
 */
export function faultMilestones(events: readonly TraceEvent[]): FaultMilestone[] {
  const out: FaultMilestone[] = [];
  const chains = faultChains(events);
  for (const c of chains) {
    for (const s of c.steps) {
      const kind = CHAIN_MARKS[s.kind];
      if (kind) out.push({ fault: c.fault, kind, atMs: s.firstMs, label: `${c.fault}: ${kind}` });
    }
  }
  const starts = chains.map((c) => ({ fault: c.fault, atMs: c.startMs }));
  for (const s of readySeries(events).values()) {
    if (s.firstFullMs === null) continue;
    let dropMs: number | null = null;
    for (const p of s.points) {
      if (p.atMs < s.firstFullMs) continue;
      if (p.ready < p.desired) dropMs ??= p.atMs;
      else if (dropMs !== null) {
        const cause = starts.filter((f) => f.atMs <= dropMs!).pop();
        if (cause)
          out.push({
            fault: cause.fault,
            kind: 'recovered',
            atMs: p.atMs,
            label: `${s.workload} recovered (${cause.fault})`,
          });
        dropMs = null;
      }
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/**
 * A folded group spread over time says so: "56 nodes tainted ... over 9m10s, until 12:51.5", so that a
 * rate-limited burst is not read as one instant.
 */
function toMilestone(g: Group): Milestone {
  const m: Milestone = { atMs: g.atMs, kind: g.kind, text: g.render(g.subjects), count: g.subjects.length };
  if (g.subjects.length > 1 && g.lastMs - g.atMs >= GROUP_WINDOW_MS) {
    m.untilMs = g.lastMs;
    m.text += ` (over ${formatDuration(g.lastMs - g.atMs)}, until ${formatClock(g.lastMs)})`;
  }
  return m;
}

// kube-scheduler's scheduling loop (pkg/scheduler/schedule_one.go) over the scheduling framework
// (framework.ts) with the plugins of plugins/. Runs inside the elected kube-scheduler process
// (scheduler-process.ts) and starts with empty queues and cache on every acquisition of the lease.
//
// One pod at a time (scheduleOne): pop from activeQ (queue.ts), PreFilter, Filter, Score, select the
// host, assume the pod on it in the cache (cache.ts), then bind asynchronously (POST binding = set
// spec.nodeName; the store traces `pod.scheduled`). A failed bind forgets the assumed pod and backs off.
// Filter runs the plugins in the profile's order, the first rejection per node counting. Ties of the best
// score are broken by the scheduler's seeded stream (upstream: reservoir sampling).
// Sampling (numFeasibleNodesToFind): with fewer than 100 nodes all are examined; otherwise filtering stops
// after max(100, n · max(5, 50 − n/125) / 100) feasible nodes, starting where the previous cycle stopped.
// Filter and Score run node by node (node-loop.ts) or, when every plugin that runs for the pod has a word
// form, 32 nodes at a time over the cache's bitsets (accelerator.ts); both find the same feasible nodes
// in the same order, hence the same nodes examined and ties.
// On no fit the pod gets upstream's FitError message in a `pod.unschedulable` trace — when it first
// becomes unschedulable and whenever the message changes, not on every attempt.
//
// Modelled time: a cycle costs CYCLE_BASE_MS plus CYCLE_PER_NODE_MS per node examined (≈1.5 ms at 5,000
// nodes, ≈670 pods/s); cycles run back to back while activeQ has pods.
// Score runs the Score plugins that score the pod (PreScore's Skip asked before Filter, ScorePlugin.scoreSkip)
// over the feasible nodes found, weighted, plus the memoized resource scores.
// Priorities and preemption: activeQ pops the highest priority first (queue.ts, PrioritySort). A pod that
// fits nowhere runs PostFilter, DefaultPreemption (plugins/default-preemption.ts): victims are deleted
// through the API server with a DisruptionTarget condition (PreemptionByScheduler) and their grace period,
// and the pod is nominated to the node (status.nominatedNodeName). A nominated pod tries its nominated
// node first (schedule_one.go evaluateNominatedNode), and while filtering for any pod, the pods nominated
// with the same or a higher priority count as if they ran on their nominated nodes (addNominatedPods).
// The scheduler's API client (clientConnection qps 50 / burst 100, pkg/scheduler/apis/config/v1/defaults.go)
// has one token bucket for its binds (the binding cycle's Bind, which upstream runs in a goroutine of its
// own while the next scheduling cycle goes on), preemptions and nominations (controllermanager/client.ts):
// a bind waits for its token with the pod assumed in the cache. The binds of a run's initial pods take
// none, as their creations take none (they stand for pods bound before t = 0).
// Left out: image locality, volumes.
import type { Rng } from '../../engine/index.js';
import { type Node, type Pod, podSpec, podStatus } from '../../k8s/objects.js';
import { type ApiResult, fail } from '../apiserver/store.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ProcessContext,
} from '../controllermanager/controller.js';
import type { Process } from '../infra/process.js';
import { ControllerClient } from '../controllermanager/client.js';
import type { SchedulerConfig } from '../../k8s/config.js';
import { Accelerator } from './accelerator.js';
import { MEMO_SCORE_MASK, SchedulerCache } from './cache.js';
import { FeasibleNodes } from './feasible-nodes.js';
import {
  CycleState,
  DEFAULT_PLUGINS,
  Diagnosis,
  type FilterPlugin,
  Framework,
  type PluginRegistration,
  SKIP,
  SUCCESS,
} from './framework.js';
import { NodeLoop } from './node-loop.js';
import {
  calculateNumCandidates,
  dryRunPreemption,
  type PdbBudget,
  pickOneNodeForPreemption,
  podEligibleToPreemptOthers,
  type PreemptionNode,
  REASON_PREEMPTION_BY_SCHEDULER,
} from './plugins/default-preemption.js';
import {
  BACKOFF_FLUSH_PERIOD_MS,
  type QueuedPodInfo,
  SchedulingQueue,
  UNSCHEDULABLE_FLUSH_PERIOD_MS,
} from './queue.js';
import { ReusedVerdicts } from './verdicts.js';

const ACTOR = 'kube-scheduler';
const SCHEDULE_LABEL = `${ACTOR}/schedule`;
const MOVE_LABEL = `${ACTOR}/move`;
const BIND_LABEL = `${ACTOR}/bind`;
const PREEMPT_LABEL = `${ACTOR}/preempt`;
const NOMINATE_LABEL = `${ACTOR}/nominate`;
export const CYCLE_BASE_MS = 0.5;
export const CYCLE_PER_NODE_MS = 0.002;
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const BASE_PERCENTAGE_OF_NODES_TO_SCORE = 50;

/** numFeasibleNodesToFind with percentageOfNodesToScore unset (adaptive). */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = BASE_PERCENTAGE_OF_NODES_TO_SCORE - Math.trunc(numAllNodes / 125);
  if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}

/** Test switches. */
export const schedulerChecks = {
  /** Run every cycle whose failed verdict would be reused, and throw if its outcome differs. */
  verifyReusedVerdicts: false,
  /** Filter again node by node after every walk by words, and throw if the nodes examined, feasible count, ties or rejection counts differ. */
  verifyWordWalk: false,
  /** The plugins the next schedulers are built with (tests register their own plugins here). */
  profile: DEFAULT_PLUGINS as readonly PluginRegistration[],
};

export interface SchedulerStats {
  attempts: number;
  /** PostFilter runs that looked for victims (past the eligibility and "no lower priority anywhere" checks), and those that preempted. */
  preemptionAttempts: number;
  preemptions: number;
  scheduled: number;
  nodesEvaluated: number;
  /** Attempts that reused the verdict of an identical failed cycle (counted in nodesEvaluated as examining every node). */
  verdictsReused: number;
}

export interface SchedulerController extends Controller {
  readonly stats: SchedulerStats;
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  readonly framework: Framework;
  /** Called after every scheduling attempt (tests and benchmarks). */
  readonly attemptListeners: Array<(pod: string, atMs: number, node: string | undefined) => void>;
}

/** The scheduler's client settings when none are given (tests): upstream's defaults. */
const DEFAULT_CLIENT: Pick<SchedulerConfig, 'kubeAPIQPS' | 'kubeAPIBurst'> = { kubeAPIQPS: 50, kubeAPIBurst: 100 };

export function scheduler(
  ctx: ProcessContext,
  client: Pick<SchedulerConfig, 'kubeAPIQPS' | 'kubeAPIBurst'> = DEFAULT_CLIENT,
): SchedulerController {
  return new KubeScheduler(ctx, schedulerChecks.profile, client);
}

class KubeScheduler implements SchedulerController {
  readonly name = ACTOR;
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly stats: SchedulerStats = {
    attempts: 0,
    preemptionAttempts: 0,
    preemptions: 0,
    scheduled: 0,
    nodesEvaluated: 0,
    verdictsReused: 0,
  };
  readonly attemptListeners: SchedulerController['attemptListeners'] = [];
  readonly framework: Framework;
  private readonly proc: Process;
  /** The scheduler's API client: its binds, preemptions and nominations wait for its tokens. */
  private readonly client: ControllerClient;
  private readonly rng: Rng;
  // Fast paths (model/fast-paths.ts): without them every cycle filters node by node, and none is skipped.
  private readonly wordWalk: boolean;
  private readonly reuseVerdicts: boolean;
  private readonly state = new CycleState();
  /** The filter plugins that run for this cycle's pod (PreFilter did not answer Skip). */
  private readonly active: FilterPlugin[] = [];
  private readonly diag: Diagnosis;
  private readonly out: FeasibleNodes;
  private readonly loop: NodeLoop;
  private readonly accelerator: Accelerator;
  private readonly verdicts: ReusedVerdicts;
  /** Whether this cycle's Filter walked words (then its rejections are counted by words too). */
  private walked = false;
  /** cpu request -> memory request -> request id. */
  private readonly requestIds = new Map<number, Map<number, number>>();
  private requestIdCount = 0;
  private started = false;
  private nextStartNodeIndex = 0;
  private loopPending = false;
  private carryMs = 0;
  private pendingMoveMask = 0;
  private pendingMoveAll = false;
  private movePending = false;
  /** The scheduler's nominator (PodNominator): pending pods nominated to a node, in the order nominated. */
  private readonly nominator = new Map<string, { pod: Pod; node: string }>();
  /** Nominated pods this cycle accounts on their nominated nodes (addNominatedPods), taken out when it ends. */
  private readonly nominatedAdded: Pod[] = [];
  private preemptRng: Rng | undefined;

  constructor(
    private readonly ctx: ProcessContext,
    registrations: readonly PluginRegistration[],
    clientConfig: Pick<SchedulerConfig, 'kubeAPIQPS' | 'kubeAPIBurst'>,
  ) {
    const proc = ctx.proc;
    this.proc = proc;
    this.client = new ControllerClient(proc, ACTOR, clientConfig.kubeAPIQPS, clientConfig.kubeAPIBurst);
    ({ schedulerWordWalk: this.wordWalk, schedulerReusedVerdicts: this.reuseVerdicts } = proc.ctx.fastPaths);
    this.rng = proc.rng('scheduler');
    this.queue = new SchedulingQueue(() => proc.now());
    this.framework = new Framework(this.cache, registrations, MEMO_SCORE_MASK, proc.ctx.fastPaths);
    this.cache.columns.resourceScore = this.framework.resourceScore;
    this.cache.keptPositions = proc.ctx.fastPaths.schedulerKeptPositions;
    const bug = (message: string) => proc.ctx.sim.bug(message);
    this.diag = new Diagnosis(this.framework.statuses);
    this.out = new FeasibleNodes(bug);
    this.loop = new NodeLoop(this.framework, this.out, bug, proc.ctx.fastPaths.schedulerColumnScores);
    this.accelerator = new Accelerator(this.framework, this.out, this.loop, bug);
    this.verdicts = new ReusedVerdicts(this.cache, this.framework);
    this.handlePodEvents();
    this.handleNodeEvents();
  }

  start(): void {
    this.started = true;
    const proc = this.proc;
    proc.loop({ periodMs: BACKOFF_FLUSH_PERIOD_MS, label: `${ACTOR}/flush-backoff` }, () => {
      if (this.queue.flushBackoffCompleted()) this.kick();
    });
    proc.loop(
      {
        periodMs: UNSCHEDULABLE_FLUSH_PERIOD_MS,
        initialDelayMs: UNSCHEDULABLE_FLUSH_PERIOD_MS,
        label: `${ACTOR}/flush-unschedulable`,
      },
      () => {
        if (this.queue.flushUnschedulableLeftover()) this.kick();
      },
    );
    this.kick();
  }

  // ---- informer handlers ----

  private handlePodEvents(): void {
    const { cache, queue, framework } = this;
    this.ctx.pods.addHandlers({
      onAdd: (p) => {
        if (p.spec.nodeName !== undefined) {
          cache.addOrUpdatePod(p, p.spec.nodeName);
          this.requestMove(framework.assignedPodAddMask);
        } else if (p.metadata.deletionTimestampMs === undefined) {
          queue.add(p);
          if (p.status.nominatedNodeName)
            this.nominator.set(p.metadata.name, { pod: p, node: p.status.nominatedNodeName });
          this.kick();
        }
      },
      onUpdate: (prev, next) => {
        if (next.spec.nodeName !== undefined) {
          queue.delete(next.metadata.name);
          if (this.nominator.size > 0) this.nominator.delete(next.metadata.name);
          cache.addOrUpdatePod(next, next.spec.nodeName);
          if (
            prev.spec.nodeName === undefined ||
            (prev.metadata.deletionTimestampMs === undefined) !== (next.metadata.deletionTimestampMs === undefined)
          ) {
            this.requestMove(framework.assignedPodAddMask);
          }
        } else {
          queue.update(next);
          this.syncNomination(prev, next);
        }
      },
      // A bound pod's status changing (its kubelet reporting Ready, the node lifecycle controller marking it
      // not ready): onUpdate would find it out of the queue and accounted as it is, and request no move. Only
      // a later event of this informer can put it back in the queue or change its accounting.
      quiet: (prev, next) => {
        const nodeName = next.spec.nodeName;
        if (nodeName === undefined || prev.spec.nodeName !== nodeName || prev.metadata.uid !== next.metadata.uid)
          return false;
        if ((prev.metadata.deletionTimestampMs === undefined) !== (next.metadata.deletionTimestampMs === undefined))
          return false;
        return queue.get(next.metadata.name) === undefined && cache.accounts(next, nodeName);
      },
      onDelete: (p) => {
        queue.delete(p.metadata.name);
        if (this.nominator.size > 0) this.nominator.delete(p.metadata.name);
        if (cache.hasPod(p.metadata.name)) {
          cache.removePod(p.metadata.name);
          this.requestMove(framework.assignedPodDeleteMask);
        }
      },
    });
  }

  /** A pending pod's status.nominatedNodeName as the informer brings it (a new leader learns them so). */
  private syncNomination(prev: Pod, next: Pod): void {
    const name = next.metadata.name;
    const node = next.status.nominatedNodeName;
    if (node) this.nominator.set(name, { pod: next, node });
    else if (prev.status.nominatedNodeName) this.nominator.delete(name);
    else {
      const n = this.nominator.get(name);
      if (n) n.pod = next;
    }
  }

  private handleNodeEvents(): void {
    const { cache, framework } = this;
    this.ctx.nodes.addHandlers({
      onAdd: (n: Node) => {
        cache.setNode(n);
        this.requestMove(undefined);
      },
      onUpdate: (prev: Node, next: Node) => {
        cache.setNode(next);
        const helps = framework.nodeUpdateMask(prev, next);
        if (helps !== 0) this.requestMove(helps);
      },
      onDelete: (n: Node) => {
        cache.removeNode(n.metadata.name);
        this.requestMove(framework.nodeDeleteMask);
      },
    });
  }

  /**
   * Coalesces cluster events into one MoveAllToActiveOrBackoffQueue per millisecond. `plugins`: the filter
   * plugins (a mask) whose rejections the events may undo; undefined moves every pod (a NodeAdd).
   */
  private requestMove(plugins: number | undefined): void {
    if (!this.started || plugins === 0) return;
    if (plugins === undefined) this.pendingMoveAll = true;
    else this.pendingMoveMask |= plugins;
    if (this.movePending) return;
    this.movePending = true;
    this.proc.post(0, () => this.runMove(), MOVE_LABEL);
  }

  private runMove(): void {
    this.movePending = false;
    const all = this.pendingMoveAll;
    const mask = this.pendingMoveMask;
    this.pendingMoveAll = false;
    this.pendingMoveMask = 0;
    if (this.queue.unschedulableSize === 0) return;
    if (this.queue.moveAllToActiveOrBackoff(all ? undefined : this.framework.rejectors(mask))) this.kick();
  }

  // ---- the scheduling loop ----

  private kick(): void {
    if (!this.started || this.loopPending || this.queue.activeSize === 0) return;
    this.loopPending = true;
    this.proc.post(0, this.runCycles, SCHEDULE_LABEL);
  }

  /** Runs cycles until one virtual millisecond of work has accumulated, then yields. */
  private readonly runCycles = (): void => {
    this.loopPending = false;
    while (this.carryMs < 1) {
      const info = this.queue.pop();
      if (!info) {
        this.carryMs = 0;
        return;
      }
      this.carryMs += this.scheduleOne(info);
    }
    const waitMs = Math.floor(this.carryMs);
    this.carryMs -= waitMs;
    if (this.queue.activeSize > 0) {
      this.loopPending = true;
      this.proc.post(waitMs, this.runCycles, SCHEDULE_LABEL);
    } else this.carryMs = 0;
  };

  /** One scheduling cycle (schedule_one.go ScheduleOne); returns its modelled duration in ms. */
  private scheduleOne(info: QueuedPodInfo): number {
    this.stats.attempts++;
    if (this.nominator.size > 0) this.addNominatedPods(info.pod);
    const costMs = this.scheduleOneWithNominated(info);
    if (this.nominatedAdded.length > 0) this.removeNominatedPods();
    return costMs;
  }

  private scheduleOneWithNominated(info: QueuedPodInfo): number {
    const pod = info.pod;
    const order = this.cache.order();
    const n = order.length;
    const failed = n > 0 && this.reuseVerdicts ? this.verdicts.find(info) : undefined;
    if (failed) this.stats.verdictsReused++;
    if (failed && !schedulerChecks.verifyReusedVerdicts) {
      // Every node examined, as in the cycle reused: sampling ends where it started.
      this.nextStartNodeIndex = (this.nextStartNodeIndex + n) % n;
      this.stats.nodesEvaluated += n;
      const costMs = CYCLE_BASE_MS + CYCLE_PER_NODE_MS * n + this.postFilter(info);
      return this.unschedulable(info, failed.reason, failed.rejectorMask, costMs);
    }
    if (!failed && this.nominator.size > 0) {
      // evaluateNominatedNode: a pod nominated by an earlier preemption tries that node alone first.
      const nominated = this.nominator.get(pod.metadata.name);
      const ni = nominated && this.cache.nodes.get(nominated.node);
      if (ni !== undefined && ni.node !== undefined && ni.pos >= 0) {
        this.preFilter(pod);
        if (this.firstRejection(ni.pos) === SUCCESS) {
          this.stats.nodesEvaluated++;
          this.assumeAndBind(info, ni.name);
          return CYCLE_BASE_MS + CYCLE_PER_NODE_MS;
        }
      }
    }
    this.preFilter(pod);
    const toFind = numFeasibleNodesToFind(n);
    this.out.begin(toFind);
    const processed = n > 0 ? this.findNodesThatFit(this.nextStartNodeIndex % n, toFind) : 0;
    if (n > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % n;
    this.stats.nodesEvaluated += processed;
    const costMs = CYCLE_BASE_MS + CYCLE_PER_NODE_MS * processed;
    if (this.out.feasibleCount === 0) {
      const reason = this.fitError();
      const mask = this.diag.rejectorMask;
      if (failed && (reason !== failed.reason || mask !== failed.rejectorMask)) {
        throw this.proc.ctx.sim.bug(
          `scheduler: reused verdict for ${pod.metadata.name} differs from its cycle's: ${failed.reason}, now ${reason}`,
        );
      }
      if (n > 0 && this.reuseVerdicts && this.framework.verdictsKeyed) this.verdicts.remember(info, reason, mask);
      return this.unschedulable(info, reason, mask, costMs + this.postFilter(info));
    }
    if (failed)
      throw this.proc.ctx.sim.bug(
        `scheduler: reused verdict for ${pod.metadata.name} (${failed.reason}) but it fits now`,
      );
    this.assumeAndBind(info, order[this.selectHost()].name);
    return costMs + CYCLE_PER_NODE_MS * this.out.feasibleCount;
  }

  private assumeAndBind(info: QueuedPodInfo, host: string): void {
    const pod = info.pod;
    this.cache.addOrUpdatePod(pod, host); // assume
    this.stats.scheduled++;
    for (const l of this.attemptListeners) l(pod.metadata.name, this.proc.ctx.sim.nowMs, host);
    this.bind(info, host);
  }

  /** The status of the first active Filter plugin that rejects the node at pos (SUCCESS if none does); after preFilter. */
  private firstRejection(pos: number): number {
    const { state, active } = this;
    for (let k = 0; k < active.length; k++) {
      const status = active[k].filter(state, pos);
      if (status !== SUCCESS) return status;
    }
    return SUCCESS;
  }

  // ---- nominated pods and preemption ----

  /**
   * addNominatedPods: the pods nominated to a node with a priority at least the pod's (itself excepted)
   * are accounted on their nominated nodes for this cycle, as if they ran there.
   */
  private addNominatedPods(pod: Pod): void {
    const priority = pod.spec.priority;
    for (const [name, n] of this.nominator) {
      if (name === pod.metadata.name || n.pod.spec.priority < priority || this.cache.hasPod(name)) continue;
      if (this.cache.nodes.get(n.node)?.node === undefined) continue;
      this.cache.addOrUpdatePod(n.pod, n.node);
      this.nominatedAdded.push(n.pod);
    }
  }

  private removeNominatedPods(): void {
    for (const p of this.nominatedAdded) this.cache.removePod(p.metadata.name);
    this.nominatedAdded.length = 0;
  }

  /**
   * PostFilter: DefaultPreemption for a pod that fits no node (plugins/default-preemption.ts has the
   * steps). Returns the modelled time it took. Costs nothing when no pod anywhere has a lower priority.
   */
  private postFilter(info: QueuedPodInfo): number {
    const pod = info.pod;
    if (pod.spec.preemptionPolicy === 'Never') return 0;
    const name = pod.metadata.name;
    const nominated = this.nominator.size > 0 ? this.nominator.get(name) : undefined;
    if (!this.cache.hasPodBelow(pod.spec.priority)) {
      // No candidate can exist: Preempt would clear the nomination.
      if (nominated) this.nominate(pod, '');
      return 0;
    }
    const order = this.cache.order();
    const n = order.length;
    this.preFilter(pod);
    // 1. PodEligibleToPreemptOthers, with the pods of the nominated node (unless it rejects the pod as unresolvable).
    const lowerByNode = this.lowerPriorityPodsByNode(pod);
    const nomInfo = nominated && this.cache.nodes.get(nominated.node);
    let nominatedPods: Pod[] | undefined;
    if (nomInfo !== undefined && nomInfo.node !== undefined && nomInfo.pos >= 0) {
      const status = this.firstRejection(nomInfo.pos);
      if (!this.framework.statuses.statusUnresolvable[status]) nominatedPods = lowerByNode.get(nomInfo.name) ?? [];
    }
    if (!podEligibleToPreemptOthers(pod, nominatedPods).eligible) return CYCLE_PER_NODE_MS;
    this.stats.preemptionAttempts++;
    // 2. findCandidates: the nodes whose rejection removing pods may undo.
    const potential: PreemptionNode[] = [];
    let fitsCalls = 0;
    for (let pos = 0; pos < n; pos++) {
      const status = this.firstRejection(pos);
      if (status === SUCCESS || this.framework.statuses.statusUnresolvable[status]) continue;
      const nodeName = order[pos].name;
      potential.push({
        name: nodeName,
        pods: lowerByNode.get(nodeName) ?? [],
        remove: (p) => this.cache.removePod(p.metadata.name),
        add: (p) => this.cache.addOrUpdatePod(p, nodeName),
        fits: () => {
          fitsCalls++;
          this.preFilter(pod);
          return this.firstRejection(pos) === SUCCESS;
        },
      });
    }
    let costMs = CYCLE_PER_NODE_MS * n;
    const nowMs = this.proc.now();
    let best;
    if (potential.length > 0) {
      this.preemptRng ??= this.proc.rng('scheduler/preemption');
      const offset = Math.floor(this.preemptRng.next() * potential.length);
      const candidates = dryRunPreemption(
        pod,
        potential,
        this.pdbBudgets(),
        offset,
        calculateNumCandidates(potential.length),
        nowMs,
      );
      costMs += CYCLE_PER_NODE_MS * fitsCalls;
      // 4. SelectCandidate.
      best = pickOneNodeForPreemption(candidates, nowMs);
    }
    if (!best) {
      if (nominated) this.nominate(pod, '');
      return costMs;
    }
    // 5. prepareCandidate: delete the victims; lower-priority pods nominated to the node lose their nomination.
    this.stats.preemptions++;
    for (const victim of best.victims)
      if (victim.metadata.deletionTimestampMs === undefined) this.preemptPod(pod, victim, best.node);
    for (const [other, nom] of [...this.nominator])
      if (other !== name && nom.node === best.node && nom.pod.spec.priority < pod.spec.priority)
        this.nominate(nom.pod, '');
    this.nominate(pod, best.node);
    return costMs;
  }

  /**
   * The pods bound to each node (as the cache accounts them) whose priority is below the pod's: the
   * potential victims. DaemonSet pods are left out: hasim's DaemonSet controller binds its pods itself
   * (daemonset-controller.ts), so a preempted daemon pod would come back on its node at once, past the
   * scheduler and its nominated pods, and be preempted again, without end. Upstream's replacement waits
   * in the scheduler behind the nominated pod (docs/fidelity.md, Known differences).
   */
  private lowerPriorityPodsByNode(pod: Pod): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    const priority = pod.spec.priority;
    for (const p of this.ctx.pods.cache.values()) {
      const nodeName = p.spec.nodeName;
      if (nodeName === undefined || p.spec.priority >= priority || !this.cache.accounts(p, nodeName)) continue;
      if (p.metadata.workload.startsWith('DaemonSet/')) continue;
      let list = out.get(nodeName);
      if (!list) out.set(nodeName, (list = []));
      list.push(p);
    }
    return out;
  }

  /**
   * The PodDisruptionBudgets as the scheduler's PDB lister has them. hasim's scheduler keeps no PDB
   * informer: it reads the API server's current objects, as an informer that is never behind would.
   */
  private pdbBudgets(): PdbBudget[] {
    const out: PdbBudget[] = [];
    for (const pdb of this.proc.ctx.api.store.pdbs.values())
      out.push({
        workload: pdb.spec.workload,
        disruptionsAllowed: pdb.status.disruptionsAllowed,
        disruptedPods: pdb.status.disruptedPods,
      });
    return out;
  }

  /**
   * PreemptPod: the victim gets the DisruptionTarget condition (reason PreemptionByScheduler), then is
   * deleted with its own grace period.
   */
  private preemptPod(preemptor: Pod, victim: Pod, nodeName: string): void {
    const name = victim.metadata.name;
    const uid = victim.metadata.uid;
    const trace = this.proc.ctx.trace;
    this.client.call<Pod>(
      PREEMPT_LABEL,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) =>
        s.patch<Pod>(
          'Pod',
          name,
          (cur) =>
            cur.metadata.uid !== uid || cur.status.disruptionTarget === REASON_PREEMPTION_BY_SCHEDULER
              ? undefined
              : {
                  ...cur,
                  status: podStatus(
                    cur.status.phase,
                    cur.status.ready,
                    REASON_PREEMPTION_BY_SCHEDULER,
                    cur.status.startTimeMs,
                  ),
                },
          ACTOR,
        ),
      (r) => {
        if (!r.ok) return;
        this.client.call<unknown>(PREEMPT_LABEL, CONTROLLER_REQUEST_TIMEOUT_MS, (s) => {
          const cur = s.pods.get(name);
          if (!cur || cur.metadata.uid !== uid) return fail('NotFound');
          if (cur.metadata.deletionTimestampMs === undefined)
            trace.emit('pod.preempted', {
              pod: name,
              workload: cur.metadata.workload,
              node: nodeName,
              preemptor: preemptor.metadata.name,
              preemptorWorkload: preemptor.metadata.workload,
            });
          return s.deletePod(name, { reason: 'preemption', uid }, ACTOR) as ApiResult<unknown>;
        });
      },
    );
  }

  /**
   * Sets (or, with node '', clears) a pending pod's nomination: in the scheduler's nominator at once, as
   * upstream's does, and in status.nominatedNodeName through the API server.
   */
  private nominate(pod: Pod, node: string): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    if (node) this.nominator.set(name, { pod, node });
    else this.nominator.delete(name);
    const trace = this.proc.ctx.trace;
    this.client.call<Pod>(NOMINATE_LABEL, CONTROLLER_REQUEST_TIMEOUT_MS, (s) =>
      s.patch<Pod>(
        'Pod',
        name,
        (cur) => {
          if (cur.metadata.uid !== uid || cur.spec.nodeName !== undefined) return undefined;
          if ((cur.status.nominatedNodeName ?? '') === node) return undefined;
          trace.emit('pod.nominated', { pod: name, node });
          return { ...cur, status: { ...cur.status, nominatedNodeName: node || undefined } };
        },
        ACTOR,
      ),
    );
  }

  /** Fills the cycle state for the pod and runs PreFilter: the plugins that do not answer Skip are `active`. */
  private preFilter(pod: Pod): void {
    const state = this.state;
    const req = pod.spec.requests;
    state.pod = pod;
    state.cpuMilli = req.cpuMilli;
    state.memBytes = req.memoryBytes;
    state.requestId = this.requestId(req.cpuMilli, req.memoryBytes);
    state.cycle++;
    state.order = this.cache.order();
    state.cols = this.cache.columns;
    state.fitIndex = undefined;
    this.active.length = 0;
    for (const p of this.framework.filters) if (p.preFilter?.(state) !== SKIP) this.active.push(p);
    state.scorers.length = 0;
    state.scoreWeights.length = 0;
    const { scorers, scoreWeights } = this.framework;
    for (let s = 0; s < scorers.length; s++) {
      if (scorers[s].scoreSkip?.(state) === true) continue;
      state.scorers.push(scorers[s]);
      state.scoreWeights.push(scoreWeights[s]);
    }
    this.walked = false;
  }

  private requestId(cpu: number, mem: number): number {
    let byMem = this.requestIds.get(cpu);
    if (!byMem) this.requestIds.set(cpu, (byMem = new Map()));
    let id = byMem.get(mem);
    if (id === undefined) byMem.set(mem, (id = this.requestIdCount++));
    return id;
  }

  /**
   * Filter and Score from position `start` until `toFind` nodes passed or every node was examined; returns
   * how many were examined. By words when the accelerator can take the cycle, else node by node.
   */
  private findNodesThatFit(start: number, toFind: number): number {
    const { state, active } = this;
    this.walked = this.wordWalk && this.accelerator.prepare(state, active);
    if (!this.walked) return this.loop.filter(state, active, start, toFind);
    const processed = this.accelerator.filter(state, start, toFind);
    if (schedulerChecks.verifyWordWalk) {
      const walked = this.out.describe(processed);
      const looped = this.out.describe(this.loop.filter(state, active, start, toFind));
      if (walked.length !== looped.length || walked.some((x, k) => x !== looped[k])) {
        const show = (r: number[]) =>
          `examined ${r[0]}, ${r[1]} feasible, ${r.length - 2} ties ${r.slice(2, 12).join(' ')}${r.length > 12 ? ' ...' : ''}`;
        throw this.proc.ctx.sim.bug(
          `scheduler: filtering ${state.pod.metadata.name} from node ${start} by words: ${show(walked)}; node by node: ${show(looped)}`,
        );
      }
    }
    return processed;
  }

  /** After a cycle that found no feasible node: counts why (as the Filter ran, by words or node by node). */
  private fitError(): string {
    const { state, active, diag } = this;
    if (!this.walked) this.loop.countRejections(state, active, diag);
    else {
      this.accelerator.countRejections(state, active, diag, this.loop);
      if (schedulerChecks.verifyWordWalk) {
        const byWords = diag.signature();
        this.loop.countRejections(state, active, diag);
        const byNode = diag.signature();
        if (byWords !== byNode)
          throw this.proc.ctx.sim.bug(
            `scheduler: counting why ${state.pod.metadata.name} fits nowhere by words gave ${byWords}; node by node ${byNode}`,
          );
      }
    }
    return diag.fitError(state.order.length);
  }

  /** The end of a cycle that found no feasible node. */
  private unschedulable(info: QueuedPodInfo, reason: string, mask: number, costMs: number): number {
    const name = info.pod.metadata.name;
    if (info.lastReason !== reason) {
      info.lastReason = reason;
      this.proc.ctx.trace.emit('pod.unschedulable', { pod: name, reason });
    }
    this.queue.addUnschedulableIfNotPresent(info, this.framework.rejectors(mask));
    for (const l of this.attemptListeners) l(name, this.proc.ctx.sim.nowMs, undefined);
    return costMs;
  }

  /** The position of a feasible node with the best score; ties broken by the seeded stream. */
  private selectHost(): number {
    const out = this.out;
    return out.bestCount === 1 ? out.tie(0) : out.tie(Math.floor(this.rng.next() * out.bestCount));
  }

  private bind(info: QueuedPodInfo, nodeName: string): void {
    const pod = info.pod;
    const name = pod.metadata.name;
    // A bind that succeeds needs no answer: its pod leaves the queue when the informer brings it back
    // bound (onUpdate), and nothing looks the pod up in the queue before that (it is in no sub-queue,
    // and its name is not added again while it exists). A run's initial pod takes no token.
    const client = pod.metadata.preexisting === true ? this.proc : this.client;
    client.callForFailure(
      BIND_LABEL,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) => {
        const cur = s.pods.get(name);
        if (!cur || cur.metadata.uid !== pod.metadata.uid) return fail('NotFound');
        if (cur.spec.nodeName !== undefined) return fail('Conflict');
        return s.update({ ...cur, spec: podSpec(cur.spec, nodeName) }, ACTOR);
      },
      (r) => {
        // ForgetPod, then back off (an error, not a plugin rejection: straight to backoffQ).
        const cur = this.ctx.pods.get(name);
        if (cur?.spec.nodeName === undefined) this.cache.removePod(name);
        if (r.reason === 'NotFound' || cur === undefined || cur.spec.nodeName !== undefined) {
          this.queue.delete(name);
          return;
        }
        this.queue.addUnschedulableIfNotPresent(info, new Set());
      },
    );
  }
}

// DefaultPreemption, the default profile's PostFilter plugin
// (pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go) over the preemption
// Evaluator (pkg/scheduler/framework/preemption/preemption.go). When a pod fits no node, it looks for
// a node where deleting pods of lower priority would make the pod fit, picks the fewest and least
// important such pods, and the scheduler deletes them and nominates the node for the pod.
//
// The steps, numbered as Evaluator.Preempt numbers them:
//   1. PodEligibleToPreemptOthers: not with preemptionPolicy Never, and not while a lower-priority pod on
//      the pod's nominated node is still terminating because of an earlier preemption (its
//      DisruptionTarget condition says PreemptionByScheduler).
//   2. findCandidates: only nodes whose Filter status was Unschedulable (not UnschedulableAndUnresolvable)
//      are tried, from a random offset, until calculateNumCandidates(n) = max(n·10 %, 100) (at most n)
//      candidates are found, one of them without PDB violations (DryRunPreemption's early stop).
//      SelectVictimsOnNode on each: remove every lower-priority pod; if the pod still does not fit, the
//      node is no candidate; else reprieve (add back) the pods, most important first, PDB-violating ones
//      before the others (filterPodsWithPDBViolation), keeping each one the pod still fits beside.
//   4. SelectCandidate / pickOneNodeForPreemption: fewest PDB violations, then the lowest highest victim
//      priority, the smallest sum of victim priorities, the fewest victims, the latest start time of the
//      most important victims (GetEarliestPodStartTime), then the first candidate.
//   5. prepareCandidate (the scheduler does it, scheduler.ts): delete the victims and clear the
//      nomination of lower-priority pods nominated to the node; the pod is nominated to it.
// Step 3 (extenders) does not exist in hasim.
//
// What this file holds is the algorithm over an abstract node (PreemptionNode): which pods are on it and
// whether the preemptor passes the Filter plugins once some are removed. The scheduler answers that
// from its cache with every Filter plugin of the profile (scheduler.ts, preemptionNode).
import type { Pod } from '../../../k8s/objects.js';

/** DefaultPreemptionArgs defaults (pkg/scheduler/apis/config/v1/defaults.go). */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** The DisruptionTarget reason of a pod deleted by preemption (v1.PodReasonPreemptionByScheduler). */
export const REASON_PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';

/** What a PDB lets the scheduler count: its allowed disruptions and the pods the Eviction API already let go. */
export interface PdbBudget {
  /** The workload its selector matches (a hasim PDB selects exactly one workload's pods). */
  workload: string;
  disruptionsAllowed: number;
  disruptedPods: Readonly<Record<string, number>>;
}

/** A node as the dry run sees it: its pods, and a Filter run for the preemptor. */
export interface PreemptionNode {
  readonly name: string;
  /** The pods the scheduler's cache has on the node, in the order they came. */
  readonly pods: readonly Pod[];
  /** Takes the pod off the node for the rest of the dry run. */
  remove(pod: Pod): void;
  /** Puts a removed pod back. */
  add(pod: Pod): void;
  /** Whether the preemptor passes every Filter plugin on the node as it stands. */
  fits(): boolean;
}

export interface Candidate {
  node: string;
  /** Most important first. */
  victims: Pod[];
  numPDBViolations: number;
}

/** calculateNumCandidates: how many candidates the dry run looks for among numNodes potential nodes. */
export function calculateNumCandidates(numNodes: number): number {
  let n = Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100);
  if (n < MIN_CANDIDATE_NODES_ABSOLUTE) n = MIN_CANDIDATE_NODES_ABSOLUTE;
  return n > numNodes ? numNodes : n;
}

/** A pod's start time for MoreImportantPod (util.GetPodStartTime: a pod not started yet counts as starting now). */
function startTimeMs(pod: Pod, nowMs: number): number {
  return pod.status.startTimeMs ?? nowMs;
}

/**
 * util.MoreImportantPod: the higher priority; at equal priority the one that has run longer (the earlier
 * start time).
 */
export function moreImportantPod(a: Pod, b: Pod, nowMs: number): boolean {
  if (a.spec.priority !== b.spec.priority) return a.spec.priority > b.spec.priority;
  return startTimeMs(a, nowMs) < startTimeMs(b, nowMs);
}

/** Whether the victim may be preempted by the preemptor (isPreemptionAllowed: a lower priority). */
export function isPreemptionAllowed(victim: Pod, preemptor: Pod): boolean {
  return victim.spec.priority < preemptor.spec.priority;
}

/** podTerminatingByPreemption: Terminating, and its DisruptionTarget says the scheduler preempted it. */
export function podTerminatingByPreemption(pod: Pod): boolean {
  return (
    pod.metadata.deletionTimestampMs !== undefined && pod.status.disruptionTarget === REASON_PREEMPTION_BY_SCHEDULER
  );
}

/**
 * PodEligibleToPreemptOthers. `nominatedPods`: the pods on the preemptor's nominated node, when it has one
 * (undefined when it has none, or the node is gone or rejects the pod as unresolvable).
 */
export function podEligibleToPreemptOthers(
  preemptor: Pod,
  nominatedNodePods: readonly Pod[] | undefined,
): { eligible: boolean; message: string } {
  if (preemptor.spec.preemptionPolicy === 'Never')
    return { eligible: false, message: 'not eligible due to preemptionPolicy=Never.' };
  if (nominatedNodePods)
    for (const p of nominatedNodePods)
      if (isPreemptionAllowed(p, preemptor) && podTerminatingByPreemption(p))
        return { eligible: false, message: 'not eligible due to a terminating pod on the nominated node.' };
  return { eligible: true, message: '' };
}

/**
 * filterPodsWithPDBViolation: splits pods (in the order given, which it keeps) into those whose deletion
 * would take a PDB below its allowed disruptions and the others. A pod the Eviction API already let go
 * (in the PDB's disruptedPods) uses no budget.
 */
export function filterPodsWithPDBViolation(
  pods: readonly Pod[],
  pdbs: readonly PdbBudget[],
): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((p) => p.disruptionsAllowed);
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    for (let i = 0; i < pdbs.length; i++) {
      const pdb = pdbs[i];
      if (pdb.workload !== pod.metadata.workload) continue;
      if (Object.prototype.hasOwnProperty.call(pdb.disruptedPods, pod.metadata.name)) continue;
      allowed[i]--;
      if (allowed[i] < 0) violated = true;
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/**
 * SelectVictimsOnNode: the fewest pods of lower priority to delete from the node for the preemptor to
 * fit, most important first, and how many of them violate a PDB; undefined when removing every
 * lower-priority pod is not enough, or there is none. The node is left as it was found.
 */
export function selectVictimsOnNode(
  preemptor: Pod,
  node: PreemptionNode,
  pdbs: readonly PdbBudget[],
  nowMs: number,
): Candidate | undefined {
  const potential = node.pods.filter((p) => isPreemptionAllowed(p, preemptor));
  if (potential.length === 0) return undefined; // "No preemption victims found for incoming pod"
  // The pods taken off the node so far: the node is the scheduler's live cache, so they all go back.
  const out = new Set<Pod>();
  const remove = (p: Pod) => {
    node.remove(p);
    out.add(p);
  };
  const add = (p: Pod) => {
    node.add(p);
    out.delete(p);
  };
  try {
    for (const p of potential) remove(p);
    if (!node.fits()) return undefined;
    // Reprieve the most important first (a stable sort: equals keep the node's order).
    const byImportance = (a: Pod, b: Pod) =>
      moreImportantPod(a, b, nowMs) ? -1 : moreImportantPod(b, a, nowMs) ? 1 : 0;
    potential.sort(byImportance);
    const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
    const victims: Pod[] = [];
    let numPDBViolations = 0;
    const reprieve = (p: Pod): boolean => {
      add(p);
      if (node.fits()) return true;
      remove(p);
      victims.push(p);
      return false;
    };
    for (const p of violating) if (!reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    if (violating.length !== 0 && nonViolating.length !== 0) victims.sort(byImportance);
    if (victims.length === 0) return undefined; // upstream: "expected at least one victim pod on node"
    return { node: node.name, victims, numPDBViolations };
  } finally {
    for (const p of [...out]) add(p);
  }
}

/**
 * DryRunPreemption over the potential nodes from `offset`, wrapping around: candidates without PDB
 * violations first, then the others; it stops once it has numCandidates of them and at least one
 * without violations.
 */
export function dryRunPreemption(
  preemptor: Pod,
  potentialNodes: readonly PreemptionNode[],
  pdbs: readonly PdbBudget[],
  offset: number,
  numCandidates: number,
  nowMs: number,
): Candidate[] {
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const n = potentialNodes.length;
  for (let i = 0; i < n; i++) {
    const c = selectVictimsOnNode(preemptor, potentialNodes[(offset + i) % n], pdbs, nowMs);
    if (!c) continue;
    (c.numPDBViolations === 0 ? nonViolating : violating).push(c);
    if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
  }
  return [...nonViolating, ...violating];
}

/** The earliest start time among the most important victims (util.GetEarliestPodStartTime). */
function earliestStartTimeMs(c: Candidate, nowMs: number): number {
  const top = c.victims[0].spec.priority;
  let earliest = Infinity;
  for (const p of c.victims) if (p.spec.priority === top) earliest = Math.min(earliest, startTimeMs(p, nowMs));
  return earliest;
}

/**
 * pickOneNodeForPreemption with DefaultPreemption's criteria (OrderedScoreFuncs is nil), each applied to
 * the candidates left tied by the one before: fewest PDB violations, lowest highest victim priority,
 * smallest sum of victim priorities (each shifted by 2^31 so that negative priorities count as small),
 * fewest victims, latest start of the most important victims; then the first candidate.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[], nowMs: number): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const scoreFuncs: Array<(c: Candidate) => number> = [
    (c) => -c.numPDBViolations,
    (c) => -c.victims[0].spec.priority,
    (c) => -c.victims.reduce((sum, p) => sum + p.spec.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => earliestStartTimeMs(c, nowMs),
  ];
  let all = candidates;
  for (const f of scoreFuncs) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of all) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [];
      }
      if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    all = selected;
  }
  return all[0];
}

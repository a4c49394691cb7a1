// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go): one daemon pod on every node
// that should run it. NodeShouldRunDaemonPod: the node matches the nodeSelector and every NoSchedule /
// NoExecute taint is tolerated by the daemon pod's tolerations (the user's plus the ones the controller
// adds, docs/fidelity.md#daemonset-tolerations: not-ready/unreachable NoExecute forever, so a failed node keeps its daemon
// pod and still counts as eligible). A daemon pod whose node gains an untolerated NoExecute taint is
// deleted; a Terminating daemon pod no longer counts and is replaced at once on the same node.
//
// Simplifications: upstream creates the pod with a node-affinity term for its node and lets the default
// scheduler bind it; hasim creates it already bound (spec.nodeName set), which lands on the same node.
// No rolling updates, no surge. Pods on a deleted node are left to PodGC, as upstream. The work is kept
// per node: a node event re-examines only that node, so a 5,000-node cluster costs nothing per heartbeat.
import { podNamePrefix, type WorkloadSpec } from '../../k8s/workloads.js';
import type { Node, Pod } from '../../k8s/objects.js';
import type { ControllerContext } from '../controllermanager/controller.js';
import { BURST_REPLICAS, type WorkloadController, type WorkloadPods, WorkloadSync } from './workload-sync.js';
import { daemonPodTolerations, matchesNodeSelector, newWorkloadPod, randomSuffix } from './workload-pods.js';
import { untoleratedTaint } from '../../k8s/tolerations.js';

const ACTOR = 'daemonset-controller';

interface DaemonState {
  /** Nodes to re-examine at the next reconcile. */
  dirtyNodes: Set<string>;
  /** Nodes that should run the daemon pod (the desired count). */
  eligible: Set<string>;
  /** Pod names of this DaemonSet per node. */
  podsByNode: Map<string, Set<string>>;
}

/** NodeShouldRunDaemonPod reduced to selector and taints. */
export function nodeShouldRunDaemonPod(
  w: WorkloadSpec,
  node: Node | undefined,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  if (!node || !matchesNodeSelector(node, w.nodeSelector)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(w.tolerations);
  const untolerated = untoleratedTaint(node.spec.taints, tolerations);
  if (!untolerated) return { shouldRun: true, shouldContinueRunning: true };
  return {
    shouldRun: false,
    shouldContinueRunning: untoleratedTaint(node.spec.taints, tolerations, 'execute') === undefined,
  };
}

/**
 * The daemon pods of a node to delete: all of them when it exists and should not keep running them, else
 * every one but the oldest, as upstream keeps the oldest.
 */
function surplusDaemonPods(active: Pod[], shouldContinueRunning: boolean, nodeExists: boolean): Pod[] {
  if (!shouldContinueRunning && nodeExists) return active;
  if (active.length <= 1) return [];
  active.sort(
    (a, b) =>
      a.metadata.creationTimestampMs - b.metadata.creationTimestampMs || (a.metadata.name < b.metadata.name ? -1 : 1),
  );
  return active.slice(1);
}

/** A node added, deleted, or whose taints or labels changed: every DaemonSet looks at it again. */
function watchNodes(ctx: ControllerContext, sync: WorkloadSync, state: Map<string, DaemonState>): void {
  const nodeChanged = (name: string) => {
    for (const w of sync.workloads) {
      state.get(w.id)!.dirtyNodes.add(name);
      sync.enqueue(w.id);
    }
  };
  ctx.nodes.addHandlers({
    onAdd: (n) => nodeChanged(n.metadata.name),
    onUpdate: (prev, next) => {
      if (prev.spec.taints !== next.spec.taints || prev.metadata.labels !== next.metadata.labels)
        nodeChanged(next.metadata.name);
    },
    onDelete: (n) => nodeChanged(n.metadata.name),
  });
}

export function daemonSetController(ctx: ControllerContext): WorkloadController {
  const rng = ctx.proc.rng(ACTOR);
  const state = new Map<string, DaemonState>();
  const sync: WorkloadSync = new WorkloadSync(ctx, { kind: 'DaemonSet', actor: ACTOR, reconcile, onPodEvent });
  for (const w of sync.workloads)
    state.set(w.id, { dirtyNodes: new Set(), eligible: new Set(), podsByNode: new Map() });
  if (sync.workloads.length > 0) watchNodes(ctx, sync, state);

  function onPodEvent(w: WorkloadSpec, prev: Pod | undefined, next: Pod | undefined): void {
    const st = state.get(w.id)!;
    const name = (next ?? prev)!.metadata.name;
    const before = prev?.spec.nodeName;
    const after = next?.spec.nodeName;
    if (before !== undefined && before !== after) st.podsByNode.get(before)?.delete(name);
    if (after !== undefined) {
      let set = st.podsByNode.get(after);
      if (!set) st.podsByNode.set(after, (set = new Set()));
      set.add(name);
      st.dirtyNodes.add(after);
    }
    if (before !== undefined) st.dirtyNodes.add(before);
  }

  function reconcile(w: WorkloadSpec, pods: WorkloadPods): void {
    const st = state.get(w.id)!;
    const nodes = [...st.dirtyNodes].sort();
    st.dirtyNodes.clear();
    const needPods: string[] = [];
    const excess: Pod[] = [];
    for (const nodeName of nodes) {
      const node = ctx.nodes.get(nodeName);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(w, node);
      if (shouldRun) st.eligible.add(nodeName);
      else st.eligible.delete(nodeName);
      const active: Pod[] = [];
      for (const podName of st.podsByNode.get(nodeName) ?? [])
        if (pods.active.has(podName)) active.push(pods.all.get(podName)!);
      if (shouldRun && active.length === 0) needPods.push(nodeName);
      else excess.push(...surplusDaemonPods(active, shouldContinueRunning, node !== undefined));
    }
    sync.traceDesired(w, st.eligible.size);
    // Nodes still needing a pod stay dirty: the next reconcile (once this one's creations are observed,
    // or have failed) looks again, which also covers nodes past the burst limit.
    for (const n of needPods) st.dirtyNodes.add(n);
    const create = needPods.slice(0, BURST_REPLICAS);
    sync.createPods(w, create.length, (i) =>
      newWorkloadPod(w, { name: `${podNamePrefix(w)}-${randomSuffix(rng)}`, nodeName: create[i] }),
    );
    sync.deletePods(w, excess, 'scale-down');
  }

  return {
    name: ACTOR,
    start() {
      for (const st of state.values()) for (const name of ctx.nodes.cache.keys()) st.dirtyNodes.add(name);
      sync.start();
    },
    pdbStatus(id) {
      const st = state.get(id);
      return st ? sync.pdbStatus(id, st.eligible.size) : undefined;
    },
  };
}

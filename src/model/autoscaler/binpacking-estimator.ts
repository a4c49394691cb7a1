// How many nodes of a node group's shape the Pending pods need (cluster-autoscaler
// estimator/binpacking_estimator.go, BinpackingNodeEstimator.Estimate): the pods, one equivalence group
// after another, are placed on template nodes in a scheduling snapshot (snapshot.ts):
// 1. a pod goes to the last new node if it fits there, else to any earlier new node it fits
//    (tryToScheduleOnNewNodes);
// 2. otherwise a new template node is added, if the limit allows (the group's room up to maxSize), and the
//    pod placed on it (tryToAddNode); a pod that does not fit even an empty template node is left out,
//    with the rest of its equivalence group (they are alike).
// The answer is the number of new nodes that got a pod, and the pods placed. The snapshot is put back as
// it was (upstream forks and reverts the ClusterSnapshot).
import type { Pod } from '../../k8s/objects.js';
import type { NodeSpec } from '../../k8s/workloads.js';
import { type SchedulingSnapshot, templateNode } from './snapshot.js';

export interface EstimateResult {
  nodeCount: number;
  scheduledPods: Pod[];
}

/** Pods of one workload are equivalent (same template): the scheduler would judge them alike. */
export function podEquivalenceGroups(pods: readonly Pod[]): Pod[][] {
  const groups = new Map<string, Pod[]>();
  for (const p of pods) {
    const key = p.metadata.workload;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(p);
  }
  return [...groups.values()];
}

export function estimate(
  snapshot: SchedulingSnapshot,
  groups: readonly (readonly Pod[])[],
  template: NodeSpec,
  /** The name of the i-th new node (0-based) in the simulation. */
  newNodeName: (i: number) => string,
  maxNodes: number,
): EstimateResult {
  const newNodes: string[] = [];
  const used = new Set<string>();
  const placed: string[] = [];
  const scheduledPods: Pod[] = [];
  let lastNode: string | undefined;
  try {
    for (const group of groups) {
      for (const pod of group) {
        // 1. The last new node first, then the others.
        let target: string | undefined;
        if (lastNode !== undefined && snapshot.fits(pod, lastNode)) target = lastNode;
        else
          for (const n of newNodes)
            if (n !== lastNode && snapshot.fits(pod, n)) {
              target = n;
              break;
            }
        // 2. A new node, within the limit.
        if (target === undefined) {
          if (newNodes.length >= maxNodes) break;
          const name = newNodeName(newNodes.length);
          snapshot.addNode(templateNode(template, name));
          newNodes.push(name);
          if (!snapshot.fits(pod, name)) {
            // Not even an empty node of this shape takes it: nor the rest of its group.
            snapshot.removeNode(name);
            newNodes.pop();
            break;
          }
          target = name;
        }
        snapshot.place(pod, target);
        placed.push(pod.metadata.name);
        scheduledPods.push(pod);
        used.add(target);
        lastNode = target;
      }
    }
    return { nodeCount: used.size, scheduledPods };
  } finally {
    for (const p of placed) snapshot.unplace(p);
    for (const n of newNodes) snapshot.removeNode(n);
  }
}

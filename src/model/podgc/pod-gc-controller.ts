// The pod garbage collector (pkg/controller/podgc/gc_controller.go), every gcCheckPeriod = 20 s, its
// steps in upstream's order (gc: gcTerminated, gcTerminating, gcOrphaned, gcUnscheduledTerminating):
// 1. gcTerminating: Terminating pods on a node that is not Ready and carries the
//    `node.kubernetes.io/out-of-service` taint are force-deleted (non-graceful node shutdown, GA 1.28).
// 2. gcOrphaned: a pod bound to a node the node informer does not have is put in a delaying queue for
//    quarantineTime = 40 s; when the delay has passed (checked at a later pass) the controller asks the
//    API server whether the node really is gone and, if so, force-deletes the node's pods (grace 0).
// Force deletes are traced as `pod.deleted` with reason `pod-gc` (the store records the request).
//
// Simplifications: terminated-pod thresholds (--terminated-pod-gc-threshold) and unscheduled Terminating
// pods are not modelled (hasim's pods never finish, and unbound pods are removed at once); upstream also
// marks an orphaned pod Failed before deleting it.
import { type Pod, TAINT_OUT_OF_SERVICE, readyCondition } from '../../k8s/objects.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ControllerContext,
} from '../controllermanager/controller.js';
import { podIndexFor, type PodsByNode } from '../apiserver/pods-by-node.js';
import { controllerClient } from '../controllermanager/client.js';

const ACTOR = 'pod-gc-controller';
export const GC_CHECK_PERIOD_MS = 20_000;
export const QUARANTINE_TIME_MS = 40_000;

export function podGcController(ctx: ControllerContext): Controller {
  const proc = ctx.proc;
  const client = controllerClient(proc, ACTOR, ctx.config);
  /** Pods by node name, from the pod informer (bound pods only): the index the lifecycle controller keeps. */
  const index = podIndexFor(ctx.pods);
  /** The index's nodes sorted, kept until a node gains its first pod or loses its last (a pass every 20 s sorted 5,000 names). */
  let sortedNodes: string[] | undefined;
  let sortedVersion = -1;
  /** Missing nodes and the local time they may be confirmed deleted (the delaying queue). */
  const quarantine = new Map<string, number>();
  /** Pods with a force delete in flight, so one pass does not ask twice. */
  const deleting = new Set<string>();

  const forceDelete = (pod: Pod) => {
    const name = pod.metadata.name;
    if (deleting.has(name)) return;
    deleting.add(name);
    client.call(
      `${ACTOR}/delete`,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) => s.deletePod(name, { gracePeriodSeconds: 0, uid: pod.metadata.uid, reason: 'pod-gc' }, ACTOR),
      () => deleting.delete(name),
    );
  };

  const podsOn = (nodeName: string): Pod[] => podsOnNode(ctx, index, nodeName);

  /** discoverDeletedNodes: confirm with the API server that the node is really gone, then delete its pods. */
  const discoverDeletedNode = (nodeName: string): void => {
    client.call(
      `${ACTOR}/get-node`,
      CONTROLLER_REQUEST_TIMEOUT_MS,
      (s) => s.getNode(nodeName),
      (r) => {
        if (r.ok || r.reason !== 'NotFound') return;
        quarantine.delete(nodeName);
        for (const p of podsOn(nodeName)) forceDelete(p);
      },
    );
  };

  /** 2. gcOrphaned: pods on nodes the informer does not have, after quarantine. Returns the nodes visited. */
  const gcOrphaned = (now: number): number => {
    let visited = 0;
    if (sortedNodes === undefined || sortedVersion !== index.nodesVersion) {
      sortedNodes = [...index.nodeNames()].sort();
      sortedVersion = index.nodesVersion;
    }
    for (const nodeName of sortedNodes) {
      visited++;
      if (ctx.nodes.get(nodeName)) {
        quarantine.delete(nodeName);
        continue;
      }
      const due = quarantine.get(nodeName);
      if (due === undefined) {
        quarantine.set(nodeName, now + QUARANTINE_TIME_MS);
        continue;
      }
      if (now < due) continue;
      discoverDeletedNode(nodeName);
    }
    return visited;
  };

  /** One gc pass; returns its modelled duration. */
  const gc = (): number => {
    const terminating = gcTerminating(ctx, podsOn, forceDelete);
    const visited = terminating + gcOrphaned(proc.now());
    return 1 + Math.floor(visited / 1000);
  };

  return {
    name: ACTOR,
    start() {
      proc.loop({ periodMs: GC_CHECK_PERIOD_MS, label: ACTOR }, gc);
    },
  };
}

/** The pods bound to a node, by name, from the pod informer. */
function podsOnNode(ctx: ControllerContext, index: PodsByNode, nodeName: string): Pod[] {
  const out: Pod[] = [];
  for (const n of index.podNamesOn(nodeName).sort()) {
    const p = ctx.pods.get(n);
    if (p) out.push(p);
  }
  return out;
}

/**
 * 1. gcTerminating: force-deletes the Terminating pods of out-of-service nodes that are not Ready.
 * Returns the nodes visited.
 */
function gcTerminating(
  ctx: ControllerContext,
  podsOn: (nodeName: string) => Pod[],
  forceDelete: (pod: Pod) => void,
): number {
  let visited = 0;
  for (const node of ctx.nodes.cache.values()) {
    visited++;
    if (!node.spec.taints.some((t) => t.key === TAINT_OUT_OF_SERVICE)) continue;
    if (readyCondition(node)?.status === 'True') continue;
    for (const p of podsOn(node.metadata.name)) if (p.metadata.deletionTimestampMs !== undefined) forceDelete(p);
  }
  return visited;
}

// Taint helpers shared by the node lifecycle and taint eviction controllers, after upstream
// pkg/util/taints (TaintExists, TaintSetDiff), pkg/controller/util/node (SwapNodeControllerTaint) and
// taint eviction's getMinTolerationTime. Whether a toleration tolerates a taint: src/k8s/tolerations.ts.
// Taints match on key and effect, as upstream's MatchTaint does.
import type { Toleration } from '../../k8s/objects.js';
import type { ConditionStatus, Node, NodeConditionType, Taint } from '../../k8s/objects.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from '../../k8s/objects.js';

export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** nodeConditionToTaintKeyStatusMap in node_lifecycle_controller.go. */
const CONDITION_TAINTS: Partial<Record<NodeConditionType, Partial<Record<ConditionStatus, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const CONDITION_TAINT_KEYS = new Set<string>(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m!)));

export function taintExists(taints: readonly Taint[], t: Taint): boolean {
  for (const x of taints) if (x.key === t.key && x.effect === t.effect) return true;
  return false;
}

/** Adds `add` (stamped with timeAddedMs when missing) and removes `remove`; undefined when nothing changes. */
export function swapTaints(
  node: Node,
  add: readonly Taint[],
  remove: readonly Taint[],
  nowMs: number,
): Node | undefined {
  let taints = node.spec.taints.filter((t) => !taintExists(remove, t));
  let changed = taints.length !== node.spec.taints.length;
  for (const t of add) {
    if (taintExists(taints, t)) continue;
    taints = [...taints, { ...t, timeAddedMs: nowMs }];
    changed = true;
  }
  if (!changed) return undefined;
  return { ...node, spec: { ...node.spec, taints } };
}

/** doNoScheduleTaintingPass: the condition and unschedulable NoSchedule taints to add and to remove. */
export function noScheduleTaintDiff(node: Node): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of node.status.conditions) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const have = node.spec.taints.filter(
    (t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)),
  );
  return { add: want.filter((t) => !taintExists(have, t)), remove: have.filter((t) => !taintExists(want, t)) };
}

export function noExecuteTaints(node: Node): Taint[] {
  return node.spec.taints.filter((t) => t.effect === 'NoExecute');
}

/**
 * getMinTolerationTime in ms: 0 for no tolerations, -1 (infinite) when none carries tolerationSeconds,
 * 0 as soon as one is <= 0, else the minimum.
 */
export function minTolerationMs(tolerations: readonly Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Infinity;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    if (t.tolerationSeconds < min) min = t.tolerationSeconds;
  }
  return min === Infinity ? -1 : min * 1000;
}

// A pod's priority as the Priority admission plugin sets it (plugin/pkg/admission/priority/admission.go,
// priorityPlugin.admitPod and getDefaultPriority): a named PriorityClass gives its value (and its
// preemptionPolicy, unless the pod sets one); an unknown name is rejected; no name takes the globalDefault
// class (the lowest-valued one if there are several), else priority 0. The system classes
// (SYSTEM_PRIORITY_CLASSES) exist in every cluster.
import { SYSTEM_PRIORITY_CLASSES, type PodScheduling, type PriorityClass } from '../../k8s/scheduling.js';

/** pkg/apis/scheduling: DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY = 0;

/** The classes a scenario's pods can name: the system ones, then the file's (a file's copy of a system class wins). */
export function priorityClassTable(classes: readonly PriorityClass[]): Map<string, PriorityClass> {
  const table = new Map<string, PriorityClass>();
  for (const c of SYSTEM_PRIORITY_CLASSES) table.set(c.name, c);
  for (const c of classes) table.set(c.name, c);
  return table;
}

/** getDefaultPriority: the globalDefault class with the lowest value, if any. */
export function defaultPriorityClass(table: Map<string, PriorityClass>): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const c of table.values()) if (c.globalDefault && (best === undefined || c.value < best.value)) best = c;
  return best;
}

/**
 * The template's scheduling with priority, priorityClassName and preemptionPolicy filled in as admission
 * would; undefined when the template names a class that does not exist (admission rejects its pods).
 */
export function admitPriority(
  scheduling: PodScheduling,
  preemptionPolicySet: boolean,
  table: Map<string, PriorityClass>,
): PodScheduling | undefined {
  const name = scheduling.priorityClassName;
  const cls = name !== undefined ? table.get(name) : defaultPriorityClass(table);
  if (name !== undefined && cls === undefined) return undefined;
  const out: PodScheduling = { ...scheduling, priority: cls?.value ?? DEFAULT_PRIORITY };
  if (cls !== undefined) out.priorityClassName = cls.name;
  if (!preemptionPolicySet) out.preemptionPolicy = cls?.preemptionPolicy ?? 'PreemptLowerPriority';
  return out;
}

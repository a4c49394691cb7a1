// A pod's priority as the Priority admission plugin sets it (plugin/pkg/admission/priority/admission.go,
// priorityPlugin.admitPod and getDefaultPriority): a named PriorityClass gives its value (and its
// preemptionPolicy); an unknown name is rejected, and so is a pod whose own priority or preemptionPolicy
// differs from the resolved one; no name takes the globalDefault
// class (the lowest-valued one if there are several), else priority 0. The system classes
// (SYSTEM_PRIORITY_CLASSES) exist in every cluster.
import {
  SYSTEM_PRIORITY_CLASSES,
  type PodScheduling,
  type PreemptionPolicy,
  type PriorityClass,
} from '../../k8s/scheduling.js';

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

export type Admitted =
  | { ok: true; scheduling: PodScheduling }
  | { ok: false; field: 'priorityClassName' | 'priority' | 'preemptionPolicy'; message: string };

/**
 * The template's scheduling with priority, priorityClassName and preemptionPolicy filled in as admission
 * would, or why admission rejects its pods: an unknown class, a `priority` or a `preemptionPolicy` the pod
 * sets itself that differs from what the class resolves to.
 */
export function admitPriority(
  scheduling: PodScheduling,
  pod: { priority?: number; preemptionPolicy?: PreemptionPolicy },
  table: Map<string, PriorityClass>,
): Admitted {
  const name = scheduling.priorityClassName;
  const cls = name !== undefined ? table.get(name) : defaultPriorityClass(table);
  if (name !== undefined && cls === undefined)
    return { ok: false, field: 'priorityClassName', message: `no PriorityClass with name "${name}" was found` };
  const priority = cls?.value ?? DEFAULT_PRIORITY;
  const policy: PreemptionPolicy = cls?.preemptionPolicy ?? 'PreemptLowerPriority';
  if (pod.priority !== undefined && pod.priority !== priority)
    return {
      ok: false,
      field: 'priority',
      message: `the pod's priority ${pod.priority} does not match the value ${priority} resolved from ${cls ? `PriorityClass ${cls.name}` : 'no PriorityClass'}`,
    };
  if (pod.preemptionPolicy !== undefined && pod.preemptionPolicy !== policy)
    return {
      ok: false,
      field: 'preemptionPolicy',
      message: `the pod's preemptionPolicy ${pod.preemptionPolicy} does not match ${policy}, resolved from ${cls ? `PriorityClass ${cls.name}` : 'no PriorityClass'}`,
    };
  const out: PodScheduling = { ...scheduling, priority, preemptionPolicy: policy };
  if (cls !== undefined) out.priorityClassName = cls.name;
  return { ok: true, scheduling: out };
}

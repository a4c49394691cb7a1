// Taints and tolerations: the one definition of "does this toleration tolerate this taint" that the
// scheduler, the DaemonSet controller, the node lifecycle controller and the taint eviction controller
// all use, after upstream:
// - Toleration.ToleratesTaint (staging/src/k8s.io/api/core/v1/toleration.go): the effect must match
//   unless the toleration has none; the key must match unless the toleration has none; then operator
//   Exists tolerates any value and Equal (the default) only the same value. An empty key with Exists
//   tolerates every taint (of the effect, if one is given).
// - GetMatchingTolerations (pkg/apis/core/v1/helper/helpers.go): every taint tolerated, and by which
//   toleration (the first that tolerates it).
// - FindMatchingUntoleratedTaint (staging/src/k8s.io/component-helpers/scheduling/corev1/helpers.go): the
//   first taint of the filtered effects that no toleration tolerates.
// Upstream validation (ValidateTolerations, pkg/apis/core/validation) rejects an empty key with operator
// Equal and a value with operator Exists; the scenario loader rejects them the same way, so those
// combinations never reach these functions. The Lt and Gt operators (alpha in 1.35) are not modelled.
import type { Taint, Toleration } from './objects.js';

/** Toleration.ToleratesTaint. */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect !== undefined && tol.effect !== taint.effect) return false;
  if (tol.key !== undefined && tol.key !== '' && tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

/** GetMatchingTolerations: whether every taint is tolerated, and the first toleration used for each. */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): { allTolerated: boolean; used: Toleration[] } {
  if (taints.length === 0) return { allTolerated: true, used: [] };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const tol = tolerations.find((t) => toleratesTaint(t, taint));
    if (!tol) return { allTolerated: false, used: [] };
    used.push(tol);
  }
  return { allTolerated: true, used };
}

/**
 * The first taint none of the tolerations tolerate (FindMatchingUntoleratedTaint), or undefined if all are
 * tolerated. `schedule`: NoSchedule and NoExecute taints count (the scheduler's and DaemonSet controller's
 * filter, DoNotScheduleTaintsFilterFunc); `execute`: only NoExecute taints.
 */
export function untoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  effects: 'schedule' | 'execute' = 'schedule',
): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (effects === 'execute' && taint.effect !== 'NoExecute') continue;
    let tolerated = false;
    for (const t of tolerations) {
      if (toleratesTaint(t, taint)) {
        tolerated = true;
        break;
      }
    }
    if (!tolerated) return taint;
  }
  return undefined;
}

/**
 * ValidateTolerations' rules, as messages (empty when the toleration is valid): an empty key needs
 * operator Exists, Exists takes no value, and tolerationSeconds needs effect NoExecute.
 */
export function tolerationProblems(tol: {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const operator = tol.operator ?? 'Equal';
  if ((tol.key ?? '') === '' && operator !== 'Exists')
    problems.push({
      field: 'operator',
      message: 'operator must be Exists when `key` is empty, which means "match all values and all keys"',
    });
  if (operator === 'Exists' && (tol.value ?? '') !== '')
    problems.push({ field: 'operator', message: "value must be empty when `operator` is 'Exists'" });
  if (tol.tolerationSeconds !== undefined && tol.effect !== 'NoExecute')
    problems.push({ field: 'effect', message: "effect must be 'NoExecute' when `tolerationSeconds` is set" });
  return problems;
}

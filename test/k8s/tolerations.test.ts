// The one toleration check every component uses (src/k8s/tolerations.ts), against the cases of upstream's
// TestTolerationToleratesTaint (staging/src/k8s.io/api/core/v1/toleration_test.go) for the Exists and Equal
// operators, and ValidateTolerations' rules (pkg/apis/core/validation/validation.go).
import type { Taint, Toleration } from '../../src/k8s/objects.js';
import {
  matchingTolerations,
  tolerationProblems,
  toleratesTaint,
  untoleratedTaint,
} from '../../src/k8s/tolerations.js';

describe('TestTolerationToleratesTaint', () => {
  const cases: Array<[string, Toleration, Taint, boolean]> = [
    [
      'toleration and taint have the same key and effect, and operator is Exists, and taint has no value, expect tolerated',
      { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'foo', effect: 'NoSchedule' },
      true,
    ],
    [
      'toleration and taint have the same key and effect, and operator is Exists, and taint has some value, expect tolerated',
      { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      true,
    ],
    [
      'toleration and taint have the same effect, toleration has empty key and operator is Exists, means match all taints, expect tolerated',
      { key: '', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      true,
    ],
    [
      'toleration and taint have the same key, effect and value, and operator is Equal, expect tolerated',
      { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
      true,
    ],
    [
      'toleration and taint have the same key and effect, but different values, and operator is Equal, expect not tolerated',
      { key: 'foo', operator: 'Equal', value: 'value1', effect: 'NoSchedule' },
      { key: 'foo', value: 'value2', effect: 'NoSchedule' },
      false,
    ],
    [
      'toleration and taint have the same key and value, but different effects, and operator is Equal, expect not tolerated',
      { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoExecute' },
      false,
    ],
  ];
  it.each(cases)('%s', (_name, toleration, taint, expected) => {
    expect(toleratesTaint(toleration, taint)).toBe(expected);
  });

  it('a toleration without an effect tolerates the taint of every effect', () => {
    const tol: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists' };
    for (const effect of ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const)
      expect(toleratesTaint(tol, { key: 'node.kubernetes.io/unreachable', effect })).toBe(true);
  });

  it('a blanket Exists toleration tolerates every taint (a pod with it may go to an unreachable node)', () => {
    const tol: Toleration = { operator: 'Exists' };
    expect(toleratesTaint(tol, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' })).toBe(true);
    expect(untoleratedTaint([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], [tol])).toBeUndefined();
  });
});

describe('GetMatchingTolerations and FindMatchingUntoleratedTaint', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const dedicated: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const soft: Taint = { key: 'spot', effect: 'PreferNoSchedule' };

  it('lists the first toleration used for each taint, or none when one taint is not tolerated', () => {
    const a: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 };
    const b: Toleration = { operator: 'Exists' };
    expect(matchingTolerations([unreachable], [a, b])).toEqual({ allTolerated: true, used: [a] });
    expect(matchingTolerations([unreachable, dedicated], [a])).toEqual({ allTolerated: false, used: [] });
    expect(matchingTolerations([], [])).toEqual({ allTolerated: true, used: [] });
  });

  it('a scheduling filter ignores PreferNoSchedule taints; an execute filter looks at NoExecute only', () => {
    expect(untoleratedTaint([soft], [])).toBeUndefined();
    expect(untoleratedTaint([soft, dedicated], [])).toEqual(dedicated);
    expect(untoleratedTaint([dedicated], [], 'execute')).toBeUndefined();
    expect(untoleratedTaint([dedicated, unreachable], [], 'execute')).toEqual(unreachable);
  });
});

describe('ValidateTolerations', () => {
  it('accepts the tolerations upstream accepts', () => {
    expect(tolerationProblems({ operator: 'Exists' })).toEqual([]);
    expect(tolerationProblems({ key: 'a', value: 'b' })).toEqual([]);
    expect(tolerationProblems({ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 })).toEqual([]);
  });

  it('rejects an empty key without Exists, a value with Exists, and tolerationSeconds without NoExecute', () => {
    expect(tolerationProblems({ value: 'x' }).map((p) => p.field)).toEqual(['operator']);
    expect(tolerationProblems({ key: 'a', operator: 'Exists', value: 'x' }).map((p) => p.field)).toEqual(['operator']);
    expect(tolerationProblems({ key: 'a', operator: 'Exists', tolerationSeconds: 5 }).map((p) => p.field)).toEqual([
      'effect',
    ]);
  });
});

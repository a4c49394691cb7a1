// metav1.LabelSelector and core/v1 NodeSelector as manifests write them, checked and converted into the
// shared types of src/k8s/scheduling.ts. Matching follows k8s.io/apimachinery/pkg/apis/meta/v1
// helpers.go (LabelSelectorAsSelector) and pkg/labels/selector.go (Requirement.Matches): matchLabels
// and every matchExpression must hold; In/NotIn need values, Exists/DoesNotExist take none.
import { s, type Schema } from '../schema-def.js';
import type { Problem } from '../issues.js';
import type { Path } from '../paths.js';
import type {
  LabelSelector,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  NodeSelectorOperator,
  NodeSelectorRequirement,
  NodeSelectorTerm,
} from '../../k8s/scheduling.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

const LABEL_OPERATORS: readonly LabelSelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const NODE_OPERATORS: readonly NodeSelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

const labelRequirement = s.open({
  key: s.req(s.string()),
  operator: s.req(s.enum(LABEL_OPERATORS, 'label selector operator')),
  values: s.opt(s.array(s.string())),
});

export const labelSelectorSchema: Schema = s.open({
  matchLabels: s.opt(s.map()),
  matchExpressions: s.opt(s.array(labelRequirement)),
});

const nodeRequirement = s.open({
  key: s.req(s.string()),
  operator: s.req(s.enum(NODE_OPERATORS, 'node selector operator')),
  values: s.opt(s.array(s.string())),
});

export const nodeSelectorTermSchema: Schema = s.open({
  matchExpressions: s.opt(s.array(nodeRequirement)),
  matchFields: s.opt(s.array(nodeRequirement)),
});

/** A validated selector (absent fields already dropped) as the shared type; undefined stays undefined. */
export function toLabelSelector(raw: Raw | undefined): LabelSelector | undefined {
  if (raw === undefined) return undefined;
  return {
    matchLabels: { ...(raw.matchLabels ?? {}) },
    matchExpressions: (raw.matchExpressions ?? [])
      .filter((e: Raw | undefined) => e?.key !== undefined && e.operator !== undefined)
      .map((e: Raw): LabelSelectorRequirement => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] })),
  };
}

export function toNodeSelectorTerm(raw: Raw | undefined): NodeSelectorTerm {
  const reqs = (list: Raw[] | undefined): NodeSelectorRequirement[] =>
    (list ?? [])
      .filter((e) => e?.key !== undefined && e.operator !== undefined)
      .map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] }));
  return { matchExpressions: reqs(raw?.matchExpressions), matchFields: reqs(raw?.matchFields) };
}

/**
 * The value rules upstream validation enforces (ValidateLabelSelectorRequirement,
 * validateNodeSelectorRequirement): In/NotIn need values, Exists/DoesNotExist none, Gt/Lt exactly one integer.
 */
export function requirementProblems(raw: Raw | undefined, path: Path): Problem[] {
  const out: Problem[] = [];
  if (!raw || typeof raw.operator !== 'string') return out;
  const values: unknown[] = Array.isArray(raw.values) ? raw.values : [];
  const error = (message: string): void => {
    out.push({ severity: 'error', code: 'invalid-value', path: [...path, 'values'], message });
  };
  if ((raw.operator === 'In' || raw.operator === 'NotIn') && values.length === 0)
    error(`operator ${raw.operator} needs at least one value`);
  if ((raw.operator === 'Exists' || raw.operator === 'DoesNotExist') && values.length > 0)
    error(`operator ${raw.operator} takes no values`);
  if ((raw.operator === 'Gt' || raw.operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(String(values[0]))))
    error(`operator ${raw.operator} needs exactly one value, an integer`);
  return out;
}

/** Whether `labels` satisfy the selector (an absent selector selects nothing, an empty one everything). */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

// Label and node selectors, the one definition the scheduler's plugins share, after upstream:
// - metav1.LabelSelectorAsSelector and labels.Selector.Matches (k8s.io/apimachinery/pkg/apis/meta/v1/
//   helpers.go, pkg/labels/selector.go): matchLabels and matchExpressions ANDed; In needs the key with one
//   of the values, NotIn and DoesNotExist pass a missing key, Exists needs the key. An absent selector
//   (undefined) selects nothing (labels.Nothing()); an empty one selects everything.
// - nodeaffinity.GetRequiredNodeAffinity and RequiredNodeAffinity.Match (k8s.io/component-helpers/
//   scheduling/corev1/nodeaffinity/nodeaffinity.go): the pod's nodeSelector ANDed with its required node
//   affinity terms (ORed); a term's matchExpressions and matchFields are ANDed, an empty term matches
//   nothing. Gt and Lt compare the label's value and the requirement's one value as integers (a value that
//   does not parse fails the requirement); matchFields reads metadata.name only (the one field upstream
//   supports).
import type { LabelSelector, NodeSelectorRequirement, NodeSelectorTerm } from './scheduling.js';

type Labels = Readonly<Record<string, string>>;

const has = (labels: Labels, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/** labels.Selector.Matches for a metav1.LabelSelector (undefined selects nothing). */
export function matchesLabelSelector(sel: LabelSelector | undefined, labels: Labels): boolean {
  if (sel === undefined) return false;
  for (const k in sel.matchLabels) if (!has(labels, k) || labels[k] !== sel.matchLabels[k]) return false;
  for (const r of sel.matchExpressions) {
    const present = has(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!present || !r.values.includes(labels[r.key])) return false;
        break;
      case 'NotIn':
        if (present && r.values.includes(labels[r.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** A selector requiring `set` (key=value each) on top of `sel` (mergeLabelSetWithSelector, for matchLabelKeys). */
export function withLabels(sel: LabelSelector | undefined, set: Record<string, string>): LabelSelector {
  const base = sel ?? { matchLabels: {}, matchExpressions: [] };
  // An absent selector matches nothing; keep that (a requirement no label can meet).
  const nothing = sel === undefined ? [{ key: '', operator: 'In' as const, values: [] }] : [];
  return {
    matchLabels: { ...base.matchLabels, ...set },
    matchExpressions: [...base.matchExpressions, ...nothing],
  };
}

/** One node selector requirement against a node's labels (matchExpressions) or its name (matchFields). */
function requirementMatches(r: NodeSelectorRequirement, present: boolean, value: string): boolean {
  switch (r.operator) {
    case 'In':
      return present && r.values.includes(value);
    case 'NotIn':
      return !present || !r.values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      if (!present || r.values.length !== 1) return false;
      const a = parseInteger(value);
      const b = parseInteger(r.values[0]);
      if (a === undefined || b === undefined) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
  }
}

function parseInteger(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** A NodeSelectorTerm matches the node: every requirement holds, and the term has at least one. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, nodeName: string, labels: Labels): boolean {
  if (term.matchExpressions.length === 0 && term.matchFields.length === 0) return false;
  for (const r of term.matchExpressions) if (!requirementMatches(r, has(labels, r.key), labels[r.key])) return false;
  for (const r of term.matchFields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, true, nodeName)) return false;
  }
  return true;
}

/** RequiredNodeAffinity.Match: the nodeSelector, and one of the required terms if there are any. */
export function matchesRequiredNodeAffinity(
  nodeSelector: Labels,
  required: readonly NodeSelectorTerm[] | undefined,
  nodeName: string,
  labels: Labels,
): boolean {
  for (const k in nodeSelector) if (labels[k] !== nodeSelector[k]) return false;
  if (required === undefined) return true;
  for (const term of required) if (nodeSelectorTermMatches(term, nodeName, labels)) return true;
  return false;
}

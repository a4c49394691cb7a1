// Names and labels checked as Kubernetes checks them (k8s.io/apimachinery/pkg/util/validation
// validation.go: IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue), plus the
// rule hasim adds for its own free-text names: no control characters, so that a name can never
// rewrite the terminal or make junit.xml and the SVG invalid XML.

/** A rule for one kind of name: a test and the sentence that explains it. */
export interface NameRule {
  /** Empty when the name is valid, else why not. */
  check: (value: string) => string | undefined;
  /** For the JSON Schema. */
  pattern?: RegExp;
  maxLength: number;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// The same, but tab and newline are allowed (descriptions may be several lines).
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Upstream's limits (validation.go): DNS1123LabelMaxLength, DNS1123SubdomainMaxLength, LabelValueMaxLength. */
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
export const LABEL_VALUE_MAX = 63;
/** hasim's limit for fault and SLO names: they head report rows and JUnit test cases. */
export const FREE_NAME_MAX = 253;
/** hasim's limit for a description. */
export const DESCRIPTION_MAX = 10_000;

function tooLong(value: string, max: number): string | undefined {
  return value.length > max ? `it has ${value.length} characters; at most ${max} are allowed` : undefined;
}

export const dns1123Label: NameRule = {
  maxLength: DNS1123_LABEL_MAX,
  pattern: DNS1123_LABEL,
  check: (v) =>
    tooLong(v, DNS1123_LABEL_MAX) ??
    (DNS1123_LABEL.test(v)
      ? undefined
      : 'a name must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit'),
};

/**
 * A Service name: core/v1 validation checks it with NameIsDNS1035Label (pkg/apis/core/validation
 * ValidateServiceName), a DNS-1123 label that starts with a letter, since it becomes a DNS name.
 */
export const dns1035Label: NameRule = {
  maxLength: DNS1123_LABEL_MAX,
  pattern: DNS1035_LABEL,
  check: (v) =>
    tooLong(v, DNS1123_LABEL_MAX) ??
    (DNS1035_LABEL.test(v)
      ? undefined
      : 'a Service name must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit'),
};

export const dns1123Subdomain: NameRule = {
  maxLength: DNS1123_SUBDOMAIN_MAX,
  pattern: DNS1123_SUBDOMAIN,
  check: (v) =>
    tooLong(v, DNS1123_SUBDOMAIN_MAX) ??
    (DNS1123_SUBDOMAIN.test(v)
      ? undefined
      : 'a name must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit'),
};

/** A label value that must not be empty (a zone). */
export const labelValue: NameRule = {
  maxLength: LABEL_VALUE_MAX,
  pattern: LABEL_VALUE,
  check: (v) =>
    tooLong(v, LABEL_VALUE_MAX) ??
    (v !== '' && LABEL_VALUE.test(v)
      ? undefined
      : 'a zone must be a Kubernetes label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit'),
};

/** A fault or SLO name: any text on one line, without control characters. */
export const freeName: NameRule = {
  maxLength: FREE_NAME_MAX,
  check: (v) =>
    tooLong(v, FREE_NAME_MAX) ??
    (v.trim() === ''
      ? 'must not be empty'
      : CONTROL.test(v)
        ? 'must not contain control characters (such as a newline, a tab or an escape)'
        : undefined),
};

/** Free text that may span lines (a description). */
export const freeText: NameRule = {
  maxLength: DESCRIPTION_MAX,
  check: (v) =>
    tooLong(v, DESCRIPTION_MAX) ??
    (CONTROL_EXCEPT_WHITESPACE.test(v) ? 'must not contain control characters other than tab and newline' : undefined),
};

/** Why `value` is not a valid label value (empty allowed, as upstream), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > LABEL_VALUE_MAX) return tooLong(value, LABEL_VALUE_MAX);
  return LABEL_VALUE.test(value)
    ? undefined
    : 'a label value must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
}

/** Why `key` is not a valid label key (`[prefix/]name`, IsQualifiedName), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2)
    return 'a label key is a name with an optional DNS subdomain prefix and one "/", e.g. example.com/tier';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix === '') return 'a label key\'s prefix before "/" must not be empty';
    const p = dns1123Subdomain.check(prefix);
    if (p) return `the prefix "${prefix}" ${p}`;
  }
  if (name.length === 0) return 'a label key must not be empty';
  if (name.length > 63) return `the name part of a label key has ${name.length} characters; at most 63 are allowed`;
  return QUALIFIED_NAME_PART.test(name)
    ? undefined
    : 'a label key\'s name part must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
}

/** Shows a user's string in a message: control characters escaped and long strings shortened. */
export function shown(value: string, max = 80): string {
  const short = value.length > max ? `${value.slice(0, max)}...` : value;
  return JSON.stringify(short);
}

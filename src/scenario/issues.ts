// Problems found in a scenario are data (zod style): a code, a path, a plain-English message and a
// position. Rendering them compiler-style is a separate step, so tests can pin the wording and the
// CLI can print every problem at once.

export type Severity = 'error' | 'warning';

export interface Issue {
  severity: Severity;
  /** Stable machine-readable class of the problem, e.g. "unknown-key", "unknown-reference". */
  code: string;
  /** Where in the document, e.g. "spec.faults[1].target.node"; empty for whole-file problems. */
  path: string;
  message: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  hint?: string;
}

/** The pseudo-file that problems with `--set` overrides are reported against. */
export const SET_FILE = '--set';

/** Sorts by file (scenario files before `--set`), then line, then column; stable otherwise. */
export function sortIssues(issues: Issue[]): Issue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => {
      const fa = a.issue.file === SET_FILE ? 1 : 0;
      const fb = b.issue.file === SET_FILE ? 1 : 0;
      if (fa !== fb) return fa - fb;
      if (a.issue.file !== b.issue.file) return a.issue.file < b.issue.file ? -1 : 1;
      if (a.issue.line !== b.issue.line) return a.issue.line - b.issue.line;
      if (a.issue.col !== b.issue.col) return a.issue.col - b.issue.col;
      return a.index - b.index;
    })
    .map((x) => x.issue);
}

/**
 * One issue as `file:line:col: error: path: message`, plus an indented `hint:` line when there is one.
 * Control characters that reach a message from the user's file (a name with an escape sequence or a
 * newline) are shown escaped, so that a message is one line and cannot rewrite the terminal.
 */
export function formatIssue(issue: Issue): string {
  const where = `${escapeControls(issue.file)}:${issue.line}:${issue.col}`;
  const what = escapeControls(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  const head = `${where}: ${issue.severity}: ${what}`;
  return issue.hint ? `${head}\n  hint: ${escapeControls(issue.hint)}` : head;
}

/** `\n`, `\t`, `\u001b`, ... in place of control characters. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Every issue, sorted by position, one per line (hints on their own indented lines). */
export function formatIssues(issues: Issue[]): string {
  return sortIssues(issues).map(formatIssue).join('\n');
}

/**
 * A problem before it has a position: the checks speak in document paths; the loader turns them into
 * `Issue`s by looking the path up in the parsed YAML (or in the `--set` arguments).
 */
export interface Problem {
  severity: Severity;
  code: string;
  /** Segments from the root of the document the problem is in. */
  path: readonly (string | number)[];
  message: string;
  hint?: string;
  /** Point at the key of the last path segment (unknown fields) rather than at its value. */
  at?: 'key' | 'value';
  /** Index of the YAML document (0 = the Scenario); a manifest's paths are relative to its own root. */
  doc?: number;
  /** Overrides the rendered path (manifest problems name their document). */
  label?: string;
}

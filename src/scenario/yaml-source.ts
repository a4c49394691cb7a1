// YAML text -> plain documents, keeping the parsed node tree so any problem can be pointed at its
// line and column. Alias expansion is capped so a "billion laughs" file fails at once.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { Issue } from './issues.js';
import type { Path } from './paths.js';

/** Alias expansions allowed while converting a document (yaml's resource-exhaustion guard). */
export const MAX_ALIAS_COUNT = 100;

/**
 * How deeply mappings and lists may nest. A scenario needs about 8 levels; without a limit a file
 * nested thousands deep exhausts the parser's stack (and later every recursive walk over it).
 */
export const MAX_NESTING_DEPTH = 64;

export const NESTING_MESSAGE = `the YAML nests mappings and lists more than ${MAX_NESTING_DEPTH} levels deep; a scenario needs fewer than 10`;

const INDENT_HINT =
  'YAML nests by indentation: check that this line and the one above line up with their siblings (spaces, not tabs)';
const YAML_HINTS: Partial<Record<string, string>> = {
  BAD_INDENT: INDENT_HINT,
  MISSING_CHAR: INDENT_HINT,
  BLOCK_AS_IMPLICIT_KEY: INDENT_HINT,
  MULTILINE_IMPLICIT_KEY: INDENT_HINT,
  UNEXPECTED_TOKEN: INDENT_HINT,
  TAB_AS_INDENT: 'YAML indentation must use spaces, not tabs',
  DUPLICATE_KEY: 'a key may appear only once in a mapping; remove or rename one of them',
};

export interface SourceDocument {
  /** 0-based position in the file. */
  index: number;
  node: Document.Parsed;
  value: unknown;
}

export interface YamlSource {
  file: string;
  lineCounter: LineCounter;
  documents: SourceDocument[];
}

export type YamlParseResult = { ok: true; source: YamlSource } | { ok: false; issues: Issue[] };

export function parseYamlSource(text: string, file: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: Issue[] = [];
  const at = (offset: number): { line: number; col: number } =>
    lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
  if (!Array.isArray(parsed)) {
    // An EmptyStream: only comments or directives.
    return { ok: false, issues: [emptyIssue(file)] };
  }
  const syntax = parsed.flatMap((doc) => doc.errors);
  // Nesting deep enough to overflow the parser's stack is named as such, not as a syntax error.
  const overflow = syntax.find((e) => /call stack/i.test(e.message));
  if (overflow) return { ok: false, issues: [tooDeepIssue(file, at(overflow.pos[0]))] };
  if (syntax.length > 0) return { ok: false, issues: [firstSyntaxIssue(syntax, text, file, at)] };
  const documents: SourceDocument[] = [];
  for (const [index, doc] of parsed.entries()) {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const offset = firstAliasOffset(doc);
      const isBomb = e instanceof ReferenceError && /alias/i.test(e.message);
      issues.push({
        severity: 'error',
        code: isBomb ? 'yaml-alias-limit' : 'yaml-syntax',
        path: '',
        message: isBomb
          ? `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} alias expansions); refusing to expand them`
          : `YAML error: ${e instanceof Error ? e.message : String(e)}`,
        hint: isBomb
          ? 'nested aliases that multiply (a "billion laughs" document) would exhaust memory; write the values out'
          : undefined,
        file,
        ...at(offset),
      });
      continue;
    }
    const tooDeep = tooDeepAt(value);
    if (tooDeep) {
      issues.push(tooDeepIssue(file, at(locate(doc, tooDeep))));
      continue;
    }
    // A trailing `---` or a document of comments only: nothing to read.
    if (value === null && index > 0) continue;
    documents.push({ index, node: doc, value });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (documents.length === 0 || (documents.length === 1 && documents[0].value === null)) {
    return { ok: false, issues: [emptyIssue(file)] };
  }
  return { ok: true, source: { file, lineCounter, documents } };
}

function tooDeepIssue(file: string, where: { line: number; col: number }): Issue {
  return { severity: 'error', code: 'yaml-too-deep', path: '', message: NESTING_MESSAGE, file, ...where };
}

/**
 * One syntax error, the first in the file: after it the parser is lost, and what it reports next (a
 * dozen "implicit keys" and "nested mappings" errors for one tab) only hides the cause. A tab in the
 * indentation at or before that line is the usual cause and is named as such.
 */
function firstSyntaxIssue(
  errors: readonly YAMLError[],
  text: string,
  file: string,
  at: (offset: number) => { line: number; col: number },
): Issue {
  const first = [...errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  const firstLine = at(first.pos[0]).line;
  const tabLine = text
    .split('\n')
    .slice(0, firstLine)
    .findIndex((line) => /^ *\t/.test(line) && !/^\s*(#|$)/.test(line));
  if (tabLine >= 0) {
    return {
      severity: 'error',
      code: 'yaml-syntax',
      path: '',
      message: 'YAML syntax error: a tab in the indentation',
      hint: YAML_HINTS.TAB_AS_INDENT,
      file,
      line: tabLine + 1,
      col: text.split('\n')[tabLine].indexOf('\t') + 1,
    };
  }
  return {
    severity: 'error',
    code: 'yaml-syntax',
    path: '',
    message: `YAML syntax error: ${first.message.replace(/\s+$/, '')}`,
    ...(YAML_HINTS[first.code] ? { hint: YAML_HINTS[first.code] } : {}),
    file,
    ...at(first.pos[0]),
  };
}

function emptyIssue(file: string): Issue {
  return {
    severity: 'error',
    code: 'empty-file',
    path: '',
    message: 'the file is empty',
    hint: 'a scenario starts with "apiVersion: hasim.dev/v1" and "kind: Scenario"; run "hasim schema" for the format',
    file,
    line: 1,
    col: 1,
  };
}

/**
 * The path to the first place where `value` nests deeper than MAX_NESTING_DEPTH, or undefined
 * (walked without recursion, and stopping at the limit, since aliases may make cycles).
 */
export function tooDeepAt(value: unknown): Path | undefined {
  const stack: [unknown, Path][] = [[value, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_NESTING_DEPTH) return path;
    for (const [k, child] of Object.entries(v)) stack.push([child, [...path, Array.isArray(v) ? Number(k) : k]]);
  }
  return undefined;
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = doc.contents?.range?.[0] ?? 0;
  let found = false;
  visit(doc, {
    Alias(_key, node) {
      if (!found && node.range) {
        offset = node.range[0];
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

/**
 * The source offset of `path` in `doc`: of its key when `at` is "key" and the path ends in a mapping
 * key, else of its value. A path that leaves the document (a default, or a field set by --set)
 * resolves to the deepest part that exists.
 */
export function locate(doc: Document.Parsed, path: Path, at: 'key' | 'value' = 'value'): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyString(p.key) === String(seg));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (last && at === 'key' && keyStart !== undefined) return keyStart;
      node = pair.value;
      const valueStart = rangeStart(node);
      // `key:` with nothing after it has an empty scalar at the end of the line; the key reads better.
      offset = valueStart !== undefined && !(isScalar(node) && node.value === null) ? valueStart : (keyStart ?? offset);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
    if (isAlias(node)) break;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

// Reads a scenario file from disk for the CLI, turning every way that can fail (missing, a
// directory, too large, empty, unreadable, not UTF-8) into an Issue rather than an exception, so
// `hasim run`/`validate` can report it compiler-style and exit 2.
import { readFileSync, statSync } from 'node:fs';
import type { Issue } from '../scenario/issues.js';

/** Scenario files are small; anything larger is almost certainly the wrong file. */
export const MAX_SCENARIO_BYTES = 10 * 1024 * 1024;

export type ReadScenarioResult = { ok: true; text: string } | { ok: false; issues: Issue[] };

function fail(path: string, code: string, message: string, hint?: string): ReadScenarioResult {
  const issue: Issue = { severity: 'error', code, path: '', message, file: path, line: 1, col: 1 };
  if (hint !== undefined) issue.hint = hint;
  return { ok: false, issues: [issue] };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * How the commands receive `-`, the file name that stands for standard input (`cat s.yaml | hasim run -`).
 * yargs' parser drops a bare `-` argument, so main.ts swaps it for this before parsing; a NUL byte can
 * be in no real path, so no file is mistaken for it.
 */
export const STDIN = '\u0000-';
/** How standard input is named in messages. */
export const STDIN_NAME = '<stdin>';

let stdinBytes: Buffer | undefined;

export function readScenarioFile(path: string): ReadScenarioResult {
  if (path === STDIN) return readStdin();
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      return fail(
        path,
        'is-directory',
        'is a directory, not a scenario file',
        'give the path of a .yaml file, e.g. scenarios/zone-a-outage.yaml',
      );
    }
    if (!stat.isFile()) return fail(path, 'not-a-file', 'is not a regular file');
    size = stat.size;
  } catch (e) {
    return fromFsError(path, e);
  }
  if (size > MAX_SCENARIO_BYTES) {
    return fail(
      path,
      'file-too-large',
      `file is ${megabytes(size)}; scenario files are limited to ${MAX_SCENARIO_BYTES / (1024 * 1024)} MB`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fromFsError(path, e);
  }
  return decode(path, bytes);
}

/** Standard input, read once: `hasim validate - -` checks the same text twice rather than nothing. */
function readStdin(): ReadScenarioResult {
  if (stdinBytes === undefined) {
    if (process.stdin.isTTY)
      process.stderr.write('hasim: reading the scenario from standard input (end it with Ctrl-D)\n');
    try {
      stdinBytes = readFileSync(0);
    } catch (e) {
      return fromFsError(STDIN_NAME, e);
    }
  }
  if (stdinBytes.length > MAX_SCENARIO_BYTES) {
    return fail(
      STDIN_NAME,
      'file-too-large',
      `standard input is ${megabytes(stdinBytes.length)}; scenario files are limited to ${MAX_SCENARIO_BYTES / (1024 * 1024)} MB`,
    );
  }
  return decode(STDIN_NAME, stdinBytes);
}

function decode(path: string, bytes: Buffer): ReadScenarioResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const { line, col } = firstInvalidUtf8(bytes);
    return {
      ok: false,
      issues: [
        {
          severity: 'error',
          code: 'not-utf8',
          path: '',
          message: 'the file is not valid UTF-8 text',
          hint: 'save it as UTF-8; a binary file or another encoding (UTF-16, Latin-1) cannot be read',
          file: path,
          line,
          col,
        },
      ],
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    return fail(
      path,
      'empty-file',
      'the file is empty',
      'a scenario starts with "apiVersion: hasim.dev/v1" and "kind: Scenario"; run "hasim schema" for the format',
    );
  }
  return { ok: true, text };
}

function fromFsError(path: string, e: unknown): ReadScenarioResult {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return fail(path, 'file-not-found', 'no such file');
    case 'EACCES':
    case 'EPERM':
      return fail(path, 'unreadable', 'permission denied: the file cannot be read');
    case 'ENOTDIR':
      return fail(path, 'file-not-found', 'no such file (a part of the path is not a directory)');
    case 'EISDIR':
      return fail(path, 'is-directory', 'is a directory, not a scenario file');
    default:
      return fail(path, 'unreadable', `cannot read the file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Line and column of the first byte that does not decode, for the message's position. */
function firstInvalidUtf8(bytes: Buffer): { line: number; col: number } {
  // Binary search the longest prefix that decodes (streaming mode tolerates a character cut at its
  // end); an invalid prefix stays invalid when extended, so the search is sound.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // Streaming mode holds back a trailing incomplete character, so only whole characters are counted.
  const prefix = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, lo), { stream: true });
  const lines = prefix.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

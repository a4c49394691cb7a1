// `hasim report <run-dir>`: re-renders the report files from a saved run (events.jsonl + summary.json).
// What it reads is checked first (trace/check-saved-run.ts): a bad or mismatched file is bad input,
// exit 2 with the first bad line, never a crash, a hang or a confidently wrong report.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { renderReports } from '../../report/index.js';
import type { TraceEvent } from '../../trace/events.js';
import type { RunSummary } from '../../trace/summary.js';
import {
  checkEvent,
  checkSummary,
  checkSummaryAgainstTrace,
  MAX_SAVED_DURATION_MS,
  type SavedRunProblem,
} from '../../trace/check-saved-run.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { fsReason, ReportFolder } from '../write-atomic.js';

/** Larger files cannot be held as one string by V8 (about 512 MiB); no hasim run writes one. */
export const MAX_SAVED_FILE_BYTES = 500 * 1024 * 1024;

export function reportCommand(
  setCode: (c: number) => void,
): CommandModule<object, { dir: string; out?: string; quiet: boolean }> {
  return {
    command: 'report <dir>',
    describe: 'Re-render the report files of a saved run from its events.jsonl and summary.json',
    builder: (y) =>
      y
        .positional('dir', { type: 'string', demandOption: true, describe: 'a folder written by hasim run' })
        .option('out', { type: 'string', describe: 'where to write the reports (default: the same folder)' })
        .option('quiet', { type: 'boolean', default: false }) as never,
    handler: (args) => {
      const { summary, events } = readSavedRun(args.dir);
      const out = args.out ?? args.dir;
      const folder = ReportFolder.open(out);
      const rendered = renderReports(summary, events);
      folder.write(rendered);
      folder.keep(args.dir, Object.keys(rendered));
      folder.commit();
      if (!args.quiet) process.stdout.write(`Wrote timeline.svg, report.html, report.md and junit.xml to ${out}/\n`);
      setCode(EXIT.ok);
    },
  };
}

function readText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new BadInput(`${path}: error: not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof BadInput) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BadInput(`${path}: error: missing (a saved run has summary.json and events.jsonl)`);
    throw new BadInput(`${path}: error: cannot be read: ${fsReason(err)}`);
  }
  if (size > MAX_SAVED_FILE_BYTES)
    throw new BadInput(
      `${path}: error: ${Math.round(size / 2 ** 20)} MiB is more than hasim can re-render (${MAX_SAVED_FILE_BYTES / 2 ** 20} MiB)`,
    );
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new BadInput(`${path}: error: cannot be read: ${fsReason(err)}`);
  }
}

function fail(dir: string, p: SavedRunProblem): never {
  const path = join(dir, p.file);
  throw new BadInput(p.line > 0 ? `${path}:${p.line}:1: error: ${p.message}` : `${path}: error: ${p.message}`);
}

export function readSavedRun(dir: string): { summary: RunSummary; events: TraceEvent[] } {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new BadInput(`${dir}: error: not a folder written by hasim run`);
  const summaryText = readText(join(dir, 'summary.json'));
  const eventsText = readText(join(dir, 'events.jsonl'));
  let summary: unknown;
  try {
    summary = JSON.parse(summaryText);
  } catch (e) {
    throw new BadInput(`${join(dir, 'summary.json')}: error: not valid JSON (${(e as Error).message})`);
  }
  const bad = checkSummary(summary);
  if (bad) fail(dir, bad);
  const s = summary as Record<string, unknown>;
  const endMs = Math.min(s.durationMs as number, MAX_SAVED_DURATION_MS);

  const events: TraceEvent[] = [];
  const lines = eventsText.split('\n');
  // A file ends with a newline; a last line without one was cut in the middle of writing it.
  const last = lines.pop();
  if (last !== undefined && last !== '')
    fail(dir, {
      file: 'events.jsonl',
      line: lines.length + 1,
      message: 'the last line has no line end: the trace was cut short while it was written',
    });
  let previousMs = 0;
  for (let i = 0; i < lines.length; i++) {
    let e: unknown;
    try {
      e = JSON.parse(lines[i]);
    } catch (err) {
      fail(dir, { file: 'events.jsonl', line: i + 1, message: `not valid JSON (${(err as Error).message})` });
    }
    const problem = checkEvent(e, previousMs, endMs);
    if (problem) fail(dir, { file: 'events.jsonl', line: i + 1, message: problem });
    previousMs = (e as TraceEvent).atMs;
    events.push(e as TraceEvent);
  }
  const sha256 = createHash('sha256').update(eventsText).digest('hex');
  const mismatch = checkSummaryAgainstTrace(s, events[0] as Record<string, unknown> | undefined, events.length, sha256);
  if (mismatch) fail(dir, mismatch);
  return { summary: summary as RunSummary, events };
}

// `hasim report <run-dir>`: re-renders the report files from a saved run (events.jsonl + summary.json).
// What it reads is checked first (trace/check-saved-run.ts): a bad or mismatched file is bad input,
// exit 2 with the first bad line, never a crash, a hang or a confidently wrong report.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { TraceEvent } from '../../trace/events.js';
import type { RunSummary } from '../../trace/summary.js';
import { parseSavedRun, type SavedRunProblem } from '../../trace/check-saved-run.js';
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
    handler: async (args) => {
      const { summary, events } = readSavedRun(args.dir);
      // Loaded here, not at start-up: see run.ts.
      const { renderReports } = await import('../../report/index.js');
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
  const parsed = parseSavedRun(summaryText, eventsText);
  if (!parsed.ok) fail(dir, parsed.problem);
  return { summary: parsed.summary, events: parsed.events };
}

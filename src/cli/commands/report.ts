// `hasim report <run-dir>`: re-renders the report files from a saved run (events.jsonl + summary.json).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { TraceEvent } from '../../trace/events.js';
import type { RunSummary } from '../../trace/summary.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { writeFilesAtomic } from '../write-atomic.js';

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
      writeFilesAtomic(out, renderReports(summary, events));
      if (!args.quiet) process.stdout.write(`Wrote timeline.svg, report.html, report.md and junit.xml to ${out}/\n`);
      setCode(EXIT.ok);
    },
  };
}

export function readSavedRun(dir: string): { summary: RunSummary; events: TraceEvent[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BadInput(`${dir}: error: not a folder written by hasim run`);
  const summaryPath = join(dir, 'summary.json');
  const eventsPath = join(dir, 'events.jsonl');
  for (const p of [summaryPath, eventsPath]) {
    if (!existsSync(p)) throw new BadInput(`${p}: error: missing (a saved run has summary.json and events.jsonl)`);
  }
  let summary: RunSummary;
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
  } catch (e) {
    throw new BadInput(`${summaryPath}: error: not valid JSON (${(e as Error).message})`);
  }
  if (!summary || typeof summary !== 'object' || !Array.isArray(summary.slos)) {
    throw new BadInput(`${summaryPath}: error: not a hasim run summary (no "slos" list)`);
  }
  const events: TraceEvent[] = [];
  const lines = readFileSync(eventsPath, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    try {
      const e = JSON.parse(lines[i]);
      if (typeof e?.atMs !== 'number' || typeof e?.type !== 'string')
        throw new Error('each line needs "atMs" and "type"');
      events.push(e as TraceEvent);
    } catch (err) {
      throw new BadInput(`${eventsPath}:${i + 1}:1: error: ${(err as Error).message}`);
    }
  }
  return { summary, events };
}

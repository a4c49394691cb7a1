// What a finished sweep writes and prints, whether its runs ran here (`hasim sweep`) or came from shards
// (`hasim sweep merge`): one function each, so that a merged sweep writes exactly the files the
// single-machine sweep writes, byte for byte. New sweep report files belong in sweepFiles.
import { join } from 'node:path';
import type { SweepResult } from '../runner/sweep.js';
import { renderSweepMarkdown, renderSweepText } from '../report/sweep-report.js';
import { renderSweepHtml } from '../report/sweep-html.js';
import { renderSweepJunit } from '../report/sweep-junit.js';
import { EXIT } from './exit-codes.js';
import { chooseOutDir } from './out-dir.js';
import { useColor } from './tty.js';
import { ReportFolder } from './write-atomic.js';

/** Every file of a sweep's report folder, by name. */
export function sweepFiles(result: SweepResult): Record<string, string> {
  return {
    'sweep.json': JSON.stringify(result, null, 2) + '\n',
    'sweep.md': renderSweepMarkdown(result),
    'sweep.html': renderSweepHtml(result),
    'junit.xml': renderSweepJunit(result),
  };
}

export interface FinishOptions {
  out?: string;
  force?: boolean;
  quiet: boolean;
  format: string;
  wallMs: number;
  /** Worker threads used (a sweep run here). */
  workers?: number;
  /** Shards merged (hasim sweep merge). */
  mergedShards?: number;
  /** The report folder opened (and locked) before the runs, and the folder it names; else chosen here. */
  folder?: ReportFolder;
  outDir?: string;
}

/** Writes the report folder, prints the summary and returns the exit code. */
export function finishSweep(result: SweepResult, opts: FinishOptions): number {
  let { folder, outDir } = opts;
  if (folder === undefined || outDir === undefined) {
    const chosen = chooseOutDir(join('reports', `${result.scenario}-sweep`), opts);
    if (chosen.note && !opts.quiet) process.stderr.write(chosen.note + '\n');
    outDir = chosen.dir;
    folder = ReportFolder.open(outDir);
  }
  // The files are written as one set: readers see the previous sweep's or this one's.
  try {
    folder.write(sweepFiles(result));
    folder.commit();
  } finally {
    folder.abandon();
  }
  if (!opts.quiet) {
    if (opts.format === 'json') {
      const stats =
        opts.mergedShards !== undefined
          ? { wallMs: opts.wallMs, mergedShards: opts.mergedShards }
          : { wallMs: opts.wallMs, workers: opts.workers };
      process.stdout.write(JSON.stringify({ ...result, stats }, null, 2) + '\n');
    } else
      process.stdout.write(
        renderSweepText(result, {
          color: useColor(),
          wallMs: opts.wallMs,
          workers: opts.workers ?? 0,
          outDir,
          ...(opts.mergedShards !== undefined ? { mergedShards: opts.mergedShards } : {}),
        }),
      );
  }
  return result.passed ? EXIT.ok : EXIT.sloFailed;
}

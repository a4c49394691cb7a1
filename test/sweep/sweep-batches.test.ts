// A sweep's worker processes get their jobs in chunks and send their results back in batches
// (cli/sweep-workers.ts, cli/sweep-worker.ts). Whatever the chunks and batches, each seed's result in
// sweep.json must be what `hasim run` of that seed measures, and the whole sweep.json what the same runs
// played one after another in this process give, with 1 worker and with 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkSize, MAX_CHUNK } from '../../src/cli/sweep-workers.js';
import { sweepFiles } from '../../src/cli/sweep-output.js';
import { runSweepJob } from '../../src/runner/sweep-job.js';
import { aggregateSweep, sweepJobs, type SweepPlan } from '../../src/runner/sweep.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { RunSummary } from '../../src/trace/summary.js';
import { SMALL_SCENARIO } from './fixture.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
/** Enough seeds for chunks of several jobs (chunkSize(120, 2) is 7) and a tail of single jobs. */
const SEEDS = 120;

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface SweepJson {
  points: Array<{
    results: Array<{
      seed: number;
      passed: boolean;
      slos: Array<{ name: string; value: number | null; passed: boolean }>;
    }>;
  }>;
}

describe('chunks of jobs and batches of results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-sweep-batches-'));
  writeFileSync(join(dir, 'small.yaml'), SMALL_SCENARIO);

  it('cuts large chunks while many jobs are left and single jobs at the end', () => {
    expect(chunkSize(100_000, 2)).toBe(MAX_CHUNK);
    expect(chunkSize(120, 2)).toBe(7);
    expect(chunkSize(15, 2)).toBe(1);
    expect(chunkSize(1, 64)).toBe(1);
    // Every job is handed out: the chunks of a sweep add up to its jobs.
    for (const [jobs, workers] of [
      [1000, 2],
      [7, 3],
      [1, 1],
    ]) {
      let left = jobs;
      let chunks = 0;
      while (left > 0) {
        const n = chunkSize(left, workers);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(left);
        left -= n;
        chunks++;
      }
      expect(chunks).toBeLessThanOrEqual(jobs);
    }
  });

  it('gives each seed what `hasim run` of that seed measures, and the runs played in-process, with 1 and 2 workers', () => {
    for (const workers of [1, 2]) {
      const r = hasim(
        [
          'sweep',
          'small.yaml',
          '--seeds',
          String(SEEDS),
          '--workers',
          String(workers),
          '--out',
          `w${workers}`,
          '--quiet',
        ],
        dir,
      );
      expect(r.stderr).toBe('');
      expect(r.code).not.toBe(3);
    }
    const json = readFileSync(join(dir, 'w2', 'sweep.json'), 'utf8');
    expect(readFileSync(join(dir, 'w1', 'sweep.json'), 'utf8')).toBe(json);

    // The same runs played here, one after another: the whole file, every seed's record.
    const parsed = parseScenarioText(SMALL_SCENARIO, { file: 'small.yaml' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const plan: SweepPlan = {
      scenario: 'small',
      file: 'small.yaml',
      sets: [],
      grid: [],
      points: [{ settings: [], sets: [] }],
      firstSeed: 1,
      seedCount: SEEDS,
      minPassRate: 1,
    };
    const records = sweepJobs(1, 1, SEEDS).map((job) =>
      runSweepJob(parsed.scenario, job, { scenarioArg: 'small.yaml', sets: [] }),
    );
    expect(json).toBe(sweepFiles(aggregateSweep(plan, records))['sweep.json']);

    // `hasim run` of a few seeds: the first, two in the middle of the first chunks, the last.
    const results = (JSON.parse(json) as SweepJson).points[0].results;
    expect(results.map((x) => x.seed)).toEqual(Array.from({ length: SEEDS }, (_, i) => i + 1));
    for (const seed of [1, 9, 10, SEEDS]) {
      const out = `run-${seed}`;
      const run = hasim(['run', 'small.yaml', '--seed', String(seed), '--out', out, '--quiet'], dir);
      expect(run.stderr).toBe('');
      const summary = JSON.parse(readFileSync(join(dir, out, 'summary.json'), 'utf8')) as RunSummary;
      const result = results[seed - 1];
      expect(result.passed).toBe(summary.passed);
      expect(result.slos).toEqual(
        summary.slos.map((s) => ({
          name: s.name,
          value: s.measuredMs ?? s.measured ?? null,
          passed: s.passed,
          ...(s.type === 'recovery-time' && s.measuredMs === 0 ? { unaffected: true } : {}),
        })),
      );
    }
    // The seeds differ, so a result sent back under another seed would show.
    expect(new Set(results.map((x) => JSON.stringify(x.slos.map((s) => s.value)))).size).toBeGreaterThan(5);
  });
});

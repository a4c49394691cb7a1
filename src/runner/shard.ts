// Sweeps across machines (`hasim sweep ... --shard K/N`, `hasim sweep merge`). A shard runs the jobs
// whose index is K-1 modulo N (round robin, so every shard gets its share of each grid point and of
// the slow runs) and keeps their run records with the sweep's plan. Merging checks that the shards
// are exactly one sweep's N shares, puts the records back in job order and hands them to the same
// aggregation the single-machine sweep uses, so the merged sweep.json is the same, byte for byte.
//
// Pure: the CLI reads and writes the files.
import type { SweepPlan, SweepRunRecord } from './sweep.js';

/** What kind of file a shard file is, and the layout version of its contents. */
export const SHARD_KIND = 'hasim-sweep-shard';
export const SHARD_FORMAT = 1;

export interface ShardSpec {
  /** 1-based: shard K of N. */
  index: number;
  count: number;
}

export interface ShardFile {
  kind: typeof SHARD_KIND;
  format: typeof SHARD_FORMAT;
  hasimVersion: string;
  /** SHA-256 of the scenario file's text: shards of an edited file do not belong together. */
  scenarioSha256: string;
  shard: ShardSpec;
  /** Runs in the whole sweep (all shards). */
  totalRuns: number;
  plan: SweepPlan;
  /** This shard's runs, in job order. */
  records: SweepRunRecord[];
}

/** `K/N` with 1 <= K <= N; a message saying what is wrong otherwise. */
export function parseShard(text: string): { ok: true; shard: ShardSpec } | { ok: false; message: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const bad = (why: string) => ({
    ok: false as const,
    message: `hasim: --shard ${why} (found "${text}"); write K/N, e.g. --shard 2/8 for the second of 8 shares`,
  });
  if (!m) return bad('must be two whole numbers K/N');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) return bad('needs N of 1 or more');
  if (index < 1 || index > count) return bad(`needs K from 1 to N (${count})`);
  return { ok: true, shard: { index, count } };
}

/** Does job `index` belong to the shard? */
export function inShard(jobIndex: number, shard: ShardSpec): boolean {
  return jobIndex % shard.count === shard.index - 1;
}

/** The file name of a shard: `shard-2-of-8.json`. */
export function shardFileName(shard: ShardSpec): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

export const SHARD_FILE_PATTERN = /^shard-\d+-of-\d+\.json$/;

/** A shard file as a named input to merge (the name is how messages refer to it). */
export interface NamedShard {
  name: string;
  data: unknown;
}

export type MergeResult =
  { ok: true; plan: SweepPlan; records: SweepRunRecord[]; shardCount: number } | { ok: false; problems: string[] };

/**
 * Checks that the shards are one sweep's N shares, each once, with the runs each should have, and
 * returns the sweep's plan and every run record in job order. Every problem is reported at once.
 */
export function mergeShards(inputs: readonly NamedShard[]): MergeResult {
  if (inputs.length === 0) return { ok: false, problems: ['hasim: sweep merge: no shard files given'] };
  const problems: string[] = [];
  const shards: Array<{ name: string; file: ShardFile }> = [];
  for (const input of inputs) {
    const why = shapeProblem(input.data);
    if (why) problems.push(`${input.name}: error: not a hasim sweep shard file (${why})`);
    else shards.push({ name: input.name, file: input.data as ShardFile });
  }
  if (problems.length) return { ok: false, problems };

  const [first, ...rest] = shards;
  for (const s of rest) {
    const differs = differences(first.file, s.file);
    if (differs.length)
      problems.push(
        `${s.name}: error: a shard of another sweep than ${first.name} (they differ in ${differs.join(', ')})`,
      );
  }
  if (problems.length) return { ok: false, problems };

  const count = first.file.shard.count;
  const byIndex = new Map<number, string[]>();
  for (const s of shards) byIndex.set(s.file.shard.index, [...(byIndex.get(s.file.shard.index) ?? []), s.name]);
  for (const [index, names] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (names.length > 1)
      problems.push(`hasim: shard ${index} of ${count} is given ${names.length} times: ${names.join(', ')}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length)
    problems.push(
      `hasim: ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${count} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${[...byIndex.keys()].sort((a, b) => a - b).join(', ') || 'none'})`,
    );
  for (const s of shards) {
    const expected = Array.from({ length: s.file.totalRuns }, (_, i) => i).filter((i) => inShard(i, s.file.shard));
    const got = s.file.records.map((r) => r.index);
    if (got.length !== expected.length || got.some((v, i) => v !== expected[i]))
      problems.push(
        `${s.name}: error: shard ${s.file.shard.index} of ${count} should hold runs ${describeRuns(expected)}, but holds ${describeRuns(got)}`,
      );
  }
  if (problems.length) return { ok: false, problems };

  const records = shards.flatMap((s) => s.file.records).sort((a, b) => a.index - b.index);
  return { ok: true, plan: first.file.plan, records, shardCount: count };
}

function shapeProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a JSON object';
  const d = data as Partial<ShardFile>;
  if (d.kind !== SHARD_KIND) return `"kind" is not "${SHARD_KIND}"`;
  if (d.format !== SHARD_FORMAT) return `layout version ${String(d.format)}, this hasim reads version ${SHARD_FORMAT}`;
  const shard = d.shard;
  if (
    !shard ||
    !Number.isSafeInteger(shard.index) ||
    !Number.isSafeInteger(shard.count) ||
    shard.count < 1 ||
    shard.index < 1 ||
    shard.index > shard.count
  )
    return '"shard" is not {index, count} with 1 <= index <= count';
  if (!Number.isSafeInteger(d.totalRuns) || (d.totalRuns as number) < 0) return '"totalRuns" is not a whole number';
  if (!d.plan || typeof d.plan !== 'object' || !Array.isArray(d.plan.points)) return '"plan" is missing';
  if (!Array.isArray(d.records) || d.records.some((r) => !Number.isSafeInteger(r?.index)))
    return '"records" is not a list of runs';
  return undefined;
}

/** The sweep settings in which two shard files differ, in words. */
function differences(a: ShardFile, b: ShardFile): string[] {
  const out: string[] = [];
  if (a.hasimVersion !== b.hasimVersion) out.push(`hasim version (${a.hasimVersion}, ${b.hasimVersion})`);
  if (a.scenarioSha256 !== b.scenarioSha256) out.push('the scenario file');
  if (a.shard.count !== b.shard.count) out.push(`the number of shards (${a.shard.count}, ${b.shard.count})`);
  const planFields: Array<[keyof SweepPlan, string]> = [
    ['scenario', 'scenario name'],
    ['file', 'scenario path'],
    ['sets', '--set flags'],
    ['grid', '--grid flags'],
    ['firstSeed', 'first seed'],
    ['seedCount', '--seeds'],
    ['minPassRate', '--min-pass-rate'],
  ];
  for (const [key, words] of planFields)
    if (JSON.stringify(a.plan[key]) !== JSON.stringify(b.plan[key])) out.push(words);
  if (a.totalRuns !== b.totalRuns && !out.length) out.push('the number of runs');
  return out;
}

/** "0, 3, 6 ... 27 (10 runs)": job indexes as a short phrase. */
function describeRuns(indexes: readonly number[]): string {
  if (indexes.length === 0) return 'no runs';
  const head = indexes.slice(0, 3).join(', ');
  const tail = indexes.length > 3 ? ` ... ${indexes[indexes.length - 1]}` : '';
  return `${head}${tail} (${indexes.length} run${indexes.length === 1 ? '' : 's'})`;
}

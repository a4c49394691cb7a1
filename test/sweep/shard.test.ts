// Sweeps across machines (issue 19): `hasim sweep --shard K/N` runs a deterministic share of the runs,
// `hasim sweep merge` checks that the shards make one whole sweep and writes the same report as the
// sweep run on one machine, byte for byte, whatever the number of shards and the order they are given.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inShard, mergeShards, parseShard, type NamedShard, type ShardFile } from '../../src/runner/shard.js';
import { SMALL_SCENARIO } from './fixture.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const GRID = ['--grid', 'spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s,40s'];
const SWEEP = ['sweep', 'small.yaml', '--seeds', '5', ...GRID, '--workers', '2', '--quiet'];

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'hasim-shard-'));
writeFileSync(join(dir, 'small.yaml'), SMALL_SCENARIO);
const REPORT_FILES = ['sweep.json', 'sweep.md'];
const read = (folder: string, f: string) => readFileSync(join(dir, folder, f), 'utf8');

beforeAll(() => {
  expect(hasim([...SWEEP, '--out', 'whole'], dir).code).toBe(0);
});

function runShards(count: number): string[] {
  const out = `shards-${count}`;
  for (let k = 1; k <= count; k++) {
    const r = hasim([...SWEEP, '--shard', `${k}/${count}`, '--out', out], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  return readdirSync(join(dir, out))
    .sort()
    .map((f) => join(out, f));
}

describe.each([1, 3, 7])('%i shards', (count) => {
  let files: string[] = [];
  beforeAll(() => {
    files = runShards(count);
  });

  it('write one file each, holding their share of the 10 runs', () => {
    expect(files).toHaveLength(count);
    const held = files.map((f) => (JSON.parse(read('.', f)) as ShardFile).records.map((r) => r.index));
    expect(held.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('merged from their folder, give the same report files as the sweep on one machine', () => {
    const r = hasim(['sweep', 'merge', `shards-${count}`, '--out', `merged-${count}`], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`10 runs from ${count} shard${count === 1 ? '' : 's'}, merged in`);
    for (const f of REPORT_FILES) expect(read(`merged-${count}`, f)).toBe(read('whole', f));
  });

  it('merged from the files in reverse and rotated order, give the same report', () => {
    const orders = [[...files].reverse(), [...files.slice(1), files[0]]];
    orders.forEach((order, n) => {
      const out = `merged-${count}-order-${n}`;
      expect(hasim(['sweep', 'merge', ...order, '--out', out, '--quiet'], dir).code).toBe(0);
      for (const f of REPORT_FILES) expect(read(out, f)).toBe(read('whole', f));
    });
  });
});

describe('a set of shards that is not one whole sweep is bad input that says which', () => {
  beforeAll(() => {
    runShards(3);
  });

  it('a missing shard', () => {
    const r = hasim(['sweep', 'merge', 'shards-3/shard-1-of-3.json', 'shards-3/shard-3-of-3.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hasim: shard 2 of 3 is missing (given: 1, 3)\n');
  });

  it('a shard given twice', () => {
    const r = hasim(['sweep', 'merge', 'shards-3', 'shards-3/shard-2-of-3.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'hasim: shard 2 of 3 is given 2 times: shards-3/shard-2-of-3.json, shards-3/shard-2-of-3.json\n',
    );
  });

  it('a shard of another sweep (other seeds) or of another split', () => {
    hasim(['sweep', 'small.yaml', '--seeds', '6', ...GRID, '--shard', '2/3', '--out', 'other', '--quiet'], dir);
    const r = hasim(
      ['sweep', 'merge', 'shards-3/shard-1-of-3.json', 'other/shard-2-of-3.json', 'shards-3/shard-3-of-3.json'],
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'other/shard-2-of-3.json: error: a shard of another sweep than shards-3/shard-1-of-3.json (they differ in --seeds)\n',
    );
    const mixed = hasim(['sweep', 'merge', 'shards-3/shard-1-of-3.json', 'shards-7/shard-2-of-7.json'], dir);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('(they differ in the number of shards (3, 7))');
  });

  it('a file that is not a shard, and a folder without shards', () => {
    writeFileSync(join(dir, 'not-a-shard.json'), '{"hello": 1}');
    const r = hasim(['sweep', 'merge', 'not-a-shard.json', 'whole'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('whole: error: holds no shard files (shard-K-of-N.json)\n');
    const s = hasim(['sweep', 'merge', 'not-a-shard.json'], dir);
    expect(s.stderr).toBe(
      'not-a-shard.json: error: not a hasim sweep shard file ("kind" is not "hasim-sweep-shard")\n',
    );
  });

  it('a bad --shard flag', () => {
    for (const [flag, why] of [
      ['4/3', 'needs K from 1 to N (3)'],
      ['0/3', 'needs K from 1 to N (3)'],
      ['two/3', 'must be two whole numbers K/N'],
    ]) {
      const r = hasim([...SWEEP, '--shard', flag], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`hasim: --shard ${why} (found "${flag}")`);
    }
  });

  it('--format json prints what the shard did', () => {
    const r = hasim(
      ['sweep', 'small.yaml', '--seeds', '3', '--shard', '2/2', '--out', 'json-shard', '--format', 'json'],
      dir,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      scenario: 'small',
      shard: { index: 2, count: 2 },
      runs: 1,
      totalRuns: 3,
    });
  });

  it('a shard file already there is not overwritten without --force', () => {
    const first = hasim(['sweep', 'small.yaml', '--seeds', '2', '--shard', '1/2', '--quiet'], dir);
    expect(first.code).toBe(0);
    const again = hasim(['sweep', 'small.yaml', '--seeds', '2', '--shard', '1/2', '--quiet'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      'reports/small-sweep-shards/shard-1-of-2.json holds shard 1 of 2 of an earlier sweep',
    );
    expect(hasim(['sweep', 'small.yaml', '--seeds', '2', '--shard', '1/2', '--quiet', '--force'], dir).code).toBe(0);
  });
});

describe('the shard logic', () => {
  it('deals the runs round robin, so each shard gets a share of every grid point', () => {
    expect([0, 1, 2, 3, 4, 5, 6].filter((i) => inShard(i, { index: 2, count: 3 }))).toEqual([1, 4]);
    expect(parseShard(' 3 / 8 ')).toEqual({ ok: true, shard: { index: 3, count: 8 } });
  });

  it('a shard holding the wrong runs is named', () => {
    const shard = (index: number, records: number[]): NamedShard => ({
      name: `s${index}`,
      data: {
        kind: 'hasim-sweep-shard',
        format: 1,
        hasimVersion: 'x',
        scenarioSha256: 'h',
        shard: { index, count: 2 },
        totalRuns: 4,
        plan: { points: [] },
        records: records.map((i) => ({ index: i })),
      },
    });
    expect(mergeShards([shard(1, [0, 2]), shard(2, [1])])).toEqual({
      ok: false,
      problems: ['s2: error: shard 2 of 2 should hold runs 1, 3 (2 runs), but holds 1 (1 run)'],
    });
    expect(mergeShards([])).toEqual({ ok: false, problems: ['hasim: sweep merge: no shard files given'] });
  });
});

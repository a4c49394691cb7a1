// `hasim sweep` as a user meets it: the built binary (worker processes need the compiled JavaScript),
// real files, exit codes and no stack traces.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_SCENARIO } from './fixture.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const GRACE = 'spec.kubernetes.controllerManager.nodeMonitorGracePeriod';

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scenarioDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-sweep-'));
  writeFileSync(join(dir, 'small.yaml'), SMALL_SCENARIO);
  return dir;
}

const NO_STACK = /\n\s+at .*:\d+:\d+\)?/;

describe('hasim sweep', () => {
  const dir = scenarioDir();

  it('gives the same sweep.json with two workers as with one', () => {
    const two = hasim(['sweep', 'small.yaml', '--seeds', '8', '--workers', '2', '--out', 'two'], dir);
    const one = hasim(['sweep', 'small.yaml', '--seeds', '8', '--workers', '1', '--out', 'one'], dir);
    expect(two.stderr).toBe('');
    expect(two.code).toBe(0);
    expect(one.code).toBe(0);
    const json = readFileSync(join(dir, 'two', 'sweep.json'), 'utf8');
    expect(readFileSync(join(dir, 'one', 'sweep.json'), 'utf8')).toBe(json);
    const sweep = JSON.parse(json);
    expect(sweep).toMatchObject({ scenario: 'small', seeds: { first: 1, count: 8 }, runs: 8, passed: true });
    expect(sweep.points[0].slos.map((s: { name: string; runs: number }) => [s.name, s.runs])).toEqual([
      ['crash detected', 8],
      ['web back', 8],
    ]);
    expect(readFileSync(join(dir, 'two', 'sweep.md'), 'utf8')).toContain('# Sweep: small');
    expect(two.stdout).toMatch(/✔ detection-time crash detected +100% +\S+ +\S+ +\S+ +\S+ +≤ 50s\n/);
    // Every run's result, by seed, with each SLO's value and verdict.
    const results = sweep.points[0].results;
    expect(results.map((r: { seed: number }) => r.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results[0].slos[0]).toMatchObject({ name: 'crash detected', passed: true });
    expect(typeof results[0].slos[0].value).toBe('number');
    expect(readFileSync(join(dir, 'two', 'sweep.html'), 'utf8')).toContain('<h2>crash detected');
    expect(readFileSync(join(dir, 'two', 'junit.xml'), 'utf8')).toContain(
      '<testcase classname="small [all runs]" name="crash detected"',
    );
    expect(two.stdout).toMatch(/8 runs in \S+ wall \(2 workers\)/);
  });

  it('gives the same sweep.json when the jobs do not divide evenly among workers that hold two jobs each', () => {
    // 3 runs over 2 workers: the first is handed seeds 1 and 2 at once, the second seed 3 alone, and the
    // runs finish out of order; the report is still by seed.
    const three = hasim(['sweep', 'small.yaml', '--seeds', '3', '--workers', '2', '--out', 'three'], dir);
    const one = hasim(['sweep', 'small.yaml', '--seeds', '3', '--workers', '1', '--out', 'one-of-three'], dir);
    expect(three.code).toBe(0);
    expect(one.code).toBe(0);
    const json = readFileSync(join(dir, 'three', 'sweep.json'), 'utf8');
    expect(readFileSync(join(dir, 'one-of-three', 'sweep.json'), 'utf8')).toBe(json);
    expect(JSON.parse(json).points[0].results.map((r: { seed: number }) => r.seed)).toEqual([1, 2, 3]);
    expect(three.stdout).toMatch(/3 runs in \S+ wall \(2 workers\)/);
  });

  it('--grid sweeps a field: two grace periods give two points with different detection times', () => {
    const r = hasim(
      [
        'sweep',
        'small.yaml',
        '--seeds',
        '6',
        '--workers',
        '2',
        '--grid',
        `${GRACE}=20s,40s`,
        '--format',
        'json',
        '--out',
        'grid',
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sweep = JSON.parse(r.stdout);
    expect(sweep.stats.workers).toBe(2);
    expect(sweep.points.map((p: { sets: string[] }) => p.sets)).toEqual([[`${GRACE}=20s`], [`${GRACE}=40s`]]);
    const [fast, slow] = sweep.points.map(
      (p: { slos: Array<{ measured: { min: number; max: number } }> }) => p.slos[0].measured,
    );
    // The grace period is counted from the last lease renewal, 0-10 s before the crash, plus up to one 5 s pass.
    expect(fast.max).toBeLessThanOrEqual(25_100);
    expect(slow.min).toBeGreaterThanOrEqual(30_000);
    expect(slow.min - fast.min).toBeGreaterThanOrEqual(15_000);
  });

  it('exits 1 when an SLO holds in fewer runs than --min-pass-rate, listing the failing seeds with reproduce commands', () => {
    const tight = [
      'sweep',
      'small.yaml',
      '--seeds',
      '8',
      '--workers',
      '2',
      '--set',
      'spec.slos[0].max=35s',
      '--out',
      'tight',
    ];
    const r = hasim([...tight, '--min-pass-rate', '0.99'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✘ detection-time crash detected +\d+(\.\d)?% \(\d\/8\)/);
    expect(r.stdout).toMatch(
      /hasim run small\.yaml --seed \d+ --set 'spec\.slos\[0\]\.max=35s'|hasim run small\.yaml --seed \d+ --set spec\.slos\[0\]\.max=35s/,
    );
    expect(r.stdout).toContain('below 99% (--min-pass-rate 0.99)');
    expect(hasim([...tight, '--min-pass-rate', '0', '--quiet'], dir)).toMatchObject({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('exits 2 on a misspelt --grid path with a did-you-mean, having run nothing', () => {
    const r = hasim(
      [
        'sweep',
        'small.yaml',
        '--grid',
        'spec.kubernetes.controllerManager.nodeMonitorGracePerod=20s,40s',
        '--grid',
        'spec.duration=1m,2',
      ],
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--grid:1:1: error: spec.kubernetes.controllerManager.nodeMonitorGracePerod: unknown field "nodeMonitorGracePerod" in spec.kubernetes.controllerManager (did you mean "nodeMonitorGracePeriod"?)',
    );
    expect(r.stderr).toContain('--grid:2:1: error: spec.duration: value "2": expected a duration with a unit');
    // Found in both grid points, reported once.
    expect(r.stderr.match(/nodeMonitorGracePerod"/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('exits 2 on bad flags, all reported at once', () => {
    const r = hasim(['sweep', 'small.yaml', '--seeds', '0', '--workers', 'x', '--min-pass-rate', '1.5'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seeds must be a whole number 1 or more');
    expect(r.stderr).toContain('--workers must be a whole number 1 or more');
    expect(r.stderr).toContain('--min-pass-rate must be a number from 0 to 1');
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

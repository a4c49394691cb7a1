// Installing hasim as a user does (issue 19): `npm pack` the package, `npm install -g` the tarball into a
// scratch prefix, and run the installed `hasim` from a directory outside the repository. Needs the npm
// registry or the npm cache for the runtime dependencies. The package is packed with --ignore-scripts:
// `npm test` has just built dist/ (pretest), and prepare would only build it again.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HASIM_VERSION } from '../../src/trace/version.js';

const REPO = process.cwd();
const root = mkdtempSync(join(tmpdir(), 'hasim-install-'));
const prefix = join(root, 'prefix');
const work = join(root, 'elsewhere');
const bin = join(prefix, 'bin', 'hasim');
const installed = join(prefix, 'lib', 'node_modules', 'hasim');

/** The environment without the npm settings `npm test` passes down (a global flag, a prefix). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  return env;
}

function check(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  return check(spawnSync('npm', args, { cwd, encoding: 'utf8', env: cleanEnv() }), `npm ${args.join(' ')}`);
}

function hasim(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { cwd: work, encoding: 'utf8', env: cleanEnv() });
}

beforeAll(() => {
  npm(['pack', '--ignore-scripts', '--pack-destination', root, '--silent'], REPO);
  const tarball = readdirSync(root).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  npm(['install', '-g', '--prefix', prefix, join(root, tarball), '--no-audit', '--no-fund'], root);
  mkdirSync(work);
}, 120_000);

it('installs a hasim command that prints its version', () => {
  const r = check(hasim(['--version']), 'hasim --version');
  expect(r.stdout.trim()).toBe(HASIM_VERSION);
});

it('ships the scenarios library, the schema, the docs and the licence, and not the tests', () => {
  expect(readdirSync(join(installed, 'scenarios')).sort()).toEqual(readdirSync(join(REPO, 'scenarios')).sort());
  expect(readFileSync(join(installed, 'schema', 'scenario.schema.json'), 'utf8')).toBe(
    check(hasim(['schema']), 'hasim schema').stdout,
  );
  expect(existsSync(join(installed, 'LICENSE'))).toBe(true);
  expect(existsSync(join(installed, 'docs', 'scenario-format.md'))).toBe(true);
  expect(existsSync(join(installed, 'test'))).toBe(false);
  expect(existsSync(join(installed, 'dist', 'test'))).toBe(false);
});

it('runs a scenario kept in another directory, and the built-in demo', () => {
  copyFileSync(join(REPO, 'scenarios', 'node-crash.yaml'), join(work, 'my-cluster.yaml'));
  const r = hasim(['run', 'my-cluster.yaml', '--seed', '3']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('Report: reports/node-crash/report.html');
  const summary = JSON.parse(readFileSync(join(work, 'reports', 'node-crash', 'summary.json'), 'utf8'));
  expect(summary).toMatchObject({ hasimVersion: HASIM_VERSION, seed: 3, passed: true });
  expect(check(hasim(['run', '--quiet']), 'hasim run (demo)').status).toBe(0);
  expect(existsSync(join(work, 'reports', 'demo', 'report.html'))).toBe(true);
  expect(check(hasim(['validate', join(installed, 'scenarios', 'zone-outage.yaml')]), 'validate').stdout).toContain(
    'zone-outage.yaml: valid',
  );
});

it('runs a sweep in 3 shards there and merges them into the same report as the sweep on one machine', () => {
  copyFileSync(join(REPO, 'scenarios', 'node-crash.yaml'), join(work, 'sweep-me.yaml'));
  const sweep = ['sweep', 'sweep-me.yaml', '--seeds', '3', '--workers', '2', '--quiet'];
  check(hasim([...sweep, '--out', 'whole']), 'hasim sweep');
  for (const k of [1, 2, 3]) check(hasim([...sweep, '--shard', `${k}/3`, '--out', 'shards']), `shard ${k}`);
  check(hasim(['sweep', 'merge', 'shards', '--out', 'merged', '--quiet']), 'hasim sweep merge');
  for (const f of ['sweep.json', 'sweep.md'])
    expect(readFileSync(join(work, 'merged', f), 'utf8')).toBe(readFileSync(join(work, 'whole', f), 'utf8'));
});

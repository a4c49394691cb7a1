// Reproducible artefacts (issue 19): every output says which hasim made it, the report folder keeps the
// scenario as it was run (scenario.resolved.yaml), running that file gives the same trace byte for byte,
// reproduce lines paste into bash and zsh alike, and a run never overwrites an earlier run's folder
// unless told to.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJsonl } from '../../src/engine/index.js';
import { reproduceCommand, runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { resolvedScenarioYaml } from '../../src/scenario/resolved.js';
import { HASIM_VERSION } from '../../src/trace/version.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const SCENARIOS = join(process.cwd(), 'scenarios');

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'hasim-repro-'));
const withoutOrigin = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'origin' ? undefined : x)));

it('the version in src/trace/version.ts is the one in package.json', () => {
  expect(HASIM_VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
});

describe('scenario.resolved.yaml replays the run byte for byte', () => {
  const files = readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it.each(files)('%s, seed 2: the resolved file parses to the same scenario and gives the same trace', (file) => {
    const parsed = parseScenarioText(readFileSync(join(SCENARIOS, file), 'utf8'), { file });
    if (!parsed.ok) throw new Error(`${file} does not validate`);
    const original = runScenario(parsed.scenario, { seed: 2 });
    const text = resolvedScenarioYaml(parsed.scenario, 2, { hasimVersion: HASIM_VERSION, file });
    const again = parseScenarioText(text, { file: 'scenario.resolved.yaml' });
    if (!again.ok)
      throw new Error(`the resolved ${file} does not validate:\n${again.issues.map((i) => i.message).join('\n')}`);
    expect(again.warnings).toEqual([]);
    expect(again.scenario.spec.seed).toBe(2);
    expect(withoutOrigin(again.scenario)).toEqual(
      withoutOrigin({ ...parsed.scenario, spec: { ...parsed.scenario.spec, seed: 2 } }),
    );
    expect(toJsonl(runScenario(again.scenario, { seed: 2 }).events)).toBe(toJsonl(original.events));
  });

  it('through the CLI, with --set flags (one of them a list index) and --seed', () => {
    const dir = tmp();
    const sets = ['spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s', 'spec.slos[0].max=5s'];
    const first = hasim(
      ['run', join(SCENARIOS, 'node-crash.yaml'), '--seed', '7', '--out', 'a', ...sets.flatMap((s) => ['--set', s])],
      dir,
    );
    expect(first.code).toBe(1);
    const resolved = readFileSync(join(dir, 'a', 'scenario.resolved.yaml'), 'utf8');
    expect(resolved).toContain('nodeMonitorGracePeriod: 20s');
    expect(resolved).toContain(`hasim ${HASIM_VERSION}`);
    const again = hasim(['run', 'a/scenario.resolved.yaml', '--seed', '7', '--out', 'b'], dir);
    expect(again.code).toBe(1);
    expect(readFileSync(join(dir, 'b', 'events.jsonl'), 'utf8')).toBe(
      readFileSync(join(dir, 'a', 'events.jsonl'), 'utf8'),
    );
    // spec.seed is the run's seed, so --seed may be left out.
    hasim(['run', 'a/scenario.resolved.yaml', '--out', 'c'], dir);
    expect(readFileSync(join(dir, 'c', 'events.jsonl'), 'utf8')).toBe(
      readFileSync(join(dir, 'a', 'events.jsonl'), 'utf8'),
    );
  });
});

describe('the version is in every output of a run', () => {
  it('summary.json, run.started, report.html, report.md and junit.xml; hasim --version prints it', () => {
    const dir = tmp();
    const r = hasim(['run', join(SCENARIOS, 'node-crash.yaml'), '--out', 'o', '--quiet'], dir);
    expect(r.code).toBe(0);
    const out = (f: string) => readFileSync(join(dir, 'o', f), 'utf8');
    expect(JSON.parse(out('summary.json')).hasimVersion).toBe(HASIM_VERSION);
    expect(JSON.parse(out('events.jsonl').split('\n')[0])).toMatchObject({
      type: 'run.started',
      hasimVersion: HASIM_VERSION,
    });
    expect(out('report.html')).toContain(`Made by hasim ${HASIM_VERSION}`);
    expect(out('report.md')).toContain(`Made by hasim ${HASIM_VERSION}`);
    expect(out('junit.xml')).toContain(`<property name="hasimVersion" value="${HASIM_VERSION}"/>`);
    const v = hasim(['--version'], dir);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(HASIM_VERSION);
  });
});

describe('reproduce lines paste into bash and zsh alike', () => {
  it('quotes every --set value and any path a shell would expand', () => {
    expect(reproduceCommand(3, { scenarioArg: 'scenarios/node-crash.yaml', sets: ['spec.slos[0].max=5m'] })).toBe(
      "hasim run scenarios/node-crash.yaml --seed 3 --set 'spec.slos[0].max=5m'",
    );
    expect(reproduceCommand(3, { scenarioArg: 'my runs/[a]*.yaml', sets: ["metadata.description=it's"] })).toBe(
      `hasim run 'my runs/[a]*.yaml' --seed 3 --set 'metadata.description=it'\\''s'`,
    );
  });

  // bash -O failglob fails on an unmatched glob as zsh does ("no matches found"), so the check runs even
  // where zsh is not installed.
  const shells: Array<[string, string[]]> = [
    ['bash', []],
    ['bash', ['-O', 'failglob']],
    ['zsh', []],
  ];
  for (const [shell, flags] of shells) {
    const available = spawnSync(shell, ['-c', 'true']).status === 0;
    (available ? it : it.skip)(`${[shell, ...flags].join(' ')} passes the quoted words to hasim unchanged`, () => {
      const line = reproduceCommand(3, {
        scenarioArg: 'a b/[x]*.yaml',
        sets: ['spec.slos[0].max=5m', "x=it's {a,b}"],
      });
      // `hasim` replaced by printf: each word on its own line, as the shell split and unquoted it.
      const r = spawnSync(shell, [...flags, '-c', line.replace(/^hasim/, "printf '%s\\n'")], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n').slice(0, -1)).toEqual([
        'run',
        'a b/[x]*.yaml',
        '--seed',
        '3',
        '--set',
        'spec.slos[0].max=5m',
        '--set',
        "x=it's {a,b}",
      ]);
    });
  }
  it('an unquoted --set value with [0] is what fails in zsh (the check above can fail)', () => {
    const r = spawnSync('bash', ['-O', 'failglob', '-c', "printf '%s\\n' --set spec.slos[0].max=5m"], {
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
  });
});

describe('a run never overwrites an earlier run unless told to', () => {
  it('the default folder taken, the run goes to reports/<name>-2/; --force overwrites; --out is used as given', () => {
    const dir = tmp();
    const scenario = join(SCENARIOS, 'node-crash.yaml');
    expect(hasim(['run', scenario, '--quiet'], dir).code).toBe(0);
    writeFileSync(join(dir, 'reports', 'node-crash', 'notes.txt'), 'mine');
    const second = hasim(['run', scenario], dir);
    expect(second.stderr).toContain(
      'reports/node-crash/ holds an earlier run, so this one goes to reports/node-crash-2/',
    );
    expect(second.stdout).toContain('reports/node-crash-2');
    expect(existsSync(join(dir, 'reports', 'node-crash-2', 'summary.json'))).toBe(true);
    expect(hasim(['run', scenario, '--quiet'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'reports', 'node-crash-3', 'summary.json'))).toBe(true);
    // --force replaces an earlier run's files, never a folder that also holds the user's own.
    const refused = hasim(['run', scenario, '--force', '--seed', '9'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the folder holds files hasim did not write (notes.txt)');
    rmSync(join(dir, 'reports', 'node-crash', 'notes.txt'));
    const forced = hasim(['run', scenario, '--force', '--seed', '9'], dir);
    expect(forced.stderr).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'node-crash', 'summary.json'), 'utf8')).seed).toBe(9);
    expect(hasim(['run', scenario, '--out', 'reports/node-crash', '--seed', '10', '--quiet'], dir).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'node-crash', 'summary.json'), 'utf8')).seed).toBe(10);
    expect(existsSync(join(dir, 'reports', 'node-crash-4'))).toBe(false);
  });
});

describe('a sweep never overwrites an earlier sweep unless told to', () => {
  it('goes to reports/<name>-sweep-2/ and records the version in sweep.json and sweep.md', () => {
    const dir = tmp();
    const args = ['sweep', join(SCENARIOS, 'node-crash.yaml'), '--seeds', '2', '--workers', '1', '--quiet'];
    expect(hasim(args, dir).code).toBe(0);
    expect(hasim(args, dir).code).toBe(0);
    const second = join(dir, 'reports', 'node-crash-sweep-2');
    expect(JSON.parse(readFileSync(join(second, 'sweep.json'), 'utf8')).hasimVersion).toBe(HASIM_VERSION);
    expect(readFileSync(join(second, 'sweep.md'), 'utf8')).toContain(`Made by hasim ${HASIM_VERSION}`);
    expect(hasim([...args, '--force'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'reports', 'node-crash-sweep-3'))).toBe(false);
  });
});

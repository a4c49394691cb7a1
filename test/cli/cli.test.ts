// The CLI as a user meets it: the built binary, real files, exit codes (README.md#commands) and no stack traces.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HASIM_VERSION } from '../../src/trace/version.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

function hasim(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'hasim-cli-'));

const MINIMAL = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: tiny }
spec:
  duration: 2m
  nodes: [{ name: worker, count: 2, zone: zone-a }]
  workloads:
    - { kind: Deployment, name: web, replicas: 2 }
  slos:
    - { name: never two leaders, type: max-concurrent-leaders, component: kube-controller-manager, max: 1 }
`;

describe('hasim run', () => {
  it('writes every report file and exits 0 when the SLOs hold', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tiny.yaml'), MINIMAL);
    const r = hasim(['run', 'tiny.yaml', '--out', 'out'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('seed 1');
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'events.jsonl',
      'junit.xml',
      'report.html',
      'report.md',
      'scenario.resolved.yaml',
      'summary.json',
      'timeline.svg',
    ]);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      hasimVersion: HASIM_VERSION,
      scenario: 'tiny',
      seed: 1,
      durationMs: 120000,
      // No version in the file: the newest profile.
      kubernetesVersion: '1.37',
      passed: true,
    });
  });

  it('exits 1 on a violated SLO and prints the command that reproduces it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tiny.yaml'), MINIMAL.replace('max: 1 }', 'max: 0 }'));
    const r = hasim(['run', 'tiny.yaml', '--seed', '5', '--out', 'out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('hasim run tiny.yaml --seed 5');
  });

  it('--format json prints the summary object, --set overrides a field and joins the reproduce line', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tiny.yaml'), MINIMAL);
    const r = hasim(['run', 'tiny.yaml', '--format', 'json', '--out', 'o', '--set', 'spec.duration=90s'], { cwd: dir });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.durationMs).toBe(90000);
    expect(s.reproduce).toBe("hasim run tiny.yaml --seed 1 --set 'spec.duration=90s'");
  });

  it('--quiet prints nothing', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tiny.yaml'), MINIMAL);
    const r = hasim(['run', 'tiny.yaml', '--quiet', '--out', 'o'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('bad input exits 2 with a clear message and no stack trace, having simulated nothing', () => {
  const cases: Array<[string, (dir: string) => string[], RegExp]> = [
    ['a missing file', () => ['run', 'nope.yaml'], /nope\.yaml:1:1: error: .*no such file/i],
    [
      'a directory',
      (d) => {
        mkdirSync(join(d, 'adir'));
        return ['run', 'adir'];
      },
      /adir.*error: .*directory/i,
    ],
    [
      'an empty file',
      (d) => {
        writeFileSync(join(d, 'e.yaml'), '');
        return ['run', 'e.yaml'];
      },
      /e\.yaml.*error: .*empty/i,
    ],
    [
      'a YAML syntax error',
      (d) => {
        writeFileSync(join(d, 's.yaml'), 'spec: [unclosed\n');
        return ['run', 's.yaml'];
      },
      /s\.yaml:\d+:\d+: error:/,
    ],
    [
      'a 50 MB file',
      (d) => {
        writeFileSync(join(d, 'big.yaml'), '#'.repeat(50 * 1024 * 1024));
        return ['run', 'big.yaml'];
      },
      /big\.yaml.*50\.0 MB/,
    ],
    [
      'a YAML alias bomb',
      (d) => {
        const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
        for (let i = 1; i < 9; i++)
          lines.push(
            `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
              .fill('*' + String.fromCharCode(96 + i))
              .join(',')}]`,
          );
        writeFileSync(join(d, 'bomb.yaml'), lines.join('\n') + '\n');
        return ['run', 'bomb.yaml'];
      },
      /bomb\.yaml.*error: .*alias/i,
    ],
    [
      'a misspelt key',
      (d) => {
        writeFileSync(join(d, 'k.yaml'), MINIMAL.replace('duration: 2m', 'durration: 2m'));
        return ['run', 'k.yaml'];
      },
      /k\.yaml:5:3: error: spec: unknown field "durration" \(did you mean "duration"\?\)/,
    ],
    [
      'a Kubernetes version newer than the newest profile',
      (d) => {
        writeFileSync(
          join(d, 'v.yaml'),
          MINIMAL.replace('  duration: 2m\n', '  duration: 2m\n  kubernetes: { version: "1.38" }\n'),
        );
        return ['run', 'v.yaml'];
      },
      /v\.yaml:6:26: error: spec\.kubernetes\.version: hasim knows Kubernetes up to 1\.37; this scenario asks for "1\.38"/,
    ],
    [
      'a Kubernetes version older than the oldest profile, given with --set',
      (d) => {
        writeFileSync(join(d, 't.yaml'), MINIMAL);
        return ['run', 't.yaml', '--set', 'spec.kubernetes.version="1.20"'];
      },
      /error: spec\.kubernetes\.version: hasim knows Kubernetes from 1\.26 to 1\.37; "1\.20" is older than its oldest profile/,
    ],
    ['an unknown flag', () => ['run', '--sed', '3'], /Unknown argument: sed/],
    ['an unknown command', () => ['runn'], /Unknown argument: runn|Did you mean run/],
    [
      'a bad seed',
      (d) => {
        writeFileSync(join(d, 't.yaml'), MINIMAL);
        return ['run', 't.yaml', '--seed', '-3'];
      },
      /--seed must be a whole number/,
    ],
    [
      'a bad --set path',
      (d) => {
        writeFileSync(join(d, 't.yaml'), MINIMAL);
        return ['run', 't.yaml', '--set', 'spec.duraton=1m'];
      },
      /--set:1:1: error: .*duraton.*did you mean/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const dir = tmp();
      const r = hasim(args(dir), { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
      expect(existsSync(join(dir, 'reports'))).toBe(false);
    });
  }
});

describe('hasim validate, schema, report', () => {
  it('validate exits 0 for good files and 2 listing every problem of bad ones', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'good.yaml'), MINIMAL);
    writeFileSync(
      join(dir, 'bad.yaml'),
      MINIMAL.replace('kind: Deployment', 'kind: Deploymnet').replace('duration: 2m', 'duration: 2'),
    );
    expect(hasim(['validate', 'good.yaml'], { cwd: dir }).code).toBe(0);
    const r = hasim(['validate', 'good.yaml', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('good.yaml: valid');
    expect(r.stderr).toContain('did you mean "Deployment"');
    expect(r.stderr).toContain('bare number 2');
  });

  it('schema prints the JSON Schema that is committed in schema/ for editors', () => {
    const r = hasim(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).title).toBe('hasim scenario');
    expect(r.stdout).toBe(readFileSync(join(process.cwd(), 'schema', 'scenario.schema.json'), 'utf8'));
  });

  it('report re-renders a saved run, and rejects a folder that is not one', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tiny.yaml'), MINIMAL);
    expect(hasim(['run', 'tiny.yaml', '--out', 'run1', '--quiet'], { cwd: dir }).code).toBe(0);
    const before = readFileSync(join(dir, 'run1', 'report.html'), 'utf8');
    const r = hasim(['report', 'run1', '--out', 'again'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'again', 'report.html'), 'utf8')).toBe(before);
    mkdirSync(join(dir, 'empty'));
    const bad = hasim(['report', 'empty'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('summary.json: error: missing');
  });
});

describe('the heap hasim runs with', () => {
  it('starts node with the semi-space size the benchmark measured, from the script itself and from npm start', async () => {
    const { SEMI_SPACE_FLAG } = await import('../../src/cli/heap.js');
    // The script's first line: `hasim` run from a shell starts node with the flag (env -S splits it).
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${SEMI_SPACE_FLAG}`);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain(`node ${SEMI_SPACE_FLAG} `);
  });

  it('runs as a script straight from the shell, with the flag taken by node', () => {
    const r = spawnSync(BIN, ['validate', join('scenarios', 'node-crash.yaml')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

// Where the reports go: a wrong --out or an unwritable stdout is bad input (exit 2, one plain line,
// found before anything is simulated where it can be); the report folder is replaced as one set, never
// holds two runs, and what a killed run left behind is cleaned up. SIGINT/SIGTERM stop cleanly.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const REPORT_FILES = [
  'events.jsonl',
  'junit.xml',
  'report.html',
  'report.md',
  'scenario.resolved.yaml',
  'summary.json',
  'timeline.svg',
];

function hasim(args: string[], cwd: string, stdio?: 'dev-full') {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
    ...(stdio === 'dev-full' ? { stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'] } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SCENARIO = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: tiny }
spec:
  duration: 2m
  nodes: [{ name: worker, count: 2, zone: zone-a }]
  workloads: [{ kind: Deployment, name: web, replicas: 2 }]
`;

// About 300 nodes for an hour: a few seconds, long enough to be interrupted.
const LONG = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: long }
spec:
  duration: 1h
  nodes:
    - { name: a, count: 100, zone: zone-a }
    - { name: b, count: 100, zone: zone-b }
    - { name: c, count: 100, zone: zone-c }
  workloads: [{ kind: Deployment, name: web, replicas: 900 }]
  faults: [{ name: out, type: zone-outage, at: 10m, duration: 15m, target: { zone: zone-a } }]
`;

function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-out-'));
  writeFileSync(join(dir, 'tiny.yaml'), SCENARIO);
  writeFileSync(join(dir, 'long.yaml'), LONG);
  // Long enough that a signal sent half a second into the run always finds it simulating.
  writeFileSync(join(dir, 'longer.yaml'), LONG.replace('duration: 1h', 'duration: 12h'));
  return dir;
}

const seedOf = (dir: string): number => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).seed;

describe('a wrong --out is bad input, found before the simulation', () => {
  it.each([
    ['an empty --out', ['--out', ''], 'hasim: --out is empty; name a folder for the report files\n'],
    [
      'a file',
      ['--out', 'tiny.yaml'],
      'hasim: --out tiny.yaml: is a file, not a folder; name a folder for the report files\n',
    ],
    [
      'a path through a file',
      ['--out', 'tiny.yaml/reports'],
      'hasim: --out tiny.yaml/reports: cannot be used: a part of the path is a file, not a folder\n',
    ],
  ])('%s', (_what, flags, message) => {
    const dir = setup();
    const r = hasim(['run', 'tiny.yaml', ...flags], dir);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('a folder holding files hasim did not write is left alone', () => {
    const dir = setup();
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const r = hasim(['run', 'tiny.yaml', '--out', 'mine'], dir);
    expect(r.stderr).toBe(
      'hasim: --out mine: the folder holds files hasim did not write (notes.txt); the report files replace the folder as a whole, so name a new or empty folder, or one an earlier run wrote\n',
    );
    expect(r.code).toBe(2);
    expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
  });

  it('stdout on a full device gives exit 2 and one line', () => {
    if (!existsSync('/dev/full')) return;
    const dir = setup();
    const r = hasim(['run', 'tiny.yaml', '--out', 'out', '--format', 'json'], dir, 'dev-full');
    expect(r.stderr).toBe('hasim: cannot write to standard output: no space left on the device\n');
    expect(r.code).toBe(2);
  });
});

describe('the report folder is one set', () => {
  it('a second run replaces the first as a whole and leaves nothing beside it', () => {
    const dir = setup();
    expect(hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet'], dir).code).toBe(0);
    expect(hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet', '--seed', '2'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(REPORT_FILES);
    expect(seedOf(join(dir, 'out'))).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'longer.yaml', 'out', 'tiny.yaml']);
    // hasim report checks the pair: it would refuse a summary and a trace of different runs.
    expect(hasim(['report', 'out', '--quiet'], dir).code).toBe(0);
  });

  it("a killed run's staging folder and lock are cleaned up by the next run", () => {
    const dir = setup();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    mkdirSync(join(dir, `.out.tmp-${pid}-abcdef`));
    writeFileSync(join(dir, `.out.tmp-${pid}-abcdef`, 'events.jsonl'), '{"half":');
    writeFileSync(join(dir, '.out.lock'), `${pid}\n`);
    expect(hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet'], dir).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'longer.yaml', 'out', 'tiny.yaml']);
  });

  it('a set renamed aside by a run killed between its two renames is not left behind', () => {
    const dir = setup();
    expect(hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet'], dir).code).toBe(0);
    spawnSync('mv', [join(dir, 'out'), join(dir, '.out.old-abcdef')]);
    // A run that fails validation writes nothing; one that starts restores the set first.
    const r = hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet', '--set', 'spec.duration=1h'], dir);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(REPORT_FILES);
    expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'longer.yaml', 'out', 'tiny.yaml']);
  });

  it('a second run on a folder another run is writing is refused', () => {
    const dir = setup();
    writeFileSync(join(dir, '.out.lock'), `${process.pid}\n`);
    const r = hasim(['run', 'tiny.yaml', '--out', 'out'], dir);
    expect(r.stderr).toBe(
      `hasim: --out out: another hasim (process ${process.pid}) is writing this folder; wait for it to finish or choose another --out\n`,
    );
    expect(r.code).toBe(2);
  });

  it('symbolic links planted beside --out are not followed', () => {
    const dir = setup();
    writeFileSync(join(dir, 'victim'), 'untouched');
    symlinkSync(join(dir, 'victim'), join(dir, '.out.lock'));
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, '.out.tmp-1-planted'));
    expect(hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('untouched');
    expect(readdirSync(join(dir, 'elsewhere'))).toEqual([]);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(REPORT_FILES);
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'linked'));
    const r = hasim(['run', 'tiny.yaml', '--out', 'linked'], dir);
    expect(r.stderr).toBe(
      'hasim: --out linked: is a symbolic link, not a folder; name a folder for the report files\n',
    );
    expect(r.code).toBe(2);
  });
});

/**
 * Runs `file` and sends `signal` once the run is under way (its staging folder exists, so its
 * handlers are installed) and `afterMs` more have passed.
 */
function runUntilSignalled(dir: string, signal: NodeJS.Signals, afterMs: number, file = 'long.yaml') {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', file, '--out', 'out', '--quiet'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (readdirSync(dir).some((f) => f.startsWith('.out.tmp-'))) {
        clearInterval(poll);
        setTimeout(() => child.kill(signal), afterMs);
      }
    }, 20);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

describe('SIGINT and SIGTERM stop a run cleanly', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, the previous set untouched, nothing left beside it', async (signal, code) => {
    const dir = setup();
    expect(hasim(['run', 'tiny.yaml', '--out', 'out', '--quiet', '--set', 'metadata.name=long'], dir).code).toBe(0);
    const before = readFileSync(join(dir, 'out', 'events.jsonl'), 'utf8');
    const r = await runUntilSignalled(dir, signal, 500, 'longer.yaml');
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(`\nhasim: stopped by ${signal}; out left as it was\n`);
    expect(readFileSync(join(dir, 'out', 'events.jsonl'), 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'longer.yaml', 'out', 'tiny.yaml']);
  });

  it('SIGKILL at any moment leaves the previous complete set or the new one, never a mix', async () => {
    const dir = setup();
    expect(hasim(['run', 'long.yaml', '--out', 'out', '--quiet', '--seed', '1'], dir).code).toBe(0);
    for (const afterMs of [0, 800, 2_000]) {
      await runUntilSignalled(dir, 'SIGKILL', afterMs);
      const files = readdirSync(join(dir, 'out')).sort();
      expect(files).toEqual(REPORT_FILES);
      expect(hasim(['report', 'out', '--out', 'check', '--quiet'], dir).code).toBe(0);
    }
  });
});

describe('sweeps write and stop the same way', () => {
  it('a sweep refuses a file as --out before its first run, and SIGINT stops it with 130', async () => {
    const dir = setup();
    const r = hasim(['sweep', 'tiny.yaml', '--seeds', '2', '--out', 'tiny.yaml'], dir);
    expect(r.stderr).toBe('hasim: --out tiny.yaml: is a file, not a folder; name a folder for the report files\n');
    expect(r.code).toBe(2);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [BIN, 'sweep', 'long.yaml', '--seeds', '4', '--workers', '1', '--out', 'sw'],
        {
          cwd: dir,
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const poll = setInterval(() => {
        if (readdirSync(dir).some((f) => f.startsWith('.sw.tmp-'))) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      }, 20);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('hasim: stopped by SIGINT; sw left as it was\n');
    expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'longer.yaml', 'tiny.yaml']);
  });
});

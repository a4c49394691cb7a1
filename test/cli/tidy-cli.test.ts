// A fast and tidy command line (issue 19): standard input as `-`, one YAML syntax error instead of its
// cascade, run repeating validate's warnings, shell completion, FORCE_COLOR, did-you-mean for units,
// and validate/schema not loading the report stack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useColor } from '../../src/cli/tty.js';
import { parseDuration } from '../../src/scenario/units.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const NODE_CRASH = join(process.cwd(), 'scenarios', 'node-crash.yaml');

function hasim(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  delete env.FORCE_COLOR;
  if (opts.env?.FORCE_COLOR) env.FORCE_COLOR = opts.env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), 'hasim-tidy-')),
    encoding: 'utf8',
    input: opts.input ?? '',
    env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ZONE_OUTAGE_ONE_API_SERVER = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: warn }
spec:
  duration: 5m
  nodes: [{ name: w, count: 2, zone: zone-a }]
  faults:
    - { name: z, type: zone-outage, at: 1m, target: { zone: zone-a } }
`;

describe('- reads standard input', () => {
  it('validate - reports a YAML error in what was piped in and exits 2', () => {
    const r = hasim(['validate', '-'], { input: 'garbage: [\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>:\d+:\d+: error: YAML syntax error/);
  });

  it('validate - accepts a valid scenario, alongside files', () => {
    const r = hasim(['validate', '-', NODE_CRASH], { input: readFileSync(NODE_CRASH, 'utf8') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<stdin>: valid (9 nodes');
    expect(r.stdout).toContain('node-crash.yaml: valid');
  });

  it('run - runs it; the reproduce line names the resolved copy, which replays the run', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hasim-tidy-'));
    const text = readFileSync(NODE_CRASH, 'utf8');
    const r = hasim(['run', '-', '--out', 'o', '--seed', '4', '--set', 'spec.slos[0].max=1s'], { cwd, input: text });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Reproduce: hasim run o/scenario.resolved.yaml --seed 4');
    const again = hasim(['run', 'o/scenario.resolved.yaml', '--seed', '4', '--out', 'p'], { cwd });
    expect(again.code).toBe(1);
    expect(readFileSync(join(cwd, 'p', 'events.jsonl'), 'utf8')).toBe(
      readFileSync(join(cwd, 'o', 'events.jsonl'), 'utf8'),
    );
  });

  it('run - with nothing piped in says the input is empty', () => {
    const r = hasim(['run', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('<stdin>:1:1: error: the file is empty');
  });

  it('sweep - explains that a sweep needs a file', () => {
    const r = hasim(['sweep', '-'], { input: readFileSync(NODE_CRASH, 'utf8') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sweep reads its scenario from a file');
  });
});

describe('a YAML syntax error is reported alone and first', () => {
  it('a tab in the indentation is one error at its line, not a cascade', () => {
    const lines = readFileSync(NODE_CRASH, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('  kubernetes:')) + 1;
    lines[at] = lines[at].replace(/^ {4}/, '\t');
    const r = hasim(['validate', '-'], { input: lines.join('\n') });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `<stdin>:${at + 1}:1: error: YAML syntax error: a tab in the indentation\n  hint: YAML indentation must use spaces, not tabs\n`,
    );
  });

  it('without a tab: only the first error the parser met', () => {
    const r = hasim(['validate', '-'], { input: 'a: 1\nb: [1, 2\nc: {\n  d: ]\n' });
    expect(r.code).toBe(2);
    expect(r.stderr.match(/^<stdin>:\d+:\d+: error:/gm)).toHaveLength(1);
  });
});

describe('run repeats the warnings validate gives', () => {
  it('a zone outage that takes every API server is a warning on stderr for both', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hasim-tidy-'));
    writeFileSync(join(cwd, 'w.yaml'), ZONE_OUTAGE_ONE_API_SERVER);
    const v = hasim(['validate', 'w.yaml'], { cwd });
    const r = hasim(['run', 'w.yaml', '--format', 'json'], { cwd });
    expect(v.stderr).toContain('warning: spec.faults[0].target.zone: this outage takes down every kube-apiserver');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(v.stderr);
    expect(JSON.parse(r.stdout).scenario).toBe('warn');
  });
});

describe('hasim completion', () => {
  it('prints a bash completion script that asks hasim for completions', () => {
    const r = hasim(['completion'], { env: { SHELL: '/bin/bash' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o bashdefault -o default -F _hasim_yargs_completions hasim');
    expect(r.stdout).toContain('hasim --get-yargs-completions');
  });

  it('prints a zsh script under zsh', () => {
    expect(hasim(['completion'], { env: { SHELL: '/usr/bin/zsh' } }).stdout).toMatch(/^#compdef hasim/);
  });

  it('completes commands and the flags of a command', () => {
    expect(hasim(['--get-yargs-completions', 'hasim', '']).stdout.split('\n')).toEqual(
      expect.arrayContaining(['run', 'validate', 'sweep', 'report', 'schema', 'completion']),
    );
    expect(hasim(['--get-yargs-completions', 'hasim', 'run', '--s']).stdout.split('\n')).toEqual(
      expect.arrayContaining(['--seed', '--set']),
    );
  });
});

describe('colour', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  it('on a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR overrides both ways', () => {
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(useColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('FORCE_COLOR=1 colours the summary when stdout is a pipe', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hasim-tidy-'));
    const plain = hasim(['run', NODE_CRASH, '--out', 'a'], { cwd });
    const coloured = hasim(['run', NODE_CRASH, '--out', 'b'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    expect(coloured.stdout).toContain('\u001b[');
  });
});

describe('did you mean, for units', () => {
  it.each([
    ['7 min', '7m'],
    ['1 hour 30 minutes', '1h30m'],
    ['40S', '40s'],
    ['5m 30s', '5m30s'],
    ['250 msec', '250ms'],
  ])('"%s" suggests "%s"', (text, near) => {
    const r = parseDuration(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`invalid duration "${text}" (did you mean "${near}"?)`);
  });

  it('no suggestion without a clear reading', () => {
    for (const text of ['7 parsecs', 'soon']) {
      const r = parseDuration(text);
      if (r.ok) throw new Error(`${text} parsed`);
      expect(r.message).toBe(`invalid duration "${text}"`);
    }
  });

  it('through the CLI, pointing at the field', () => {
    const r = hasim(['validate', '-'], {
      input: ZONE_OUTAGE_ONE_API_SERVER.replace('duration: 5m', 'duration: 7 min'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('<stdin>:5:13: error: spec.duration: invalid duration "7 min" (did you mean "7m"?)');
  });
});

describe('validate and schema load no report renderer', () => {
  // An ESM loader hook prints every module it resolves, so the test sees what each command imported.
  const LOADER = `export async function resolve(specifier, context, next) { const r = await next(specifier, context); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }`;
  const loaded = (args: string[]): string => {
    const cwd = mkdtempSync(join(tmpdir(), 'hasim-tidy-'));
    const r = spawnSync(
      process.execPath,
      ['--no-warnings', '--experimental-loader', 'data:text/javascript,' + encodeURIComponent(LOADER), BIN, ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.status).toBe(0);
    return r.stderr;
  };

  it.each([[['validate', NODE_CRASH]], [['schema']], [['--version']]])('%j loads neither d3-node nor jsdom', (args) => {
    const modules = loaded(args);
    expect(modules).toMatch(/LOADED .*\/yargs\//);
    expect(modules).not.toMatch(/LOADED .*(d3-node|jsdom)/);
  });

  it('run does load them (the check above can fail)', () => {
    expect(loaded(['run', NODE_CRASH, '--quiet'])).toMatch(/LOADED .*d3-node/);
  });
});

// The fuzzer in CI: a fixed seed, a few hundred cases, through the built worker and binary. It fails
// when any case crashes, prints a stack trace, exits 3, runs over the time limit or the memory cap.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { mutate, schemaAt } from '../../tools/fuzz/mutate.js';
import { generateScenario } from '../../tools/fuzz/generate.js';
import { parseScenarioText } from '../../src/scenario/index.js';

const FUZZ = join(process.cwd(), 'dist', 'tools', 'fuzz', 'fuzz.js');

test('a fixed seed of 200 cases finds no crash, hang or out-of-memory', () => {
  const failures = join(mkdtempSync(join(tmpdir(), 'hasim-fuzz-test-')), 'failures');
  const r = spawnSync(
    process.execPath,
    [FUZZ, '--cases', '200', '--seed', '7', '--cli-every', '40', '--quiet', '--failures', failures],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(
    /^fuzz seed 7: 200 cases \(cases 0\.\.199\) in [\d.]+s: \d+ exit 0, \d+ exit 1, \d+ exit 2; \d+ run to the end, 5 through the binary; 0 failed\n$/,
  );
  expect(r.status).toBe(0);
});

test('a case number gives the same input every time', () => {
  const text = generateScenario(seedrandom.alea('g'), 1);
  const a = mutate(seedrandom.alea('m'), 'generated', text, []);
  const b = mutate(seedrandom.alea('m'), 'generated', text, []);
  expect(a).toEqual(b);
});

test('generated scenarios are mostly valid, so mutation starts from working input', () => {
  let valid = 0;
  for (let i = 0; i < 50; i++) {
    if (parseScenarioText(generateScenario(seedrandom.alea(`g${i}`), i), { file: 'g' }).ok) valid++;
  }
  expect(valid).toBeGreaterThanOrEqual(45);
});

test('the failures folder is only written when something failed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-fuzz-test-'));
  spawnSync(process.execPath, [FUZZ, '--cases', '5', '--quiet', '--cli-every', '0', '--failures', join(dir, 'f')]);
  expect(readdirSync(dir)).toEqual([]);
});

test('mutation finds the schema kind of a field, SLO variants by their type', () => {
  const doc = {
    spec: { duration: '5m', slos: [{ type: 'min-available', min: 1 }], faults: [{ target: { zone: 'a' } }] },
  };
  expect(schemaAt(doc, ['spec', 'duration'])?.kind).toBe('duration');
  expect(schemaAt(doc, ['spec', 'slos', 0, 'min'])?.kind).toBe('count');
  expect(schemaAt(doc, ['spec', 'faults', 0, 'target', 'zone'])?.kind).toBe('string');
  expect(schemaAt(doc, ['spec', 'nope'])).toBeUndefined();
});

import { chmodSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScenarioFile } from '../../src/cli/read-input.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hasim-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function message(path: string): string {
  const r = readScenarioFile(path);
  if (r.ok) throw new Error('expected a problem');
  return formatIssues(r.issues).replace(dir, '<dir>');
}

describe('reading scenario files', () => {
  test('a missing file', () => {
    expect(message(join(dir, 'nope.yaml'))).toBe('<dir>/nope.yaml:1:1: error: no such file');
  });

  test('a directory', () => {
    expect(message(dir)).toBe(
      '<dir>:1:1: error: is a directory, not a scenario file\n  hint: give the path of a .yaml file, e.g. scenarios/zone-a-outage.yaml',
    );
  });

  test('a file over 10 MB is refused without reading it', () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024);
    expect(message(big)).toBe('<dir>/big.yaml:1:1: error: file is 50.0 MB; scenario files are limited to 10 MB');
  });

  test('an empty file', () => {
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '\n  \n');
    expect(message(empty)).toBe(
      '<dir>/empty.yaml:1:1: error: the file is empty\n  hint: a scenario starts with "apiVersion: hasim.dev/v1" and "kind: Scenario"; run "hasim schema" for the format',
    );
  });

  test('a file that is not UTF-8 points at the first bad byte', () => {
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(
      latin1,
      Buffer.concat([Buffer.from('metadata:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    expect(message(latin1)).toBe(
      '<dir>/latin1.yaml:2:12: error: the file is not valid UTF-8 text\n  hint: save it as UTF-8; a binary file or another encoding (UTF-16, Latin-1) cannot be read',
    );
  });

  test('an unreadable file', () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const locked = join(dir, 'locked.yaml');
    writeFileSync(locked, 'a: 1\n');
    chmodSync(locked, 0o000);
    expect(message(locked)).toBe('<dir>/locked.yaml:1:1: error: permission denied: the file cannot be read');
  });

  test('a readable file returns its text without a byte-order mark', () => {
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, '\ufeffkind: Scenario\n');
    expect(readScenarioFile(ok)).toEqual({ ok: true, text: 'kind: Scenario\n' });
  });

  test('a file of comments only is empty too', () => {
    const r = parseScenarioText('# nothing here\n', { file: 'c.yaml' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toBe('the file is empty');
  });
});

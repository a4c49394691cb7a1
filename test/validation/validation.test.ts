// docs/validation.md compares hasim with published real-cluster figures, one row per figure, each with a
// scenario in scenarios/validation/ and a row in tools/validation.ts. These tests keep the three in step:
// every file has a row and every row a file and a line in the doc; every scenario holds its SLOs with its
// own seed, as every library scenario does; and one cheap row's figures, measured again over the seeds the
// doc states, still fall in the range the doc prints, so the doc cannot silently go stale on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { DEFAULT_SEEDS, ROWS, VALIDATION_DIR, measureRowOverSeeds, validationFiles } from '../../tools/validation.js';

const DOC = readFileSync(join('docs', 'validation.md'), 'utf8');

/** The doc's table line of a row (it names the row's id in backticks in its first cell). */
function docLine(id: string): string | undefined {
  return DOC.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
}

/** `29.2 s / 31.2 s / 33.2 s / 33.2 s` or `0 / 0 / 1 / 1` in a doc line, as [min, p50, p90, max] in ms or counts. */
function docFigures(line: string): number[] | undefined {
  const secs = /(\d+(?:\.\d+)?) s \/ (\d+(?:\.\d+)?) s \/ (\d+(?:\.\d+)?) s \/ (\d+(?:\.\d+)?) s/.exec(line);
  if (secs) return secs.slice(1, 5).map((v) => Math.round(Number(v) * 1000));
  const counts = /\| (\d+) \/ (\d+) \/ (\d+) \/ (\d+)\b/.exec(line);
  return counts ? counts.slice(1, 5).map(Number) : undefined;
}

it('every scenario in scenarios/validation/ is measured by a row, and every row names an existing file', () => {
  const files = validationFiles();
  expect(files.filter((f) => !ROWS.some((r) => r.file === f))).toEqual([]);
  expect(ROWS.filter((r) => !files.includes(r.file)).map((r) => r.id)).toEqual([]);
  expect(new Set(ROWS.map((r) => r.id)).size).toBe(ROWS.length);
});

it('every row has a line in docs/validation.md with a min / p50 / p90 / max figure', () => {
  for (const row of ROWS) {
    const line = docLine(row.id);
    if (line === undefined) throw new Error(`docs/validation.md has no table line for row ${row.id}`);
    if (docFigures(line) === undefined)
      throw new Error(`the line of row ${row.id} has no min / p50 / p90 / max: ${line}`);
  }
});

it.each(validationFiles())('%s holds its SLOs with its own seed', (file) => {
  const parsed = parseScenarioText(readFileSync(join(VALIDATION_DIR, file), 'utf8'), { file });
  if (!parsed.ok) throw new Error(`${file} does not validate: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const { summary } = runScenario(parsed.scenario);
  expect(summary.slos.filter((s) => !s.passed).map((s) => s.message)).toEqual([]);
});

it(`row kubespray-fast, seeds 1-${DEFAULT_SEEDS}: every run falls in the range docs/validation.md states`, () => {
  const row = ROWS.find((r) => r.id === 'kubespray-fast')!;
  const stated = docFigures(docLine(row.id) ?? '');
  if (stated === undefined) throw new Error('docs/validation.md states no figures for kubespray-fast');
  const [min, , , max] = stated;
  const { values, dist } = measureRowOverSeeds(row, DEFAULT_SEEDS);
  expect(dist.missing).toBe(0);
  // The table rounds to tenths of a second: a run may lie up to 50 ms beyond the figures as written.
  const outside = values.filter((v) => v === null || v < min - 50 || v > max + 50);
  if (outside.length > 0)
    throw new Error(
      `kubespray-fast measured ${values.join(', ')} ms; docs/validation.md states ${min}-${max} ms. ` +
        'Run `npm run validation` and refresh the table (and its verdicts).',
    );
});

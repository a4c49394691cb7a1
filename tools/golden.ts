// Golden traces: the SHA-256 of events.jsonl for every file in scenarios/ and scenarios/validation/
// (docs/validation.md), seeds 1-3, with heartbeats
// traced and not. The committed list (test/golden/golden.json) pins the model's behaviour: a change that
// moves one event of one run changes a hash, so every behaviour change is a decision named in a commit.
//
//   npm run golden              compare with the committed list (exit 1 on a difference)
//   npm run golden -- --update  write the list anew (a model change: name it in the commit message)
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from '../src/engine/index.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { parseScenarioText } from '../src/scenario/index.js';

export const GOLDEN_SEEDS = [1, 2, 3];
export const GOLDEN_FILE = join('test', 'golden', 'golden.json');

export interface GoldenCase {
  file: string;
  seed: number;
  heartbeats: boolean;
}

/** The key of a case in the list: `node-crash.yaml seed 2 heartbeats`. */
export function goldenKey(c: GoldenCase): string {
  return `${c.file} seed ${c.seed}${c.heartbeats ? ' heartbeats' : ''}`;
}

/** Folders under scenarios/ whose files are pinned too, named in the keys as `validation/file.yaml`. */
export const GOLDEN_SUBFOLDERS = ['validation'];

export function goldenCases(root = process.cwd()): GoldenCase[] {
  const yamlIn = (dir: string): string[] =>
    readdirSync(join(root, 'scenarios', dir))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => (dir === '' ? f : `${dir}/${f}`));
  const files = ['', ...GOLDEN_SUBFOLDERS].flatMap(yamlIn);
  const cases: GoldenCase[] = [];
  for (const file of files)
    for (const seed of GOLDEN_SEEDS) for (const heartbeats of [false, true]) cases.push({ file, seed, heartbeats });
  return cases;
}

/** Runs one case and returns the SHA-256 of its events.jsonl. */
export function goldenHash(c: GoldenCase, root = process.cwd()): string {
  const text = readFileSync(join(root, 'scenarios', c.file), 'utf8');
  const parsed = parseScenarioText(text, { file: c.file });
  if (!parsed.ok) throw new Error(`${c.file} does not validate: ${parsed.issues.map((i) => i.message).join('; ')}`);
  const events = runScenario(parsed.scenario, { seed: c.seed, traceHeartbeats: c.heartbeats }).events;
  return createHash('sha256').update(toJsonl(events)).digest('hex');
}

export function readGolden(root = process.cwd()): Record<string, string> {
  return JSON.parse(readFileSync(join(root, GOLDEN_FILE), 'utf8')) as Record<string, string>;
}

function main(argv: string[]): number {
  const update = argv.includes('--update');
  const root = process.cwd();
  const now: Record<string, string> = {};
  for (const c of goldenCases(root)) now[goldenKey(c)] = goldenHash(c, root);
  if (update) {
    writeFileSync(join(root, GOLDEN_FILE), JSON.stringify(now, null, 2) + '\n');
    console.log(`Wrote ${Object.keys(now).length} golden trace hashes to ${GOLDEN_FILE}.`);
    return 0;
  }
  const was = readGolden(root);
  const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
  const changed = keys.filter((k) => was[k] !== now[k]);
  for (const k of changed)
    console.log(`${was[k] === undefined ? 'new' : now[k] === undefined ? 'gone' : 'changed'}: ${k}`);
  if (changed.length === 0) {
    console.log(`All ${keys.length} golden traces unchanged.`);
    return 0;
  }
  console.log(
    `\n${changed.length} of ${keys.length} golden traces differ. If the model change is intended, run ` +
      '`npm run golden -- --update` and name the change in the commit message.',
  );
  return 1;
}

if (process.argv[1] && /golden\.(js|ts)$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));

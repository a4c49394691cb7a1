// Reads and validates a scenario file for the commands, turning every problem into BadInput.
import { relative } from 'node:path';
import { formatIssues, parseScenarioText } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { BadInput } from './exit-codes.js';
import { readScenarioFile, STDIN, STDIN_NAME } from './read-input.js';

export interface Loaded {
  scenario: Scenario;
  /** The file as the user named it (for messages and the reproduce line). */
  displayPath: string;
  warnings: string;
}

export function loadScenario(path: string, sets: string[] = [], opts: { allowLarge?: boolean } = {}): Loaded {
  const displayPath = displayPathOf(path);
  const read = readScenarioFile(path);
  if (!read.ok) throw new BadInput(formatIssues(read.issues.map((i) => ({ ...i, file: displayPath }))));
  const parsed = parseScenarioText(read.text, { file: displayPath, sets, allowLarge: opts.allowLarge });
  if (!parsed.ok) throw new BadInput(formatIssues(parsed.issues));
  return {
    scenario: parsed.scenario,
    displayPath,
    warnings: parsed.warnings.length ? formatIssues(parsed.warnings) : '',
  };
}

/** The --allow-large option, the same in run, validate and sweep. */
export const ALLOW_LARGE_OPTION = {
  type: 'boolean',
  default: false,
  describe:
    "lift the size limits (Kubernetes' supported 5,000 nodes, 150,000 pods, 110 pods per node; 24h of virtual time; ...) to hasim's ceilings",
} as const;

export function displayPathOf(path: string): string {
  if (path === STDIN) return STDIN_NAME;
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

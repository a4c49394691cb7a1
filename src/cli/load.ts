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

export function loadScenario(path: string, sets: string[] = []): Loaded {
  const displayPath = displayPathOf(path);
  const read = readScenarioFile(path);
  if (!read.ok) throw new BadInput(formatIssues(read.issues.map((i) => ({ ...i, file: displayPath }))));
  const parsed = parseScenarioText(read.text, { file: displayPath, sets });
  if (!parsed.ok) throw new BadInput(formatIssues(parsed.issues));
  return {
    scenario: parsed.scenario,
    displayPath,
    warnings: parsed.warnings.length ? formatIssues(parsed.warnings) : '',
  };
}

export function displayPathOf(path: string): string {
  if (path === STDIN) return STDIN_NAME;
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

// Parsing a scenario text in a test: the scenario, its errors or its warnings, formatted as the CLI prints them.
import { formatIssues, parseScenarioText, type Scenario } from '../../src/scenario/index.js';

export function parse(text: string) {
  return parseScenarioText(text, { file: 'test.yaml' });
}

export function load(text: string): Scenario {
  const r = parse(text);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.scenario;
}

export function problems(text: string): string {
  const r = parse(text);
  if (r.ok) throw new Error(`expected problems, got warnings:\n${formatIssues(r.warnings)}`);
  return formatIssues(r.issues);
}

export function warnings(text: string): string[] {
  const r = parse(text);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return formatIssues(r.warnings)
    .split('\n')
    .filter((l) => l.includes('warning:'));
}

// Determinism is a product feature: every scenario in scenarios/ run twice with one seed gives a
// byte-identical trace, and another seed gives another trace where randomness is used. On a
// divergence the test names the first differing event and its virtual time (as madsim does).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonl } from '../../src/engine/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';

const DIR = join(process.cwd(), 'scenarios');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

function load(file: string): Scenario {
  const parsed = parseScenarioText(readFileSync(join(DIR, file), 'utf8'), { file });
  if (!parsed.ok) throw new Error(`${file} does not validate:\n${parsed.issues.map((i) => i.message).join('\n')}`);
  return parsed.scenario;
}

function firstDivergence(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  first run:  ${la[i]}\n  second run: ${lb[i]}`;
  }
  return 'none';
}

describe.each(files)('%s', (file) => {
  it('gives a byte-identical trace when run twice with one seed', () => {
    const scenario = load(file);
    const a = toJsonl(runScenario(scenario).events);
    const b = toJsonl(runScenario(scenario).events);
    if (a !== b) throw new Error(`traces diverge at ${firstDivergence(a, b)}`);
    expect(a.length).toBeGreaterThan(0);
  });

  it('gives a different trace with a different seed', () => {
    const scenario = load(file);
    const a = toJsonl(runScenario(scenario, { seed: 1001 }).events);
    const b = toJsonl(runScenario(scenario, { seed: 1002 }).events);
    expect(a).not.toBe(b);
  });
});

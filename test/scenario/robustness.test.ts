import { readFileSync } from 'node:fs';
import { parseScenarioText } from '../../src/scenario/index.js';
// Every field of the SPEC example replaced by values of every wrong type: problems are reported, nothing throws.
test('never throws on a mutated field of the SPEC example or a malformed --set', () => {
  const text = readFileSync('test/scenario/spec-example.yaml', 'utf8');
  const lines = text.split('\n');
  const values = ['null', '[]', '{}', '"x"', '0', '-1', '1.5', 'true', '[1, {a: 2}]', '{ node: zz }', '5m', ''];
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*-?\s*[\w.]+:)\s*(.*)$/.exec(lines[i]);
    if (!m) continue;
    for (const v of values) {
      const copy = [...lines];
      copy[i] = `${m[1]} ${v}`;
      try {
        parseScenarioText(copy.join('\n'), { file: 'f.yaml' });
        n++;
      } catch (e) {
        throw new Error(`line ${i + 1} -> ${v}: ${(e as Error).stack}`, { cause: e });
      }
    }
  }
  for (const set of [
    'spec=1',
    'spec.faults=3',
    'spec.slos[0]={}',
    'spec.slos[0].type=x',
    'spec.nodes[0]=null',
    'metadata=[]',
    'spec.faults[0].target=[]',
    'spec.kubernetes.controllerManager.leaderElection=5',
    'spec.nodes[1]={name: y}',
  ]) {
    try {
      parseScenarioText(text, { file: 'f', sets: [set] });
    } catch (e) {
      throw new Error(`${set}: ${(e as Error).stack}`, { cause: e });
    }
  }
  expect(n).toBeGreaterThan(100);
});

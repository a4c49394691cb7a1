// Determinism is a product feature: the simulation core may not read real time or real randomness,
// nor defer work to the event loop (timers, Promises), or the same seed would not give the same trace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CORE = ['src/engine', 'src/model', 'src/chaos', 'src/slo', 'src/scenario', 'src/runner'];
const BANNED: Array<[RegExp, string]> = [
  [/\bMath\.random\b/, 'use a seeded stream: ctx.streams.stream(label) or proc.rng()'],
  [/\bDate\.now\b|\bnew Date\(|\bDate\(\)/, 'use the simulation clock: sim.nowMs, or a host clock via proc.now()'],
  [/\bperformance\.now\b/, 'use the simulation clock (wall time belongs in src/cli only)'],
  [/\bset(Timeout|Interval|Immediate)\(/, 'schedule on the simulator: sim.at()/sim.after() or proc.after()'],
  [/\bprocess\.nextTick\(/, 'schedule on the simulator: sim.after(0, ...)'],
  [/\bPromise\b|\basync\s|\bawait\s/, 'keep the core synchronous: schedule a simulator event instead'],
];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

it('the simulation core uses neither real time, real randomness, timers nor Promises', () => {
  const problems: string[] = [];
  for (const dir of CORE) {
    for (const f of files(dir)) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        for (const [re, instead] of BANNED) {
          if (re.test(code)) problems.push(`${f}:${i + 1}: ${line.trim()}  -> ${instead}`);
        }
      });
    }
  }
  expect(problems).toEqual([]);
});

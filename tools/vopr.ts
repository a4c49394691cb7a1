// `npm run vopr -- --seeds N`: randomized differential testing, as TigerBeetle's VOPR does. Each seed
// gives a generated scenario (tools/vopr/generate.ts), run twice: with the model's fast paths and with the
// reference behaviour (every fast path off, src/model/fast-paths.ts). The two traces must be equal byte for
// byte, no run may stop on a bug in hasim, and every run must keep the run invariants
// (src/slo/run-invariants.ts). Seeds alternate heartbeats traced and not. A failing seed writes its
// scenario to --out (default reports/vopr/) and prints the commands that reproduce it, after trying to
// shrink it to a smaller scenario that fails the same way.
//
//   npm run vopr -- --seeds 500 [--start 1] [--out reports/vopr] [--keep-going] [--quiet]
//   npm run vopr -- --seed 1234          one seed, with the first divergence shown in full
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimulationBug, toJsonl } from '../src/engine/index.js';
import { REFERENCE_BEHAVIOUR } from '../src/model/fast-paths.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { parseScenarioText } from '../src/scenario/index.js';
import { checkRunInvariants } from '../src/slo/run-invariants.js';
import { generateScenario, type RawScenario, scenarioText } from './vopr/generate.js';

export interface VoprFailure {
  seed: number;
  kind: 'invalid' | 'bug' | 'divergence' | 'invariant';
  message: string;
}

/** Runs one generated scenario (fast and reference); returns the failure, or undefined when it holds. */
export function checkScenario(raw: RawScenario, seed: number, traceHeartbeats: boolean): VoprFailure | undefined {
  const text = scenarioText(raw);
  const parsed = parseScenarioText(text, { file: `vopr-${seed}.yaml` });
  if (!parsed.ok)
    return {
      seed,
      kind: 'invalid',
      message: `the generated scenario does not validate:\n${parsed.issues
        .filter((i) => i.severity === 'error')
        .map((i) => `  ${i.message}`)
        .join('\n')}`,
    };
  const run = (reference: boolean) =>
    runScenario(parsed.scenario, { traceHeartbeats, ...(reference ? { fastPaths: REFERENCE_BEHAVIOUR } : {}) });
  let fast, ref;
  try {
    fast = run(false);
    ref = run(true);
  } catch (e) {
    if (e instanceof SimulationBug) return { seed, kind: 'bug', message: e.message };
    return { seed, kind: 'bug', message: (e as Error).stack ?? String(e) };
  }
  const a = toJsonl(fast.events);
  const b = toJsonl(ref.events);
  if (a !== b) return { seed, kind: 'divergence', message: firstDivergence(a, b) };
  const violations = checkRunInvariants(fast.events, parsed.scenario.spec.durationMs);
  if (violations.length > 0)
    return {
      seed,
      kind: 'invariant',
      message: violations
        .slice(0, 5)
        .map((v) => `${v.invariant} at ${v.atMs} ms: ${v.message}`)
        .join('\n'),
    };
  return undefined;
}

function firstDivergence(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++)
    if (la[i] !== lb[i]) return `traces diverge at line ${i + 1}:\n  fast paths: ${la[i]}\n  reference:  ${lb[i]}`;
  return 'traces equal';
}

/** Seeds alternate: odd seeds with heartbeats traced. */
export function voprSeed(seed: number): VoprFailure | undefined {
  return checkScenario(generateScenario(seed), seed, seed % 2 === 1);
}

/**
 * Shrinks a failing scenario: drops faults, workloads, SLOs and node groups, and halves node counts, one
 * at a time, keeping each step that still fails the same way (same kind).
 */
export function shrink(raw: RawScenario, failure: VoprFailure, traceHeartbeats: boolean): RawScenario {
  let best = raw;
  const fails = (cand: RawScenario) => checkScenario(cand, failure.seed, traceHeartbeats)?.kind === failure.kind;
  const lists = ['faults', 'slos', 'workloads', 'nodes'] as const;
  let progress = true;
  while (progress) {
    progress = false;
    for (const list of lists) {
      const items: unknown[] = best.spec[list] ?? [];
      for (let i = items.length - 1; i >= 0; i--) {
        if (list !== 'slos' && items.length <= 1) break;
        const cand = structuredClone(best);
        cand.spec[list].splice(i, 1);
        if (fails(cand)) {
          best = cand;
          progress = true;
        }
      }
    }
    for (let i = 0; i < (best.spec.nodes ?? []).length; i++) {
      const count = best.spec.nodes[i].count ?? 1;
      if (count <= 1) continue;
      const cand = structuredClone(best);
      cand.spec.nodes[i].count = Math.floor(count / 2);
      if (fails(cand)) {
        best = cand;
        progress = true;
      }
    }
  }
  return best;
}

function main(argv: string[]): number {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const one = arg('--seed');
  const start = Number(one ?? arg('--start') ?? 1);
  const count = one !== undefined ? 1 : Number(arg('--seeds') ?? 100);
  const outDir = arg('--out') ?? join('reports', 'vopr');
  const keepGoing = argv.includes('--keep-going');
  const quiet = argv.includes('--quiet');
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || count < 1) {
    console.error('usage: npm run vopr -- --seeds N [--start S] [--out DIR] [--keep-going] | --seed S');
    return 2;
  }
  const failures: VoprFailure[] = [];
  const t0 = process.hrtime.bigint();
  for (let seed = start; seed < start + count; seed++) {
    const failure = voprSeed(seed);
    if (!quiet && (seed - start + 1) % 100 === 0)
      console.log(`  ${seed - start + 1}/${count} seeds, ${failures.length} failing`);
    if (failure === undefined) continue;
    failures.push(failure);
    report(failure, outDir);
    if (!keepGoing) break;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const ran = failures.length > 0 && !keepGoing ? failures[0].seed - start + 1 : count;
  console.log(
    `vopr: ${ran} seeds (${start}..${start + ran - 1}) in ${secs.toFixed(1)} s: ` +
      (failures.length === 0 ? 'fast paths equal the reference, every invariant held.' : `${failures.length} failing.`),
  );
  return failures.length === 0 ? 0 : 1;
}

function report(failure: VoprFailure, outDir: string): void {
  const raw = generateScenario(failure.seed);
  const heartbeats = failure.seed % 2 === 1;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `vopr-${failure.seed}.yaml`);
  writeFileSync(file, scenarioText(raw));
  let shrunkFile: string | undefined;
  if (failure.kind !== 'invalid') {
    const small = shrink(raw, failure, heartbeats);
    if (small !== raw) {
      shrunkFile = join(outDir, `vopr-${failure.seed}-shrunk.yaml`);
      writeFileSync(shrunkFile, scenarioText(small));
    }
  }
  const flags = heartbeats ? ' --trace-heartbeats' : '';
  console.log(`\nseed ${failure.seed}: ${failure.kind}\n${failure.message}`);
  console.log(`  scenario: ${file}${shrunkFile ? ` (shrunk: ${shrunkFile})` : ''}`);
  console.log(`  reproduce: npm run vopr -- --seed ${failure.seed}`);
  console.log(`  run it:    hasim run ${shrunkFile ?? file} --seed ${failure.seed}${flags}`);
}

if (process.argv[1] && /vopr\.(js|ts)$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));

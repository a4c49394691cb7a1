// The fuzzer: `npm run fuzz -- --cases N [--seed S]`.
//
// Each case is a scenario from scenarios/ or a generated one, mutated where its structure says what a
// field holds (mutate.ts). A worker thread plays it as `hasim run` would (worker.ts); every
// `--cli-every`th case is also run through the built `hasim` binary in a child process. A case fails
// the fuzz when it ends in anything but exit 0, 1 or 2 (a crash, a SimulationBug), prints a stack
// trace, runs longer than the time limit or goes past the memory cap. Failing cases are written to
// --failures DIR with what was mutated; the exit code is 1 when any case failed.
//
// Cases are drawn from one seeded stream: `--seed S --cases N` plays the same N inputs every time
// (`--from K` starts at case K, to replay one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import seedrandom from 'seedrandom';
import { generateScenario } from './generate.js';
import { documentsOf, mutate, type FuzzCase, type Rng } from './mutate.js';
import type { CaseReply, CaseRequest } from './worker.js';

export interface FuzzOptions {
  cases: number;
  seed: number;
  from: number;
  /** Wall time one case may take. */
  timeLimitMs: number;
  /** The worker's old-generation cap. */
  memoryMb: number;
  /** Share of the cases that validate which are also run. */
  runShare: number;
  /** Every Nth case also goes through the real binary (0: never). */
  cliEvery: number;
  failures: string;
  quiet: boolean;
}

interface Failure {
  index: number;
  kind: string;
  message: string;
  fuzzCase: FuzzCase;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const BIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const STACK_TRACE = /\n\s+at .+(:\d+:\d+\)?|\(node:.+\))$/m;

function parseArgs(argv: string[]): FuzzOptions {
  const opts: FuzzOptions = {
    cases: 1000,
    seed: 1,
    from: 0,
    timeLimitMs: 20_000,
    memoryMb: 1024,
    runShare: 0.6,
    cliEvery: 50,
    failures: 'fuzz-failures',
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const num = (): number => {
      const n = Number(value);
      if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`fuzz: ${flag} needs a number`);
      i++;
      return n;
    };
    if (flag === '--cases') opts.cases = num();
    else if (flag === '--seed') opts.seed = num();
    else if (flag === '--from') opts.from = num();
    else if (flag === '--time-limit-ms') opts.timeLimitMs = num();
    else if (flag === '--memory-mb') opts.memoryMb = num();
    else if (flag === '--run-share') opts.runShare = num();
    else if (flag === '--cli-every') opts.cliEvery = num();
    else if (flag === '--failures') opts.failures = argv[++i];
    else if (flag === '--quiet') opts.quiet = true;
    else
      throw new Error(
        `fuzz: unknown flag ${flag} (flags: --cases --seed --from --time-limit-ms --memory-mb --run-share --cli-every --failures --quiet)`,
      );
  }
  return opts;
}

/** The seed scenarios: every file of scenarios/. */
function library(): { name: string; text: string }[] {
  const dir = join(ROOT, 'scenarios');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Case `index` of the stream of seed `seed`: its own generator, so any case can be replayed alone. */
export function makeCase(
  seed: number,
  index: number,
  files: { name: string; text: string }[],
  donors: unknown[],
): FuzzCase {
  const rng: Rng = seedrandom.alea(`fuzz/${seed}/${index}`);
  const generated = rng() < 0.4;
  const origin = generated ? 'generated' : files[Math.floor(rng() * files.length)].name;
  const text = generated ? generateScenario(rng, index) : files.find((f) => f.name === origin)!.text;
  return rng() < 0.05 ? { origin, mutations: ['unchanged'], text, sets: [] } : mutate(rng, origin, text, donors);
}

class Pool {
  private worker!: Worker;
  private pending:
    ((r: CaseReply | { index: number; exit: 'oom' | 'hang'; ran: boolean; message: string }) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private current = -1;

  constructor(private readonly opts: FuzzOptions) {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(join(HERE, 'worker.js'), {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.memoryMb, maxYoungGenerationSizeMb: 96 },
      stdout: true,
      stderr: true,
    });
    this.worker.on('message', (reply: CaseReply) => this.settle(reply));
    this.worker.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.settle({
        index: this.current,
        exit: oom ? 'oom' : 'crash',
        ran: true,
        message: oom ? `over the ${this.opts.memoryMb} MB memory cap` : (err.stack ?? err.message),
      });
      this.start();
    });
  }

  private settle(reply: Parameters<NonNullable<Pool['pending']>>[0]): void {
    if (this.timer) clearTimeout(this.timer);
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.(reply);
  }

  play(req: CaseRequest): Promise<Parameters<NonNullable<Pool['pending']>>[0]> {
    this.current = req.index;
    return new Promise((resolve) => {
      this.pending = resolve;
      this.timer = setTimeout(() => {
        const w = this.worker;
        this.start();
        void w.terminate();
        this.settle({
          index: req.index,
          exit: 'hang',
          ran: true,
          message: `over the ${this.opts.timeLimitMs} ms time limit`,
        });
      }, this.opts.timeLimitMs);
      this.worker.postMessage(req);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The case through the real binary: exit 0/1/2 and no stack trace, within the time limit. */
function throughCli(fuzzCase: FuzzCase, opts: FuzzOptions): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-fuzz-'));
  try {
    writeFileSync(join(dir, 'case.yaml'), fuzzCase.text);
    const args = [BIN, 'run', 'case.yaml', '--out', 'out', '--quiet', ...fuzzCase.sets.flatMap((s) => ['--set', s])];
    const r = spawnSync(process.execPath, args, {
      cwd: dir,
      encoding: 'utf8',
      // A child process also pays Node's start-up and competes for the CPU: three times the limit.
      timeout: 3 * opts.timeLimitMs,
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--max-old-space-size=${opts.memoryMb}` },
    });
    if (r.error || r.status === null) return `hasim run did not finish (${r.error?.message ?? r.signal})`;
    if (![0, 1, 2].includes(r.status)) return `hasim run exited ${r.status}: ${r.stderr.slice(0, 2000)}`;
    if (STACK_TRACE.test(r.stderr) || STACK_TRACE.test(r.stdout)) return `a stack trace:\n${r.stderr.slice(0, 2000)}`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function record(failure: Failure, opts: FuzzOptions): void {
  mkdirSync(opts.failures, { recursive: true });
  const base = join(opts.failures, `seed${opts.seed}-case${failure.index}`);
  writeFileSync(`${base}.yaml`, failure.fuzzCase.text);
  writeFileSync(
    `${base}.txt`,
    [
      `${failure.kind}: ${failure.message}`,
      `from: ${failure.fuzzCase.origin}`,
      `mutations: ${failure.fuzzCase.mutations.join('; ')}`,
      `--set: ${failure.fuzzCase.sets.join(' ')}`,
      `replay: npm run fuzz -- --seed ${opts.seed} --from ${failure.index} --cases 1`,
      '',
    ].join('\n'),
  );
}

export async function fuzz(opts: FuzzOptions): Promise<{ counts: Record<string, number>; failures: Failure[] }> {
  const files = library();
  const donors = files.map((f) => documentsOf(f.text)?.[0] ?? {});
  const pool = new Pool(opts);
  const counts: Record<string, number> = { cases: 0, exit0: 0, exit1: 0, exit2: 0, ran: 0, cli: 0 };
  const failures: Failure[] = [];
  const startedMs = Date.now();
  for (let index = opts.from; index < opts.from + opts.cases; index++) {
    const fuzzCase = makeCase(opts.seed, index, files, donors);
    const rng = seedrandom.alea(`fuzz/${opts.seed}/${index}/plan`);
    const run = rng() < opts.runShare;
    const reply = await pool.play({ index, text: fuzzCase.text, sets: fuzzCase.sets, run });
    counts.cases++;
    if (reply.ran) counts.ran++;
    if (reply.exit === 0 || reply.exit === 1 || reply.exit === 2) counts[`exit${reply.exit}`]++;
    else {
      const failure = { index, kind: String(reply.exit), message: reply.message ?? '', fuzzCase };
      failures.push(failure);
      record(failure, opts);
    }
    if (opts.cliEvery > 0 && index % opts.cliEvery === 0) {
      counts.cli++;
      const problem = throughCli(fuzzCase, opts);
      if (problem) {
        const failure = { index, kind: 'cli', message: problem, fuzzCase };
        failures.push(failure);
        record(failure, opts);
      }
    }
    if (!opts.quiet && counts.cases % 500 === 0)
      process.stderr.write(
        `fuzz: ${counts.cases}/${opts.cases} cases, ${counts.ran} run, ${failures.length} failed, ${((Date.now() - startedMs) / 1000).toFixed(0)}s\n`,
      );
  }
  await pool.close();
  return { counts, failures };
}

async function main(): Promise<number> {
  let opts: FuzzOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const startedMs = Date.now();
  const { counts, failures } = await fuzz(opts);
  const secs = ((Date.now() - startedMs) / 1000).toFixed(1);
  process.stdout.write(
    `fuzz seed ${opts.seed}: ${counts.cases} cases (cases ${opts.from}..${opts.from + opts.cases - 1}) in ${secs}s: ` +
      `${counts.exit0} exit 0, ${counts.exit1} exit 1, ${counts.exit2} exit 2; ${counts.ran} run to the end, ${counts.cli} through the binary; ` +
      `${failures.length} failed\n`,
  );
  for (const f of failures.slice(0, 20))
    process.stdout.write(
      `  case ${f.index} (${f.kind}): ${f.message.split('\n')[0].slice(0, 200)}\n    ${f.fuzzCase.mutations.join('; ')}\n`,
    );
  if (failures.length) process.stdout.write(`Failing cases are in ${opts.failures}/\n`);
  return failures.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => {
    process.exitCode = code;
  });
}

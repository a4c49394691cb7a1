// Kills `hasim run` with SIGKILL while it writes its report files, again and again, and checks each
// time that the report folder holds one complete set: the previous run's, or the new one's when the
// kill came after the set was renamed into place. Never a mix, never half a file.
//
//   node dist/tools/kill-during-write.js [--nodes 3000] [--times 20] [--dir /tmp/x]
//
// The scenario is the scale benchmark's shape (three zones, 30 zone-spread Deployments of 20 pods per
// node, a zone outage from 10 to 25 minutes of an hour). The write phase is found by watching the
// staging folder beside --out: the kills land, in turn, as soon as it holds 1, 2, ... 6 files, and just
// after it has been renamed into place.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const FILES = ['events.jsonl', 'junit.xml', 'report.html', 'report.md', 'summary.json', 'timeline.svg'];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function scenarioYaml(nodes: number): string {
  const perZone = Math.ceil(nodes / 3);
  const replicas = Math.floor((nodes * 20) / 30);
  const workloads = Array.from(
    { length: 30 },
    (_, i) =>
      `    - { kind: Deployment, name: svc-${i}, replicas: ${replicas}, spreadAcrossZones: true, requests: { cpu: 100m, memory: 128Mi } }`,
  ).join('\n');
  return `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: kill-test }
spec:
  duration: 1h
  nodes:
${['a', 'b', 'c'].map((z) => `    - { name: worker-${z}, count: ${perZone}, zone: zone-${z}, capacity: { cpu: "64", memory: 256Gi, pods: 110 } }`).join('\n')}
  workloads:
${workloads}
  faults:
    - { name: zone-a-down, type: zone-outage, at: 10m, duration: 15m, target: { zone: zone-a } }
`;
}

/** The folder's run: its seed, if it is one complete, consistent set; else why not. */
function inspect(out: string): { seed: number } | { problem: string } {
  const files = readdirSync(out).sort();
  if (files.join() !== FILES.join()) return { problem: `files ${files.join(', ')}` };
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  const events = readFileSync(join(out, 'events.jsonl'));
  const sha = createHash('sha256').update(events).digest('hex');
  if (summary.trace?.sha256 !== sha) return { problem: 'events.jsonl is not the trace summary.json was written with' };
  for (const f of ['report.md', 'junit.xml'])
    if (!readFileSync(join(out, f), 'utf8').includes(summary.scenario)) return { problem: `${f} is of another run` };
  if (!readFileSync(join(out, 'report.md'), 'utf8').includes(`seed ${summary.seed} `))
    return { problem: 'report.md is of another seed' };
  return { seed: summary.seed };
}

/**
 * Runs `seed` and sends SIGKILL as soon as its staging folder holds `files` files, or, with files 7,
 * as soon as the staging folder has been renamed into place (the old set is being removed).
 */
function runAndKill(cwd: string, seed: number, files: number): Promise<string> {
  return new Promise((resolve) => {
    const args = [BIN, 'run', 'scenario.yaml', '--out', 'out', '--quiet', '--seed', String(seed)];
    const child = spawn(process.execPath, args, { cwd });
    let killed = '';
    let staging: string | undefined;
    const poll = setInterval(() => {
      // This run's own staging folder (a killed run's is still there until this one clears it).
      staging ??= readdirSync(cwd).find((f) => f.startsWith(`.out.tmp-${child.pid}-`));
      if (!staging) return;
      const gone = !existsSync(join(cwd, staging));
      const staged = gone ? 7 : readdirSync(join(cwd, staging)).length;
      if (staged < files) return;
      clearInterval(poll);
      child.kill('SIGKILL');
      killed = gone ? 'killed after the new set was renamed into place' : `killed with ${staged} of 6 files staged`;
    }, 1);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve(killed || `finished before the kill (exit ${code})`);
    });
  });
}

async function main(): Promise<number> {
  const nodes = arg('--nodes', 3000);
  const times = arg('--times', 20);
  const cwd = mkdtempSync(join(tmpdir(), 'hasim-kill-'));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'scenario.yaml'), scenarioYaml(nodes));
  const first = spawnSync(process.execPath, [BIN, 'run', 'scenario.yaml', '--out', 'out', '--quiet', '--seed', '1'], {
    cwd,
    encoding: 'utf8',
  });
  if (!existsSync(join(cwd, 'out'))) {
    process.stderr.write(`the first run wrote nothing (exit ${first.status}): ${first.stderr}\n`);
    return 2;
  }
  let previous = 1;
  let bad = 0;
  for (let i = 1; i <= times; i++) {
    // Kill with 1, 2, ... 6 files staged, then after the rename, in turn.
    const what = await runAndKill(cwd, i + 1, 1 + ((i - 1) % 7));
    const found = inspect(join(cwd, 'out'));
    const verdict =
      'problem' in found
        ? `MIXED OR INCOMPLETE: ${found.problem}`
        : found.seed === previous
          ? `the previous set (seed ${previous})`
          : found.seed === i + 1
            ? `the new set (seed ${i + 1})`
            : `a set of seed ${found.seed}`;
    if ('problem' in found || (found.seed !== previous && found.seed !== i + 1)) bad++;
    if (!('problem' in found)) previous = found.seed;
    process.stdout.write(`${i}/${times}: ${what}; the folder holds ${verdict}\n`);
  }
  const leftovers = readdirSync(cwd).filter((f) => f.startsWith('.'));
  process.stdout.write(
    `${times - bad} of ${times} kills left one complete set; beside it: ${leftovers.join(', ') || 'nothing'} (cleaned up by the next run)\n`,
  );
  return bad === 0 ? 0 : 1;
}

main().then((code) => (process.exitCode = code));

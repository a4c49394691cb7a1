// Limits through the CLI: sweep workers against this machine's cores, seeds that cannot be printed
// back, and --allow-large carried into the reproduce command.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SCENARIO = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: tiny }
spec:
  duration: 2m
  nodes: [{ name: worker, count: 2, zone: zone-a, capacity: { pods: 200 } }]
  workloads: [{ kind: Deployment, name: web, replicas: 2 }]
  slos: [{ name: none stuck, type: stuck-terminating, workload: Deployment/web, max: 0 }]
`;

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hasim-limits-'));
  writeFileSync(join(d, 'tiny.yaml'), SCENARIO);
  return d;
}

it('sweep --workers beyond the cores names the limit and the flag', () => {
  const cores = Math.max(1, availableParallelism());
  const r = hasim(['sweep', 'tiny.yaml', '--workers', '200'], dir());
  expect(r.stderr).toBe(
    `hasim: --workers 200 is more than this machine's ${cores} core${cores === 1 ? '' : 's'}: more workers than cores only add memory; --allow-large allows up to 64\n`,
  );
  expect(r.code).toBe(2);
  expect(hasim(['sweep', 'tiny.yaml', '--workers', '200', '--allow-large'], dir()).stderr).toBe(
    'hasim: --workers 200 is more than hasim starts (at most 64, with --allow-large)\n',
  );
});

it('sweep seeds past 2^53 - 1 are refused', () => {
  const r = hasim(['sweep', 'tiny.yaml', '--seed', '9007199254740990', '--seeds', '5', '--allow-large'], dir());
  expect(r.stderr).toBe(
    'hasim: seeds 9007199254740990..9007199254740994 go past 9007199254740991 (2^53 - 1), the largest seed that can be printed and read back\n',
  );
  expect(r.code).toBe(2);
});

it('validate and run refuse capacity.pods 200 without --allow-large; with it, the reproduce command carries the flag', () => {
  const d = dir();
  const v = hasim(['validate', 'tiny.yaml'], d);
  expect(v.stderr).toBe(
    "tiny.yaml:6:69: error: spec.nodes[0].capacity.pods: 200 pods per node (capacity.pods) is more than the limit of 110: the kubelet's default --max-pods, and Kubernetes' supported maximum\n  hint: --allow-large raises the limit to 1,000\n",
  );
  expect(v.code).toBe(2);
  const r = hasim(['run', 'tiny.yaml', '--allow-large', '--format', 'json', '--out', 'out'], d);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).reproduce).toBe('hasim run tiny.yaml --seed 1 --allow-large');
});

it('--seed of 2^53 or more is refused, since the seed printed would not be the seed used', () => {
  const r = hasim(['run', 'tiny.yaml', '--seed', '9007199254740993'], dir());
  expect(r.stderr).toBe(
    'hasim: --seed must be at most 9007199254740991 (2^53 - 1), so that the seed printed is the seed used (found 9007199254740992)\n',
  );
  expect(r.code).toBe(2);
});

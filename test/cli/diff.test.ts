// `hasim diff` as a user meets it: two runs of node-crash.yaml, the second with a 20 s grace period,
// compared from their saved folders.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const SCENARIO = join(process.cwd(), 'scenarios', 'node-crash.yaml');

function hasim(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hasim diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasim-diff-'));
  beforeAll(() => {
    expect(hasim(['run', SCENARIO, '--out', 'a', '--quiet'], dir).code).toBe(0);
    const grace = 'spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s';
    expect(hasim(['run', SCENARIO, '--out', 'b', '--quiet', '--set', grace], dir).code).toBe(0);
  });

  it('shows each SLO value before and after, and by how much it moved', () => {
    const r = hasim(['diff', 'a', 'b'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hasim diff  A: a (node-crash, seed 1)  B: b (node-crash, seed 1)\n');
    expect(r.stdout).toContain(
      '  crash detected within 45s                PASS    41.1s → PASS    21.1s  −20s  ≤ 45s\n',
    );
    expect(r.stdout).toContain('  worker-b-1-power-loss detected   02:41.1 → 02:21.1  −20s\n');
    expect(r.stdout).toContain('  Deployment/storefront recovered  07:51.2 → 07:31.2  −20s\n');
    expect(r.stdout).toContain('  1 moment unchanged\n');
  });

  it('says nothing moved when a run is compared with itself', () => {
    const r = hasim(['diff', 'a', 'a'], dir);
    expect(r.stdout).toContain('  all SLOs unchanged\n');
    expect(r.stdout).toContain('  all moments unchanged\n');
  });

  it('prints the comparison as JSON', () => {
    const r = hasim(['diff', 'a', 'b', '--format', 'json'], dir);
    const d = JSON.parse(r.stdout);
    expect(d.slos[0]).toMatchObject({ name: 'crash detected within 45s', delta: -20_004, unit: 'ms' });
    const tainted = d.moments.find((m: { what: string }) => m.what === 'worker-b-1-power-loss tainted');
    expect(Math.round(tainted.movedMs / 1000)).toBe(-20);
  });

  it('exits 2 with a clear message when a folder is not a saved run', () => {
    const r = hasim(['diff', 'a', 'nowhere'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nowhere: error: not a folder written by hasim run\n');
  });
});

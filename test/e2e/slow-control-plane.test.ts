// apiserver-slow and etcd-slow end to end (docs/fidelity.md#slow-api-servers-and-etcd): nothing is down,
// requests just take longer, and what breaks depends on which timeout runs out first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';
import type { TraceEvent } from '../../src/trace/events.js';

function run(file: string, sets: string[] = [], seed?: number, traceHeartbeats = false) {
  const parsed = parseScenarioText(readFileSync(join('scenarios', file), 'utf8'), { file, sets });
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
  return runScenario(parsed.scenario, { seed, traceHeartbeats });
}

/** Events of one type after the nodes registered (the faults start at 1m). */
const of = <T extends TraceEvent['type']>(events: TraceEvent[], type: T) =>
  events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type && e.atMs >= 60_000);

describe('etcd-slow', () => {
  it('with a slow majority, every leader (controller-manager, scheduler, cloud-controller-manager) loses its lease 10 s in and nobody leads until the disks recover', () => {
    for (const seed of [1, 2, 3]) {
      const { events } = run('etcd-slow.yaml', [], seed);
      const lost = of(events, 'leader.lost');
      expect(lost.map((e) => e.component).sort()).toEqual([
        'cloud-controller-manager',
        'kube-controller-manager',
        'kube-scheduler',
      ]);
      // renewDeadline (10 s) after the renew round began, at most retryPeriod (2 s) after the last success.
      for (const e of lost) expect(e.atMs).toBeGreaterThanOrEqual(68_000);
      for (const e of lost) expect(e.atMs).toBeLessThanOrEqual(72_000);
      const acquired = of(events, 'leader.acquired').filter((e) => e.atMs > 60_000);
      // No standby can acquire while every request takes 8-14 s and its lock client gives up after 5 s.
      expect(acquired.every((e) => e.atMs >= 5 * 60_000)).toBe(true);
      expect(acquired).toHaveLength(3);
      expect(of(events, 'node.ready.changed')).toEqual([]);
    }
  });

  it('with one slow member of three changes nothing: the other two make a quorum at full speed', () => {
    const { events } = run('etcd-slow.yaml', ['spec.faults[0].target.instances=[etcd-control-plane-0]']);
    expect(of(events, 'leader.lost')).toEqual([]);
    expect(of(events, 'node.ready.changed')).toEqual([]);
  });

  it('lands writes whose clients gave up: lease renewals commit although every kubelet times out', () => {
    // 12 s per request outlasts the kubelet's 10 s client timeout: no kubelet ever sees its renewal
    // succeed, yet the renewals it sends commit 12 s later.
    const { events } = run('etcd-slow.yaml', ['spec.faults[0].latency=12s'], 1, true);
    const during = of(events, 'node.lease.renewed').filter((e) => e.atMs > 75_000 && e.atMs < 5 * 60_000);
    // Without late commits there would be none. (After its update times out a kubelet drops its copy of
    // the lease and must GET it first; those GETs time out too, so the later attempts never write.)
    expect(new Set(during.map((e) => e.node)).size).toBeGreaterThanOrEqual(4);
  });
});

describe('apiserver-slow', () => {
  it('silences the nodes whose kubelets talk to the slow replica, and only those', () => {
    const { events } = run('apiserver-slow.yaml');
    const unknown = of(events, 'node.ready.changed').filter((e) => e.to === 'Unknown');
    expect(unknown.map((e) => e.node).sort()).toEqual(['worker-a-1', 'worker-c-1']);
    // The grace period (40 s) after the last renewal before the fault, plus up to one 5 s pass.
    for (const e of unknown) expect(e.atMs).toBeGreaterThan(60_000 + 30_000);
    // Back once the replica answers in time again, before any toleration runs out.
    expect(of(events, 'pod.deleted')).toEqual([]);
  });

  it('changes nothing while requests wait less than the shortest client timeout', () => {
    const { events } = run('apiserver-slow.yaml', ['spec.faults[0].latency=500ms..3s']);
    expect(of(events, 'node.ready.changed')).toEqual([]);
    expect(of(events, 'leader.lost')).toEqual([]);
  });
});

describe('validation of the slow faults', () => {
  const base = readFileSync(join('scenarios', 'etcd-slow.yaml'), 'utf8');
  it('asks for a latency', () => {
    const parsed = parseScenarioText(base.replace(/\n\s+latency: 8s\.\.14s/, ''), { file: 'x.yaml' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(formatIssues(parsed.issues)).toContain('an etcd-slow fault needs latency');
  });
  it('says which fault types take a latency', () => {
    const parsed = parseScenarioText(base.replace('type: etcd-slow', 'type: etcd-member-down'), { file: 'x.yaml' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(formatIssues(parsed.issues)).toContain(
        '"latency" applies only to network-degrade, apiserver-slow or etcd-slow faults, not etcd-member-down',
      );
  });
});

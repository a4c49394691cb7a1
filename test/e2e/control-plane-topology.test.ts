// controlPlane.topology (docs/fidelity.md#control-plane-topology): managed (API servers behind a load
// balancer, control-plane hosts not Nodes) against kubeadm (each controller-manager and scheduler on its
// own host's API server, each API server on its own host's etcd member, control-plane hosts as Nodes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';
import type { TraceEvent } from '../../src/trace/events.js';

function run(file: string, sets: string[] = [], seed?: number) {
  const parsed = parseScenarioText(readFileSync(join('scenarios', file), 'utf8'), { file, sets });
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
  return runScenario(parsed.scenario, { seed });
}

const after = <T extends TraceEvent['type']>(events: TraceEvent[], type: T, fromMs = 1) =>
  events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type && e.atMs >= fromMs);

describe('kubeadm: the API server next to the controller-manager leader stops', () => {
  it('makes the leader lose its lease and a standby on another host take over', () => {
    for (const seed of [1, 2, 3, 4]) {
      const { events } = run('kubeadm-leader-apiserver-down.yaml', [], seed);
      const stopped = after(events, 'component.stopped').find((e) => e.component === 'kube-apiserver')!;
      const host = stopped.instance.replace('kube-apiserver-', '');
      const lost = after(events, 'leader.lost').filter((e) => e.component === 'kube-controller-manager');
      expect(lost.map((e) => e.instance)).toEqual([`kube-controller-manager-${host}`]);
      // renewDeadline (10 s) after its renew round began, which is at most retryPeriod (2 s) after its
      // last success before the stop.
      expect(lost[0].atMs - stopped.atMs).toBeGreaterThanOrEqual(8_000);
      expect(lost[0].atMs - stopped.atMs).toBeLessThanOrEqual(12_000);
      const next = after(events, 'leader.acquired', lost[0].atMs).find(
        (e) => e.component === 'kube-controller-manager',
      )!;
      expect(next.instance).not.toContain(host);
      expect(next.atMs - stopped.atMs).toBeLessThan(30_000);
    }
  });

  it('changes nothing on a managed control plane: the leader reaches another API server', () => {
    const { events } = run('kubeadm-leader-apiserver-down.yaml', ['spec.controlPlane.topology=managed']);
    expect(after(events, 'leader.lost')).toEqual([]);
    expect(after(events, 'node.ready.changed', 30_000)).toEqual([]);
  });

  it("also loses the leader when its host's etcd member stops: its API server reaches etcd only locally", () => {
    const sets = ['spec.faults[0].type=etcd-member-down', 'spec.faults[0].target.instance=etcd-control-plane-0'];
    // Find the leader's host first (the leader at 1m with seed 1).
    const probe = run('kubeadm-leader-apiserver-down.yaml');
    const leaderHost = after(probe.events, 'leader.lost')[0].instance.replace('kube-controller-manager-', '');
    sets[1] = `spec.faults[0].target.instance=etcd-${leaderHost}`;
    const kubeadm = run('kubeadm-leader-apiserver-down.yaml', sets);
    expect(after(kubeadm.events, 'leader.lost').map((e) => e.instance)).toContain(
      `kube-controller-manager-${leaderHost}`,
    );
    const managed = run('kubeadm-leader-apiserver-down.yaml', [...sets, 'spec.controlPlane.topology=managed']);
    expect(after(managed.events, 'leader.lost')).toEqual([]);
  });
});

describe('kubeadm: control-plane hosts are Nodes', () => {
  const { events } = run('control-plane-partition-kubeadm.yaml');

  it('registers a Node per control-plane host, tainted so that no workload pod lands there', () => {
    const created = after(events, 'node.created', 0).map((e) => e.node);
    expect(created).toEqual(expect.arrayContaining(['control-plane-0', 'control-plane-1', 'control-plane-2']));
    const scheduledOnCp = after(events, 'pod.scheduled', 0).filter((e) => e.node.startsWith('control-plane-'));
    expect(scheduledOnCp).toEqual([]);
  });

  it('counts them in their zones: cutting off every worker leaves each zone Normal, so workers are tainted and their pods evicted', () => {
    expect(after(events, 'zone.state.changed').filter((e) => e.to !== 'Normal')).toEqual([]);
    const tainted = after(events, 'node.taint.added').filter(
      (e) => e.key === 'node.kubernetes.io/unreachable' && e.effect === 'NoExecute',
    );
    expect(new Set(tainted.map((e) => e.node)).size).toBe(6);
    const evicted = after(events, 'pod.deleted').filter((e) => e.reason === 'taint-eviction');
    expect(evicted.length).toBe(9);
  });

  it('on a managed control plane the same cut fully disrupts every zone and evicts nothing', () => {
    const managed = run('control-plane-partition-kubeadm.yaml', ['spec.controlPlane.topology=managed']);
    expect(after(managed.events, 'zone.state.changed').some((e) => e.to === 'FullDisruption')).toBe(true);
    expect(after(managed.events, 'pod.deleted').filter((e) => e.reason === 'taint-eviction')).toEqual([]);
  });
});

describe('controlPlane.topology validation', () => {
  it('names the topologies on a typo', () => {
    const text = readFileSync(join('scenarios', 'kubeadm-leader-apiserver-down.yaml'), 'utf8').replace(
      '\n    topology: kubeadm\n',
      '\n    topology: kubeadmm\n',
    );
    const parsed = parseScenarioText(text, { file: 'x.yaml' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(formatIssues(parsed.issues)).toMatch(/topology.*kubeadmm.*did you mean "kubeadm"/);
  });
});

// The cluster autoscaler in whole runs: scale-up for Pending pods onto nodes that boot and register,
// scale-down of an unneeded node after --scale-down-unneeded-time (core/scaledown/planner; upstream
// planner_test.go TestUpdateClusterState's unneeded timing), the ToBeDeleted taint and PDB-respecting
// evictions, the clusterstate halt (--max-total-unready-percentage / --ok-total-unready-count), and the
// process's dependence on the API server.
import { parseScenarioText, type Scenario } from '../../../src/scenario/index.js';
import { runScenario } from '../../../src/runner/run-scenario.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function scenario(body: string): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: ca-test }
spec:
  seed: 5
${body}
`;
  const parsed = parseScenarioText(text, { file: 'ca-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}
const run = (s: Scenario) => runScenario(s).events as unknown as Ev[];
const of = (ev: Ev[], type: string) => ev.filter((e) => e.type === type);

describe('cluster autoscaler', () => {
  it('scales a node group up for a Pending pod at its first scan; the pod lands on the new node once it registers', () => {
    const ev = run(
      scenario(`  duration: 5m
  nodes:
    - { name: pool, count: 2, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    nodeGroups: [{ name: pool, nodes: pool, minSize: 1, maxSize: 3 }]
  workloads:
    - { kind: Deployment, name: web, replicas: 5, requests: { cpu: 1500m, memory: 1Gi }, startup: { imagePull: 1s, ready: 1s } }`),
    );
    const up = of(ev, 'nodegroup.scaled.up');
    expect(up).toHaveLength(1);
    expect(up[0]).toEqual(expect.objectContaining({ nodeGroup: 'pool', from: 2, to: 3, pods: 1, nodes: ['pool-2'] }));
    // The first RunOnce after the leader's informers synced: within one scan interval of the start.
    expect(up[0].atMs).toBeLessThan(12_000);
    const scheduled = ev.find((e) => e.type === 'pod.scheduled' && e.node === 'pool-2')!;
    const registered = ev.find((e) => e.type === 'node.created' && e.node === 'pool-2')!;
    const ready = ev.find((e) => e.type === 'node.ready.changed' && e.node === 'pool-2' && e.to === 'True')!;
    expect(scheduled.atMs).toBeGreaterThanOrEqual(registered.atMs);
    // Boot (25-45 s) and network (5-20 s): Ready 30-65 s after the scale-up.
    expect(ready.atMs - up[0].atMs).toBeGreaterThanOrEqual(30_000);
    expect(ready.atMs - up[0].atMs).toBeLessThanOrEqual(66_000);
    expect(of(ev, 'nodegroup.scaled.down')).toHaveLength(0);
  });

  it('does not scale up again for the same pod while the new node has registered but is not Ready yet (it is still upcoming)', () => {
    // The scheduler is down, so the Pending pod stays Pending through every scan: the scan between the new
    // node's registration and its Ready (runtime network readiness, 5-20 s) must count it as upcoming.
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = scenario(`  duration: 12m
  kubernetes: { scheduler: { replicas: 1 } }
  nodes:
    - { name: pool, count: 4, zone: zone-a, capacity: { cpu: "8", memory: 32Gi, pods: 110 } }
  autoscaler:
    nodeGroups: [{ name: pool, nodes: pool, minSize: 4, maxSize: 8 }]
  workloads:
    - kind: Deployment
      name: batch
      replicas: 4
      requests: { cpu: "5", memory: 4Gi }
      tolerations: [{ key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 0 }]
  faults:
    - { name: sched-down, type: scheduler-crash, at: 30s, duration: 8m }
    - { name: crash, type: node-crash, at: 1m, target: { node: pool-0 } }`);
      const ev = runScenario(s, { seed }).events as unknown as Ev[];
      const created = ev.find((e) => e.type === 'node.created' && e.node === 'pool-4')!;
      const ready = ev.find((e) => e.type === 'node.ready.changed' && e.node === 'pool-4' && e.to === 'True')!;
      expect(ready.atMs - created.atMs).toBeGreaterThan(0);
      expect(of(ev, 'nodegroup.scaled.up').map((e) => e.to)).toEqual([5]);
    }
  });

  it('removes a node unneeded for scale-down-unneeded-time, after tainting and draining it; the cloud node lifecycle controller deletes its Node', () => {
    const ev = run(
      scenario(`  duration: 20m
  nodes:
    - { name: pool, count: 3, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    scaleDownUnneededTime: 5m
    nodeGroups: [{ name: pool, nodes: pool, minSize: 2, maxSize: 3 }]
  workloads:
    - { kind: Deployment, name: web, replicas: 3, requests: { cpu: 100m, memory: 128Mi }, startup: { imagePull: 1s, ready: 1s } }`),
    );
    const down = of(ev, 'nodegroup.scaled.down');
    // minSize 2: exactly one of the three goes.
    expect(down).toHaveLength(1);
    const node = down[0].node as string;
    expect(down[0]).toEqual(expect.objectContaining({ nodeGroup: 'pool', from: 3, to: 2 }));
    const taint = ev.find((e) => e.type === 'node.taint.added' && e.key === 'ToBeDeletedByClusterAutoscaler')!;
    expect(taint.node).toBe(node);
    // Unneeded from the first scan (~10 s), removal decided at the first scan 5 m later.
    expect(taint.atMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(taint.atMs).toBeLessThan(5 * 60_000 + 25_000);
    // Its pods were evicted (reason autoscaler-scale-down) before the VM went.
    const evicted = ev.filter((e) => e.type === 'pod.deleted' && e.reason === 'autoscaler-scale-down');
    for (const e of evicted) expect(e.atMs).toBeLessThanOrEqual(down[0].atMs);
    const deleted = ev.find((e) => e.type === 'node.deleted' && e.node === node)!;
    expect(deleted.by).toBe('cloud-node-lifecycle-controller');
    expect(of(ev, 'pod.scheduled').filter((e) => e.node === node && e.atMs > taint.atMs)).toHaveLength(0);
  });

  it('does not scale down within scale-down-delay-after-add of a scale-up', () => {
    const ev = run(
      scenario(`  duration: 14m
  nodes:
    - { name: pool, count: 2, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    scaleDownUnneededTime: 1m
    nodeGroups: [{ name: pool, nodes: pool, minSize: 1, maxSize: 4 }]
  workloads:
    - { kind: Deployment, name: big, replicas: 5, requests: { cpu: 1500m, memory: 1Gi }, startup: { imagePull: 1s, ready: 1s } }
    - { kind: Deployment, name: small, replicas: 1, requests: { cpu: 100m, memory: 128Mi }, startup: { imagePull: 1s, ready: 1s } }
  faults:
    - { name: shrink, type: pod-force-delete, at: 3m, target: { workload: Deployment/big } }`),
    );
    const up = of(ev, 'nodegroup.scaled.up')[0];
    expect(up).toBeDefined();
    for (const d of of(ev, 'nodegroup.scaled.down')) expect(d.atMs - up.atMs).toBeGreaterThanOrEqual(10 * 60_000);
  });

  it('a PodDisruptionBudget that allows no disruption makes the scale-down fail after max-pod-eviction-time; the taint goes', () => {
    const ev = run(
      scenario(`  duration: 12m
  nodes:
    - { name: pool, count: 2, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    scaleDownUnneededTime: 1m
    nodeGroups: [{ name: pool, nodes: pool, minSize: 1, maxSize: 2 }]
  workloads:
    - kind: Deployment
      name: web
      replicas: 2
      requests: { cpu: 100m, memory: 128Mi }
      startup: { imagePull: 1s, ready: 1s }
      podDisruptionBudget: { minAvailable: 2 }`),
    );
    const failed = of(ev, 'nodegroup.scaledown.failed');
    expect(failed.length).toBeGreaterThan(0);
    const node = failed[0].node as string;
    const added = ev.find(
      (e) => e.type === 'node.taint.added' && e.node === node && e.key === 'ToBeDeletedByClusterAutoscaler',
    )!;
    expect(failed[0].atMs - added.atMs).toBeGreaterThanOrEqual(120_000);
    expect(failed[0].atMs - added.atMs).toBeLessThan(120_000 + 11_000);
    expect(
      ev.some((e) => e.type === 'node.taint.removed' && e.node === node && e.key === 'ToBeDeletedByClusterAutoscaler'),
    ).toBe(true);
    expect(of(ev, 'nodegroup.scaled.down')).toHaveLength(0);
    expect(of(ev, 'pod.eviction.refused').length).toBeGreaterThan(0);
  });

  it('halts while more than okTotalUnreadyCount and maxTotalUnreadyPercentage of the nodes are unready', () => {
    const ev = run(
      scenario(`  duration: 10m
  nodes:
    - { name: pool, count: 6, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    nodeGroups: [{ name: pool, nodes: pool, minSize: 1, maxSize: 10 }]
  workloads:
    - { kind: Deployment, name: web, replicas: 12, requests: { cpu: 1500m, memory: 1Gi }, startup: { imagePull: 1s, ready: 1s } }
  faults:
    - { name: crash, type: node-crash, at: 1m, duration: 4m, target: { nodes: [pool-0, pool-1, pool-2, pool-3] } }`),
    );
    const halted = of(ev, 'autoscaler.halted')[0];
    expect(halted).toEqual(expect.objectContaining({ unready: 4, total: 6 }));
    expect(halted.reason).toMatch(/^67% of nodes unready/);
    const resumed = of(ev, 'autoscaler.resumed')[0];
    expect(resumed.atMs).toBeGreaterThan(5 * 60_000);
    // Nothing is scaled while halted.
    for (const e of [...of(ev, 'nodegroup.scaled.up'), ...of(ev, 'nodegroup.scaled.down')])
      expect(e.atMs < halted.atMs || e.atMs > resumed.atMs).toBe(true);
  });

  it('reads through the API server: while every API server is down it scales nothing', () => {
    const ev = run(
      scenario(`  duration: 6m
  nodes:
    - { name: pool, count: 2, zone: zone-a, capacity: { cpu: "4", memory: 16Gi, pods: 110 } }
  autoscaler:
    nodeGroups: [{ name: pool, nodes: pool, minSize: 1, maxSize: 3 }]
  workloads:
    - { kind: Deployment, name: web, replicas: 5, requests: { cpu: 1500m, memory: 1Gi }, startup: { imagePull: 1s, ready: 1s } }
  faults:
    - { name: cp, type: apiserver-outage, at: 0s, duration: 3m }`),
    );
    const up = of(ev, 'nodegroup.scaled.up');
    expect(up.length).toBe(1);
    expect(up[0].atMs).toBeGreaterThan(3 * 60_000);
  });
});

// Nodes added and removed during a run (model/infra/node-provisioning.ts): a provisioned node boots, its
// kubelet registers the Node and reports Ready=False until the runtime's network is ready, then Ready=True;
// it gets pods and its kube-proxy joins the fleet. A terminated node's host never comes back.
import { parseScenarioText, type Scenario } from '../../../src/scenario/index.js';
import { buildCluster, type Cluster } from '../../../src/model/cluster.js';
import { NETWORK_NOT_READY_MESSAGE } from '../../../src/model/kubelet/kubelet.js';
import type { NodeSpec } from '../../../src/k8s/workloads.js';
import { readyCondition } from '../../../src/k8s/objects.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

function scenario(extra = ''): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: provisioning-test }
spec:
  duration: 10m
  kubernetes:
    kubelet: { bootTime: 30s, networkReadyTime: 10s }
    # No cloud-controller-manager: it would delete a terminated node's Node (tested in test/model/cloud).
    cloudControllerManager: { enabled: false }
  nodes:
    - { name: worker, count: 2, zone: zone-a }
  workloads:
    - kind: Deployment
      name: web
      replicas: 2
      startup: { imagePull: 1s, ready: 1s }
      service: { name: web-svc, port: 80, traffic: { rate: 10, timeout: 1s } }
    - { kind: DaemonSet, name: agent, startup: { imagePull: 1s, ready: 1s } }
${extra}`;
  const parsed = parseScenarioText(text, { file: 'provisioning-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

const newNode = (name: string, zone = 'zone-a'): NodeSpec => ({
  name,
  zone,
  labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name },
  capacity: { cpuMilli: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 },
});

function build(s: Scenario): Cluster {
  return buildCluster(s.spec, { seed: s.spec.seed });
}

const events = (c: Cluster) => c.ctx.trace.events as unknown as Ev[];

describe('node provisioning', () => {
  it('a node added mid-run boots, registers Ready=False (runtime network not ready), then Ready=True', () => {
    const c = build(scenario());
    c.ctx.sim.at(120_000, () => c.provisioner.provision(newNode('worker-new')));
    c.ctx.sim.run(400_000);
    const ev = events(c);
    const mine = ev.filter((e) => e.node === 'worker-new' || e.host === 'worker-new');
    expect(mine[0]).toEqual(expect.objectContaining({ atMs: 120_000, type: 'node.provisioned', zone: 'zone-a' }));
    const booted = mine.find((e) => e.type === 'host.booted')!;
    expect(booted).toEqual(expect.objectContaining({ atMs: 150_000, bootMs: 30_000 }));
    const created = mine.find((e) => e.type === 'node.created')!;
    expect(created.atMs).toBeGreaterThanOrEqual(150_000);
    expect(created.atMs).toBeLessThan(150_100);
    const ready = mine.filter((e) => e.type === 'node.ready.changed');
    expect(ready[0]).toEqual(expect.objectContaining({ to: 'False', by: 'kubelet' }));
    expect(ready[1]).toEqual(expect.objectContaining({ to: 'True', by: 'kubelet' }));
    // fastStatusUpdateOnce: Ready is posted as soon as the network is (10 s after the kubelet's start).
    expect(ready[1].atMs).toBeGreaterThanOrEqual(160_000);
    expect(ready[1].atMs).toBeLessThan(160_100);
    // TaintNodesByCondition: the Node is created with not-ready:NoSchedule, which the node lifecycle
    // controller removes once it sees the node Ready, so nothing is scheduled to it before.
    const noSchedule = (e: Ev) => e.key === 'node.kubernetes.io/not-ready' && e.effect === 'NoSchedule';
    expect(mine.find((e) => e.type === 'node.taint.added' && noSchedule(e))!.atMs).toBe(created.atMs);
    const untainted = mine.find((e) => e.type === 'node.taint.removed' && noSchedule(e))!;
    expect(untainted.atMs).toBeGreaterThanOrEqual(ready[1].atMs);
    // The nodes of t = 0 stand for Nodes registered before the run: no such taint.
    expect(ev.some((e) => e.node === 'worker-0' && e.type === 'node.taint.added')).toBe(false);
    // While Ready=False the node lifecycle controller taints it not-ready, never unreachable.
    const taints = mine.filter((e) => e.type === 'node.taint.added');
    expect(taints.map((t) => t.key)).toContain('node.kubernetes.io/not-ready');
    expect(taints.map((t) => t.key)).not.toContain('node.kubernetes.io/unreachable');
    // The DaemonSet's pod lands on it and starts only once the network is ready.
    const scheduled = ev.find((e) => e.type === 'pod.scheduled' && e.node === 'worker-new')!;
    expect(scheduled).toBeDefined();
    const started = ev.find((e) => e.type === 'pod.started' && e.pod === scheduled.pod)!;
    expect(started.atMs).toBeGreaterThanOrEqual(160_000);
    const node = c.ctx.api.store.nodes.get('worker-new')!;
    expect(readyCondition(node)?.status).toBe('True');
  });

  it('the Ready=False condition carries the kubelet reason and the runtime message', () => {
    const c = build(scenario());
    c.ctx.sim.at(60_000, () => c.provisioner.provision(newNode('worker-new')));
    c.ctx.sim.run(95_000);
    const cond = readyCondition(c.ctx.api.store.nodes.get('worker-new')!)!;
    expect(cond.status).toBe('False');
    expect(cond.reason).toBe('KubeletNotReady');
    expect(cond.message).toBe(NETWORK_NOT_READY_MESSAGE);
  });

  it("the new node's kube-proxy joins the fleet with the fleet's rules once it reaches the API server", () => {
    const c = build(scenario());
    c.ctx.sim.at(120_000, () => c.provisioner.provision(newNode('worker-new')));
    c.ctx.sim.run(149_000);
    const proxies = c.proxies!;
    const n = proxies.byName.get('worker-new')!;
    expect(n.connected).toBe(false);
    c.ctx.sim.run(160_000);
    expect(n.connected).toBe(true);
    expect(n.own).toBeUndefined();
    expect(proxies.rulesOf(n, 'web-svc')).toEqual(proxies.fleetRules('web-svc'));
    expect(proxies.fleetRules('web-svc').length).toBe(2);
  });

  it('adding a node moves nobody else: the other nodes do exactly what they did before it came', () => {
    const plain = build(scenario());
    plain.ctx.sim.run(300_000);
    const added = build(scenario());
    added.ctx.sim.at(120_000, () => added.provisioner.provision(newNode('worker-new', 'zone-b')));
    added.ctx.sim.run(300_000);
    const old = new Set(['worker-0', 'worker-1']);
    const others = (c: Cluster) =>
      events(c)
        .filter((e) => e.atMs < 120_000 || (e.type.startsWith('node.') && old.has(e.node as string)))
        .map((e) => JSON.stringify(e));
    // The comparison covers the old nodes' own events (registration, conditions), not an empty list.
    expect(others(plain).filter((e) => e.includes('"type":"node.')).length).toBeGreaterThan(0);
    expect(others(added)).toEqual(others(plain));
  });

  it('a terminated node powers off for good; its Node stays until deleted', () => {
    const c = build(scenario());
    c.ctx.sim.at(120_000, () => c.provisioner.terminate('worker-1'));
    c.ctx.sim.at(200_000, () => c.ctx.hosts.get('worker-1')!.powerOn());
    c.ctx.sim.run(300_000);
    expect(c.ctx.hosts.get('worker-1')!.poweredOn).toBe(false);
    expect(c.ctx.api.store.nodes.has('worker-1')).toBe(true);
    const ev = events(c);
    expect(ev.find((e) => e.type === 'node.terminated')).toEqual(
      expect.objectContaining({ atMs: 120_000, node: 'worker-1' }),
    );
    c.ctx.sim.at(300_000, () => c.provisioner.deleteNode('worker-1', { host: c.operator, name: 'operator' }));
    c.ctx.sim.run(310_000);
    expect(c.ctx.api.store.nodes.has('worker-1')).toBe(false);
    expect(c.provisioner.isTerminated('worker-1')).toBe(true);
  });

  it('a power-off during the boot abandons it: the host stays off', () => {
    const c = build(scenario());
    c.ctx.sim.at(60_000, () => c.provisioner.provision(newNode('worker-new')));
    c.ctx.sim.at(70_000, () => c.provisioner.terminate('worker-new'));
    c.ctx.sim.run(200_000);
    expect(events(c).some((e) => e.type === 'host.booted')).toBe(false);
    expect(c.ctx.api.store.nodes.has('worker-new')).toBe(false);
  });
});

// A small cluster for the workload, PodGC and scheduler tests: a hand-made Scenario with one
// controller-manager and one scheduler, and no scenario nodes (so the real kubelet never runs here).
// FakeNodes plays the kubelets through the store: it registers Ready nodes, renews their leases, starts
// bound pods (Running and Ready one second later) and removes Terminating pods after a short grace,
// except on nodes the test has "killed", where pods stay exactly as the API server has them.
import { defaultKubernetesConfig } from '../../../src/scenario/defaults.js';
import type { Node, Pod, Taint } from '../../../src/k8s/objects.js';
import type { ApiStore } from '../../../src/model/apiserver/store.js';
import { type Cluster, buildCluster } from '../../../src/model/cluster.js';
import type { SchedulerController } from '../../../src/model/scheduler/scheduler.js';
import type { Scenario, WorkloadSpec } from '../../../src/scenario/types.js';

const LE = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
export const GiB = 2 ** 30;

export function workload(kind: WorkloadSpec['kind'], name: string, over: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return {
    kind,
    name,
    id: `${kind}/${name}`,
    replicas: kind === 'DaemonSet' ? 0 : 3,
    requests: { cpuMilli: 100, memoryBytes: 128 * 2 ** 20 },
    tolerations: [],
    nodeSelector: {},
    spreadAcrossZones: false,
    startup: { imagePull: { minMs: 1000, maxMs: 1000 }, ready: { minMs: 1000, maxMs: 1000 } },
    terminationGracePeriodMs: 30_000,
    origin: 'test',
    ...over,
  };
}

export function scenario(workloads: WorkloadSpec[], seed = 7): Scenario {
  return {
    metadata: { name: 'workloads-test' },
    spec: {
      seed,
      durationMs: 3_600_000,
      kubernetes: {
        ...defaultKubernetesConfig(),
        scheduler: { ...defaultKubernetesConfig().scheduler, replicas: 1, leaderElection: LE },
        controllerManager: { ...defaultKubernetesConfig().controllerManager, leaderElection: LE },
      },
      controlPlane: { zones: ['zone-a'] },
      nodes: [],
      workloads,
      faults: [],
      slos: [],
    },
  };
}

export interface NodeOptions {
  zone?: string;
  cpuMilli?: number;
  memoryBytes?: number;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export class FakeNodes {
  readonly dead = new Set<string>();
  private readonly starting = new Set<string>();
  private readonly removing = new Set<string>();

  constructor(readonly cluster: Cluster) {
    const sim = cluster.ctx.sim;
    this.store.watch({
      kind: 'Pod',
      notify: (_type, obj) => {
        const pod = obj as Pod;
        const node = pod.spec.nodeName;
        if (node === undefined || this.dead.has(node) || !this.store.pods.has(pod.metadata.name)) return;
        const name = pod.metadata.name;
        const uid = pod.metadata.uid;
        if (pod.metadata.deletionTimestampMs !== undefined) {
          if (this.removing.has(name)) return;
          this.removing.add(name);
          sim.after(500, () => {
            this.removing.delete(name);
            if (this.dead.has(node)) return;
            this.store.deletePod(name, { gracePeriodSeconds: 0, uid, reason: 'kubelet' }, 'kubelet');
          });
        } else if (pod.status.phase === 'Pending' && !this.starting.has(name)) {
          this.starting.add(name);
          sim.after(1000, () => {
            this.starting.delete(name);
            if (this.dead.has(node)) return;
            this.store.patch<Pod>(
              'Pod',
              name,
              (cur) =>
                cur.metadata.uid !== uid || cur.metadata.deletionTimestampMs !== undefined
                  ? undefined
                  : { ...cur, status: { ...cur.status, phase: 'Running', ready: true } },
              'kubelet',
            );
          });
        }
      },
    });
  }

  get store(): ApiStore {
    return this.cluster.ctx.api.store;
  }

  /** Registers a Ready node and renews its lease every 10 s while it is alive. */
  add(name: string, opts: NodeOptions = {}): void {
    const zone = opts.zone ?? 'zone-a';
    const now = this.cluster.ctx.sim.nowMs;
    const node: Node = {
      kind: 'Node',
      metadata: {
        name,
        uid: 0,
        resourceVersion: 0,
        creationTimestampMs: 0,
        labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name, ...opts.labels },
      },
      spec: { taints: opts.taints ?? [], unschedulable: false },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastHeartbeatTimeMs: now,
            lastTransitionTimeMs: now,
            reason: 'KubeletReady',
            message: '',
          },
        ],
        capacity: {
          cpuMilli: opts.cpuMilli ?? 4000,
          memoryBytes: opts.memoryBytes ?? 16 * GiB,
          pods: opts.pods ?? 110,
        },
      },
    };
    this.store.create(node, 'kubelet', { preexisting: true });
    this.store.create(
      {
        kind: 'Lease',
        metadata: {
          name,
          namespace: 'kube-node-lease',
          uid: 0,
          resourceVersion: 0,
          creationTimestampMs: 0,
          labels: {},
        },
        spec: {
          holderIdentity: name,
          leaseDurationSeconds: 40,
          acquireTimeMs: now,
          renewTimeMs: now,
          leaseTransitions: 0,
        },
      },
      'kubelet',
    );
    const renew = () => {
      if (this.dead.has(name) || !this.store.nodes.has(name)) return;
      this.store.patch(
        'Lease',
        `kube-node-lease/${name}`,
        (l) =>
          l.kind === 'Lease' ? { ...l, spec: { ...l.spec, renewTimeMs: this.cluster.ctx.sim.nowMs } } : undefined,
        'kubelet',
      );
      this.cluster.ctx.sim.after(10_000, renew);
    };
    this.cluster.ctx.sim.after(10_000, renew);
  }

  /** The kubelet stops: pods on the node stay as the API server has them. */
  kill(name: string): void {
    this.dead.add(name);
  }

  setReady(name: string, status: 'True' | 'False' | 'Unknown'): void {
    this.store.patch<Node>(
      'Node',
      name,
      (n) => ({
        ...n,
        status: {
          ...n.status,
          conditions: n.status.conditions.map((c) => (c.type === 'Ready' ? { ...c, status } : c)),
        },
      }),
      'test',
    );
  }

  addTaint(name: string, taint: Taint): void {
    this.store.patch<Node>(
      'Node',
      name,
      (n) => ({ ...n, spec: { ...n.spec, taints: [...n.spec.taints, taint] } }),
      'test',
    );
  }

  removeTaint(name: string, key: string): void {
    this.store.patch<Node>(
      'Node',
      name,
      (n) => ({ ...n, spec: { ...n.spec, taints: n.spec.taints.filter((t) => t.key !== key) } }),
      'test',
    );
  }
}

export interface Fixture {
  cluster: Cluster;
  nodes: FakeNodes;
  store: ApiStore;
  run(untilMs: number): void;
  pods(workload?: string): Pod[];
  active(workload?: string): Pod[];
  events(type: string): Array<Record<string, unknown>>;
  schedulerController(): SchedulerController;
}

export function fixture(workloads: WorkloadSpec[], seed = 7): Fixture {
  const cluster = buildCluster(scenario(workloads, seed).spec, { seed, clockStepsPossible: false });
  const nodes = new FakeNodes(cluster);
  const store = cluster.ctx.api.store;
  const pods = (w?: string) =>
    [...store.pods.values()]
      .filter((p) => w === undefined || p.metadata.workload === w)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  return {
    cluster,
    nodes,
    store,
    run: (untilMs) => cluster.ctx.sim.run(untilMs),
    pods,
    active: (w) => pods(w).filter((p) => p.metadata.deletionTimestampMs === undefined),
    events: (type) => cluster.ctx.trace.events.filter((e) => e.type === type),
    // The leading scheduler's (the first to lead is seeded: infra/process.ts, seeded phases).
    schedulerController: () => cluster.schedulers.find((p) => p.isLeader)?.scheduler as SchedulerController,
  };
}

/** 3 zones x perZone nodes named worker-<zone letter>-<i>. */
export function addZonalNodes(f: Fixture, perZone: number, opts: NodeOptions = {}): string[] {
  const names: string[] = [];
  for (const z of ['a', 'b', 'c']) {
    for (let i = 0; i < perZone; i++) {
      const name = `worker-${z}-${i}`;
      f.nodes.add(name, { ...opts, zone: `zone-${z}` });
      names.push(name);
    }
  }
  return names;
}

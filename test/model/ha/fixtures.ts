// Hand-made scenarios for the leader-election tests: a control plane and no worker nodes or workloads,
// so the runs depend on nothing but the API server, the network and the leader-elected processes.
import { defaultKubernetesConfig } from '../../../src/scenario/defaults.js';
import { buildCluster, type Cluster } from '../../../src/model/cluster.js';
import { Process } from '../../../src/model/infra/process.js';
import type { Lease } from '../../../src/k8s/objects.js';
import type { ApiStore } from '../../../src/model/apiserver/store.js';
import type { Host } from '../../../src/model/infra/host.js';
import type { ModelContext } from '../../../src/model/context.js';
import type { FastPaths } from '../../../src/model/fast-paths.js';
import type { LeaderElectionConfig, Scenario } from '../../../src/scenario/types.js';
import type { TraceRecord } from '../../../src/engine/index.js';

export const DEFAULT_LE: LeaderElectionConfig = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export interface ControlPlaneOptions {
  seed?: number;
  controllerManagers?: number;
  schedulers?: number;
  apiServers?: number;
  etcdMembers?: number;
  leaderElection?: LeaderElectionConfig;
  latency?: { minMs: number; maxMs: number };
  durationMs?: number;
  /**
   * Default: every fast path but leaderElectionChains. These tests watch every write and read of a Lease at
   * the store (recordLeaseOps, the failover tests' renewal spies), which a quiet chain plays late; the chain
   * is compared with the reference in test/model/ha/quiet-chain.test.ts.
   */
  fastPaths?: Partial<FastPaths>;
}

export function controlPlaneScenario(o: ControlPlaneOptions = {}): Scenario {
  const le = o.leaderElection ?? DEFAULT_LE;
  return {
    metadata: { name: 'ha-test' },
    spec: {
      seed: o.seed ?? 1,
      durationMs: o.durationMs ?? 120_000,
      kubernetes: {
        ...defaultKubernetesConfig(),
        controllerManager: {
          ...defaultKubernetesConfig().controllerManager,
          replicas: o.controllerManagers ?? 0,
          leaderElection: le,
        },
        scheduler: { ...defaultKubernetesConfig().scheduler, replicas: o.schedulers ?? 0, leaderElection: le },
        apiServer: { ...defaultKubernetesConfig().apiServer, replicas: o.apiServers ?? 1 },
        etcd: { members: o.etcdMembers ?? 1 },
        network: { latency: o.latency ?? { minMs: 1, maxMs: 5 } },
      },
      controlPlane: { zones: ['zone-a', 'zone-b', 'zone-c'] },
      nodes: [],
      workloads: [],
      faults: [],
      slos: [],
    },
  };
}

export function controlPlane(o: ControlPlaneOptions = {}): Cluster {
  const s = controlPlaneScenario(o);
  return buildCluster(s.spec, {
    seed: o.seed ?? s.spec.seed,
    clockStepsPossible: false,
    fastPaths: o.fastPaths ?? { leaderElectionChains: false },
  });
}

/** A bare process to drive a LeaderElector by hand (the upstream unit tests' role). */
export class TestProcess extends Process {
  constructor(ctx: ModelContext, host: Host, name = 'candidate') {
    super(ctx, host, name, 'test-component');
  }
  protected onStart(): void {}
}

export type LeaseOp = 'get' | 'create' | 'update' | 'update(conflict)';

/**
 * Wraps the store's lease calls for kube-system leases and records them in order, as the fake clientset's
 * action list in leaderelection_test.go. `conflictOnUpdate` makes the n-th update (1-based) fail with Conflict.
 */
export function recordLeaseOps(store: ApiStore, opts: { conflictOnUpdate?: number } = {}): LeaseOp[] {
  const ops: LeaseOp[] = [];
  const getLease = store.getLease.bind(store);
  const create = store.create.bind(store);
  const update = store.update.bind(store);
  let updates = 0;
  store.getLease = (ns, name) => {
    if (ns === 'kube-system') ops.push('get');
    return getLease(ns, name);
  };
  store.create = ((obj, actor) => {
    if (obj.kind === 'Lease' && obj.metadata.namespace === 'kube-system') ops.push('create');
    return create(obj, actor);
  }) as ApiStore['create'];
  store.update = ((obj, actor) => {
    if (obj.kind === 'Lease' && obj.metadata.namespace === 'kube-system') {
      updates++;
      if (updates === opts.conflictOnUpdate) {
        ops.push('update(conflict)');
        return { ok: false, reason: 'Conflict' };
      }
      ops.push('update');
    }
    return update(obj, actor);
  }) as ApiStore['update'];
  return ops;
}

/** Puts a kube-system lease straight into the store (as the fake clientset's existing objects). */
export function putLease(store: ApiStore, name: string, spec: Partial<Lease['spec']>): Lease {
  const r = store.create<Lease>(
    {
      kind: 'Lease',
      metadata: { name, namespace: 'kube-system', uid: 0, resourceVersion: 0, creationTimestampMs: 0, labels: {} },
      spec: {
        holderIdentity: '',
        leaseDurationSeconds: 0,
        acquireTimeMs: 0,
        renewTimeMs: 0,
        leaseTransitions: 0,
        ...spec,
      },
    },
    'test',
  );
  if (!r.ok) throw new Error(`putLease: ${r.reason}`);
  return r.value;
}

export interface LeaderInterval {
  instance: string;
  fromMs: number;
  /** Infinity when still leading at the end of the run. */
  toMs: number;
}

/** Leadership intervals of one component from the trace (leader.acquired .. leader.lost). */
export function leaderIntervals(
  events: readonly (TraceRecord & Record<string, unknown>)[],
  component: string,
): LeaderInterval[] {
  const open = new Map<string, number>();
  const out: LeaderInterval[] = [];
  for (const e of events) {
    if (e.component !== component) continue;
    const instance = String(e.instance);
    if (e.type === 'leader.acquired') open.set(instance, e.atMs);
    else if (e.type === 'leader.lost' && open.has(instance)) {
      out.push({ instance, fromMs: open.get(instance)!, toMs: e.atMs });
      open.delete(instance);
    }
  }
  for (const [instance, fromMs] of open) out.push({ instance, fromMs, toMs: Infinity });
  return out.sort((a, b) => a.fromMs - b.fromMs);
}

/** The most leaders acting at one moment, and the total time two or more overlapped (ms). */
export function concurrency(intervals: readonly LeaderInterval[]): { maxLeaders: number; overlapMs: number } {
  const points: Array<[number, number]> = [];
  for (const i of intervals) {
    points.push([i.fromMs, +1], [i.toMs, -1]);
  }
  // At equal times a loss is counted before an acquisition: a hand-over in one millisecond is not a split brain.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let maxLeaders = 0;
  let overlapMs = 0;
  let lastMs = 0;
  for (const [t, d] of points) {
    if (cur >= 2 && Number.isFinite(t)) overlapMs += t - lastMs;
    cur += d;
    lastMs = t;
    maxLeaders = Math.max(maxLeaders, cur);
  }
  return { maxLeaders, overlapMs };
}

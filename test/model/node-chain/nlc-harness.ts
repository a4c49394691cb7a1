// A tiny harness that drives NodeLifecycleCore with injected nodes, leases, pods and controller time.
// Writes apply at once to the harness's maps (with resourceVersion checks), as a fake clientset would.
import type { Lease, Node, Pod } from '../../../src/k8s/objects.js';
import type { ApiFailure, ApiResult } from '../../../src/model/apiserver/store.js';
import { NodeLifecycleCore, type NlcConfig, type NlcEnv } from '../../../src/model/nodelifecycle/nlc-core.js';
import { swapTaints } from '../../../src/model/nodelifecycle/nlc-taints.js';

export const TEST_CONFIG: NlcConfig = {
  nodeMonitorGracePeriodMs: 50_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 100_000,
  secondaryNodeEvictionRate: 100_000,
  unhealthyZoneThreshold: 0.55,
  largeClusterSizeThreshold: 20,
  evictionMode: 'taint',
  podEvictionTimeoutMs: 300_000,
};

export class NlcHarness {
  nowMs = 0;
  readonly nodes = new Map<string, Node>();
  readonly leases = new Map<string, Lease>();
  readonly pods = new Map<string, Pod>();
  readonly nodeStatusUpdates: Node[] = [];
  readonly podStatusUpdates: string[] = [];
  readonly podDeletes: string[] = [];
  readonly zoneEvents: Array<{ zone: string; from: string; to: string }> = [];
  /** Fail the next n pod status updates. */
  failPodUpdates = 0;
  /** Fail the next n taint swaps (the node is left as it is). */
  failSwaps = 0;
  readonly core: NodeLifecycleCore;

  constructor(cfg: Partial<NlcConfig> = {}, quietNodes = true) {
    const env: NlcEnv = {
      now: () => this.nowMs,
      nodes: () => [...this.nodes.values()],
      node: (n) => this.nodes.get(n),
      lease: (n) => this.leases.get(n),
      podsOnNode: (n) => [...this.pods.values()].filter((p) => p.spec.nodeName === n),
      updateNodeStatus: (node, done) => {
        const cur = this.nodes.get(node.metadata.name);
        if (!cur) return done(fail('NotFound'));
        if (cur.metadata.resourceVersion !== node.metadata.resourceVersion) return done(fail('Conflict'));
        const stored = { ...node, metadata: { ...node.metadata, resourceVersion: node.metadata.resourceVersion + 1 } };
        this.nodes.set(node.metadata.name, stored);
        this.nodeStatusUpdates.push(stored);
        done({ ok: true, value: stored });
      },
      markPodNotReady: (pod, done) => {
        this.podStatusUpdates.push(pod.metadata.name);
        if (this.failPodUpdates > 0) {
          this.failPodUpdates--;
          return done(fail('Timeout'));
        }
        const next = { ...pod, status: { ...pod.status, ready: false } };
        this.pods.set(pod.metadata.name, next);
        done({ ok: true, value: next });
      },
      swapNodeTaints: (name, add, remove, done) => {
        const cur = this.nodes.get(name);
        if (!cur) return done(false);
        if (this.failSwaps > 0) {
          this.failSwaps--;
          return done(false);
        }
        const next = swapTaints(cur, add, remove, this.nowMs);
        if (next)
          this.nodes.set(name, {
            ...next,
            metadata: { ...next.metadata, resourceVersion: next.metadata.resourceVersion + 1 },
          });
        done(true);
      },
      deletePod: (pod, _reason, done) => {
        this.podDeletes.push(pod.metadata.name);
        done({ ok: true, value: undefined });
      },
      zoneStateChanged: (zone, from, to) => this.zoneEvents.push({ zone, from, to }),
    };
    this.core = new NodeLifecycleCore({ ...TEST_CONFIG, ...cfg }, env, quietNodes);
  }

  addNode(n: Node): void {
    this.nodes.set(n.metadata.name, n);
  }

  /** Replaces a node's status conditions (a kubelet post), bumping its resourceVersion. */
  setConditions(name: string, conditions: Node['status']['conditions']): void {
    const cur = this.nodes.get(name)!;
    this.nodes.set(name, {
      ...cur,
      metadata: { ...cur.metadata, resourceVersion: cur.metadata.resourceVersion + 1 },
      status: { ...cur.status, conditions },
    });
  }

  monitor(atMs: number): void {
    this.nowMs = atMs;
    this.core.monitorNodeHealth();
  }

  /**
   * A few doNoExecuteTaintingPass calls 1 ms apart: upstream's test buckets (100 000 QPS, burst 1) refill
   * on the wall clock between items, the harness's only when its clock moves.
   */
  taintPass(): void {
    for (let i = 0; i < 10; i++) {
      this.core.doNoExecuteTaintingPass();
      this.nowMs += 1;
    }
  }

  ready(name: string) {
    return this.nodes.get(name)!.status.conditions.find((c) => c.type === 'Ready');
  }

  taints(name: string): string[] {
    return this.nodes
      .get(name)!
      .spec.taints.map((t) => `${t.key}:${t.effect}`)
      .sort();
  }

  zoneState(zone: string) {
    return this.core.zoneStates.get(zone);
  }
}

function fail(reason: ApiFailure): ApiResult<never> {
  return { ok: false, reason };
}

// Operator actions on nodes as kubectl performs them (kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/drain:
// cordon.go CordonHelper.PatchOrReplace, drain.go Helper.GetPodsForDeletion / EvictPod / DeletePod,
// pkg/cmd/drain/drain.go RunDrain / deleteOrEvictPods / evictPods / deletePods / waitForDelete), each call a
// request from the operator host through the simulated API server:
// - cordon / uncordon: PATCH spec.unschedulable.
// - drain: cordon every target node first, then drain the nodes one after the other, stopping at the first
//   that fails or times out (RunDrain). For one node:
//   1. list its pods (fieldSelector spec.nodeName); DaemonSet pods are skipped (`--ignore-daemonsets`),
//      and there are no mirror or unreplicated pods in hasim;
//   2. evict every pod at once (`policy/v1` Eviction; with `disableEviction`, a plain DELETE), with the
//      drain's `gracePeriod` or the pod's own; a refused eviction (429 TooManyRequests) is retried
//      every 5 s; NotFound means the pod is already gone; any other error ends that pod's worker with an
//      error;
//   3. after a pod's eviction, poll it every 1 s (GET) until it is gone or replaced by a new incarnation;
//   4. with `timeout`, give up when it has passed since step 2 began ("drain did not complete within
//      <timeout>"); kubectl exits then, so nothing more is sent. Without it kubectl waits forever.
// Traced: node.drain.started (after the list), node.drain.finished, node.drain.timedout (with the pods
// still there), node.drain.failed (errors other than 429).
import type { Node, Pod } from '../k8s/objects.js';
import type { Cluster } from '../model/cluster.js';
import { evictPod } from '../model/apiserver/eviction.js';
import type { ApiResult, ApiStore } from '../model/apiserver/store.js';

/** kubectl's client timeout for each call (no --request-timeout: the connection's own, modelled as 30 s). */
export const KUBECTL_REQUEST_TIMEOUT_MS = 30_000;
/** evictPods: the wait before retrying a refused eviction. */
export const EVICTION_RETRY_MS = 5_000;
/** waitForDelete: the poll interval. */
export const DELETE_POLL_MS = 1_000;
const ACTOR = 'kubectl';

export interface DrainOptions {
  fault: string;
  /** --timeout; undefined: wait forever (kubectl's default 0s). */
  timeoutMs?: number;
  /** --disable-eviction: DELETE instead of the Eviction API (bypasses PodDisruptionBudgets). */
  disableEviction: boolean;
  /** --grace-period in seconds; undefined: each pod's own (kubectl's -1). */
  gracePeriodSeconds?: number;
  /** Who drains (the writer's name in the trace): kubectl, or a managed node-pool upgrade. Default kubectl. */
  actor?: string;
}

function kubectl<T>(
  cluster: Cluster,
  label: string,
  op: (s: ApiStore) => ApiResult<T>,
  done: (r: ApiResult<T>) => void,
  actor = ACTOR,
): void {
  cluster.ctx.api.request(cluster.operator, KUBECTL_REQUEST_TIMEOUT_MS, op, done, `${actor}/${label}`);
}

/** kubectl cordon / uncordon: PATCH spec.unschedulable (nothing to do when it already has the value). */
export function setUnschedulable(
  cluster: Cluster,
  node: string,
  unschedulable: boolean,
  done: () => void = () => {},
  actor = ACTOR,
): void {
  kubectl<Node>(
    cluster,
    `${unschedulable ? 'cordon' : 'uncordon'} ${node}`,
    (s) =>
      s.patch<Node>(
        'Node',
        node,
        (cur) =>
          cur.spec.unschedulable === unschedulable
            ? undefined
            : { ...cur, spec: { taints: cur.spec.taints, unschedulable } },
        actor,
      ),
    () => done(),
    actor,
  );
}

/** kubectl drain <nodes...>: cordon all, then drain one node at a time. */
export function drainNodes(cluster: Cluster, nodes: readonly string[], opts: DrainOptions): void {
  let cordoned = 0;
  if (nodes.length === 0) return;
  for (const n of nodes)
    setUnschedulable(cluster, n, true, () => {
      if (++cordoned === nodes.length) next(0);
    });
  const next = (i: number) => {
    if (i >= nodes.length) return;
    drainNode(cluster, nodes[i], opts, (ok) => {
      if (ok) next(i + 1);
    });
  };
}

/** deleteOrEvictPodsSimple for one node; `done(ok)` when it finished, failed or timed out. */
export function drainNode(cluster: Cluster, node: string, opts: DrainOptions, done: (ok: boolean) => void): void {
  const drain = new NodeDrain(cluster, node, opts, done);
  drain.request<Pod[]>(
    `list pods on ${node}`,
    (s) => ({ ok: true, value: s.podsOnNode(node) }),
    (r) => {
      if (!r.ok) {
        cluster.ctx.trace.emit('node.drain.failed', {
          node,
          fault: opts.fault,
          message: `error listing pods on ${node}: ${r.reason}`,
        });
        done(false);
        return;
      }
      drain.start(
        r.value
          .filter((p) => !p.metadata.workload.startsWith('DaemonSet/'))
          .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)),
      );
    },
  );
}

/** One node's drain once its pods are listed: evict (or delete) each, wait for each to be gone. */
class NodeDrain {
  private over = false;
  private readonly pending = new Set<string>();
  private readonly errors: string[] = [];
  private evicted = 0;
  private readonly actor: string;

  constructor(
    private readonly cluster: Cluster,
    private readonly node: string,
    private readonly opts: DrainOptions,
    private readonly done: (ok: boolean) => void,
  ) {
    this.actor = opts.actor ?? ACTOR;
  }

  /** A kubectl request through the operator's client. */
  request<T>(label: string, op: (s: ApiStore) => ApiResult<T>, after: (r: ApiResult<T>) => void): void {
    this.cluster.ctx.api.request(
      this.cluster.operator,
      KUBECTL_REQUEST_TIMEOUT_MS,
      op,
      after,
      `${this.actor}/${label}`,
    );
  }

  start(pods: Pod[]): void {
    const { sim, trace } = this.cluster.ctx;
    const { node, opts } = this;
    this.evicted = pods.length;
    trace.emit('node.drain.started', { node, fault: opts.fault, pods: pods.length });
    for (const p of pods) this.pending.add(p.metadata.name);
    if (opts.timeoutMs !== undefined)
      sim.at(sim.nowMs + opts.timeoutMs, () => this.timeout(), `kubectl/drain ${node}/timeout`);
    for (const p of pods) this.evict(p);
    this.finish();
  }

  private finish(): void {
    if (this.over || this.pending.size > 0) return;
    this.over = true;
    const { trace } = this.cluster.ctx;
    if (this.errors.length === 0) {
      trace.emit('node.drain.finished', { node: this.node, fault: this.opts.fault, evicted: this.evicted });
      this.done(true);
    } else {
      trace.emit('node.drain.failed', { node: this.node, fault: this.opts.fault, message: this.errors.join('; ') });
      this.done(false);
    }
  }

  private timeout(): void {
    if (this.over) return;
    this.over = true;
    const timeoutMs = this.opts.timeoutMs!;
    this.cluster.ctx.trace.emit('node.drain.timedout', {
      node: this.node,
      fault: this.opts.fault,
      timeoutMs,
      remaining: [...this.pending].sort(),
      message: `drain did not complete within ${formatGoDuration(timeoutMs)}`,
    });
    this.done(false);
  }

  private settled(name: string, error?: string): void {
    if (error !== undefined) this.errors.push(error);
    this.pending.delete(name);
    this.finish();
  }

  private waitForDelete(p: Pod): void {
    if (this.over) return;
    const { sim } = this.cluster.ctx;
    const name = p.metadata.name;
    this.request<Pod>(
      `get pod ${name}`,
      (s) => s.getPod(name),
      (g) => {
        if (this.over) return;
        if ((!g.ok && g.reason === 'NotFound') || (g.ok && g.value.metadata.uid !== p.metadata.uid)) {
          this.settled(name);
          return;
        }
        sim.at(sim.nowMs + DELETE_POLL_MS, () => this.waitForDelete(p), `kubectl/drain ${this.node}/wait`);
      },
    );
  }

  private evict(p: Pod): void {
    if (this.over) return;
    const { sim } = this.cluster.ctx;
    const { opts, actor } = this;
    const name = p.metadata.name;
    this.request<Pod | undefined>(
      `${opts.disableEviction ? 'delete' : 'evict'} pod ${name}`,
      (s) =>
        opts.disableEviction
          ? s.deletePod(name, { gracePeriodSeconds: opts.gracePeriodSeconds, reason: 'drain' }, actor)
          : evictPod(s, name, { gracePeriodSeconds: opts.gracePeriodSeconds }, actor),
      (e) => {
        if (this.over) return;
        if (e.ok) {
          // waitForDelete polls at once (PollImmediate), then every second.
          this.waitForDelete(p);
          return;
        }
        if (e.reason === 'NotFound') this.settled(name);
        else if (e.reason === 'TooManyRequests' && !opts.disableEviction)
          sim.at(sim.nowMs + EVICTION_RETRY_MS, () => this.evict(p), `kubectl/drain ${this.node}/retry`);
        else
          this.settled(
            name,
            `error when ${opts.disableEviction ? 'deleting' : 'evicting'} pods/"${name}": ${e.reason}`,
          );
      },
    );
  }
}

/** A duration as Go's time.Duration prints it (kubectl's messages): 2m0s, 90s -> 1m30s, 500ms. */
export function formatGoDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

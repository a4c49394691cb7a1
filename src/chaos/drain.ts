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
  const { sim, trace } = cluster.ctx;
  const actor = opts.actor ?? ACTOR;
  const kubectl = <T>(label: string, op: (s: ApiStore) => ApiResult<T>, after: (r: ApiResult<T>) => void) =>
    cluster.ctx.api.request(cluster.operator, KUBECTL_REQUEST_TIMEOUT_MS, op, after, `${actor}/${label}`);
  kubectl<Pod[]>(
    `list pods on ${node}`,
    (s) => ({ ok: true, value: s.podsOnNode(node) }),
    (r) => {
      if (!r.ok) {
        trace.emit('node.drain.failed', {
          node,
          fault: opts.fault,
          message: `error listing pods on ${node}: ${r.reason}`,
        });
        done(false);
        return;
      }
      const pods = r.value
        .filter((p) => !p.metadata.workload.startsWith('DaemonSet/'))
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      trace.emit('node.drain.started', { node, fault: opts.fault, pods: pods.length });
      let over = false;
      const pending = new Set(pods.map((p) => p.metadata.name));
      const errors: string[] = [];
      const finish = () => {
        if (over || pending.size > 0) return;
        over = true;
        if (errors.length === 0) {
          trace.emit('node.drain.finished', { node, fault: opts.fault, evicted: pods.length });
          done(true);
        } else {
          trace.emit('node.drain.failed', { node, fault: opts.fault, message: errors.join('; ') });
          done(false);
        }
      };
      if (opts.timeoutMs !== undefined)
        sim.at(
          sim.nowMs + opts.timeoutMs,
          () => {
            if (over) return;
            over = true;
            trace.emit('node.drain.timedout', {
              node,
              fault: opts.fault,
              timeoutMs: opts.timeoutMs!,
              remaining: [...pending].sort(),
              message: `drain did not complete within ${formatGoDuration(opts.timeoutMs!)}`,
            });
            done(false);
          },
          `kubectl/drain ${node}/timeout`,
        );
      const settled = (name: string, error?: string) => {
        if (error !== undefined) errors.push(error);
        pending.delete(name);
        finish();
      };
      const waitForDelete = (p: Pod) => {
        if (over) return;
        const name = p.metadata.name;
        kubectl<Pod>(
          `get pod ${name}`,
          (s) => s.getPod(name),
          (g) => {
            if (over) return;
            if ((!g.ok && g.reason === 'NotFound') || (g.ok && g.value.metadata.uid !== p.metadata.uid)) {
              settled(name);
              return;
            }
            sim.at(sim.nowMs + DELETE_POLL_MS, () => waitForDelete(p), `kubectl/drain ${node}/wait`);
          },
        );
      };
      const evict = (p: Pod) => {
        if (over) return;
        const name = p.metadata.name;
        kubectl<Pod | undefined>(
          `${opts.disableEviction ? 'delete' : 'evict'} pod ${name}`,
          (s) =>
            opts.disableEviction
              ? s.deletePod(name, { gracePeriodSeconds: opts.gracePeriodSeconds, reason: 'drain' }, actor)
              : evictPod(s, name, { gracePeriodSeconds: opts.gracePeriodSeconds }, actor),
          (e) => {
            if (over) return;
            if (e.ok) {
              // waitForDelete polls at once (PollImmediate), then every second.
              waitForDelete(p);
              return;
            }
            if (e.reason === 'NotFound') settled(name);
            else if (e.reason === 'TooManyRequests' && !opts.disableEviction)
              sim.at(sim.nowMs + EVICTION_RETRY_MS, () => evict(p), `kubectl/drain ${node}/retry`);
            else
              settled(name, `error when ${opts.disableEviction ? 'deleting' : 'evicting'} pods/"${name}": ${e.reason}`);
          },
        );
      };
      for (const p of pods) evict(p);
      finish();
    },
  );
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

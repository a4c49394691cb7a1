// Fidelity note. The NoExecute taint eviction controller of kube-controller-manager (the "taint manager"),
// kubernetes/kubernetes pkg/controller/tainteviction/taint_eviction.go and timed_workers.go
// (docs/fidelity.md#taint-eviction-controller, vectors E1–E9).
// Kept exactly: taintedNodes updated on a change of a node's NoExecute taint set; processPodOnNode with
// GetMatchingTolerations and getMinTolerationTime (an untolerated taint deletes at once, an infinite minimum
// cancels, and an existing timer is kept when it fires no later: a pod update can neither lengthen nor
// shorten a scheduled eviction); removing every NoExecute taint cancels the node's evictions; a deleted
// pod's work is cancelled; timers start when *this* process observes the taint (its own clock), so a new
// leader restarts them; a fired work item stays in the queue (no second eviction) until cancelled. On fire:
// a status patch DisruptionTarget=True (DeletionByTaintManager), then DELETE with the pod's own grace
// period, up to 5 attempts 10 ms apart. DaemonSet pods are never evicted because the DaemonSet controller
// gives them infinite tolerations; nothing here special-cases them.
// Simplified: the 8 sharded workers are one synchronous handler (node updates are handled as they arrive).
// In `evictionMode: legacy` (taint manager disabled, versions < 1.27) this controller does nothing.
import type { Toleration } from '../../k8s/objects.js';
import { type Node, type Pod, type Taint, podStatus } from '../../k8s/objects.js';
import type { ApiResult } from '../apiserver/store.js';
import { podIndexFor } from '../apiserver/pods-by-node.js';
import { matchingTolerations } from '../../k8s/tolerations.js';
import { minTolerationMs, noExecuteTaints } from '../nodelifecycle/nlc-taints.js';
import { controllerClient } from '../controllermanager/client.js';
import {
  CONTROLLER_REQUEST_TIMEOUT_MS,
  type Controller,
  type ControllerContext,
} from '../controllermanager/controller.js';

export const TEC_ACTOR = 'taint-eviction-controller';
const DELETE_RETRIES = 5;
const DELETE_RETRY_MS = 10;

export interface TimerHandle {
  cancel(): void;
}

export interface TecEnv {
  /** The controller's local clock, in ms. */
  now(): number;
  /** Runs fn after delayMs of local time. */
  after(delayMs: number, fn: () => void): TimerHandle;
  podsOnNode(nodeName: string): Iterable<Pod>;
  /** addConditionAndDeletePod: DisruptionTarget status patch, then DELETE; done(true) on success. */
  evict(podName: string, done: (ok: boolean) => void): void;
}

interface Work {
  createdAtMs: number;
  fireAtMs: number;
  timer: TimerHandle;
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.key !== y.key || x.value !== y.value || x.effect !== y.effect || x.timeAddedMs !== y.timeAddedMs)
      return false;
  }
  return true;
}

function sameTolerations(a: readonly Toleration[], b: readonly Toleration[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (
      x.key !== y.key ||
      x.operator !== y.operator ||
      x.value !== y.value ||
      x.effect !== y.effect ||
      x.tolerationSeconds !== y.tolerationSeconds
    ) {
      return false;
    }
  }
  return true;
}

export class TaintEvictionCore {
  readonly taintedNodes = new Map<string, Taint[]>();
  /** TimedWorkerQueue: pod name → pending work, or 'fired' once its eviction succeeded. */
  readonly work = new Map<string, Work | 'fired'>();

  constructor(private readonly env: TecEnv) {}

  /** NodeUpdated + handleNodeUpdate. */
  nodeUpdated(prev: Node | undefined, node: Node): void {
    const taints = noExecuteTaints(node);
    if (prev && sameTaints(noExecuteTaints(prev), taints)) return;
    this.handleNode(node);
  }

  handleNode(node: Node): void {
    const name = node.metadata.name;
    const taints = noExecuteTaints(node);
    if (taints.length === 0) this.taintedNodes.delete(name);
    else this.taintedNodes.set(name, taints);
    const pods = [...this.env.podsOnNode(name)];
    if (pods.length === 0) return;
    if (taints.length === 0) {
      for (const p of pods) this.cancelWork(p.metadata.name);
      return;
    }
    const now = this.env.now();
    for (const p of pods) this.processPodOnNode(p.metadata.name, p.spec.tolerations, taints, now);
  }

  nodeDeleted(name: string): void {
    this.taintedNodes.delete(name);
  }

  /** PodUpdated + handlePodUpdate (next undefined: the pod is gone). */
  podUpdated(prev: Pod | undefined, next: Pod | undefined): void {
    if (
      prev &&
      next &&
      prev.spec.nodeName === next.spec.nodeName &&
      sameTolerations(prev.spec.tolerations, next.spec.tolerations)
    )
      return;
    if (!next) {
      this.cancelWork(prev!.metadata.name);
      return;
    }
    const nodeName = next.spec.nodeName;
    if (nodeName === undefined) return;
    const taints = this.taintedNodes.get(nodeName);
    if (!taints) return;
    this.processPodOnNode(next.metadata.name, next.spec.tolerations, taints, this.env.now());
  }

  /** processPodOnNode (docs/fidelity.md#eviction-timers). */
  processPodOnNode(podName: string, tolerations: readonly Toleration[], taints: readonly Taint[], nowMs: number): void {
    if (taints.length === 0) this.cancelWork(podName);
    const { allTolerated, used } = matchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.cancelWork(podName);
      this.addWork(podName, nowMs, nowMs);
      return;
    }
    const minMs = minTolerationMs(used);
    if (minMs < 0) {
      this.cancelWork(podName);
      return;
    }
    let startMs = nowMs;
    const triggerMs = nowMs + minMs;
    const existing = this.work.get(podName);
    if (existing && existing !== 'fired') {
      startMs = existing.createdAtMs;
      if (startMs + minMs < triggerMs) return;
      this.cancelWork(podName);
    }
    this.addWork(podName, startMs, triggerMs);
  }

  cancelWork(podName: string): void {
    const w = this.work.get(podName);
    if (w && w !== 'fired') w.timer.cancel();
    this.work.delete(podName);
  }

  private addWork(podName: string, createdAtMs: number, fireAtMs: number): void {
    if (this.work.has(podName)) return;
    const delayMs = Math.max(0, fireAtMs - this.env.now());
    const w: Work = { createdAtMs, fireAtMs, timer: { cancel() {} } };
    w.timer = this.env.after(delayMs, () => this.fire(podName, w, 1));
    this.work.set(podName, w);
  }

  private fire(podName: string, w: Work, attempt: number): void {
    if (this.work.get(podName) !== w) return;
    this.env.evict(podName, (ok) => {
      if (this.work.get(podName) !== w) return;
      if (ok) this.work.set(podName, 'fired');
      else if (attempt < DELETE_RETRIES)
        w.timer = this.env.after(DELETE_RETRY_MS, () => this.fire(podName, w, attempt + 1));
      else this.work.delete(podName);
    });
  }
}

export function taintEvictionController(ctx: ControllerContext): Controller {
  const { proc, nodes, pods } = ctx;
  if (ctx.config.evictionMode === 'legacy') {
    return { name: 'taint-eviction-controller', start() {} };
  }
  const index = podIndexFor(pods);
  const t = CONTROLLER_REQUEST_TIMEOUT_MS;
  const client = controllerClient(proc, TEC_ACTOR, ctx.config);
  const env: TecEnv = {
    now: () => proc.now(),
    after: (delayMs, fn) => {
      const h = proc.after(delayMs, fn, 'tec/eviction');
      return { cancel: () => proc.cancel(h) };
    },
    podsOnNode: (name) => index.podsOn(name),
    evict: (podName, done) => {
      client.call<Pod>(
        'tec/disruption-target',
        t,
        (s) =>
          s.patch<Pod>(
            'Pod',
            podName,
            (cur) =>
              cur.status.disruptionTarget === 'DeletionByTaintManager'
                ? undefined
                : {
                    ...cur,
                    status: podStatus(
                      cur.status.phase,
                      cur.status.ready,
                      'DeletionByTaintManager',
                      cur.status.startTimeMs,
                    ),
                  },
            TEC_ACTOR,
          ),
        (r) => {
          if (!r.ok) return done(false);
          client.call<unknown>(
            'tec/delete-pod',
            t,
            (s) => s.deletePod(podName, { reason: 'taint-eviction' }, TEC_ACTOR) as ApiResult<unknown>,
            (d) => done(d.ok),
          );
        },
      );
    },
  };
  const core = new TaintEvictionCore(env);
  let started = false;
  nodes.addHandlers({
    onAdd: (n) => started && core.nodeUpdated(undefined, n),
    onUpdate: (prev, n) => started && core.nodeUpdated(prev, n),
    onDelete: (n) => core.nodeDeleted(n.metadata.name),
  });
  pods.addHandlers({
    onAdd: (p) => started && core.podUpdated(undefined, p),
    onUpdate: (prev, p) => started && core.podUpdated(prev, p),
    onDelete: (p) => started && core.podUpdated(p, undefined),
  });
  return {
    name: 'taint-eviction-controller',
    start() {
      started = true;
      // The queue filled by the initial lists is worked off now: taint sets first, then their pods.
      for (const n of [...nodes.cache.values()]) if (noExecuteTaints(n).length > 0) core.handleNode(n);
    },
  };
}

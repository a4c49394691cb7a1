// Reused failed verdicts (a fast path: fast-paths.ts schedulerReusedVerdicts). A cycle that finds no
// feasible node has examined every node, so its outcome (the FitError message and the rejecting plugins)
// sums per-node verdicts over all nodes and does not depend on where sampling started. Each verdict
// depends only on the node's state in the cache and on what each Filter plugin says it reads of the pod
// and of the cache beyond it (framework.ts FilterPlugin.verdictKey, verdictVersion). So while
// cache.filterGen is unchanged, a pod with the same key fails with the same outcome: it is reused
// instead of filtering all nodes again (a zone outage retries thousands of pods that fit nowhere). The
// cycle's visible effects (stats, modelled cost, trace, queue) stay the same. A profile with a Filter
// that does not say what it reads reuses nothing.
import type { SchedulerCache } from './cache.js';
import type { Framework } from './framework.js';
import type { QueuedPodInfo } from './queue.js';

export interface FailedCycle {
  reason: string;
  rejectorMask: number;
}

export class ReusedVerdicts {
  /** By verdict key; holds entries of cache generation `gen` only. */
  private readonly failed = new Map<string, FailedCycle>();
  private gen = -1;

  constructor(
    private readonly cache: SchedulerCache,
    private readonly framework: Framework,
  ) {}

  /** The failed verdict of an earlier cycle that this pod's cycle would repeat, if any. */
  find(info: QueuedPodInfo): FailedCycle | undefined {
    const failures = this.current();
    if (failures.size === 0) return undefined;
    return failures.get(this.key(info));
  }

  remember(info: QueuedPodInfo, reason: string, rejectorMask: number): void {
    this.current().set(this.key(info), { reason, rejectorMask });
  }

  /** The pod's verdict key; its pod part is kept with the queued pod while the pod object is the same. */
  private key(info: QueuedPodInfo): string {
    if (info.verdictKeyPod !== info.pod) {
      info.verdictKey = this.framework.podVerdictKey(info.pod);
      info.verdictKeyPod = info.pod;
    }
    return this.framework.versionedVerdictKey(info.verdictKey, info.pod);
  }

  private current(): Map<string, FailedCycle> {
    if (this.gen !== this.cache.filterGen) {
      this.failed.clear();
      this.gen = this.cache.filterGen;
    }
    return this.failed;
  }
}

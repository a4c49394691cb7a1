// The node lifecycle controller's API writes through its client's token bucket (--kube-api-qps 20,
// --kube-api-burst 30; model/infra/token-bucket.ts), and how a monitorNodeHealth pass spends its time on
// them. Upstream (pkg/controller/nodelifecycle/node_lifecycle_controller.go, monitorNodeHealth) runs
// updateNodeFunc for every node through workqueue.ParallelizeUntil with nodeUpdateWorkerSize = 8 workers:
// a worker takes one node at a time and does its calls one after the other (tryUpdateNodeHealth's
// UpdateStatus of the Node, then MarkPodsNotReady in pkg/controller/util/node/controller_utils.go: one
// UpdateStatus per pod, serially), each call first waiting for a token; handleDisruption and the end of
// the pass come only when every worker is done, and the next pass starts nodeMonitorPeriod after that.
//
// Modelled: the pass collects its writes per node (in the order the decision logic makes them); at its
// end eight workers take the nodes in that order, and the token bucket, shared by the workers (and by
// the controller's writes outside the pass), gives every call its send time. Calls whose token is there
// at once go out at once, in their original order; the others are sent when their token is due, and the
// pass lasts until the last of them has been sent. Simplified: a worker sends its next call when the
// previous one was sent rather than answered (a round trip is a few ms; a token at 20 QPS is 50 ms), and
// the decisions of the pass (zone states included) are taken at its start, from the informers' view then.
import type { Process } from '../infra/process.js';
import { TokenBucket } from '../infra/token-bucket.js';

/** pkg/controller/nodelifecycle: nodeUpdateWorkerSize. */
export const NODE_UPDATE_WORKER_SIZE = 8;

interface NodeWrites {
  node: string;
  sends: Array<() => void>;
}

export class PassWrites {
  private readonly bucket: TokenBucket;
  private collecting = false;
  private readonly byNode = new Map<string, NodeWrites>();
  private order: NodeWrites[] = [];

  constructor(
    private readonly proc: Process,
    qps: number,
    burst: number,
  ) {
    this.bucket = new TokenBucket(qps, burst, proc.host.clock.monotonicNow());
  }

  /** A pass starts: writes are collected per node until end(). */
  begin(): void {
    this.collecting = true;
  }

  /** A write of the controller's client about `node`: in a pass it waits for the pass's workers. */
  write(node: string, send: () => void): void {
    if (this.collecting) {
      let w = this.byNode.get(node);
      if (w === undefined) {
        w = { node, sends: [] };
        this.byNode.set(node, w);
        this.order.push(w);
      }
      w.sends.push(send);
      return;
    }
    const waitMs = this.bucket.reserve(this.proc.host.clock.monotonicNow());
    if (waitMs === 0) send();
    else this.proc.post(waitMs, send, 'nlc/client-wait');
  }

  /**
   * The pass's workers send what it collected; returns the local ms the pass spends until the last call
   * is sent (0 when every token was there at once).
   */
  end(): number {
    this.collecting = false;
    const nodes = this.order;
    this.order = [];
    this.byNode.clear();
    if (nodes.length === 0) return 0;
    const startMs = this.proc.host.clock.monotonicNow();
    // Each worker: the local time it is free, the node it works on and the next call of that node.
    const free = new Array<number>(Math.min(NODE_UPDATE_WORKER_SIZE, nodes.length)).fill(startMs);
    const current: Array<NodeWrites | undefined> = new Array(free.length);
    const next = new Array<number>(free.length).fill(0);
    let nextNode = 0;
    const now: Array<{ index: number; send: () => void }> = [];
    const later: Array<{ atMs: number; send: () => void }> = [];
    const firstIndex = new Map<NodeWrites, number>();
    let total = 0;
    for (const n of nodes) {
      firstIndex.set(n, total);
      total += n.sends.length;
    }
    let endMs = startMs;
    for (;;) {
      // The worker free first asks for the next token (ties: the lower worker, as goroutines race).
      let w = -1;
      for (let i = 0; i < free.length; i++) {
        if (current[i] === undefined || next[i] >= current[i]!.sends.length) {
          current[i] = nextNode < nodes.length ? nodes[nextNode++] : undefined;
          next[i] = 0;
        }
        if (current[i] !== undefined && (w < 0 || free[i] < free[w])) w = i;
      }
      if (w < 0) break;
      const index = firstIndex.get(current[w]!)! + next[w];
      const send = current[w]!.sends[next[w]++];
      const atMs = free[w] + this.bucket.reserve(free[w]);
      free[w] = atMs;
      if (atMs === startMs) now.push({ index, send });
      else later.push({ atMs, send });
      if (atMs > endMs) endMs = atMs;
    }
    now.sort((x, y) => x.index - y.index);
    for (const { send } of now) send();
    for (const { atMs, send } of later) this.proc.post(atMs - startMs, send, 'nlc/client-wait');
    return endMs - startMs;
  }
}

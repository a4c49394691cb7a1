// A client-side rate limiter as client-go's: staging/src/k8s.io/client-go/util/flowcontrol/throttle.go
// NewTokenBucketRateLimiter(qps, burst), a golang.org/x/time/rate Limiter whose Wait() blocks the calling
// goroutine until its reservation is due. The bucket starts full (burst tokens), refills at qps tokens per
// second up to burst, and every request takes one token; a request that finds none reserves the next
// one, so waiting requests are served in the order they asked, each 1/qps after the previous.
// rest.Config builds one per client when QPS > 0 (client-go rest/config.go, kubernetes/clientset.go
// NewForConfig); a negative QPS (the kubelet's heartbeat client) means no limiter at all.
// Time is the owning process's local monotonic clock, in ms.

export class TokenBucket {
  /** Tokens at lastMs (negative: reservations not yet covered). */
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /**
   * Reserves one token at local time nowMs and returns how long the caller waits for it (0 when one is
   * there), in whole ms rounded up, as Wait() would block.
   */
  reserve(nowMs: number): number {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.qps) / 1000);
      this.lastMs = nowMs;
    }
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    // The reservation is due when the bucket has refilled to zero.
    return Math.ceil((-this.tokens * 1000) / this.qps - 1e-9);
  }
}

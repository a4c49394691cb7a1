// A controller's own API client, as kube-controller-manager gives each controller one:
// cmd/kube-controller-manager/app/controllermanager.go builds every controller with
// ControllerContext.ClientBuilder.ClientOrDie("<controller name>") (k8s.io/controller-manager/pkg/clientbuilder),
// a fresh clientset from a copy of the controller-manager's rest config, so each controller has a token
// bucket of its own with --kube-api-qps 20 / --kube-api-burst 30 (client-go rest/config.go and
// kubernetes/clientset.go NewForConfig: one flowcontrol.NewTokenBucketRateLimiter per clientset). Every
// call (create, update, patch, delete, and the GETs that do not come from an informer) first waits for a
// token, as client-go's request.tryThrottle does; informers' LIST and WATCH use the shared informers' own
// client and do not wait here.
//
// Modelled: a call that finds a token is sent at once; otherwise it is sent when its reservation is due
// (model/infra/token-bucket.ts: waiting calls are served in the order they asked, one every 1/qps), on the
// process's local clock, and a process that stops meanwhile sends nothing. A QPS of 0 or less means no
// limiter (client-go builds none for a negative QPS; hasim reads 0 the same way, see docs/fidelity.md#client-rate-limits).
// The node lifecycle controller spends its tokens inside its pass (nodelifecycle/pass-writes.ts); the
// other controllers use this class.
import type { ApiResult, ApiStore } from '../apiserver/store.js';
import type { Process } from '../infra/process.js';
import { TokenBucket } from '../infra/token-bucket.js';

export class ControllerClient {
  private readonly bucket: TokenBucket | undefined;
  private readonly waitLabel: string;

  constructor(
    private readonly proc: Process,
    /** The controller's name (its client's user agent), e.g. "taint-eviction-controller". */
    readonly name: string,
    qps: number,
    burst: number,
  ) {
    this.bucket = qps > 0 ? new TokenBucket(qps, Math.max(1, burst), proc.host.clock.monotonicNow()) : undefined;
    this.waitLabel = `${name}/client-wait`;
  }

  /** Process.callForFailure once a token is there (a call whose success needs no answer). */
  callForFailure<T>(
    label: string,
    timeoutMs: number,
    op: (store: ApiStore) => ApiResult<T>,
    onFailure: (r: Extract<ApiResult<T>, { ok: false }>) => void,
  ): void {
    const waitMs = this.bucket === undefined ? 0 : this.bucket.reserve(this.proc.host.clock.monotonicNow());
    if (waitMs === 0) this.proc.callForFailure(label, timeoutMs, op, onFailure);
    else this.proc.post(waitMs, () => this.proc.callForFailure(label, timeoutMs, op, onFailure), this.waitLabel);
  }

  /** An API call through this client: Process.call once a token is there. */
  call<T>(
    label: string,
    timeoutMs: number,
    op: (store: ApiStore) => ApiResult<T>,
    done?: (r: ApiResult<T>) => void,
  ): void {
    const waitMs = this.bucket === undefined ? 0 : this.bucket.reserve(this.proc.host.clock.monotonicNow());
    if (waitMs === 0) this.proc.call(label, timeoutMs, op, done);
    else this.proc.post(waitMs, () => this.proc.call(label, timeoutMs, op, done), this.waitLabel);
  }
}

/** The client of a controller of `proc`, with the controller-manager's --kube-api-qps / --kube-api-burst. */
export function controllerClient(
  proc: Process,
  name: string,
  config: { kubeAPIQPS: number; kubeAPIBurst: number },
): ControllerClient {
  return new ControllerClient(proc, name, config.kubeAPIQPS, config.kubeAPIBurst);
}

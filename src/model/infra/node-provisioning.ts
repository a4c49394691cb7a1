// Node provisioning: the cloud's side of a node's life, the VM that a managed node group, an autoscaler or
// auto-repair creates and deletes (GKE: a managed instance group; EKS: an Auto Scaling group). Upstream
// Kubernetes has no such component; what it models is what the cloud does before the kubelet exists and
// after it is gone, and the kubelet's part is the kubelet's (kubelet.ts registerWithAPIServer).
// - provision(node): the VM is created and powered on now. It boots for a while (the host's `boot`:
//   firmware, OS, cloud-init and the node bootstrap, up to the kubelet's start), drawn per boot from the
//   node's own stream `node/<name>/boot`, uniformly between kubelet `bootTime` min and max; then its kubelet
//   starts, registers the Node (CREATE) and runs its heartbeat loops from its own registration, and its
//   kube-proxy joins the fleet once it reaches the API server. The kubelet reports Ready=False until the
//   container runtime's network is ready (kubelet.ts, networkReadyTime). A new node moves nobody else's
//   random draws: all of its draws come from streams labelled with its name.
// - terminate(name): the VM is deleted: the host powers off for good (containers die with it) and never
//   boots again. The Node object stays until someone deletes it (upstream: the cloud node lifecycle
//   controller, or whoever terminated the VM).
// - deleteNode(name, actor): DELETE of the Node object through the API server from the actor's host.
// Every worker host boots this way, the nodes present from the start too when they come back after a
// node-crash or zone-outage; control-plane hosts come up at once (docs/fidelity.md#node-boot).
// Boot figures: kubelet `bootTime` (default 25s..45s) and `networkReadyTime` (default 5s..20s) put a new
// node's boot-to-Ready at roughly 30-65 s, as published for managed node groups (docs/fidelity.md#node-boot).
import type { RangeMs } from '../../k8s/config.js';
import type { NodeSpec } from '../../k8s/workloads.js';
import type { ApiResult } from '../apiserver/store.js';
import type { ModelContext } from '../context.js';
import { Host } from './host.js';

/** Default kubelet `bootTime`: VM powered on to kubelet started (docs/fidelity.md#node-boot). */
export const DEFAULT_BOOT_TIME_MS: Readonly<RangeMs> = Object.freeze({ minMs: 25_000, maxMs: 45_000 });
/** Default kubelet `networkReadyTime`: kubelet started to the runtime's network ready (docs/fidelity.md#node-boot). */
export const DEFAULT_NETWORK_READY_TIME_MS: Readonly<RangeMs> = Object.freeze({ minMs: 5_000, maxMs: 20_000 });
/** The client timeout of a Node deletion (a cloud controller's or kubectl's call). */
const DELETE_NODE_TIMEOUT_MS = 30_000;

/** Who sends an API call: the host it comes from and the name it writes as. */
export interface ApiActor {
  host: Host;
  name: string;
}

export interface NodeProvisioner {
  /** Creates the VM of `node` now: it boots (boot time), then its kubelet registers the Node. Returns its host. */
  provision(node: NodeSpec): Host;
  /** Terminates the node's VM for good (host powered off, never to return). The Node object stays until something deletes it. */
  terminate(nodeName: string): void;
  /** Deletes the Node object through the API server as `actor` (a controller's or the operator's client). */
  deleteNode(nodeName: string, actor: ApiActor, done?: (r: ApiResult<undefined>) => void): void;
  /** Every worker node's spec, those present from the start and those provisioned since, in creation order. */
  nodes(): readonly NodeSpec[];
  /** Whether the node's VM has been terminated. */
  isTerminated(nodeName: string): boolean;
}

/** What the cluster lends the provisioner to bring a node up: its host registration and kubelet. */
export interface ProvisioningHooks {
  /** Registers a new worker host (world hooks) and its kubelet; returns the host. */
  addNode(node: NodeSpec): Host;
}

/** One boot's duration: uniform (continuous) in the range, from the node's own stream. */
export function drawBootMs(ctx: ModelContext, nodeName: string, range: RangeMs): number {
  const raw = ctx.streams.stream(`node/${nodeName}/boot`).next();
  return Math.round(range.minMs + raw * (range.maxMs - range.minMs));
}

/** Gives a worker host its boot: drawn per boot, traced as host.booted. */
export function giveBoot(ctx: ModelContext, host: Host, range: RangeMs): void {
  host.boot = {
    timeMs: () => drawBootMs(ctx, host.name, range),
    after: (ms, fn) => ctx.sim.after(ms, fn, `host/${host.name}/boot`),
    booted: (bootMs) => ctx.trace.emit('host.booted', { host: host.name, bootMs }),
  };
}

export class CloudNodeProvisioner implements NodeProvisioner {
  private readonly all: NodeSpec[];
  private readonly terminated = new Set<string>();

  constructor(
    private readonly ctx: ModelContext,
    initial: readonly NodeSpec[],
    private readonly hooks: ProvisioningHooks,
  ) {
    this.all = [...initial];
  }

  provision(node: NodeSpec): Host {
    if (this.ctx.hosts.has(node.name)) throw new Error(`node-provisioning: a host named ${node.name} exists already`);
    const host = this.hooks.addNode(node);
    this.all.push(node);
    this.ctx.trace.emit('node.provisioned', { node: node.name, zone: node.zone });
    host.powerOn();
    return host;
  }

  terminate(nodeName: string): void {
    const host = this.ctx.hosts.get(nodeName);
    if (host === undefined || host.role !== 'node' || this.terminated.has(nodeName)) return;
    this.terminated.add(nodeName);
    const wasOn = host.poweredOn;
    host.terminated = true;
    host.powerOff();
    if (wasOn) this.ctx.trace.emit('host.powered.off', { host: nodeName });
    this.ctx.trace.emit('node.terminated', { node: nodeName });
  }

  deleteNode(nodeName: string, actor: ApiActor, done: (r: ApiResult<undefined>) => void = () => {}): void {
    this.ctx.api.request(
      actor.host,
      DELETE_NODE_TIMEOUT_MS,
      (s) => s.deleteNode(nodeName, actor.name),
      done,
      `${actor.name}/delete node ${nodeName}`,
    );
  }

  nodes(): readonly NodeSpec[] {
    return this.all;
  }

  isTerminated(nodeName: string): boolean {
    return this.terminated.has(nodeName);
  }
}

// The attach-detach controller of kube-controller-manager (kubernetes/kubernetes
// pkg/controller/volume/attachdetach/attach_detach_controller.go, its reconciler/reconciler.go
// reconcile() and the desired-state populator's pod handlers). It runs in the elected controller-manager
// only, with the in-memory state upstream keeps: the desired state of the world (which pod on which node
// needs which claim) from the pod informer, and each wanted detach's request time
// (actual_state_of_world.go SetDetachRequestTime), so a new leader starts every wait afresh.
//
// Every RECONCILER_LOOP_PERIOD_MS (reconcilerLoopPeriod, 100 ms, wait.Until) reconcile():
//  1. Detaches first, so a pod rescheduled elsewhere frees its disk: for a disk attached to a node where no
//     pod wants it, the first pass records the detach request time. If the node's status.volumesInUse
//     still lists the volume (MountedByNode), the detach waits, unless the node has the
//     `node.kubernetes.io/out-of-service` NoExecute taint (KEP-2268, on in every modelled version) or the
//     node is unhealthy (its Node is not Ready, or gone) and more than maxWaitForUnmountDuration (6 min)
//     has passed since the request: then a force detach. A healthy node is never force-detached
//     (--disable-force-detach-on-timeout, v1.30+, default false, is not modelled: docs/fidelity.md#volumes).
//  2. Attaches: a claim a pod on a node needs is attached there, unless its ReadWriteOnce disk is attached
//     to another node: then the Multi-Attach error ("Volume is already exclusively attached to one node
//     and can't be attached to another"), reported once per pod and node (reportMultiAttachError and
//     SetMultiAttachError), and the pod waits.
// One operation per disk and node at a time (nestedpendingoperations); a disk being detached still counts
// as attached (the Multi-Attach error is reported meanwhile) until the detach has finished; an attach or detach takes the cloud's time,
// drawn from the controller's stream `<instance>/attach-detach`.
// WaitForFirstConsumer binding is done here too, when a pod needing an unbound claim is first seen on a
// node: the claim's PersistentVolume is provisioned in that node's zone (`volume.bound`). Upstream the
// scheduler's VolumeBinding plugin selects the node and the external provisioner creates the volume.
import { type Node, type Pod, TAINT_OUT_OF_SERVICE, readyCondition, zoneOf } from '../../k8s/objects.js';
import type { Controller, ControllerContext } from '../controllermanager/controller.js';
import type { Rng } from '../../engine/index.js';
import type { VolumeConfig } from '../../k8s/config.js';
import type { Process } from '../infra/process.js';
import type { Claim, Volumes } from './volumes.js';

const ACTOR = 'attach-detach-controller';
/** reconcilerLoopPeriod (pkg/controller/volume/attachdetach/attach_detach_controller.go). */
export const RECONCILER_LOOP_PERIOD_MS = 100;

/** A pod's place in the desired state of the world: its node and the claims it needs there. */
interface PodToAttach {
  pod: string;
  node: string;
  claims: Claim[];
}

export function attachDetachController(ctx: ControllerContext): Controller {
  const volumes = ctx.proc.ctx.volumes;
  if (volumes === undefined) return { name: ACTOR, start: () => {} };
  return new AttachDetachController(ctx, volumes);
}

class AttachDetachController implements Controller {
  readonly name = ACTOR;
  private readonly proc: Process;
  private readonly rng: Rng;
  private readonly cfg: VolumeConfig;
  /** Desired state of the world, by pod name. */
  private readonly desired = new Map<string, PodToAttach>();
  /** Detach request times (local ms) by `claim node`. */
  private readonly detachRequestedAt = new Map<string, number>();
  /** `claim node pod` whose Multi-Attach error was reported. */
  private readonly multiAttachReported = new Set<string>();
  /** `claim node` with an attach or detach in flight (nestedpendingoperations keys them by volume and node). */
  private readonly pending = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly vols: Volumes,
  ) {
    this.proc = ctx.proc;
    this.rng = ctx.proc.rng('attach-detach');
    this.cfg = vols.config;
    ctx.pods.addHandlers({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_prev, next) => this.podChanged(next),
      onDelete: (pod) => this.desired.delete(pod.metadata.name),
    });
  }

  start(): void {
    for (const pod of this.ctx.pods.cache.values()) this.podChanged(pod);
    this.proc.loop({ periodMs: RECONCILER_LOOP_PERIOD_MS, label: `${ACTOR}/reconcile` }, () => {
      this.reconcileDetaches();
      this.reconcileAttaches();
    });
  }

  /** The desired-state populator: a pod bound to a node and not terminated needs its claims there. */
  private podChanged(pod: Pod): void {
    const name = pod.metadata.name;
    const node = pod.spec.nodeName;
    const terminal = pod.status.phase === 'Failed' || pod.status.phase === 'Succeeded';
    if (node === undefined || terminal || !this.vols.hasClaims(pod.metadata.workload)) {
      this.desired.delete(name);
      return;
    }
    const had = this.desired.get(name);
    if (had !== undefined && had.node === node) return;
    this.desired.set(name, { pod: name, node, claims: this.vols.claimsOf(pod.metadata.workload, pod.spec.ordinal) });
  }

  /** WaitForFirstConsumer: an unbound claim gets a volume in the zone of the first node a pod needs it on. */
  private bind(p: PodToAttach): void {
    for (const c of p.claims) {
      if (c.zone !== undefined) continue;
      const node = this.ctx.nodes.get(p.node);
      if (node === undefined) continue;
      c.zone = zoneOf(node);
      this.proc.ctx.trace.emit('volume.bound', { claim: c.name, workload: c.workload, zone: c.zone, node: p.node });
    }
  }

  private wanted(claim: Claim, node: string): boolean {
    for (const p of this.desired.values()) if (p.node === node && p.claims.includes(claim)) return true;
    return false;
  }

  /** 1. Detaches: disks attached where no pod wants them (see the header). */
  private reconcileDetaches(): void {
    const nowMs = this.proc.now();
    for (const claim of this.vols.claims.values()) {
      for (const nodeName of [...claim.attachedTo]) {
        const key = `${claim.name} ${nodeName}`;
        if (this.pending.has(key) || this.wanted(claim, nodeName)) continue;
        let requestedAtMs = this.detachRequestedAt.get(key);
        if (requestedAtMs === undefined) this.detachRequestedAt.set(key, (requestedAtMs = nowMs));
        const waitedMs = nowMs - requestedAtMs;
        const timeout = waitedMs > this.cfg.maxWaitForUnmountDurationMs;
        const node = this.ctx.nodes.get(nodeName);
        const forceDetach = !isHealthy(node) && timeout;
        const outOfService = hasOutOfServiceTaint(node);
        const mounted = this.vols.mountedByNode(claim, nodeName);
        if (mounted && !forceDetach && !outOfService) continue;
        const reason = !mounted ? 'unmounted' : outOfService ? 'out-of-service' : 'maxWaitForUnmountDuration';
        this.detach(claim, nodeName, reason, waitedMs, key);
      }
    }
  }

  /** 2. Attaches: claims pods need on their nodes, unless a single-node disk is attached elsewhere. */
  private reconcileAttaches(): void {
    for (const p of this.desired.values()) {
      this.bind(p);
      for (const claim of p.claims) {
        const key = `${claim.name} ${p.node}`;
        if (this.vols.isAttached(claim, p.node)) {
          this.detachRequestedAt.delete(key);
          continue;
        }
        if (this.pending.has(key)) continue;
        // The cloud cannot attach a zonal disk to a VM of another zone (the zone pin keeps pods out of there).
        const node = this.ctx.nodes.get(p.node);
        if (node !== undefined && claim.zone !== undefined && zoneOf(node) !== claim.zone) continue;
        if (claim.singleNode && claim.attachedTo.length > 0) this.reportMultiAttachError(claim, p, key);
        else this.attach(claim, p, key);
      }
    }
  }

  /** reconciler.go reportMultiAttachError, once per pod and node (SetMultiAttachError). */
  private reportMultiAttachError(claim: Claim, p: PodToAttach, key: string): void {
    const reported = `${key} ${p.pod}`;
    if (this.multiAttachReported.has(reported)) return;
    this.multiAttachReported.add(reported);
    this.proc.ctx.trace.emit('volume.multiattach.error', {
      claim: claim.name,
      node: p.node,
      pod: p.pod,
      attachedTo: claim.attachedTo.join(','),
    });
  }

  private attach(claim: Claim, p: PodToAttach, key: string): void {
    this.pending.add(key);
    const node = p.node;
    const trace = this.proc.ctx.trace;
    trace.emit('volume.attach.started', { claim: claim.name, node, pod: p.pod });
    this.proc.post(
      this.rng.between(this.cfg.attachTimeMs.minMs, this.cfg.attachTimeMs.maxMs),
      () => {
        this.pending.delete(key);
        this.vols.attached(claim, node);
        trace.emit('volume.attached', { claim: claim.name, node });
      },
      `${ACTOR}/attach`,
    );
  }

  private detach(claim: Claim, node: string, reason: string, waitedMs: number, key: string): void {
    this.pending.add(key);
    const trace = this.proc.ctx.trace;
    trace.emit('volume.detach.started', { claim: claim.name, node, reason, waitedMs });
    this.proc.post(
      this.rng.between(this.cfg.detachTimeMs.minMs, this.cfg.detachTimeMs.maxMs),
      () => {
        this.pending.delete(key);
        this.detachRequestedAt.delete(key);
        this.vols.detached(claim, node);
        trace.emit('volume.detached', { claim: claim.name, node });
      },
      `${ACTOR}/detach`,
    );
  }
}

/** reconciler.go nodeIsHealthy: the Node exists and is Ready. */
function isHealthy(node: Node | undefined): boolean {
  return node !== undefined && readyCondition(node)?.status === 'True';
}

/** reconciler.go hasOutOfServiceTaint: the node.kubernetes.io/out-of-service taint with effect NoExecute. */
function hasOutOfServiceTaint(node: Node | undefined): boolean {
  return node !== undefined && node.spec.taints.some((t) => t.key === TAINT_OUT_OF_SERVICE && t.effect === 'NoExecute');
}

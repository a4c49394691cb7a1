// Managed node auto-repair, as GKE's (cloud.google.com/kubernetes-engine/docs/how-to/node-auto-repair,
// "Repair criteria"): the managed service checks every node's health periodically, and a node that
// "reports a NotReady status on consecutive checks over the given time threshold (approximately 10
// minutes)" or "does not report any status at all over the time threshold" is repaired by re-creating
// its VM. Upstream Kubernetes has no such component; it sits in the cloud's control plane.
// Modelled (docs/fidelity.md#node-auto-repair):
//   1. Every `checkInterval` (default 1 min, from the start of the run) one LIST of the Nodes through the
//      API server, from outside the cluster (the operator host); a failed call is a check skipped.
//   2. A node whose Ready condition is not True (False or Unknown) at a check is unhealthy since that
//      check, unless it was already; a check that sees it Ready=True forgets it.
//   3. At a check that sees it still unhealthy `unhealthyThreshold` (default 10 min) or more after the
//      first one did, the node is repaired: its VM is re-created (NodeProvisioner.recreate: powered off
//      if it still runs, then booted again under the same name) and its kubelet takes its Node over
//      when it registers, as a re-created GKE node does. The node is then healthy again to the repairer
//      until a check sees it unhealthy.
// Traced: node.repair.started (node, the Ready status seen, for how long).
// Simplified: GKE drains a node before re-creating it when it can; here a node that is NotReady or
// silent has nothing a drain could do in time, and the re-creation is immediate. The boot-disk-full
// criterion is not modelled (hasim has no disks).
import { readyCondition, type Node } from '../../k8s/objects.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import type { NodeProvisioner } from '../infra/node-provisioning.js';

/** GKE's approximately 10 minutes of NotReady or silence. */
export const DEFAULT_UNHEALTHY_THRESHOLD_MS = 600_000;
/** How often the managed service checks the nodes (GKE says "periodically"; hasim: every minute). */
export const DEFAULT_CHECK_INTERVAL_MS = 60_000;
const LIST_TIMEOUT_MS = 30_000;
const ACTOR = 'node-auto-repair';

export interface NodeAutoRepairConfig {
  unhealthyThresholdMs: number;
  checkIntervalMs: number;
}

export class NodeAutoRepair {
  /** Unhealthy nodes, by name: the time of the first check that saw them so. */
  private readonly unhealthySince = new Map<string, number>();

  constructor(
    private readonly ctx: ModelContext,
    private readonly provisioner: NodeProvisioner,
    private readonly client: Host,
    private readonly config: NodeAutoRepairConfig,
  ) {
    ctx.sim.after(config.checkIntervalMs, () => this.check(), `${ACTOR}/check`);
  }

  /** Step 1: list the Nodes, then judge each (steps 2 and 3); the next check comes checkInterval later. */
  private check(): void {
    const { sim, api } = this.ctx;
    sim.after(this.config.checkIntervalMs, () => this.check(), `${ACTOR}/check`);
    // A check counts as made when it starts: consecutive checks are checkInterval apart.
    const checkMs = sim.nowMs;
    api.request<Node[]>(
      this.client,
      LIST_TIMEOUT_MS,
      (s) => ({ ok: true, value: [...s.nodes.values()] }),
      (r) => {
        if (r.ok) this.judge(r.value, checkMs);
      },
      `${ACTOR}/list nodes`,
    );
  }

  private judge(nodes: readonly Node[], nowMs: number): void {
    const seen = new Set<string>();
    for (const node of [...nodes].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
      const name = node.metadata.name;
      // Control-plane hosts (kubeadm) are not the node pool's.
      if (this.ctx.hosts.get(name)?.role !== 'node' || this.provisioner.isTerminated(name)) continue;
      seen.add(name);
      const status = readyCondition(node)?.status ?? 'Unknown';
      if (status === 'True') {
        this.unhealthySince.delete(name);
        continue;
      }
      const since = this.unhealthySince.get(name);
      if (since === undefined) {
        this.unhealthySince.set(name, nowMs);
        continue;
      }
      if (nowMs - since < this.config.unhealthyThresholdMs) continue;
      this.unhealthySince.delete(name);
      this.ctx.trace.emit('node.repair.started', { node: name, ready: status, unhealthyForMs: nowMs - since });
      this.provisioner.recreate(name);
    }
    for (const name of [...this.unhealthySince.keys()]) if (!seen.has(name)) this.unhealthySince.delete(name);
  }
}

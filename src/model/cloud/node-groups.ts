// Node groups as the cloud keeps them (a GKE managed instance group, an AWS Auto Scaling group): a target
// size and the VMs created for it, reached through cluster-autoscaler's cloudprovider.NodeGroup interface
// (cloudprovider/cloud_provider.go: TargetSize, IncreaseSize, DeleteNodes, Nodes). They live in the cloud,
// not in the autoscaler: a new autoscaler leader finds them as the last one left them.
// IncreaseSize creates the VMs at once (infra/node-provisioning.ts provision: they boot, then register),
// except in a zone the cloud cannot reach (a zone-outage fault): there the creations wait until the zone
// is back, as a managed instance group keeps retrying, and the autoscaler finds the nodes missing after
// --max-node-provision-time. DeleteNodes terminates the VMs and lowers the target.
import type { NodeSpec } from '../../k8s/workloads.js';
import type { NodeProvisioner } from '../infra/node-provisioning.js';
import type { NodeGroupSpec } from '../autoscaler/options.js';
import type { CloudInstances } from './cloud-instances.js';

export interface CloudInstance {
  name: string;
  /** When the autoscaler asked for it (virtual ms); initial nodes: 0. */
  requestedAtMs: number;
  /** The VM was started (false while its zone is down). */
  created: boolean;
}

export class CloudNodeGroup {
  /** The group's VMs (target size = their number), in creation order. */
  readonly instances: CloudInstance[];
  private nextIndex: number;

  constructor(
    readonly spec: NodeGroupSpec,
    private readonly provisioner: NodeProvisioner,
    private readonly cloud: CloudInstances,
  ) {
    this.instances = spec.initialNodes.map((name) => ({ name, requestedAtMs: 0, created: true }));
    this.nextIndex = spec.firstIndex;
    cloud.onZoneUp((zone) => {
      if (zone !== spec.zone) return;
      for (const i of this.instances) if (!i.created) this.create(i);
    });
  }

  get name(): string {
    return this.spec.name;
  }

  targetSize(): number {
    return this.instances.length;
  }

  has(nodeName: string): boolean {
    return this.instances.some((i) => i.name === nodeName);
  }

  /** IncreaseSize: `delta` new VMs; returns their names. */
  increaseSize(delta: number, nowMs: number): string[] {
    const names: string[] = [];
    for (let k = 0; k < delta; k++) {
      const inst = { name: `${this.spec.namePrefix}${this.nextIndex++}`, requestedAtMs: nowMs, created: false };
      this.instances.push(inst);
      names.push(inst.name);
      if (!this.cloud.zoneDown(this.spec.zone)) this.create(inst);
    }
    return names;
  }

  /** DeleteNodes: the VMs are terminated (or their pending creation dropped) and the target lowered. */
  deleteNodes(names: readonly string[]): void {
    for (const name of names) {
      const at = this.instances.findIndex((i) => i.name === name);
      if (at < 0) continue;
      const [inst] = this.instances.splice(at, 1);
      if (inst.created) this.provisioner.terminate(name);
    }
  }

  private create(inst: CloudInstance): void {
    inst.created = true;
    const t = this.spec.template;
    const node: NodeSpec = {
      ...t,
      name: inst.name,
      labels: { ...t.labels, 'kubernetes.io/hostname': inst.name },
      unschedulable: false,
      ...(t.taints ? { taints: [...t.taints] } : {}),
    };
    this.provisioner.provision(node);
  }
}

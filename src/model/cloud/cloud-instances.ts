// The cloud provider's view of the cluster's VMs, as the cloud node lifecycle controller asks it through
// k8s.io/cloud-provider's InstancesV2 (cloud.go: InstanceExists, InstanceShutdown). Each Node stands for
// one VM named after it (hasim's hosts). A VM exists until it is terminated (infra/node-provisioning.ts
// terminate: the vm-delete fault, the autoscaler's scale-down); an existing VM is shut down while its host
// is powered off (node-crash, zone-outage, node-shutdown; not while it boots), as AWS reports a stopped
// instance and Azure a stopped or deallocated VM. docs/fidelity.md#cloud-node-lifecycle-controller says
// what this leaves out.
//
// Simplified: the cloud API always answers, at once and truthfully (no throttling, no errors, no
// eventual consistency), and a VM's power state is known to it the moment it changes.
import type { Host } from '../infra/host.js';

export interface CloudInstanceState {
  /** InstanceExists: the VM behind the Node is still there (running or stopped). */
  exists: boolean;
  /** InstanceShutdown: the VM exists and is powered off. */
  shutdown: boolean;
}

export class CloudInstances {
  /** Zones where the cloud cannot start a VM (a zone-outage fault). */
  private readonly zonesDown = new Set<string>();
  /** Told when a zone comes back (node groups then start the VMs they were asked for). */
  private readonly zoneUpListeners: Array<(zone: string) => void> = [];

  constructor(private readonly hosts: ReadonlyMap<string, Host>) {}

  setZoneDown(zone: string, down: boolean): void {
    if (down) this.zonesDown.add(zone);
    else if (this.zonesDown.delete(zone)) for (const l of this.zoneUpListeners) l(zone);
  }

  zoneDown(zone: string): boolean {
    return this.zonesDown.has(zone);
  }

  onZoneUp(fn: (zone: string) => void): void {
    this.zoneUpListeners.push(fn);
  }

  /**
   * What the cloud says of the VM behind `nodeName`. A Node with no VM at all (registered by hand, say) does
   * not exist in the cloud, as a provider that cannot find the instance answers.
   */
  instance(nodeName: string): CloudInstanceState {
    const host = this.hosts.get(nodeName);
    if (host === undefined || host.terminated) return { exists: false, shutdown: false };
    // A booting VM is running as far as the cloud is concerned.
    return { exists: true, shutdown: !host.poweredOn && !host.booting };
  }
}

// A machine: a worker node or a control-plane host. It has a zone, a clock and power. Processes
// (kubelet, controller-manager, ...) run on it and die with it.
// Boot: a host given a `boot` (worker nodes, node-provisioning.ts) is not up the moment its power comes on:
// it boots for boot.timeMs() (firmware, OS, cloud-init, the node bootstrap) and only then counts as powered
// on, so nothing runs on it, answers from it or routes through it meanwhile; a power-off during the boot
// abandons it. A host without `boot` is up at once.
import { Clock } from './clock.js';
import type { Simulator } from '../../engine/index.js';

export interface HostProcess {
  readonly name: string;
  /** Called when the host powers off: the process dies at once, with no chance to clean up. */
  kill(reason: string): void;
}

/** A worker node's boot (node-provisioning.ts): its duration, drawn per boot, and the wait. */
export interface HostBoot {
  /** The boot's duration in ms, drawn when the power comes on. */
  timeMs(): number;
  /** Runs fn after ms of virtual time. */
  after(ms: number, fn: () => void): void;
  /** Told when a boot finishes (traced). */
  booted(bootMs: number): void;
}

export class Host {
  readonly clock: Clock;
  poweredOn = true;
  /** Told when the host's power or clock changes (World.changed, set by the cluster). */
  onChange: () => void = () => {};
  /** Told before its power or clock changes (World.willChange). */
  beforeChange: () => void = () => {};
  /**
   * The API server's routing cache for this host as a client (ApiServer.pickReplica): the replica its
   * traffic goes to, valid while the world's version is apiRouteVersion, and its preferred replica.
   */
  apiRoute: unknown = undefined;
  apiRouteVersion = -1;
  apiPreferred = -1;
  /** This host's connection to the API server as a client (apiserver/connection.ts), made at its first request. */
  apiConn: unknown = undefined;
  /** Whether etcd has quorum seen from this host (ApiServer.hasQuorum), valid while the world's version is quorumVersion. */
  quorumOk = false;
  quorumVersion = -1;
  /** The stream this host's messages draw their fate from (Network keeps it here: a lookup by name per message showed up in profiles). */
  netRng: unknown = undefined;
  /** How long each boot takes, and how to wait for it (undefined: up at once). Set by the cluster. */
  boot: HostBoot | undefined = undefined;
  /** Its VM was deleted (node-provisioning.ts terminate): it never powers on again. */
  terminated = false;
  /** Powered on and still booting: not up yet (poweredOn is false until it is). */
  booting = false;
  /** Bumped at every power change: a boot that a power-off abandoned does not finish. */
  private powerEpoch = 0;
  private readonly processes: HostProcess[] = [];
  private readonly bootHandlers: Array<() => void> = [];

  constructor(
    sim: Pick<Simulator, 'nowMs'>,
    readonly name: string,
    readonly zone: string,
    readonly role: 'node' | 'control-plane',
  ) {
    this.clock = new Clock(
      sim,
      () => this.onChange(),
      () => this.beforeChange(),
    );
  }

  attach(p: HostProcess): void {
    this.processes.push(p);
  }

  /** Runs on every boot (not at simulation start). */
  onBoot(fn: () => void): void {
    this.bootHandlers.push(fn);
  }

  powerOff(): void {
    this.powerEpoch++;
    this.booting = false;
    if (!this.poweredOn) return;
    this.beforeChange();
    this.poweredOn = false;
    this.onChange();
    for (const p of this.processes) p.kill('host powered off');
  }

  /** Power comes on: up after the boot (see the header), or at once without one. */
  powerOn(): void {
    if (this.poweredOn || this.booting || this.terminated) return;
    const boot = this.boot;
    if (boot === undefined) return this.up();
    this.booting = true;
    const epoch = ++this.powerEpoch;
    const bootMs = boot.timeMs();
    boot.after(bootMs, () => {
      if (epoch !== this.powerEpoch || !this.booting) return;
      this.booting = false;
      boot.booted(bootMs);
      this.up();
    });
  }

  /** Booted: the host is up and its boot handlers (the kubelet, static pods) start. */
  private up(): void {
    this.beforeChange();
    this.poweredOn = true;
    this.onChange();
    for (const fn of this.bootHandlers) fn();
  }
}

// A machine: a worker node or a control-plane host. It has a zone, a clock and power. Processes
// (kubelet, controller-manager, ...) run on it and die with it.
import { Clock } from './clock.js';
import type { Simulator } from '../../engine/index.js';

export interface HostProcess {
  readonly name: string;
  /** Called when the host powers off: the process dies at once, with no chance to clean up. */
  kill(reason: string): void;
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
  /** Whether etcd has quorum seen from this host (ApiServer.hasQuorum), valid while the world's version is quorumVersion. */
  quorumOk = false;
  quorumVersion = -1;
  /** The stream this host's messages draw their fate from (Network keeps it here: a lookup by name per message showed up in profiles). */
  netRng: unknown = undefined;
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
    if (!this.poweredOn) return;
    this.beforeChange();
    this.poweredOn = false;
    this.onChange();
    for (const p of this.processes) p.kill('host powered off');
  }

  powerOn(): void {
    if (this.poweredOn) return;
    this.beforeChange();
    this.poweredOn = true;
    this.onChange();
    for (const fn of this.bootHandlers) fn();
  }
}

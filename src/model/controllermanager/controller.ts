// What a leader-elected process hands its controllers. Controllers are built fresh on every acquisition
// of the lease (empty in-memory state, K8S-SEMANTICS §8.1 / §9.4) and live exactly as long as the
// process incarnation: their timers, loops and API calls go through `proc`, which silences them all
// when the process stops or loses the lease.
import type { Lease, Node, Pod } from '../../k8s/objects.js';
import type { Informer } from '../apiserver/informer.js';
import type { Process } from '../infra/process.js';

export interface InformerSet {
  nodes: Informer<Node>;
  pods: Informer<Pod>;
  /** kube-node-lease leases (the kubelets' heartbeats). */
  nodeLeases: Informer<Lease>;
}

export interface ControllerContext extends InformerSet {
  proc: Process;
}

export interface Controller {
  readonly name: string;
  /** Called once the informers have synced. */
  start(): void;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** Client timeout for controller API calls (client-go has none by default; HTTP/2 health checks end a dead connection after ~30 s). */
export const CONTROLLER_REQUEST_TIMEOUT_MS = 30_000;

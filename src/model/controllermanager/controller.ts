// What a leader-elected process hands its controllers. Controllers are built fresh on every acquisition
// of the lease (empty in-memory state, docs/fidelity.md#leader-change-resets-controller-state) and live exactly as long as the
// process incarnation: their timers, loops and API calls go through `proc`, which silences them all
// when the process stops or loses the lease.
import type { ControllerManagerConfig } from '../../k8s/config.js';
import type { Lease, Node, Pod } from '../../k8s/objects.js';
import type { WorkloadSpec } from '../../k8s/workloads.js';
import type { ServiceSpec } from '../../k8s/services.js';
import type { Informer } from '../apiserver/informer.js';
import type { Process } from '../infra/process.js';

export interface InformerSet {
  nodes: Informer<Node>;
  pods: Informer<Pod>;
  /** kube-node-lease leases (the kubelets' heartbeats). */
  nodeLeases: Informer<Lease>;
}

/**
 * What every controller is built with, as upstream's ControllerContext: the process, its shared informers,
 * the controller-manager's component configuration, and the workloads the cluster is asked to run (hasim
 * keeps Deployments, StatefulSets and DaemonSets as fixed desired state rather than API objects).
 */
/** What a leader-elected process's workers get: the process and its shared informers. */
export interface ProcessContext extends InformerSet {
  proc: Process;
}

export interface ControllerContext extends ProcessContext {
  config: ControllerManagerConfig;
  workloads: readonly WorkloadSpec[];
  /** The Services of the scenario (kept, like workloads, as fixed desired state). */
  services: readonly ServiceSpec[];
}

export interface Controller {
  readonly name: string;
  /** Called once the informers have synced. */
  start(): void;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** Client timeout for controller API calls (client-go has none by default; HTTP/2 health checks end a dead connection after ~30 s). */
export const CONTROLLER_REQUEST_TIMEOUT_MS = 30_000;

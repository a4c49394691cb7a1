// Builds the simulated cluster from a validated scenario: hosts in zones (worker nodes and the
// control-plane hosts of controlPlaneLayout), the network, the API server with its etcd members, a kubelet
// per node, the controller-manager and scheduler replicas. Everything starts at virtual time 0 from an
// empty API server: the control plane elects leaders, kubelets register their nodes, workload controllers
// create pods and the scheduler places them, as a freshly created cluster does.
import { RandomStreams, Simulator, TraceRecorder } from '../engine/index.js';
import { controlPlaneLayout } from '../scenario/control-plane-layout.js';
import type { Scenario } from '../scenario/types.js';
import type { TraceEventFields } from '../trace/events.js';
import { ApiServer } from './apiserver/api-server.js';
import { ApiStore } from './apiserver/store.js';
import type { ModelContext } from './context.js';
import type { ControllerFactory } from './components/controller.js';
import { ControllerManager } from './components/controller-manager.js';
import { daemonSetController } from './components/daemonset-controller.js';
import { Kubelet } from './components/kubelet.js';
import { nodeLifecycleController } from './components/node-lifecycle-controller.js';
import { podGcController } from './components/pod-gc-controller.js';
import { replicaSetController } from './components/replicaset-controller.js';
import { scheduler } from './components/scheduler.js';
import { SchedulerProcess } from './components/scheduler-process.js';
import { statefulSetController } from './components/statefulset-controller.js';
import { taintEvictionController } from './components/taint-eviction-controller.js';
import { Host } from './infra/host.js';
import { Network } from './infra/network.js';

/** Controllers the elected kube-controller-manager runs, in start order. */
export const KCM_CONTROLLERS: ControllerFactory[] = [
  nodeLifecycleController,
  taintEvictionController,
  replicaSetController,
  statefulSetController,
  daemonSetController,
  podGcController,
];

export interface ClusterOptions {
  /** Record every kubelet lease renewal in the trace (off by default: traces stay small). */
  traceHeartbeats?: boolean;
  seed?: number;
}

export interface Cluster {
  ctx: ModelContext;
  kubelets: Map<string, Kubelet>;
  controllerManagers: ControllerManager[];
  schedulers: SchedulerProcess[];
  /** A host outside the cluster for operator actions (kubectl): never in a zone, never partitioned by zone. */
  operator: Host;
}

export function buildCluster(scenario: Scenario, opts: ClusterOptions = {}): Cluster {
  const seed = opts.seed ?? scenario.spec.seed;
  const sim = new Simulator(seed);
  const streams = new RandomStreams(seed);
  const trace = new TraceRecorder<TraceEventFields>(sim, { mute: opts.traceHeartbeats ? [] : ['node.lease.renewed'] });
  const k = scenario.spec.kubernetes;
  const network = new Network(streams, k.network.latency);
  const hosts = new Map<string, Host>();
  const addHost = (h: Host) => {
    hosts.set(h.name, h);
    return h;
  };

  const layout = controlPlaneLayout(scenario.spec);
  for (const h of layout.hosts) addHost(new Host(sim, h.name, h.zone, 'control-plane'));
  const operator = new Host(sim, 'operator', '', 'control-plane');

  const store = new ApiStore(trace, {
    defaultNotReadyTolerationSeconds: k.apiServer.defaultNotReadyTolerationSeconds,
    defaultUnreachableTolerationSeconds: k.apiServer.defaultUnreachableTolerationSeconds,
  });
  const members = (component: string) =>
    layout.instances.filter((i) => i.component === component).map((i) => ({ name: i.name, host: hosts.get(i.host)! }));
  const api = new ApiServer(sim, network, store, members('kube-apiserver'), members('etcd'));

  const ctx: ModelContext = { sim, streams, trace, network, api, scenario, hosts };

  const controllerManagers = members('kube-controller-manager').map(
    (m) => new ControllerManager(ctx, m.host, m.name, k.controllerManager, KCM_CONTROLLERS),
  );
  const schedulers = members('kube-scheduler').map((m) => new SchedulerProcess(ctx, m.host, m.name, k.scheduler.leaderElection, scheduler));

  const kubelets = new Map<string, Kubelet>();
  for (const spec of scenario.spec.nodes) {
    const host = addHost(new Host(sim, spec.name, spec.zone, 'node'));
    const kubelet = new Kubelet(ctx, host, spec);
    kubelets.set(spec.name, kubelet);
    host.onBoot(() => kubelet.start());
  }
  // Control-plane processes come back when their host boots (static pods started by the host's kubelet).
  for (const p of [...controllerManagers, ...schedulers]) p.host.onBoot(() => p.start());
  for (const m of [...api.replicas, ...api.etcd]) m.host.onBoot(() => api.notifyRecovery());

  sim.at(0, () => {
    for (const p of [...controllerManagers, ...schedulers]) p.start();
    for (const kl of kubelets.values()) kl.start();
  }, 'cluster/start');

  return { ctx, kubelets, controllerManagers, schedulers, operator };
}

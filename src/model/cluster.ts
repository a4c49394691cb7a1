// Builds the simulated cluster from a validated scenario: hosts in zones (worker nodes and the
// control-plane hosts of controlPlaneLayout), the network, the API server with its etcd members, a kubelet
// per node, the controller-manager and scheduler replicas. Everything starts from an empty API server: the
// control plane starts at virtual time 0 and elects leaders, kubelets register their nodes, workload
// controllers create pods and the scheduler places them, as a freshly created cluster does.
// Kubelets are not in step: each one's heartbeat loops (node Lease, node status) run at its own phase within
// the lease renew interval (0.25 × nodeLeaseDuration), an offset drawn from a per-node stream
// (`cluster/kubelet-start/<node>`), as if each kubelet had been started at its own moment before t = 0. In a
// real cluster nodes boot at different times, so a fault lands a different time after each node's last
// renewal; started in step, every node would renew together and e.g. a rack's nodes would always go
// Unknown in the same node lifecycle controller pass. A per-node label keeps each node's offset independent
// of the others: adding a node moves nobody else. Kubelets still register at t = 0 (the scenario's nodes
// exist when its workloads are created), so only the loop phases differ.
// Nodes can also come and go during the run (`cluster.provisioner`, infra/node-provisioning.ts): a node
// provisioned later gets a host, a kubelet and a kube-proxy like the others, boots, and its kubelet starts
// its loops at its own registration. Worker hosts boot when their power comes on (Host.boot); the kubelet
// started by a boot reports Ready=False until the runtime's network is ready.
import { LazySimulator, RandomStreams, TraceRecorder } from '../engine/index.js';
import {
  type ControlPlaneTopology,
  LABEL_NODE_ROLE_CONTROL_PLANE,
  controlPlaneLayout,
} from './infra/control-plane-layout.js';
import type { KubernetesConfig } from '../k8s/config.js';
import type { NodeSpec, WorkloadSpec } from '../k8s/workloads.js';
import type { TraceEventFields } from '../trace/events.js';
import { LeaseChains } from './apiserver/lease-chains.js';
import { ApiServer } from './apiserver/api-server.js';
import { etcdRaftConfig } from './apiserver/etcd-raft.js';
import { ApiStore } from './apiserver/store.js';
import type { ModelContext } from './context.js';
import type { ControllerFactory } from './controllermanager/controller.js';
import { ControllerManager } from './controllermanager/controller-manager.js';
import { daemonSetController } from './workloads/daemonset-controller.js';
import { Kubelet, LEASE_RENEW_INTERVAL_FRACTION, type KubeletSettings } from './kubelet/kubelet.js';
import { nodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { podGcController } from './podgc/pod-gc-controller.js';
import { replicaSetController } from './workloads/replicaset-controller.js';
import { scheduler } from './scheduler/scheduler.js';
import { SchedulerProcess } from './scheduler/scheduler-process.js';
import { statefulSetController } from './workloads/statefulset-controller.js';
import { taintEvictionController } from './tainteviction/taint-eviction-controller.js';
import { disruptionController, pdbNameOf } from './disruption/disruption-controller.js';
import { Host } from './infra/host.js';
import { Network } from './infra/network.js';
import { World } from './infra/world.js';
import {
  CloudNodeProvisioner,
  DEFAULT_BOOT_TIME_MS,
  type NodeProvisioner,
  giveBoot,
} from './infra/node-provisioning.js';
import { resolveFastPaths, type FastPaths } from './fast-paths.js';
import { isMetered, type ServiceSpec } from '../k8s/services.js';
import { endpointSliceController } from './endpointslice/endpointslice-controller.js';
import { KubeProxyFleet } from './proxy/kube-proxy.js';
import { NodeAutoRepair, type NodeAutoRepairConfig } from './cloud/node-auto-repair.js';
import { TrafficMeter } from './traffic/traffic-meter.js';
import { CloudInstances } from './cloud/cloud-instances.js';
import { CloudControllerManager } from './cloud/cloud-controller-manager.js';
import { CloudNodeGroup } from './cloud/node-groups.js';
import { ClusterAutoscaler } from './autoscaler/cluster-autoscaler.js';
import type { ClusterAutoscalerConfig } from './autoscaler/options.js';
import { attachDetachController } from './volume/attach-detach-controller.js';
import { DEFAULT_VOLUME_CONFIG, Volumes } from './volume/volumes.js';

/** pkg/apis/scheduling SystemCriticalPriority: pods at or above it are critical for graceful node shutdown. */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** Controllers the elected kube-controller-manager runs, in start order. */
export const KCM_CONTROLLERS: ControllerFactory[] = [
  nodeLifecycleController,
  taintEvictionController,
  replicaSetController,
  statefulSetController,
  daemonSetController,
  podGcController,
  disruptionController,
  endpointSliceController,
  attachDetachController,
];

/** What the cluster is built from: a validated scenario's spec has this shape. */
export interface ClusterSpec {
  kubernetes: KubernetesConfig;
  /** topology absent: managed. */
  controlPlane: { zones: string[]; topology?: ControlPlaneTopology };
  nodes: readonly NodeSpec[];
  workloads: readonly WorkloadSpec[];
  /** Services and their traffic (none: no EndpointSlice, kube-proxy or traffic work at all). */
  services?: readonly ServiceSpec[];
  /** Managed node auto-repair (cloud/node-auto-repair.ts); absent: off. */
  nodeAutoRepair?: NodeAutoRepairConfig;
  /** The cluster autoscaler and its node groups (absent: none). */
  autoscaler?: ClusterAutoscalerConfig;
}

export interface ClusterOptions {
  /** Record every kubelet lease renewal in the trace (off by default: traces stay small). */
  traceHeartbeats?: boolean;
  seed?: number;
  /** Fast paths to turn off (fast-paths.ts); default all on. REFERENCE_BEHAVIOUR turns every one off. */
  fastPaths?: Partial<FastPaths>;
  /**
   * Some host clock may jump during the run (a planned clock-skew fault with an offset). Default true: then
   * no work is skipped on the assumption that renewTimes only move forward.
   */
  clockStepsPossible?: boolean;
}

export interface Cluster {
  ctx: ModelContext;
  spec: ClusterSpec;
  kubelets: Map<string, Kubelet>;
  controllerManagers: ControllerManager[];
  schedulers: SchedulerProcess[];
  /** A host outside the cluster for operator actions (kubectl): never in a zone, never partitioned by zone. */
  operator: Host;
  /** Every node's kube-proxy, when the scenario has Services. */
  proxies?: KubeProxyFleet;
  /** Creates and deletes worker nodes' VMs during the run (infra/node-provisioning.ts). */
  provisioner: NodeProvisioner;
  /** The cloud's view of the VMs (model/cloud/cloud-instances.ts). */
  cloud: CloudInstances;
  /** cloud-controller-manager replicas (none unless kubernetes.cloudControllerManager is set). */
  cloudControllerManagers: CloudControllerManager[];
  /** cluster-autoscaler replicas (none without spec.autoscaler). */
  autoscalers: ClusterAutoscaler[];
}

export function buildCluster(spec: ClusterSpec, opts: ClusterOptions = {}): Cluster {
  const k = spec.kubernetes;
  const { sim, streams, trace, network, fastPaths, world, hosts, addHost } = worldOf(spec, opts);
  const layout = controlPlaneLayout(spec);
  for (const h of layout.hosts) addHost(new Host(sim, h.name, h.zone, 'control-plane'));
  const operator = new Host(sim, 'operator', '', 'control-plane');

  const { api, members } = apiServerOf(spec, { sim, trace, network, world, hosts }, layout, fastPaths, opts, {
    raft: etcdRaftConfig(k.etcd),
    rng: streams.stream('etcd/raft'),
    trace,
  });
  const ctx: ModelContext = { sim, streams, trace, network, api, hosts, world, fastPaths };
  if (Volumes.needed(spec.workloads)) ctx.volumes = new Volumes(spec.workloads, k.volumes ?? DEFAULT_VOLUME_CONFIG);
  const { controllerManagers, schedulers, cloud, cloudControllerManagers } = controlPlaneProcesses(ctx, spec, members);
  const { kubelets, addKubelet } = kubeletFactory(ctx, spec);
  const bootTime = k.kubelet.bootTimeMs ?? DEFAULT_BOOT_TIME_MS;
  const workerHost = (node: NodeSpec) => {
    const host = addHost(new Host(sim, node.name, node.zone, 'node'));
    giveBoot(ctx, host, bootTime);
    return host;
  };
  for (const node of spec.nodes) addKubelet(workerHost(node), node);
  if (spec.controlPlane.topology === 'kubeadm') {
    wireKubeadm(
      api,
      [...controllerManagers, ...schedulers, ...cloudControllerManagers].map((p) => p.host),
    );
    for (const h of layout.hosts) addControlPlaneKubelet(spec, api, hosts.get(h.name)!, h.zone, addKubelet);
  }
  // Control-plane processes come back when their host boots (static pods started by the host's kubelet).
  for (const p of [...controllerManagers, ...schedulers, ...cloudControllerManagers]) p.host.onBoot(() => p.start());
  for (const m of [...api.replicas, ...api.etcd]) m.host.onBoot(() => api.notifyRecovery());

  const proxies = serviceProxies(ctx, spec);

  const provisioner = new CloudNodeProvisioner(ctx, spec.nodes, {
    addNode: (node) => {
      // A new host is a change of the world: work played late is played up to now first. It is a worker
      // host, powered off: nothing done ahead elsewhere depends on it (infra/world.ts), so the change names
      // it (it exists before the change, but is off and in no one's path).
      const host = workerHost(node);
      host.poweredOn = false;
      world.willChange(host);
      addKubelet(host, node);
      proxies?.addNode(node);
      world.changed(host);
      return host;
    },
  });

  if (spec.nodeAutoRepair) new NodeAutoRepair(ctx, provisioner, operator, spec.nodeAutoRepair);
  const autoscalers = clusterAutoscalers(ctx, spec, members, provisioner, cloud);

  const phases = kubeletPhases(kubelets, streams, k.kubelet.nodeLeaseDurationSeconds);
  sim.at(
    0,
    () => {
      for (const p of [...controllerManagers, ...schedulers, ...cloudControllerManagers, ...autoscalers])
        p.startPreexisting();
      for (const [name, kl] of kubelets) kl.startInPhase(phases.get(name)!);
    },
    'cluster/start',
  );

  return {
    ctx,
    spec,
    kubelets,
    controllerManagers,
    schedulers,
    operator,
    provisioner,
    ...(proxies ? { proxies } : {}),
    cloud,
    cloudControllerManagers,
    autoscalers,
  };
}

/**
 * The kernel, its seeded streams and trace, the network, the fast paths and the world, and addHost, which
 * adds a host whose changes are the world's.
 */
function worldOf(spec: ClusterSpec, opts: ClusterOptions) {
  const seed = opts.seed ?? 1;
  const sim = new LazySimulator(seed);
  const streams = new RandomStreams(seed);
  const trace = new TraceRecorder<TraceEventFields>(sim, { mute: opts.traceHeartbeats ? [] : ['node.lease.renewed'] });
  const network = new Network(streams, spec.kubernetes.network.latency);
  const fastPaths = resolveFastPaths(opts.fastPaths);
  const world = new World(fastPaths.speculation, opts.clockStepsPossible ?? true);
  network.onChange = () => world.changed();
  network.beforeChange = () => world.willChange();
  const hosts = new Map<string, Host>();
  const addHost = (h: Host) => {
    hosts.set(h.name, h);
    // A change of a host's power or clock names the host (infra/world.ts): a worker's undoes only the work
    // done ahead on it. Control-plane hosts (API server, etcd, load balancer, controllers that watch every
    // lease) are shared: a change of one undoes everything.
    h.onChange = () => world.changed(h);
    h.beforeChange = () => world.willChange(h);
    return h;
  };
  return { sim, streams, trace, network, fastPaths, world, hosts, addHost };
}

type Members = (component: string) => Array<{ name: string; host: Host }>;

/**
 * The API server and its store, with the workloads' PodDisruptionBudgets, and the instances of each
 * control-plane component (members) on their hosts.
 */
function apiServerOf(
  spec: ClusterSpec,
  base: Pick<ModelContext, 'sim' | 'trace' | 'network' | 'world' | 'hosts'>,
  layout: ReturnType<typeof controlPlaneLayout>,
  fastPaths: FastPaths,
  opts: ClusterOptions,
  etcd: ConstructorParameters<typeof ApiServer>[7],
): { api: ApiServer; members: Members } {
  const k = spec.kubernetes;
  const store = new ApiStore(base.trace, {
    defaultNotReadyTolerationSeconds: k.apiServer.defaultNotReadyTolerationSeconds,
    defaultUnreachableTolerationSeconds: k.apiServer.defaultUnreachableTolerationSeconds,
  });
  const members: Members = (component) =>
    layout.instances
      .filter((i) => i.component === component)
      .map((i) => ({ name: i.name, host: base.hosts.get(i.host)! }));
  const api = new ApiServer(
    base.sim,
    base.network,
    store,
    members('kube-apiserver'),
    members('etcd'),
    base.world,
    k.http2,
    etcd,
  );
  api.listCostPerObjectUs = k.apiServer.listCostPerObjectUs ?? 0;
  // The workloads' PodDisruptionBudgets exist from the start, as if applied with them.
  for (const w of spec.workloads)
    if (w.podDisruptionBudget)
      store.createPdb({
        kind: 'PodDisruptionBudget',
        metadata: { name: pdbNameOf(w) },
        spec: { ...w.podDisruptionBudget, workload: w.id },
      });
  store.chains = new LeaseChains(leaseChainsFit(fastPaths, k, opts.traceHeartbeats ?? false));
  // Before a change, the renewals played late that it can affect are played up to now: those of the node
  // whose host changes (a worker's kubelet keys its chain by its node name, its host's name), or all.
  base.world.beforeChange((host) => (host === undefined ? store.chains.catchUpAll() : store.chains.catchUp(host.name)));
  return { api, members };
}

/** The controller-manager, scheduler and cloud-controller-manager replicas, and the cloud's view of the VMs. */
function controlPlaneProcesses(ctx: ModelContext, spec: ClusterSpec, members: Members) {
  const k = spec.kubernetes;
  const controllerManagers = members('kube-controller-manager').map(
    (m) =>
      new ControllerManager(
        ctx,
        m.host,
        m.name,
        k.controllerManager,
        KCM_CONTROLLERS,
        spec.workloads,
        spec.services ?? [],
      ),
  );
  const schedulers = members('kube-scheduler').map(
    (m) => new SchedulerProcess(ctx, m.host, m.name, k.scheduler.leaderElection, (c) => scheduler(c, k.scheduler)),
  );
  const cloud = new CloudInstances(ctx.hosts);
  const ccm = k.cloudControllerManager;
  const cloudControllerManagers = ccm
    ? members('cloud-controller-manager').map((m) => new CloudControllerManager(ctx, m.host, m.name, ccm, cloud))
    : [];
  return { controllerManagers, schedulers, cloud, cloudControllerManagers };
}

/** The kubelets by node name, and addKubelet, which adds one for a node on its host. */
function kubeletFactory(ctx: ModelContext, spec: ClusterSpec) {
  const kubelets = new Map<string, Kubelet>();
  const kubeletSettings: KubeletSettings = {
    config: spec.kubernetes.kubelet,
    startupByWorkload: new Map(spec.workloads.map((w) => [w.id, w.startup])),
    probesByWorkload: new Map(spec.workloads.filter((w) => w.probes !== undefined).map((w) => [w.id, w.probes!])),
    criticalWorkloads: new Set(
      spec.workloads.filter((w) => (w.scheduling?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY).map((w) => w.id),
    ),
  };
  const addKubelet = (host: Host, node: NodeSpec) => {
    const kubelet = new Kubelet(ctx, host, node, kubeletSettings, kubelets.size + 1);
    kubelets.set(node.name, kubelet);
    // A worker host's boot brings the kubelet up with the runtime's network still to come (kubelet.ts).
    host.onBoot(() => (host.boot !== undefined ? kubelet.startAfterBoot() : kubelet.start()));
  };
  return { kubelets, addKubelet };
}

/**
 * A kubeadm control-plane host's kubelet and Node. ControlPlaneKubeletLocalMode (KEP-4471), beta and on by
 * default from v1.33: a control-plane kubelet talks to its own host's API server; before, through the
 * control-plane endpoint.
 */
function addControlPlaneKubelet(
  spec: ClusterSpec,
  api: ApiServer,
  host: Host,
  zone: string,
  addKubelet: (host: Host, node: NodeSpec) => void,
): void {
  addKubelet(host, controlPlaneNode(host.name, zone));
  if (minorOf(spec.kubernetes.version) >= 33) api.pinToLocalReplica(host);
}

/** Every node's kube-proxy and the traffic meter, when the scenario has Services (else undefined). */
function serviceProxies(ctx: ModelContext, spec: ClusterSpec): KubeProxyFleet | undefined {
  const services = spec.services ?? [];
  if (services.length === 0) return undefined;
  const proxies = new KubeProxyFleet(ctx, spec.nodes, spec.kubernetes.kubeProxy?.minSyncPeriodMs);
  // A Service nobody sends requests to (a manifest Service without spec.traffic) still has its slices and rules.
  const metered = services.filter(isMetered);
  if (metered.length > 0) new TrafficMeter(ctx, metered, proxies);
  return proxies;
}

/** The cluster autoscaler: node groups in the cloud, its replicas on control-plane hosts. */
function clusterAutoscalers(
  ctx: ModelContext,
  spec: ClusterSpec,
  members: Members,
  provisioner: NodeProvisioner,
  cloud: CloudInstances,
): ClusterAutoscaler[] {
  const as = spec.autoscaler;
  if (as === undefined) return [];
  const nodeGroups = as.nodeGroups.map((g) => new CloudNodeGroup(g, provisioner, cloud));
  const startNodes = new Set(spec.nodes.map((n) => n.name));
  const autoscalers = members('cluster-autoscaler').map(
    (m) => new ClusterAutoscaler(ctx, m.host, m.name, as, nodeGroups, startNodes),
  );
  for (const p of autoscalers) {
    p.host.onBoot(() => p.start());
    if (spec.controlPlane.topology === 'kubeadm') ctx.api.pinToLocalReplica(p.host);
  }
  return autoscalers;
}

/**
 * Whether lease renewals can be played late (the leaseChains fast path), and turns off what needs them
 * when not. A renewal played late must be served in time, as its answer's way back is drawn then: chains
 * need both network legs within the heartbeat client's timeout. Off with traced heartbeats: each renewal
 * is traced as it happens.
 */
function leaseChainsFit(fastPaths: FastPaths, k: ClusterSpec['kubernetes'], traceHeartbeats: boolean): boolean {
  const heartbeatTimeoutMs = Math.min(k.kubelet.nodeLeaseDurationSeconds * 1000, k.kubelet.nodeStatusUpdateFrequencyMs);
  const chainsFit = 2 * k.network.latency.maxMs < heartbeatTimeoutMs;
  fastPaths.leaseChains &&= !traceHeartbeats && chainsFit;
  if (!fastPaths.leaseChains) fastPaths.nodeLifecycleLeaseSkip = false;
  return fastPaths.leaseChains;
}

/** Each kubelet's phase within the lease renew interval, from a stream of its own (see the header). */
function kubeletPhases(
  kubelets: Map<string, Kubelet>,
  streams: RandomStreams,
  nodeLeaseDurationSeconds: number,
): Map<string, number> {
  const renewIntervalMs = Math.max(1, Math.round(nodeLeaseDurationSeconds * 1000 * LEASE_RENEW_INTERVAL_FRACTION));
  return new Map(
    [...kubelets.keys()].map((name) => [
      name,
      streams.stream(`cluster/kubelet-start/${name}`).int(0, renewIntervalMs - 1),
    ]),
  );
}

/** A kubeadm control-plane host's Node: its zone and hostname labels, the control-plane role, and its taint. */
function controlPlaneNode(name: string, zone: string): NodeSpec {
  return {
    name,
    zone,
    labels: {
      'topology.kubernetes.io/zone': zone,
      'kubernetes.io/hostname': name,
      [LABEL_NODE_ROLE_CONTROL_PLANE]: '',
    },
    capacity: { ...CONTROL_PLANE_NODE_CAPACITY },
    taints: [{ key: LABEL_NODE_ROLE_CONTROL_PLANE, effect: 'NoSchedule' }],
  };
}

/** A control-plane host's allocatable resources (they only matter to pods that tolerate its taint). */
const CONTROL_PLANE_NODE_CAPACITY = { cpuMilli: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 };

/**
 * kubeadm's wiring (control-plane-layout.ts ControlPlaneTopology): every API server uses its own host's
 * etcd member, and the controller-managers and schedulers their own host's API server.
 */
function wireKubeadm(api: ApiServer, processHosts: readonly Host[]): void {
  api.useLocalEtcd();
  for (const h of processHosts) api.pinToLocalReplica(h);
}

/** 31 for "1.31" (0 when not of that form). */
function minorOf(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  return m ? Number(m[1]) : 0;
}

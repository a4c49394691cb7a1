// Fidelity note. The kubelet's part in failure handling (docs/fidelity.md#kubelet), after kubernetes/kubernetes
// pkg/kubelet/kubelet_node_status.go (registerWithAPIServer, syncNodeStatus, tryUpdateNodeStatus),
// pkg/kubelet/nodestatus/setters.go (ReadyCondition and the pressure setters),
// staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go (the node Lease), and the pod
// lifecycle of pkg/kubelet (pod workers, status manager, HandlePodCleanups) reduced to start and stop.
// Defaults (scenario `kubernetes.kubelet`): nodeStatusUpdateFrequency 10 s, nodeStatusReportFrequency 5 min,
// nodeLeaseDurationSeconds 40 ⇒ lease renewed every 0.25 × 40 = 10 s; both loops slide with 4 % jitter
// (JitterUntil sliding=true: the next sync starts period × (1 + U·0.04) after the previous one *finished*,
// API round trips included); heartbeat client timeout min(leaseDuration, nodeStatusUpdateFrequency) = 10 s.
// Kept: registration by CREATE (AlreadyExists ⇒ the existing Node is taken over and its labels/capacity
// reconciled, as after a reboot), retried every 100 ms doubling to 7 s; status computed every period from the
// kubelet's own view of its Node (a single-object informer, fieldSelector metadata.name) and PATCHed only when
// it changed (heartbeat times ignored) or nodeStatusReportFrequency has passed, up to 5 tries; the lease renewed
// by an optimistic UPDATE of the cached lease (up to 5 tries, a Conflict re-reads it), falling back to
// get-or-create with backoff 200 ms doubling to 7 s, forever.
// Pods: a pod informer for this node (fieldSelector spec.nodeName). A bound pod is started: image pull (skipped
// when this host already pulled the workload's image) and then readiness, drawn from the workload's `startup`
// ranges; `pod.started` is traced when the containers run, and one status PATCH sets phase Running and Ready.
// A pod with a deletionTimestamp has its containers stopped after min(grace, a modelled stop time of
// 0.3–3 s), `pod.stopped` is traced, and the object is removed by DELETE with gracePeriodSeconds 0 and a uid
// precondition. A pod removed from the API while its containers run (force delete) has them killed.
// Containers are tracked in `containers`, held by this object across kubelet restarts: a `kubelet-stop` fault
// (stop()) leaves them running; a host power-off kills them all (`pod.stopped`, reason 'host powered off').
// On every start the kubelet re-registers, relists its pods, restarts the missing ones, removes the ones
// deleted meanwhile, kills containers whose pod is gone, and re-reports Ready for pods that still run (the
// status manager's resync after the node lifecycle controller marked them NotReady).
// Status manager sync (pkg/kubelet/status/status_manager.go: Start ticks syncBatch every syncPeriod = 10 s;
// syncPod GETs the pod and patches when the API server's status differs from the kubelet's): after a call
// of this kubelet failed to reach the API server, the next 10 s tick (on a grid from the kubelet's start;
// for a kubelet running since before t = 0, at a seeded phase) GETs this node's pods (one call, O(pods on the
// node)), and so on every tick until one GET succeeds, and re-reports Ready for every pod running Ready
// here that the API server has NotReady. So after a partition heals, pods are Ready again within one sync period instead of waiting
// for the pod watch's reflector backoff (up to 30 s). Without a failed call there is no tick: in steady
// state the informer keeps the view current and the kubelet writes every change itself, so nothing differs.
// Heartbeat phases: the first start (cluster.ts) registers at once but runs the heartbeat loops at a per-node
// seeded offset within the renew interval, so nodes do not renew in step.
// Probes (prober.ts, docs/fidelity.md#probes): a pod of a workload with probes, or one an app-degrade fault
// has hit, is started as above, but its readiness follows its probe workers: the application answers from
// the startup.ready draw after its containers start, an app-degrade fault makes its readiness or liveness
// probes fail (or its containers crash); a readiness change is reported through the status manager (one
// PATCH), a liveness or startup failure (or a crash) stops the containers (`pod.stopped`) and starts them
// again after the container back-off (`pod.restart.scheduled`). A pod without probes or app faults is
// started exactly as before.
// After a boot (startAfterBoot: a new node, or a host back from a power-off) the container runtime's network
// is not ready at first (the CNI plugin starts with the node's network DaemonSet): pkg/kubelet/runtime.go
// runtimeState.networkErrors makes nodestatus/setters.go ReadyCondition report Ready=False, reason
// KubeletNotReady, "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady
// message:Network plugin returns error: cni plugin not initialized", and pods wait to start (the pod
// workers refuse pods that need the network while it is not ready). The delay is drawn per boot from the
// kubelet's stream `kubelet/<node>/network-ready`, uniformly in kubelet `networkReadyTime`. When the network
// is ready the kubelet posts its status at once (pkg/kubelet/kubelet.go fastStatusUpdateOnce, which polls
// every 100 ms until the node can be Ready and then calls fastNodeStatusUpdate) and starts its pods.
// A kubelet restarted without a boot (kubelet-stop) finds the network ready.
// Volumes (docs/fidelity.md#volumes; pkg/kubelet/volumemanager/volume_manager.go WaitForAttachAndMount,
// pkg/kubelet/nodestatus/setters.go VolumesInUse): a StatefulSet pod with claims reports them in the node's
// volumesInUse and waits, polling every podAttachAndMountRetryInterval (300 ms), until the attach-detach
// controller has attached every one to this node; only then are its images pulled and its containers
// started. When its containers have stopped on a running kubelet (deleted, removed, shut down), the volumes
// are unmounted and dropped from volumesInUse. A dead kubelet reports nothing: its node's volumesInUse stays
// as it was, which is what holds the controller's detach back until maxWaitForUnmountDuration. A boot
// leaves no mounts (the booted kubelet reports none).
// API clients (cmd/kubelet/app/server.go kubeClientConfigOverrides and run; docs/fidelity.md#client-rate-limits):
// the node Lease and the node status go through the heartbeat client (QPS -1: never throttled); pod
// status updates (two tokens: status_manager.go syncPod GETs the pod, then PATCHes its status), pod
// removals (three: GET, final status, DELETE), the status manager's comparison GET and registration wait
// for the main client's token bucket of kubeAPIQPS / kubeAPIBurst (50 / 100 from v1.27, 5 / 10 before),
// built at every start. A run's initial pods are first reported without a token.
// The heartbeat loops' speculation fast path (renewals sent ahead, idle status syncs skipped) is in
// work-ahead.ts; this file is the plain behaviour, its reference.
// Simplified: outside those windows Ready is True while the kubelet runs (no PLEG failures, no pressure); a
// get-or-create or a retried GET+PATCH is one API call; without probes, readiness is one delay (no failures).
import { DEFAULT_STARTUP, type NodeSpec, type PodProbes, type WorkloadSpec } from '../../k8s/workloads.js';
import type { KubeletConfig } from '../../k8s/config.js';
import {
  type Lease,
  type Node,
  type NodeCondition,
  type NodeConditionType,
  type Pod,
  podStatus,
} from '../../k8s/objects.js';
import { type EventHandle, Priority, type Rng } from '../../engine/index.js';
import { InFlightRequest, type RequestOptions } from '../apiserver/api-server.js';
import type { ApiResult, ApiStore } from '../apiserver/store.js';
import type { Informer } from '../apiserver/informer.js';
import type { ModelContext } from '../context.js';
import type { Host } from '../infra/host.js';
import { Process } from '../infra/process.js';
import { containerBackOff, type ProbeInputs, ProbeWorker } from './prober.js';
import { DEFAULT_NETWORK_READY_TIME_MS } from '../infra/node-provisioning.js';
import { TokenBucket } from '../infra/token-bucket.js';
import { type HeartbeatWorkAhead, PlainHeartbeats, WorkAhead } from './work-ahead.js';

const ACTOR = 'kubelet';
/** nodeLeaseRenewIntervalFraction (pkg/kubelet/kubelet.go). */
export const LEASE_RENEW_INTERVAL_FRACTION = 0.25;
export const JITTER_FACTOR = 0.04;
/** nodeStatusUpdateRetry and the lease controller's maxUpdateRetries. */
const UPDATE_RETRIES = 5;
const LEASE_BACKOFF_INITIAL_MS = 200;
const LEASE_BACKOFF_MAX_MS = 7_000;
const REGISTER_BACKOFF_INITIAL_MS = 100;
const REGISTER_BACKOFF_MAX_MS = 7_000;
/** How long a container runtime takes to stop a pod's containers (capped by the grace period). */
const STOP_MS_MIN = 300;
const STOP_MS_MAX = 3_000;
/** The status manager's resync period for a failed pod status write. */
const POD_STATUS_RETRY_MS = 10_000;
/**
 * Client tokens of one status update: the status manager's syncPod GETs the pod from the API server, then
 * PATCHes its status (pkg/kubelet/status/status_manager.go syncPod, statusutil.PatchPodStatus).
 */
const STATUS_UPDATE_TOKENS = 2;
/** A pod's removal: syncPod's GET, the PATCH of its final status, then the DELETE (canBeDeleted). */
const POD_REMOVAL_TOKENS = 3;
/** The status manager's syncPeriod (pkg/kubelet/status/status_manager.go). */
const POD_STATUS_SYNC_MS = 10_000;
const POD_DELETE_RETRY_MS = 1_000;
/** pkg/kubelet/volumemanager/volume_manager.go podAttachAndMountRetryInterval. */
export const POD_ATTACH_AND_MOUNT_RETRY_INTERVAL_MS = 300;

/** A heartbeat loop (lease or node status): its wait, its next sync, its jitter stream and period (local ms). */
export interface SyncLoop {
  again: () => void;
  run: () => void;
  rng: Rng;
  periodMs: number;
}

/** A Ready report of a pod (PodWork.report): answered OK at answerAtMs (-1: not yet), as event answerSeq would have been. */
interface StatusReport {
  answerAtMs: number;
  answerSeq: number;
}

/** A pod whose containers run on this host. */
interface RunningPod {
  uid: number;
  /** Readiness passed (the kubelet reports Ready=True for it). */
  ready: boolean;
  /** Still in Kubelet.containers (false once killed): a timer holding it needs no lookup by name. */
  alive: boolean;
  /**
   * A pod of the run's start (Pod.metadata.preexisting) started by the kubelet's first incarnation: it
   * stands for one running before t = 0, so its first Ready report takes no client token.
   */
  initialReport: boolean;
  /** Its probe workers, for a pod with probes or an app fault (prober.ts); absent: readiness is one delay. */
  probe?: ProbeState;
}

/** The probe workers of one running container set, and what their probes answer (prober.ts). */
interface ProbeState {
  name: string;
  probes: PodProbes;
  /** When the containers started, and when the application answers (the startup.ready draw after). */
  startMs: number;
  appUpMs: number;
  /** When the startup probe passed (the start itself without one); Infinity until it has. */
  startedAtMs: number;
  /** Startup, liveness, readiness: the order doProbe results are applied in when they land together. */
  workers: ProbeWorker[];
  /** The next result change, scheduled. */
  event: EventHandle | undefined;
}

/** What an app-degrade fault does to a pod's application (chaos/faults.ts). */
export interface AppFault {
  uid: number;
  readiness: boolean;
  liveness: boolean;
  crash: boolean;
}

/**
 * What one kubelet incarnation is doing for a pod name. Kept for the incarnation, so a timer may hold it
 * instead of looking it up: one record per pod instead of a map per activity (each a cache miss at scale).
 */
interface PodWork {
  /** uid of the pod being started (image pull), or -1. */
  starting: number;
  /** uid of the pod whose readiness delay is running, or -1. */
  probing: number;
  /**
   * uid of the deleted pod whose containers are being stopped and object removed, or -1. By uid: a new
   * incarnation of the name (a StatefulSet pod) deleted while the old one's removal is still answered
   * must be terminated too.
   */
  stopping: number;
  /**
   * Its Ready report in flight. A report the API server took is answered with no event (reportReady):
   * the record holds when the answer arrives, and it counts as in flight until then.
   */
  report: StatusReport | undefined;
  /** uid of the pod whose containers wait out the restart back-off, or -1. */
  restarting: number;
  /** The container restart back-off of the pod uid (prober.ts containerBackOff). */
  backOff: { uid: number; backOffMs: number; lastExitMs: number } | undefined;
  /** The probe workers' ticker start for the pod uid (kept across container restarts, as the workers are). */
  probeAnchor: { uid: number; atMs: number } | undefined;
}

/** What a kubelet is started with. */
export interface KubeletSettings {
  /** Its KubeletConfiguration (heartbeat periods, lease duration). */
  config: KubeletConfig;
  /** How each workload's pods start (image pull, then readiness), by workload id (`Kind/name`). */
  startupByWorkload: ReadonlyMap<string, WorkloadSpec['startup']>;
  /** Workloads whose pods are critical for graceful node shutdown (priority >= 2,000,000,000). */
  criticalWorkloads?: ReadonlySet<string>;
  /** The probes of each workload's pods, by workload id; workloads without probes are absent. */
  probesByWorkload?: ReadonlyMap<string, PodProbes>;
}

/** The conditions the kubelet's setters produce (Ready True, no pressure). */
const DESIRED: ReadonlyArray<Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>> = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];
const DESIRED_TYPES = new Set<NodeConditionType>(DESIRED.map((d) => d.type));
/** DESIRED with Ready False for a reason (ReadyCondition's runtime and network errors). */
const readyFalse = (message: string): typeof DESIRED =>
  DESIRED.map((d) => (d.type === 'Ready' ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message } : d));
/** The same during a graceful node shutdown: the runtime state's error makes Ready False. */
const DESIRED_SHUTTING_DOWN = readyFalse('node is shutting down');
/** Booted, the container runtime's network not ready yet (runtimeState.networkErrors). */
export const NETWORK_NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
const DESIRED_NETWORK_NOT_READY = readyFalse(NETWORK_NOT_READY_MESSAGE);

/**
 * Why the kubelet reports Ready=False, if it does: `shutting-down` (the shutdown manager saw a shutdown
 * coming, pkg/kubelet/nodeshutdown), `network-not-ready` (booted, the runtime's network not up yet).
 * `true` stands for `shutting-down`.
 */
export type NotReadyCause = 'shutting-down' | 'network-not-ready';

/** The setters applied to `existing`; `changed` ignores heartbeat times (nodeStatusHasChanged). */
export function computeNodeConditions(
  existing: readonly NodeCondition[],
  nowMs: number,
  notReady: NotReadyCause | boolean | undefined = false,
): { conditions: NodeCondition[]; changed: boolean } {
  const conditions: NodeCondition[] = existing.filter((c) => !DESIRED_TYPES.has(c.type));
  let changed = false;
  const desired =
    notReady === 'network-not-ready'
      ? DESIRED_NETWORK_NOT_READY
      : notReady === true || notReady === 'shutting-down'
        ? DESIRED_SHUTTING_DOWN
        : DESIRED;
  for (const d of desired) {
    const prev = existing.find((c) => c.type === d.type);
    const same = prev !== undefined && prev.status === d.status;
    if (!same || prev.reason !== d.reason || prev.message !== d.message) changed = true;
    // Written out field by field: spreading `d` and adding properties takes a slow path in V8 (~30x).
    conditions.push({
      type: d.type,
      status: d.status,
      reason: d.reason,
      message: d.message,
      lastHeartbeatTimeMs: nowMs,
      lastTransitionTimeMs: same ? prev.lastTransitionTimeMs : nowMs,
    });
  }
  return { conditions, changed };
}

export class Kubelet extends Process {
  /** Containers running on this host, by pod name. Survives a kubelet stop, not a power-off. */
  private readonly containers = new Map<string, RunningPod>();
  /** Images on this host's disk (by workload id): survive reboots. */
  private readonly pulledImages = new Set<string>();
  /** App-degrade faults on pods of this host, by pod name: the application's state, kept across kubelet restarts. */
  private readonly appFaults = new Map<string, AppFault>();
  /** The probe workers' first-probe jitter and nothing else (the stream `kubelet/<node>/prober`). */
  private proberRng: Rng | undefined;
  /** Sim ms this incarnation started (the prober manager's start, for the first-probe jitter). */
  private startedAtMs = 0;

  // ---- per incarnation ----
  /** A graceful node shutdown is under way (gracefulShutdown): Ready is False and no pod is started. */
  private shuttingDown = false;
  /** Local monotonic ms at which the runtime's network is ready (-Infinity: it is; see startAfterBoot). */
  private networkReadyAtMs = -Infinity;
  /** Set while start() runs for a boot. */
  private booting = false;
  private podInformer: Informer<Pod> | undefined;
  private registered = false;
  /** Whether this kubelet has registered its Node at least once in the run (any incarnation). */
  private registeredInRun = false;
  /** The lease the lease controller last read or wrote (work-ahead.ts sets it too). */
  latestLease: Lease | undefined;
  private lastStatusReportMs = -Infinity;
  private nodeInformer: Informer<Node> | undefined;
  /** The cached Node last checked for status changes, and whether the setters would change it. */
  private checkedNode: Node | undefined;
  private checkedNodeChanged = false;
  /** By pod name: what this incarnation does for it (never removed while the incarnation lasts). */
  private work = new Map<string, PodWork>();
  /**
   * A call of this kubelet failed to reach the API server since the status manager last compared its pods'
   * statuses with the server's: while cut off, others (the node lifecycle controller) may have changed them.
   */
  private statusMayBeStale = false;
  /** The status manager's sync tick is armed (it ticks only while statuses may be stale). */
  private statusSyncArmed = false;
  /** Local monotonic ms the status manager's tick grid counts from (this incarnation's start, plus a phase). */
  private statusSyncAnchorMs = 0;
  /** For the first start only: local ms after start at which the heartbeat loops run their second sync. */
  private phaseMs: number | undefined;
  // The members below, as far as `renewOpts`, are read by the heartbeats' work-ahead too (work-ahead.ts).
  leaseLoop: SyncLoop | undefined;
  statusLoop: SyncLoop | undefined;
  /** Lease renewals draw their request's network leg from a stream of their own, so sending one ahead draws the same. */
  readonly leaseSendRng: Rng;
  /** Image pulls, readiness and stop times (the stream `kubelet/<node>/pods`). */
  private readonly podsRng: Rng;
  /** The streams of the status and lease loops (the same objects slidingLoop gets), and the status sync's label. */
  readonly statusRng: Rng;
  readonly leaseRng: Rng;
  readonly statusLabel: string;
  readonly renewLabel: string;
  /** Event labels, built once (a template string per pod start cost an allocation each). */
  private readonly imagePullLabel: string;
  private readonly readinessLabel: string;
  private readonly probeLabel: string;
  private readonly restartLabel: string;
  private readonly statusSyncLabel: string;
  private readonly podStatusLabel: string;
  private readonly stopPodLabel: string;
  private readonly deletePodLabel: string;
  private readonly volumeWaitLabel: string;
  private readonly clientWaitLabel: string;
  /** The main client's token bucket, per incarnation (a new process builds a new client); undefined: no limit. */
  private bucket: TokenBucket | undefined;
  /** The renewal's request, built once: the lease it renews comes as the request's arg. */
  private readonly renewOp = (s: ApiStore, base: Lease) => s.update(this.newLease(base), ACTOR);
  readonly renewOpts: RequestOptions<Lease>;
  /** The speculation fast path (work-ahead.ts), or the plain loops (its reference). */
  private readonly workAhead: HeartbeatWorkAhead;
  /** Per incarnation: the lease sync's callback for the loop's own sync, and a first renewal's answer with it. */
  private renewSynced: ((ok: boolean) => void) | undefined;
  private renewDone0: ((r: ApiResult<Lease>, base: Lease) => void) | undefined;
  private readonly latencyMinMs: number;
  readonly latencyMaxMs: number;

  constructor(
    ctx: ModelContext,
    host: Host,
    readonly spec: NodeSpec,
    private readonly settings: KubeletSettings,
    /** The node's place in the cluster's list of nodes, from 1: orders its renewals among others' (RequestOptions.order). */
    readonly ordinal = 1,
  ) {
    super(ctx, host, `kubelet/${spec.name}`, 'kubelet');
    this.leaseSendRng = ctx.streams.stream(`network/${spec.name}/node-lease`);
    this.podsRng = this.rng('pods');
    this.statusRng = this.rng('node-status');
    this.leaseRng = this.rng('lease');
    this.statusLabel = `${this.name}/node-status`;
    this.renewLabel = `${this.name}/renew-lease`;
    this.imagePullLabel = `${this.name}/image-pull`;
    this.readinessLabel = `${this.name}/readiness`;
    this.probeLabel = `${this.name}/probe`;
    this.restartLabel = `${this.name}/restart-container`;
    this.statusSyncLabel = `${this.name}/pod-status-sync`;
    this.podStatusLabel = `${this.name}/pod-status`;
    this.stopPodLabel = `${this.name}/stop-pod`;
    this.deletePodLabel = `${this.name}/delete-pod`;
    this.volumeWaitLabel = `${this.name}/wait-for-attach-and-mount`;
    this.clientWaitLabel = `${this.name}/client-wait`;
    // A renewal reaches the API server at the start of its millisecond (Priority.early), and all of its
    // network legs draw from the node's own stream: so renewals can be played without an event each.
    this.renewOpts = { owner: this, sendRng: this.leaseSendRng, priority: Priority.early, order: ordinal };
    ({ minMs: this.latencyMinMs, maxMs: this.latencyMaxMs } = ctx.network.latency);
    this.workAhead = ctx.world.enabled ? new WorkAhead(this) : new PlainHeartbeats(this.renewOpts);
  }

  /** The request leg's base latency for a lease renewal (Network.baseLatency on the loop's own stream); its raw draw in lastBaseRaw. */
  drawRenewBase(): number {
    if (this.latencyMaxMs <= this.latencyMinMs) {
      this.lastBaseRaw = undefined;
      return this.latencyMinMs;
    }
    const raw = this.leaseSendRng.next();
    this.lastBaseRaw = raw;
    return this.latencyMinMs + Math.floor(raw * (this.latencyMaxMs - this.latencyMinMs + 1));
  }
  lastBaseRaw: number | undefined;

  protected override get traced(): boolean {
    return false;
  }

  /** Names of the pods whose containers run on this host now, sorted. */
  runningPods(): string[] {
    return [...this.containers.keys()].sort();
  }

  get nodeName(): string {
    return this.spec.name;
  }

  private get cfg(): KubeletConfig {
    return this.settings.config;
  }

  /** The heartbeat client's timeout: min(leaseDuration, nodeStatusUpdateFrequency). */
  get heartbeatTimeoutMs(): number {
    return Math.min(this.cfg.nodeLeaseDurationSeconds * 1000, this.cfg.nodeStatusUpdateFrequencyMs);
  }

  /**
   * The cluster's first start: the kubelet registers and creates its lease now, but its heartbeat loops
   * then run `phaseMs` later instead of a full period, as if it had been running for a while with that
   * phase (nodes boot at different moments; see cluster.ts).
   */
  startInPhase(phaseMs: number): void {
    this.phaseMs = phaseMs;
    this.startPreexisting();
    this.phaseMs = undefined;
  }

  /** The start that a boot of the host brings (cluster.ts): the runtime's network comes later (see the header). */
  startAfterBoot(): void {
    this.ctx.volumes?.nodeBooted(this.nodeName);
    this.booting = true;
    this.start();
    this.booting = false;
  }

  /** Why Ready is False now, if it is (computeNodeConditions). */
  private get notReadyCause(): NotReadyCause | undefined {
    if (this.shuttingDown) return 'shutting-down';
    if (this.networkReadyAtMs > this.host.clock.monotonicNow()) return 'network-not-ready';
    return undefined;
  }

  /** The runtime's network came up: post Ready at once (fastStatusUpdateOnce) and start the pods waiting for it. */
  private networkReady(): void {
    this.networkReadyAtMs = -Infinity;
    // The same cached Node now computes to another status.
    this.checkedNode = undefined;
    this.workAhead.statusMayChange(false);
    if (this.registered) this.updateNodeStatus(0, () => {});
    const pods = [...(this.podInformer?.cache.values() ?? [])].sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : 1,
    );
    for (const p of pods) this.syncPod(p);
  }

  protected onStart(): void {
    const phaseMs = this.phaseMs;
    this.startedAtMs = this.ctx.sim.nowMs;
    this.shuttingDown = false;
    this.networkReadyAtMs = -Infinity;
    if (this.booting) {
      const range = this.cfg.networkReadyTimeMs ?? DEFAULT_NETWORK_READY_TIME_MS;
      const delayMs = Math.round(range.minMs + this.rng('network-ready').next() * (range.maxMs - range.minMs));
      if (delayMs > 0) {
        this.networkReadyAtMs = this.host.clock.monotonicNow() + delayMs;
        this.after(delayMs, () => this.networkReady(), `${this.name}/network-ready`);
      }
    }
    this.registered = false;
    const { kubeAPIQPS, kubeAPIBurst } = this.cfg;
    this.bucket =
      kubeAPIQPS > 0
        ? new TokenBucket(kubeAPIQPS, Math.max(1, kubeAPIBurst), this.host.clock.monotonicNow())
        : undefined;
    this.latestLease = undefined;
    this.lastStatusReportMs = -Infinity;
    this.checkedNode = undefined;
    this.work = new Map();
    this.statusMayBeStale = false;
    this.statusSyncArmed = false;
    // The status manager ticks every syncPeriod from its start; a kubelet running since before t = 0 ticks
    // at a seeded phase of its own.
    this.statusSyncAnchorMs =
      this.host.clock.monotonicNow() +
      (this.preexisting ? this.rng('status-sync/phase').int(0, POD_STATUS_SYNC_MS - 1) : 0);

    this.nodeInformer = this.informer<Node>({ kind: 'Node', nodeName: this.nodeName }, 'node-informer');
    // A change of the Node may make the next status sync do something: syncs skipped past it come back.
    // A sync due in the same millisecond was scheduled long before the watch event and has run.
    const nodeChanged = () => {
      this.workAhead.statusMayChange(true);
    };
    this.nodeInformer.addHandlers({ onAdd: nodeChanged, onUpdate: nodeChanged, onDelete: nodeChanged });
    this.nodeInformer.start();
    const pods = this.informer<Pod>({ kind: 'Pod', nodeName: this.nodeName }, 'pod-informer');
    pods.addHandlers({
      onAdd: (p) => this.syncPod(p),
      onUpdate: (_prev, p) => this.syncPod(p),
      quiet: (prev, next) => this.syncsToNothing(prev, next),
      onDelete: (p) => this.podRemoved(p),
    });
    pods.whenSynced(() => {
      // HandlePodCleanups: containers whose pod no longer exists are killed.
      for (const [name, c] of [...this.containers]) {
        const p = pods.get(name);
        if (!p || p.metadata.uid !== c.uid) this.killContainers(name, 'pod removed from API');
      }
    });
    pods.start();
    this.podInformer = pods;
    this.resumeProbes();

    const statusPeriodMs = this.cfg.nodeStatusUpdateFrequencyMs;
    this.statusLoop = this.slidingLoop(
      statusPeriodMs,
      'node-status',
      (done) => this.syncNodeStatus(done),
      phaseMs,
      () => this.workAhead.skipIdleStatusSyncs(),
    );
    const leasePeriodMs = this.cfg.nodeLeaseDurationSeconds * 1000 * LEASE_RENEW_INTERVAL_FRACTION;
    this.leaseLoop = this.slidingLoop(leasePeriodMs, 'lease', (done) => this.syncLease(done), phaseMs);
    const loop = this.leaseLoop;
    const synced = (ok: boolean) => (ok ? loop.again() : this.renewViaEnsure(loop.again));
    this.renewSynced = synced;
    this.renewDone0 = (r, base) => this.renewAnswered(r, base, 0, synced, loop.again);
  }

  /** An API call with the heartbeat client's timeout; a transport failure marks statuses stale (callFailedToReach). */
  private api<T>(label: string, op: (s: ApiStore) => ApiResult<T>, done: (r: ApiResult<T>) => void): void {
    this.call<T>(label, this.heartbeatTimeoutMs, op, done);
  }

  /**
   * A request of the main client (kubeAPIQPS / kubeAPIBurst, see the header): sent once `tokens` tokens are
   * there, at once when the bucket holds them. The heartbeats (lease, node status) use the heartbeat client,
   * which has no limiter, and do not come here. A kubelet that stops meanwhile sends nothing.
   */
  private throttled(tokens: number, send: () => void): void {
    const bucket = this.bucket;
    if (bucket === undefined || tokens === 0) return send();
    const nowMs = this.host.clock.monotonicNow();
    let waitMs = 0;
    for (let i = 0; i < tokens; i++) waitMs = bucket.reserve(nowMs);
    if (waitMs === 0) send();
    else this.post(waitMs, send, this.clientWaitLabel);
  }

  /** A call failed with Timeout or Unavailable: the status manager was cut off (see markStatusesStale). */
  override callFailedToReach(): void {
    this.markStatusesStale();
  }

  protected override onStop(_reason: string): void {
    this.workAhead.stopped();
    this.leaseLoop = undefined;
    this.statusLoop = undefined;
    this.renewSynced = undefined;
    this.renewDone0 = undefined;
    if (!this.host.poweredOn) {
      for (const name of this.runningPods()) this.killContainers(name, 'host powered off');
    }
    this.nodeInformer = undefined;
    this.podInformer = undefined;
  }

  /**
   * JitterUntil(sliding=true) around an asynchronous body: the wait starts when the body is done. With
   * `phaseMs`, the second run is at `phaseMs` after the start (or right after the first, if that took longer).
   */
  private slidingLoop(
    periodMs: number,
    label: string,
    body: (done: () => void) => void,
    phaseMs?: number,
    skip?: () => boolean,
  ): SyncLoop {
    const rng = this.rng(label);
    // Label and continuation built once per loop, not once per pass.
    const eventLabel = `${this.name}/${label}`;
    const again = () => {
      if (skip !== undefined && skip()) return;
      this.postInLoop(periodMs * (1 + rng.next() * JITTER_FACTOR), run, eventLabel);
    };
    const run = () => body(again);
    const loop = { again, run, rng, periodMs };
    if (phaseMs === undefined) {
      run();
      return loop;
    }
    const startedMs = this.now();
    body(() => this.postInLoop(Math.max(0, startedMs + phaseMs - this.now()), run, eventLabel));
    return loop;
  }

  /**
   * A heartbeat loop's next pass, placed by the node's ordinal among the events of its millisecond
   * (Simulator order keys): a pass scheduled ahead of time (skipped status syncs, a renewal sent ahead)
   * then runs where the pass scheduled at its usual moment would, so working ahead changes no order.
   */
  private postInLoop(localMs: number, fn: () => void, label: string): void {
    const sim = this.ctx.sim;
    sim.postGuarded(
      sim.nowMs + Math.max(0, this.host.clock.toSimMs(localMs)),
      fn,
      undefined,
      label,
      this,
      Priority.ordered,
      this.ordinal,
    );
  }

  /** As postInLoop, at a virtual time, with a handle. */
  atInLoop(atMs: number, fn: () => void, label: string): EventHandle {
    return this.ctx.sim.atGuarded(atMs, fn, undefined, label, this, Priority.ordered, this.ordinal);
  }

  // ---- registration and node status ----

  private initialNode(nowMs: number): Node {
    return {
      kind: 'Node',
      metadata: {
        name: this.nodeName,
        uid: 0,
        resourceVersion: 0,
        creationTimestampMs: 0,
        labels: { ...this.spec.labels },
      },
      // registerWithAPIServer's initialNode: --register-with-taints and --register-schedulable=false (or a
      // Node imported with taints and cordoned) are set at creation only; re-registration leaves them be.
      spec: {
        taints: (this.spec.taints ?? []).map((t) => ({ ...t })),
        unschedulable: this.spec.unschedulable ?? false,
      },
      status: {
        conditions: computeNodeConditions([], nowMs, this.notReadyCause).conditions,
        capacity: { ...this.spec.capacity },
      },
    };
  }

  /** registerWithAPIServer: CREATE, or take over the existing Node; retried with backoff until it works. */
  private register(backoffMs: number, done: () => void): void {
    // The first registration of a run's first incarnation stands for one before t = 0 (its Node admitted then).
    const preexisting = this.preexisting && !this.registeredInRun;
    // registerWithAPIServer uses the main client (kl.kubeClient): its CREATE takes a token.
    this.throttled(1, () => this.sendRegistration(preexisting, backoffMs, done));
  }

  /** registerWithAPIServer's CREATE (or take-over) once its token is there. */
  private sendRegistration(preexisting: boolean, backoffMs: number, done: () => void): void {
    this.api<{ created: boolean }>(
      'register-node',
      (s) => {
        const created = s.create(this.initialNode(this.now()), ACTOR, { preexisting });
        if (created.ok) return { ok: true, value: { created: true } };
        if (created.reason !== 'AlreadyExists') return created;
        // Re-registration (after a reboot): reconcile the labels and capacity the kubelet owns.
        const patched = s.patch<Node>(
          'Node',
          this.nodeName,
          (cur) => {
            const labelsSame = Object.entries(this.spec.labels).every(([k, v]) => cur.metadata.labels[k] === v);
            const c = cur.status.capacity;
            const capSame =
              c.cpuMilli === this.spec.capacity.cpuMilli &&
              c.memoryBytes === this.spec.capacity.memoryBytes &&
              c.pods === this.spec.capacity.pods;
            if (labelsSame && capSame) return undefined;
            return {
              ...cur,
              metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, ...this.spec.labels } },
              status: { ...cur.status, capacity: { ...this.spec.capacity } },
            };
          },
          ACTOR,
        );
        return patched.ok ? { ok: true, value: { created: false } } : patched;
      },
      (r) => {
        if (r.ok) {
          this.registered = true;
          this.registeredInRun = true;
          // A created node was posted with its full status just now.
          if (r.value.created) this.lastStatusReportMs = this.now();
          done();
          return;
        }
        this.post(
          backoffMs,
          () => this.register(Math.min(backoffMs * 2, REGISTER_BACKOFF_MAX_MS), done),
          `${this.name}/register`,
        );
      },
    );
  }

  private syncNodeStatus(done: () => void): void {
    if (!this.registered) {
      this.register(REGISTER_BACKOFF_INITIAL_MS, () => this.updateNodeStatus(0, done));
      return;
    }
    this.updateNodeStatus(0, done);
  }

  /**
   * Whether a status sync now would do nothing, and go on doing nothing until the cached Node changes or
   * a report falls due (work-ahead.ts skips such syncs): registered, and the cached Node is the one last
   * checked, which the setters would not change.
   */
  statusSyncIdle(): boolean {
    if (!this.registered || !this.running) return false;
    const cached = this.nodeInformer?.get(this.nodeName);
    return cached !== undefined && cached === this.checkedNode && !this.checkedNodeChanged;
  }

  /** Local ms at which nodeStatusReportFrequency has passed since the last report. */
  nextStatusReportAtLocalMs(): number {
    return this.lastStatusReportMs + this.cfg.nodeStatusReportFrequencyMs;
  }

  /** tryUpdateNodeStatus, up to nodeStatusUpdateRetry times back to back. */
  private updateNodeStatus(tryNumber: number, done: () => void): void {
    if (tryNumber >= UPDATE_RETRIES) return done();
    // The first try reads the kubelet's own cache; retries read the API server.
    const cached = tryNumber === 0 ? this.nodeInformer?.get(this.nodeName) : undefined;
    if (cached) {
      // Whether the setters would change anything ignores heartbeat times, so it is a property of the
      // cached object: decided once per object, not on every 10 s sync.
      if (cached !== this.checkedNode) {
        this.checkedNode = cached;
        this.checkedNodeChanged = computeNodeConditions(cached.status.conditions, 0, this.notReadyCause).changed;
      }
      if (!this.checkedNodeChanged && this.now() - this.lastStatusReportMs < this.cfg.nodeStatusReportFrequencyMs)
        return done();
    }
    const nowMs = this.now();
    const fromCache = cached !== undefined;
    this.api<Node>(
      'node-status',
      (s) =>
        s.patch<Node>(
          'Node',
          this.nodeName,
          (cur) => {
            const { conditions, changed } = computeNodeConditions(cur.status.conditions, nowMs, this.notReadyCause);
            // A retry read the object fresh: it too patches only on a change or when a report is due.
            if (!fromCache && !changed && !(nowMs - this.lastStatusReportMs >= this.cfg.nodeStatusReportFrequencyMs))
              return undefined;
            return { ...cur, status: { ...cur.status, conditions } };
          },
          ACTOR,
        ),
      (r) => {
        if (r.ok) {
          this.lastStatusReportMs = nowMs;
          // The Node just written is what the next sync would check (the object its watch event carries):
          // checked now, the loop can skip the syncs after it at once if the watch has brought it already.
          this.checkedNode = r.value;
          this.checkedNodeChanged = computeNodeConditions(r.value.status.conditions, 0, this.notReadyCause).changed;
          done();
        } else {
          // onRepeatedHeartbeatFailure (kubelet_node_status.go updateNodeStatus): from the second failed
          // try on, closeAllConns, so the next try dials a replica that answers.
          if (tryNumber > 0) this.ctx.api.closeAllConns(this.host);
          this.updateNodeStatus(tryNumber + 1, done);
        }
      },
    );
  }

  // ---- the node Lease ----

  private newLease(base: Lease): Lease {
    const now = this.now();
    // Written out: spreading with overrides cost ~1.6 µs per renewal in profiles.
    return {
      kind: 'Lease',
      metadata: base.metadata,
      spec: {
        holderIdentity: this.nodeName,
        leaseDurationSeconds: this.cfg.nodeLeaseDurationSeconds,
        acquireTimeMs: base.spec.acquireTimeMs,
        renewTimeMs: now,
        leaseTransitions: base.spec.leaseTransitions,
      },
    };
  }

  /** The lease controller's sync. */
  private syncLease(done: () => void): void {
    if (!this.latestLease) return this.renewViaEnsure(done);
    // The loop's own sync uses the incarnation's callback (renewSynced: same logic, built once).
    const cb =
      done === this.leaseLoop?.again && this.renewSynced !== undefined
        ? this.renewSynced
        : (ok: boolean) => (ok ? done() : this.renewViaEnsure(done));
    this.retryUpdateLease(this.latestLease, 0, cb, done);
  }

  /** The sync's fallback when it has no lease or its renewals failed: get or create it, renew it, then done. */
  private renewViaEnsure(done: () => void): void {
    this.ensureLease(LEASE_BACKOFF_INITIAL_MS, (lease, created) => {
      this.latestLease = lease;
      if (created) done();
      else this.retryUpdateLease(lease, 0, () => done(), done);
    });
  }

  /** backoffEnsureLease: GET, CREATE when missing; on error back off 200 ms doubling to 7 s, forever. */
  private ensureLease(backoffMs: number, cb: (lease: Lease, created: boolean) => void): void {
    this.api<{ lease: Lease; created: boolean }>(
      'ensure-lease',
      (s) => {
        const got = s.getLease('kube-node-lease', this.nodeName);
        if (got.ok) return { ok: true, value: { lease: got.value, created: false } };
        if (got.reason !== 'NotFound') return got;
        const now = this.now();
        const fresh: Lease = {
          kind: 'Lease',
          metadata: {
            name: this.nodeName,
            namespace: 'kube-node-lease',
            uid: 0,
            resourceVersion: 0,
            creationTimestampMs: 0,
            labels: {},
          },
          spec: {
            holderIdentity: this.nodeName,
            leaseDurationSeconds: this.cfg.nodeLeaseDurationSeconds,
            acquireTimeMs: now,
            renewTimeMs: now,
            leaseTransitions: 0,
          },
        };
        const c = s.create(fresh, ACTOR);
        return c.ok ? { ok: true, value: { lease: c.value, created: true } } : c;
      },
      (r) => {
        if (r.ok) cb(r.value.lease, r.value.created);
        else
          this.post(
            backoffMs,
            () => this.ensureLease(Math.min(backoffMs * 2, LEASE_BACKOFF_MAX_MS), cb),
            `${this.name}/ensure-lease`,
          );
      },
    );
  }

  /**
   * retryUpdateLease: up to 5 optimistic UPDATEs; a Conflict re-reads the lease first. Every success ends
   * in `loopDone` (the sync's done).
   */
  private retryUpdateLease(base: Lease, attempt: number, cb: (ok: boolean) => void, loopDone: () => void): void {
    if (attempt >= UPDATE_RETRIES) return cb(false);
    // The request leg's base latency is drawn whether or not the link is up, so that drawing it ahead
    // (work-ahead.ts) consumes the stream exactly as sending it then would.
    const sendBaseMs = this.drawRenewBase();
    const done =
      attempt === 0 && cb === this.renewSynced && this.renewDone0 !== undefined
        ? this.renewDone0
        : (r: ApiResult<Lease>, b: Lease) => this.renewAnswered(r, b, attempt, cb, loopDone);
    // A success that only leads to the loop's next wait can be played ahead (work-ahead.ts).
    const opts = loopDone === this.leaseLoop?.again ? this.workAhead.ownRenewalOpts : this.renewOpts;
    const api = this.ctx.api;
    api.schedule(
      api.prepareAt(
        this.ctx.sim.nowMs,
        this.host,
        this.heartbeatTimeoutMs,
        this.renewOp,
        done,
        this.renewLabel,
        opts,
        sendBaseMs,
        base,
      ),
    );
  }

  /** The answer to a renewal of `base` (attempt `attempt`): a success ends in cb(true), and so in `loopDone`. */
  private renewAnswered(
    r: ApiResult<Lease>,
    base: Lease,
    attempt: number,
    cb: (ok: boolean) => void,
    loopDone: () => void,
  ): void {
    if (r.ok) {
      this.latestLease = r.value;
      cb(true);
    } else if (r.reason === 'Conflict') {
      this.ensureLease(LEASE_BACKOFF_INITIAL_MS, (lease) => this.retryUpdateLease(lease, attempt + 1, cb, loopDone));
    } else {
      // The lease controller's retryUpdateLease calls onRepeatedHeartbeatFailure (closeAllConns) too.
      if (attempt > 0) this.ctx.api.closeAllConns(this.host);
      this.retryUpdateLease(base, attempt + 1, cb, loopDone);
    }
  }

  /**
   * The first attempt of the lease loop's own sync, prepared to be sent at sendAtMs with its request leg's
   * base latency drawn (sendBaseMs), carried by a finished request of this kubelet's (work-ahead.ts).
   */
  prepareOwnRenewal(
    sendAtMs: number,
    sendBaseMs: number,
    lease: Lease,
    recycle: InFlightRequest<Lease>,
  ): InFlightRequest<Lease> {
    return this.ctx.api.prepareAt(
      sendAtMs,
      this.host,
      this.heartbeatTimeoutMs,
      this.renewOp,
      this.renewDone0!,
      this.renewLabel,
      this.workAhead.ownRenewalOpts,
      sendBaseMs,
      lease,
      recycle,
    );
  }

  protected override beforeStop(): void {
    this.workAhead.beforeStop();
  }

  // ---- pods ----

  private syncPod(pod: Pod): void {
    if (pod.spec.nodeName !== this.nodeName) return;
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    const c = this.containers.get(name);
    if (c && c.uid !== uid) this.killContainers(name, 'pod replaced');
    if (pod.metadata.deletionTimestampMs !== undefined) {
      this.terminate(pod);
      return;
    }
    // A terminal pod never runs again; during a shutdown nothing new starts (the shutdown manager's
    // admission handler rejects it).
    if (pod.status.phase === 'Failed' || pod.status.phase === 'Succeeded') return;
    if (this.shuttingDown) {
      if (!this.containers.has(name)) this.shutdownPod(pod, 0, () => {});
      return;
    }
    // Containers of another uid were killed just above.
    const running = c !== undefined && c.uid === uid ? c : undefined;
    if (running) {
      if (running.ready && !pod.status.ready) this.reportReady(name, uid);
      else if (running.probe !== undefined) {
        // The probe workers own readiness: the API server is put right when it says Ready and they do not.
        if (!running.ready && pod.status.ready) this.reportNotReady(name, uid);
      } else if (!running.ready) {
        const w = this.workOf(name);
        if (w.probing !== uid) this.probeReadiness(pod, running, w);
      }
      return;
    }
    // Pods wait for the runtime's network (networkReady starts them).
    if (this.networkReadyAtMs !== -Infinity) return;
    const w = this.workOf(name);
    if (w.starting === uid || w.restarting === uid) return;
    this.startPod(pod, w);
  }

  /** The record of what this incarnation does for a pod name, created on first use. */
  private workOf(name: string): PodWork {
    let w = this.work.get(name);
    if (w === undefined)
      this.work.set(
        name,
        (w = {
          starting: -1,
          probing: -1,
          stopping: -1,
          report: undefined,
          restarting: -1,
          backOff: undefined,
          probeAnchor: undefined,
        }),
      );
    return w;
  }

  /**
   * Whether syncPod(next) does nothing, and will until this informer's next event (the informer's quiet()):
   * the pod, still the same and not deleted, is Ready in the API and its containers run here, ready. Its
   * own status report coming back is the common case. Only a later event of the informer (a deletion, a
   * replacement, its removal) or a stop, which stops the informer, can stop those containers, and ready
   * ones never become unready.
   */
  private syncsToNothing(prev: Pod, next: Pod): boolean {
    const uid = next.metadata.uid;
    if (
      prev.metadata.uid !== uid ||
      next.metadata.deletionTimestampMs !== undefined ||
      next.spec.nodeName !== this.nodeName ||
      !next.status.ready
    )
      return false;
    const c = this.containers.get(next.metadata.name);
    return c !== undefined && c.uid === uid && c.ready;
  }

  private startupOf(pod: Pod) {
    return this.settings.startupByWorkload.get(pod.metadata.workload) ?? DEFAULT_STARTUP;
  }

  /** Image pull, then the containers run (`pod.started`), then readiness. `w`: the pod name's record. */
  private startPod(pod: Pod, w: PodWork): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    if (this.ctx.volumes !== undefined && !this.volumesReady(pod)) {
      w.starting = uid;
      this.post(
        POD_ATTACH_AND_MOUNT_RETRY_INTERVAL_MS,
        () => {
          if (w.starting !== uid) return;
          w.starting = -1;
          this.startPod(pod, w);
        },
        this.volumeWaitLabel,
      );
      return;
    }
    const image = pod.metadata.workload;
    const { imagePull } = this.startupOf(pod);
    // Images are never removed from the disk: one present now still is when the pull would end.
    const present = this.pulledImages.has(image);
    const pullMs = present ? 0 : this.podsRng.between(imagePull.minMs, imagePull.maxMs);
    w.starting = uid;
    this.post(
      pullMs,
      () => {
        if (w.starting !== uid) return;
        w.starting = -1;
        if (!present) this.pulledImages.add(image);
        const initialReport = this.preexisting && pod.metadata.preexisting === true && w.backOff === undefined;
        const c: RunningPod = { uid, ready: false, alive: true, initialReport };
        this.containers.set(name, c);
        this.ctx.trace.emit('pod.started', { pod: name, node: this.nodeName });
        this.probeReadiness(pod, c, w);
      },
      this.imagePullLabel,
    );
  }

  /**
   * Whether the pod's volumes are attached to this node (then mounted at once); the claims are reported in
   * the node's volumesInUse either way (the volume manager's desired state).
   */
  private volumesReady(pod: Pod): boolean {
    const volumes = this.ctx.volumes!;
    if (!volumes.hasClaims(pod.metadata.workload)) return true;
    const claims = volumes.claimsOf(pod.metadata.workload, pod.spec.ordinal);
    volumes.reportInUse(this.nodeName, claims);
    return claims.every((c) => volumes.isAttached(c, this.nodeName));
  }

  /** The pod's containers have stopped here: its volumes are unmounted and no longer reported in use. */
  private unmountVolumes(pod: Pod): void {
    const volumes = this.ctx.volumes;
    if (volumes === undefined || !volumes.hasClaims(pod.metadata.workload)) return;
    volumes.reportUnmounted(this.nodeName, volumes.claimsOf(pod.metadata.workload, pod.spec.ordinal));
  }

  /** The readiness delay of running containers `c`; `w`: the pod name's record. */
  private probeReadiness(pod: Pod, c: RunningPod, w: PodWork): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    const { ready } = this.startupOf(pod);
    const probes = this.settings.probesByWorkload?.get(pod.metadata.workload);
    const fault = this.appFaults.get(name);
    if (probes !== undefined || (fault !== undefined && fault.uid === uid && fault.crash)) {
      this.runApp(pod, c, w, probes ?? {}, this.podsRng.between(ready.minMs, ready.maxMs));
      return;
    }
    w.probing = uid;
    this.post(
      this.podsRng.between(ready.minMs, ready.maxMs),
      () => {
        if (w.probing === uid) w.probing = -1;
        // Containers of a uid start once per incarnation: c is the pod's while it is alive.
        if (!c.alive) return;
        c.ready = true;
        this.reportReady(name, uid, w);
      },
      this.readinessLabel,
    );
  }

  // ---- probes and app faults (prober.ts) ----

  /**
   * Containers `c` of a pod with probes or an app fault have started: the application answers appUpDelayMs
   * later; the probe workers (prober_manager.go AddPod: one per probe of the pod) take it from there.
   */
  private runApp(pod: Pod, c: RunningPod, w: PodWork, probes: PodProbes, appUpDelayMs: number): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    const nowMs = this.ctx.sim.nowMs;
    const st: ProbeState = {
      name,
      probes,
      startMs: nowMs,
      appUpMs: nowMs + appUpDelayMs,
      startedAtMs: probes.startup !== undefined ? Infinity : nowMs,
      workers: [],
      event: undefined,
    };
    c.probe = st;
    const fault = this.appFaults.get(name);
    if (fault !== undefined && fault.uid === uid && fault.crash) {
      // The application exits as it would have started answering (its start-up fails).
      this.post(appUpDelayMs, () => c.alive && this.containerExited(name, c, w, 'app crashed'), this.readinessLabel);
      return;
    }
    // The workers' ticker starts with the pod's first start on this kubelet (AddPod), after a random part of
    // the period when the kubelet itself started less than a period ago (worker.go run).
    let anchor = w.probeAnchor;
    if (anchor === undefined || anchor.uid !== uid) {
      const periodMs = Math.min(
        ...[probes.startup, probes.liveness, probes.readiness].filter((p) => p !== undefined).map((p) => p.periodMs),
        Infinity,
      );
      const rng = (this.proberRng ??= this.rng('prober'));
      const jitterMs = periodMs !== Infinity && periodMs > nowMs - this.startedAtMs ? rng.int(0, periodMs - 1) : 0;
      anchor = { uid, atMs: nowMs + jitterMs };
      w.probeAnchor = anchor;
    }
    if (probes.startup) st.workers.push(new ProbeWorker('startup', probes.startup, anchor.atMs, nowMs));
    if (probes.liveness) st.workers.push(new ProbeWorker('liveness', probes.liveness, anchor.atMs, nowMs));
    if (probes.readiness) st.workers.push(new ProbeWorker('readiness', probes.readiness, anchor.atMs, nowMs));
    else if (probes.startup === undefined) {
      // No readiness probe and no startup probe: Ready once the application has started, as without probes.
      this.post(
        appUpDelayMs,
        () => {
          if (!c.alive || c.probe !== st) return;
          c.ready = true;
          this.reportReady(name, uid, w);
        },
        this.readinessLabel,
      );
    }
    this.scheduleProbes(c, w);
  }

  /**
   * A restarted kubelet takes up the probes of the containers still running here (a stop dropped their
   * events): the ticks while it was down were not probed, the results found before are kept
   * (docs/fidelity.md#known-differences-from-upstream), and an application crashing under an app-degrade
   * fault, or one that started answering meanwhile without a readiness probe, is dealt with now.
   */
  private resumeProbes(): void {
    const nowMs = this.ctx.sim.nowMs;
    for (const name of this.runningPods()) {
      const c = this.containers.get(name)!;
      const st = c.probe;
      if (st === undefined) continue;
      const w = this.workOf(name);
      const fault = this.appFaults.get(name);
      if (fault !== undefined && fault.uid === c.uid && fault.crash) {
        this.post(
          Math.max(0, st.appUpMs - nowMs),
          () => c.alive && this.containerExited(name, c, w, 'app crashed'),
          this.readinessLabel,
        );
        continue;
      }
      for (const k of st.workers) k.countedToMs = Math.max(k.countedToMs, nowMs);
      if (st.probes.readiness === undefined && st.probes.startup === undefined && !c.ready)
        this.post(
          Math.max(0, st.appUpMs - nowMs),
          () => {
            if (!c.alive || c.probe !== st) return;
            c.ready = true;
            this.reportReady(name, c.uid, w);
          },
          this.readinessLabel,
        );
      this.scheduleProbes(c, w);
    }
  }

  /** What worker `k` of `st` finds from now on (see ProbeInputs). */
  private probeInputs(st: ProbeState, k: ProbeWorker, uid: number): ProbeInputs {
    const f = this.appFaults.get(st.name);
    const failing = f !== undefined && f.uid === uid && (k.type === 'readiness' ? f.readiness : f.liveness);
    const afterDelayMs = st.startMs + k.spec.initialDelayMs;
    return {
      eligibleFromMs:
        k.type === 'startup' || st.probes.startup === undefined
          ? afterDelayMs
          : Math.max(afterDelayMs, st.startedAtMs + 1),
      succeedsFromMs: failing ? Infinity : st.appUpMs,
    };
  }

  /** One event at the next result change of any worker of `c` (none while nothing would change). */
  private scheduleProbes(c: RunningPod, w: PodWork): void {
    const st = c.probe!;
    this.cancel(st.event);
    st.event = undefined;
    let atMs = Infinity;
    for (const k of st.workers) {
      const x = k.nextCrossing(this.probeInputs(st, k, c.uid));
      if (x !== undefined && x.atMs < atMs) atMs = x.atMs;
    }
    if (atMs === Infinity) return;
    st.event = this.ctx.sim.atGuarded(
      Math.max(atMs, this.ctx.sim.nowMs),
      () => {
        st.event = undefined;
        if (!c.alive || c.probe !== st) return;
        this.settleProbes(c, w, this.ctx.sim.nowMs + 1);
        if (c.alive && c.probe === st) this.scheduleProbes(c, w);
      },
      undefined,
      this.probeLabel,
      this,
    );
  }

  /** Runs every worker of `c` through the ticks before toMs, applying the result changes in order. */
  private settleProbes(c: RunningPod, w: PodWork, toMs: number): void {
    const st = c.probe!;
    for (const k of st.workers) {
      for (;;) {
        const x = k.advance(toMs, this.probeInputs(st, k, c.uid));
        if (x === undefined) break;
        this.probeResultChanged(c, w, k, x.result);
        if (!c.alive || c.probe !== st) return;
      }
    }
  }

  /** The results manager's Set: what a changed probe result does to the container and the pod. */
  private probeResultChanged(c: RunningPod, w: PodWork, k: ProbeWorker, result: 'Success' | 'Failure'): void {
    const st = c.probe!;
    const name = st.name;
    // A first success is the container starting as usual; failures, and the recoveries after them, are traced.
    if (result === 'Failure' || k.failedBefore)
      this.ctx.trace.emit('pod.probe.changed', { pod: name, node: this.nodeName, probe: k.type, result });
    if (result === 'Failure') k.failedBefore = true;
    if (k.type === 'startup' && result === 'Success') {
      st.startedAtMs = this.ctx.sim.nowMs;
      if (st.probes.readiness === undefined) this.setProbedReady(c, w, true);
    } else if (k.type === 'readiness') this.setProbedReady(c, w, result === 'Success');
    else if (result === 'Failure') this.containerExited(name, c, w, `${k.type} probe failed`);
  }

  private setProbedReady(c: RunningPod, w: PodWork, ready: boolean): void {
    if (c.ready === ready) return;
    c.ready = ready;
    const name = c.probe!.name;
    if (ready) this.reportReady(name, c.uid, w);
    else this.reportNotReady(name, c.uid);
  }

  /**
   * The containers of `c` exited (a crash, or killed after a liveness or startup failure): the pod is NotReady,
   * and they start again after the container back-off (kuberuntime doBackOff).
   */
  private containerExited(name: string, c: RunningPod, w: PodWork, reason: string): void {
    const uid = c.uid;
    this.killContainers(name, reason);
    this.reportNotReady(name, uid);
    const nowMs = this.ctx.sim.nowMs;
    const { waitMs, state } = containerBackOff(w.backOff?.uid === uid ? w.backOff : undefined, nowMs);
    w.backOff = { uid, ...state };
    w.restarting = uid;
    this.ctx.trace.emit('pod.restart.scheduled', { pod: name, node: this.nodeName, reason, backOffMs: waitMs });
    this.post(
      waitMs,
      () => {
        if (w.restarting !== uid) return;
        w.restarting = -1;
        const pod = this.podInformer?.get(name);
        if (pod === undefined || pod.metadata.uid !== uid || pod.metadata.deletionTimestampMs !== undefined) return;
        if (this.shuttingDown || this.containers.has(name)) return;
        this.startPod(pod, w);
      },
      this.restartLabel,
    );
  }

  /** The status manager: Ready=False for a pod whose containers run unready or are restarting, re-sent until taken. */
  private reportNotReady(name: string, uid: number): void {
    this.throttled(STATUS_UPDATE_TOKENS, () => this.sendNotReady(name, uid));
  }

  private sendNotReady(name: string, uid: number): void {
    this.api<Pod>(
      'pod-status',
      (s) =>
        s.patch<Pod>(
          'Pod',
          name,
          (cur) => {
            if (cur.metadata.uid !== uid || cur.metadata.deletionTimestampMs !== undefined) return undefined;
            // The kubelet's view when the PATCH is applied: a report overtaken by a recovery sends nothing.
            if (!cur.status.ready || this.containers.get(name)?.ready === true) return undefined;
            return {
              ...cur,
              status: podStatus('Running', false, cur.status.disruptionTarget, cur.status.startTimeMs),
            };
          },
          ACTOR,
        ),
      (r) => {
        if (!r.ok && r.reason !== 'NotFound')
          this.post(
            POD_STATUS_RETRY_MS,
            () => this.containers.get(name)?.ready !== true && this.reportNotReady(name, uid),
            this.podStatusLabel,
          );
      },
    );
  }

  /**
   * An app-degrade fault starts (`fault`) or ends (undefined) on pod `name` of this host: its probes answer
   * differently from now on, and with `crash` its running containers exit.
   */
  setAppFault(name: string, fault: AppFault | undefined): void {
    const c = this.containers.get(name);
    const st = c !== undefined && c.uid === (fault?.uid ?? c.uid) ? c.probe : undefined;
    // The ticks before now were probed under the old state.
    if (c !== undefined && st !== undefined && this.running)
      this.settleProbes(c, this.workOf(name), this.ctx.sim.nowMs);
    if (fault === undefined) this.appFaults.delete(name);
    else this.appFaults.set(name, fault);
    if (c === undefined || !c.alive) return;
    if (fault !== undefined && fault.uid !== c.uid) return;
    if (fault?.crash) {
      if (this.running) this.containerExited(name, c, this.workOf(name), 'app crashed');
      else this.killContainers(name, 'app crashed');
      return;
    }
    if (c.probe !== undefined && c.probe === st && this.running) this.scheduleProbes(c, this.workOf(name));
  }

  /**
   * The status manager's periodic sync (pkg/kubelet/status/status_manager.go: syncBatch every syncPeriod,
   * 10 s, reconciles the API server's pod statuses with its own and re-sends those that differ, GETting each
   * pod from the API server in syncPod). Modelled cheaply: the 10 s tick runs only while a status may be
   * stale, i.e. after a call of this kubelet failed to reach the API server (it was cut off, so the node
   * lifecycle controller may have marked its pods NotReady meanwhile while its pod watch still backs off).
   * A tick is one GET of this node's pods (O(pods on the node)); every pod running Ready here but not Ready
   * there is re-reported. Once a GET succeeds the tick stops until the next failure.
   */
  private markStatusesStale(): void {
    this.statusMayBeStale = true;
    if (this.statusSyncArmed) return;
    this.statusSyncArmed = true;
    this.post(this.untilStatusSyncTickMs(), () => this.syncPodStatuses(), this.statusSyncLabel);
  }

  /** Local ms to the status manager's next tick (strictly after now) on its grid from statusSyncAnchorMs. */
  private untilStatusSyncTickMs(): number {
    const sinceMs = this.host.clock.monotonicNow() - this.statusSyncAnchorMs;
    const intoMs = ((sinceMs % POD_STATUS_SYNC_MS) + POD_STATUS_SYNC_MS) % POD_STATUS_SYNC_MS;
    return POD_STATUS_SYNC_MS - intoMs;
  }

  private syncPodStatuses(): void {
    this.statusSyncArmed = false;
    if (!this.statusMayBeStale) return;
    // Keep ticking every syncPeriod until a sync gets through.
    this.statusSyncArmed = true;
    this.post(this.untilStatusSyncTickMs(), () => this.syncPodStatuses(), this.statusSyncLabel);
    let anyReady = false;
    for (const c of this.containers.values()) anyReady ||= c.ready;
    this.statusMayBeStale = false;
    if (!anyReady) return;
    this.throttled(1, () => this.getPodStatuses());
  }

  /** The status manager's comparison: one GET of this node's pods; Ready re-reported where the server differs. */
  private getPodStatuses(): void {
    this.api<Pod[]>(
      'pod-status-sync',
      (s) => ({ ok: true, value: s.podsOnNode(this.nodeName) }),
      (r) => {
        if (!r.ok) return;
        for (const p of r.value) {
          const c = this.containers.get(p.metadata.name);
          if (!c || c.uid !== p.metadata.uid || !c.ready || p.metadata.deletionTimestampMs !== undefined) continue;
          if (!p.status.ready || p.status.phase !== 'Running') this.reportReady(p.metadata.name, p.metadata.uid);
        }
      },
    );
  }

  /** The status manager: phase Running and Ready=True, re-sent until the API server has it. */
  private reportReady(name: string, uid: number, w: PodWork = this.workOf(name)): void {
    const pending = w.report;
    if (pending !== undefined && !this.answered(pending)) return;
    const report: StatusReport = { answerAtMs: -1, answerSeq: 0 };
    w.report = report;
    // A report waiting for its tokens counts as in flight (w.report), as the status manager keeps one per pod.
    const c = this.containers.get(name);
    const free = c !== undefined && c.uid === uid && c.initialReport;
    if (c !== undefined) c.initialReport = false;
    const nowMs = this.now();
    this.throttled(free ? 0 : STATUS_UPDATE_TOKENS, () => this.sendReady(name, uid, w, report, nowMs));
  }

  /** reportReady's PATCH once its tokens are there (the status as the kubelet saw it at nowMs). */
  private sendReady(name: string, uid: number, w: PodWork, report: StatusReport, nowMs: number): void {
    const sim = this.ctx.sim;
    this.call<Pod>(
      'pod-status',
      this.heartbeatTimeoutMs,
      (s) =>
        s.patch<Pod>(
          'Pod',
          name,
          (cur) => {
            if (cur.metadata.uid !== uid || cur.metadata.deletionTimestampMs !== undefined) return undefined;
            if (cur.status.ready && cur.status.phase === 'Running') return undefined;
            // A probed pod's readiness may have failed again while the report was on its way.
            const rc = this.containers.get(name);
            if (rc !== undefined && rc.probe !== undefined && !rc.ready) return undefined;
            return {
              ...cur,
              status: podStatus('Running', true, cur.status.disruptionTarget, cur.status.startTimeMs ?? nowMs),
            };
          },
          ACTOR,
        ),
      (r) => {
        if (w.report === report) w.report = undefined;
        if (!r.ok && r.reason !== 'NotFound') {
          this.post(
            POD_STATUS_RETRY_MS,
            () => this.containers.get(name)?.uid === uid && this.reportReady(name, uid),
            this.podStatusLabel,
          );
        }
      },
      {
        owner: this,
        // Taken: its answer would only end the report, so it ends when the answer would have come, at the
        // insertion number the answer's event would have had (LazySimulator.wouldHaveRun).
        served: (r, respondAtMs) => {
          if (!r.ok) return false;
          report.answerAtMs = respondAtMs;
          report.answerSeq = sim.reserveSeq();
          return true;
        },
      },
    );
  }

  /** Whether a Ready report has been answered OK by now (its answer is then not an event: reportReady). */
  private answered(report: StatusReport): boolean {
    return report.answerAtMs >= 0 && this.ctx.sim.wouldHaveRun(report.answerAtMs, report.answerSeq);
  }

  /** A deleted pod: stop its containers within the grace period, then remove the object. */
  private terminate(pod: Pod): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    const w = this.workOf(name);
    if (w.stopping === uid) return;
    w.stopping = uid;
    if (w.starting === uid) w.starting = -1;
    w.probing = -1;
    if (w.restarting === uid) w.restarting = -1;
    const running = this.containers.get(name)?.uid === uid;
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds) * 1000;
    const stopMs = running ? Math.min(graceMs, this.podsRng.between(STOP_MS_MIN, STOP_MS_MAX)) : 0;
    this.post(
      stopMs,
      () => {
        if (this.containers.get(name)?.uid === uid) this.killContainers(name, 'deleted');
        this.unmountVolumes(pod);
        this.removePodObject(name, uid);
      },
      this.stopPodLabel,
    );
  }

  private removePodObject(name: string, uid: number): void {
    this.throttled(POD_REMOVAL_TOKENS, () => this.sendRemoval(name, uid));
  }

  /** removePodObject's DELETE once its tokens are there. */
  private sendRemoval(name: string, uid: number): void {
    this.api<unknown>(
      'delete-pod',
      (s) => s.deletePod(name, { gracePeriodSeconds: 0, uid, reason: 'kubelet' }, ACTOR) as ApiResult<unknown>,
      (r) => {
        if (r.ok || r.reason === 'NotFound' || r.reason === 'Conflict') {
          const w = this.work.get(name);
          if (w !== undefined && w.stopping === uid) w.stopping = -1;
          return;
        }
        this.post(POD_DELETE_RETRY_MS, () => this.removePodObject(name, uid), this.deletePodLabel);
      },
    );
  }

  /** The pod object is gone (removed, force-deleted): its containers go too. */
  private podRemoved(pod: Pod): void {
    const name = pod.metadata.name;
    const w = this.work.get(name);
    if (w !== undefined && w.starting === pod.metadata.uid) w.starting = -1;
    if (this.containers.get(name)?.uid === pod.metadata.uid) this.killContainers(name, 'pod removed from API');
    this.unmountVolumes(pod);
  }

  /**
   * Graceful node shutdown (pkg/kubelet/nodeshutdown/nodeshutdown_manager_linux.go processShutdownEvent,
   * killPods; pkg/kubelet/nodeshutdown/nodeshutdown_manager.go groupByPriority): the node reports
   * Ready=False "node is shutting down" at once, then pods are killed in two groups, ordinary pods with
   * shutdownGracePeriod - shutdownGracePeriodCriticalPods, then critical pods (priority >= 2,000,000,000)
   * with shutdownGracePeriodCriticalPods, each pod's grace the smaller of its group's and its own; a group
   * ends when its pods have stopped or its period has passed. A killed pod gets phase Failed, reason
   * Terminated, message "Pod was terminated in response to imminent node shutdown." and the
   * DisruptionTarget condition (TerminationByKubelet). Then `powerOff` runs. Returns false (nothing done)
   * when the feature is off (shutdownGracePeriod 0) or the kubelet does not run: the host just powers off.
   */
  gracefulShutdown(powerOff: () => void): boolean {
    const totalMs = this.cfg.shutdownGracePeriodMs;
    const criticalMs = this.cfg.shutdownGracePeriodCriticalPodsMs;
    if (totalMs <= 0 || !this.running || this.shuttingDown) return false;
    this.shuttingDown = true;
    // syncNodeStatus at once, whatever the status loop skipped.
    this.workAhead.statusMayChange(false);
    this.checkedNode = undefined;
    if (this.registered) this.updateNodeStatus(0, () => {});
    const pods = [...(this.podInformer?.cache.values() ?? [])]
      .filter(
        (p) =>
          p.metadata.deletionTimestampMs === undefined && p.status.phase !== 'Failed' && p.status.phase !== 'Succeeded',
      )
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    const critical = this.settings.criticalWorkloads;
    const groups = [
      { pods: pods.filter((p) => !critical?.has(p.metadata.workload)), periodMs: totalMs - criticalMs },
      { pods: pods.filter((p) => critical?.has(p.metadata.workload) ?? false), periodMs: criticalMs },
    ];
    const runGroup = (i: number) => {
      if (i >= groups.length) return powerOff();
      const g = groups[i];
      let left = g.pods.length;
      let over = false;
      const next = () => {
        if (over) return;
        over = true;
        runGroup(i + 1);
      };
      if (left === 0) return next();
      const timer = this.after(g.periodMs, next, `${this.name}/shutdown-group`);
      for (const p of g.pods)
        this.shutdownPod(p, Math.min(g.periodMs, p.spec.terminationGracePeriodSeconds * 1000), () => {
          if (--left === 0) {
            this.cancel(timer);
            next();
          }
        });
    };
    runGroup(0);
    return true;
  }

  /** killPodFunc with the node-shutdown status: containers stop within graceMs, then the pod is Failed. */
  private shutdownPod(pod: Pod, graceMs: number, stopped: () => void): void {
    const name = pod.metadata.name;
    const uid = pod.metadata.uid;
    const w = this.workOf(name);
    if (w.starting === uid) w.starting = -1;
    w.probing = -1;
    const running = this.containers.get(name)?.uid === uid;
    const stopMs = running ? Math.min(graceMs, this.podsRng.between(STOP_MS_MIN, STOP_MS_MAX)) : 0;
    this.post(
      stopMs,
      () => {
        if (this.containers.get(name)?.uid === uid) this.killContainers(name, 'node shutdown');
        this.unmountVolumes(pod);
        // The final status goes to the status manager, which sends it through the main client when its
        // tokens are there: with a dry bucket the group may end, and the host power off, before it is sent.
        this.throttled(STATUS_UPDATE_TOKENS, () => this.sendShutdownStatus(name, uid));
        stopped();
      },
      this.stopPodLabel,
    );
  }

  /** The node-shutdown status of a killed pod: phase Failed, reason Terminated, DisruptionTarget. */
  private sendShutdownStatus(name: string, uid: number): void {
    this.api<Pod>(
      'pod-status',
      (s) =>
        s.patch<Pod>(
          'Pod',
          name,
          (cur) =>
            cur.metadata.uid !== uid || cur.status.phase === 'Failed'
              ? undefined
              : {
                  ...cur,
                  status: {
                    ...podStatus('Failed', false, 'TerminationByKubelet', cur.status.startTimeMs),
                    reason: 'Terminated',
                    message: 'Pod was terminated in response to imminent node shutdown.',
                  },
                },
          ACTOR,
        ),
      () => {},
    );
  }

  private killContainers(name: string, reason: string): void {
    // A report answered already is forgotten with its pod (one still in flight stays: it blocks a new one).
    const w = this.work.get(name);
    if (w !== undefined && w.report !== undefined && this.answered(w.report)) w.report = undefined;
    const c = this.containers.get(name);
    if (c === undefined) return;
    this.containers.delete(name);
    c.alive = false;
    if (c.probe !== undefined) this.cancel(c.probe.event);
    if (w !== undefined) w.probing = -1;
    this.ctx.trace.emit('pod.stopped', { pod: name, node: this.nodeName, reason });
  }
}

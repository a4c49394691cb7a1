// The configuration of the simulated Kubernetes components, in upstream's vocabulary with every duration
// in integer milliseconds: what kube-controller-manager, kube-scheduler, kube-apiserver and the kubelet
// are started with (upstream: k8s.io/kube-controller-manager/config, k8s.io/kubelet/config/v1beta1,
// component-base's LeaderElectionConfiguration). The scenario loader fills these in from a version profile
// (docs/scenario-format.md); each component is handed its own part at construction.

/** An inclusive range of milliseconds (min === max for a fixed value). */
export interface RangeMs {
  minMs: number;
  maxMs: number;
}

export interface LeaderElectionConfig {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ControllerManagerConfig {
  replicas: number;
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  unhealthyZoneThreshold: number;
  largeClusterSizeThreshold: number;
  evictionMode: 'taint' | 'legacy';
  podEvictionTimeoutMs: number;
  /**
   * --kube-api-qps / --kube-api-burst: the token bucket of each controller's API client (client-go
   * flowcontrol.NewTokenBucketRateLimiter; model/infra/token-bucket.ts).
   */
  kubeAPIQPS: number;
  kubeAPIBurst: number;
  leaderElection: LeaderElectionConfig;
  /** The EndpointSlice controller's --endpoint-updates-batch-period (default 0: no batching). */
  endpointUpdatesBatchPeriodMs?: number;
}

/**
 * cloud-controller-manager (k8s.io/cloud-provider app/options): the leader-elected process that runs the
 * cloud node lifecycle controller. Absent from KubernetesConfig: the cluster has none.
 */
export interface CloudControllerManagerConfig {
  replicas: number;
  /** --node-monitor-period: how often the cloud node lifecycle controller checks NotReady Nodes (default 5 s). */
  nodeMonitorPeriodMs: number;
  leaderElection: LeaderElectionConfig;
}

/** kube-proxy's KubeProxyConfiguration, the part that sets how soon rules follow a change. */
export interface KubeProxyConfig {
  /** minSyncPeriod (default 1 s): the least time between two syncs of the rules. */
  minSyncPeriodMs: number;
}

/** The kubelet's heartbeat settings (KubeletConfiguration, pkg/kubelet/apis/config/v1beta1). */
export interface KubeletConfig {
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
  /** shutdownGracePeriod: how long graceful node shutdown delays the power-off (0: the feature is off). */
  shutdownGracePeriodMs: number;
  /** shutdownGracePeriodCriticalPods: the part of it kept for critical pods (priority >= 2,000,000,000). */
  shutdownGracePeriodCriticalPodsMs: number;
  /**
   * kubeAPIQPS / kubeAPIBurst: the token bucket of the kubelet's main API client, which its pod status
   * updates, pod deletions and registration wait for; not its heartbeats (cmd/kubelet/app/server.go builds
   * the heartbeat client with QPS -1). Defaults by version: VersionFeatures.kubeletKubeAPIQPS / Burst.
   * A QPS of 0 or less: no limit.
   */
  kubeAPIQPS: number;
  kubeAPIBurst: number;
  /**
   * A worker node's boot, from its power coming on to its kubelet's start (undefined: the default,
   * model/infra/node-provisioning.ts); drawn per boot, uniformly in the range.
   */
  bootTimeMs?: RangeMs;
  /**
   * From a booted kubelet's start to its container runtime's network being ready (CNI up): Ready=False
   * until then (undefined: the default, model/infra/node-provisioning.ts).
   */
  networkReadyTimeMs?: RangeMs;
}

/**
 * Upstream feature gates at their default in a version profile, by upstream name (pkg/features/kube_features.go;
 * ControlPlaneKubeletLocalMode is kubeadm's, cmd/kubeadm/app/features/features.go). Only the gates of behaviour
 * hasim models or documents as not modelled (docs/fidelity.md#version-profiles).
 */
export interface FeatureGates {
  /** Pods get a DisruptionTarget condition before a disruption deletes them (beta, on from v1.26; GA v1.31). */
  PodDisruptionConditions: boolean;
  /** The out-of-service taint force-deletes pods and detaches volumes at once (beta, on from v1.26; GA v1.28). */
  NodeOutOfServiceVolumeDetach: boolean;
  /** PodDisruptionBudget `unhealthyPodEvictionPolicy` (beta, on from v1.27; GA v1.31). */
  PDBUnhealthyPodEvictionPolicy: boolean;
  /** Topology spread `minDomains` (beta, on from v1.27; GA v1.30). */
  MinDomainsInPodTopologySpread: boolean;
  /** Topology spread `matchLabelKeys` (beta, on from v1.27). */
  MatchLabelKeysInPodTopologySpread: boolean;
  /** Topology spread `nodeAffinityPolicy` / `nodeTaintsPolicy` (beta, on from v1.26; GA v1.33). */
  NodeInclusionPolicyInPodTopologySpread: boolean;
  /** Scheduler queueing hints (beta on in v1.28, off in v1.29-v1.31, on from v1.32; GA v1.34). */
  SchedulerQueueingHints: boolean;
  /** Taint eviction runs as its own controller, `taint-eviction-controller` (beta, on from v1.29; GA v1.34). */
  SeparateTaintEvictionController: boolean;
  /** Restartable init containers (beta, on from v1.29; GA v1.33). */
  SidecarContainers: boolean;
  /** Pod (anti-)affinity `matchLabelKeys` / `mismatchLabelKeys` (beta, on from v1.31; GA v1.33). */
  MatchLabelKeysInPodAffinity: boolean;
  /** Service `trafficDistribution` (beta, on from v1.31; GA v1.33). */
  ServiceTrafficDistribution: boolean;
  /** Coordinated leader election, KEP-4355 (alpha v1.31, beta and off from v1.33): off in every profile. */
  CoordinatedLeaderElection: boolean;
  /** kubeadm: a control-plane kubelet talks to its own host's API server (beta, on from v1.33). */
  ControlPlaneKubeletLocalMode: boolean;
  /** The scheduler pops from the backoff queue when the active queue is empty (beta, on from v1.33). */
  SchedulerPopFromBackoffQ: boolean;
  /** Preemption's API calls run asynchronously (alpha v1.32, beta and on from v1.33). */
  SchedulerAsyncPreemption: boolean;
  /** `trafficDistribution: PreferSameZone` / `PreferSameNode` (beta, on from v1.34; GA v1.35). */
  PreferSameTrafficDistribution: boolean;
  /** A configurable CrashLoopBackOff maximum (beta, on from v1.35; the default maximum stays 300 s). */
  KubeletCrashLoopBackOffMax: boolean;
  /** CrashLoopBackOff of 1 s initial and 60 s maximum (alpha from v1.33): off in every profile. */
  ReduceDefaultCrashLoopBackOffDecay: boolean;
}

/**
 * What a version profile says beyond the settings above: its feature gates and the upstream behaviour that
 * changed without one (docs/fidelity.md#version-profiles). Carried for the components to read; which ones
 * do is listed there.
 */
export interface VersionFeatures {
  featureGates: FeatureGates;
  /**
   * The kubelet adds a one-time random offset of up to ±50 % of nodeStatusReportFrequency to its next
   * status report after a change or a restart (v1.33, PR #130919; pkg/kubelet, the node status loop).
   */
  kubeletStatusReportJitter: boolean;
  /**
   * Before marking a node unhealthy, the node lifecycle controller re-reads a lease its cache shows expired
   * with a live GET (v1.37, PR #138698, KEP-5647; pkg/controller/nodelifecycle).
   */
  nodeLifecycleLiveLeaseCheck: boolean;
  /** KubeletConfiguration kubeAPIQPS / kubeAPIBurst defaults: 5 / 10 before v1.27, 50 / 100 from v1.27 (PR #116121). */
  kubeletKubeAPIQPS: number;
  kubeletKubeAPIBurst: number;
}

/**
 * Volumes (model/volume): the cloud's zonal disks and kube-controller-manager's attach-detach controller
 * (pkg/controller/volume/attachdetach). Absent: the defaults of model/volume/volume-config.ts.
 */
export interface VolumeConfig {
  /** How long the cloud takes to attach a disk to a VM; drawn per attach, uniformly in the range. */
  attachTimeMs: RangeMs;
  /** How long the cloud takes to detach a disk; drawn per detach, uniformly in the range. */
  detachTimeMs: RangeMs;
  /** attach_detach_controller.go maxWaitForUnmountDuration (6 min, not a flag upstream). */
  maxWaitForUnmountDurationMs: number;
}

/** kube-scheduler (KubeSchedulerConfiguration). */
export interface SchedulerConfig {
  replicas: number;
  leaderElection: LeaderElectionConfig;
  /**
   * clientConnection.qps / burst: the token bucket of the scheduler's API client, which its binds,
   * preemptions and nominations wait for (pkg/scheduler/apis/config/v1/defaults.go: 50 / 100).
   */
  kubeAPIQPS: number;
  kubeAPIBurst: number;
}

/**
 * client-go's HTTP/2 health check (k8s.io/apimachinery/pkg/util/net/http.go, env HTTP2_READ_IDLE_TIMEOUT_SECONDS
 * and HTTP2_PING_TIMEOUT_SECONDS), the same for every client. readIdleTimeoutMs 0: no health check.
 */
export interface Http2Config {
  readIdleTimeoutMs: number;
  pingTimeoutMs: number;
}

/** The etcd cluster: its members and raft's timing (etcd's --heartbeat-interval and --election-timeout). */
export interface EtcdConfig {
  members: number;
  /** Absent: 100 ms (model/apiserver/etcd-raft.ts DEFAULT_ETCD_RAFT). */
  heartbeatIntervalMs?: number;
  /** Absent: 1000 ms. */
  electionTimeoutMs?: number;
}

export interface KubernetesConfig {
  /** "1.31", "1.32", ... (major.minor) */
  version: string;
  /** The version profile's feature gates and unsettable behaviour. Absent: code that built the config by hand. */
  features?: VersionFeatures;
  controllerManager: ControllerManagerConfig;
  scheduler: SchedulerConfig;
  /** Absent: no cloud-controller-manager runs (kubeadm's default). */
  cloudControllerManager?: CloudControllerManagerConfig;
  apiServer: {
    replicas: number;
    defaultNotReadyTolerationSeconds: number;
    defaultUnreachableTolerationSeconds: number;
    /**
     * A LIST's time per object returned, beyond its round trip (model/apiserver/list-cost.ts). Absent: no
     * such time (code that built the config by hand).
     */
    listCostPerObjectUs?: number;
  };
  etcd: EtcdConfig;
  kubelet: KubeletConfig;
  /** Absent: the defaults (minSyncPeriod 1 s). */
  kubeProxy?: KubeProxyConfig;
  /** Absent: client-go's defaults (read idle 30 s, ping 15 s; model/apiserver/connection.ts). */
  http2?: Http2Config;
  /** Absent: the defaults (model/volume/volume-config.ts). */
  volumes?: VolumeConfig;
  network: { latency: RangeMs };
}

/** minAvailable / maxUnavailable / min: an absolute count or a percentage of desired. */
export interface Count {
  value: number;
  percent: boolean;
}

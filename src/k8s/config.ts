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

export interface KubernetesConfig {
  /** "1.31", "1.32", ... (major.minor) */
  version: string;
  controllerManager: ControllerManagerConfig;
  scheduler: { replicas: number; leaderElection: LeaderElectionConfig };
  /** Absent: no cloud-controller-manager runs (kubeadm's default). */
  cloudControllerManager?: CloudControllerManagerConfig;
  apiServer: {
    replicas: number;
    defaultNotReadyTolerationSeconds: number;
    defaultUnreachableTolerationSeconds: number;
  };
  etcd: { members: number };
  kubelet: KubeletConfig;
  /** Absent: the defaults (minSyncPeriod 1 s). */
  kubeProxy?: KubeProxyConfig;
  network: { latency: RangeMs };
}

/** minAvailable / maxUnavailable / min: an absolute count or a percentage of desired. */
export interface Count {
  value: number;
  percent: boolean;
}

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
}

/** The kubelet's heartbeat settings (KubeletConfiguration, pkg/kubelet/apis/config/v1beta1). */
export interface KubeletConfig {
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
}

export interface KubernetesConfig {
  /** "1.31", "1.32", ... (major.minor) */
  version: string;
  controllerManager: ControllerManagerConfig;
  scheduler: { replicas: number; leaderElection: LeaderElectionConfig };
  apiServer: {
    replicas: number;
    defaultNotReadyTolerationSeconds: number;
    defaultUnreachableTolerationSeconds: number;
  };
  etcd: { members: number };
  kubelet: KubeletConfig;
  network: { latency: RangeMs };
}

/** minAvailable / maxUnavailable / min: an absolute count or a percentage of desired. */
export interface Count {
  value: number;
  percent: boolean;
}

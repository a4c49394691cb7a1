// Version profiles (docs/fidelity.md#version-profiles) and hasim's own defaults. Every explicit field in a scenario
// overrides these.

import type { KubernetesConfig } from './types.js';

export const DEFAULT_KUBERNETES_VERSION = '1.31';

/** The minor version of "1.31" (NaN if it is not of that form). */
export function minorVersion(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  return m ? Number(m[1]) : NaN;
}

export function versionProfile(version: string) {
  const minor = minorVersion(version);
  return {
    // PR #126287 raised --node-monitor-grace-period from 40s to 50s in v1.32.
    nodeMonitorGracePeriodMs: minor >= 32 ? 50_000 : 40_000,
    nodeMonitorPeriodMs: 5_000,
    nodeStartupGracePeriodMs: 60_000,
    nodeEvictionRate: 0.1,
    secondaryNodeEvictionRate: 0.01,
    unhealthyZoneThreshold: 0.55,
    largeClusterSizeThreshold: 50,
    podEvictionTimeoutMs: 5 * 60_000,
    // cmd/kube-controller-manager/app/options: --kube-api-qps 20, --kube-api-burst 30 (component-base
    // ClientConnectionConfiguration defaults of KubeControllerManagerConfiguration).
    kubeAPIQPS: 20,
    kubeAPIBurst: 30,
    // --pod-eviction-timeout and --enable-taint-manager were removed in v1.27 (PR #115840).
    legacyEvictionAllowed: minor < 27,
  };
}

/** component-base RecommendedDefaultLeaderElectionConfiguration. */
export const DEFAULT_LEADER_ELECTION = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** pkg/kubelet/apis/config/v1beta1/defaults.go */
export const DEFAULT_KUBELET = {
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 5 * 60_000,
  nodeLeaseDurationSeconds: 40,
  // Graceful node shutdown is off unless both are set (pkg/kubelet/nodeshutdown).
  shutdownGracePeriodMs: 0,
  shutdownGracePeriodCriticalPodsMs: 0,
};

/** cloud-controller-manager --node-monitor-period (k8s.io/cloud-provider config/v1alpha1 defaults: 5 s). */
export const DEFAULT_CLOUD_NODE_MONITOR_PERIOD_MS = 5_000;

/** plugin/pkg/admission/defaulttolerationseconds */
export const DEFAULT_TOLERATION_SECONDS = 300;

export const DEFAULT_NETWORK_LATENCY = { minMs: 1, maxMs: 5 };
export const DEFAULT_SEED = 1;
export const DEFAULT_ZONE = 'zone-a';
export const DEFAULT_NODE_CAPACITY = { cpuMilli: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 };
export const DEFAULT_REQUESTS = { cpuMilli: 100, memoryBytes: 128 * 2 ** 20 };
export { DEFAULT_STARTUP } from '../k8s/workloads.js';
export const DEFAULT_TERMINATION_GRACE_PERIOD_MS = 30_000;
export const DEFAULT_REPLICAS = 1;

/**
 * The complete defaults of a version profile as a validated KubernetesConfig (one replica of every
 * control-plane component): what an empty `spec.kubernetes` becomes. For code that builds scenarios
 * directly (tests, benchmarks), so the defaults are written down once.
 */
export function defaultKubernetesConfig(version: string = DEFAULT_KUBERNETES_VERSION): KubernetesConfig {
  const { legacyEvictionAllowed: _legacy, ...profile } = versionProfile(version);
  return {
    version,
    controllerManager: {
      replicas: 1,
      ...profile,
      evictionMode: 'taint',
      leaderElection: { ...DEFAULT_LEADER_ELECTION },
    },
    scheduler: { replicas: 1, leaderElection: { ...DEFAULT_LEADER_ELECTION } },
    apiServer: {
      replicas: 1,
      defaultNotReadyTolerationSeconds: DEFAULT_TOLERATION_SECONDS,
      defaultUnreachableTolerationSeconds: DEFAULT_TOLERATION_SECONDS,
    },
    etcd: { members: 1 },
    kubelet: { ...DEFAULT_KUBELET },
    network: { latency: { ...DEFAULT_NETWORK_LATENCY } },
  };
}

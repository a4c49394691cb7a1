// Version profiles (docs/fidelity.md#version-profiles) and hasim's own defaults. Every explicit field in a scenario
// overrides these.
//
// A profile holds the upstream defaults of one Kubernetes minor version that hasim models: component flags from
// each component's config defaults (pkg/controller/nodelifecycle/config/v1alpha1/defaults.go,
// pkg/kubelet/apis/config/v1beta1/defaults.go, cmd/kube-controller-manager/app/options) and the default of every
// feature gate that touches modelled behaviour (pkg/features/kube_features.go; kubeadm's
// cmd/kubeadm/app/features/features.go), as the release that changed each one (named beside it) left it.

import type { FeatureGates, VersionFeatures } from '../k8s/config.js';
import type { KubernetesConfig } from './types.js';

/** The oldest profile: 1.26, the last release with kube-controller-manager's legacy (non-taint) eviction. */
export const OLDEST_KUBERNETES_MINOR = 26;
/**
 * The newest Kubernetes release hasim has a profile for: v1.37.0 (released 2026-08-26). v1.38 is not
 * released yet, so "1.38" is refused rather than guessed.
 */
export const NEWEST_KUBERNETES_MINOR = 37;
export const NEWEST_KUBERNETES_VERSION = `1.${NEWEST_KUBERNETES_MINOR}`;
/** A scenario without `spec.kubernetes.version` gets the newest release's defaults. */
export const DEFAULT_KUBERNETES_VERSION = NEWEST_KUBERNETES_VERSION;

/** Every version with a profile, oldest first: "1.26" ... "1.37". */
export const KUBERNETES_VERSIONS: readonly string[] = Array.from(
  { length: NEWEST_KUBERNETES_MINOR - OLDEST_KUBERNETES_MINOR + 1 },
  (_, i) => `1.${OLDEST_KUBERNETES_MINOR + i}`,
);

/** The minor version of "1.31" (NaN if it is not of that form). */
export function minorVersion(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  return m ? Number(m[1]) : NaN;
}

/** Whether hasim has a profile for the version ("1.26" to "1.37"). */
export function isKnownVersion(version: string): boolean {
  const minor = minorVersion(version);
  return minor >= OLDEST_KUBERNETES_MINOR && minor <= NEWEST_KUBERNETES_MINOR;
}

/**
 * The feature gates' defaults in a minor version. Each gate's stages are those of its page in the Kubernetes
 * feature-gate reference (kubernetes/website content/en/docs/reference/command-line-tools-reference/feature-gates/).
 */
export function featureGates(minor: number): FeatureGates {
  return {
    PodDisruptionConditions: minor >= 26,
    NodeOutOfServiceVolumeDetach: minor >= 26,
    PDBUnhealthyPodEvictionPolicy: minor >= 27,
    MinDomainsInPodTopologySpread: minor >= 27,
    MatchLabelKeysInPodTopologySpread: minor >= 27,
    NodeInclusionPolicyInPodTopologySpread: minor >= 26,
    // Beta and on in v1.28, off by default in v1.29-v1.31, on again from v1.32 (GA v1.34).
    SchedulerQueueingHints: minor === 28 || minor >= 32,
    SeparateTaintEvictionController: minor >= 29,
    SidecarContainers: minor >= 29,
    MatchLabelKeysInPodAffinity: minor >= 31,
    ServiceTrafficDistribution: minor >= 31,
    CoordinatedLeaderElection: false,
    ControlPlaneKubeletLocalMode: minor >= 33,
    SchedulerPopFromBackoffQ: minor >= 33,
    SchedulerAsyncPreemption: minor >= 33,
    PreferSameTrafficDistribution: minor >= 34,
    KubeletCrashLoopBackOffMax: minor >= 35,
    ReduceDefaultCrashLoopBackOffDecay: false,
  };
}

/** A version's feature gates and the behaviour that changed without a setting. */
export function versionFeatures(version: string): VersionFeatures {
  const minor = minorVersion(version);
  return {
    featureGates: featureGates(minor),
    kubeletStatusReportJitter: minor >= 33,
    nodeLifecycleLiveLeaseCheck: minor >= 37,
    kubeletKubeAPIQPS: minor >= 27 ? 50 : 5,
    kubeletKubeAPIBurst: minor >= 27 ? 100 : 10,
  };
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
    // ClientConnectionConfiguration defaults of KubeControllerManagerConfiguration), the same in every profile.
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
/**
 * A LIST's time per object returned (model/apiserver/list-cost.ts): a chosen figure that puts a LIST of
 * 150,000 pods at 3 s.
 */
export const DEFAULT_LIST_COST_PER_OBJECT_US = 20;
/**
 * kube-scheduler's clientConnection.qps / burst defaults (pkg/scheduler/apis/config/v1/defaults.go,
 * SetDefaults_KubeSchedulerConfiguration: "Scheduler has an opinion about QPS/Burst"), the same in every
 * supported version.
 */
export const DEFAULT_SCHEDULER_QPS = 50;
export const DEFAULT_SCHEDULER_BURST = 100;

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
    features: versionFeatures(version),
    controllerManager: {
      replicas: 1,
      ...profile,
      evictionMode: 'taint',
      leaderElection: { ...DEFAULT_LEADER_ELECTION },
    },
    scheduler: {
      replicas: 1,
      leaderElection: { ...DEFAULT_LEADER_ELECTION },
      kubeAPIQPS: DEFAULT_SCHEDULER_QPS,
      kubeAPIBurst: DEFAULT_SCHEDULER_BURST,
    },
    apiServer: {
      replicas: 1,
      defaultNotReadyTolerationSeconds: DEFAULT_TOLERATION_SECONDS,
      defaultUnreachableTolerationSeconds: DEFAULT_TOLERATION_SECONDS,
      listCostPerObjectUs: DEFAULT_LIST_COST_PER_OBJECT_US,
    },
    etcd: { members: 1 },
    kubelet: {
      ...DEFAULT_KUBELET,
      kubeAPIQPS: versionFeatures(version).kubeletKubeAPIQPS,
      kubeAPIBurst: versionFeatures(version).kubeletKubeAPIBurst,
    },
    network: { latency: { ...DEFAULT_NETWORK_LATENCY } },
  };
}

/** A volume claim template's storage request when the shorthand gives none. */
export const DEFAULT_CLAIM_STORAGE_BYTES = 2 ** 30;

// Version profiles (docs/fidelity.md#version-profiles): one test per row of the table, each naming the upstream
// source of its values, plus the range of known versions and the default. The feature gates' stages are those of
// their pages in the Kubernetes feature-gate reference (kubernetes/website
// content/en/docs/reference/command-line-tools-reference/feature-gates/<Gate>.md).
import { formatIssues, parseScenarioText, type Scenario } from '../../src/scenario/index.js';
import {
  DEFAULT_KUBERNETES_VERSION,
  KUBERNETES_VERSIONS,
  NEWEST_KUBERNETES_VERSION,
  minorVersion,
  versionFeatures,
} from '../../src/scenario/defaults.js';
import type { FeatureGates } from '../../src/k8s/config.js';

const scenario = (kubernetes: string, extra = ''): string => `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: versions }
spec:
  duration: 10m
${kubernetes}  nodes:
    - { name: worker, count: 3, zone: zone-a }
  workloads:
    - { kind: Deployment, name: web, replicas: 2${extra} }
`;
const withVersion = (v: string, extra = ''): string => scenario(`  kubernetes:\n    version: "${v}"\n`, extra);

function load(text: string): Scenario {
  const r = parseScenarioText(text, { file: 'versions.yaml' });
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.scenario;
}

function problems(text: string): string {
  const r = parseScenarioText(text, { file: 'versions.yaml' });
  if (r.ok) throw new Error('expected problems');
  return formatIssues(r.issues);
}

/** The value of one row in every profile, "1.26" to "1.37", as "1.26=x 1.27=y ...". */
function row(value: (s: Scenario) => unknown): string {
  return KUBERNETES_VERSIONS.map((v) => `${v}=${String(value(load(withVersion(v))))}`).join(' ');
}

/** A row that is `before` up to and including `lastBefore`, `after` from the next minor on. */
function stepRow(lastBefore: number, before: unknown, after: unknown): string {
  return KUBERNETES_VERSIONS.map((v) => `${v}=${String(minorVersion(v) <= lastBefore ? before : after)}`).join(' ');
}

describe('version range and default', () => {
  test('the profiles run from 1.26 to 1.37, and the default is the newest, 1.37', () => {
    expect(KUBERNETES_VERSIONS[0]).toBe('1.26');
    expect(KUBERNETES_VERSIONS.at(-1)).toBe('1.37');
    expect(KUBERNETES_VERSIONS).toHaveLength(12);
    expect(NEWEST_KUBERNETES_VERSION).toBe('1.37');
    expect(DEFAULT_KUBERNETES_VERSION).toBe(NEWEST_KUBERNETES_VERSION);
    const s = load(scenario(''));
    expect(s.spec.kubernetes.version).toBe('1.37');
    expect(s.spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs).toBe(50_000);
    expect(s.spec.kubernetes.features).toEqual(versionFeatures('1.37'));
  });

  test('a version newer than 1.37 is refused, naming the newest supported one', () => {
    expect(problems(withVersion('1.38'))).toContain(
      'versions.yaml:7:14: error: spec.kubernetes.version: hasim knows Kubernetes up to 1.37; this scenario asks for "1.38"',
    );
    expect(problems(withVersion('1.40'))).toContain('hasim knows Kubernetes up to 1.37');
  });

  test('a version older than 1.26 is refused; 1.26 is kept for evictionMode legacy', () => {
    const p = problems(withVersion('1.25'));
    expect(p).toContain(
      'error: spec.kubernetes.version: hasim knows Kubernetes from 1.26 to 1.37; "1.25" is older than its oldest profile',
    );
    expect(p).toContain('1.26 is kept for evictionMode: legacy');
    expect(load(withVersion('1.26')).spec.kubernetes.version).toBe('1.26');
  });
});

describe('settings that differ between profiles', () => {
  test('nodeMonitorGracePeriod: 40s through 1.31, 50s from 1.32 (PR #126287, nodelifecycle config/v1alpha1 defaults.go)', () => {
    expect(row((s) => s.spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs)).toBe(stepRow(31, 40_000, 50_000));
  });

  test('evictionMode legacy: only 1.26 (--enable-taint-manager and --pod-eviction-timeout removed in v1.27, PR #115840)', () => {
    const legacy = '    controllerManager: { evictionMode: legacy }\n';
    const accepted = KUBERNETES_VERSIONS.map((v) => {
      const r = parseScenarioText(scenario(`  kubernetes:\n    version: "${v}"\n${legacy}`), { file: 'v.yaml' });
      return `${v}=${r.ok}`;
    }).join(' ');
    expect(accepted).toBe(stepRow(26, true, false));
  });

  test('kubelet kubeAPIQPS / kubeAPIBurst: 5 / 10 in 1.26, 50 / 100 from 1.27 (PR #116121, kubelet config/v1beta1 defaults.go)', () => {
    expect(
      row((s) => `${s.spec.kubernetes.features!.kubeletKubeAPIQPS}/${s.spec.kubernetes.features!.kubeletKubeAPIBurst}`),
    ).toBe(stepRow(26, '5/10', '50/100'));
  });

  test('kubelet status-report jitter from 1.33 (PR #130919)', () => {
    expect(row((s) => s.spec.kubernetes.features!.kubeletStatusReportJitter)).toBe(stepRow(32, false, true));
  });

  test('node lifecycle controller re-reads an expired lease with a live GET from 1.37 (PR #138698, KEP-5647)', () => {
    expect(row((s) => s.spec.kubernetes.features!.nodeLifecycleLiveLeaseCheck)).toBe(stepRow(36, false, true));
  });

  test('kubelet kubeAPIQPS / kubeAPIBurst: 5 / 10 up to 1.26, 50 / 100 from 1.27 (PR #116121)', () => {
    expect(row((s) => s.spec.kubernetes.kubelet.kubeAPIQPS)).toBe(stepRow(26, 5, 50));
    expect(row((s) => s.spec.kubernetes.kubelet.kubeAPIBurst)).toBe(stepRow(26, 10, 100));
  });

  test('unchanged in every profile: KCM --kube-api-qps 20 / --kube-api-burst 30, leader election 15s / 10s / 2s, tolerations 300s, kubelet 10s / 5m / 40s', () => {
    const same = new Set(
      KUBERNETES_VERSIONS.map((v) => {
        const k = load(withVersion(v)).spec.kubernetes;
        return JSON.stringify([
          k.controllerManager.kubeAPIQPS,
          k.controllerManager.kubeAPIBurst,
          k.controllerManager.nodeMonitorPeriodMs,
          k.controllerManager.nodeStartupGracePeriodMs,
          k.controllerManager.nodeEvictionRate,
          k.controllerManager.secondaryNodeEvictionRate,
          k.controllerManager.unhealthyZoneThreshold,
          k.controllerManager.largeClusterSizeThreshold,
          k.controllerManager.leaderElection,
          k.scheduler.leaderElection,
          k.apiServer.defaultNotReadyTolerationSeconds,
          k.apiServer.defaultUnreachableTolerationSeconds,
          // Every kubelet setting but its client's QPS and burst (the next test).
          { ...k.kubelet, kubeAPIQPS: undefined, kubeAPIBurst: undefined },
        ]);
      }),
    );
    expect([...same]).toEqual([
      JSON.stringify([
        20,
        30,
        5000,
        60_000,
        0.1,
        0.01,
        0.55,
        50,
        { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
        { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
        300,
        300,
        {
          nodeStatusUpdateFrequencyMs: 10_000,
          nodeStatusReportFrequencyMs: 300_000,
          nodeLeaseDurationSeconds: 40,
          shutdownGracePeriodMs: 0,
          shutdownGracePeriodCriticalPodsMs: 0,
          // hasim's node boot (docs/fidelity.md#node-boot), not a version setting.
          bootTimeMs: { minMs: 25_000, maxMs: 45_000 },
          networkReadyTimeMs: { minMs: 5_000, maxMs: 20_000 },
        },
      ]),
    ]);
  });
});

describe('feature gates at their default in each profile (kubernetes.io feature-gate reference)', () => {
  // [gate, the last minor in which it is off (25: on in every profile; 37: off in every profile), its stages]
  const steps: [keyof FeatureGates, number, string][] = [
    ['PodDisruptionConditions', 25, 'beta and on from v1.26, GA v1.31'],
    ['NodeOutOfServiceVolumeDetach', 25, 'beta and on from v1.26, GA v1.28'],
    ['NodeInclusionPolicyInPodTopologySpread', 25, 'beta and on from v1.26, GA v1.33'],
    ['PDBUnhealthyPodEvictionPolicy', 26, 'alpha v1.26, beta and on from v1.27, GA v1.31'],
    ['MinDomainsInPodTopologySpread', 26, 'beta and off v1.25-v1.26, on from v1.27, GA v1.30'],
    ['MatchLabelKeysInPodTopologySpread', 26, 'alpha v1.25-v1.26, beta and on from v1.27'],
    ['SeparateTaintEvictionController', 28, 'beta and on from v1.29, GA v1.34'],
    ['SidecarContainers', 28, 'alpha v1.28, beta and on from v1.29, GA v1.33'],
    ['MatchLabelKeysInPodAffinity', 30, 'alpha v1.29-v1.30, beta and on from v1.31, GA v1.33'],
    ['ServiceTrafficDistribution', 30, 'alpha v1.30, beta and on from v1.31, GA v1.33'],
    ['ControlPlaneKubeletLocalMode', 32, 'kubeadm, KEP-4471: alpha v1.31, beta and on from v1.33'],
    ['SchedulerPopFromBackoffQ', 32, 'beta and on from v1.33'],
    ['SchedulerAsyncPreemption', 32, 'alpha v1.32, beta and on from v1.33'],
    ['PreferSameTrafficDistribution', 33, 'alpha v1.33, beta and on from v1.34, GA v1.35'],
    ['KubeletCrashLoopBackOffMax', 34, 'alpha v1.32-v1.34, beta and on from v1.35'],
    ['CoordinatedLeaderElection', 37, 'alpha v1.31-v1.32, beta and off from v1.33'],
    ['ReduceDefaultCrashLoopBackOffDecay', 37, 'alpha from v1.33'],
  ];
  test.each(steps)('%s: off through 1.%i (%s)', (gate, lastOff) => {
    expect(row((s) => s.spec.kubernetes.features!.featureGates[gate])).toBe(stepRow(lastOff, false, true));
  });

  test('SchedulerQueueingHints: beta and on in 1.28, off in 1.29-1.31, on from 1.32, GA in 1.34', () => {
    expect(row((s) => s.spec.kubernetes.features!.featureGates.SchedulerQueueingHints)).toBe(
      '1.26=false 1.27=false 1.28=true 1.29=false 1.30=false 1.31=false 1.32=true 1.33=true 1.34=true 1.35=true 1.36=true 1.37=true',
    );
  });

  test('every gate of the profile has a row above', () => {
    const named = new Set([...steps.map(([g]) => g), 'SchedulerQueueingHints']);
    expect(
      Object.keys(versionFeatures('1.37').featureGates).filter((g) => !named.has(g as keyof FeatureGates)),
    ).toEqual([]);
  });
});

describe('fields whose feature gate is off in the scenario version', () => {
  test('trafficDistribution needs 1.31 (ServiceTrafficDistribution); 1.30 refuses it with the reason', () => {
    const svc = ', service: { name: web-svc, trafficDistribution: PreferClose }';
    expect(problems(withVersion('1.30', svc))).toContain(
      'error: spec.workloads[0].service.trafficDistribution: trafficDistribution needs Kubernetes 1.31 or later; this scenario uses version "1.30"',
    );
    expect(problems(withVersion('1.30', svc))).toContain(
      'its feature gate ServiceTrafficDistribution is off by default in 1.30',
    );
    expect(load(withVersion('1.31', svc)).spec.services?.[0].trafficDistribution).toBe('PreferClose');
  });

  test('unhealthyPodEvictionPolicy needs 1.27 (PDBUnhealthyPodEvictionPolicy)', () => {
    const pdb = ', podDisruptionBudget: { minAvailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow }';
    expect(problems(withVersion('1.26', pdb))).toContain(
      'error: spec.workloads[0].podDisruptionBudget.unhealthyPodEvictionPolicy: unhealthyPodEvictionPolicy needs Kubernetes 1.27 or later',
    );
    expect(load(withVersion('1.27', pdb)).spec.workloads[0].podDisruptionBudget?.unhealthyPodEvictionPolicy).toBe(
      'AlwaysAllow',
    );
  });

  const manifest = (version: string, podSpec: string): string => `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: gated }
spec:
  duration: 10m
  kubernetes: { version: "${version}" }
  nodes:
    - { name: worker, count: 3, zone: zone-a }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
${podSpec}      containers: [{ name: api, image: api }]
`;

  test('pod anti-affinity matchLabelKeys needs 1.31 (MatchLabelKeysInPodAffinity)', () => {
    const anti = `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: { matchLabels: { app: api } }
              topologyKey: kubernetes.io/hostname
              matchLabelKeys: [pod-template-hash]
`;
    const p = problems(manifest('1.30', anti));
    expect(p).toContain(
      'error: document 2 (apps/v1 Deployment) spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys: matchLabelKeys / mismatchLabelKeys needs Kubernetes 1.31 or later; this scenario uses version "1.30"',
    );
    expect(parseScenarioText(manifest('1.31', anti), { file: 'gated.yaml' }).ok).toBe(true);
  });

  test('topology spread minDomains and matchLabelKeys need 1.27 (MinDomainsInPodTopologySpread, MatchLabelKeysInPodTopologySpread)', () => {
    const spread = `      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector: { matchLabels: { app: api } }
          minDomains: 2
          matchLabelKeys: [pod-template-hash]
`;
    const p = problems(manifest('1.26', spread));
    expect(p).toContain('topologySpreadConstraints[0].minDomains: minDomains needs Kubernetes 1.27 or later');
    expect(p).toContain('topologySpreadConstraints[0].matchLabelKeys: matchLabelKeys needs Kubernetes 1.27 or later');
    expect(parseScenarioText(manifest('1.27', spread), { file: 'gated.yaml' }).ok).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import {
  controlPlaneLayout,
  formatIssues,
  parseScenarioText,
  scenarioJsonSchema,
  type Scenario,
} from '../../src/scenario/index.js';
import { versionFeatures } from '../../src/scenario/defaults.js';

const MINIMAL = `apiVersion: hasim.dev/v1
kind: Scenario
metadata:
  name: minimal
spec:
  duration: 30m
  nodes:
    - { name: worker-a, count: 2, zone: zone-a }
    - { name: solo, zone: zone-b }
  workloads:
    - { kind: Deployment, name: web, replicas: 3 }
    - { kind: DaemonSet, name: agent }
`;

function load(text: string, sets?: string[]): Scenario {
  const r = parseScenarioText(text, { file: 'test.yaml', sets });
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.scenario;
}

function problems(text: string, sets?: string[]): string {
  const r = parseScenarioText(text, { file: 'test.yaml', sets });
  if (r.ok) throw new Error('expected problems');
  return formatIssues(r.issues);
}

const withVersion = (version: string, extra = ''): string =>
  MINIMAL.replace('  duration: 30m\n', `  duration: 30m\n  kubernetes:\n    version: "${version}"\n${extra}`);

describe('defaults and version profiles', () => {
  test('fills every default of the newest profile, 1.37, when the scenario names no version', () => {
    const s = load(MINIMAL);
    expect(s.spec.seed).toBe(1);
    expect(s.spec.durationMs).toBe(1_800_000);
    expect(s.spec.kubernetes).toEqual({
      version: '1.37',
      features: versionFeatures('1.37'),
      controllerManager: {
        replicas: 1,
        nodeMonitorPeriodMs: 5000,
        nodeMonitorGracePeriodMs: 50_000,
        nodeStartupGracePeriodMs: 60_000,
        nodeEvictionRate: 0.1,
        secondaryNodeEvictionRate: 0.01,
        unhealthyZoneThreshold: 0.55,
        largeClusterSizeThreshold: 50,
        evictionMode: 'taint',
        podEvictionTimeoutMs: 300_000,
        kubeAPIQPS: 20,
        kubeAPIBurst: 30,
        leaderElection: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
      },
      scheduler: {
        replicas: 1,
        leaderElection: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
        kubeAPIQPS: 50,
        kubeAPIBurst: 100,
      },
      apiServer: {
        replicas: 1,
        defaultNotReadyTolerationSeconds: 300,
        defaultUnreachableTolerationSeconds: 300,
        listCostPerObjectUs: 20,
      },
      etcd: { members: 1, heartbeatIntervalMs: 100, electionTimeoutMs: 1000 },
      kubelet: {
        nodeStatusUpdateFrequencyMs: 10_000,
        nodeStatusReportFrequencyMs: 300_000,
        nodeLeaseDurationSeconds: 40,
        shutdownGracePeriodMs: 0,
        shutdownGracePeriodCriticalPodsMs: 0,
        kubeAPIQPS: 50,
        kubeAPIBurst: 100,
        bootTimeMs: { minMs: 25_000, maxMs: 45_000 },
        networkReadyTimeMs: { minMs: 5_000, maxMs: 20_000 },
      },
      // A managed control plane (the default topology) runs a cloud-controller-manager.
      cloudControllerManager: {
        replicas: 1,
        nodeMonitorPeriodMs: 5000,
        leaderElection: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
      },
      network: { latency: { minMs: 1, maxMs: 5 } },
    });
    expect(s.spec.controlPlane.zones).toEqual(['zone-a', 'zone-b']);
  });

  test('1.31 uses nodeMonitorGracePeriod 40s, 1.32 and later 50s', () => {
    expect(load(withVersion('1.31')).spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs).toBe(40_000);
    expect(load(withVersion('1.32')).spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs).toBe(50_000);
    expect(load(withVersion('1.34')).spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs).toBe(50_000);
  });

  test('an explicit nodeMonitorGracePeriod wins over the profile', () => {
    const s = load(withVersion('1.32', '    controllerManager: { nodeMonitorGracePeriod: 20s }\n'));
    expect(s.spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs).toBe(20_000);
  });

  test('legacy eviction is accepted before 1.27', () => {
    const s = load(withVersion('1.26', '    controllerManager: { evictionMode: legacy, podEvictionTimeout: 2m }\n'));
    expect(s.spec.kubernetes.controllerManager.evictionMode).toBe('legacy');
    expect(s.spec.kubernetes.controllerManager.podEvictionTimeoutMs).toBe(120_000);
  });

  test('an explicit kubelet nodeStatusUpdateFrequency also sets the report frequency, as upstream', () => {
    const s = load(
      MINIMAL.replace(
        '  duration: 30m\n',
        '  duration: 30m\n  kubernetes:\n    kubelet: { nodeStatusUpdateFrequency: 4s }\n',
      ),
    );
    expect(s.spec.kubernetes.kubelet.nodeStatusReportFrequencyMs).toBe(4000);
  });

  test('expands node counts and adds the zone and hostname labels', () => {
    const s = load(MINIMAL);
    expect(s.spec.nodes.map((n) => n.name)).toEqual(['worker-a-0', 'worker-a-1', 'solo']);
    expect(s.spec.nodes[2]).toEqual({
      name: 'solo',
      zone: 'zone-b',
      labels: { 'topology.kubernetes.io/zone': 'zone-b', 'kubernetes.io/hostname': 'solo' },
      capacity: { cpuMilli: 4000, memoryBytes: 16 * 2 ** 30, pods: 110 },
    });
  });

  test('fills workload defaults; a DaemonSet has 0 replicas', () => {
    const [web, agent] = load(MINIMAL).spec.workloads;
    expect(web).toEqual({
      kind: 'Deployment',
      name: 'web',
      id: 'Deployment/web',
      replicas: 3,
      requests: { cpuMilli: 100, memoryBytes: 128 * 2 ** 20 },
      tolerations: [],
      nodeSelector: {},
      spreadAcrossZones: false,
      startup: { imagePull: { minMs: 1000, maxMs: 5000 }, ready: { minMs: 2000, maxMs: 2000 } },
      terminationGracePeriodMs: 30_000,
      origin: 'spec.workloads[0]',
    });
    expect(agent.replicas).toBe(0);
    expect(agent.id).toBe('DaemonSet/agent');
  });
});

describe('the full example of docs/scenario-format.md', () => {
  const s = load(readFileSync('test/scenario/spec-example.yaml', 'utf8'));

  test('parses into the validated form', () => {
    expect(s.metadata).toEqual({
      name: 'zone-a-outage',
      description: 'Zone A loses power for 10 minutes during peak.',
    });
    expect(s.spec.seed).toBe(42);
    expect(s.spec.nodes).toHaveLength(10);
    expect(s.spec.kubernetes.network.latency).toEqual({ minMs: 2, maxMs: 20 });
    expect(s.spec.workloads[0].podDisruptionBudget).toEqual({ minAvailable: { value: 4, percent: false } });
    expect(s.spec.workloads[0].requests).toEqual({ cpuMilli: 500, memoryBytes: 512 * 2 ** 20 });
    expect(s.spec.workloads[0].startup.imagePull).toEqual({ minMs: 2000, maxMs: 20_000 });
    expect(s.spec.faults).toEqual([
      { name: 'zone-a-power', type: 'zone-outage', atMs: 300_000, durationMs: 600_000, target: { zone: 'zone-a' } },
    ]);
    expect(s.spec.slos).toEqual([
      {
        name: 'checkout back to full strength',
        type: 'recovery-time',
        workload: 'Deployment/checkout',
        after: 'zone-a-power',
        maxMs: 420_000,
      },
    ]);
  });

  test('lays out the control plane round-robin over its zones', () => {
    const layout = controlPlaneLayout(s.spec);
    expect(layout.hosts).toEqual([
      { name: 'control-plane-0', zone: 'zone-a' },
      { name: 'control-plane-1', zone: 'zone-b' },
      { name: 'control-plane-2', zone: 'zone-c' },
    ]);
    expect(layout.instances.filter((i) => i.component === 'kube-scheduler')).toEqual([
      { name: 'kube-scheduler-control-plane-0', component: 'kube-scheduler', host: 'control-plane-0' },
      { name: 'kube-scheduler-control-plane-1', component: 'kube-scheduler', host: 'control-plane-1' },
    ]);
    // API servers, etcd, controller-managers, schedulers, and the managed control plane's cloud-controller-managers.
    expect(layout.instances).toHaveLength(3 + 3 + 3 + 2 + 3);
  });
});

describe('fault targets and SLOs', () => {
  const faults = (yaml: string): string => `${MINIMAL}  faults:\n${yaml}`;

  test('defaults the targets of control-plane faults and the far side of a partition', () => {
    const s = load(
      faults(`    - { name: api, type: apiserver-outage, at: 1m }
    - { name: kcm, type: controller-manager-crash, at: 2m, duration: 1m }
    - { name: cut, type: network-partition, at: 3m, target: { zone: zone-b } }
    - { name: some, type: node-crash, at: 4m, target: { random: 2 } }
    - { name: skew, type: clock-skew, at: 5m, target: { node: solo }, offset: -30s }
`),
    );
    expect(s.spec.faults.map((f) => [f.target, f.from])).toEqual([
      [{ instances: ['kube-apiserver-control-plane-0'] }, undefined],
      [{ instance: 'leader' }, undefined],
      [{ zone: 'zone-b' }, { controlPlane: true }],
      [{ random: 2, from: { labels: {} } }, undefined],
      [{ node: 'solo' }, undefined],
    ]);
    expect(s.spec.faults[4].offsetMs).toBe(-30_000);
  });

  test('reads SLO bounds as durations or counts by SLO type', () => {
    const s = load(
      `${MINIMAL}  slos:
    - { name: a, type: max-concurrent-leaders, component: kube-controller-manager, max: 1 }
    - { name: b, type: min-available, workload: Deployment/web, min: "50%", window: { from: 1m, to: 10m } }
    - { name: c, type: leaderless-time, component: kube-scheduler, max: 30s }
`,
    );
    expect(s.spec.slos).toEqual([
      { name: 'a', type: 'max-concurrent-leaders', component: 'kube-controller-manager', max: 1 },
      {
        name: 'b',
        type: 'min-available',
        workload: 'Deployment/web',
        min: { value: 50, percent: true },
        window: { fromMs: 60_000, toMs: 600_000 },
      },
      { name: 'c', type: 'leaderless-time', component: 'kube-scheduler', maxMs: 30_000 },
    ]);
  });

  test('fields of another SLO type are rejected, naming the allowed ones', () => {
    expect(
      problems(
        `${MINIMAL}  slos:\n    - { name: a, type: leaderless-time, component: kube-scheduler, max: 30s, workload: Deployment/web }\n`,
      ),
    ).toBe(
      'test.yaml:14:78: error: spec.slos[0]: field "workload" does not apply to SLO type "leaderless-time" (allowed: name, type, component, max)',
    );
  });

  test('checks the leaderElection rule renewDeadline > 1.2 × retryPeriod', () => {
    const text = MINIMAL.replace(
      '  duration: 30m\n',
      '  duration: 30m\n  kubernetes:\n    scheduler:\n      leaderElection: { retryPeriod: 9s }\n',
    );
    expect(problems(text)).toBe(
      [
        'test.yaml:9:38: error: spec.kubernetes.scheduler.leaderElection.retryPeriod: renewDeadline (10s) must be longer than 1.2 × retryPeriod (9s × 1.2 = 10.8s)',
        '  hint: client-go rejects this in NewLeaderElector: "renewDeadline must be greater than retryPeriod*JitterFactor" (k8s.io/client-go/tools/leaderelection/leaderelection.go)',
      ].join('\n'),
    );
  });

  test('unknown control-plane instances suggest the defined names', () => {
    const text = MINIMAL.replace(
      '  duration: 30m\n',
      '  duration: 30m\n  kubernetes:\n    controllerManager: { replicas: 2 }\n',
    );
    expect(
      problems(
        `${text}  faults:\n    - { name: k, type: controller-manager-crash, at: 1m, target: { instance: kube-controller-manager-control-plane-7 } }\n`,
      ),
    ).toBe(
      'test.yaml:16:78: error: spec.faults[0].target.instance: unknown kube-controller-manager instance "kube-controller-manager-control-plane-7" (did you mean "kube-controller-manager-control-plane-0"?)',
    );
  });
});

describe('Kubernetes manifests after the Scenario', () => {
  const MANIFESTS = `${MINIMAL}---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 3
  selector: { matchLabels: { app: db } }
  template:
    metadata:
      labels: { app: db, tier: data }
    spec:
      terminationGracePeriodSeconds: 60
      nodeSelector: { kubernetes.io/hostname: solo }
      tolerations:
        - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30 }
      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule }
      containers:
        - name: db
          image: postgres:16
          resources: { requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: "1" } }
          livenessProbe: { tcpSocket: { port: 5432 } }
        - name: exporter
          image: exporter
          resources: { requests: { cpu: 50m, memory: 64Mi } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  maxUnavailable: 1
  selector: { matchLabels: { app: db } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
spec:
  selector: { matchLabels: { app: ne } }
  template:
    metadata: { labels: { app: ne } }
    spec:
      containers: [{ name: ne, image: ne }]
`;

  test('join spec.workloads with requests summed and the PDB matched by selector', () => {
    const s = load(MANIFESTS);
    expect(s.spec.workloads.map((w) => w.id)).toEqual([
      'Deployment/web',
      'DaemonSet/agent',
      'StatefulSet/db',
      'DaemonSet/node-exporter',
    ]);
    expect(s.spec.workloads[2]).toEqual({
      kind: 'StatefulSet',
      name: 'db',
      namespace: 'default',
      id: 'StatefulSet/db',
      replicas: 3,
      requests: { cpuMilli: 550, memoryBytes: 2 ** 30 + 64 * 2 ** 20 },
      tolerations: [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      ],
      nodeSelector: { 'kubernetes.io/hostname': 'solo' },
      spreadAcrossZones: true,
      startup: { imagePull: { minMs: 1000, maxMs: 5000 }, ready: { minMs: 2000, maxMs: 2000 } },
      terminationGracePeriodMs: 60_000,
      // livenessProbe: { tcpSocket: { port: 5432 } }, with core/v1 Probe's defaults.
      probes: {
        liveness: { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
      },
      podDisruptionBudget: { maxUnavailable: { value: 1, percent: false } },
      scheduling: {
        labels: { app: 'db', tier: 'data' },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
            matchLabelKeys: [],
          },
        ],
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      origin: 'document 2 (apps/v1 StatefulSet)',
    });
    expect(s.spec.workloads[3].replicas).toBe(0);
    expect(s.spec.workloads[3].requests).toEqual({ cpuMilli: 0, memoryBytes: 0 });
  });

  test('problems in a manifest name its document', () => {
    const text = MANIFESTS.replace(
      '  replicas: 3\n  selector: { matchLabels: { app: db } }',
      '  replicas: many\n  selector: { matchLabels: { app: db } }',
    ).replace('kind: DaemonSet\nmetadata:\n  name: node-exporter', 'kind: DaemonSet\nmetadata:\n  labels: {}');
    expect(problems(text)).toBe(
      [
        'test.yaml:19:13: error: document 2 (apps/v1 StatefulSet) spec.replicas: expected a whole number, found the string "many"',
        'test.yaml:51:3: error: document 4 (apps/v1 DaemonSet) metadata: missing required field "name"',
      ].join('\n'),
    );
  });

  test('a workload defined twice is reported where the second one is', () => {
    const text = `${MINIMAL}---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template: { spec: { containers: [{ name: web }] } }
`;
    expect(problems(text)).toBe(
      'test.yaml:16:19: error: document 2 (apps/v1 Deployment) metadata.name: duplicate workload "Deployment/web" (spec.workloads[0] already defines it)',
    );
  });
});

describe('--set overrides', () => {
  test('override fields before validation, with list items by [i] or .i', () => {
    const text = `${MINIMAL}  slos:\n    - { name: a, type: leaderless-time, component: kube-scheduler, max: 30s }\n`;
    const s = load(text, [
      'spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s',
      'spec.slos[0].max=1m',
      'spec.nodes.1.zone=zone-c',
      'spec.seed=7',
      'spec.workloads[0].nodeSelector["topology.kubernetes.io/zone"]=zone-a',
    ]);
    expect(s.spec.kubernetes.controllerManager.nodeMonitorGracePeriodMs).toBe(20_000);
    expect(s.spec.slos[0]).toMatchObject({ maxMs: 60_000 });
    expect(s.spec.nodes[2].zone).toBe('zone-c');
    expect(s.spec.seed).toBe(7);
    expect(s.spec.workloads[0].nodeSelector).toEqual({ 'topology.kubernetes.io/zone': 'zone-a' });
  });

  test('a misspelt path is an error with a did-you-mean, reported against --set', () => {
    expect(problems(MINIMAL, ['spec.duration=1h', 'spec.kubernetes.controllerManager.nodeMonitorGracePerod=20s'])).toBe(
      '--set:2:1: error: spec.kubernetes.controllerManager.nodeMonitorGracePerod: unknown field "nodeMonitorGracePerod" in spec.kubernetes.controllerManager (did you mean "nodeMonitorGracePeriod"?)',
    );
  });

  test('an index past the end of a list is an error', () => {
    expect(problems(MINIMAL, ['spec.nodes[5].zone=zone-c'])).toBe(
      '--set:1:1: error: spec.nodes[5].zone: index 5 is out of range: spec.nodes has 2 items (use 2 to append one)',
    );
  });

  test('an invalid value is reported against its --set flag', () => {
    expect(problems(MINIMAL, ['spec.duration=30'])).toBe(
      [
        '--set:1:1: error: spec.duration: expected a duration with a unit, found the bare number 30',
        '  hint: write 30s (or 30ms, 30m): durations are Kubernetes-style strings such as 500ms, 40s, 5m, 1h30m',
      ].join('\n'),
    );
  });
});

describe('JSON Schema', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walks the schema as plain JSON
  const schema = scenarioJsonSchema() as any;

  test('is draft-07 with descriptions and closed objects', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const scenario = schema.definitions.scenario;
    expect(scenario.additionalProperties).toBe(false);
    const cm = scenario.properties.spec.properties.kubernetes.properties.controllerManager;
    expect(cm.properties.nodeMonitorGracePeriod).toMatchObject({ type: 'string' });
    expect(cm.properties.nodeMonitorGracePeriod.description).toContain('--node-monitor-grace-period');
    expect(scenario.properties.spec.properties.faults.items.properties.type.enum).toContain('node-crash');
    expect(scenario.properties.spec.properties.slos.items.oneOf).toHaveLength(14);
  });

  test('its duration pattern agrees with the validator', () => {
    const pattern = new RegExp(schema.definitions.scenario.properties.spec.properties.duration.pattern, 'u');
    expect(['500ms', '40s', '1h30m', '1m30.5s'].every((d) => pattern.test(d))).toBe(true);
    expect(['40', '5 minutes'].some((d) => pattern.test(d))).toBe(false);
  });
});

describe('control-plane loss warning', () => {
  it('warns when a zone outage takes every API server and etcd quorum with it', () => {
    const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: single-cp }
spec:
  duration: 30m
  nodes:
    - { name: pool-1, count: 2, zone: eu-west-1a }
    - { name: pool-2, count: 2, zone: eu-west-1b }
  faults:
    - { name: az-a-down, type: zone-outage, at: 5m, target: { zone: eu-west-1a } }
`;
    const r = parseScenarioText(text, { file: 'single.yaml' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(formatIssues(r.warnings)).toBe(
      'single.yaml:10:69: warning: spec.faults[0].target.zone: this outage takes down every kube-apiserver (1 of 1) and etcd\'s quorum (1 of 1 members) with zone "eu-west-1a": no controller can react until the zone returns\n' +
        '  hint: spread the control plane: raise spec.kubernetes.apiServer.replicas and spec.kubernetes.etcd.members (3 each) over spec.controlPlane.zones',
    );
    const spread = parseScenarioText(
      text.replace(
        'duration: 30m',
        'duration: 30m\n  kubernetes: { apiServer: { replicas: 3 }, etcd: { members: 3 } }\n  controlPlane: { zones: [eu-west-1a, eu-west-1b, eu-west-1c] }',
      ),
      { file: 'spread.yaml' },
    );
    expect(spread.ok && spread.warnings).toEqual([]);
  });
});

// Kubernetes objects as kubectl prints them, after the Scenario (src/scenario/manifests/): Lists, Nodes,
// namespaces, scheduling fields, PodDisruptionBudget selectors, PriorityClass resolution and the warnings
// for what hasim does not model. Priority cases are named after upstream's
// plugin/pkg/admission/priority/admission_test.go (TestPodAdmission).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssues } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolvedScenarioYaml } from '../../src/scenario/resolved.js';
import { toJsonl } from '../../src/engine/index.js';
import { HASIM_VERSION } from '../../src/trace/version.js';
import { load, parse, problems, warnings } from './parse-helpers.js';

const HEAD = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: dump }
spec:
  duration: 10m
`;
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'kubectl');
const NODES = readFileSync(join(FIXTURES, 'nodes.yaml'), 'utf8');
const WORKLOADS = readFileSync(join(FIXTURES, 'workloads.yaml'), 'utf8');

const deployment = (name: string, extra = '', namespace?: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ''}
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: c, image: i }]${extra}
`;

describe('the cluster dump fixtures (kubectl get -o yaml)', () => {
  const s = load(`${HEAD}---\n${NODES}---\n${WORKLOADS}`);

  test('v1 Nodes become nodes with allocatable capacity, zone, taints and cordon', () => {
    expect(s.spec.nodes).toHaveLength(9);
    const cp = s.spec.nodes[0];
    expect(cp.name).toBe('ip-10-0-1-10.eu-west-1.compute.internal');
    expect(cp.zone).toBe('eu-west-1a');
    expect(cp.capacity).toEqual({ cpuMilli: 1930, memoryBytes: 7055660 * 1024, pods: 110 });
    expect(cp.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(cp.labels['topology.kubernetes.io/region']).toBe('eu-west-1');
    expect(s.spec.nodes.find((n) => n.name === 'ip-10-0-2-22.eu-west-1.compute.internal')!.unschedulable).toBe(true);
    expect(s.spec.nodes.find((n) => n.name === 'ip-10-0-3-31.eu-west-1.compute.internal')!.taints).toEqual([
      { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
    ]);
  });

  test('namespaced workloads get namespace/Kind/name; shop/api and billing/api do not clash', () => {
    expect(s.spec.workloads.map((w) => w.id)).toEqual([
      'shop/Deployment/api',
      'billing/Deployment/api',
      'shop/StatefulSet/db',
      'monitoring/DaemonSet/node-exporter',
    ]);
    expect(s.spec.workloads[0].namespace).toBe('shop');
  });

  test('ScheduleAnyway spread is a preference, not the hard zone rule; DoNotSchedule is', () => {
    const api = s.spec.workloads[0];
    expect(api.spreadAcrossZones).toBe(false);
    expect(api.scheduling!.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' }, matchExpressions: [] },
        matchLabelKeys: [],
      },
    ]);
    expect(s.spec.workloads[2].spreadAcrossZones).toBe(true);
  });

  test('required pod anti-affinity and node affinity reach the shared types', () => {
    expect(s.spec.workloads[0].scheduling!.affinity).toEqual({
      podAntiAffinity: {
        required: [
          {
            labelSelector: {
              matchLabels: {},
              matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }],
            },
            namespaces: [],
            topologyKey: 'kubernetes.io/hostname',
            matchLabelKeys: [],
            mismatchLabelKeys: [],
          },
        ],
        preferred: [],
      },
    });
    expect(s.spec.workloads[1].scheduling!.affinity!.nodeAffinity).toEqual({
      required: [
        {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] },
          ],
          matchFields: [],
        },
      ],
      preferred: [
        {
          weight: 50,
          preference: {
            matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: ['m5.large'] }],
            matchFields: [],
          },
        },
      ],
    });
  });

  test('PodDisruptionBudgets: percentages, matchExpressions, and only in their own namespace', () => {
    expect(s.spec.workloads[0].podDisruptionBudget).toEqual({ minAvailable: { value: 66, percent: true } });
    expect(s.spec.workloads[1].podDisruptionBudget).toEqual({ minAvailable: { value: 1, percent: false } });
    expect(s.spec.workloads[2].podDisruptionBudget).toEqual({ maxUnavailable: { value: 1, percent: false } });
    expect(s.spec.workloads[3].podDisruptionBudget).toBeUndefined();
  });

  test('priorities resolved from the PriorityClasses, the system ones and the global default', () => {
    const [api, billing, db, exporter] = s.spec.workloads.map((w) => w.scheduling!);
    expect([api.priorityClassName, api.priority, api.preemptionPolicy]).toEqual([
      'shop-critical',
      100000,
      'PreemptLowerPriority',
    ]);
    expect([billing.priorityClassName, billing.priority, billing.preemptionPolicy]).toEqual([
      'batch-default',
      1000,
      'Never',
    ]);
    expect(db.priority).toBe(100000);
    expect(exporter.priority).toBe(2_000_001_000);
  });

  test('server-written fields are accepted; the unmodelled ones warn with file:line', () => {
    const w = warnings(`${HEAD}---\n${NODES}---\n${WORKLOADS}`);
    expect(w.map((l) => l.replace(/^test\.yaml:\d+:\d+: /, ''))).toEqual([
      'warning: document 3 (v1 List) items[3].spec.template.spec.containers[0].ports[0].hostPort: hasim does not model host ports (the NodePorts filter): two pods asking for the same hostPort may share a node',
      'warning: document 3 (v1 List) items[3].spec.template.spec.hostNetwork: hasim does not model host networking: the ports a hostNetwork pod takes on its node do not keep other pods away',
    ]);
    expect(w[0]).toMatch(/^test\.yaml:899:23: warning/);
  });

  test("a StatefulSet's volumeClaimTemplates are read: name, access modes, storage request and class", () => {
    const s = load(`${HEAD}---\n${NODES}---\n${WORKLOADS}`);
    const db = s.spec.workloads.find((w) => w.id === 'shop/StatefulSet/db')!;
    expect(db.volumeClaimTemplates).toEqual([
      { name: 'data', accessModes: ['ReadWriteOnce'], storageBytes: 50 * 2 ** 30, storageClassName: 'gp3' },
    ]);
  });
});

describe('Lists', () => {
  test('Lists nest (a List of Lists, an empty List) and kinds ending in List are read alike', () => {
    const text = `${HEAD}---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: List
    items:
      - ${deployment('a').trimEnd().split('\n').join('\n        ')}
  - apiVersion: v1
    kind: List
    items: []
---
apiVersion: apps/v1
kind: DeploymentList
items:
  - ${deployment('b').trimEnd().split('\n').join('\n    ')}
`;
    expect(load(text).spec.workloads.map((w) => w.id)).toEqual(['Deployment/a', 'Deployment/b']);
  });

  test('a List with one bad item reports that item, not the references that depend on it', () => {
    const text = `${HEAD}  slos:
    - { name: api, type: min-available, workload: Deployment/api, min: 1 }
---
apiVersion: v1
kind: List
items:
  - ${deployment('web').trimEnd().split('\n').join('\n    ')}
  - apiVersion: apps/v1
    kind: Deploymnet
    metadata: { name: api }
`;
    expect(problems(text)).toBe(
      'test.yaml:24:11: error: document 2 (v1 List) items[1].kind: unsupported kind "Deploymnet" (did you mean "Deployment"?); documents after the Scenario may be Deployment, StatefulSet, DaemonSet, ReplicaSet, PodDisruptionBudget, Node, PriorityClass or Service objects, or a List of them',
    );
  });

  test('a List as the first document points at hasim import', () => {
    expect(problems(`apiVersion: v1\nkind: List\nitems: []\n`)).toBe(
      [
        'test.yaml:2:7: error: kind: the first document must be the Scenario, found a List',
        '  hint: this looks like kubectl output: "hasim import FILE -o scenario.yaml" writes a scenario from it, or put a Scenario document first',
      ].join('\n'),
    );
  });

  test('a ReplicaSet owned by a Deployment is left out with a warning; a bare one runs as a Deployment', () => {
    const rs = (name: string, owned: boolean) =>
      deployment(name)
        .replace('kind: Deployment', 'kind: ReplicaSet')
        .replace(
          `  name: ${name}\n`,
          `  name: ${name}\n${owned ? '  ownerReferences:\n    - { apiVersion: apps/v1, kind: Deployment, name: web, controller: true, uid: x }\n' : ''}`,
        );
    const text = `${HEAD}---\n${rs('web-5d8f', true)}---\n${rs('lonely', false)}`;
    expect(load(text).spec.workloads.map((w) => w.id)).toEqual(['Deployment/lonely']);
    expect(warnings(text).map((l) => l.replace(/^test\.yaml:\d+:\d+: /, ''))).toEqual([
      'warning: document 2 (apps/v1 ReplicaSet) metadata.ownerReferences: ReplicaSet "web-5d8f" belongs to Deployment "web"; hasim simulates the owner, so this ReplicaSet is left out',
      'warning: document 3 (apps/v1 ReplicaSet) kind: hasim simulates a ReplicaSet without a Deployment as a Deployment of the same pods: SLOs and faults name it Deployment/lonely',
    ]);
  });
});

describe('namespaces', () => {
  const two = `---\n${deployment('api', '', 'shop')}---\n${deployment('api', '', 'billing')}`;

  test('Kind/name that two namespaces have is an error naming both', () => {
    const text = `${HEAD}  slos:\n    - { name: a, type: min-available, workload: Deployment/api, min: 1 }\n${two}`;
    expect(problems(text)).toBe(
      [
        'test.yaml:7:49: error: spec.slos[0].workload: "Deployment/api" is ambiguous: 2 namespaces have it (shop/Deployment/api, billing/Deployment/api)',
        '  hint: write it as namespace/Kind/name, e.g. shop/Deployment/api',
      ].join('\n'),
    );
  });

  test('Kind/name that one namespace has resolves to it; namespace/Kind/name always does', () => {
    const text = `${HEAD}  slos:
    - { name: a, type: min-available, workload: Deployment/web, min: 1 }
    - { name: b, type: min-available, workload: billing/Deployment/api, min: 1 }
  faults:
    - { name: f, type: pod-force-delete, at: 1m, target: { workload: Deployment/web } }
${two}---\n${deployment('web', '', 'shop')}`;
    const s = load(text);
    expect(s.spec.slos.map((o) => ('workload' in o ? o.workload : undefined))).toEqual([
      'shop/Deployment/web',
      'billing/Deployment/api',
    ]);
    expect(s.spec.faults[0].target).toMatchObject({ workload: 'shop/Deployment/web' });
  });

  test('the default namespace keeps Kind/name, so existing SLOs and traces are unchanged', () => {
    expect(load(`${HEAD}---\n${deployment('api', '', 'default')}`).spec.workloads[0].id).toBe('Deployment/api');
  });

  test('the same name in two namespaces runs as two workloads whose pods do not collide', () => {
    const s = load(`${HEAD}  nodes: [{ name: n, count: 2 }]\n${two.replace(/replicas: 2/g, 'replicas: 3')}`);
    const { events } = runScenario(s, { seed: 1 });
    const pods = new Set(events.filter((e) => e.type === 'pod.scheduled').map((e) => (e as { pod: string }).pod));
    expect([...pods].filter((p) => p.startsWith('shop/api-'))).toHaveLength(3);
    expect([...pods].filter((p) => p.startsWith('billing/api-'))).toHaveLength(3);
  });

  test('a PodDisruptionBudget selects only the pods of its own namespace', () => {
    const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: api, namespace: shop }
spec: { minAvailable: "50%", selector: { matchLabels: { app: api } } }
`;
    const s = load(`${HEAD}${two}---\n${pdb}`);
    expect(s.spec.workloads.map((w) => w.podDisruptionBudget)).toEqual([
      { minAvailable: { value: 50, percent: true } },
      undefined,
    ]);
  });
});

describe('PodDisruptionBudget selectors', () => {
  const pdb = (selector: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: p }
spec:
  maxUnavailable: 25%
  selector: ${selector}
`;
  const cases: [string, string, boolean][] = [
    ['matchExpressions In', '{ matchExpressions: [{ key: app, operator: In, values: [web, x] }] }', true],
    ['matchExpressions NotIn', '{ matchExpressions: [{ key: app, operator: NotIn, values: [web] }] }', false],
    ['matchExpressions Exists', '{ matchExpressions: [{ key: app, operator: Exists }] }', true],
    ['matchExpressions DoesNotExist', '{ matchExpressions: [{ key: app, operator: DoesNotExist }] }', false],
    [
      'matchLabels and matchExpressions together',
      '{ matchLabels: { app: web }, matchExpressions: [{ key: tier, operator: Exists }] }',
      false,
    ],
    ['an empty selector selects every pod of the namespace (policy/v1)', '{}', true],
  ];
  test.each(cases)('%s', (_name, selector, selects) => {
    const s = load(`${HEAD}---\n${deployment('web')}---\n${pdb(selector)}`);
    expect(s.spec.workloads[0].podDisruptionBudget).toEqual(
      selects ? { maxUnavailable: { value: 25, percent: true } } : undefined,
    );
  });

  test('In without values is rejected as upstream validation does', () => {
    expect(
      problems(`${HEAD}---\n${deployment('web')}---\n${pdb('{ matchExpressions: [{ key: app, operator: In }] }')}`),
    ).toMatch(
      /document 3 \(policy\/v1 PodDisruptionBudget\) spec\.selector\.matchExpressions\[0\]\.values: operator In needs at least one value/,
    );
  });
});

describe('priority admission (TestPodAdmission)', () => {
  const classes = `---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: default1 }
value: 1000
globalDefault: true
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: nondefault1 }
value: 2000
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: never-class }
value: 500
preemptionPolicy: Never
`;
  const nondefaultOnly = classes.split('---\n')[2];
  const withPod = (spec: string, cls = classes) =>
    `${HEAD}${cls}---\n${deployment('p', spec ? `\n      ${spec}` : '')}`;
  const priority = (text: string) => load(text).spec.workloads[0].scheduling!;

  test('Pod with priority class', () => {
    expect(priority(withPod('priorityClassName: nondefault1')).priority).toBe(2000);
  });
  test('Pod without priority class', () => {
    const p = priority(withPod(''));
    expect([p.priorityClassName, p.priority]).toEqual(['default1', 1000]);
  });
  test('pod without priority class and no existing priority class', () => {
    expect(priority(withPod('', '')).priority).toBe(0);
  });
  test('pod without priority class and no default class', () => {
    expect(priority(withPod('', `---\n${nondefaultOnly}`)).priority).toBe(0);
  });
  test('pod with a system priority class', () => {
    expect(priority(withPod('priorityClassName: system-cluster-critical', '')).priority).toBe(2_000_000_000);
  });
  test('Pod with non-existing priority class', () => {
    expect(problems(withPod('priorityClassName: non-existing'))).toMatch(
      /spec\.template\.spec\.priorityClassName: no PriorityClass with name "non-existing" was found; the API server would reject the pods of Deployment\/p/,
    );
  });
  test('pod with priority that matches computed priority', () => {
    expect(priority(withPod('priorityClassName: nondefault1\n      priority: 2000')).priority).toBe(2000);
  });
  test('pod with integer priority (not the resolved one) is rejected', () => {
    expect(problems(withPod('priority: 7'))).toMatch(
      /spec\.template\.spec\.priority: the pod's priority 7 does not match the value 1000 resolved from PriorityClass default1/,
    );
  });
  test('pod with nil preemption policy takes the class one', () => {
    expect(priority(withPod('priorityClassName: never-class')).preemptionPolicy).toBe('Never');
  });
  test("pod with preemption policy that doesn't match resolved preemption policy", () => {
    expect(problems(withPod('priorityClassName: never-class\n      preemptionPolicy: PreemptLowerPriority'))).toMatch(
      /preemptionPolicy: the pod's preemptionPolicy PreemptLowerPriority does not match Never, resolved from PriorityClass never-class/,
    );
  });
  test('only one globalDefault class; user values above 1e9 and system- names are reserved', () => {
    const extra = `---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: system-mine }
value: 2000000005
globalDefault: true
`;
    const out = problems(withPod('', classes + extra));
    expect(out).toMatch(
      /globalDefault: PriorityClass default1 is already marked as the global default; only one can be/,
    );
    expect(out).toMatch(/metadata\.name: PriorityClass names starting with "system-" are reserved/);
  });
});

describe('pod template requests (component-helpers PodRequests)', () => {
  const req = (spec: string) =>
    load(`${HEAD}---\n${deployment('r').replace('      containers: [{ name: c, image: i }]', spec)}`).spec.workloads[0]
      .requests;

  test('limits stand in for absent requests, as API defaulting does', () => {
    expect(req('      containers: [{ name: c, resources: { limits: { cpu: "1", memory: 1Gi } } }]')).toEqual({
      cpuMilli: 1000,
      memoryBytes: 2 ** 30,
    });
  });
  test('restartable init containers (sidecars) add to the containers; plain init containers take the max', () => {
    expect(
      req(`      initContainers:
        - { name: sidecar, restartPolicy: Always, resources: { requests: { cpu: 100m } } }
        - { name: migrate, resources: { requests: { cpu: "2" } } }
      containers: [{ name: c, resources: { requests: { cpu: 500m } } }]`).cpuMilli,
    ).toBe(2100);
    expect(
      req(`      initContainers:
        - { name: sidecar, restartPolicy: Always, resources: { requests: { cpu: 100m } } }
      containers: [{ name: c, resources: { requests: { cpu: 500m } } }]`).cpuMilli,
    ).toBe(600);
  });
});

describe('nothing silently ignored', () => {
  test('each unmodelled PodSpec field gives one warning saying what hasim does instead', () => {
    const spec = `
      schedulerName: my-scheduler
      runtimeClassName: kata
      overhead: { cpu: 250m }
      resources: { requests: { cpu: "1" } }
      nodeName: node-1
      readinessGates: [{ conditionType: www.example.com/ready }]
      ephemeralContainers: [{ name: debug, image: busybox }]
      volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]
      initContainers:
        - { name: init, image: i, startupProbe: { exec: { command: [true] } } }`;
    const text = `${HEAD}---\n${deployment('w', spec)
      .replace(
        'containers: [{ name: c, image: i }]',
        'containers: [{ name: c, image: i, resources: { requests: { nvidia.com/gpu: 1 } } }]',
      )
      .replace('  replicas: 2', '  replicas: 2\n  minReadySeconds: 10')}`;
    const w = warnings(text).map((l) =>
      l.replace(/^test\.yaml:\d+:\d+: warning: document 2 \(apps\/v1 Deployment\) /, ''),
    );
    expect(w).toEqual([
      'spec.minReadySeconds: hasim does not model minReadySeconds: a pod counts as available as soon as it is Ready',
      'spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]: hasim fits only cpu and memory (and the pod count) on a node: the request for nvidia.com/gpu is not checked',
      'spec.template.spec.schedulerName: hasim has one scheduler: pods for "my-scheduler" are placed by hasim\'s default-scheduler',
      "spec.template.spec.runtimeClassName: hasim does not model RuntimeClasses: their scheduling constraints and pod overhead are not added to the pod's",
      'spec.template.spec.overhead: hasim does not add pod overhead to the requests the scheduler fits on a node',
      "spec.template.spec.resources: hasim does not model pod-level resources: the pod asks for the sum of its containers' requests",
      'spec.template.spec.nodeName: hasim does not bind pods by nodeName: the scheduler places them as if nodeName were absent',
      'spec.template.spec.readinessGates: hasim does not model readiness gates: a pod is Ready once its containers are',
      'spec.template.spec.ephemeralContainers: hasim does not model ephemeral containers; they are left out',
      "spec.template.spec.volumes[0].persistentVolumeClaim: hasim does not model volumes: a persistentVolumeClaim volume's zone and attach/detach do not restrict where a pod is rescheduled, so replacements may start in a zone the real volume cannot reach",
      'spec.template.spec.initContainers[0].startupProbe: hasim does not run the probes of init containers: this startupProbe does not delay or restart anything',
    ]);
  });

  test('a StatefulSet with podManagementPolicy Parallel warns; OrderedReady does not', () => {
    const sts = (policy: string) =>
      deployment('s')
        .replace('kind: Deployment', 'kind: StatefulSet')
        .replace('  replicas: 2', `  replicas: 2\n  podManagementPolicy: ${policy}`);
    expect(warnings(`${HEAD}---\n${sts('Parallel')}`)).toHaveLength(1);
    expect(warnings(`${HEAD}---\n${sts('OrderedReady')}`)).toHaveLength(0);
  });

  test('a PodDisruptionBudget with unhealthyPodEvictionPolicy AlwaysAllow warns', () => {
    const pdb = (policy: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: p }
spec: { minAvailable: 1, unhealthyPodEvictionPolicy: ${policy}, selector: { matchLabels: { app: w } } }
`;
    expect(warnings(`${HEAD}---\n${deployment('w')}---\n${pdb('AlwaysAllow')}`)).toEqual([
      expect.stringMatching(
        /spec\.unhealthyPodEvictionPolicy: hasim does not read unhealthyPodEvictionPolicy: it treats the budget as the default IfHealthyBudget does$/,
      ),
    ]);
    expect(warnings(`${HEAD}---\n${deployment('w')}---\n${pdb('IfHealthyBudget')}`)).toEqual([]);
  });

  test('a Node without a zone label or allocatable warns with what hasim uses instead', () => {
    const w = warnings(`${HEAD}---\napiVersion: v1\nkind: Node\nmetadata: { name: bare }\n`);
    expect(w.map((l) => l.replace(/^test\.yaml:\d+:\d+: /, '')).sort()).toEqual([
      'warning: document 2 (v1 Node) metadata.labels: Node "bare" has no topology.kubernetes.io/zone label; hasim puts it in zone "zone-a"',
      'warning: document 2 (v1 Node) metadata.name: Node "bare" does not say its allocatable cpu, memory, pods (status.allocatable); hasim uses 4 CPUs, 16Gi and 110 pods for what is missing',
    ]);
  });
});

describe('node taints and cordon reach the registered Node', () => {
  test('pods that do not tolerate a taint, and all pods, stay off tainted and cordoned nodes', () => {
    const s = load(`${HEAD}  nodes:
    - { name: free, count: 2 }
    - { name: tainted, taints: [{ key: dedicated, value: batch, effect: NoSchedule }] }
    - { name: cordoned, unschedulable: true }
  workloads:
    - { kind: Deployment, name: web, replicas: 6 }
`);
    expect(s.spec.nodes.map((n) => [n.name, n.taints, n.unschedulable])).toEqual([
      ['free-0', undefined, undefined],
      ['free-1', undefined, undefined],
      ['tainted', [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }], undefined],
      ['cordoned', undefined, true],
    ]);
    const { events } = runScenario(s, { seed: 3 });
    const nodes = new Set(events.filter((e) => e.type === 'pod.scheduled').map((e) => (e as { node: string }).node));
    expect([...nodes].sort()).toEqual(['free-0', 'free-1']);
  });
});

describe('scenario.resolved.yaml of a cluster read from kubectl output', () => {
  test('writes namespaced workloads, their budgets, classes and node taints back, and replays the run', () => {
    const text = `${HEAD}  faults:
    - { name: crash, type: node-crash, at: 1m, target: { node: ip-10-0-1-21.eu-west-1.compute.internal } }
  slos:
    - { name: api, type: recovery-time, workload: Deployment/api, after: crash, max: 10m }
---
${NODES}---
${WORKLOADS.replace(/namespace: billing/g, 'namespace: default')}`;
    const s = load(text);
    const resolved = resolvedScenarioYaml(s, 1, { hasimVersion: HASIM_VERSION, file: 'dump.yaml' });
    const again = parse(resolved);
    if (!again.ok) throw new Error(formatIssues(again.issues));
    expect(again.warnings).toEqual([]);
    const noOrigin = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'origin' ? undefined : x)));
    expect(noOrigin(again.scenario)).toEqual(noOrigin(s));
    expect(toJsonl(runScenario(again.scenario, { seed: 1 }).events)).toBe(toJsonl(runScenario(s, { seed: 1 }).events));
  });
});

describe('probes from pod templates (core/v1 Probe)', () => {
  test('readinessProbe, livenessProbe and startupProbe are read with the defaults of SetDefaults_Probe', () => {
    const s = load(`${HEAD}---\n${NODES}---\n${WORKLOADS}`);
    const api = s.spec.workloads.find((w) => w.id === 'shop/Deployment/api')!;
    expect(api.probes).toEqual({
      readiness: { initialDelayMs: 0, periodMs: 5_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
      liveness: { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, failureThreshold: 3, successThreshold: 1 },
    });
    const probes = `
        startupProbe: { tcpSocket: { port: 80 }, periodSeconds: 2, failureThreshold: 30 }
        readinessProbe: { grpc: { port: 80 }, initialDelaySeconds: 5, successThreshold: 2 }`;
    const w = load(
      `${HEAD}---\n${deployment('w').replace('containers: [{ name: c, image: i }]', `containers:\n      - name: c\n        image: i${probes}`)}`,
    ).spec.workloads[0];
    expect(w.probes).toEqual({
      readiness: {
        initialDelayMs: 5_000,
        periodMs: 10_000,
        timeoutMs: 1_000,
        failureThreshold: 3,
        successThreshold: 2,
      },
      startup: { initialDelayMs: 0, periodMs: 2_000, timeoutMs: 1_000, failureThreshold: 30, successThreshold: 1 },
    });
  });

  test('a second container with the same kind of probe warns; successThreshold above 1 on liveness is an error at its line', () => {
    const two = deployment('w').replace(
      'containers: [{ name: c, image: i }]',
      'containers:\n      - { name: a, image: i, readinessProbe: { exec: { command: [true] } } }\n      - { name: b, image: i, readinessProbe: { exec: { command: [true] } } }',
    );
    expect(warnings(`${HEAD}---\n${two}`)).toEqual([
      "test.yaml:19:46: warning: document 2 (apps/v1 Deployment) spec.template.spec.containers[1].readinessProbe: hasim models one readiness probe per pod: this container's is left out, the first container's decides",
    ]);
    const bad = deployment('w').replace(
      'containers: [{ name: c, image: i }]',
      'containers:\n      - name: c\n        image: i\n        livenessProbe: { httpGet: { port: 80 }, successThreshold: 2, periodSeconds: 0 }',
    );
    expect(problems(`${HEAD}---\n${bad}`)).toBe(
      [
        'test.yaml:20:67: error: document 2 (apps/v1 Deployment) spec.template.spec.containers[0].livenessProbe.successThreshold: must be 1 for a liveness probe',
        'test.yaml:20:85: error: document 2 (apps/v1 Deployment) spec.template.spec.containers[0].livenessProbe.periodSeconds: must be at least 1, found 0',
      ].join('\n'),
    );
  });
});

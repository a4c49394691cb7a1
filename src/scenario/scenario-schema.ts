// The scenario file format (docs/scenario-format.md), written once. The structural validator and `hasim schema`'s
// JSON Schema are both derived from these definitions (schema-def.ts).
import { s, type Definitions, type Field, type ObjectSchema, type Schema } from './schema-def.js';
import { CONTROL_PLANE_TOPOLOGIES } from '../model/infra/control-plane-layout.js';
import { FAULT_TYPES } from './types.js';
import { VOLUME_ACCESS_MODES } from '../k8s/workloads.js';
import { EXPANDERS } from '../model/autoscaler/options.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, freeName, labelValue } from './names.js';

const leaderElection = s.object(
  {
    leaseDuration: s.opt(
      s.duration(
        'How long non-leaders wait after the last observed renewal before trying to take the lease (default 15s).',
      ),
    ),
    renewDeadline: s.opt(
      s.duration(
        'How long the leader keeps retrying to renew before it gives up leadership (default 10s). Must be below leaseDuration.',
      ),
    ),
    retryPeriod: s.opt(
      s.duration(
        'Interval between acquire/renew attempts, jittered by a factor of 1.2 (default 2s). renewDeadline must exceed 1.2 × retryPeriod.',
      ),
    ),
  },
  'client-go leader election timing (k8s.io/client-go/tools/leaderelection).',
);

const selectorFields: Record<string, Field> = {
  node: s.opt(s.string('One node by name (after count expansion, e.g. worker-a-3).')),
  nodes: s.opt(s.array(s.string(), 'Several nodes by name.')),
  zone: s.opt(
    s.string(
      'The worker nodes in this zone. zone-outage also powers off the control-plane hosts of the zone; network-partition, network-degrade, clock-skew and node-crash do not touch them (select those by instance/instances), so existing zone partitions keep cutting only the workers.',
    ),
  ),
  labels: s.opt(s.map('Nodes whose labels include all of these; an empty mapping {} selects every node.')),
  random: s.opt(
    s.integer('Pick this many nodes at random (with the scenario seed) from `from` (default: all nodes).', 1),
  ),
  from: s.opt(s.ref('target')),
  instance: s.opt(
    s.string(
      'A control-plane member: `leader` (the instance of `component` leading when the fault starts) or an instance name such as kube-controller-manager-control-plane-1. network-partition, network-degrade, clock-skew and node-crash act on the host that runs it (control-plane-<i>).',
    ),
  ),
  instances: s.opt(
    s.array(
      s.string(),
      'Several control-plane members by instance name (or `leader`); network faults, clock-skew and node-crash act on their hosts.',
    ),
  ),
  component: s.opt(
    s.enum(
      ['kube-controller-manager', 'kube-scheduler'],
      'component',
      'With instance: leader, whose leader: kube-controller-manager (default) or kube-scheduler. Crash faults imply it.',
    ),
  ),
  workload: s.opt(s.string('The pods of a workload, as Kind/name (e.g. Deployment/checkout).')),
  pods: s.opt(
    s.count(
      'app-degrade, with workload: how many of its pods, a number or a percentage "50%" (rounded up), picked at random with the scenario seed (default: all of them).',
    ),
  ),
};

const target: ObjectSchema = s.object(
  selectorFields,
  'What a fault hits: one of node, nodes, zone, labels, random (+from), instance/instances (+component), workload.',
);

export const toleration = s.object({
  key: s.opt(s.string('Taint key, e.g. node.kubernetes.io/unreachable; absent with operator Exists: every taint.')),
  operator: s.opt(s.enum(['Exists', 'Equal'], 'toleration operator', 'Exists or Equal (default Equal).')),
  value: s.opt(s.string('Taint value for operator Equal.')),
  effect: s.opt(s.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'taint effect', 'Absent: every effect.')),
  tolerationSeconds: s.opt(
    s.integer('For NoExecute: how long the pod stays bound after the taint appears; absent: forever.', 0),
  ),
});

const node = s.object(
  {
    name: s.req(
      s.string('Node name, a DNS-1123 subdomain; with count > 1 the nodes are name-0, name-1, ...', {
        rule: dns1123Subdomain,
      }),
    ),
    count: s.opt(s.integer('How many identical nodes (default 1).', 1)),
    zone: s.opt(s.string('Value of the topology.kubernetes.io/zone label (default zone-a).', { rule: labelValue })),
    labels: s.opt(s.map('Extra node labels; topology.kubernetes.io/zone and kubernetes.io/hostname are added.')),
    capacity: s.opt(
      s.object(
        {
          cpu: s.opt(s.cpu('Allocatable CPU as a Kubernetes quantity (default "4").')),
          memory: s.opt(s.memory('Allocatable memory as a Kubernetes quantity (default 16Gi).')),
          pods: s.opt(s.integer('Maximum pods (default 110).', 0)),
        },
        'Allocatable resources.',
      ),
    ),
    taints: s.opt(
      s.array(
        s.object({
          key: s.req(s.string('Taint key, e.g. dedicated or node-role.kubernetes.io/control-plane.')),
          value: s.opt(s.string('Taint value (default none).')),
          effect: s.req(s.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'taint effect', 'Taint effect.')),
        }),
        'Taints the nodes register with (spec.taints); only pods that tolerate them are placed there.',
      ),
    ),
    unschedulable: s.opt(s.boolean('The nodes start cordoned (spec.unschedulable: true); default false.')),
  },
  'A group of worker nodes.',
);

/** Who sends requests to a Service: a workload's `service.traffic`, and each `spec.traffic` entry. */
const trafficFields: Record<string, Field> = {
  rate: s.opt(s.number('Requests per second sent to the Service (default 100).', { exclusiveMin: 0 })),
  clients: s.opt({
    kind: 'either',
    string: s.enum(
      ['nodes', 'load-balancer'],
      'clients',
      'nodes (default): clients on every node alike; load-balancer: an external load balancer spreading over the nodes.',
    ),
    object: s.object(
      {
        zones: s.req(
          s.array(
            s.object(
              {
                zone: s.req(s.string('A zone of the scenario nodes.')),
                weight: s.opt(s.number('Share of the requests sent from this zone (default 1).', { min: 0 })),
              },
              'Clients in one zone, spread evenly over its nodes.',
            ),
            'Zones the clients sit in, with weights.',
          ),
        ),
      },
      'In-cluster clients in some zones only.',
    ),
    description:
      'Where requests come from: `nodes` (default), `load-balancer`, or `{ zones: [{ zone: zone-a, weight: 2 }, ...] }`.',
  }),
  timeout: s.opt(s.duration('Client timeout: a request not answered within it has failed (default 1s).')),
};

const trafficEntry = s.object(
  {
    service: s.req(
      s.string(
        'The v1 Service (a manifest after the Scenario) these requests go to: its name, or namespace/name outside the default namespace.',
      ),
    ),
    ...trafficFields,
  },
  'Requests sent to a v1 Service manifest (a v1 Service carries no request rate).',
);

const service = s.object(
  {
    name: s.opt(
      s.string(
        'The Service name, a DNS-1035 label: starts with a letter (default: the workload name); SLOs refer to it.',
        {
          rule: dns1035Label,
        },
      ),
    ),
    type: s.opt(
      s.enum(
        ['ClusterIP', 'NodePort', 'LoadBalancer'],
        'Service type',
        'ClusterIP (default), NodePort or LoadBalancer (reachable through every node, for load-balancer clients).',
      ),
    ),
    port: s.opt(s.integer('The Service port (default 80); recorded, it does not change where requests go.', 1, 65535)),
    trafficDistribution: s.opt(
      s.enum(
        ['PreferClose', 'PreferSameZone'],
        'traffic distribution',
        'PreferClose: endpoints get zone hints and each node sends to endpoints in its own zone when it has any. PreferSameZone (from 1.34) is its newer name.',
      ),
    ),
    topologyMode: s.opt(
      s.enum(
        ['Auto'],
        'topology mode',
        "Auto: the annotation service.kubernetes.io/topology-mode: Auto (topology-aware-hints: auto before 1.27). The EndpointSlice controller shares the ready endpoints among zones by their nodes' allocatable CPU and hints each for one zone; nodes send to the endpoints hinted for their zone. Not with trafficDistribution.",
      ),
    ),
    internalTrafficPolicy: s.opt(
      s.enum(
        ['Cluster', 'Local'],
        'traffic policy',
        'In-cluster clients: Cluster (default, any endpoint) or Local (only endpoints on the client node).',
      ),
    ),
    externalTrafficPolicy: s.opt(
      s.enum(
        ['Cluster', 'Local'],
        'traffic policy',
        'Load-balancer clients (NodePort/LoadBalancer only): Cluster (default) or Local (only endpoints on the node the load balancer picked; nodes without one fail its health checks).',
      ),
    ),
    traffic: s.opt(s.object(trafficFields, 'The requests sent to the Service.')),
  },
  "A Service selecting exactly this workload's pods, and the traffic sent to it.",
);

const probe = (kind: string, extra: string): Field =>
  s.opt(
    s.object(
      {
        initialDelay: s.opt(
          s.duration('initialDelaySeconds: no probe within this time of the containers starting (default 0s).'),
        ),
        period: s.opt(s.duration('periodSeconds: time between two probes (default 10s).')),
        timeout: s.opt(s.duration('timeoutSeconds (default 1s); recorded: a failing probe fails at once in hasim.')),
        failureThreshold: s.opt(s.integer('Failures in a row that change the result to Failure (default 3).', 1)),
        successThreshold: s.opt(
          s.integer(
            `Successes in a row that change the result to Success (default 1${kind === 'readiness' ? '' : '; must be 1'}).`,
            1,
          ),
        ),
      },
      extra,
    ),
  );

const probes = s.object(
  {
    readiness: probe(
      'readiness',
      'readinessProbe: the pod is Ready only after successThreshold successes, NotReady after failureThreshold failures.',
    ),
    liveness: probe('liveness', 'livenessProbe: failureThreshold failures restart the containers (with the back-off).'),
    startup: probe(
      'startup',
      'startupProbe: holds the other probes back until it succeeds; failureThreshold failures restart the containers.',
    ),
  },
  "The pods' probes (core/v1 Probe). The application answers them from its startup.ready time after the containers start.",
);

const accessMode = s.enum(
  VOLUME_ACCESS_MODES,
  'access mode',
  'ReadWriteOnce (a zonal disk attached to one node at a time), ReadWriteOncePod (the same), ReadWriteMany or ReadOnlyMany (a shared file system: no attach, no zone).',
);

const volumeClaimTemplate = s.object(
  {
    name: s.req(
      s.string('Template name (metadata.name); the claims are <name>-<statefulset>-<ordinal>.', {
        rule: dns1123Label,
      }),
    ),
    accessModes: s.opt(s.array(accessMode, 'spec.accessModes (default [ReadWriteOnce]).')),
    storage: s.opt(s.memory('spec.resources.requests.storage (default 1Gi); recorded, it changes no timing.')),
    storageClassName: s.opt(
      s.string(
        "spec.storageClassName (default: the cluster's default class); hasim treats every class as a zonal block disk bound WaitForFirstConsumer.",
      ),
    ),
  },
  'A PersistentVolumeClaim template (apps/v1 StatefulSet spec.volumeClaimTemplates[]).',
);

const workload = s.object(
  {
    kind: s.req(
      s.enum(['Deployment', 'StatefulSet', 'DaemonSet'], 'workload kind', 'Deployment | StatefulSet | DaemonSet.'),
    ),
    name: s.req(
      s.string('Workload name, a DNS-1123 subdomain; SLOs and faults refer to it as Kind/name.', {
        rule: dns1123Subdomain,
      }),
    ),
    replicas: s.opt(s.integer('Desired pods (default 1; not used by DaemonSets).', 0)),
    requests: s.opt(
      s.object({
        cpu: s.opt(s.cpu('CPU request per pod (default 100m).')),
        memory: s.opt(s.memory('Memory request per pod (default 128Mi).')),
      }),
    ),
    tolerations: s.opt(
      s.array(
        toleration,
        'None given: the apiserver adds the default 300s not-ready/unreachable NoExecute tolerations.',
      ),
    ),
    nodeSelector: s.opt(s.map('Pods only run on nodes with all these labels.')),
    spreadAcrossZones: s.opt(
      s.boolean('topologySpreadConstraints on topology.kubernetes.io/zone with maxSkew 1 (default false).'),
    ),
    startup: s.opt(
      s.object(
        {
          imagePull: s.opt(s.range('Image pull time, fixed or min..max (default 1s..5s).')),
          ready: s.opt(s.range('From container start to Ready, fixed or min..max (default 2s).')),
        },
        'From binding to Ready.',
      ),
    ),
    terminationGracePeriod: s.opt(s.duration('Grace period of a pod deletion (default 30s).')),
    probes: s.opt(probes),
    podDisruptionBudget: s.opt(
      s.object(
        {
          minAvailable: s.opt(s.count('Pods that must stay available: a number or a percentage "50%".')),
          maxUnavailable: s.opt(s.count('Pods that may be unavailable: a number or a percentage "25%".')),
          unhealthyPodEvictionPolicy: s.opt(
            s.enum(
              ['IfHealthyBudget', 'AlwaysAllow'],
              'unhealthy pod eviction policy',
              'When pods that are not Ready may be evicted: IfHealthyBudget (default: only while the budget is met) or AlwaysAllow.',
            ),
          ),
        },
        'A PodDisruptionBudget selecting exactly this workload (set one of minAvailable, maxUnavailable).',
      ),
    ),
    service: s.opt(service),
    volumeClaimTemplates: s.opt(
      s.array(
        volumeClaimTemplate,
        'StatefulSet only: one PersistentVolumeClaim per template per pod, kept when the pod is replaced; a ReadWriteOnce volume pins the pod to its zone and must be detached before it can be attached elsewhere.',
      ),
    ),
  },
  'A Deployment, StatefulSet or DaemonSet.',
);

const fault = s.object(
  {
    name: s.req(
      s.string('Unique fault name; SLOs (`after`) and trace events refer to it. One line, no control characters.', {
        rule: freeName,
      }),
    ),
    type: s.req(s.enum(FAULT_TYPES, 'fault type', `One of: ${FAULT_TYPES.join(', ')}.`)),
    at: s.req(s.duration('When the fault starts, in virtual time since the start of the run.')),
    duration: s.opt(s.duration('How long it lasts; omitted: to the end of the run.')),
    target: s.opt(s.ref('target')),
    from: s.opt({
      kind: 'either',
      string: s.enum(['control-plane'], 'partition side', 'The control plane.'),
      object: s.ref('target'),
      description:
        'network-partition: the other side of the cut. Default `control-plane`: every control-plane host not on the target side. A host selected on both sides stays on the target side (a host is never cut from itself).',
    }),
    loss: s.opt(
      s.number(
        'network-degrade: probability 0..1 that a TCP segment is lost (it is sent again after 200 ms, 400 ms, ...: loss delays messages, and fails a request only when the retransmissions outrun its timeout).',
        { min: 0, max: 1 },
      ),
    ),
    latency: s.opt(
      s.range(
        'network-degrade: extra latency per message; apiserver-slow / etcd-slow: extra time each request takes at the target API servers / etcd members. Fixed or min..max.',
      ),
    ),
    offset: s.opt(s.duration('clock-skew: how far the clock jumps (may be negative, e.g. -30s).', true)),
    rate: s.opt(s.number('clock-skew: clock rate, 1 = real time (e.g. 1.5 runs 50% fast).', { exclusiveMin: 0 })),
    graceful: s.opt(
      s.boolean(
        'controller-manager-crash / scheduler-crash: a clean stop (SIGTERM) instead of a crash; kube-scheduler then releases its lease, kube-controller-manager never does.',
      ),
    ),
    timeout: s.opt(
      s.duration(
        'node-drain: kubectl drain --timeout; after it the drain gives up (omitted: it waits as long as it takes).',
      ),
    ),
    disableEviction: s.opt(
      s.boolean('node-drain: kubectl drain --disable-eviction: delete pods directly, bypassing PodDisruptionBudgets.'),
    ),
    gracePeriod: s.opt(
      s.duration(
        "node-drain: kubectl drain --grace-period for every pod (omitted: each pod's own terminationGracePeriod).",
      ),
    ),
    symptom: s.opt(
      s.enum(
        ['readiness', 'liveness', 'probes', 'crash'],
        'app-degrade symptom',
        'app-degrade: what the application does while the fault lasts: readiness (default: its readiness probes fail), liveness (its liveness probes fail), probes (both), or crash (its containers exit, and again after every restart). Requests to its pods fail in every case.',
      ),
    ),
    maxSurge: s.opt(
      s.count(
        'node-pool-upgrade: extra nodes allowed during the upgrade, a number or a percentage of the pool ("10%", rounded up; default 1).',
      ),
    ),
    maxUnavailable: s.opt(
      s.count(
        'node-pool-upgrade: nodes allowed to be unavailable at once, a number or a percentage of the pool (rounded down; default 0).',
      ),
    ),
    drainTimeout: s.opt(
      s.duration(
        'node-pool-upgrade: per node, how long the drain respects PodDisruptionBudgets before the node is removed anyway (default 1h, as GKE; EKS: 15m).',
      ),
    ),
  },
  'A fault injected into the simulated cluster.',
);

const leaderComponent = s.enum(
  ['kube-controller-manager', 'kube-scheduler'],
  'component',
  'kube-controller-manager or kube-scheduler.',
);
const sloWorkload = s.req(s.string('The workload, as Kind/name.'));
const sloAfter = s.req(s.string('Name of the fault the measurement starts at.'));
const maxDuration = (what: string): Field => s.req(s.duration(what));

const sloService = s.req(
  s.string(
    "The Service: a workload's service.name (default the workload name), or a v1 Service manifest's name (namespace/name outside the default namespace) with a spec.traffic entry.",
  ),
);

const slo: Schema = {
  kind: 'tagged',
  tag: 'type',
  what: 'SLO type',
  description: 'A recovery objective judged on the recorded trace.',
  common: {
    name: s.req(s.string('Unique SLO name. One line, no control characters.', { rule: freeName })),
    type: s.req(s.string('The SLO type.')),
  },
  variants: {
    'recovery-time': {
      workload: sloWorkload,
      after: sloAfter,
      max: maxDuration('Longest allowed time until the workload has its desired Ready pods again.'),
    },
    'min-available': {
      workload: sloWorkload,
      min: s.req(s.count('Fewest Ready pods allowed: a number or a percentage of desired ("50%").')),
      window: s.opt(
        s.object(
          { from: s.req(s.duration('Start of the window.')), to: s.req(s.duration('End of the window.')) },
          'Judge only this part of the run (default: all of it).',
        ),
      ),
    },
    'unavailable-time': {
      workload: sloWorkload,
      max: maxDuration('Longest allowed total time below threshold.'),
      threshold: s.opt(s.count('Ready pods below which the workload counts as unavailable (default: desired).')),
    },
    'detection-time': {
      after: sloAfter,
      max: maxDuration('Longest allowed time until every node the fault hit is Ready=Unknown/False.'),
    },
    'eviction-time': {
      after: sloAfter,
      workload: s.opt(
        s.string(
          'Only the pods of this workload (Kind/name); default: every pod on the hit nodes. DaemonSet pods are never counted: they tolerate unreachable and not-ready forever.',
        ),
      ),
      max: maxDuration(
        'Longest allowed time until the last pod on the hit nodes (other than DaemonSet pods) is deleted.',
      ),
    },
    'leaderless-time': {
      component: s.req(leaderComponent),
      max: maxDuration('Longest allowed interval without an acting leader.'),
    },
    'max-concurrent-leaders': {
      component: s.req(leaderComponent),
      max: s.req(s.integer('Most instances allowed to act as leader at once (1 = no split brain).', 0)),
    },
    'stuck-terminating': {
      workload: sloWorkload,
      max: s.req(s.integer('Most pods allowed to end the run Terminating.', 0)),
    },
    'drain-time': {
      after: s.req(s.string('Name of the node-drain or node-pool-upgrade fault the measurement starts at.')),
      max: maxDuration('Longest allowed time from the start of the drain until every node it drains is empty.'),
    },
    'blocked-evictions': {
      workload: s.opt(s.string("Only evictions of this workload's pods (Kind/name); default: every workload.")),
      after: s.opt(s.string('Only evictions sent by this node-drain or node-pool-upgrade fault; default: any.')),
      max: maxDuration(
        "Longest allowed time a pod's evictions were refused (429) before it was evicted or the drain gave up.",
      ),
    },
    'upgrade-time': {
      after: s.req(s.string('Name of the node-pool-upgrade fault the measurement starts at.')),
      max: maxDuration('Longest allowed time from the start of the upgrade until every node of the pool is replaced.'),
    },
    'request-success-rate': {
      service: sloService,
      min: s.req(
        s.number('Lowest share of requests allowed to succeed, in percent (e.g. 99.5).', { min: 0, max: 100 }),
      ),
      rollingWindow: s.opt(
        s.duration(
          'Judge the lowest success rate over any window of this length (e.g. 1m); omitted: over the whole run.',
        ),
      ),
    },
    'failed-requests': {
      service: sloService,
      max: s.req(s.integer('Most requests allowed to fail during the run.', 0)),
    },
    'stale-endpoint-time': {
      service: sloService,
      max: maxDuration('Longest time any node may keep sending requests to a dead endpoint.'),
    },
  },
};

const autoscaler = s.object(
  {
    nodeGroups: s.req(
      s.array(
        s.object(
          {
            name: s.req(
              s.string('The node group name (a managed instance group, an Auto Scaling group).', {
                rule: dns1123Label,
              }),
            ),
            nodes: s.req(
              s.string(
                'The spec.nodes entry (by its name) whose nodes start the group: their zone, capacity, labels and taints are the shape of every node the autoscaler adds (named <entry>-<k>, k counting on).',
              ),
            ),
            minSize: s.opt(s.integer('Fewest nodes the autoscaler scales the group down to (default 0).', 0)),
            maxSize: s.opt(s.integer("Most nodes it scales the group up to (default: the entry's count).", 1)),
          },
          'A node group of one zone.',
        ),
        'The node groups the autoscaler may resize.',
      ),
    ),
    replicas: s.opt(s.integer('cluster-autoscaler instances on control-plane hosts; leader-elected (default 1).', 1)),
    leaderElection: s.opt(leaderElection),
    scanInterval: s.opt(s.duration('--scan-interval: how often the autoscaler looks at the cluster (default 10s).')),
    expander: s.opt(
      s.enum(
        EXPANDERS,
        'expander',
        '--expander: how a scale-up picks among node groups that would help: random (default) or least-waste.',
      ),
    ),
    balanceSimilarNodeGroups: s.opt(
      s.boolean(
        '--balance-similar-node-groups: share new nodes among node groups whose nodes differ only in zone (default false).',
      ),
    ),
    scaleDownEnabled: s.opt(s.boolean('--scale-down-enabled (default true).')),
    scaleDownUnneededTime: s.opt(
      s.duration('--scale-down-unneeded-time: how long a node must be unneeded before it is removed (default 10m).'),
    ),
    scaleDownDelayAfterAdd: s.opt(
      s.duration('--scale-down-delay-after-add: no scale-down this long after a scale-up (default 10m).'),
    ),
    scaleDownUtilizationThreshold: s.opt(
      s.number(
        '--scale-down-utilization-threshold: a node whose cpu and memory requests are both below this share of its capacity may be unneeded (default 0.5).',
        { min: 0, max: 1 },
      ),
    ),
    maxTotalUnreadyPercentage: s.opt(
      s.number(
        '--max-total-unready-percentage: above this share of unready nodes (and okTotalUnreadyCount) the autoscaler halts (default 45).',
        { min: 0, max: 100 },
      ),
    ),
    okTotalUnreadyCount: s.opt(
      s.integer('--ok-total-unready-count: this many unready nodes never halt the autoscaler (default 3).', 0),
    ),
    maxNodeProvisionTime: s.opt(
      s.duration(
        '--max-node-provision-time: a new node not registered after this is given up and its group backed off (default 15m).',
      ),
    ),
  },
  'The cluster autoscaler (kubernetes/autoscaler cluster-autoscaler) and its node groups.',
);

export const scenarioDefinitions: Definitions = { target };

export const scenarioSchema: ObjectSchema = s.object(
  {
    apiVersion: s.req(s.enum(['hasim.dev/v1'], 'apiVersion', 'Always hasim.dev/v1.')),
    kind: s.req(s.enum(['Scenario'], 'kind', 'Always Scenario.')),
    metadata: s.req(
      s.object({
        name: s.req(
          s.string('DNS-1123 label (lower-case letters, digits, "-"); names the report folder.', {
            rule: dns1123Label,
          }),
        ),
        description: s.opt(s.string('Free text shown in reports.')),
      }),
    ),
    spec: s.req(
      s.object({
        seed: s.opt(s.integer('Root seed of every random choice (default 1); --seed overrides it.', 0)),
        duration: s.req(s.duration('Virtual time simulated, e.g. 30m.')),
        kubernetes: s.opt(
          s.object(
            {
              version: s.opt(
                s.string(
                  'Kubernetes minor version whose defaults apply: "1.26" to "1.37" (default "1.37", the newest release). Before "1.32": nodeMonitorGracePeriod 40s, else 50s; "1.26": evictionMode legacy allowed. Every profile: docs/fidelity.md#version-profiles.',
                  {
                    pattern: /^1\.\d+$/,
                    patternMessage: 'write a Kubernetes minor version such as "1.37"',
                    typeHint: 'quote the version, e.g. version: "1.31" (unquoted, YAML reads 1.30 as the number 1.3)',
                  },
                ),
              ),
              controllerManager: s.opt(
                s.object(
                  {
                    replicas: s.opt(s.integer('kube-controller-manager instances; leader-elected (default 1).', 1)),
                    nodeMonitorPeriod: s.opt(
                      s.duration(
                        '--node-monitor-period: how often the node lifecycle controller checks nodes (default 5s).',
                      ),
                    ),
                    nodeMonitorGracePeriod: s.opt(
                      s.duration(
                        '--node-monitor-grace-period: silence after which a node is marked Unknown (default 40s; 50s from 1.32).',
                      ),
                    ),
                    nodeStartupGracePeriod: s.opt(
                      s.duration(
                        '--node-startup-grace-period: the same for a node that never posted Ready (default 60s).',
                      ),
                    ),
                    nodeEvictionRate: s.opt(
                      s.number(
                        '--node-eviction-rate: nodes per second per zone whose pods are evicted (default 0.1).',
                        { min: 0 },
                      ),
                    ),
                    secondaryNodeEvictionRate: s.opt(
                      s.number(
                        '--secondary-node-eviction-rate: the rate in a partially disrupted large zone (default 0.01).',
                        { min: 0 },
                      ),
                    ),
                    unhealthyZoneThreshold: s.opt(
                      s.number(
                        '--unhealthy-zone-threshold: fraction of NotReady nodes that makes a zone PartialDisruption (default 0.55).',
                        { min: 0, max: 1 },
                      ),
                    ),
                    largeClusterSizeThreshold: s.opt(
                      s.integer(
                        '--large-cluster-size-threshold: zones with more nodes count as large (default 50).',
                        0,
                      ),
                    ),
                    evictionMode: s.opt(
                      s.enum(
                        ['taint', 'legacy'],
                        'eviction mode',
                        'taint (NoExecute taints + tolerationSeconds, default) or legacy (podEvictionTimeout; versions before 1.27 only).',
                      ),
                    ),
                    podEvictionTimeout: s.opt(
                      s.duration('--pod-eviction-timeout for evictionMode: legacy (default 5m; removed in v1.27).'),
                    ),
                    endpointUpdatesBatchPeriod: s.opt(
                      s.duration(
                        '--endpoint-updates-batch-period: how long the EndpointSlice controller waits to batch pod changes (default 0).',
                      ),
                    ),
                    kubeAPIQPS: s.opt(
                      s.number("--kube-api-qps: requests per second of each controller's API client (default 20).", {
                        exclusiveMin: 0,
                      }),
                    ),
                    kubeAPIBurst: s.opt(
                      s.integer("--kube-api-burst: the burst of each controller's API client (default 30).", 1),
                    ),
                    leaderElection: s.opt(leaderElection),
                  },
                  'kube-controller-manager.',
                ),
              ),
              scheduler: s.opt(
                s.object(
                  {
                    replicas: s.opt(s.integer('kube-scheduler instances; leader-elected (default 1).', 1)),
                    kubeAPIQPS: s.opt(
                      s.number(
                        "clientConnection.qps: requests per second of the scheduler's API client, which its binds wait for (default 50).",
                        { exclusiveMin: 0 },
                      ),
                    ),
                    kubeAPIBurst: s.opt(
                      s.integer("clientConnection.burst: the burst of the scheduler's API client (default 100).", 1),
                    ),
                    leaderElection: s.opt(leaderElection),
                  },
                  'kube-scheduler.',
                ),
              ),
              cloudControllerManager: s.opt(
                s.object(
                  {
                    enabled: s.opt(
                      s.boolean(
                        'Whether the cluster runs a cloud-controller-manager (its cloud node lifecycle controller deletes Nodes whose VM is gone and taints those whose VM is shut down). Default: true with controlPlane.topology managed (EKS, GKE and AKS run one), false with kubeadm.',
                      ),
                    ),
                    replicas: s.opt(
                      s.integer(
                        'cloud-controller-manager instances; leader-elected on the kube-system/cloud-controller-manager Lease (default: as many as kube-controller-manager).',
                        1,
                      ),
                    ),
                    nodeMonitorPeriod: s.opt(
                      s.duration(
                        '--node-monitor-period: how often the cloud node lifecycle controller checks NotReady Nodes against the cloud (default 5s).',
                      ),
                    ),
                    leaderElection: s.opt(leaderElection),
                  },
                  'cloud-controller-manager (k8s.io/cloud-provider).',
                ),
              ),
              apiServer: s.opt(
                s.object(
                  {
                    replicas: s.opt(s.integer('kube-apiserver instances (default 1).', 1)),
                    defaultNotReadyTolerationSeconds: s.opt(
                      s.integer('--default-not-ready-toleration-seconds (default 300).', 0),
                    ),
                    defaultUnreachableTolerationSeconds: s.opt(
                      s.integer('--default-unreachable-toleration-seconds (default 300).', 0),
                    ),
                    listCostPerObjectMicroseconds: s.opt(
                      s.number(
                        'Time a LIST takes per object it returns, beyond its round trip: the API server serving and the client decoding it (default 20, so 3 s for 150,000 pods). An informer acts on its first LIST, or a relist, only once its answer has arrived.',
                        { min: 0, max: 1_000_000 },
                      ),
                    ),
                  },
                  'kube-apiserver.',
                ),
              ),
              etcd: s.opt(
                s.object({
                  members: s.opt(s.integer('etcd members (default 1); below quorum every API request fails.', 1)),
                  heartbeatInterval: s.opt(
                    s.duration(
                      "etcd's --heartbeat-interval: how often the etcd leader tells its followers it leads (default 100ms).",
                    ),
                  ),
                  electionTimeout: s.opt(
                    s.duration(
                      "etcd's --election-timeout: a follower that hears no leader for a random time between this and twice this starts an election, and a leader that hears from no majority for this long steps down (default 1s; at least 5 × heartbeatInterval, at most 50s).",
                    ),
                  ),
                }),
              ),
              kubelet: s.opt(
                s.object(
                  {
                    nodeStatusUpdateFrequency: s.opt(
                      s.duration('How often the kubelet computes node status (default 10s).'),
                    ),
                    nodeStatusReportFrequency: s.opt(
                      s.duration(
                        'Longest interval between unchanged status posts (default 5m; equals nodeStatusUpdateFrequency if only that is set).',
                      ),
                    ),
                    nodeLeaseDurationSeconds: s.opt(
                      s.integer('Node Lease duration; the lease is renewed every 0.25 × this (default 40).', 1),
                    ),
                    shutdownGracePeriod: s.opt(
                      s.duration(
                        'Graceful node shutdown: how long the kubelet delays a shutdown to terminate pods (default 0s: off; a node-shutdown fault is then a plain power-off).',
                      ),
                    ),
                    shutdownGracePeriodCriticalPods: s.opt(
                      s.duration(
                        'The part of shutdownGracePeriod kept for critical pods (priority >= 2000000000), which are terminated last (default 0s).',
                      ),
                    ),
                    kubeAPIQPS: s.opt(
                      s.number(
                        "Requests per second of the kubelet's API client, which its pod status updates, pod deletions and registration wait for; not its heartbeats (default 50; 5 before Kubernetes 1.27).",
                        { exclusiveMin: 0 },
                      ),
                    ),
                    kubeAPIBurst: s.opt(
                      s.integer("The burst of the kubelet's API client (default 100; 10 before Kubernetes 1.27).", 1),
                    ),
                    bootTime: s.opt(
                      s.range(
                        "A worker node's boot, from its power coming on (a new node, or one back from a node-crash or zone-outage) to its kubelet's start; fixed or min..max, drawn per boot (default 25s..45s).",
                      ),
                    ),
                    networkReadyTime: s.opt(
                      s.range(
                        "From a booted kubelet's start until the container runtime's network is ready: the node is Ready=False and starts no pod until then; fixed or min..max (default 5s..20s).",
                      ),
                    ),
                  },
                  'Kubelet settings, the same on every node.',
                ),
              ),
              kubeProxy: s.opt(
                s.object(
                  {
                    minSyncPeriod: s.opt(
                      s.duration(
                        'Least time between two syncs of the rules (default 1s); a change arriving sooner waits for it.',
                      ),
                    ),
                  },
                  'kube-proxy settings, the same on every node (used when the scenario has Services).',
                ),
              ),
              http2: s.opt(
                s.object(
                  {
                    readIdleTimeout: s.opt(
                      s.duration(
                        'HTTP2_READ_IDLE_TIMEOUT_SECONDS of every client: after this long without reading anything on its connection to an API server, a client sends a PING (default 30s; 0s turns the health check off, so a connection to a host that stopped answering is never closed by it).',
                      ),
                    ),
                    pingTimeout: s.opt(
                      s.duration(
                        'HTTP2_PING_TIMEOUT_SECONDS of every client: how long the PING may go unanswered before the client closes the connection and dials another API server (default 15s; 0s means the default).',
                      ),
                    ),
                  },
                  "client-go's HTTP/2 connection health check, the same for every client (kubelet, controller-manager, scheduler, kube-proxy).",
                ),
              ),
              volumes: s.opt(
                s.object(
                  {
                    attachTime: s.opt(
                      s.range(
                        'How long the cloud takes to attach a disk to a node, fixed or min..max, drawn per attach (default 5s..20s).',
                      ),
                    ),
                    detachTime: s.opt(
                      s.range('How long the cloud takes to detach a disk, fixed or min..max (default 3s..15s).'),
                    ),
                    maxWaitForUnmountDuration: s.opt(
                      s.duration(
                        "The attach-detach controller's wait before force-detaching a volume still in use on an unhealthy node (default 6m, a constant upstream).",
                      ),
                    ),
                  },
                  'StatefulSet volumes: attach and detach times and the force-detach wait.',
                ),
              ),
              network: s.opt(
                s.object({
                  latency: s.opt(s.range('One-way latency of each message, fixed or min..max (default 1ms..5ms).')),
                }),
              ),
            },
            'Control-plane and kubelet settings; every field overrides the version profile default.',
          ),
        ),
        controlPlane: s.opt(
          s.object(
            {
              zones: s.opt(
                s.array(
                  s.string(undefined, { rule: labelValue }),
                  'Zones of the control-plane hosts, round-robin (default: the zones of the nodes).',
                ),
              ),
              topology: s.opt(
                s.enum(
                  CONTROL_PLANE_TOPOLOGIES,
                  'control-plane topology',
                  "managed (default): API servers behind a load balancer, control-plane hosts are not Nodes, as EKS, GKE and AKS run them. kubeadm: each controller-manager and scheduler talks only to its own host's API server and each API server only to its own host's etcd member; control-plane hosts are Nodes tainted node-role.kubernetes.io/control-plane:NoSchedule and count in their zones.",
                ),
              ),
            },
            'Where control-plane members live, so a zone outage can take one out.',
          ),
        ),
        nodes: s.opt(s.array(node, 'Worker nodes.')),
        autoscaler: s.opt(autoscaler),
        workloads: s.opt(
          s.array(workload, 'Workloads; further YAML documents with apps/v1 and policy/v1 manifests join these.'),
        ),
        faults: s.opt(s.array(fault, 'The chaos plan.')),
        slos: s.opt(s.array(slo, 'Recovery objectives judged after the run.')),
        traffic: s.opt(
          s.array(
            trafficEntry,
            'Requests sent to v1 Service manifests, one entry per Service; a Service without one gets EndpointSlices and kube-proxy rules but no metered requests.',
          ),
        ),
        nodeAutoRepair: s.opt(
          s.object(
            {
              enabled: s.opt(s.boolean('Whether auto-repair runs (default true when this block is given).')),
              unhealthyThreshold: s.opt(
                s.duration(
                  'How long a node must be seen Ready=False or Unknown on consecutive checks before its VM is re-created (default 10m, as GKE).',
                ),
              ),
              checkInterval: s.opt(s.duration('How often the nodes are checked (default 1m).')),
            },
            'Managed node auto-repair (GKE node auto-repair): a node NotReady or silent for unhealthyThreshold has its VM re-created. Off unless given.',
          ),
        ),
      }),
    ),
  },
  'A hasim scenario: a cluster, its workloads, a chaos plan and recovery SLOs.',
);

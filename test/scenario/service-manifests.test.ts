// v1 Service manifests after the Scenario (src/scenario/manifests/service.ts) and spec.traffic: each field
// read, what is left out and why (kube-proxy's ShouldSkipService: headless and ExternalName Services), the
// warnings for what hasim does not model, core/v1 Service validation's rules, namespaces, and a manifest
// Service over a Deployment giving the same trace as the workload's `service` shorthand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssues } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { resolvedScenarioYaml } from '../../src/scenario/resolved.js';
import { toJsonl } from '../../src/engine/index.js';
import { HASIM_VERSION } from '../../src/trace/version.js';
import { load, parse, problems, warnings } from './parse-helpers.js';

const HEAD = (extra = '', version = '1.31'): string => `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: svc }
spec:
  duration: 5m
  kubernetes: { version: "${version}" }
  nodes:
    - { name: worker-a, count: 2, zone: zone-a }
    - { name: worker-b, count: 2, zone: zone-b }
  workloads:
    - { kind: Deployment, name: checkout, replicas: 4 }
${extra}`;

const service = (spec: string, meta = 'name: checkout-svc'): string => `---
apiVersion: v1
kind: Service
metadata:
  ${meta}
spec:
  ${spec}
`;

const PORTS = 'ports: [{ port: 8080 }]';

describe('reading a v1 Service', () => {
  test('selector, type, the first port and the traffic policies become a Service selecting the matching workload', () => {
    const s = load(
      HEAD() +
        service(
          `type: NodePort
  selector: { app: checkout }
  ports: [{ name: http, port: 8080, targetPort: 80 }, { name: admin, port: 9090 }]
  internalTrafficPolicy: Local
  externalTrafficPolicy: Local
  trafficDistribution: PreferClose`,
        ),
    );
    expect(s.spec.services).toEqual([
      {
        name: 'checkout-svc',
        namespace: 'default',
        type: 'NodePort',
        port: 8080,
        workloads: ['Deployment/checkout'],
        selector: { app: 'checkout' },
        internalTrafficPolicy: 'Local',
        externalTrafficPolicy: 'Local',
        trafficDistribution: 'PreferClose',
        origin: 'document 2 (v1 Service)',
      },
    ]);
  });

  test('defaults as the API server fills them in: ClusterIP, Cluster policies, no traffic distribution', () => {
    const [sv] = load(HEAD() + service(`selector: { app: checkout }\n  ${PORTS}`)).spec.services!;
    expect(sv).toMatchObject({ type: 'ClusterIP', internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster' });
    expect(sv.trafficDistribution).toBeUndefined();
    expect(sv.traffic).toBeUndefined();
  });

  test('what the API server wrote is accepted without a word', () => {
    const text =
      HEAD() +
      service(
        `clusterIP: 10.96.4.2
  clusterIPs: [10.96.4.2]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  sessionAffinity: None
  type: LoadBalancer
  allocateLoadBalancerNodePorts: true
  externalTrafficPolicy: Cluster
  healthCheckNodePort: 31000
  selector: { app: checkout }
  ports: [{ port: 443, nodePort: 30443, protocol: TCP, targetPort: 8443 }]
status:
  loadBalancer: { ingress: [{ ip: 203.0.113.7 }] }`,
        `name: checkout-svc
  uid: 0b8e2a49
  resourceVersion: "48121"
  annotations: { kubectl.kubernetes.io/last-applied-configuration: "{}" }`,
      );
    expect(warnings(text)).toEqual([]);
    expect(load(text).spec.services![0]).toMatchObject({ type: 'LoadBalancer', port: 443 });
  });

  test('a Service matching no workload is a warning; it has no endpoints', () => {
    expect(warnings(HEAD() + service(`selector: { app: chekout }\n  ${PORTS}`))).toEqual([
      'test.yaml:18:13: warning: document 2 (v1 Service) spec.selector: Service "checkout-svc" selects no workload\'s pods (selector app=chekout in namespace "default"): it has no endpoints, so no request sent to it is ever metered',
    ]);
  });

  test('a headless Service is left out: kube-proxy programs no rules for it (ShouldSkipService)', () => {
    const text = HEAD() + service(`clusterIP: None\n  selector: { app: checkout }\n  ${PORTS}`);
    expect(warnings(text)).toEqual([
      'test.yaml:18:14: warning: document 2 (v1 Service) spec.clusterIP: Service "checkout-svc" is headless (clusterIP: None): kube-proxy programs no rules for it and its clients reach the pods through DNS, which hasim does not model, so hasim leaves it out',
    ]);
    expect(load(text).spec.services).toBeUndefined();
  });

  test('an ExternalName Service is left out: kube-proxy programs no rules for it (ShouldSkipService)', () => {
    const text = HEAD() + service('type: ExternalName\n  externalName: payments.example.com');
    expect(warnings(text)).toEqual([
      'test.yaml:18:9: warning: document 2 (v1 Service) spec.type: Service "checkout-svc" is of type ExternalName, a DNS alias for "payments.example.com": kube-proxy programs no rules for it, and hasim leaves it out',
    ]);
    expect(load(text).spec.services).toBeUndefined();
  });

  test('a Service without a selector is left out with a warning; default/kubernetes without one', () => {
    expect(warnings(HEAD() + service(PORTS))).toEqual([
      'test.yaml:18:3: warning: document 2 (v1 Service) spec: Service "checkout-svc" has no selector: its endpoints are managed by hand or by another controller, which hasim does not model, so hasim leaves it out',
    ]);
    expect(warnings(HEAD() + service('ports: [{ port: 443 }]', 'name: kubernetes\n  namespace: default'))).toEqual([]);
  });

  test('fields that change routing and are not modelled each give a warning saying what hasim does instead', () => {
    const w = warnings(
      HEAD() +
        service(`type: LoadBalancer
  selector: { app: checkout }
  ${PORTS}
  sessionAffinity: ClientIP
  externalIPs: [198.51.100.4]
  loadBalancerSourceRanges: [10.0.0.0/8]
  publishNotReadyAddresses: true`),
    ).map((l) => l.replace(/^test\.yaml:\d+:\d+: warning: document 2 \(v1 Service\) /, ''));
    expect(w).toEqual([
      'spec.sessionAffinity: hasim does not model sessionAffinity: ClientIP: each client spreads its requests over all the endpoints its node picks, instead of sticking to one',
      'spec.externalIPs: hasim does not model externalIPs: only the clients of spec.traffic send requests, through the Service as its type allows',
      "spec.loadBalancerSourceRanges: hasim does not model loadBalancerSourceRanges: every load-balancer client's requests are let through",
      'spec.publishNotReadyAddresses: hasim does not model publishNotReadyAddresses: endpoints of pods that are not Ready are published as not ready, and kube-proxy sends them nothing',
    ]);
  });

  test('topology-mode: Auto gives the Service zone hints from the topology cache; trafficDistribution is ignored then, with a warning', () => {
    const text =
      HEAD() +
      service(
        `selector: { app: checkout }\n  ${PORTS}\n  trafficDistribution: PreferClose`,
        'name: checkout-svc\n  annotations: { service.kubernetes.io/topology-mode: Auto }',
      );
    expect(warnings(text)).toEqual([
      "test.yaml:21:24: warning: document 2 (v1 Service) spec.trafficDistribution: upstream's EndpointSlice controller ignores trafficDistribution while service.kubernetes.io/topology-mode is Auto, and so does hasim",
    ]);
    const svc = load(text).spec.services![0];
    expect(svc.topologyMode).toBe('Auto');
    expect(svc.trafficDistribution).toBeUndefined();
  });

  test('the older topology-aware-hints: auto annotation is read the same way, without a warning', () => {
    const text =
      HEAD() +
      service(
        `selector: { app: checkout }\n  ${PORTS}`,
        'name: checkout-svc\n  annotations: { service.kubernetes.io/topology-aware-hints: auto }',
      );
    expect(warnings(text)).toEqual([]);
    expect(load(text).spec.services![0].topologyMode).toBe('Auto');
  });

  test('with both annotations the older one wins (hintsEnabled), and a disagreement is a warning', () => {
    const text =
      HEAD() +
      service(
        `selector: { app: checkout }\n  ${PORTS}`,
        'name: checkout-svc\n  annotations: { service.kubernetes.io/topology-aware-hints: Disabled, service.kubernetes.io/topology-mode: Auto }',
      );
    expect(warnings(text)).toHaveLength(1);
    expect(warnings(text)[0]).toContain('the EndpointSlice controller reads the older annotation first');
    expect(load(text).spec.services![0].topologyMode).toBeUndefined();
  });

  test('topology-mode needs 1.27 (kubernetes#116522); topology-aware-hints works in 1.26', () => {
    const mode = problems(
      HEAD('', '1.26') +
        service(
          `selector: { app: checkout }\n  ${PORTS}`,
          'name: checkout-svc\n  annotations: { service.kubernetes.io/topology-mode: Auto }',
        ),
    );
    expect(mode).toContain(
      'the service.kubernetes.io/topology-mode annotation needs Kubernetes 1.27 or later; this scenario uses version "1.26"',
    );
    const older =
      HEAD('', '1.26') +
      service(
        `selector: { app: checkout }\n  ${PORTS}`,
        'name: checkout-svc\n  annotations: { service.kubernetes.io/topology-aware-hints: auto }',
      );
    expect(load(older).spec.services![0].topologyMode).toBe('Auto');
    // Written back with the annotation 1.26 reads.
    const resolved = resolvedScenarioYaml(load(older), 1, { hasimVersion: HASIM_VERSION, file: 'svc.yaml' });
    expect(resolved).toContain('service.kubernetes.io/topology-aware-hints: Auto');
    expect(load(resolved).spec.services![0].topologyMode).toBe('Auto');
  });

  test('the shorthand topologyMode: Auto is the annotation; with trafficDistribution it is an error', () => {
    const base = (svc: string) =>
      HEAD().replace(
        '{ kind: Deployment, name: checkout, replicas: 4 }',
        `{ kind: Deployment, name: checkout, replicas: 4, service: { ${svc} } }`,
      );
    expect(load(base('topologyMode: Auto')).spec.services![0].topologyMode).toBe('Auto');
    expect(problems(base('topologyMode: Auto, trafficDistribution: PreferClose'))).toContain(
      'topologyMode and trafficDistribution are alternatives',
    );
    const annotated = load(
      HEAD() +
        service(
          `selector: { app: checkout }\n  ${PORTS}`,
          'name: checkout-svc\n  annotations: { service.kubernetes.io/topology-mode: Auto }',
        ),
    );
    const resolved = resolvedScenarioYaml(annotated, 1, { hasimVersion: HASIM_VERSION, file: 'svc.yaml' });
    expect(resolved).toContain('service.kubernetes.io/topology-mode: Auto');
    // The resolved scenario reads back as the same Service.
    expect(load(resolved).spec.services![0].topologyMode).toBe('Auto');
  });

  test('PreferSameZone is PreferClose under its 1.34 name; PreferSameNode is simulated as PreferSameZone with a warning', () => {
    const same = load(
      HEAD('', '1.34') + service(`selector: { app: checkout }\n  ${PORTS}\n  trafficDistribution: PreferSameZone`),
    );
    expect(same.spec.services![0].trafficDistribution).toBe('PreferClose');
    const node =
      HEAD('', '1.34') + service(`selector: { app: checkout }\n  ${PORTS}\n  trafficDistribution: PreferSameNode`);
    expect(warnings(node)).toEqual([
      'test.yaml:20:24: warning: document 2 (v1 Service) spec.trafficDistribution: hasim does not model node hints: trafficDistribution PreferSameNode is simulated as PreferSameZone (each node prefers the endpoints of its own zone, not its own node)',
    ]);
  });
});

// Named after the cases of TestShouldSkipService in pkg/proxy/util/utils_test.go: which Services kube-proxy
// programs no rules for, and so hasim leaves out.
describe('kube-proxy skips a Service (TestShouldSkipService)', () => {
  const kept = (spec: string): boolean =>
    load(HEAD() + service(`${spec}\n  selector: { app: checkout }\n  ${PORTS}`)).spec.services !== undefined;
  test('Cluster IP is None', () => expect(kept('clusterIP: None')).toBe(false));
  test('Cluster IP is empty: read, since the API server allocates one to a manifest without it', () =>
    expect(kept('clusterIP: ""')).toBe(true));
  test('ExternalName type service', () => expect(kept('clusterIP: 1.2.3.4\n  type: ExternalName')).toBe(false));
  test('ClusterIP type service with ClusterIP set', () =>
    expect(kept('clusterIP: 1.2.3.4\n  type: ClusterIP')).toBe(true));
  test('NodePort type service with ClusterIP set', () =>
    expect(kept('clusterIP: 1.2.3.4\n  type: NodePort')).toBe(true));
  test('LoadBalancer type service with ClusterIP set', () =>
    expect(kept('clusterIP: 1.2.3.4\n  type: LoadBalancer')).toBe(true));
});

describe('core/v1 Service validation and version gates', () => {
  test('externalTrafficPolicy is only for NodePort and LoadBalancer (ValidateService)', () => {
    expect(problems(HEAD() + service(`selector: { app: checkout }\n  ${PORTS}\n  externalTrafficPolicy: Local`))).toBe(
      'test.yaml:20:26: error: document 2 (v1 Service) spec.externalTrafficPolicy: externalTrafficPolicy is only for type NodePort or LoadBalancer (core/v1 Service validation)',
    );
  });

  test('a Service needs a port', () => {
    expect(problems(HEAD() + service('selector: { app: checkout }'))).toBe(
      'test.yaml:18:3: error: document 2 (v1 Service) spec.ports: a Service needs at least one port (spec.ports[0].port); the API server rejects one without',
    );
  });

  test('an unknown type or traffic policy is an error with a did you mean', () => {
    expect(problems(HEAD() + service(`type: NodPort\n  selector: { app: checkout }\n  ${PORTS}`))).toContain(
      'spec.type: unknown Service type "NodPort" (did you mean "NodePort"?)',
    );
  });

  test('trafficDistribution needs 1.31, PreferSameZone 1.34: the same check as the shorthand', () => {
    expect(
      problems(
        HEAD('', '1.30') + service(`selector: { app: checkout }\n  ${PORTS}\n  trafficDistribution: PreferClose`),
      ),
    ).toContain(
      'test.yaml:20:24: error: document 2 (v1 Service) spec.trafficDistribution: trafficDistribution needs Kubernetes 1.31 or later; this scenario uses version "1.30"',
    );
    expect(
      problems(
        HEAD('', '1.33') + service(`selector: { app: checkout }\n  ${PORTS}\n  trafficDistribution: PreferSameZone`),
      ),
    ).toContain('trafficDistribution PreferSameZone needs Kubernetes 1.34 or later');
  });

  test("the shorthand's trafficDistribution takes PreferSameZone from 1.34, and runs it as PreferClose", () => {
    const shorthand = (version: string, td: string) =>
      HEAD('', version).replace(
        '{ kind: Deployment, name: checkout, replicas: 4 }',
        `{ kind: Deployment, name: checkout, replicas: 4, service: { trafficDistribution: ${td} } }`,
      );
    expect(problems(shorthand('1.33', 'PreferSameZone'))).toContain(
      'trafficDistribution PreferSameZone needs Kubernetes 1.34 or later',
    );
    const run = (td: string) => toJsonl(runScenario(load(shorthand('1.34', td)), { seed: 2 }).events);
    expect(run('PreferSameZone')).toBe(run('PreferClose'));
  });

  test('a Service name is a DNS-1035 label: it starts with a letter (ValidateServiceName)', () => {
    expect(problems(HEAD() + service(`selector: { app: checkout }\n  ${PORTS}`, 'name: 9checkout'))).toContain(
      'metadata.name: "9checkout" is not valid: a Service name must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
    );
    const shorthand = (name: string, svc: string) =>
      HEAD().replace(
        '{ kind: Deployment, name: checkout, replicas: 4 }',
        `{ kind: Deployment, name: ${name}, replicas: 4, service: ${svc} }`,
      );
    expect(problems(shorthand('checkout', '{ name: 1st-svc }'))).toContain(
      'spec.workloads[0].service.name: "1st-svc" is not valid: a Service name must be a DNS-1035 label',
    );
    // A workload name may start with a digit; the Service named after it may not.
    expect(problems(shorthand('1checkout', '{}'))).toContain(
      'spec.workloads[0].service: the Service would be named "1checkout", after its workload, but a Service name must be a DNS-1035 label',
    );
    expect(load(shorthand('1checkout', '{ name: checkout }')).spec.workloads[0].name).toBe('1checkout');
  });

  test('a name shared with a workload service shorthand is an error at the manifest', () => {
    const text = HEAD().replace(
      '{ kind: Deployment, name: checkout, replicas: 4 }',
      '{ kind: Deployment, name: checkout, replicas: 4, service: { name: checkout-svc } }',
    );
    expect(problems(text + service(`selector: { app: checkout }\n  ${PORTS}`))).toBe(
      'test.yaml:16:9: error: document 2 (v1 Service) metadata.name: Service "checkout-svc" is defined twice (spec.workloads[0].service already defines it)\n  hint: Service names are unique in a namespace; rename one of them',
    );
  });

  test('the same Service twice in one namespace is an error; in two namespaces two Services', () => {
    const svc = `selector: { app: checkout }\n  ${PORTS}`;
    expect(problems(HEAD() + service(svc) + service(svc))).toContain(
      'metadata.name: duplicate Service "default/checkout-svc" (document 2 (v1 Service) already defines it)',
    );
    const two = load(
      HEAD() + service(svc, 'name: web\n  namespace: shop') + service(svc, 'name: web\n  namespace: billing'),
    );
    expect(two.spec.services!.map((sv) => sv.name)).toEqual(['shop/web', 'billing/web']);
  });
});

describe('namespaces', () => {
  const deployment = (name: string, namespace: string, label: string): string => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${label} } }
  template:
    metadata: { labels: { app: ${label} } }
    spec: { containers: [{ name: c, image: i }] }
`;

  test('a Service selects only the workloads of its own namespace', () => {
    const s = load(
      HEAD() +
        deployment('api', 'shop', 'api') +
        deployment('api', 'billing', 'api') +
        service(`selector: { app: api }\n  ${PORTS}`, 'name: api\n  namespace: shop'),
    );
    expect(s.spec.services![0]).toMatchObject({
      name: 'shop/api',
      namespace: 'shop',
      workloads: ['shop/Deployment/api'],
    });
  });

  test('SLOs and spec.traffic name a Service as namespace/name, or name while only one namespace has it', () => {
    const both =
      HEAD(`  traffic:
    - { service: api, rate: 50 }
  slos:
    - { name: ok, type: failed-requests, service: api, max: 0 }
`) +
      deployment('api', 'shop', 'api') +
      deployment('api', 'billing', 'api') +
      service(`selector: { app: api }\n  ${PORTS}`, 'name: api\n  namespace: shop') +
      service(`selector: { app: api }\n  ${PORTS}`, 'name: api\n  namespace: billing');
    expect(problems(both)).toBe(
      [
        'test.yaml:13:18: error: spec.traffic[0].service: Service "api" is ambiguous: "shop/api" and "billing/api" both have that name\n  hint: write namespace/name',
        'test.yaml:15:51: error: spec.slos[0].service: Service "api" is ambiguous: "shop/api" and "billing/api" both have that name\n  hint: write namespace/name',
      ].join('\n'),
    );
    const one = load(
      both
        .replace('service: api, rate', 'service: shop/api, rate')
        .replace('service: api, max', 'service: shop/api, max'),
    );
    expect(one.spec.services!.find((sv) => sv.name === 'shop/api')!.traffic).toEqual({
      ratePerSecond: 50,
      clients: { kind: 'nodes' },
      timeoutMs: 1000,
    });
    expect(one.spec.slos[0]).toMatchObject({ service: 'shop/api' });
    const unique = load(
      HEAD(`  traffic:
    - { service: api, rate: 50 }
  slos:
    - { name: ok, type: failed-requests, service: api, max: 0 }
`) +
        deployment('api', 'shop', 'api') +
        service(`selector: { app: api }\n  ${PORTS}`, 'name: api\n  namespace: shop'),
    );
    expect(unique.spec.slos[0]).toMatchObject({ service: 'shop/api' });
    expect(unique.spec.services![0].traffic?.ratePerSecond).toBe(50);
  });
});

describe('spec.traffic', () => {
  const svc = service(`type: NodePort\n  selector: { app: checkout }\n  ${PORTS}`);

  test('an entry gives a manifest Service its requests, read as the shorthand reads traffic', () => {
    const s = load(
      HEAD(`  traffic:
    - { service: checkout-svc, rate: 600, clients: { zones: [{ zone: zone-a, weight: 3 }, { zone: zone-b }] }, timeout: 2s }
`) + svc,
    );
    expect(s.spec.services![0].traffic).toEqual({
      ratePerSecond: 600,
      clients: { kind: 'zones', weights: { 'zone-a': 3, 'zone-b': 1 } },
      timeoutMs: 2000,
    });
  });

  test('an unknown Service gets a did you mean, and SLOs on the Service it meant are not reported as well', () => {
    expect(
      problems(
        HEAD(
          '  traffic:\n    - { service: checkout-scv }\n  slos:\n    - { name: ok, type: failed-requests, service: checkout-svc, max: 0 }\n',
        ) + svc,
      ),
    ).toBe(
      'test.yaml:13:18: error: spec.traffic[0].service: unknown Service "checkout-scv" (did you mean "checkout-svc"?)',
    );
  });

  test('a left-out Service is named as such', () => {
    expect(
      problems(
        HEAD('  traffic:\n    - { service: checkout-svc }\n') +
          service(`clusterIP: None\n  selector: { app: checkout }\n  ${PORTS}`),
      ),
    ).toContain(
      'test.yaml:13:18: error: spec.traffic[0].service: Service "checkout-svc" is headless (clusterIP: None), and hasim leaves it out (see its warning)',
    );
  });

  test('a shorthand Service takes its requests in its own traffic field', () => {
    const text = HEAD('  traffic:\n    - { service: checkout }\n').replace(
      'replicas: 4 }',
      'replicas: 4, service: {} }',
    );
    expect(problems(text)).toBe(
      'test.yaml:13:18: error: spec.traffic[0].service: Service "checkout" is a workload\'s service shorthand (spec.workloads[0].service); give its requests there, under traffic',
    );
  });

  test('one entry per Service; load-balancer clients need NodePort or LoadBalancer; zones must have nodes', () => {
    expect(
      problems(
        HEAD(
          '  traffic:\n    - { service: checkout-svc }\n    - { service: checkout-svc, clients: { zones: [{ zone: zone-z }] } }\n',
        ) + svc,
      ),
    ).toBe(
      'test.yaml:14:18: error: spec.traffic[1].service: Service "checkout-svc" already has its requests in spec.traffic[0]; one entry per Service',
    );
    expect(
      problems(
        HEAD('  traffic:\n    - { service: checkout-svc, clients: load-balancer }\n') +
          service(`selector: { app: checkout }\n  ${PORTS}`),
      ),
    ).toBe(
      'test.yaml:13:41: error: spec.traffic[0].clients: load-balancer clients need type NodePort or LoadBalancer (a ClusterIP Service is not reachable from outside)',
    );
    expect(
      problems(HEAD('  traffic:\n    - { service: checkout-svc, clients: { zones: [{ zone: zone-z }] } }\n') + svc),
    ).toBe(
      'test.yaml:13:59: error: spec.traffic[0].clients.zones[0].zone: no node is in zone "zone-z" (did you mean "zone-a"?)',
    );
  });

  test('a request SLO on a Service nobody sends requests to is an error that says how to fix it', () => {
    expect(
      problems(HEAD('  slos:\n    - { name: ok, type: failed-requests, service: checkout-svc, max: 0 }\n') + svc),
    ).toBe(
      'test.yaml:13:51: error: spec.slos[0].service: nobody sends requests to Service "checkout-svc": a v1 Service carries no request rate, so failed-requests has nothing to measure\n  hint: add a spec.traffic entry, e.g. { service: checkout-svc, rate: 100 } (docs/scenario-format.md#spectraffic)',
    );
  });

  test('a Service without traffic still gets EndpointSlices, but no request is metered', () => {
    const s = load(HEAD() + svc);
    const { events } = runScenario(s, { seed: 1 });
    expect(events.some((e) => e.type === 'service.endpoints.changed')).toBe(true);
    expect(events.some((e) => e.type === 'service.traffic.changed')).toBe(false);
  });
});

describe('a manifest Service and the workload service shorthand', () => {
  const SHORTHAND = readFileSync(join(process.cwd(), 'scenarios', 'service-node-crash.yaml'), 'utf8');
  // The same Service as a v1 manifest, as kubectl prints it, with its requests in spec.traffic.
  const MANIFEST =
    SHORTHAND.replace(
      '      service:\n        name: checkout-svc\n        port: 8080\n        traffic: { rate: 300, timeout: 1s }\n',
      '',
    ) +
    `  traffic:
    - { service: checkout-svc, rate: 300, timeout: 1s }
---
apiVersion: v1
kind: Service
metadata:
  name: checkout-svc
  namespace: default
  uid: 0b8e2a49-1f7c-4d33-a0a4-8e3b8d0f5a20
spec:
  clusterIP: 10.96.12.34
  clusterIPs: [10.96.12.34]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  internalTrafficPolicy: Cluster
  sessionAffinity: None
  type: ClusterIP
  selector: { app: checkout }
  ports: [{ name: http, port: 8080, protocol: TCP, targetPort: 8080 }]
status:
  loadBalancer: {}
`;

  test('give byte-identical service events (and traces) for the same seed', () => {
    expect(MANIFEST).not.toContain('service:\n        name');
    const a = load(SHORTHAND);
    const b = load(MANIFEST);
    expect(warnings(MANIFEST)).toEqual([]);
    for (const seed of [1, 7]) {
      const ea = runScenario(a, { seed }).events;
      const eb = runScenario(b, { seed }).events;
      const service = (events: typeof ea) => toJsonl(events.filter((e) => e.type.startsWith('service.')));
      expect(service(ea).length).toBeGreaterThan(1000);
      expect(service(eb)).toBe(service(ea));
      expect(toJsonl(eb)).toBe(toJsonl(ea));
    }
  });

  test('scenario.resolved.yaml writes the Service back as a v1 Service with its spec.traffic entry, and replays the run', () => {
    const s = load(MANIFEST);
    const resolved = resolvedScenarioYaml(s, 1, { hasimVersion: HASIM_VERSION, file: 'svc.yaml' });
    expect(resolved).toContain('kind: Service');
    expect(resolved).toContain('  traffic:\n    - service: checkout-svc\n      rate: 300\n');
    const again = parse(resolved);
    if (!again.ok) throw new Error(formatIssues(again.issues));
    expect(again.warnings).toEqual([]);
    const noOrigin = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'origin' ? undefined : x)));
    expect(noOrigin(again.scenario)).toEqual(noOrigin(s));
  });
});

// The EndpointSlice controller's kept orders (endpointslice-controller.ts sortedNames, podOrder): each slice
// it writes lists its endpoints by pod name, as sorting the slice's members at each write does, however
// pods come and go. A zone's workers crash and come back while a Deployment of 250 pods (three slices)
// loses and regains a third of its pods: endpoints change in place, pods leave slices and new ones fill
// the slices' free room or new slices. Every slice written is checked as it reaches the watchers, and at
// the end the slices hold every endpoint the controller last published.
import type { ApiObject, EndpointSlice } from '../../../src/k8s/objects.js';
import { KubeProxyFleet } from '../../../src/model/proxy/kube-proxy.js';
import type { WatchEventType } from '../../../src/model/apiserver/store.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';

const SCENARIO = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: endpointslice-order }
spec:
  seed: 1
  duration: 10m
  kubernetes: { version: "1.31", apiServer: { replicas: 3 }, etcd: { members: 3 } }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker-a, count: 5, zone: zone-a }
    - { name: worker-b, count: 5, zone: zone-b }
    - { name: worker-c, count: 5, zone: zone-c }
  workloads:
    - kind: Deployment
      name: cart
      replicas: 250
      startup: { imagePull: 2s..10s, ready: 5s }
      probes: { readiness: { period: 5s, failureThreshold: 3 } }
      service: { traffic: { rate: 300, timeout: 1s } }
  faults:
    - { name: workers-a-down, type: node-crash, at: 1m, duration: 5m, target: { zone: zone-a } }
`;

describe('the EndpointSlice controller writes each slice in pod-name order', () => {
  test.each([1, 2, 3])('seed %i: while a zone’s workers crash and come back', (seed) => {
    const parsed = parseScenarioText(SCENARIO, { file: 'endpointslice-order.yaml', sets: [`spec.seed=${seed}`] });
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
    const proto = KubeProxyFleet.prototype as unknown as { notify(type: WatchEventType, obj: ApiObject): void };
    const saved = proto.notify;
    const slices = new Map<string, EndpointSlice>();
    let written = 0;
    let unordered = 0;
    proto.notify = function (this: unknown, type: WatchEventType, obj: ApiObject) {
      if (obj.kind === 'EndpointSlice') {
        written++;
        const pods = obj.endpoints.map((e) => e.pod);
        if (pods.some((p, i) => i > 0 && !(pods[i - 1] < p))) unordered++;
        if (type === 'DELETED') slices.delete(obj.metadata.name);
        else slices.set(obj.metadata.name, obj);
      }
      saved.call(this, type, obj);
    };
    let events;
    try {
      events = runScenario(parsed.scenario, {}).events;
    } finally {
      proto.notify = saved;
    }
    expect(unordered).toBe(0);
    // Pods came and went: many writes. New pods filled the slices' free room: 250 endpoints in 3 slices.
    expect(written).toBeGreaterThan(50);
    expect(slices.size).toBe(3);
    // The slices hold what the controller last published, each pod once.
    const last = events.filter((e) => e.type === 'service.endpoints.changed').pop() as unknown as {
      endpoints: number;
      ready: number;
    };
    const all = [...slices.values()].flatMap((s) => s.endpoints);
    expect(new Set(all.map((e) => e.pod)).size).toBe(all.length);
    expect(all.length).toBe(last.endpoints);
    expect(all.filter((e) => e.ready).length).toBe(last.ready);
  });
});

// The app-degrade and kube-proxy-stop faults end to end: the kubelet's probe workers (prober.ts) turning a
// failing application into NotReady pods and restarts with the container back-off, the EndpointSlice
// controller and kube-proxy following, and the requests that fail meanwhile (docs/fidelity.md#probes).
import { parseScenarioText, type Scenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';

type Ev = { atMs: number; type: string; [k: string]: unknown };

const FAULT_AT = 120_000;

function scenario(opts: { probes?: string; faults: string; replicas?: number; duration?: string }): Scenario {
  const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: app-degrade-test }
spec:
  duration: ${opts.duration ?? '8m'}
  nodes:
    - { name: worker-a, count: 2, zone: zone-a }
    - { name: worker-b, count: 2, zone: zone-b }
  workloads:
    - kind: Deployment
      name: web
      replicas: ${opts.replicas ?? 4}
      spreadAcrossZones: true
      startup: { imagePull: 1s, ready: 3s }
${opts.probes ? `      probes: ${opts.probes}\n` : ''}      service: { name: web-svc, traffic: { rate: 100 } }
  faults:
${opts.faults}
`;
  const parsed = parseScenarioText(text, { file: 'app-degrade-test.yaml' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

const run = (s: Scenario) => runScenario(s).events as unknown as Ev[];
const ofType = (ev: Ev[], type: string) => ev.filter((e) => e.type === type);
const targetsOf = (ev: Ev[]) => ofType(ev, 'fault.started')[0].targets as string[];

describe('app-degrade', () => {
  const readiness = '{ readiness: { period: 5s, failureThreshold: 3 } }';

  it('readiness failures make the hit pods NotReady at their third failing probe, and Ready again at the first success', () => {
    const ev = run(
      scenario({
        probes: readiness,
        faults: `    - { name: bad, type: app-degrade, at: 2m, duration: 1m, target: { workload: Deployment/web, pods: 50% } }`,
      }),
    );
    const hit = targetsOf(ev);
    expect(hit).toHaveLength(2);
    for (const pod of hit) {
      const down = ev.find((e) => e.type === 'pod.ready.changed' && e.pod === pod && e.ready === false)!;
      expect(down.by).toBe('kubelet');
      // Failing ticks at t0 < t0+5 s < t0+10 s, the first within a period of the fault's start.
      expect(down.atMs - FAULT_AT).toBeGreaterThanOrEqual(10_000);
      expect(down.atMs - FAULT_AT).toBeLessThan(15_000 + 1_000);
      const probe = ev.find((e) => e.type === 'pod.probe.changed' && e.pod === pod && e.result === 'Failure')!;
      expect(probe.probe).toBe('readiness');
      expect(down.atMs - probe.atMs).toBeLessThan(1_000);
      const up = ev.find((e) => e.type === 'pod.ready.changed' && e.pod === pod && e.ready && e.atMs > FAULT_AT)!;
      expect(up.atMs - (FAULT_AT + 60_000)).toBeLessThan(5_000 + 1_000);
      expect(ev.some((e) => e.type === 'pod.probe.changed' && e.pod === pod && e.result === 'Success')).toBe(true);
    }
    // Pods the fault did not hit never change.
    const others = ofType(ev, 'pod.ready.changed').filter((e) => e.atMs > FAULT_AT && !hit.includes(e.pod as string));
    expect(others).toEqual([]);
    // Half the requests fail from the fault's start until the endpoints are removed, then none.
    const traffic = ofType(ev, 'service.traffic.changed').filter((e) => e.atMs >= FAULT_AT);
    expect(traffic[0].atMs).toBe(FAULT_AT);
    expect(traffic[0].successRate).toBeCloseTo(0.5, 5);
    const healed = traffic.find((e) => e.successRate === 1)!;
    expect(healed.atMs - FAULT_AT).toBeLessThan(17_000);
    expect(String(healed.cause ?? '')).not.toContain('dead');
  });

  it('without a readiness probe the pods stay Ready and in the Service: only their requests fail', () => {
    const ev = run(
      scenario({
        faults: `    - { name: bad, type: app-degrade, at: 2m, duration: 1m, target: { workload: Deployment/web, pods: 1 } }`,
      }),
    );
    expect(ofType(ev, 'pod.ready.changed').filter((e) => e.atMs > FAULT_AT && e.atMs < FAULT_AT + 60_000)).toEqual([]);
    const during = ofType(ev, 'service.traffic.changed').filter(
      (e) => e.atMs >= FAULT_AT && e.atMs < FAULT_AT + 60_000,
    );
    expect(during.map((e) => e.successRate)).toEqual([0.75]);
    expect(String(during[0].cause)).toContain('application failing');
    const after = ofType(ev, 'service.traffic.changed').find((e) => e.atMs === FAULT_AT + 60_000)!;
    expect(after.successRate).toBe(1);
  });

  it('liveness failures restart the containers with the CrashLoopBackOff back-off: at once, then 10 s, 20 s, ...', () => {
    const ev = run(
      scenario({
        probes: '{ liveness: { period: 5s, failureThreshold: 2 } }',
        faults: `    - { name: hang, type: app-degrade, at: 2m, duration: 2m, symptom: liveness, target: { workload: Deployment/web, pods: 1 } }`,
      }),
    );
    const [pod] = targetsOf(ev);
    const restarts = ofType(ev, 'pod.restart.scheduled').filter((e) => e.pod === pod);
    expect(restarts.length).toBeGreaterThanOrEqual(4);
    expect(restarts.slice(0, 4).map((e) => e.backOffMs)).toEqual([0, 10_000, 20_000, 40_000]);
    expect(new Set(restarts.map((e) => e.reason))).toEqual(new Set(['liveness probe failed']));
    const stops = ofType(ev, 'pod.stopped').filter((e) => e.pod === pod);
    expect(stops[0].reason).toBe('liveness probe failed');
    // The first kill at the second failing probe (within 5 s + 5 s of the fault's start).
    expect(stops[0].atMs - FAULT_AT).toBeLessThan(10_000 + 1_000);
    // The pod is the same object all along (restarted in place), NotReady while its containers are down.
    expect(ofType(ev, 'pod.deleted').filter((e) => e.pod === pod)).toEqual([]);
    const readyChanges = ofType(ev, 'pod.ready.changed').filter((e) => e.pod === pod && e.atMs > FAULT_AT);
    expect(readyChanges[0].ready).toBe(false);
    // After the fault, the last restart runs and stays Ready.
    expect(readyChanges[readyChanges.length - 1].ready).toBe(true);
    const lastStart = ofType(ev, 'pod.started')
      .filter((e) => e.pod === pod)
      .pop()!;
    expect(lastStart.atMs).toBeGreaterThan(FAULT_AT);
  });

  it('crash: the containers exit and exit again after every restart until the fault ends', () => {
    const ev = run(
      scenario({
        faults: `    - { name: crash, type: app-degrade, at: 2m, duration: 90s, symptom: crash, target: { workload: Deployment/web, pods: 2 } }`,
      }),
    );
    const hit = targetsOf(ev);
    for (const pod of hit) {
      const stops = ofType(ev, 'pod.stopped').filter((e) => e.pod === pod && e.atMs >= FAULT_AT);
      expect(stops[0].atMs).toBe(FAULT_AT);
      expect(new Set(stops.map((e) => e.reason))).toEqual(new Set(['app crashed']));
      expect(stops.length).toBeGreaterThanOrEqual(3);
      const waits = ofType(ev, 'pod.restart.scheduled')
        .filter((e) => e.pod === pod)
        .map((e) => e.backOffMs);
      expect(waits.slice(0, 3)).toEqual([0, 10_000, 20_000]);
      // Running and Ready again after the fault.
      const last = ofType(ev, 'pod.ready.changed')
        .filter((e) => e.pod === pod)
        .pop()!;
      expect(last.ready).toBe(true);
      expect(last.atMs).toBeGreaterThan(FAULT_AT + 90_000);
    }
  });

  it('a kubelet stopped during the fault probes again when it starts: the pods go NotReady then', () => {
    const ev = run(
      scenario({
        probes: readiness,
        faults: [
          `    - { name: bad, type: app-degrade, at: 2m, duration: 2m, target: { workload: Deployment/web, pods: 1 } }`,
          `    - { name: kubelets-down, type: kubelet-stop, at: 115s, duration: 20s, target: { labels: {} } }`,
        ].join('\n'),
      }),
    );
    const [pod] = ev.find((e) => e.type === 'fault.started' && e.fault === 'bad')!.targets as string[];
    const down = ev.find((e) => e.type === 'pod.ready.changed' && e.pod === pod && e.ready === false)!;
    expect(down.by).toBe('kubelet');
    expect(down.atMs).toBeGreaterThanOrEqual(135_000 + 10_000);
    expect(down.atMs).toBeLessThan(135_000 + 15_000 + 1_000);
    const up = ev.find((e) => e.type === 'pod.ready.changed' && e.pod === pod && e.ready && e.atMs > down.atMs)!;
    expect(up.atMs - 240_000).toBeLessThan(5_000 + 1_000);
  });

  it('is deterministic: the same scenario and seed give the same trace', () => {
    const s = () =>
      scenario({
        probes:
          '{ readiness: { period: 5s }, liveness: { period: 10s }, startup: { period: 1s, failureThreshold: 30 } }',
        faults: `    - { name: bad, type: app-degrade, at: 2m, duration: 1m, symptom: probes, target: { workload: Deployment/web, pods: 50% } }`,
      });
    expect(JSON.stringify(run(s()))).toBe(JSON.stringify(run(s())));
  });
});

describe('probes without faults', () => {
  it('a startup probe holds readiness back until the application answers', () => {
    const ev = run(
      scenario({
        probes: '{ startup: { period: 2s, failureThreshold: 30 }, readiness: { period: 10s } }',
        faults: `    - { name: none, type: kube-proxy-stop, at: 7m, target: { node: worker-a-0 } }`,
      }),
    );
    for (const started of ofType(ev, 'pod.started')) {
      const ready = ev.find((e) => e.type === 'pod.ready.changed' && e.pod === started.pod && e.ready)!;
      // The application answers 3 s after the start; readiness comes at a later tick of its worker.
      expect(ready.atMs - started.atMs).toBeGreaterThanOrEqual(3_000);
      expect(ready.atMs - started.atMs).toBeLessThan(3_000 + 2_000 + 10_000 + 1_000);
    }
    expect(ofType(ev, 'pod.probe.changed')).toEqual([]);
  });

  it('a liveness probe with no initial delay restarts an application slower to start than its failure threshold', () => {
    const ev = run(
      scenario({
        probes: '{ liveness: { period: 1s, failureThreshold: 2 } }',
        faults: `    - { name: none, type: kube-proxy-stop, at: 7m, target: { node: worker-a-0 } }`,
      }),
    );
    // Every container is killed before it answers: the classic CrashLoopBackOff of a missing initialDelaySeconds.
    expect(ofType(ev, 'pod.restart.scheduled').length).toBeGreaterThan(4);
    expect(ofType(ev, 'pod.ready.changed').filter((e) => e.ready)).toEqual([]);
  });
});

describe('kube-proxy-stop', () => {
  it("freezes the target nodes' rules: they keep routing to a dead pod until kube-proxy starts again and resyncs", () => {
    const ev = run(
      scenario({
        faults: [
          `    - { name: proxy-down, type: kube-proxy-stop, at: 1m, duration: 3m, target: { zone: zone-a } }`,
          `    - { name: crash, type: node-crash, at: 2m, target: { node: worker-b-0 } }`,
        ].join('\n'),
      }),
    );
    const traffic = ofType(ev, 'service.traffic.changed');
    // After the endpoint removal has reached the running kube-proxies, the zone-a nodes still route to the dead pod.
    const removed = ofType(ev, 'service.endpoints.changed').find((e) => e.atMs > FAULT_AT && (e.ready as number) < 4)!;
    expect(removed).toBeDefined();
    const afterRemoval = traffic.filter((e) => e.atMs > (removed.atMs as number) && e.atMs < 240_000);
    const last = afterRemoval[afterRemoval.length - 1];
    expect(last.atMs - (removed.atMs as number)).toBeLessThan(2_000);
    // Two of the three live client nodes still send a quarter of their requests to the dead pod: 1 in 6 fails.
    expect(last.successRate).toBeCloseTo(1 - 1 / 6, 3);
    expect(last.staleNodes).toBe(2);
    // The cause says why those nodes lag: their kube-proxy is stopped, not slow.
    expect(last.cause).toContain('kube-proxy stopped on 2 nodes (rules frozen)');
    expect(last.cause).not.toContain('kube-proxy behind');
    // At 4m kube-proxy starts again, relists and syncs: every request succeeds within a couple of seconds.
    const healed = traffic.find((e) => e.atMs >= 240_000 && e.successRate === 1)!;
    expect(healed.atMs - 240_000).toBeLessThan(3_000);
  });

  it('with no change of endpoints while stopped, nothing changes for the requests', () => {
    const ev = run(
      scenario({
        faults: `    - { name: proxy-down, type: kube-proxy-stop, at: 1m, duration: 1m, target: { node: worker-a-0 } }`,
      }),
    );
    expect(ofType(ev, 'service.traffic.changed').filter((e) => e.atMs >= 60_000 && e.successRate !== 1)).toEqual([]);
  });
});

describe('validation of app-degrade', () => {
  it('warns when the symptom needs a probe the workload does not have', () => {
    const text = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: warn }
spec:
  duration: 5m
  nodes: [{ name: worker, count: 2 }]
  workloads:
    - { kind: Deployment, name: web, replicas: 2, probes: { readiness: { period: 5s } } }
  faults:
    - { name: a, type: app-degrade, at: 1m, target: { workload: Deployment/web } }
    - { name: b, type: app-degrade, at: 1m, symptom: liveness, target: { workload: Deployment/web } }
`;
    const parsed = parseScenarioText(text, { file: 'warn.yaml' });
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'spec.faults[1].symptom: Deployment/web has no liveness probe: its pods are not restarted; only the requests sent to them fail',
    ]);
  });
});

// The kubelet's main API client (src/model/kubelet/kubelet.ts, docs/fidelity.md#client-rate-limits): a token
// bucket of KubeletConfiguration kubeAPIQPS / kubeAPIBurst (pkg/kubelet/apis/config/v1beta1/defaults.go:
// 50 / 100 from v1.27, 5 / 10 before; cmd/kubelet/app/server.go kubeClientConfigOverrides). Each status
// update is the status manager's GET and PATCH (pkg/kubelet/status/status_manager.go syncPod): two tokens.
// Its heartbeats go through the heartbeat client, built with QPS -1: never throttled. A kubelet stopped for
// 90 s comes back with 110 pods that the node lifecycle controller marked NotReady meanwhile and re-reports
// them all at once: the burst goes out at once, the rest one token every 1/qps.
import { toJsonl } from '../../../src/engine/index.js';
import { REFERENCE_BEHAVIOUR } from '../../../src/model/fast-paths.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../../src/scenario/index.js';
import type { TraceEvent } from '../../../src/trace/events.js';

const STOP_MS = 60_000;
const RESTART_MS = STOP_MS + 90_000;

const scenario = (version: string) => `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: kubelet-client }
spec:
  seed: 3
  duration: 4m
  kubernetes: { version: "${version}" }
  nodes:
    - { name: worker, count: 1, zone: zone-a, capacity: { cpu: "64", memory: 256Gi, pods: 110 } }
  workloads:
    - kind: Deployment
      name: web
      replicas: 110
      requests: { cpu: 10m, memory: 16Mi }
      startup: { imagePull: 1s, ready: 1s }
  faults:
    - { name: kubelet-down, type: kubelet-stop, at: 1m, duration: 90s, target: { node: worker } }
`;

function run(version: string, sets: string[] = [], reference = false) {
  const parsed = parseScenarioText(scenario(version), { file: 'kubelet-client.yaml', sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  const result = runScenario(parsed.scenario, reference ? { fastPaths: REFERENCE_BEHAVIOUR } : {});
  return { ...result, kubelet: parsed.scenario.spec.kubernetes.kubelet };
}

/** When each pod's Ready=True from the kubelet reached the API server, from fromMs on, in order. */
function readyTimes(events: readonly TraceEvent[], fromMs: number, toMs = Infinity): number[] {
  return events
    .filter((e) => e.type === 'pod.ready.changed' && e.ready && e.by === 'kubelet' && e.atMs >= fromMs && e.atMs < toMs)
    .map((e) => e.atMs);
}

/** When the node went Ready again after the restart (the kubelet's status PATCH, heartbeat client). */
function nodeReadyAgainMs(events: readonly TraceEvent[]): number {
  const e = events.find((x) => x.type === 'node.ready.changed' && x.to === 'True' && x.atMs >= RESTART_MS);
  if (e === undefined) throw new Error('the node never went Ready again');
  return e.atMs;
}

describe("the kubelet's API client (kubeAPIQPS / kubeAPIBurst)", () => {
  const slow = run('1.37', ['spec.kubernetes.kubelet.kubeAPIQPS=5', 'spec.kubernetes.kubelet.kubeAPIBurst=10']);

  // Pod k (from 0) after the restart takes tokens 2k + 2 and 2k + 3: the re-registration's CREATE took the
  // first. Token n > 10 is due (n - 10) / 5 s after the restart; the first report reaches the API a network
  // round trip later, and so does each after it.
  it('with QPS 5 and burst 10 the 30th re-reported pod reaches the API about 10 s after the first (two tokens each)', () => {
    const t = readyTimes(slow.events, RESTART_MS);
    expect(t).toHaveLength(110);
    expect(t[0] - RESTART_MS).toBeLessThan(100);
    // Tokens 2 to 9 are in the burst: four reports at once; the fifth waits for token 11 (0.2 s).
    expect(t[3] - t[0]).toBeLessThan(20);
    expect(t[4] - t[0]).toBeGreaterThanOrEqual(200 - 20);
    expect(t[4] - t[0]).toBeLessThan(200 + 20);
    // The 30th: token 61, (61 - 10) / 5 = 10.2 s; the 110th: token 221, 42.2 s.
    expect(t[29] - t[0]).toBeGreaterThanOrEqual(10_200 - 20);
    expect(t[29] - t[0]).toBeLessThan(10_200 + 20);
    expect(t[109] - t[0]).toBeGreaterThanOrEqual(42_200 - 20);
    expect(t[109] - t[0]).toBeLessThan(42_200 + 20);
  });

  it('keeps the heartbeats unthrottled: the node is Ready again before the pods are', () => {
    const t = readyTimes(slow.events, RESTART_MS);
    const nodeMs = nodeReadyAgainMs(slow.events);
    expect(nodeMs - RESTART_MS).toBeLessThan(1_000);
    expect(nodeMs).toBeLessThanOrEqual(t[10]);
  });

  it('keeps the node Ready while its pod reports wait a minute and a half for tokens (QPS 1, burst 1)', () => {
    const r = run('1.37', ['spec.kubernetes.kubelet.kubeAPIQPS=1', 'spec.kubernetes.kubelet.kubeAPIBurst=1']);
    const nodeMs = nodeReadyAgainMs(r.events);
    // One report every 2 s for the 90 s left: the bucket stays dry to the end of the run.
    const t = readyTimes(r.events, RESTART_MS);
    expect(t.length).toBeGreaterThan(40);
    expect(t.length).toBeLessThan(50);
    // Lease renewals and status posts do not wait for tokens: the node lifecycle controller never sees the
    // node stale (50 s grace) again.
    expect(r.events.filter((e) => e.type === 'node.ready.changed' && e.atMs > nodeMs)).toEqual([]);
  });

  it("reports the run's 110 initial pods without waiting for tokens (they stand for pods running before t = 0)", () => {
    const t = readyTimes(slow.events, 0, STOP_MS);
    expect(t).toHaveLength(110);
    expect(t[109] - t[0]).toBeLessThan(1_000);
  });

  it('at the v1.37 defaults (50 / 100) the 110 re-reports take (221 - 100) / 50 = 2.42 s', () => {
    const r = run('1.37');
    expect(r.kubelet.kubeAPIQPS).toBe(50);
    expect(r.kubelet.kubeAPIBurst).toBe(100);
    const t = readyTimes(r.events, RESTART_MS);
    expect(t).toHaveLength(110);
    // Tokens 2 to 99 are in the burst: 49 reports at once.
    expect(t[48] - t[0]).toBeLessThan(20);
    expect(t[109] - t[0]).toBeGreaterThanOrEqual(2_420 - 20);
    expect(t[109] - t[0]).toBeLessThan(2_420 + 20);
  });

  it("the 1.26 profile's defaults are 5 / 10, as set by hand above", () => {
    const r = run('1.26');
    expect(r.kubelet.kubeAPIQPS).toBe(5);
    expect(r.kubelet.kubeAPIBurst).toBe(10);
    const t = readyTimes(r.events, RESTART_MS);
    expect(t).toHaveLength(110);
    expect(t[109] - t[0]).toBeGreaterThanOrEqual(42_200 - 20);
  });

  it('the work-ahead fast path gives the reference trace byte for byte while the bucket runs dry', () => {
    const sets = ['spec.kubernetes.kubelet.kubeAPIQPS=5', 'spec.kubernetes.kubelet.kubeAPIBurst=10'];
    const ref = run('1.37', sets, true);
    expect(toJsonl(slow.events)).toBe(toJsonl(ref.events));
    // The fast run did work ahead (fewer events dispatched).
    expect(slow.cluster.ctx.sim.dispatched).toBeLessThan(ref.cluster.ctx.sim.dispatched);
  });
});

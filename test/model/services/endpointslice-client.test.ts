// The EndpointSlice controller's writes through its own client's token bucket (docs/fidelity.md#client-rate-limits):
// kube-controller-manager builds the controller's client with ClientBuilder.ClientOrDie("endpointslice-controller"),
// so its creates, updates and deletes wait for a bucket of --kube-api-qps / --kube-api-burst (20 / 30).
// 1,000 Services of one pod each: every pod that starts is one sync and one slice create, so the creates
// cannot span less than (1,000 − 30) / 20 s at the defaults.
import { scaleScenario } from '../../../bench/scale-scenario.js';
import { runScenario } from '../../../src/runner/run-scenario.js';
import type { Scenario } from '../../../src/scenario/types.js';

function thousandServices(qps?: number, burst?: number): Scenario {
  const base = scaleScenario(60, 1000, 1000, 'defaults', true);
  const cm = base.spec.kubernetes.controllerManager;
  return {
    ...base,
    spec: {
      ...base.spec,
      durationMs: 240_000,
      kubernetes: {
        ...base.spec.kubernetes,
        controllerManager: { ...cm, kubeAPIQPS: qps ?? cm.kubeAPIQPS, kubeAPIBurst: burst ?? cm.kubeAPIBurst },
      },
      faults: [],
      slos: [],
    },
  };
}

function publications(s: Scenario): { count: number; spanMs: number; lastMs: number } {
  const { events } = runScenario(s, {});
  const first = events.filter((e) => e.type === 'service.endpoints.changed' && e.ready === 1);
  return {
    count: new Set(first.map((e) => (e as { service?: string }).service)).size,
    spanMs: first[first.length - 1].atMs - first[0].atMs,
    lastMs: first[first.length - 1].atMs,
  };
}

describe('EndpointSlice writes wait for the controller client token bucket', () => {
  it('1,000 slice creates at 20 QPS, burst 30, take at least (1,000 − 30) / 20 s', () => {
    const r = publications(thousandServices());
    expect(r.count).toBe(1000);
    // The list at the controller's start takes a token too: at most 30 creates go out at once.
    expect(r.spanMs).toBeGreaterThanOrEqual(((1000 - 30) / 20) * 1000);
    // Five workers keep the bucket busy: not much longer than the bucket's pace.
    expect(r.spanMs).toBeLessThanOrEqual(((1000 - 30) / 20) * 1000 + 20_000);
  });

  it('with a bucket that never runs dry they follow the pods within seconds', () => {
    const r = publications(thousandServices(100_000, 100_000));
    expect(r.count).toBe(1000);
    expect(r.spanMs).toBeLessThan(20_000);
  });
});

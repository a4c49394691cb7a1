// The probe worker (src/model/kubelet/prober.ts, docs/fidelity.md#probes), with cases named after
// kubernetes/kubernetes pkg/kubelet/prober/worker_test.go, and the container restart back-off after
// pkg/kubelet/kuberuntime/kuberuntime_manager_test.go (TestSyncPodBackoff) and client-go
// util/flowcontrol/backoff_test.go. Times are ms; every probe spec has a 10 s period unless a case says.
import { containerBackOff, initialResult, type ProbeInputs, ProbeWorker } from '../../../src/model/kubelet/prober.js';
import type { ProbeSpec } from '../../../src/k8s/workloads.js';

const spec = (o: Partial<ProbeSpec> = {}): ProbeSpec => ({
  initialDelayMs: 0,
  periodMs: 10_000,
  timeoutMs: 1_000,
  failureThreshold: 3,
  successThreshold: 1,
  ...o,
});
const healthy: ProbeInputs = { eligibleFromMs: 0, succeedsFromMs: 0 };
const failing: ProbeInputs = { eligibleFromMs: 0, succeedsFromMs: Infinity };

describe('TestDoProbe (pkg/kubelet/prober/worker_test.go)', () => {
  test('initial results: readiness Failure, liveness Success, startup Unknown', () => {
    expect(initialResult('readiness')).toBe('Failure');
    expect(initialResult('liveness')).toBe('Success');
    expect(initialResult('startup')).toBe('Unknown');
  });

  test('a healthy container turns ready at the first probe of the ticker', () => {
    const w = new ProbeWorker('readiness', spec(), 3_000, 0);
    expect(w.advance(Infinity, healthy)).toEqual({ atMs: 3_000, result: 'Success' });
  });

  test('a failing container keeps the readiness result Failure: no change to report', () => {
    const w = new ProbeWorker('readiness', spec(), 0, 0);
    expect(w.nextCrossing(failing)).toBeUndefined();
    expect(w.advance(100_000, failing)).toBeUndefined();
    expect(w.lastResult).toBe('Failure');
    expect(w.resultRun).toBe(10);
  });

  test('the application answering later: the first tick at or after it succeeds', () => {
    const w = new ProbeWorker('readiness', spec({ periodMs: 5_000 }), 1_000, 0);
    expect(w.nextCrossing({ eligibleFromMs: 0, succeedsFromMs: 12_000 })).toEqual({ atMs: 16_000, result: 'Success' });
  });
});

describe('TestInitialDelay (pkg/kubelet/prober/worker_test.go)', () => {
  test('no probe counts within initialDelaySeconds of the container start', () => {
    const w = new ProbeWorker('readiness', spec({ initialDelayMs: 25_000 }), 0, 0);
    // Ticks at 0, 10 s, 20 s are skipped; the one at 30 s is the first probe.
    expect(w.nextCrossing({ eligibleFromMs: 25_000, succeedsFromMs: 0 })).toEqual({ atMs: 30_000, result: 'Success' });
  });

  test('a tick exactly initialDelaySeconds after the start is probed', () => {
    const w = new ProbeWorker('readiness', spec({ initialDelayMs: 20_000 }), 0, 0);
    expect(w.nextCrossing({ eligibleFromMs: 20_000, succeedsFromMs: 0 })?.atMs).toBe(20_000);
  });
});

describe('TestFailureThreshold (pkg/kubelet/prober/worker_test.go)', () => {
  test('readiness: Success until the third failure in a row, then Failure', () => {
    const w = new ProbeWorker('readiness', spec(), 0, 0);
    expect(w.advance(1, healthy)).toEqual({ atMs: 0, result: 'Success' });
    // Ticks at 10-30 s succeed; the application fails from 35 s: 40 s and 50 s fail without a change, 60 s does.
    expect(w.advance(35_000, healthy)).toBeUndefined();
    expect(w.advance(Infinity, failing)).toEqual({ atMs: 60_000, result: 'Failure' });
  });

  test('a success between failures starts the count again', () => {
    const w = new ProbeWorker('readiness', spec(), 0, 0);
    w.advance(1, healthy);
    expect(w.advance(25_000, failing)).toBeUndefined(); // failures at 10 s and 20 s
    expect(w.advance(35_000, healthy)).toBeUndefined(); // success at 30 s
    expect(w.resultRun).toBe(1);
    expect(w.advance(Infinity, failing)).toEqual({ atMs: 60_000, result: 'Failure' });
  });

  test('liveness: the failure puts the worker on hold (no more probes until the container is replaced)', () => {
    const w = new ProbeWorker('liveness', spec({ failureThreshold: 2 }), 0, 0);
    expect(w.advance(Infinity, failing)).toEqual({ atMs: 10_000, result: 'Failure' });
    expect(w.onHold).toBe(true);
    expect(w.resultRun).toBe(0);
    expect(w.advance(Infinity, healthy)).toBeUndefined();
  });
});

describe('TestSuccessThreshold (pkg/kubelet/prober/worker_test.go)', () => {
  test('readiness with successThreshold 3: Ready after the third success in a row', () => {
    const w = new ProbeWorker('readiness', spec({ successThreshold: 3 }), 0, 0);
    expect(w.advance(Infinity, healthy)).toEqual({ atMs: 20_000, result: 'Success' });
  });

  test('a failure in between starts the successes again', () => {
    const w = new ProbeWorker('readiness', spec({ successThreshold: 3 }), 0, 0);
    expect(w.advance(15_000, healthy)).toBeUndefined(); // successes at 0 and 10 s
    expect(w.advance(25_000, failing)).toBeUndefined(); // failure at 20 s
    expect(w.advance(Infinity, healthy)).toEqual({ atMs: 50_000, result: 'Success' });
  });
});

describe('TestStartupProbe (pkg/kubelet/prober/worker_test.go: startup gates the others)', () => {
  test('startup succeeds at the first tick the application answers; the readiness ticks after it count', () => {
    const startup = new ProbeWorker('startup', spec({ periodMs: 2_000, failureThreshold: 30 }), 0, 0);
    expect(startup.advance(Infinity, { eligibleFromMs: 0, succeedsFromMs: 7_000 })).toEqual({
      atMs: 8_000,
      result: 'Success',
    });
    const readiness = new ProbeWorker('readiness', spec(), 0, 0);
    expect(readiness.nextCrossing({ eligibleFromMs: 8_001, succeedsFromMs: 7_000 })).toEqual({
      atMs: 10_000,
      result: 'Success',
    });
  });

  test('startup fails after failureThreshold failures and goes on hold (the container is restarted)', () => {
    const w = new ProbeWorker('startup', spec({ periodMs: 2_000, failureThreshold: 5 }), 0, 0);
    expect(w.advance(Infinity, { eligibleFromMs: 0, succeedsFromMs: 60_000 })).toEqual({
      atMs: 8_000,
      result: 'Failure',
    });
    expect(w.onHold).toBe(true);
  });
});

describe('TestSyncPodBackoff (pkg/kubelet/kuberuntime/kuberuntime_manager_test.go, flowcontrol backoff)', () => {
  test('the first restart is at once, then 10 s doubling to the 300 s maximum', () => {
    let state: { backOffMs: number; lastExitMs: number } | undefined;
    const waits: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      const r = containerBackOff(state, t);
      waits.push(r.waitMs);
      state = r.state;
      t += r.waitMs + 1_000;
    }
    expect(waits).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  test('an exit more than 10 minutes after the previous one starts the back-off again', () => {
    const first = containerBackOff(undefined, 0);
    const second = containerBackOff(first.state, 5_000);
    expect(second.waitMs).toBe(10_000);
    expect(containerBackOff(second.state, 5_000 + 600_001).waitMs).toBe(0);
    expect(containerBackOff(second.state, 5_000 + 600_000).waitMs).toBe(20_000);
  });
});

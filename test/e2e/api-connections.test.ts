// Clients pinned to one API server by their HTTP/2 connection (docs/fidelity.md#network): a host that
// answers nothing keeps its clients' connections open until the health check (30 s + 15 s) or, for a
// kubelet, its close-all after a repeated heartbeat failure; a stopped API server process closes them at
// once. Upstream vectors: pkg/kubelet/kubelet_node_status_test.go TestUpdateExistingNodeStatusTimeout (every
// failed status try after the first calls onRepeatedHeartbeatFailure) and
// staging/src/k8s.io/component-helpers/apimachinery/lease/controller_test.go TestRetryUpdateNodeLease
// ("connection errors": the lease controller calls it too; "optimistic lock errors": a Conflict does not).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { stableIndex } from '../../src/model/apiserver/api-server.js';

const CLUSTER = `
apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: api-connections }
spec:
  seed: 1
  duration: 3m
  kubernetes:
    version: "1.31"
    controllerManager: { replicas: 3 }
    scheduler: { replicas: 1 }
    apiServer: { replicas: 3 }
    etcd: { members: 3 }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker, count: 6, zone: zone-a }
  faults:
    - name: apiserver-1
      type: FAULT
      at: 1m
      duration: 1m
      target: { instance: kube-apiserver-control-plane-1 }
`;

function run(faultType: string, extra = '') {
  const text = CLUSTER.replace('FAULT', faultType) + extra;
  const parsed = parseScenarioText(text, { file: 'api-connections.yaml' });
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
  return runScenario(parsed.scenario, { seed: 1, traceHeartbeats: true });
}

/** Workers whose connection goes to the API server on control-plane-1 (the load balancer places them by name). */
const onReplica1 = Array.from({ length: 6 }, (_, i) => `worker-${i}`).filter((n) => stableIndex(n, 3) === 1);

/** The longest gap between two lease renewals of `node` after `fromMs`. */
function longestRenewalGapMs(events: TraceEvent[], node: string, fromMs: number): number {
  const at = events.filter((e) => e.type === 'node.lease.renewed' && e.node === node).map((e) => e.atMs);
  let gap = 0;
  for (let i = 1; i < at.length; i++) if (at[i] >= fromMs) gap = Math.max(gap, at[i] - at[i - 1]);
  return gap;
}

describe('kubelet connections to an API server that stops answering', () => {
  expect(onReplica1.length).toBeGreaterThan(0);

  test("TestRetryUpdateNodeLease (connection errors): the kubelet's second failed renewal closes its connections and the third reaches another API server, before the 45 s health check and the 40 s grace period", () => {
    // Cut every worker off from control-plane-1 (no RST: the connection stays open).
    const { events } = run('network-partition', '      from: { labels: {} }\n');
    for (const node of onReplica1) {
      const gap = longestRenewalGapMs(events, node, 60_000);
      // The renewal in flight and the next one time out (10 s each, heartbeat client timeout), then the
      // kubelet closes its connections: 20-30 s without a renewal, never the 45 s of the health check.
      expect(gap).toBeGreaterThan(20_000);
      expect(gap).toBeLessThan(31_000);
    }
    const marked = events.filter((e) => e.type === 'node.ready.changed' && e.by === 'node-lifecycle-controller');
    expect(marked).toEqual([]);
  });

  test('a stopped API server process (graceful: GOAWAY) moves its kubelets at their next renewal', () => {
    const { events } = run('apiserver-outage');
    for (const node of onReplica1) expect(longestRenewalGapMs(events, node, 60_000)).toBeLessThan(11_000);
  });
});

describe('kubernetes#125530: the controller-manager standby whose connection goes to the leader host', () => {
  // The scenario powers the leader's host off; cut off instead (a partition), its API server still
  // answers the kubelets connected to it, Unavailable without etcd: they must go elsewhere in time.
  test.each([
    ['powered off', []],
    ['cut off', ['spec.faults[0].type=network-partition']],
  ])(
    "%s with the leader's host, the standby waits for the health check, then up to a lease duration: about 45-75 s to a new leader",
    (_how, sets) => {
      const file = 'kcm-leader-power-off.yaml';
      const parsed = parseScenarioText(readFileSync(join('scenarios', 'validation', file), 'utf8'), { file, sets });
      if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
      const took: number[] = [];
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const { events } = runScenario(parsed.scenario, { seed });
        // Cut off, the kubelets whose connections went to that host (its API server still answers them,
        // Unavailable, without etcd) close them at their second failed heartbeat, and the load balancer,
        // whose health check sees that server not ready, sends them elsewhere: no node goes Unknown.
        // Powered off, nothing answers them: the same close-all sends them elsewhere.
        expect(events.filter((e) => e.type === 'node.ready.changed' && e.to === 'Unknown')).toEqual([]);
        const cut = events.find((e) => e.type === 'fault.started')!;
        const next = events.find(
          (e) => e.type === 'leader.acquired' && e.component === 'kube-controller-manager' && e.atMs > cut.atMs,
        )!;
        took.push(next.atMs - cut.atMs);
      }
      // The lease alone (25 s) would give about 25-30 s.
      expect(Math.min(...took)).toBeGreaterThan(44_000);
      expect(Math.max(...took)).toBeLessThan(77_000);
      // Both cases occur: the standby had seen the leader's last renewal (health check only), or had not
      // (a fresh leaseDuration after reconnecting).
      expect(took.some((t) => t < 50_000)).toBe(true);
      expect(took.some((t) => t > 65_000)).toBe(true);
    },
  );

  test('spec.kubernetes.http2 sets the health check (HTTP2_READ_IDLE_TIMEOUT_SECONDS, HTTP2_PING_TIMEOUT_SECONDS): with 5s + 5s the lease, not the health check, decides', () => {
    const file = 'kcm-leader-power-off.yaml';
    const text = readFileSync(join('scenarios', 'validation', file), 'utf8');
    const sets = ['spec.kubernetes.http2.readIdleTimeout=5s', 'spec.kubernetes.http2.pingTimeout=5s'];
    const parsed = parseScenarioText(text, { file, sets });
    if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
    expect(parsed.scenario.spec.kubernetes.http2).toEqual({ readIdleTimeoutMs: 5_000, pingTimeoutMs: 5_000 });
    const defaults = parseScenarioText(text, { file });
    if (!defaults.ok) throw new Error(formatIssues(defaults.issues));
    const nextLeaderMs = (scenario: typeof parsed.scenario, seed: number) => {
      const { events } = runScenario(scenario, { seed });
      const cut = events.find((e) => e.type === 'fault.started')!;
      return (
        events.find(
          (e) => e.type === 'leader.acquired' && e.component === 'kube-controller-manager' && e.atMs > cut.atMs,
        )!.atMs - cut.atMs
      );
    };
    for (const seed of [1, 3]) {
      const faster = nextLeaderMs(parsed.scenario, seed);
      const slower = nextLeaderMs(defaults.scenario, seed);
      // With 5 s + 5 s the standby reconnects 10 s after its last read, and the lease (25 s, counted
      // from the last change it saw) decides: never the 45 s of the defaults' health check.
      expect(faster).toBeLessThan(44_000);
      expect(slower).toBeGreaterThan(44_000);
      expect(slower - faster).toBeGreaterThan(15_000);
    }
  });

  test('a zero pingTimeout means 15 s, as in golang.org/x/net/http2', () => {
    const parsed = parseScenarioText(CLUSTER.replace('FAULT', 'apiserver-outage'), {
      file: 'api-connections.yaml',
      sets: ['spec.kubernetes.http2.pingTimeout=0s'],
    });
    if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
    expect(parsed.scenario.spec.kubernetes.http2).toEqual({ readIdleTimeoutMs: 30_000, pingTimeoutMs: 15_000 });
  });
});

// node-crash on a control-plane host (src/chaos/faults.ts nodeCrash): `instance: leader` powers off the
// host of a component's leader, with every member it runs (API server, etcd member, controller manager,
// scheduler), as a zone outage does to the hosts of its zone; a standby takes the lease once it has
// expired, and with a duration the host comes back with its members.
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import type { TraceEvent } from '../../src/trace/events.js';

function run(target: string, seed = 1) {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: cp-crash }
spec:
  duration: 5m
  kubernetes:
    controllerManager: { replicas: 3 }
    scheduler: { replicas: 3 }
    apiServer: { replicas: 3 }
    etcd: { members: 3 }
  controlPlane: { zones: [zone-a, zone-b, zone-c] }
  nodes:
    - { name: worker, count: 3, zone: zone-a }
  workloads:
    - { kind: Deployment, name: web, replicas: 3 }
  faults:
    - { name: down, type: node-crash, at: 1m, duration: 2m, target: ${target} }
`;
  const parsed = parseScenarioText(text, { file: 'cp-crash.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, { seed });
}

const of = <T extends TraceEvent['type']>(events: readonly TraceEvent[], type: T) =>
  events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);

/** The leader of a component's Lease just before `atMs`, from the trace. */
function leaderBefore(events: readonly TraceEvent[], component: string, atMs: number): string | undefined {
  let leader: string | undefined;
  for (const e of of(events, 'leader.acquired')) if (e.atMs < atMs && e.component === component) leader = e.instance;
  return leader;
}

describe('node-crash on a control-plane host', () => {
  it.each([1, 2, 3])(
    "powers off the controller-manager leader's host, and a standby on another host takes over (seed %i)",
    (seed) => {
      const { events } = run('{ instance: leader }', seed);
      const leader = leaderBefore(events, 'kube-controller-manager', 60_000)!;
      const host = leader.replace('kube-controller-manager-', '');
      const fault = of(events, 'fault.started')[0];
      expect(fault.targets).toEqual([host]);
      expect(of(events, 'host.powered.off').map((e) => [e.atMs, e.host])).toEqual([[60_000, host]]);
      // Every member on that host stops with it.
      const stopped = of(events, 'component.stopped')
        .filter((e) => e.atMs === 60_000)
        .map((e) => e.instance);
      expect(stopped).toEqual(
        expect.arrayContaining([`kube-controller-manager-${host}`, `kube-apiserver-${host}`, `etcd-${host}`]),
      );
      // A standby elsewhere leads once the dead leader's 15 s lease has run out (plus its retry period).
      const next = of(events, 'leader.acquired').find(
        (e) => e.component === 'kube-controller-manager' && e.atMs > 60_000,
      )!;
      expect(next.instance).not.toContain(host);
      expect(next.atMs - 60_000).toBeGreaterThanOrEqual(13_000);
      expect(next.atMs - 60_000).toBeLessThan(80_000);
      // The host comes back with the fault's end, its members with it.
      expect(of(events, 'host.powered.on').map((e) => [e.atMs, e.host])).toEqual([[180_000, host]]);
      // No worker node was touched.
      expect(of(events, 'node.ready.changed').filter((e) => e.atMs > 60_000)).toEqual([]);
    },
  );

  it("with component: kube-scheduler, powers off the scheduler leader's host", () => {
    const { events } = run('{ instance: leader, component: kube-scheduler }');
    const leader = leaderBefore(events, 'kube-scheduler', 60_000)!;
    expect(of(events, 'host.powered.off').map((e) => e.host)).toEqual([leader.replace('kube-scheduler-', '')]);
  });

  it("by member name, powers off that member's host", () => {
    const { events } = run('{ instances: [etcd-control-plane-2] }');
    expect(of(events, 'host.powered.off').map((e) => e.host)).toEqual(['control-plane-2']);
  });
});

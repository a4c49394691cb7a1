// eviction-time in a cluster with a DaemonSet, end to end (issue 19): the DaemonSet's pod on the crashed
// node is never evicted (it tolerates unreachable forever, as upstream), and the SLO no longer waits for it.
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';

const SCENARIO = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: ds-crash }
spec:
  duration: 10m
  nodes: [{ name: worker, count: 3, zone: zone-a }]
  workloads:
    - { kind: Deployment, name: web, replicas: 3 }
    - { kind: DaemonSet, name: node-agent }
  faults:
    - { name: crash, type: node-crash, at: 1m, target: { node: worker-1 } }
  slos:
    - { name: evicted, type: eviction-time, after: crash, max: 7m }
    - { name: web evicted, type: eviction-time, after: crash, workload: Deployment/web, max: 7m }
`;

function parse(text: string) {
  const parsed = parseScenarioText(text, { file: 'ds.yaml' });
  if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
  return parsed.scenario;
}

it('passes although the DaemonSet pod on the crashed node is never deleted', () => {
  const { summary, events } = runScenario(parse(SCENARIO), { seed: 1 });
  const dsPods = events.filter((e) => e.type === 'pod.created' && e.workload === 'DaemonSet/node-agent');
  expect(dsPods).toHaveLength(3);
  const dsOnCrashed = events.find(
    (e) => e.type === 'pod.scheduled' && e.node === 'worker-1' && dsPods.some((p) => 'pod' in p && p.pod === e.pod),
  );
  expect(dsOnCrashed).toBeDefined();
  const dsPod = (dsOnCrashed as { pod: string }).pod;
  expect(events.some((e) => e.type === 'pod.deleted' && e.pod === dsPod)).toBe(false);
  expect(summary.slos.map((s) => [s.name, s.passed])).toEqual([
    ['evicted', true],
    ['web evicted', true],
  ]);
  expect(summary.slos[0].message).toMatch(/^all 1 pods on the hit nodes were deleted after 5m\d/);
  expect(summary.slos[1].message).toMatch(/^all 1 pods of Deployment\/web on the hit nodes were deleted/);
});

it('rejects a DaemonSet as the workload of eviction-time, saying why', () => {
  const parsed = parseScenarioText(SCENARIO.replace('workload: Deployment/web', 'workload: DaemonSet/node-agent'), {
    file: 'ds.yaml',
  });
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(formatIssues(parsed.issues)).toBe(
    'ds.yaml:14:73: error: spec.slos[1].workload: eviction-time cannot measure DaemonSet/node-agent: DaemonSet pods tolerate unreachable and not-ready forever, so they are never evicted (eviction-time ignores them)',
  );
});

it('an unknown workload is an error with a suggestion', () => {
  const parsed = parseScenarioText(SCENARIO.replace('workload: Deployment/web', 'workload: Deployment/wbe'), {
    file: 'ds.yaml',
  });
  expect(parsed.ok).toBe(false);
  if (!parsed.ok)
    expect(formatIssues(parsed.issues)).toContain('unknown workload "Deployment/wbe" (did you mean "Deployment/web"?)');
});

// The failing cases of issue 18, run for real: each report format must name the cause of a workload that
// did not come back, in the wording the trace gives (the scheduler's upstream message, a StatefulSet pod
// stuck Terminating on a dead node and what releases it), and each fault's chain from hit to Ready.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { causesOf, faultChains, chainLine, renderReports, renderTextSummary } from '../../src/report/index.js';

function run(file: string, sets: string[]) {
  const parsed = parseScenarioText(readFileSync(join(process.cwd(), 'scenarios', file), 'utf8'), { file, sets });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return runScenario(parsed.scenario, {});
}

const SPREAD_REASON =
  "0/9 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 6 node(s) didn't match pod topology spread constraints.";

describe('a zone spread constraint keeping replacements Pending during a zone outage', () => {
  // The scenario's recovery SLO allows the whole outage; 6m is what an SRE without the spread constraint expects.
  const { summary, events } = run('zone-outage-topology-spread.yaml', ['spec.slos[2].max=6m']);
  const slo = summary.slos.find((s) => s.type === 'recovery-time')!;

  it("lists the Pending replacements with the scheduler's last reason, at the deadline", () => {
    expect(slo.passed).toBe(false);
    const c = causesOf(slo, summary, events)!;
    expect(c.moment).toBe('the deadline');
    expect(c.atMs).toBe(8 * 60_000);
    expect([c.ready, c.desired]).toEqual([6, 9]);
    const pending = c.pods.filter((p) => p.state === 'Pending');
    expect(pending).toHaveLength(2);
    for (const p of pending) expect(p.why).toContain(`"${SPREAD_REASON}"`);
    // The evicted pods are Terminating on dead nodes, but the ReplicaSet counted them out at once.
    expect(c.pods.filter((p) => p.state === 'Terminating')).toHaveLength(0);
    expect(c.terminatingReplaced).toBe(2);
    expect(c.pods.filter((p) => p.state === 'Stopped').map((p) => p.node)).toEqual(['worker-c-1']);
  });

  it('names the cause in the terminal, HTML, Markdown and JUnit', () => {
    const text = renderTextSummary(summary, { color: false, events });
    expect(text).toContain('    at the deadline, 08:00.0, Deployment/catalog had 6/9 Ready; not Ready:\n');
    expect(text).toContain(
      `    - 2 pods Pending since 07:41.1–07:51.1 (catalog-tkg62qmc8w-22t74, catalog-tkg62qmc8w-xtbxk): the scheduler's last attempt at 07:41.1: "${SPREAD_REASON}"\n`,
    );
    const files = renderReports(summary, events);
    expect(files['report.md']).toContain('### Why');
    expect(files['report.md']).toContain(`- 2 pods Pending since 07:41.1–07:51.1`);
    expect(files['report.md']).toContain(SPREAD_REASON);
    expect(files['report.html']).toContain('didn&#39;t match pod topology spread constraints.&quot;</li>');
    expect(files['junit.xml']).toContain('at the deadline, 08:00.0, Deployment/catalog had 6/9 Ready; not Ready:');
    expect(files['junit.xml']).toContain('didn&#39;t match pod topology spread constraints.');
  });

  it("gives the fault's chain from hit to Ready, with how long the replacements were Pending", () => {
    const [chain] = faultChains(events);
    expect(chainLine(chain)).toBe(
      'zone-c-power (zone-outage): hit 02:00.0 (3 nodes) → detected +36.1s (3/3 nodes, last +41.1s) → tainted +41.1s (3/3 nodes, last +1m1.1s) → evicted +5m41.1s (3/3 pods, last +6m1.1s) → replaced +5m41.1s (3/3 pods, last +6m1.1s) → ended +10m → scheduled +10m46.9s (3/3 pods, last +10m52.9s) → Ready +10m51.9s (3/3 pods, last +10m57.9s)',
    );
    const text = renderTextSummary(summary, { color: false, events });
    // The last failed attempt came as zone-c returned: one node still unreachable, two already past the
    // node lifecycle controller's untaint but still carrying the cloud's shutdown taint (cleared at the
    // cloud controller's next pass once they are Ready).
    expect(text).toContain(
      `    scheduled: Pending up to 5m5.7s; the scheduler said "0/9 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) had untolerated taint {node.cloudprovider.kubernetes.io/shutdown: }, 6 node(s) didn't match pod topology spread constraints."`,
    );
    expect(renderReports(summary, events)['report.html']).toContain(
      '<li>evicted +5m41.1s (3/3 pods, last +6m1.1s)</li>',
    );
  });
});

describe('a StatefulSet pod stuck Terminating on a dead node', () => {
  const { summary, events } = run('statefulset-node-crash.yaml', [
    'spec.slos[4]={name: ledger back within 10m, type: recovery-time, workload: StatefulSet/ledger, after: worker-b-1-power-loss, max: 10m}',
  ]);
  const slo = summary.slos.find((s) => s.name === 'ledger back within 10m')!;
  const RELEASE =
    'It is released by deleting the Node, adding the node.kubernetes.io/out-of-service taint, or force-deleting the pod';

  it('says the StatefulSet waits for the old pod, since when, on which node, and what releases it', () => {
    const c = causesOf(slo, summary, events)!;
    expect(c.pods).toHaveLength(1);
    const [p] = c.pods;
    expect(p).toMatchObject({ pod: 'ledger-1', state: 'Terminating', sinceMs: 457_518, node: 'worker-b-1' });
    expect(p.nodeStatus).toBe(
      'powered off since 02:00.0, Ready=Unknown since 02:32.4, tainted node.kubernetes.io/unreachable:NoExecute at 02:37.5',
    );
    expect(p.why).toContain('The StatefulSet will not create a new pod with this name until the old one is gone');
    expect(p.why).toContain(RELEASE);
  });

  it('in every format', () => {
    const files = renderReports(summary, events);
    const text = renderTextSummary(summary, { color: false, events });
    for (const out of [text, files['report.md'], files['report.html'], files['junit.xml']]) {
      expect(out).toContain('ledger-1 Terminating since 07:37.5 on worker-b-1 (powered off since 02:00.0');
      expect(out).toContain(RELEASE);
    }
    expect(text).toContain(
      'worker-b-1-power-loss (node-crash): hit 02:00.0 (1 node) → detected +32.4s (1/1 node) → tainted +37.5s (1/1 node) → evicted +5m37.5s (1/1 pod)\n',
    );
  });

  it('explains nothing for SLOs that held', () => {
    for (const s of summary.slos.filter((x) => x.passed)) expect(causesOf(s, summary, events)).toBeUndefined();
  });
});

describe('pods cut off by a partition', () => {
  const { summary, events } = run('zone-partition.yaml', ['spec.slos[2].max=1m']);
  const slo = summary.slos.find((s) => s.type === 'recovery-time')!;

  it('are running but not Ready, marked so by the node lifecycle controller', () => {
    const text = renderTextSummary(summary, { color: false, events });
    expect(text).toContain(
      '    - 2 pods Running since 01:36.1–01:41.1 (web-s58jmw2cdn-96r9r, web-s58jmw2cdn-pkb6s) on 2 nodes (worker-a-0, worker-a-1): containers run, but the node lifecycle controller marked the pod not Ready at 01:36.1 because its node stopped reporting\n',
    );
    expect(causesOf(slo, summary, events)!.pods.map((p) => p.state)).toEqual(['Running', 'Running']);
  });
});

describe('a node crash while every API server is down', () => {
  // node-crash.yaml with an 8-minute API server outage 30 s after the crash: no controller-manager can
  // lead, so nothing marks the node, taints it or replaces its pod until the API returns.
  function crashDuringOutage(outage: string, bound: string) {
    const text = readFileSync(join(process.cwd(), 'scenarios', 'node-crash.yaml'), 'utf8');
    const head = text.slice(0, text.indexOf('  faults:')).replace(/duration: \d+m/, 'duration: 12m');
    const file = `${head}  faults:
    - { name: worker-b-1-power-loss, type: node-crash, at: 2m, target: { node: worker-b-1 } }
    - { name: api-down, type: apiserver-outage, at: 2m30s, duration: ${outage} }
  slos:
    - { name: storefront back, type: recovery-time, workload: Deployment/storefront, after: worker-b-1-power-loss, max: ${bound} }
`;
    const parsed = parseScenarioText(file, { file: 'crash-during-api-outage.yaml' });
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
    return runScenario(parsed.scenario, {});
  }

  it('names the missing leaders and the stopped API servers as the cause, in every format', () => {
    const { summary, events } = crashDuringOutage('8m', '8m');
    const slo = summary.slos[0];
    expect(slo.passed).toBe(false);
    const c = causesOf(slo, summary, events)!;
    expect(c.controlPlane).toMatch(
      /^the control plane could not act: no kube-controller-manager leader since 02:(3[89]|4[0-2])\.\d /,
    );
    expect(c.controlPlane).toMatch(/no kube-scheduler leader since 02:(3[89]|4[0-2])\.\d /);
    expect(c.controlPlane).toContain(
      'kube-apiserver-control-plane-0, kube-apiserver-control-plane-1, kube-apiserver-control-plane-2 stopped since 02:30.0',
    );
    const stopped = c.pods.find((p) => p.state === 'Stopped')!;
    expect(stopped.why).toMatch(
      /no kube-controller-manager has been leading since 02:(3[89]|4[0-2])\.\d, so no node lifecycle/,
    );
    const text = renderTextSummary(summary, { color: false, events });
    expect(text).toContain('The control plane could not act: no kube-controller-manager leader since 02:');
    const files = renderReports(summary, events);
    for (const name of ['report.md', 'junit.xml', 'report.html'] as const)
      expect(String(files[name])).toContain('The control plane could not act');
  });

  it('names a leaderless span that ended before the deadline', () => {
    const { summary, events } = crashDuringOutage('3m', '6m');
    const c = causesOf(summary.slos[0], summary, events)!;
    expect(c.controlPlane).toMatch(
      /^the control plane was out for part of the time: no kube-controller-manager leader for \dm\d+(\.\d)?s \(02:(3[89]|4[0-2])\.\d–0[56]:\d\d\.\d\)/,
    );
  });

  it('says nothing of the control plane when it was whole', () => {
    const { summary, events } = run('zone-outage-topology-spread.yaml', ['spec.slos[2].max=6m']);
    const slo = summary.slos.find((s) => s.type === 'recovery-time')!;
    expect(causesOf(slo, summary, events)!.controlPlane).toBeUndefined();
  });
});

describe('a StatefulSet replacement pinned to the zone of its disk, whose only node is down', () => {
  const text = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: pg-crash }
spec:
  duration: 20m
  kubernetes: { version: "1.31" }
  nodes:
    - { name: db-a, count: 1, zone: zone-a }
    - { name: db-b, count: 1, zone: zone-b }
    - { name: db-c, count: 1, zone: zone-c }
  workloads:
    - kind: StatefulSet
      name: pg
      replicas: 3
      spreadAcrossZones: true
      volumeClaimTemplates: [{ name: pgdata, accessModes: [ReadWriteOnce], storage: 100Gi }]
  faults:
    - { name: crash, type: node-crash, at: 2m, target: { node: db-b } }
    - { name: fd, type: pod-force-delete, at: 8m, target: { workload: StatefulSet/pg } }
  slos:
    - { name: pg back within 10m, type: recovery-time, workload: StatefulSet/pg, after: crash, max: 10m }
`;
  const parsed = parseScenarioText(text, { file: 'pg-crash.yaml' });
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  const { summary, events } = runScenario(parsed.scenario, {});

  it("says the pod's disk holds it in the down zone, since the scheduler's message names node affinity", () => {
    const slo = summary.slos[0];
    expect(slo.passed).toBe(false);
    const c = causesOf(slo, summary, events)!;
    const pending = c.pods.find((p) => p.state === 'Pending')!;
    expect(pending.why).toContain("didn't match Pod's node affinity/selector");
    expect(pending.why).toContain('its disk pgdata-pg-1 is in zone-b, so it can run only there');
  });
});

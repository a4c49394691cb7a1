// Control-plane hosts as targets of network-partition, network-degrade, clock-skew and node-crash: the selectors
// they accept, what the loader fills in, and the messages for what they do not accept (pinned: they
// are the words an SRE reads).
import { formatIssues, parseScenarioText, type Scenario } from '../../src/scenario/index.js';

const BASE = `apiVersion: hasim.dev/v1
kind: Scenario
metadata:
  name: cp-targets
spec:
  duration: 30m
  kubernetes:
    controllerManager: { replicas: 3 }
    scheduler: { replicas: 2 }
    apiServer: { replicas: 3 }
    etcd: { members: 3 }
  nodes:
    - { name: worker-a, count: 2, zone: zone-a }
  faults:
`;

function load(faults: string): Scenario {
  const r = parseScenarioText(BASE + faults, { file: 'test.yaml' });
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.scenario;
}

function problems(faults: string): string {
  const r = parseScenarioText(BASE + faults, { file: 'test.yaml' });
  if (r.ok) throw new Error('expected problems');
  return formatIssues(r.issues);
}

describe('control-plane hosts as fault targets', () => {
  test('network faults and clock-skew accept instance, instances and leader; leader defaults to the controller-manager', () => {
    const s = load(`    - { name: p1, type: network-partition, at: 1m, target: { instance: leader } }
    - { name: p2, type: network-partition, at: 1m, target: { instance: leader, component: kube-scheduler }, from: { instances: [etcd-control-plane-0, kube-apiserver-control-plane-1] } }
    - { name: p3, type: network-partition, at: 1m, target: { zone: zone-a }, from: { instance: leader } }
    - { name: d1, type: network-degrade, at: 1m, target: { instances: [leader, etcd-control-plane-2] }, loss: 0.5 }
    - { name: c1, type: clock-skew, at: 1m, target: { instance: leader, component: kube-controller-manager }, rate: 0.5 }
    - { name: c2, type: clock-skew, at: 1m, target: { instance: kube-scheduler-control-plane-1 }, offset: 10s }
    - { name: k1, type: controller-manager-crash, at: 1m, target: { instance: leader, component: kube-controller-manager } }
    - { name: n1, type: node-crash, at: 1m, target: { instance: leader, component: kube-scheduler } }
    - { name: n2, type: node-crash, at: 1m, target: { instances: [etcd-control-plane-2] } }
`);
    expect(s.spec.faults.map((f) => [f.name, f.target, f.from])).toEqual([
      ['p1', { instance: 'leader', component: 'kube-controller-manager' }, { controlPlane: true }],
      [
        'p2',
        { instance: 'leader', component: 'kube-scheduler' },
        { instances: ['etcd-control-plane-0', 'kube-apiserver-control-plane-1'] },
      ],
      ['p3', { zone: 'zone-a' }, { instance: 'leader', component: 'kube-controller-manager' }],
      ['d1', { instances: ['leader', 'etcd-control-plane-2'], component: 'kube-controller-manager' }, undefined],
      ['c1', { instance: 'leader', component: 'kube-controller-manager' }, undefined],
      ['c2', { instance: 'kube-scheduler-control-plane-1' }, undefined],
      ['k1', { instance: 'leader', component: 'kube-controller-manager' }, undefined],
      ['n1', { instance: 'leader', component: 'kube-scheduler' }, undefined],
      ['n2', { instances: ['etcd-control-plane-2'] }, undefined],
    ]);
  });

  test('pinned messages: component in the wrong place, a contradicting component, leader of a component without one', () => {
    expect(
      problems(`    - { name: a, type: network-partition, at: 1m, target: { instance: etcd-control-plane-0, component: kube-scheduler } }
    - { name: b, type: kubelet-stop, at: 1m, target: { node: worker-a-0, component: kube-scheduler } }
    - { name: c, type: scheduler-crash, at: 1m, target: { instance: leader, component: kube-controller-manager } }
    - { name: d, type: etcd-member-down, at: 1m, target: { instance: leader } }
    - { name: e, type: clock-skew, at: 1m, target: { instance: leader, component: kube-schedular }, rate: 2 }
`),
    ).toBe(
      [
        'test.yaml:15:104: error: spec.faults[0].target.component: "component" goes with instance: leader (it says whose leader); an instance name already names its component',
        'test.yaml:16:85: error: spec.faults[1].target.component: "component" does not apply to a kubelet-stop fault\'s target',
        'test.yaml:17:88: error: spec.faults[2].target.component: a scheduler-crash fault always hits kube-scheduler; component "kube-controller-manager" contradicts it',
        '  hint: to crash the kube-controller-manager leader use type: controller-manager-crash; or leave component out',
        'test.yaml:18:70: error: spec.faults[3].target.instance: "leader" names the leader of kube-controller-manager or kube-scheduler, not etcd\'s raft leader, which is elected as the run goes: for etcd-member-down give an instance name (defined: etcd-control-plane-0, etcd-control-plane-1, etcd-control-plane-2)',
        'test.yaml:19:83: error: spec.faults[4].target.component: unknown component "kube-schedular" (did you mean "kube-scheduler"?)',
      ].join('\n'),
    );
  });

  test('pinned messages: misspelt instances suggest a name; a control-plane host written as a node says how to select it', () => {
    expect(
      problems(`    - { name: a, type: network-partition, at: 1m, target: { instance: kube-controller-manager-control-plane-9 } }
    - { name: b, type: network-degrade, at: 1m, target: { instance: leadr }, latency: 50ms }
    - { name: c, type: network-partition, at: 1m, target: { node: control-plane-1 } }
    - { name: d, type: clock-skew, at: 1m, target: { instances: [etcd-control-plane-0, control-plane-2] }, rate: 2 }
`),
    ).toBe(
      [
        'test.yaml:15:71: error: spec.faults[0].target.instance: unknown control-plane instance "kube-controller-manager-control-plane-9" (did you mean "kube-controller-manager-control-plane-0"?)',
        'test.yaml:16:69: error: spec.faults[1].target.instance: unknown control-plane instance "leadr" (did you mean "leader"?)',
        'test.yaml:17:67: error: spec.faults[2].target.node: unknown node "control-plane-1" (defined: worker-a-0, worker-a-1)',
        '  hint: control-plane-1 is a control-plane host, not a worker node; select it by a member it runs, e.g. { instance: kube-apiserver-control-plane-1 }',
        'test.yaml:18:88: error: spec.faults[3].target.instances[1]: unknown control-plane instance "control-plane-2" (defined: leader, kube-apiserver-control-plane-0, kube-apiserver-control-plane-1, kube-apiserver-control-plane-2, etcd-control-plane-0, etcd-control-plane-1, etcd-control-plane-2, kube-controller-manager-control-plane-0, ... (15 in all))',
        '  hint: control-plane-2 is a control-plane host; select it by a member it runs, e.g. { instance: kube-apiserver-control-plane-2 }',
      ].join('\n'),
    );
  });
});

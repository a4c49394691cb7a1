// Sizes are held to Kubernetes' published limits (or hasim's, where Kubernetes has none) before
// anything is expanded; --allow-large lifts them to hasim's ceilings. Messages pinned.
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';

const BASE = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: p }
spec:
  duration: 2m
  nodes:
    - { name: w, count: 3, zone: zone-a }
  workloads:
    - { kind: Deployment, name: web, replicas: 3 }
  faults:
    - { name: f, type: node-crash, at: 30s, target: { node: w-0 } }
`;

function render(sets: string[], allowLarge = false, text = BASE): string {
  const parsed = parseScenarioText(text, { file: 's.yaml', sets, allowLarge });
  return parsed.ok ? 'valid' : formatIssues(parsed.issues);
}

describe('size limits', () => {
  it('a hundred million nodes is refused at once, naming the limit and the flag', () => {
    const started = process.hrtime.bigint();
    expect(render([], false, BASE.replace('count: 3', 'count: 100000000'))).toBe(
      [
        's.yaml:7:25: error: spec.nodes[0].count: 100,000,000 nodes is more than the limit of 5,000: the most Kubernetes supports in one cluster',
        '  hint: --allow-large raises the limit to 50,000',
      ].join('\n'),
    );
    // Nothing was expanded (a generous bound: expanding would take minutes).
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5_000);
    expect(render([], true, BASE.replace('count: 3', 'count: 100000000'))).toBe(
      's.yaml:7:25: error: spec.nodes[0].count: 100,000,000 nodes is more than hasim can simulate (at most 50,000, with --allow-large)',
    );
  });

  it('control-plane members, pods, duration, clock rate and pods per node', () => {
    expect(
      render([
        'spec.kubernetes.etcd.members=1000000000000',
        'spec.duration=1000000h',
        'spec.workloads[0].replicas=1000000000',
        'spec.faults[0]={name: s, type: clock-skew, at: 1s, rate: 1000000, target: {node: w-1}}',
        'spec.nodes[0].capacity.pods=250',
      ]),
    ).toBe(
      [
        '--set:1:1: error: spec.kubernetes.etcd.members: 1,000,000,000,000 instances of one control-plane component is more than the limit of 9: production control planes run 3 to 5; etcd recommends at most 7 members',
        '  hint: --allow-large raises the limit to 101',
        '--set:2:1: error: spec.duration: 1000000h of virtual time is more than the limit of 24h: a virtual day of a 5,000-node cluster already takes about 7 minutes',
        '  hint: --allow-large raises the limit to 720h',
        '--set:3:1: error: spec.workloads[0].replicas: 1,000,000,000 pods in all is more than the limit of 150,000: the most Kubernetes supports in one cluster',
        '  hint: --allow-large raises the limit to 1,500,000',
        '--set:4:1: error: spec.faults[0].rate: a 1000000× clock rate is more than the limit of 10: a clock 10 times fast already renews its leases 10 times as often',
        '  hint: --allow-large raises the limit to 1,000',
        "--set:5:1: error: spec.nodes[0].capacity.pods: 250 pods per node (capacity.pods) is more than the limit of 110: the kubelet's default --max-pods, and Kubernetes' supported maximum",
        '  hint: --allow-large raises the limit to 1,000',
      ].join('\n'),
    );
  });

  it('--allow-large accepts what is within the ceilings', () => {
    expect(
      render(['spec.nodes[0].capacity.pods=250', 'spec.kubernetes.etcd.members=11', 'spec.duration=48h'], true),
    ).toBe('valid');
  });

  it('a DaemonSet counts a pod on every node', () => {
    const text = BASE.replace('count: 3', 'count: 5000').replace(
      '    - { kind: Deployment, name: web, replicas: 3 }',
      '    - { kind: Deployment, name: web, replicas: 146000 }\n    - { kind: DaemonSet, name: agent }',
    );
    expect(render([], false, text)).toContain(
      'spec.workloads[0].replicas: 151,000 pods in all is more than the limit of 150,000',
    );
  });
});

describe('numbers that are not finite or not safe integers', () => {
  it('a 400-digit duration', () => {
    expect(render([], false, BASE.replace('duration: 2m', `duration: ${'9'.repeat(400)}h`))).toBe(
      's.yaml:5:13: error: spec.duration: duration "9999999999999999999999999999999999999999..." is too long: durations are limited to 2^53 - 1 milliseconds (about 285,000 years)',
    );
  });
  it('a quantity that overflows, and a count beyond 2^53', () => {
    expect(render(['spec.nodes[0].capacity.memory=1e400', 'spec.workloads[0].replicas=1e300'])).toBe(
      [
        '--set:1:1: error: spec.nodes[0].capacity.memory: quantity Infinity is too large (at most 2^53 - 1 base units)',
        '--set:2:1: error: spec.workloads[0].replicas: 1e+300 is too large: whole numbers must be between -9007199254740991 and 9007199254740991 (2^53 - 1)',
      ].join('\n'),
    );
  });
});

// One invalid scenario per error class, with its rendered message pinned exactly: these are the
// words an SRE reads, so a change to them should be a deliberate one.
import { readdirSync } from 'node:fs';
import { readScenarioFile } from '../../src/cli/read-input.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';

const DIR = 'test/fixtures/invalid';

function render(file: string): string {
  const path = `${DIR}/${file}`;
  const read = readScenarioFile(path);
  if (!read.ok) return formatIssues(read.issues);
  const parsed = parseScenarioText(read.text, { file: path });
  if (parsed.ok) throw new Error(`${path} unexpectedly parsed`);
  return formatIssues(parsed.issues);
}

const EXPECTED: Record<string, string[]> = {
  'autoscaler-node-groups.yaml': [
    `@:12:50: error: spec.autoscaler.nodeGroups[0].minSize: minSize 4 is above the group's current size 3 (spec.nodes entry "pool-a" has count 3)`,
    "  hint: cluster-autoscaler needs minSize <= current size <= maxSize; lower minSize or raise the entry's count",
    '@:13:33: error: spec.autoscaler.nodeGroups[1].nodes: unknown spec.nodes entry "pool-bb" (did you mean "pool-b"?)',
    `@:14:62: error: spec.autoscaler.nodeGroups[2].maxSize: maxSize 1 is below the group's current size 2 (spec.nodes entry "pool-b" has count 2)`,
    '  hint: cluster-autoscaler needs minSize <= current size <= maxSize',
    '@:16:56: error: spec.faults[0].duration: a vm-delete fault has no duration (a deleted VM never comes back)',
    '  hint: to have the node return, use node-crash with a duration',
  ],
  'alias-bomb.yaml': [
    '@:6:10: error: YAML aliases expand too much (more than 100 alias expansions); refusing to expand them',
    '  hint: nested aliases that multiply (a "billion laughs" document) would exhaust memory; write the values out',
  ],
  'bad-duration.yaml': [
    '@:6:13: error: spec.duration: expected a duration with a unit, found the bare number 30',
    '  hint: write 30s (or 30ms, 30m): durations are Kubernetes-style strings such as 500ms, 40s, 5m, 1h30m',
  ],
  'bad-probes.yaml': [
    '@:11:29: error: spec.workloads[0].probes.liveness.period: must be at least 1s (periodSeconds is a whole number of seconds, at least 1)',
    '@:11:54: error: spec.workloads[0].probes.liveness.successThreshold: must be 1 for a liveness probe',
    '@:13:89: error: spec.faults[0].target.pods: selects no pod (give a count of at least 1, or omit it for all)',
    '@:13:103: error: spec.faults[0].symptom: unknown app-degrade symptom "hang" (allowed: readiness, liveness, probes, crash)',
    '@:14:7: warning: spec.faults[1]: kube-proxy-stop changes nothing here: the scenario has no Service, so kube-proxy has no rules to freeze',
    '  hint: give a workload a service (docs/scenario-format.md#services)',
    '@:14:85: error: spec.faults[1].target.pods: "pods" applies only to app-degrade faults, not kube-proxy-stop',
  ],
  'bad-quantity.yaml': [
    '@:9:37: error: spec.nodes[0].capacity.memory: invalid quantity "32GB" (did you mean "32G" or "32Gi"?)',
    '  hint: Kubernetes quantities are a number with an optional suffix: m (milli), k, M, G, T (powers of 1000), Ki, Mi, Gi, Ti (powers of 1024), e.g. 500m, 2, 512Mi, 4Gi',
  ],
  'duplicate-names.yaml': [
    '@:9:15: error: spec.nodes[1].name: duplicate node name "worker-a-1" (spec.nodes[0] already defines it)',
    '@:12:15: error: spec.faults[1].name: duplicate fault name "crash" (spec.faults[0] already uses it)',
  ],
  'empty.yaml': [
    '@:1:1: error: the file is empty',
    '  hint: a scenario starts with "apiVersion: hasim.dev/v1" and "kind: Scenario"; run "hasim schema" for the format',
  ],
  'fault-outside-duration.yaml': [
    '@:10:49: error: spec.faults[0].at: the fault starts at 45m, but the run ends at 30m (spec.duration)',
    '@:11:64: error: spec.faults[1].duration: the fault would end at 35m (at 25m + 10m), after the run ends at 30m (spec.duration)',
    '  hint: omit duration to let the fault last to the end of the run',
  ],
  'invalid-toleration.yaml': [
    '@:14:23: error: spec.workloads[0].tolerations[0].operator: operator must be Exists when `key` is empty, which means "match all values and all keys"',
    "@:15:39: error: spec.workloads[0].tolerations[1].operator: value must be empty when `operator` is 'Exists'",
    "@:16:11: error: spec.workloads[0].tolerations[2].effect: effect must be 'NoExecute' when `tolerationSeconds` is set",
  ],
  'legacy-eviction.yaml': [
    '@:10:21: error: spec.kubernetes.controllerManager.evictionMode: evictionMode "legacy" needs Kubernetes older than 1.27; this scenario uses version "1.31"',
    '  hint: --pod-eviction-timeout and the non-taint eviction path were removed from kube-controller-manager in v1.27 (kubernetes/kubernetes PR #115840); use evictionMode: taint (pods leave after their NoExecute tolerationSeconds) or set kubernetes.version: "1.26"',
  ],
  'manifest-unknown-kind.yaml': [
    '@:9:7: error: document 2 (apps/v1 Deploymnet) kind: unsupported kind "Deploymnet" (did you mean "Deployment"?); documents after the Scenario may be Deployment, StatefulSet, DaemonSet, ReplicaSet, PodDisruptionBudget, Node, PriorityClass or Service objects, or a List of them',
  ],
  'misspelt-key.yaml': [
    '@:9:7: error: spec.kubernetes.controllerManager: unknown field "nodeMonitorGracePeirod" (did you mean "nodeMonitorGracePeriod"?)',
  ],
  'multiple-errors.yaml': [
    '@:4:9: error: metadata.name: "Zone_A" is not valid: a name must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit',
    '@:8:14: error: spec.kubernetes.version: expected a string, found the number 1.3',
    '  hint: quote the version, e.g. version: "1.31" (unquoted, YAML reads 1.30 as the number 1.3)',
    '@:12:15: error: spec.workloads[0].kind: unknown workload kind "Deploymnet" (did you mean "Deployment"?)',
    '@:14:72: error: spec.faults[0].target.zone: unknown zone "zone-b" (did you mean "zone-a"?)',
    '@:15:80: error: spec.faults[1].target.instance: "leader" names the leader of kube-controller-manager or kube-scheduler, not etcd\'s raft leader, which is elected as the run goes: for etcd-member-down give an instance name (defined: etcd-control-plane-0)',
    '@:17:103: error: spec.slos[0].max: expected a duration with a unit, found the bare number 5',
    '  hint: write 5s (or 5ms, 5m): durations are Kubernetes-style strings such as 500ms, 40s, 5m, 1h30m',
  ],
  'renew-deadline-not-below-lease.yaml': [
    '@:9:60: error: spec.kubernetes.controllerManager.leaderElection.renewDeadline: renewDeadline (15s) must be shorter than leaseDuration (15s)',
    '  hint: client-go rejects this in NewLeaderElector: "leaseDuration must be greater than renewDeadline" (k8s.io/client-go/tools/leaderelection/leaderelection.go)',
  ],
  'selector-not-allowed.yaml': [
    '@:10:63: error: spec.faults[0].target.node: a zone-outage fault cannot select by "node"; it takes target.zone',
  ],
  'unknown-after-fault.yaml': [
    // Warnings render with the errors, in file order: this fixture's zone also holds its only API server.
    '@:10:87: warning: spec.faults[0].target.zone: this outage takes down every kube-apiserver (1 of 1) and etcd\'s quorum (1 of 1 members) with zone "zone-a": no controller can react until the zone returns',
    '  hint: spread the control plane: raise spec.kubernetes.apiServer.replicas and spec.kubernetes.etcd.members (3 each) over spec.controlPlane.zones',
    '@:14:14: error: spec.slos[0].after: unknown fault "zone-a-powr" (did you mean "zone-a-power"?)',
  ],
  'unknown-fault-type.yaml': [
    '@:10:32: error: spec.faults[0].type: unknown fault type "node-crsh" (did you mean "node-crash"?)',
  ],
  'unknown-node.yaml': [
    '@:13:23: error: spec.faults[0].target.node: unknown node "worker-z-0" (did you mean "worker-a-0"?)',
  ],
  'unknown-slo-workload.yaml': [
    '@:14:17: error: spec.slos[0].workload: unknown workload "Deployment/chekout" (did you mean "Deployment/checkout"?)',
  ],
  'wrong-type.yaml': ['@:10:17: error: spec.workloads[0].replicas: expected a whole number, found the string "three"'],
  'yaml-syntax.yaml': [
    '@:9:1: error: YAML syntax error: Sequence item without - indicator',
    '  hint: YAML nests by indentation: check that this line and the one above line up with their siblings (spaces, not tabs)',
  ],
};

describe('invalid scenario files', () => {
  test('every fixture has a pinned message', () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.keys(EXPECTED))('%s renders its pinned message', (file) => {
    expect(render(file)).toBe(EXPECTED[file].map((line) => line.replace('@', `${DIR}/${file}`)).join('\n'));
  });
});

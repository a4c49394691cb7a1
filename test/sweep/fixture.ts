// A small scenario for the sweep tests: three nodes in three zones, one of them crashes at 20 s, and
// the pods tolerate the unreachable taint for only 5 s so that recovery fits into two minutes. It names
// Kubernetes 1.31 (40 s grace), which its 50 s detection bound and the sweep tests' figures were written for.
export const SMALL_SCENARIO = `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: small }
spec:
  duration: 2m
  kubernetes: { version: "1.31" }
  nodes:
    - { name: worker-a, zone: zone-a }
    - { name: worker-b, zone: zone-b }
    - { name: worker-c, zone: zone-c }
  workloads:
    - kind: Deployment
      name: web
      replicas: 3
      startup: { imagePull: 1s..3s, ready: 2s }
      tolerations: [{ key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5 }]
  faults:
    - { name: crash, type: node-crash, at: 20s, target: { node: worker-b } }
  slos:
    - { name: crash detected, type: detection-time, after: crash, max: 50s }
    - { name: web back, type: recovery-time, workload: Deployment/web, after: crash, max: 100s }
`;

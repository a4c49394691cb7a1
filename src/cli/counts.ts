// "6 nodes and 3 control-plane Nodes, 1 workload, 2 Services, 1 fault, 3 SLOs": what a scenario holds, as
// `hasim validate` and `hasim import` print it.
import type { Scenario } from '../scenario/index.js';

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function scenarioCounts(spec: Scenario['spec']): string {
  // kubeadm: one control-plane Node per API server replica (kubectl-import.ts).
  const cpNodes = spec.controlPlane.topology === 'kubeadm' ? spec.kubernetes.apiServer.replicas : 0;
  const services = spec.services?.length ?? 0;
  return [
    count(spec.nodes.length, 'node') + (cpNodes > 0 ? ` and ${count(cpNodes, 'control-plane Node')}` : ''),
    count(spec.workloads.length, 'workload'),
    ...(services > 0 ? [count(services, 'Service')] : []),
    count(spec.faults.length, 'fault'),
    count(spec.slos.length, 'SLO'),
  ].join(', ');
}

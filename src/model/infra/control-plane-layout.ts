// Where the control-plane members live. The one definition shared by validation (to resolve
// `target: { instance: ... }`) and the model (to build the hosts), so both name members identically.
// Like a kubeadm stacked-etcd cluster: host i runs the i-th member of every component that has
// at least i+1 replicas, and hosts are spread round-robin over controlPlane.zones.

export type ControlPlaneComponent =
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kube-apiserver'
  | 'etcd'
  | 'cloud-controller-manager'
  | 'cluster-autoscaler';

/**
 * How the control plane is wired (docs/fidelity.md#control-plane-topology). managed: API servers behind a
 * load balancer, control-plane hosts are not Nodes (EKS, GKE, AKS). kubeadm: stacked etcd; each
 * controller-manager and scheduler talks to its own host's API server (kubeadm writes the local
 * advertise address into controller-manager.conf and scheduler.conf), each API server to its own host's
 * etcd member (--etcd-servers=https://127.0.0.1:2379), and every control-plane host runs a kubelet that
 * registers a Node tainted node-role.kubernetes.io/control-plane:NoSchedule.
 */
export const CONTROL_PLANE_TOPOLOGIES = ['managed', 'kubeadm'] as const;
export type ControlPlaneTopology = (typeof CONTROL_PLANE_TOPOLOGIES)[number];

/** The label and taint kubeadm gives control-plane Nodes (kubeadm's constants.LabelNodeRoleControlPlane). */
export const LABEL_NODE_ROLE_CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

export interface ControlPlaneHost {
  /** control-plane-0, control-plane-1, ... */
  name: string;
  zone: string;
}

export interface ControlPlaneInstance {
  /** `<component>-<host>`, e.g. kube-controller-manager-control-plane-0 (the static pod's name). */
  name: string;
  component: ControlPlaneComponent;
  host: string;
}

export interface ControlPlaneLayout {
  hosts: ControlPlaneHost[];
  instances: ControlPlaneInstance[];
}

/** The part of a scenario's spec the layout depends on. */
export interface ControlPlaneLayoutInput {
  kubernetes: {
    controllerManager: { replicas: number };
    scheduler: { replicas: number };
    /** Absent: no cloud-controller-manager. */
    cloudControllerManager?: { replicas: number };
    apiServer: { replicas: number };
    etcd: { members: number };
  };
  controlPlane: { zones: string[] };
  /** Absent: no cluster autoscaler. */
  autoscaler?: { replicas: number };
}

export function controlPlaneLayout(spec: ControlPlaneLayoutInput): ControlPlaneLayout {
  const k = spec.kubernetes;
  const counts: [ControlPlaneComponent, number][] = [
    ['kube-apiserver', k.apiServer.replicas],
    ['etcd', k.etcd.members],
    ['kube-controller-manager', k.controllerManager.replicas],
    ['kube-scheduler', k.scheduler.replicas],
    ['cloud-controller-manager', k.cloudControllerManager?.replicas ?? 0],
    ['cluster-autoscaler', spec.autoscaler?.replicas ?? 0],
  ];
  const hostCount = Math.max(0, ...counts.map(([, n]) => n));
  const zones = spec.controlPlane.zones.length > 0 ? spec.controlPlane.zones : ['zone-a'];
  const hosts: ControlPlaneHost[] = [];
  for (let i = 0; i < hostCount; i++) hosts.push({ name: `control-plane-${i}`, zone: zones[i % zones.length] });
  const instances: ControlPlaneInstance[] = [];
  for (const [component, n] of counts) {
    for (let i = 0; i < n; i++)
      instances.push({ name: `${component}-control-plane-${i}`, component, host: `control-plane-${i}` });
  }
  return { hosts, instances };
}

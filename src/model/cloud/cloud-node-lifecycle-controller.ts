// The cloud node lifecycle controller (k8s.io/cloud-provider controllers/nodelifecycle/
// node_lifecycle_controller.go, CloudNodeLifecycleController.MonitorNodes), run by the
// cloud-controller-manager's leader every --node-monitor-period (default 5 s, wait.UntilWithContext). For
// each Node in its informer:
// 1. Ready=True: remove the `node.cloudprovider.kubernetes.io/shutdown:NoSchedule` taint if present
//    (cloudnodeutil.RemoveTaintOffNode), and go on to the next Node.
// 2. Otherwise (NotReady, Unknown, or no Ready condition, which counts as Unknown), ask the cloud whether
//    the instance exists (ensureNodeExistsByProviderID: InstancesV2.InstanceExists). Gone: delete the Node
//    ("deleting node since it is no longer present in cloud provider"); PodGC then force-deletes its pods
//    after its quarantine.
// 3. Exists: ask whether it is shut down (shutdownInCloudProvider: InstanceShutdown); if so add the shutdown
//    taint (cloudnodeutil.AddOrUpdateTaintOnNode).
// The decision of steps 1-3 is monitorNodeAction(), a pure function the tests drive with upstream's cases.
// Simplified: the uninitialized-node wait (a Node without providerID still carrying the cloud provider's
// uninitialized taint) is not modelled, since hasim's Nodes are never uninitialized; the cloud is asked
// synchronously (cloud-instances.ts). A pass's writes go through the API server as the leader's requests.
import { type Node, type Taint, readyCondition } from '../../k8s/objects.js';
import type { Informer } from '../apiserver/informer.js';
import type { Process } from '../infra/process.js';
import { CONTROLLER_REQUEST_TIMEOUT_MS } from '../controllermanager/controller.js';
import type { CloudInstanceState } from './cloud-instances.js';

export const ACTOR = 'cloud-node-lifecycle-controller';

/** cloudproviderapi.TaintNodeShutdown, added with effect NoSchedule (ShutdownTaint). */
export const TAINT_NODE_SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';
export const SHUTDOWN_TAINT: Taint = { key: TAINT_NODE_SHUTDOWN, effect: 'NoSchedule' };

/** What one MonitorNodes pass does about one Node. */
export type MonitorNodeAction = 'none' | 'remove-shutdown-taint' | 'delete-node' | 'add-shutdown-taint';

/** How the cloud answered, or that it could not (the tests' fake cloud errors; hasim's cloud always answers). */
export type CloudAnswer = CloudInstanceState | { error: 'exists' | 'shutdown' };

/** Steps 1-3 of the header for one Node. */
export function monitorNodeAction(node: Node, cloud: () => CloudAnswer): MonitorNodeAction {
  const hasShutdownTaint = node.spec.taints.some((t) => t.key === TAINT_NODE_SHUTDOWN && t.effect === 'NoSchedule');
  // 1. A Node without a Ready condition counts as Unknown.
  const status = readyCondition(node)?.status ?? 'Unknown';
  if (status === 'True') return hasShutdownTaint ? 'remove-shutdown-taint' : 'none';
  // 2. An error asking whether it exists skips the Node; a missing instance deletes it.
  const answer = cloud();
  if ('error' in answer) return 'none';
  if (!answer.exists) return 'delete-node';
  // 3. Shut down: the taint (AddOrUpdateTaintOnNode writes only when it is missing).
  return answer.shutdown && !hasShutdownTaint ? 'add-shutdown-taint' : 'none';
}

export interface CloudNodeLifecycleSettings {
  nodeMonitorPeriodMs: number;
  /** The cloud's answers about the VM behind a Node. */
  instance(nodeName: string): CloudInstanceState;
}

/** Starts MonitorNodes on the leader's process; its writes are the process's API requests. */
export function startCloudNodeLifecycleController(
  proc: Process,
  nodes: Informer<Node>,
  settings: CloudNodeLifecycleSettings,
): void {
  /** Nodes with a write of this controller in flight, so a slow API server is not asked twice. */
  const inFlight = new Set<string>();
  const write = (name: string, label: string, op: Parameters<Process['call']>[2]) => {
    inFlight.add(name);
    proc.call(`${ACTOR}/${label}`, CONTROLLER_REQUEST_TIMEOUT_MS, op, () => inFlight.delete(name));
  };
  const setShutdownTaint = (name: string, on: boolean) =>
    write(name, on ? 'taint' : 'untaint', (s) =>
      s.patch<Node>(
        'Node',
        name,
        (cur) => {
          const has = cur.spec.taints.some((t) => t.key === TAINT_NODE_SHUTDOWN && t.effect === 'NoSchedule');
          if (has === on) return undefined;
          const taints = on
            ? [...cur.spec.taints, { ...SHUTDOWN_TAINT, timeAddedMs: s.nowMs() }]
            : cur.spec.taints.filter((t) => !(t.key === TAINT_NODE_SHUTDOWN && t.effect === 'NoSchedule'));
          return { ...cur, spec: { ...cur.spec, taints } };
        },
        ACTOR,
      ),
    );

  const monitorNodes = (): number => {
    const names = [...nodes.cache.keys()].sort();
    for (const name of names) {
      if (inFlight.has(name)) continue;
      const node = nodes.get(name);
      if (node === undefined) continue;
      switch (monitorNodeAction(node, () => settings.instance(name))) {
        case 'remove-shutdown-taint':
          setShutdownTaint(name, false);
          break;
        case 'add-shutdown-taint':
          setShutdownTaint(name, true);
          break;
        case 'delete-node':
          write(name, 'delete', (s) => s.deleteNode(name, ACTOR));
          break;
        case 'none':
          break;
      }
    }
    return 1 + Math.floor(names.length / 1000);
  };
  proc.loop({ periodMs: settings.nodeMonitorPeriodMs, label: ACTOR }, monitorNodes);
}

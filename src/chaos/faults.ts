// The fault catalogue (docs/scenario-format.md#fault-types). Faults act on what a real outage touches: host power, network links,
// clocks, API server and etcd processes, control-plane processes, and (for operator actions) the API
// server as `kubectl` would. They never reach into a component's memory; the components find out the
// way they would in a real cluster.
import { Priority, type Rng } from '../engine/index.js';
import type { FaultSpec, FaultType, LeaderComponent, Target } from '../scenario/types.js';
import { TAINT_OUT_OF_SERVICE, type Node, readyCondition } from '../k8s/objects.js';
import type { Cluster } from '../model/cluster.js';
import type { Process } from '../model/infra/process.js';
import type { Host } from '../model/infra/host.js';
import type { Member } from '../model/apiserver/api-server.js';
import { selectNodes } from './targets.js';
import { drainNodes, setUnschedulable } from './drain.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, upgradeNodePool } from './node-pool-upgrade.js';

const OPERATOR_TIMEOUT_MS = 30_000;

interface ActiveFault {
  targets: string[];
  end?: () => void;
}

/** Whether a fault of the plan steps a host's clock (the cluster then skips no work that assumes it cannot). */
export function clockStepsPlanned(faults: readonly FaultSpec[]): boolean {
  return faults.some((f) => f.type === 'clock-skew' && f.offsetMs !== undefined && f.offsetMs !== 0);
}

/** Schedules every fault of the scenario on the cluster's simulator. */
export function scheduleFaults(cluster: Cluster, faults: readonly FaultSpec[]): void {
  const { sim } = cluster.ctx;
  for (const f of faults) {
    sim.at(
      f.atMs,
      () => {
        // The fault is traced before its effects, so the trace reads cause, then consequences.
        const announce = (targets: string[]) =>
          cluster.ctx.trace.emit('fault.started', { fault: f.name, faultType: f.type, targets });
        const active = startFault(cluster, f, announce);
        if (f.durationMs !== undefined) {
          sim.at(
            f.atMs + f.durationMs,
            () => {
              active.end?.();
              cluster.ctx.trace.emit('fault.ended', { fault: f.name, faultType: f.type, targets: active.targets });
            },
            `fault/${f.name}/end`,
            Priority.fault,
          );
        }
      },
      `fault/${f.name}`,
      Priority.fault,
    );
  }
}

/** What starting a fault can use: the cluster, its announcement, and target resolution on the fault's own stream. */
interface FaultContext {
  cluster: Cluster;
  ctx: Cluster['ctx'];
  trace: Cluster['ctx']['trace'];
  /** Traces fault.started with the targets (call once, before acting). */
  announce: (targets: string[]) => void;
  /** The fault's own random stream (target draws, and the draws of its effects). */
  rng: Rng;
  /** The worker nodes the fault's target selects. */
  nodes: () => string[];
  host: (name: string) => Host;
  /**
   * The hosts a network fault acts on: control-plane members' hosts (`leader` resolved now) or worker
   * nodes. `zone` selects the worker nodes of the zone only (see the target schema's description).
   */
  hostsOf: (t: Target) => string[];
  /** Powers the hosts off (announcing them); returns what powers them on again. */
  powerOff: (hosts: Host[]) => () => void;
}

function startFault(cluster: Cluster, f: FaultSpec, announce: (targets: string[]) => void): ActiveFault {
  const { ctx } = cluster;
  const rng = ctx.streams.stream(`chaos/${f.name}`);
  const trace = ctx.trace;
  const fc: FaultContext = {
    cluster,
    ctx,
    trace,
    announce,
    rng,
    nodes: () => selectNodes(f.target, liveNodes(cluster), rng),
    host: (name) => ctx.hosts.get(name)!,
    hostsOf: (t) => {
      if (t.controlPlane) return controlPlaneHosts(cluster);
      const instances = t.instances ?? (t.instance !== undefined ? [t.instance] : undefined);
      if (instances) return unique(instances.flatMap((i) => instanceHosts(cluster, i, t.component)));
      return selectNodes(t, liveNodes(cluster), rng);
    },
    powerOff: (hosts) => {
      announce(hosts.map((h) => h.name));
      for (const h of hosts) {
        if (!h.poweredOn) continue;
        h.powerOff();
        trace.emit('host.powered.off', { host: h.name });
        traceMembers(cluster, h, 'component.stopped');
      }
      return () => {
        for (const h of hosts) {
          if (h.poweredOn || h.booting || h.terminated) continue;
          trace.emit('host.powered.on', { host: h.name });
          h.powerOn();
          traceMembers(cluster, h, 'component.started');
        }
      };
    },
  };
  return FAULTS[f.type](fc, f);
}

/** Worker nodes or control-plane hosts (an instance, or `leader`: the host of a component's leader) power off. */
function nodeCrash(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { hostsOf, host, powerOff } = fc;
  const targets = hostsOf(f.target);
  return { targets, end: powerOff(targets.map(host)) };
}

/**
 * The nodes' VMs are deleted in the cloud (`gcloud compute instances delete`, a spot VM reclaimed for
 * good): the hosts power off and never return, and the cloud no longer knows them (model/cloud). The Node
 * objects stay until something deletes them: the cloud node lifecycle controller, or an operator.
 */
function vmDelete(fc: FaultContext, _f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  announce(targets);
  for (const n of targets) cluster.provisioner.terminate(n);
  return { targets };
}

function zoneOutage(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { ctx, powerOff } = fc;
  const zone = f.target.zone!;
  const hosts = [...ctx.hosts.values()].filter((h) => h.zone === zone);
  // The cloud cannot start VMs in the zone either (an autoscaler's scale-up there waits).
  fc.cluster.cloud.setZoneDown(zone, true);
  const powerOn = powerOff(hosts);
  return {
    targets: hosts.map((h) => h.name),
    end: () => {
      fc.cluster.cloud.setZoneDown(zone, false);
      powerOn();
    },
  };
}

function kubeletStop(fc: FaultContext, _f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  const kubelets = targets.map((n) => cluster.kubelets.get(n)!);
  announce(targets);
  for (const k of kubelets) k.stop('kubelet-stop');
  return { targets, end: () => kubelets.forEach((k) => k.host.poweredOn && k.start()) };
}

function networkPartition(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, ctx, announce, hostsOf } = fc;
  const side = hostsOf(f.target);
  // The default `from: control-plane` is the rest of the control plane: a target that is itself a
  // control-plane host (or a zone holding one) is not also on the other side. The same holds for
  // any overlap: a host on both sides stays on the target side, so it is never cut from itself.
  const inSide = new Set(side);
  const other = (f.from === undefined ? controlPlaneHosts(cluster) : hostsOf(f.from)).filter((h) => !inSide.has(h));
  const id = `fault/${f.name}`;
  announce(side);
  ctx.network.cut(id, side, other);
  return {
    targets: side,
    end: () => {
      ctx.network.heal(id);
      ctx.api.notifyRecovery();
    },
  };
}

function networkDegrade(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { ctx, announce, hostsOf } = fc;
  const targets = hostsOf(f.target);
  const id = `fault/${f.name}`;
  announce(targets);
  ctx.network.degrade(id, targets, f.loss ?? 0, f.latency);
  return { targets, end: () => ctx.network.restore(id) };
}

function memberOutage(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { ctx, trace, announce } = fc;
  const pool = f.type === 'apiserver-outage' ? ctx.api.replicas : ctx.api.etcd;
  const chosen = targetMembers(fc, f, pool);
  announce(chosen.map((m) => m.name));
  const component = f.type === 'apiserver-outage' ? 'kube-apiserver' : 'etcd';
  for (const m of chosen) {
    if (m.running && m.host.poweredOn) trace.emit('component.stopped', { component, instance: m.name });
    ctx.api.setRunning(m, false);
  }
  return {
    targets: chosen.map((m) => m.name),
    end: () => {
      for (const m of chosen) {
        ctx.api.setRunning(m, true);
        if (m.host.poweredOn) trace.emit('component.started', { component, instance: m.name });
      }
      ctx.api.notifyRecovery();
    },
  };
}

/** apiserver-slow / etcd-slow: the members answer, but each request takes the fault's extra time. */
function memberSlow(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { ctx, announce } = fc;
  const pool = f.type === 'apiserver-slow' ? 'apiserver' : 'etcd';
  // A stream per client host (slow-members.ts SlowDraws).
  const streams = new Map<Host, Rng>();
  const draws = (client: Host): Rng => {
    let r = streams.get(client);
    if (r === undefined) streams.set(client, (r = ctx.streams.stream(`chaos/${f.name}/${client.name}`)));
    return r;
  };
  const chosen = targetMembers(fc, f, pool === 'apiserver' ? ctx.api.replicas : ctx.api.etcd);
  announce(chosen.map((m) => m.name));
  for (const m of chosen) ctx.api.setSlow(pool, m, f.latency!, draws);
  return {
    targets: chosen.map((m) => m.name),
    end: () => {
      for (const m of chosen) ctx.api.setSlow(pool, m, undefined, draws);
    },
  };
}

/**
 * The API server replicas or etcd members a member fault's target names; `leader` is the member on the
 * host of the target component's current leader (none when it has no leader).
 */
function targetMembers(fc: FaultContext, f: FaultSpec, pool: readonly Member[]): Member[] {
  const names = f.target.instances ?? (f.target.instance !== undefined ? [f.target.instance] : undefined);
  if (!names) return [...pool];
  const leaderHosts = names.includes('leader') ? instanceHosts(fc.cluster, 'leader', f.target.component) : [];
  return pool.filter((m) => names.includes(m.name) || leaderHosts.includes(m.host.name));
}

function processCrash(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, announce } = fc;
  const pool: Array<Process & { isLeader: boolean }> =
    f.type === 'controller-manager-crash' ? cluster.controllerManagers : cluster.schedulers;
  const names = f.target.instances ?? [f.target.instance ?? 'leader'];
  const chosen = names.includes('leader')
    ? pool.filter((p) => p.isLeader).slice(0, 1)
    : pool.filter((p) => names.includes(p.name));
  announce(chosen.map((p) => p.name));
  for (const p of chosen) {
    if (f.graceful && 'shutdown' in p && typeof p.shutdown === 'function') p.shutdown();
    else p.kill('crashed');
  }
  return { targets: chosen.map((p) => p.name), end: () => chosen.forEach((p) => p.host.poweredOn && p.start()) };
}

function clockSkew(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes, host } = fc;
  const instances = f.target.instances ?? (f.target.instance !== undefined ? [f.target.instance] : undefined);
  const targets = instances ? unique(instances.flatMap((i) => instanceHosts(cluster, i, f.target.component))) : nodes();
  const clocks = targets.map((n) => host(n).clock);
  announce(targets);
  for (const c of clocks) {
    if (f.offsetMs) c.jump(f.offsetMs);
    if (f.rate !== undefined) c.setRate(f.rate);
  }
  // NTP puts the clock right again when the fault ends.
  return {
    targets,
    end: () => {
      for (const c of clocks) {
        c.setRate(1);
        if (f.offsetMs) c.jump(-f.offsetMs);
      }
    },
  };
}

function nodeDelete(fc: FaultContext, _f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  announce(targets);
  for (const n of targets) operator(cluster, `delete node ${n}`, (s) => s.deleteNode(n, 'operator'));
  return { targets };
}

function nodeOutOfService(fc: FaultContext, _f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  const setTaint = (n: string, on: boolean) =>
    operator(cluster, `taint node ${n}`, (s) =>
      s.patch<Node>(
        'Node',
        n,
        (cur) => {
          const has = cur.spec.taints.some((t) => t.key === TAINT_OUT_OF_SERVICE);
          if (has === on) return undefined;
          const taints = on
            ? [
                ...cur.spec.taints,
                {
                  key: TAINT_OUT_OF_SERVICE,
                  value: 'nodeshutdown',
                  effect: 'NoExecute' as const,
                  timeAddedMs: s.nowMs(),
                },
              ]
            : cur.spec.taints.filter((t) => t.key !== TAINT_OUT_OF_SERVICE);
          return { ...cur, spec: { ...cur.spec, taints } };
        },
        'operator',
      ),
    );
  announce(targets);
  for (const n of targets) setTaint(n, true);
  return { targets, end: () => targets.forEach((n) => setTaint(n, false)) };
}

function podForceDelete(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, ctx, announce } = fc;
  // `kubectl delete pod --grace-period=0 --force` for the workload's pods on nodes that are not Ready.
  const store = ctx.api.store;
  const workload = f.target.workload!;
  const victims = [...store.pods.values()].filter((p) => {
    if (p.metadata.workload !== workload || p.spec.nodeName === undefined) return false;
    const node = store.nodes.get(p.spec.nodeName);
    return !node || readyCondition(node)?.status !== 'True';
  });
  const targets = victims.map((p) => p.metadata.name);
  announce(targets);
  for (const name of targets)
    operator(cluster, `force delete pod ${name}`, (s) =>
      s.deletePod(name, { gracePeriodSeconds: 0, reason: 'force-delete' }, 'operator'),
    );
  return { targets };
}

/** kubectl cordon (node-cordon; kubectl uncordon when the fault ends) or kubectl uncordon (node-uncordon). */
function nodeCordon(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  const cordon = f.type === 'node-cordon';
  announce(targets);
  for (const n of targets) setUnschedulable(cluster, n, cordon);
  return { targets, end: cordon ? () => targets.forEach((n) => setUnschedulable(cluster, n, false)) : undefined };
}

/** kubectl drain of the target nodes (drain.ts); kubectl uncordon when the fault ends. */
function nodeDrain(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  announce(targets);
  drainNodes(cluster, targets, {
    fault: f.name,
    timeoutMs: f.timeoutMs,
    disableEviction: f.disableEviction ?? false,
    gracePeriodSeconds: f.gracePeriodMs === undefined ? undefined : Math.round(f.gracePeriodMs / 1000),
  });
  return { targets, end: () => targets.forEach((n) => setUnschedulable(cluster, n, false)) };
}

/**
 * A shutdown the kubelet sees coming (systemd's PrepareForShutdown): with graceful node shutdown on
 * (shutdownGracePeriod > 0) the kubelet reports NotReady and terminates its pods first
 * (Kubelet.gracefulShutdown), then the host powers off; otherwise it powers off at once, as node-crash.
 * With `duration` the host boots again when the fault ends (or right after the power-off, if that
 * comes later).
 */
function nodeShutdown(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, trace, announce, nodes, host } = fc;
  const targets = nodes();
  let ended = false;
  const powerOn = (n: string) => {
    const h = host(n);
    if (h.poweredOn || h.booting || h.terminated) return;
    trace.emit('host.powered.on', { host: n });
    h.powerOn();
  };
  const powerOff = (n: string) => {
    const h = host(n);
    if (!h.poweredOn) return;
    h.powerOff();
    trace.emit('host.powered.off', { host: n });
    if (ended) powerOn(n);
  };
  announce(targets);
  const { shutdownGracePeriodMs } = cluster.spec.kubernetes.kubelet;
  for (const n of targets) {
    const kubelet = cluster.kubelets.get(n)!;
    const graceful = kubelet.gracefulShutdown(() => powerOff(n));
    if (graceful) trace.emit('node.shutdown.started', { node: n, fault: f.name, shutdownGracePeriodMs });
    else powerOff(n);
  }
  return {
    targets,
    end: () => {
      ended = true;
      targets.forEach(powerOn);
    },
  };
}

/**
 * The application in some of a workload's pods fails (docs/scenario-format.md#app-degrade): the pods are
 * picked when the fault starts (those bound to a node and not being deleted, `target.pods` of them at random,
 * by default all), and their kubelets' containers answer their probes as the symptom says (Kubelet.setAppFault)
 * until the fault ends. `pod.app.changed` marks each pod's application failing and recovered: requests sent to
 * it fail meanwhile (traffic-meter.ts). Replacements created during the fault are not hit.
 */
function appDegrade(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, ctx, trace, announce, rng } = fc;
  const workload = f.target.workload!;
  const candidates = [...ctx.api.store.pods.values()]
    .filter(
      (p) =>
        p.metadata.workload === workload &&
        p.spec.nodeName !== undefined &&
        p.metadata.deletionTimestampMs === undefined &&
        p.status.phase !== 'Failed' &&
        p.status.phase !== 'Succeeded',
    )
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  const want = f.target.pods;
  const count =
    want === undefined
      ? candidates.length
      : Math.min(candidates.length, want.percent ? Math.ceil((want.value * candidates.length) / 100) : want.value);
  // A partial Fisher-Yates shuffle on the fault's own stream picks `count` of them.
  const picked = [...candidates];
  for (let i = 0; i < count; i++) {
    const j = rng.int(i, picked.length - 1);
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  const chosen = picked.slice(0, count).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const symptom = f.symptom ?? 'readiness';
  announce(chosen.map((p) => p.metadata.name));
  const hits = chosen.map((p) => ({
    name: p.metadata.name,
    kubelet: cluster.kubelets.get(p.spec.nodeName!),
    fault: {
      uid: p.metadata.uid,
      readiness: symptom === 'readiness' || symptom === 'probes',
      liveness: symptom === 'liveness' || symptom === 'probes',
      crash: symptom === 'crash',
    },
  }));
  for (const h of hits) {
    trace.emit('pod.app.changed', { pod: h.name, failing: true, fault: f.name });
    h.kubelet?.setAppFault(h.name, h.fault);
  }
  return {
    targets: hits.map((h) => h.name),
    end: () => {
      for (const h of hits) {
        trace.emit('pod.app.changed', { pod: h.name, failing: false, fault: f.name });
        h.kubelet?.setAppFault(h.name, undefined);
      }
    },
  };
}

/**
 * kube-proxy stops on the target nodes (KubeProxyFleet.setStopped): the rules it programmed stay as they
 * are and go stale; when the fault ends it lists the EndpointSlices again and resyncs. Nothing to do in a
 * scenario without Services (validation warns).
 */
function kubeProxyStop(fc: FaultContext, _f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  announce(targets);
  const proxies = cluster.proxies;
  for (const n of targets) proxies?.setStopped(n, true);
  return { targets, end: () => targets.forEach((n) => proxies?.setStopped(n, false)) };
}

/** A managed node-pool upgrade of the target nodes (node-pool-upgrade.ts). */
function nodePoolUpgrade(fc: FaultContext, f: FaultSpec): ActiveFault {
  const { cluster, announce, nodes } = fc;
  const targets = nodes();
  announce(targets);
  // Percentages of the pool: a surge rounds up, unavailability down (intstr.GetScaledValueFromIntOrPercent).
  const scaled = (c: FaultSpec['maxSurge'], roundUp: boolean) =>
    c === undefined
      ? undefined
      : c.percent
        ? (roundUp ? Math.ceil : Math.floor)((c.value * targets.length) / 100)
        : c.value;
  upgradeNodePool(cluster, targets, {
    fault: f.name,
    maxSurge: scaled(f.maxSurge, true) ?? 1,
    maxUnavailable: scaled(f.maxUnavailable, false) ?? 0,
    drainTimeoutMs: f.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
  });
  return { targets };
}

/** The fault catalogue: how each fault type starts, and what ends it. */
const FAULTS: Record<FaultType, (fc: FaultContext, f: FaultSpec) => ActiveFault> = {
  'node-crash': nodeCrash,
  'zone-outage': zoneOutage,
  'kubelet-stop': kubeletStop,
  'network-partition': networkPartition,
  'network-degrade': networkDegrade,
  'apiserver-outage': memberOutage,
  'etcd-member-down': memberOutage,
  'apiserver-slow': memberSlow,
  'etcd-slow': memberSlow,
  'controller-manager-crash': processCrash,
  'scheduler-crash': processCrash,
  'clock-skew': clockSkew,
  'node-delete': nodeDelete,
  'node-out-of-service': nodeOutOfService,
  'pod-force-delete': podForceDelete,
  'node-cordon': nodeCordon,
  'node-uncordon': nodeCordon,
  'node-drain': nodeDrain,
  'node-shutdown': nodeShutdown,
  'app-degrade': appDegrade,
  'kube-proxy-stop': kubeProxyStop,
  'node-pool-upgrade': nodePoolUpgrade,
  'vm-delete': vmDelete,
};

/** An operator's kubectl call from outside the cluster. */
function operator(cluster: Cluster, label: string, op: Parameters<Cluster['ctx']['api']['request']>[2]): void {
  cluster.ctx.api.request(cluster.operator, OPERATOR_TIMEOUT_MS, op, () => {}, `operator/${label}`);
}

/** The worker nodes a selector picks from: those of the scenario and those provisioned since, not terminated. */
function liveNodes(cluster: Cluster) {
  const p = cluster.provisioner;
  return p.nodes().filter((n) => !p.isTerminated(n.name));
}

function controlPlaneHosts(cluster: Cluster): string[] {
  return [...cluster.ctx.hosts.values()].filter((h) => h.role === 'control-plane').map((h) => h.name);
}

/**
 * The host of a control-plane member. `leader` is the instance of `component` (default
 * kube-controller-manager) acting as leader now; none leading: no host.
 */
function instanceHosts(
  cluster: Cluster,
  instance: string,
  component: LeaderComponent = 'kube-controller-manager',
): string[] {
  if (instance === 'leader') {
    const pool: Array<Process & { isLeader: boolean }> =
      component === 'kube-scheduler' ? cluster.schedulers : cluster.controllerManagers;
    const p = pool.find((x) => x.isLeader);
    return p ? [p.host.name] : [];
  }
  const p = [...cluster.controllerManagers, ...cluster.schedulers].find((x) => x.name === instance);
  if (p) return [p.host.name];
  const m = [...cluster.ctx.api.replicas, ...cluster.ctx.api.etcd].find((x) => x.name === instance);
  return m ? [m.host.name] : [];
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

/**
 * kube-apiserver and etcd are not simulated processes (the API server is a service with members), so
 * their going down with a host is traced here: an SRE needs to see that the control plane lost them.
 */
function traceMembers(cluster: Cluster, host: Host, type: 'component.started' | 'component.stopped'): void {
  const api = cluster.ctx.api;
  for (const [component, members] of [
    ['kube-apiserver', api.replicas],
    ['etcd', api.etcd],
  ] as const) {
    for (const m of members)
      if (m.host === host && m.running) cluster.ctx.trace.emit(type, { component, instance: m.name });
  }
}

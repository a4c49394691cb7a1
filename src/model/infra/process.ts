// A process on a host (kubelet, kube-controller-manager, kube-scheduler). It reads time only through its
// host's clock, sleeps in local time, talks to the cluster only through the API server, and dies with
// its host: stopping it (or powering the host off) silences every timer, loop, callback and informer it
// started, so a dead process can never act. Restarting gives it a new incarnation with empty memory.
// Phases: a run starts from a cluster that has been running for a while, so the processes started at t = 0
// are started with startPreexisting(). Their loops (when the subclass asks, phaseLoops) then run their
// first pass at an offset drawn in [0, period) from the loop's own stream (`<instance>/<label>/phase`),
// instead of at once: each periodic loop of a long-running process sits at an arbitrary phase, and a
// fault at a fixed time lands at a different point of every loop's period in every seed. An incarnation
// started later (a restart, a failover) runs its loops at once, as upstream's wait.Until does.
import { type EventHandle, type Guard, type Loop, type Rng, startLoop } from '../../engine/index.js';
import type { ApiObject } from '../../k8s/objects.js';
import type { RequestOptions } from '../apiserver/api-server.js';
import type { ApiResult, ApiStore } from '../apiserver/store.js';
import { Informer, type InformerOptions } from '../apiserver/informer.js';
import type { ModelContext } from '../context.js';
import type { Host, HostProcess } from './host.js';

export interface ProcessLoopOptions {
  /** Period in local-clock ms. */
  periodMs: number;
  /** As wait.JitterUntil: each wait is period * (1 + U[0,1) * jitterFactor). */
  jitterFactor?: number;
  initialDelayMs?: number;
  label: string;
}

export abstract class Process implements HostProcess, Guard {
  running = false;
  /** Incremented at every start and stop; callbacks of an older incarnation are dropped. */
  epoch = 0;
  private loops: Loop[] = [];
  private informers: Informer<ApiObject>[] = [];
  /** call() label -> event label (`${name}/${label}`), built once instead of per request. */
  private readonly callLabels = new Map<string, string>();
  /** This incarnation stands for one running since before t = 0 (see the header). */
  protected preexisting = false;
  /** Loops started now take a seeded phase (set by a preexisting incarnation's subclass; see the header). */
  protected phaseLoops = false;

  constructor(
    readonly ctx: ModelContext,
    readonly host: Host,
    /** Instance name, e.g. "kube-controller-manager-control-plane-0" or "kubelet/worker-a-0". */
    readonly name: string,
    /** Component name for the trace, e.g. "kube-controller-manager". */
    readonly component: string,
  ) {
    host.attach(this);
  }

  /** Local time on this process's host. */
  now(): number {
    return this.host.clock.now();
  }

  /** This process's own seeded stream (stable label, independent of creation order). */
  rng(label = ''): Rng {
    return this.ctx.streams.stream(label ? `${this.name}/${label}` : this.name);
  }

  start(): void {
    if (this.running || !this.host.poweredOn) return;
    this.running = true;
    this.epoch++;
    if (this.traced) this.ctx.trace.emit('component.started', { component: this.component, instance: this.name });
    this.onStart();
  }

  /** The cluster's first start: this incarnation stands for one that was already running (see the header). */
  startPreexisting(): void {
    if (this.running || !this.host.poweredOn) return;
    this.preexisting = true;
    this.start();
  }

  /** A clean stop or a crash: everything the incarnation scheduled is silenced. */
  stop(reason: string): void {
    if (!this.running) return;
    this.beforeStop();
    this.running = false;
    this.preexisting = false;
    this.phaseLoops = false;
    this.epoch++;
    for (const l of this.loops) l.stop();
    for (const i of this.informers) i.stop();
    this.loops = [];
    this.informers = [];
    this.onStop(reason);
    if (this.traced) this.ctx.trace.emit('component.stopped', { component: this.component, instance: this.name });
  }

  /** Called while the incarnation still runs, just before it stops. */
  protected beforeStop(): void {}

  kill(reason: string): void {
    this.stop(reason);
  }

  /** Whether component.started/stopped are traced (control-plane components are; kubelets are not). */
  protected get traced(): boolean {
    return true;
  }

  protected abstract onStart(): void;
  protected onStop(_reason: string): void {}

  /** Runs fn after localMs of this host's clock, unless the process stopped meanwhile. */
  after(localMs: number, fn: () => void, label: string): EventHandle {
    const sim = this.ctx.sim;
    return sim.atGuarded(sim.nowMs + Math.max(0, this.host.clock.toSimMs(localMs)), fn, undefined, label, this);
  }

  /** As after(), for a timer nobody cancels: no handle, and its event object is reused (Simulator.postGuarded). */
  post(localMs: number, fn: () => void, label: string): void {
    const sim = this.ctx.sim;
    sim.postGuarded(sim.nowMs + Math.max(0, this.host.clock.toSimMs(localMs)), fn, undefined, label, this);
  }

  cancel(h: EventHandle | undefined): void {
    this.ctx.sim.cancel(h);
  }

  /**
   * A sliding loop in local time; pass returns its modelled duration in local ms. With phaseLoops the first
   * pass runs at a seeded offset within the period instead of after initialDelayMs (see the header).
   */
  loop(opts: ProcessLoopOptions, pass: () => number | void): Loop {
    const clock = this.host.clock;
    const jitter = opts.jitterFactor ?? 0;
    const rng = jitter > 0 ? this.rng(opts.label) : undefined;
    const initialDelayMs = this.phaseLoops
      ? this.rng(`${opts.label}/phase`).int(0, Math.max(0, Math.ceil(opts.periodMs) - 1))
      : (opts.initialDelayMs ?? 0);
    // The engine loop works in virtual ms; scale by the clock rate at each wait.
    const l = startLoop(
      this.ctx.sim,
      {
        periodMs: 1,
        label: `${this.name}/${opts.label}`,
        initialDelayMs: clock.toSimMs(initialDelayMs),
        waitMs: () => clock.toSimMs(opts.periodMs * (1 + (rng ? rng.next() * jitter : 0))),
      },
      () => {
        const took = pass() ?? 0;
        return clock.toSimMs(took);
      },
    );
    this.loops.push(l);
    return l;
  }

  /**
   * An API call from this process; `done` runs only if the process is still the same incarnation (after
   * callFailedToReach() when the call never got through).
   */
  call<T>(
    label: string,
    timeoutMs: number,
    op: (store: ApiStore) => ApiResult<T>,
    done: (r: ApiResult<T>) => void = noop,
    /** Options of this call (their owner must be this process); default: owned by it, nothing else. */
    opts?: RequestOptions<T>,
  ): void {
    let eventLabel = this.callLabels.get(label);
    if (eventLabel === undefined) this.callLabels.set(label, (eventLabel = `${this.name}/${label}`));
    this.ctx.api.send(this.host, timeoutMs, op, done, eventLabel, opts ?? (this.requestOptions as RequestOptions<T>));
  }

  /** The options of every call of this process (built once: a call used to allocate them). */
  private readonly requestOptions: RequestOptions<unknown> = { owner: this };

  /**
   * A call whose answer matters only when it fails: `onFailure` runs as call()'s `done` would for a
   * failure, and a success brings no answer event at all (the node lifecycle controller's pod marks:
   * 50,000 in a zone outage at 5,000 nodes).
   */
  callForFailure<T>(
    label: string,
    timeoutMs: number,
    op: (store: ApiStore) => ApiResult<T>,
    onFailure: (r: Extract<ApiResult<T>, { ok: false }>) => void,
  ): void {
    this.call(
      label,
      timeoutMs,
      op,
      onFailure as (r: ApiResult<T>) => void,
      this.failureOnlyOptions as RequestOptions<T>,
    );
  }
  private readonly failureOnlyOptions: RequestOptions<unknown> = { owner: this, served: (r) => r.ok };

  /** Called before `done` of a call of this incarnation that failed with Timeout or Unavailable. */
  callFailedToReach(): void {}

  /** A shared informer owned by this incarnation (stopped with it). Call start() on it. */
  informer<T extends ApiObject>(opts: InformerOptions, label: string): Informer<T> {
    const inf = new Informer<T>(this.ctx, this.host, opts, `${this.name}/${label}`);
    this.informers.push(inf as unknown as Informer<ApiObject>);
    return inf;
  }
}

const noop = () => {};

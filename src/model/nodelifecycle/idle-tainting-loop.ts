// The nodeLifecycleIdleTainting fast path (fast-paths.ts) for the loop that runs doNoExecuteTaintingPass
// every NodeEvictionPeriod (100 ms; upstream Controller.Run in
// pkg/controller/nodelifecycle/node_lifecycle_controller.go: `go wait.UntilWithContext(ctx,
// nc.doNoExecuteTaintingPass, scheduler.NodeEvictionPeriod)`). The reference is the plain loop in
// node-lifecycle-controller.ts: one event every 100 ms of the controller-manager host's clock.
//
// What it skips: the passes that find every zone queue empty. Such a pass takes no token from a zone's
// rate limiter (RateLimitedTimedQueue.try takes one only for a head it can see), reads nothing, draws no
// random number and writes nothing; all it does is schedule the next pass. In a quiet cluster that is
// every pass: four in ten of a demo run's events.
//
// Why the outcome is the same: after a pass that leaves the queues empty, the loop sleeps
// (LazySimulator.sleep). The kernel keeps the place every skipped pass would have had: its millisecond,
// from the previous one plus the period on the host clock as it reads at that moment, and its position
// among the events of that millisecond (after those scheduled before the previous pass ran). A node put
// into a zone queue wakes the loop (LazySimulator.wake): its next pass is scheduled at exactly the place
// the reference's would have, so it runs at the same millisecond, in the same order with everything else,
// and finds the same queues, tokens and informer caches. From there it runs as the reference loop does,
// until a pass leaves the queues empty again. A node goes into a queue only in a monitorNodeHealth pass or
// in the answer to a failed taint swap, both events of this process; a stopped process's sleeping loop is
// dropped with it, as the reference loop is stopped.
import type { SleepingTicker } from '../../engine/index.js';
import type { Loop } from '../../engine/index.js';
import type { Process } from '../infra/process.js';
import type { NodeLifecycleCore } from './nlc-core.js';

export class IdleTaintingLoop {
  private loop: Loop | undefined;
  private ticker: SleepingTicker | undefined;
  private readonly label: string;

  constructor(
    private readonly proc: Process,
    private readonly core: NodeLifecycleCore,
    private readonly periodMs: number,
    label: string,
  ) {
    this.label = `${proc.name}/${label}`;
    core.onQueueWork = () => this.wake();
    // The first pass comes as the reference's does (a seeded phase for a controller running since before the
    // run); the plain loop runs until a pass leaves the queues empty.
    this.loop = proc.loop({ periodMs, label }, () => {
      core.doNoExecuteTaintingPass();
      if (core.taintingQueuesIdle()) this.sleep();
    });
  }

  /** The reference loop's wait after a pass, in virtual ms (process.ts loop() and engine/loop.ts, unrolled). */
  private waitMs(): number {
    const clock = this.proc.host.clock;
    return Math.max(0, clock.toSimMs(0) + clock.toSimMs(this.periodMs * (1 + 0)));
  }

  /** Called at the end of a pass that left the queues empty: the next pass is not scheduled. */
  private sleep(): void {
    // Inside the plain loop's pass: stopping it now keeps it from scheduling the next pass.
    this.loop?.stop();
    this.loop = undefined;
    const sim = this.proc.ctx.sim;
    this.ticker = sim.sleep(sim.nowMs + this.waitMs(), (atMs) => atMs + this.waitMs(), this.proc, this.label);
  }

  /** A node went into a zone queue: the next pass is scheduled where it would have been. */
  private wake(): void {
    const t = this.ticker;
    if (t === undefined) return;
    this.ticker = undefined;
    if (!t.live) return; // the process stopped since it slept
    this.proc.ctx.sim.wake(t, this.pass, this);
  }

  /** A pass after a wake-up: as the reference loop's, then the next one or sleep. */
  private pass(): void {
    this.core.doNoExecuteTaintingPass();
    if (this.core.taintingQueuesIdle()) {
      this.sleep();
      return;
    }
    const sim = this.proc.ctx.sim;
    sim.atGuarded(sim.nowMs + this.waitMs(), this.pass, this, this.label, this.proc);
  }
}

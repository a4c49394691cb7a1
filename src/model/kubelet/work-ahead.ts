// The kubelet's heartbeats worked ahead of time (the `speculation` fast path, model/fast-paths.ts). The
// plain behaviour is the reference (PlainHeartbeats): the lease controller's loop
// (staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go, Run -> sync ->
// retryUpdateLease, wait.JitterUntil sliding) and the node-status loop (pkg/kubelet/kubelet_node_status.go
// syncNodeStatus -> tryUpdateNodeStatus) each run as events of their own: a sync, a request's arrival, its
// answer, the jittered wait. While hosts, links, clocks and API members stay as they are (infra/world.ts),
// their outcome is fixed in advance, and WorkAhead saves the events in between:
// - Renewals sent ahead (renewServed): when a renewal of the lease loop's own sync is served OK, its answer
//   sets latestLease, the loop waits period x (1 + jitter) from the answer's arrival, and the next sync
//   sends the renewal of that lease. The jitter and the request's network leg come from streams of the
//   loop's own, so they draw now what they would draw later; so the next renewal is sent now, for its
//   moment: one event per renewal (its arrival) instead of three. With lease chains (apiserver/
//   lease-chains.ts) not even that: the renewal is kept as a chain link and played only when someone could
//   tell the difference (catchUpRenewals), or passed over when its successor replaces it everywhere
//   before anyone looks (passRenewal).
// - Idle status syncs skipped (skipIdleStatusSyncs): a sync that found the cached Node unchanged and no
//   report due does nothing, and so do the ones after it until a report falls due, unless the Node
//   changes or the world does. Their times are drawn now (the jitter stream is the loop's own) and only
//   the sync that reports is scheduled.
// Why the outcome is the same: every draw made ahead is made from the same stream, in the same order,
// as the plain loop would make it, and each pass is placed by the node's ordinal among the events of its
// millisecond (Kubelet.atInLoop), so it runs where the plain one would. A world change that can affect
// this node (World.speculate -> undo: one of its own host's power or clock, or of the control plane,
// links or members; a change of another worker's host cannot reach its renewals or syncs), a change of
// the cached Node, a graceful shutdown, the network becoming ready, or a stop gives back the draws not
// yet due (Rng.unread) and the ordinary events take over from where things stood.
// Tests (test/model/kubelet/, test/model/fast-paths*) and `npm run vopr` compare both traces byte for byte.
import { type EventHandle } from '../../engine/index.js';
import type { Lease } from '../../k8s/objects.js';
import { InFlightRequest, type RequestOptions } from '../apiserver/api-server.js';
import type { LeaseChain } from '../apiserver/lease-chains.js';
import type { ApiResult } from '../apiserver/store.js';
import type { Speculation } from '../infra/world.js';
import { JITTER_FACTOR, type Kubelet, type SyncLoop } from './kubelet.js';

/** At most this many status syncs are skipped at once (30 at the defaults: 5 min / 10 s). */
const MAX_SKIPPED_SYNCS = 64;

/** What the kubelet's heartbeat loops leave to their work-ahead, if any. */
export interface HeartbeatWorkAhead {
  /** The options of a renewal sent by the lease loop's own sync (a work-ahead may take over its answer). */
  readonly ownRenewalOpts: RequestOptions<Lease>;
  /**
   * The status loop's sync has just ended: true when the syncs after it have been taken over (the one that
   * will do something is scheduled), false when the loop waits as usual.
   */
  skipIdleStatusSyncs(): boolean;
  /** The node's status may change now: syncs skipped past now come back (nowRan: one due now has run). */
  statusMayChange(nowRan: boolean): void;
  /** The kubelet is about to stop, still running: renewals played late are played up to now. */
  beforeStop(): void;
  /** The kubelet has stopped: what was done ahead goes back to the ordinary events, or is dropped. */
  stopped(): void;
}

/** The reference: the plain loops, every sync, renewal and answer an event of its own. */
export class PlainHeartbeats implements HeartbeatWorkAhead {
  constructor(readonly ownRenewalOpts: RequestOptions<Lease>) {}
  skipIdleStatusSyncs(): boolean {
    return false;
  }
  statusMayChange(): void {}
  beforeStop(): void {}
  stopped(): void {}
}

/**
 * A lease renewal sent ahead (see renewServed): the answer of the previous one would have reached the
 * kubelet at respondAtMs, and this one would have been sent at sendAtMs.
 */
interface RenewalAhead {
  respondAtMs: number;
  sendAtMs: number;
  lease: Lease;
  epoch: number;
  /** The raw draws made ahead, given back if undone: the loop's jitter and the request leg's base latency. */
  jitterRaw: number;
  baseRaw: number | undefined;
  /** The arrival (or timeout) of the renewal sent ahead, as an event; undefined while it is a chain link. */
  event: EventHandle | undefined;
  /** A chain link (lease-chains.ts): the renewal, with its arrival drawn, to be played once past. */
  req: InFlightRequest<Lease> | undefined;
}

/**
 * Node-status syncs skipped ahead (see skipIdleStatusSyncs): the times of the syncs that would have done
 * nothing, then the one that will report, with the raw jitter draws that placed each.
 */
interface StatusSkip {
  ticks: number[];
  raws: number[];
  epoch: number;
  /** The sync at the last tick. */
  event: EventHandle;
}

/** The fast path: renewals sent ahead (and chained), idle status syncs skipped, until the world changes. */
export class WorkAhead implements HeartbeatWorkAhead, LeaseChain {
  readonly ownRenewalOpts: RequestOptions<Lease>;
  private statusSkip: StatusSkip | undefined;
  private ahead: RenewalAhead | undefined;
  /** One record per kubelet, refilled by every renewal sent ahead. */
  private aheadRecord: RenewalAhead | undefined;
  /** Registered with the world until it next changes (see worldChanged). */
  private speculating = false;
  /** It depends on its own host and the control plane only (infra/world.ts): changes of other workers keep it. */
  private readonly speculation: Speculation;
  private catchingUp = false;
  /** Registered in the store's lease chains. */
  private chained = false;

  constructor(private readonly k: Kubelet) {
    this.speculation = { undo: () => this.worldChanged(), host: k.host };
    this.ownRenewalOpts = { ...k.renewOpts, served: (r, respondAtMs, req) => this.renewServed(r, respondAtMs, req) };
  }

  statusMayChange(nowRan: boolean): void {
    if (this.statusSkip !== undefined) this.unskipStatusSyncs(this.statusSkip, nowRan);
  }

  beforeStop(): void {
    this.catchUpRenewals();
  }

  stopped(): void {
    this.undoWorkAhead();
  }

  /** Hosts, links, clocks or API members changed: what was done ahead and has not happened yet is undone. */
  private worldChanged(): void {
    this.speculating = false;
    this.undoWorkAhead();
  }

  /** A world change or a stop: a renewal not yet sent and skipped status syncs go back to ordinary events. */
  private undoWorkAhead(): void {
    if (this.ahead !== undefined) this.undoAhead(this.ahead);
    if (this.statusSkip !== undefined) this.unskipStatusSyncs(this.statusSkip, false);
  }

  private speculate(): void {
    if (this.speculating) return;
    this.speculating = true;
    this.k.ctx.world.speculate(this.speculation);
  }

  // ---- idle node-status syncs ----

  /**
   * The status loop's wait, when the sync that just ended did nothing (Kubelet.statusSyncIdle): the syncs
   * after it do nothing either until a report falls due, unless the Node changes or the world does. So
   * their times are drawn now (the jitter stream is the loop's own) and only the sync that reports is
   * scheduled. A change of the cached Node (the node informer's handler), of the world or a stop brings
   * the skipped syncs back from the first one after it, giving back the draws of the later ones.
   */
  skipIdleStatusSyncs(): boolean {
    const k = this.k;
    const loop = k.statusLoop;
    if (loop === undefined || !k.statusSyncIdle()) return false;
    const clock = k.host.clock;
    const reportAtLocalMs = k.nextStatusReportAtLocalMs();
    const ticks: number[] = [];
    const raws: number[] = [];
    let t = k.ctx.sim.nowMs;
    do {
      const raw = loop.rng.next();
      t = Math.round(t + Math.max(0, clock.toSimMs(loop.periodMs * (1 + raw * JITTER_FACTOR))));
      ticks.push(t);
      raws.push(raw);
    } while (clock.nowAt(t) < reportAtLocalMs && ticks.length < MAX_SKIPPED_SYNCS);
    this.statusSkip = { ticks, raws, epoch: k.epoch, event: k.atInLoop(t, loop.run, k.statusLabel) };
    this.speculate();
    return true;
  }

  /**
   * The syncs skipped past now come back: the first one still to come is scheduled, later draws are given
   * back. `nowRan`: a sync due this very millisecond has already run.
   */
  private unskipStatusSyncs(skip: StatusSkip, nowRan: boolean): void {
    if (this.statusSkip === skip) this.statusSkip = undefined;
    const k = this.k;
    const sim = k.ctx.sim;
    const { ticks, raws } = skip;
    // Syncs that have happened did nothing; the first one to come keeps its draw.
    let first = 0;
    while (first < ticks.length && (ticks[first] < sim.nowMs || (nowRan && ticks[first] === sim.nowMs))) first++;
    if (first >= ticks.length - 1) return; // the scheduled sync is next anyway (or done)
    sim.cancel(skip.event);
    const rng = k.statusRng;
    for (let j = ticks.length - 1; j > first; j--) rng.unread(raws[j]);
    const loop = k.statusLoop;
    if (loop === undefined || !k.running || k.epoch !== skip.epoch) return;
    k.atInLoop(ticks[first], loop.run, k.statusLabel);
  }

  // ---- lease renewals sent ahead ----

  /**
   * A renewal of the loop's own sync was served OK and its answer will reach this kubelet at respondAtMs.
   * Until the world changes, what follows is fixed (see the header), so it is all done now and the next
   * renewal is sent ahead, for its moment. A change of the world or a stop before the send undoes it
   * (undoAhead).
   */
  private renewServed(r: ApiResult<Lease>, respondAtMs: number, req: InFlightRequest<Lease>): boolean {
    this.ahead = undefined; // the renewal sent ahead (if this is it) has now happened
    const k = this.k;
    const loop = k.leaseLoop;
    const { network, api } = k.ctx;
    // A degraded link's loss and delay draws, and a slowed API server's or etcd's, depend on the world:
    // then nothing is drawn ahead.
    if (!r.ok || loop === undefined || !k.running || req.epoch !== k.epoch || network.degraded || api.slowed)
      return false;
    this.sendNextAhead(loop, respondAtMs, r.value, req);
    return true;
  }

  /** renewServed's work once it goes ahead: the answer taken in at respondAtMs, the next renewal sent. */
  private sendNextAhead(
    loop: SyncLoop,
    respondAtMs: number,
    lease: Lease,
    req: InFlightRequest<Lease>,
    passedOver = false,
  ): void {
    const k = this.k;
    const jitterRaw = loop.rng.next();
    const waitMs = Math.max(0, k.host.clock.toSimMs(loop.periodMs * (1 + jitterRaw * JITTER_FACTOR)));
    const sendAtMs = Math.round(respondAtMs + waitMs);
    const sendBaseMs = k.drawRenewBase();
    const baseRaw = k.lastBaseRaw;
    k.latestLease = lease;
    // The sync at sendAtMs: syncLease(again) with latestLease set. The served request is finished (this
    // hook takes over its answer), so it carries the next one. With lease chains on it is not scheduled
    // but kept as a chain link (lease-chains.ts).
    const chains = k.ctx.api.store.chains;
    let event: EventHandle | undefined;
    let link: InFlightRequest<Lease> | undefined;
    if (passedOver) {
      // A link after a renewal passed over: the same request renews the same lease, through the same
      // replica, a period later. Its way there is the base latency drawn (the world is as it was, the
      // links not degraded), as prepareAt would find.
      req.deadlineMs = sendAtMs + k.heartbeatTimeoutMs;
      req.arriveAtMs = sendAtMs + Math.max(0, sendBaseMs);
      req.result = undefined;
      link = req;
    } else {
      // retryUpdateLease's first attempt of the loop's own sync, prepared: a renewal that will reach its
      // replica becomes a chain link, played once past (lease-chains.ts).
      const next = k.prepareOwnRenewal(sendAtMs, sendBaseMs, lease, req);
      if (chains.enabled && next.arriveAtMs >= 0) link = next;
      else event = k.ctx.api.schedule(next);
    }
    if (link === undefined) this.unchain();
    else if (!this.chained) {
      chains.add(k.nodeName, this, k.ctx.sim.nowMs, this.renewalGapMs(loop));
      this.chained = true;
    }
    this.ahead = this.fillAhead(respondAtMs, sendAtMs, lease, jitterRaw, baseRaw, event, link);
    this.speculate();
  }

  /** The kubelet's one RenewalAhead record, refilled: it too would live until the next renewal. */
  private fillAhead(
    respondAtMs: number,
    sendAtMs: number,
    lease: Lease,
    jitterRaw: number,
    baseRaw: number | undefined,
    event: EventHandle | undefined,
    req: InFlightRequest<Lease> | undefined,
  ): RenewalAhead {
    const epoch = this.k.epoch;
    const ahead = (this.aheadRecord ??= { respondAtMs, sendAtMs, lease, epoch, jitterRaw, baseRaw, event, req });
    ahead.respondAtMs = respondAtMs;
    ahead.sendAtMs = sendAtMs;
    ahead.lease = lease;
    ahead.epoch = epoch;
    ahead.jitterRaw = jitterRaw;
    ahead.baseRaw = baseRaw;
    ahead.event = event;
    ahead.req = req;
    return ahead;
  }

  /**
   * Plays the renewals of the chain (lease-chains.ts) that have happened by now, each at its arrival:
   * served, it sends the next one, which becomes the next link. The world is as it was when they were
   * sent (a change plays every chain first), so each does what its event would have done.
   */
  catchUpRenewals(): void {
    if (this.catchingUp) return;
    const sim = this.k.ctx.sim;
    this.catchingUp = true;
    try {
      // A renewal whose successor has arrived, and whose successor's watch events have been delivered, by
      // now can be passed over (passRenewal): the successor replaces it everywhere. The successor and
      // its watch events come at most renewalGapMs after it, and no earlier than each watch's first list.
      const loop = this.k.leaseLoop;
      const maxGapMs = loop === undefined ? Infinity : this.renewalGapMs(loop);
      for (
        let a = this.ahead;
        a !== undefined && a.req !== undefined && sim.visibleEarly(a.req.arriveAtMs);
        a = this.ahead
      ) {
        const req = a.req;
        a.req = undefined;
        if (req.arriveAtMs + maxGapMs < sim.nowMs && this.passRenewal(req)) continue;
        sim.replayWith(req.arriveAtMs, InFlightRequest.prototype.arrive, req, undefined);
      }
    } finally {
      this.catchingUp = false;
    }
    if (this.ahead?.req === undefined) this.unchain();
  }

  /**
   * The longest a chain's renewal can come after the one before, with its watch events: at most a
   * jittered period (at the clock's rate, fixed while the chain runs) and three network legs, plus
   * rounding.
   */
  private renewalGapMs(loop: SyncLoop): number {
    return this.k.host.clock.toSimMs(loop.periodMs * (1 + JITTER_FACTOR)) + 3 * this.k.latencyMaxMs + 2;
  }

  /**
   * Plays a renewal whose lease nobody can see, because the next renewal replaces it at the API server
   * and in every lease watcher before anyone looks (catchUpRenewals): it is counted, and its network
   * legs and the next renewal's draws are made as the replay would make them, in the same order (the
   * watch events' delays, the answer's way back, the loop's jitter, the next request's way there), but no
   * object is built. False when a lease watcher cannot take it so.
   */
  private passRenewal(req: InFlightRequest<Lease>): boolean {
    const { sim, api } = this.k.ctx;
    if (this.k.leaseLoop === undefined || !api.store.canPassRenewal(sim.nowMs)) return false;
    sim.replayWith(req.arriveAtMs, this.passedOver, this, req);
    return true;
  }

  /** passRenewal's replay, at the renewal's arrival (a method, not a closure per renewal). */
  private passedOver(req: InFlightRequest<Lease>): void {
    const k = this.k;
    const { sim, api, network } = k.ctx;
    const store = api.store;
    this.ahead = undefined;
    store.watchRng = k.leaseSendRng;
    store.passRenewal(k.nodeName);
    store.watchRng = undefined;
    const back = network.transit(req.replica!.host, k.host, k.leaseSendRng);
    if (back === undefined) throw sim.bug(`${k.name}: a renewal passed over could not be answered`);
    api.frameRead(k.host, req.replica!, sim.nowMs + Math.max(0, back));
    // The lease it would have returned is replaced by the next renewal's: the kubelet keeps the one it has.
    this.sendNextAhead(k.leaseLoop!, sim.nowMs + Math.max(0, back), k.latestLease!, req, true);
  }

  private unchain(): void {
    if (!this.chained) return;
    this.chained = false;
    this.k.ctx.api.store.chains.remove(this.k.nodeName, this);
  }

  /**
   * Someone else writes this node's lease (lease-chains.ts): the renewal kept as a chain link becomes
   * the arrival event it would have been without chains, so that its answer (a Conflict, now) is taken
   * as it comes. Not while the chain itself is being played: those writes are its own.
   */
  breakChain(): void {
    const ahead = this.ahead;
    if (this.catchingUp || ahead === undefined || ahead.req === undefined) return;
    const link = ahead.req;
    ahead.req = undefined;
    this.unchain();
    ahead.event = this.k.ctx.api.schedule(link);
  }

  /** The world changed or the kubelet stops: a renewal not yet sent goes back to the ordinary events. */
  private undoAhead(ahead: RenewalAhead): void {
    if (this.ahead === ahead) this.ahead = undefined;
    const k = this.k;
    const link = ahead.req;
    ahead.req = undefined;
    this.unchain();
    const sim = k.ctx.sim;
    const nowMs = sim.nowMs;
    if (ahead.sendAtMs < nowMs) {
      // Sent before the change: on its way, as it would be (a chain link's arrival becomes an event).
      if (link !== undefined) ahead.event = k.ctx.api.schedule(link);
      return;
    }
    sim.cancel(ahead.event);
    // Not sent: its base latency is drawn again when (if) it is. Not answered yet: nor is the jitter.
    if (ahead.baseRaw !== undefined) k.leaseSendRng.unread(ahead.baseRaw);
    const answered = nowMs > ahead.respondAtMs;
    if (!answered) k.leaseRng.unread(ahead.jitterRaw);
    // A stopped kubelet would have dropped the answer, or never synced again.
    if (!k.running || k.epoch !== ahead.epoch) return;
    const loop = k.leaseLoop!;
    if (!answered) {
      // The answer arrives as an event, and the loop's wait starts from it.
      const lease = ahead.lease; // the record is refilled by the next renewal
      k.atInLoop(
        ahead.respondAtMs,
        () => {
          k.latestLease = lease;
          loop.again();
        },
        k.renewLabel,
      );
    } else k.atInLoop(ahead.sendAtMs, loop.run, `${k.name}/lease`);
  }
}

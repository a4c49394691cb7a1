// Leader election played late (the leaderElectionChains fast path). While nothing can observe or disturb
// them, the electors of one Lease do the same thing over and over: the holder renews every retryPeriod
// on the fast path of tryAcquireOrRenew (leaderelection.go, renew -> tryAcquireOrRenew -> LeaseLock.Update),
// and each standby GETs the Lease, sees a valid lease held by someone else and waits out its jittered
// retry (acquire -> JitterUntil). Every draw they make is from their own streams (the elector's network
// stream, leader-elector.ts, and its jitter stream), and only they read or write the Lease, so the whole
// chain of timers, arrivals and answers is fixed once it starts. A chain keeps each elector's next step
// (a timer, a request's arrival at the API server, or its answer) without an event, and plays the steps
// (LazySimulator.replayWith, in the order their events would have run) only when something could tell
// the difference:
// - a change of the world (World.willChange: power, links, clocks, API server replicas, etcd members,
//   slow faults), before it happens;
// - an elector of the Lease starting or stopping (a process crash or restart), or a write of the Lease by
//   one of them (a request made before the chain started, landing late);
// Steps whose moment has not come are then scheduled as the events they would have been (the request in
// flight with the delay already drawn, ApiServer.prepareAt), the Lease versions that anyone holds are
// written to the store, and the electors go on with events until the next quiet point. At the end of a
// run nothing is played: nothing reads a Lease after the end.
//
// A chain starts (quietPoint) only when every elector of the Lease waits on its next attempt or round with
// no request in flight, exactly one leads with a valid lease that the store holds, the world has no slow
// member, degraded or cut link, and every elector's API server replica serves with etcd quorum and
// answers well within the lock client's timeout. Any step that would not go as described is a bug (the
// run stops). The reference run (REFERENCE_BEHAVIOUR) plays every step as an event; tests and `npm run
// vopr` compare the two traces byte for byte.
import { InFlightRequest, type Member as ApiMember, type RequestOptions } from '../apiserver/api-server.js';
import { type ApiResult, type ApiStore, ok } from '../apiserver/store.js';
import type { Lease } from '../../k8s/objects.js';
import type { ModelContext } from '../context.js';
import { type LeaderElectionRecord, type LeaderElector, sameRecord } from './leader-elector.js';

type Step = 'timer' | 'arrive' | 'respond';

/** One elector of a running chain: its next step and the attempt it belongs to. */
interface Link {
  readonly e: LeaderElector;
  readonly leading: boolean;
  /** The process incarnation and the elector generation when the chain started (neither moves during it). */
  readonly epoch: number;
  readonly gen: number;
  step: Step;
  atMs: number;
  /** Order among the chain's steps of the same millisecond: the insertion order their events would have. */
  vseq: number;
  /** The Lease version the elector caches (index into QuietChain.versions; -1: the one it had). */
  leaseVersion: number;
  // The attempt in flight (set by its timer step).
  roundStartMono: number;
  attemptStartMono: number;
  roundDeadlineAtMs: number;
  rec: LeaderElectionRecord | undefined;
  renewed: LeaderElectionRecord | undefined;
  sendAtMs: number;
  deadlineMs: number;
  baseMs: number;
  replica: ApiMember | undefined;
  /** The Lease version the request read or wrote. */
  result: number;
}

const chainsOf = new WeakMap<ModelContext, Map<string, QuietChain>>();

export class QuietChain {
  /** The electors of this Lease that have run and not stopped. */
  private readonly electors: LeaderElector[] = [];
  /** The running chain (undefined: the electors work with events). */
  private links: Link[] | undefined;
  private vseq = 0;
  /** The Lease's versions since the chain started: [0] is the stored one, each later one a renewal. */
  private versions: Array<{ spec: LeaderElectionRecord; obj: Lease | undefined }> = [];

  private constructor(
    private readonly ctx: ModelContext,
    readonly leaseName: string,
  ) {}

  /** The chain of the Lease `leaseName` in this run. */
  static of(ctx: ModelContext, leaseName: string): QuietChain {
    let chains = chainsOf.get(ctx);
    if (chains === undefined) {
      const all = new Map<string, QuietChain>();
      chainsOf.set(ctx, (chains = all));
      ctx.world.beforeChange(() => {
        for (const c of all.values()) c.materialise();
      });
    }
    let c = chains.get(leaseName);
    if (c === undefined) chains.set(leaseName, (c = new QuietChain(ctx, leaseName)));
    return c;
  }

  /** An elector of the Lease starts. */
  join(e: LeaderElector): void {
    this.materialise();
    this.electors.push(e);
  }

  /** An elector of the Lease stops (before its in-flight work is forgotten). */
  leave(e: LeaderElector): void {
    this.materialise();
    const at = this.electors.indexOf(e);
    if (at >= 0) this.electors.splice(at, 1);
  }

  /** An elector's write of the Lease is landing at the API server. */
  writing(): void {
    this.materialise();
  }

  /** An elector has just scheduled its next attempt or round: start a chain if every elector can be chained. */
  quietPoint(): void {
    if (this.links !== undefined) return;
    const { api, network } = this.ctx;
    if (api.slowed || network.degraded || network.partitioned) return;
    let holder: LeaderElector | undefined;
    for (const e of this.electors) {
      if (e.timer === undefined || !e.proc.running || !e.proc.host.poweredOn) return;
      if (e.phase === 'leading') {
        if (holder !== undefined || !e.isLeader || e.roundDeadline !== undefined || !e.observedLeader()) return;
        holder = e;
      } else if (e.phase !== 'acquiring') return;
      // The elector's connection must be open: a look through pickReplica would dial it now, where the
      // elector's own next request dials it (the kubelet's close-all can close it in between).
      const replica = api.openReplica(e.proc.host);
      if (replica === undefined || !api.serving(replica) || !api.hasQuorum(replica.host)) return;
      if (2 * network.latency.maxMs >= e.requestTimeoutMs()) return;
    }
    if (holder === undefined || holder.lease === undefined) return;
    const stored = holder.getLease(api.store);
    if (!stored.ok || stored.value !== holder.lease) return;
    this.versions = [{ spec: stored.value.spec, obj: stored.value }];
    const waiting = [...this.electors].sort((a, b) => a.timer!.atMs - b.timer!.atMs || a.timer!.seq - b.timer!.seq);
    this.links = waiting.map((e) => {
      const t = e.timer!;
      e.proc.cancel(t);
      e.timer = undefined;
      return {
        e,
        leading: e === holder,
        epoch: e.proc.epoch,
        gen: e.generation,
        step: 'timer',
        atMs: t.atMs,
        vseq: this.vseq++,
        leaseVersion: e.lease === stored.value ? 0 : -1,
        roundStartMono: 0,
        attemptStartMono: 0,
        roundDeadlineAtMs: 0,
        rec: undefined,
        renewed: undefined,
        sendAtMs: 0,
        deadlineMs: 0,
        baseMs: 0,
        replica: undefined,
        result: -1,
      };
    });
  }

  /**
   * Plays every step whose moment has come, writes the Lease versions someone holds, and turns the steps
   * still ahead into the events they would have been. The electors then work with events again.
   */
  materialise(): void {
    const links = this.links;
    if (links === undefined) return;
    const sim = this.ctx.sim;
    for (;;) {
      let next: Link | undefined;
      for (const l of links)
        if (next === undefined || l.atMs < next.atMs || (l.atMs === next.atMs && l.vseq < next.vseq)) next = l;
      // An event of the chain's due now runs before the one running now (it was scheduled earlier).
      if (next === undefined || !sim.wouldHaveRun(next.atMs, -1)) break;
      sim.replayWith(next.atMs, this.play, this, next);
    }
    this.links = undefined;
    this.writeVersions(links);
    for (const l of links) if (l.leaseVersion >= 0) l.e.lease = this.versions[l.leaseVersion].obj;
    links.sort((a, b) => a.vseq - b.vseq);
    for (const l of links) this.resume(l);
    this.versions = [];
  }

  /** One step of an elector, at its moment (within replay: it schedules nothing). */
  private play(l: Link): void {
    const e = l.e;
    const { api, network, sim } = this.ctx;
    const host = e.proc.host;
    const nowMs = sim.nowMs;
    switch (l.step) {
      case 'timer': {
        // renewRound + renewAttempt + tryAcquireOrRenew's fast path, or acquireAttempt + the slow path's GET.
        l.roundStartMono = l.attemptStartMono = e.monoNow();
        l.roundDeadlineAtMs = nowMs + Math.max(0, host.clock.toSimMs(e.config.renewDeadlineMs));
        const monoMs = e.monoNow();
        l.rec = e.newRecord();
        l.renewed = e.fastPathRecord(l.rec, monoMs);
        if (l.leading !== (l.renewed !== undefined))
          throw sim.bug(`quiet chain of ${this.leaseName}: ${e.proc.name} would not renew or retry as chained`);
        l.attemptStartMono = monoMs;
        const replica = api.pickReplica(host)!;
        const there = network.transit(host, replica.host, e.requestOpts.sendRng);
        l.sendAtMs = nowMs;
        l.deadlineMs = nowMs + e.requestTimeoutMs();
        if (there === undefined || nowMs + there > l.deadlineMs)
          throw sim.bug(`quiet chain of ${this.leaseName}: a request of ${e.proc.name} would not arrive`);
        l.replica = replica;
        l.baseMs = there;
        this.next(l, 'arrive', nowMs + Math.max(0, there));
        return;
      }
      case 'arrive': {
        const replica = l.replica!;
        if (!api.serving(replica) || !api.hasQuorum(replica.host))
          throw sim.bug(`quiet chain of ${this.leaseName}: ${replica.name} would not serve`);
        if (l.leading) {
          // The UPDATE's resourceVersion is the stored one's: the holder caches the newest version.
          if (l.leaseVersion !== this.versions.length - 1)
            throw sim.bug(`quiet chain of ${this.leaseName}: the renewal of ${e.proc.name} would conflict`);
          this.versions.push({ spec: { ...l.renewed! }, obj: undefined });
        }
        l.result = this.versions.length - 1;
        const back = network.transit(replica.host, host, e.requestOpts.sendRng);
        if (back === undefined || nowMs + back > l.deadlineMs)
          throw sim.bug(`quiet chain of ${this.leaseName}: an answer to ${e.proc.name} would not arrive`);
        // The answer is a frame read on the elector's connection, as ApiServer.serve counts it.
        api.frameRead(host, replica, nowMs + Math.max(0, back));
        this.next(l, 'respond', nowMs + Math.max(0, back));
        return;
      }
      case 'respond': {
        l.leaseVersion = l.result;
        let waitMs: number;
        if (l.leading) {
          e.observe(l.renewed!);
          waitMs = e.config.retryPeriodMs;
        } else {
          const old = this.versions[l.result].spec;
          if (!sameRecord(old, e.observedRawRecord)) {
            e.observe(old);
            e.observedRawRecord = { ...old };
          }
          if (!(old.holderIdentity !== '' && e.leaseValid(l.attemptStartMono) && !e.observedLeader()))
            throw sim.bug(`quiet chain of ${this.leaseName}: ${e.proc.name} would acquire the lease`);
          waitMs = e.acquireWaitMs();
        }
        this.next(l, 'timer', nowMs + Math.max(0, host.clock.toSimMs(waitMs)));
        return;
      }
    }
  }

  private next(l: Link, step: Step, atMs: number): void {
    l.step = step;
    l.atMs = Math.round(atMs);
    l.vseq = this.vseq++;
  }

  /** Writes, in order, the versions an elector caches or a pending answer carries, and the newest. */
  private writeVersions(links: Link[]): void {
    const versions = this.versions;
    const last = versions.length - 1;
    if (last === 0) return;
    const needed = new Set<number>([last]);
    for (const l of links) {
      if (l.leaseVersion > 0) needed.add(l.leaseVersion);
      if (l.step === 'respond') needed.add(l.result);
    }
    const store = this.ctx.api.store;
    const holder = links.find((l) => l.leading)!;
    let cur = versions[0].obj!;
    for (let i = 1; i <= last; i++) {
      if (!needed.has(i)) continue;
      const r = store.update<Lease>({ ...cur, spec: versions[i].spec }, holder.e.proc.name);
      if (!r.ok) throw this.ctx.sim.bug(`quiet chain of ${this.leaseName}: a renewal played late failed (${r.reason})`);
      cur = versions[i].obj = r.value;
    }
  }

  /** Schedules an elector's next step as the event it would have been. */
  private resume(l: Link): void {
    const e = l.e;
    const proc = e.proc;
    const { api, sim } = this.ctx;
    // A stopped incarnation's timers and answers would be dropped; its request still reaches the API server.
    const alive = proc.epoch === l.epoch;
    if (l.step === 'timer') {
      if (!alive) return;
      e.timer = l.leading
        ? sim.atGuarded(l.atMs, () => e.renewRound(), undefined, `${this.leaseName}/renew`, proc)
        : sim.atGuarded(l.atMs, () => e.acquireAttempt(), undefined, `${this.leaseName}/acquire`, proc);
      return;
    }
    if (l.leading && alive)
      e.roundDeadline = sim.atGuarded(
        l.roundDeadlineAtMs,
        () => e.roundRanOut(l.gen),
        undefined,
        `${this.leaseName}/renew-deadline`,
        proc,
      );
    let op: (s: ApiStore) => ApiResult<Lease>;
    let answered: (r: ApiResult<Lease>) => void;
    if (l.leading) {
      const base = this.versions[l.leaseVersion].obj!;
      const done = e.fastPathDone(
        l.renewed!,
        l.rec!,
        l.attemptStartMono,
        e.renewDone(l.gen, l.roundStartMono, l.attemptStartMono),
      );
      [op, answered] = e.updateRequest(base, l.renewed!, done);
    } else {
      op = e.getLease;
      answered = e.getDone(l.rec!, l.attemptStartMono, e.acquireDone(l.gen));
    }
    const label = e.requestLabel(l.leading ? 'update' : 'get');
    const opts = e.requestOpts as RequestOptions<Lease>;
    if (l.step === 'arrive') {
      const req = api.prepareAt<Lease>(
        l.sendAtMs,
        proc.host,
        l.deadlineMs - l.sendAtMs,
        op,
        answered,
        label,
        opts,
        l.baseMs,
      );
      req.epoch = l.epoch;
      api.schedule(req);
      return;
    }
    if (!alive) return;
    const req = new InFlightRequest<Lease>(
      api,
      proc.host,
      l.deadlineMs,
      op as (s: ApiStore, arg: unknown) => ApiResult<Lease>,
      answered,
      label,
      opts,
      undefined,
    );
    req.replica = l.replica;
    req.result = ok(this.versions[l.result].obj!);
    sim.postWith(l.atMs, InFlightRequest.prototype.respond, req, label);
  }
}

// client-go leader election (staging/src/k8s.io/client-go/tools/leaderelection/leaderelection.go, ≈v1.31,
// with the LeaseLock of tools/leaderelection/resourcelock/leaselock.go) on a coordination.k8s.io/v1 Lease
// in kube-system. docs/fidelity.md#acquire-and-renew is the reference; the steps below carry its numbers.
//
// What is modelled exactly: the acquire loop (JitterUntil, jitter factor 1.2, sliding: the next try starts
// retryPeriod + U[0,1)·1.2·retryPeriod after the previous one *ends*); the renew loop (wait.Until of rounds
// retryPeriod apart, each round a PollImmediateUntil on a retryPeriod ticker bounded by renewDeadline, whose
// expiry cancels the request in flight); tryAcquireOrRenew with the fast path, GET/CREATE/UPDATE, the
// raw-record comparison and optimistic concurrency; release() (1.31 form: UPDATE to holder "" and
// leaseDurationSeconds 1 without a GET first); every request is a real round trip over the simulated
// network with the lock's client timeout max(1 s, renewDeadline/2) (resourcelock.NewFromKubeconfig).
// Expiry is judged against observedTime, the candidate's own local time of the last observed change of the
// record, with the record's leaseDurationSeconds. Like Go's time.Time it uses the host's *monotonic* clock:
// a clock-skew jump changes nothing, a clock-rate change does (the package doc's caveat).
//
// Simplified: no coordinated leader election (KEP-4355), no OnNewLeader, no healthz watchdog; a ticker
// tick that falls while an attempt is in flight is dropped (as the old poller does), so the next attempt
// of a round starts at the first tick after the previous attempt ended. OnStoppedLeading is called only
// when leadership is lost by a failed renew round, not when the owning process stops the elector (upstream
// defers it always, but a stopping process has nothing left to do in it).
//
// `isLeader` means "acts as leader": true from the successful acquisition until the renew round runs out
// or the process stops. The trace records the same interval as leader.acquired / leader.lost.
import type { EventHandle, Rng } from '../../engine/index.js';
import type { LeaderElectionConfig } from '../../k8s/config.js';
import type { Lease } from '../../k8s/objects.js';
import type { RequestOptions } from '../apiserver/api-server.js';
import type { ApiResult, ApiStore } from '../apiserver/store.js';
import type { Process } from '../infra/process.js';
import { QuietChain } from './quiet-chain.js';

/** wait.JitterUntil factor of the acquire loop (leaderelection.go JitterFactor). */
export const JITTER_FACTOR = 1.2;
export const LEADER_ELECTION_NAMESPACE = 'kube-system';

export type LeaderElectionRecord = Lease['spec'];

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/**
 * NewLeaderElector's checks, in upstream's order and wording. Empty when the configuration is valid.
 * (The scenario validator rejects bad configurations before a run; here a problem is a hasim bug.)
 */
export function leaderElectionConfigProblems(config: LeaderElectionConfig, identity: string): string[] {
  const problems: string[] = [];
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = config;
  if (leaseDurationMs <= renewDeadlineMs) problems.push('leaseDuration must be greater than renewDeadline');
  if (renewDeadlineMs <= JITTER_FACTOR * retryPeriodMs)
    problems.push('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (leaseDurationMs < 1) problems.push('leaseDuration must be greater than zero');
  if (renewDeadlineMs < 1) problems.push('renewDeadline must be greater than zero');
  if (retryPeriodMs < 1) problems.push('retryPeriod must be greater than zero');
  if (identity === '') problems.push('Lock identity is empty');
  return problems;
}

/** The lock's HTTP client timeout: max(1 s, renewDeadline/2), so one hung request cannot eat a whole round. */
export function lockClientTimeoutMs(config: LeaderElectionConfig): number {
  return Math.max(1000, config.renewDeadlineMs / 2);
}

/**
 * Whether two records would serialise to the same bytes (upstream compares the raw JSON of the record it
 * read with the last one): exactly when every field is equal. Field by field, not by building a string:
 * standbys compare one on every acquire attempt, and strings were the elector's main garbage in a sweep.
 */
export function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord | undefined): boolean {
  return (
    b !== undefined &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTimeMs === b.acquireTimeMs &&
    a.renewTimeMs === b.renewTimeMs &&
    a.leaseTransitions === b.leaseTransitions &&
    a.holderIdentity === b.holderIdentity
  );
}

type Phase = 'idle' | 'acquiring' | 'leading' | 'releasing' | 'stopped';

export class LeaderElector {
  /** Acts as leader now (from acquisition until it stops leading). */
  isLeader = false;
  /** This candidate created the Lease: it is the lock's first holder. */
  createdLease = false;
  /** hostname + "_" + a per-incarnation UUID, as KCM and kube-scheduler build it. */
  readonly identity: string;
  /** What this candidate last saw or wrote (upstream observedRecord); undefined before the first look. */
  observedRecord: LeaderElectionRecord | undefined;
  /** Local monotonic time of the last change of observedRecord (upstream observedTime). */
  observedTimeMs = 0;
  // The fields below are read and set by the elector's quiet chain too (quiet-chain.ts), nowhere else.
  /** A copy of the record of the last GET (upstream observedRawRecord; own writes do not update it). */
  observedRawRecord: LeaderElectionRecord | undefined;
  /** The lock's cached object (LeaseLock.lease): the base of every UPDATE. */
  lease: Lease | undefined;
  phase: Phase = 'idle';
  /** Bumped whenever in-flight work must be forgotten (a round ran out, the elector stopped). */
  generation = 0;
  /** The next attempt or round (undefined while one runs). */
  timer: EventHandle | undefined;
  roundDeadline: EventHandle | undefined;
  /** The quiet chain of the electors of this Lease (quiet-chain.ts), with the leaderElectionChains fast path. */
  readonly chain: QuietChain | undefined;

  constructor(
    readonly proc: Process,
    readonly leaseName: string,
    readonly config: LeaderElectionConfig,
    readonly releaseOnCancel: boolean,
    private readonly cb: LeaderCallbacks,
  ) {
    const uuid = Math.floor(proc.rng('leader-election/identity').next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
    this.identity = `${proc.host.name}_${uuid}`;
    // Every request of this elector and its answer draw their network delays from a stream of the elector's
    // own (a modelling choice, docs/fidelity.md#leader-election): so no other message's delay depends on
    // how many leader-election requests there were, and the renewals can be played late (lease-chains.ts).
    this.requestOpts = {
      owner: proc,
      sendRng: proc.ctx.streams.stream(`network/${proc.name}/leader-election/${uuid}`),
    };
    const problems = leaderElectionConfigProblems(config, this.identity);
    if (problems.length > 0) throw proc.ctx.sim.bug(`leader election of ${proc.name}: ${problems.join('; ')}`);
    this.jitterRng = proc.rng('leader-election/jitter');
    this.getLease = (s) => s.getLease(LEADER_ELECTION_NAMESPACE, leaseName);
    this.labels = { get: `${leaseName}/get`, create: `${leaseName}/create`, update: `${leaseName}/update` };
    this.chain = proc.ctx.fastPaths.leaderElectionChains ? QuietChain.of(proc.ctx, leaseName) : undefined;
  }

  /** The event label of a request of this elector (as Process.call builds it). */
  requestLabel(verb: 'get' | 'update'): string {
    return `${this.proc.name}/${this.labels[verb]}`;
  }

  /** The lock client's timeout in virtual ms (as request() gives it). */
  requestTimeoutMs(): number {
    return this.proc.host.clock.toSimMs(lockClientTimeoutMs(this.config));
  }

  /** The acquire loop's jitter stream, the GET of the Lease and the request labels, made once per elector. */
  private readonly jitterRng: Rng;
  readonly getLease: (store: ApiStore) => ApiResult<Lease>;
  private readonly labels: Record<'get' | 'create' | 'update', string>;
  /** Every request's options: owned by the process, with the elector's own network stream. */
  readonly requestOpts: RequestOptions<unknown>;

  /** Upstream IsLeader(): the last observed holder is this candidate (not the same as acting as leader). */
  observedLeader(): boolean {
    return this.observedRecord?.holderIdentity === this.identity;
  }

  /**
   * Run: acquire, then lead and renew until a renew round runs out. The first attempt is made at once, as
   * upstream, or `firstAttemptDelayMs` later (a process standing for one started before the run: the acquire
   * and renew loops then sit at a seeded phase; see infra/process.ts).
   */
  run(firstAttemptDelayMs = 0): void {
    if (this.phase !== 'idle') throw this.proc.ctx.sim.bug(`leader elector of ${this.proc.name} run twice`);
    // A new candidate reads the Lease: the others' renewals and attempts not played yet are played first.
    this.chain?.join(this);
    this.phase = 'acquiring';
    if (firstAttemptDelayMs > 0)
      this.timer = this.proc.after(firstAttemptDelayMs, () => this.acquireAttempt(), `${this.leaseName}/acquire`);
    else this.acquireAttempt();
  }

  /**
   * The owning process stops. With `graceful` and ReleaseOnCancel the lease is released on the way out
   * (the request still reaches the API server after the process has gone); a crash releases nothing.
   */
  stop(graceful: boolean): void {
    this.chain?.leave(this);
    if (this.phase === 'stopped') return;
    const wasLeading = this.phase === 'leading';
    this.phase = 'stopped';
    this.forgetInFlight();
    this.stopActing();
    if (graceful && this.releaseOnCancel && wasLeading) this.release(() => {});
  }

  // ---- acquire: JitterUntil(tryAcquireOrRenew, retryPeriod, 1.2, sliding) ----

  acquireAttempt(): void {
    this.timer = undefined; // it has fired
    this.tryAcquireOrRenew(this.acquireDone(this.generation));
  }

  /** What an acquire attempt does with its outcome (a method: a quiet chain rebuilds it, quiet-chain.ts). */
  acquireDone(gen: number): (ok: boolean) => void {
    return (ok) => {
      if (gen !== this.generation || this.phase !== 'acquiring') return;
      if (ok) {
        this.startLeading();
        return;
      }
      this.timer = this.proc.after(this.acquireWaitMs(), () => this.acquireAttempt(), `${this.leaseName}/acquire`);
      this.chain?.quietPoint();
    };
  }

  /** The acquire loop's wait after a failed attempt (JitterUntil). */
  acquireWaitMs(): number {
    const { retryPeriodMs } = this.config;
    return retryPeriodMs + this.jitterRng.next() * JITTER_FACTOR * retryPeriodMs;
  }

  private startLeading(): void {
    this.phase = 'leading';
    this.isLeader = true;
    this.proc.ctx.trace.emit('leader.acquired', { component: this.proc.component, instance: this.proc.name });
    this.cb.onStartedLeading();
    // wait.Until runs its first round at once: the new leader renews right after acquiring (L8).
    if (this.phase === 'leading') this.renewRound();
  }

  // ---- renew: Until(round, retryPeriod); round = PollImmediateUntil(retryPeriod, try) within renewDeadline ----

  renewRound(): void {
    this.timer = undefined; // it has fired
    const gen = this.generation;
    const roundStartMs = this.monoNow();
    this.roundDeadline = this.proc.after(
      this.config.renewDeadlineMs,
      () => this.roundRanOut(gen),
      `${this.leaseName}/renew-deadline`,
    );
    this.renewAttempt(gen, roundStartMs);
  }

  private renewAttempt(gen: number, roundStartMs: number): void {
    this.timer = undefined; // it has fired, if there was one
    this.tryAcquireOrRenew(this.renewDone(gen, roundStartMs, this.monoNow()));
  }

  /** What a renew attempt does with its outcome (a method: a quiet chain rebuilds it, quiet-chain.ts). */
  renewDone(gen: number, roundStartMs: number, attemptStartMs: number): (ok: boolean) => void {
    return (ok) => {
      if (gen !== this.generation || this.phase !== 'leading') return;
      if (ok) {
        this.proc.cancel(this.roundDeadline);
        this.roundDeadline = undefined;
        this.timer = this.proc.after(this.config.retryPeriodMs, () => this.renewRound(), `${this.leaseName}/renew`);
        this.chain?.quietPoint();
        return;
      }
      // The poller's ticker fires every retryPeriod from the round's start; ticks during the attempt are dropped.
      const p = this.config.retryPeriodMs;
      const endMs = this.monoNow();
      const k = Math.max(Math.ceil((endMs - roundStartMs) / p), Math.floor((attemptStartMs - roundStartMs) / p) + 1);
      const nextMs = roundStartMs + k * p;
      if (nextMs >= roundStartMs + this.config.renewDeadlineMs) return; // the deadline comes first
      this.timer = this.proc.after(
        nextMs - endMs,
        () => this.renewAttempt(gen, roundStartMs),
        `${this.leaseName}/renew-retry`,
      );
    };
  }

  /** The round's context expired: the request in flight is cancelled and this candidate stops leading. */
  roundRanOut(gen: number): void {
    if (gen !== this.generation || this.phase !== 'leading') return;
    this.forgetInFlight();
    this.stopActing();
    if (this.releaseOnCancel) {
      this.phase = 'releasing';
      const releaseGen = this.generation;
      this.release(() => {
        if (releaseGen !== this.generation || this.phase !== 'releasing') return;
        this.phase = 'stopped';
        this.cb.onStoppedLeading();
      });
    } else {
      this.phase = 'stopped';
      this.cb.onStoppedLeading();
    }
  }

  /**
   * Sets what this candidate has observed, as upstream's unit tests do (L5, L6): the record, its raw
   * form (so an unchanged stored record is recognised) and the local monotonic time of the observation.
   */
  primeObservation(record: LeaderElectionRecord, observedTimeMs: number): void {
    this.observedRecord = record;
    this.observedRawRecord = { ...record };
    this.observedTimeMs = observedTimeMs;
  }

  // ---- tryAcquireOrRenew (§4.3 steps 1–6) ----

  /** One attempt to acquire or renew; public so tests can drive it as upstream's tests do. */
  tryAcquireOrRenew(done: (ok: boolean) => void): void {
    const nowMs = this.monoNow();
    const rec = this.newRecord();
    // 1. Fast path: a leader with a valid lease updates its cached object without reading first.
    const renewed = this.fastPathRecord(rec, nowMs);
    if (renewed !== undefined) {
      this.update(renewed, this.fastPathDone(renewed, rec, nowMs, done));
      return;
    }
    this.slowPath(rec, nowMs, done);
  }

  /** The record an attempt starting now would write: this candidate, acquired and renewed now. */
  newRecord(): LeaderElectionRecord {
    const wallMs = this.proc.now();
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.floor(this.config.leaseDurationMs / 1000),
      acquireTimeMs: wallMs,
      renewTimeMs: wallMs,
      leaseTransitions: 0,
    };
  }

  /** The fast path's renewed record, when the fast path applies (a leader with a valid lease and a cached object). */
  fastPathRecord(rec: LeaderElectionRecord, nowMs: number): LeaderElectionRecord | undefined {
    if (!this.observedLeader() || !this.leaseValid(nowMs)) return undefined;
    const observed = this.observedRecord!;
    // LeaseLock.Update fails locally ("lease not initialized") without a cached object (L7).
    if (!this.lease) return undefined;
    return { ...rec, acquireTimeMs: observed.acquireTimeMs, leaseTransitions: observed.leaseTransitions };
  }

  /** The fast path's UPDATE answered: renewed, or on to the slow path. */
  fastPathDone(
    renewed: LeaderElectionRecord,
    rec: LeaderElectionRecord,
    nowMs: number,
    done: (ok: boolean) => void,
  ): (r: ApiResult<Lease>) => void {
    return (r) => {
      if (r.ok) {
        this.observe(renewed);
        done(true);
      } else this.slowPath(rec, nowMs, done);
    };
  }

  private slowPath(rec: LeaderElectionRecord, nowMs: number, done: (ok: boolean) => void): void {
    // 2. Obtain the record, or create it.
    this.request<Lease>('get', this.getLease, this.getDone(rec, nowMs, done));
  }

  /** The slow path's GET answered (steps 2 to 6). */
  getDone(rec: LeaderElectionRecord, nowMs: number, done: (ok: boolean) => void): (got: ApiResult<Lease>) => void {
    return (got) => {
      if (!got.ok) {
        if (got.reason !== 'NotFound') return done(false);
        this.request<Lease>(
          'create',
          (s) => {
            this.chain?.writing();
            return s.create(this.newLease(rec), this.proc.name);
          },
          (created) => {
            if (!created.ok) return done(false);
            this.lease = created.value;
            this.createdLease = true;
            this.observe(rec);
            done(true);
          },
        );
        return;
      }
      this.lease = got.value;
      const old = got.value.spec;
      // 3. A changed record restarts the expiry clock at the local time of observation.
      if (!sameRecord(old, this.observedRawRecord)) {
        this.observe(old);
        this.observedRawRecord = { ...old };
      }
      // 4. Somebody else holds an unexpired lease.
      if (old.holderIdentity !== '' && this.leaseValid(nowMs) && !this.observedLeader()) return done(false);
      // 5. A renewal keeps acquireTime and leaseTransitions; a takeover counts one more transition.
      const next = this.observedLeader()
        ? { ...rec, acquireTimeMs: old.acquireTimeMs, leaseTransitions: old.leaseTransitions }
        : { ...rec, leaseTransitions: old.leaseTransitions + 1 };
      // 6. Optimistic concurrency: a Conflict means somebody wrote since our GET.
      this.update(next, (r) => {
        if (!r.ok) return done(false);
        this.observe(next);
        done(true);
      });
    };
  }

  /** UPDATE to holder "" with leaseDurationSeconds 1, if this candidate still believes it holds the lease. */
  private release(done: () => void): void {
    if (!this.observedLeader() || !this.lease) return done();
    const wallMs = this.proc.now();
    const rec: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTimeMs: wallMs,
      renewTimeMs: wallMs,
      leaseTransitions: this.observedRecord!.leaseTransitions,
    };
    this.update(rec, (r) => {
      if (r.ok) this.observe(rec);
      done();
    });
  }

  // ---- helpers ----

  private update(rec: LeaderElectionRecord, done: (r: ApiResult<Lease>) => void): void {
    const [op, answered] = this.updateRequest(this.lease!, rec, done);
    this.request<Lease>('update', op, answered);
  }

  /** An UPDATE of the Lease from `base` to `rec`: what it does at the API server, and with its answer. */
  updateRequest(
    base: Lease,
    rec: LeaderElectionRecord,
    done: (r: ApiResult<Lease>) => void,
  ): [(s: ApiStore) => ApiResult<Lease>, (r: ApiResult<Lease>) => void] {
    const obj: Lease = { ...base, spec: { ...rec } };
    return [
      (s) => {
        // A write of the Lease lands: renewals of a quiet chain not played yet are played first.
        this.chain?.writing();
        return s.update(obj, this.proc.name);
      },
      (r) => {
        if (r.ok) this.lease = r.value;
        done(r);
      },
    ];
  }

  private request<T>(
    verb: 'get' | 'create' | 'update',
    op: (store: ApiStore) => ApiResult<T>,
    done: (r: ApiResult<T>) => void,
  ): void {
    const timeoutMs = this.proc.host.clock.toSimMs(lockClientTimeoutMs(this.config));
    this.proc.call<T>(this.labels[verb], timeoutMs, op, done, this.requestOpts as RequestOptions<T>);
  }

  private newLease(rec: LeaderElectionRecord): Lease {
    return {
      kind: 'Lease',
      metadata: {
        name: this.leaseName,
        namespace: LEADER_ELECTION_NAMESPACE,
        uid: 0,
        resourceVersion: 0,
        creationTimestampMs: 0,
        labels: {},
      },
      spec: { ...rec },
    };
  }

  /** setObservedRecord: remember the record and the local (monotonic) time of the observation. */
  observe(rec: LeaderElectionRecord): void {
    this.observedRecord = rec;
    this.observedTimeMs = this.monoNow();
  }

  leaseValid(nowMs: number): boolean {
    return this.observedTimeMs + (this.observedRecord?.leaseDurationSeconds ?? 0) * 1000 > nowMs;
  }

  monoNow(): number {
    return this.proc.host.clock.monotonicNow();
  }

  private forgetInFlight(): void {
    this.generation++;
    this.proc.cancel(this.timer);
    this.proc.cancel(this.roundDeadline);
    this.timer = undefined;
    this.roundDeadline = undefined;
  }

  private stopActing(): void {
    if (!this.isLeader) return;
    this.isLeader = false;
    this.proc.ctx.trace.emit('leader.lost', { component: this.proc.component, instance: this.proc.name });
  }
}

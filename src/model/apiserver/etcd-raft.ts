// The etcd leader: who leads the etcd cluster, when it is lost and when the others elect a new one.
// Modelled on etcd's raft (go.etcd.io/raft/v3 raft.go: tickElection, tickHeartbeat, campaign, Step with
// MsgPreVote/MsgVote and MsgCheckQuorum, resetRandomizedElectionTimeout) as etcd server 3.5 runs it
// (server/etcdserver/raft.go: PreVote and CheckQuorum on; server/config/config.go ReqTimeout;
// server/etcdserver/server.go adjustTicks):
//
// 1. One member leads and replicates the log to the members it reaches, every heartbeat interval.
// 2. A follower that hears nothing from a leader for its randomized election timeout (drawn in
//    [electionTimeout, 2 × electionTimeout) whenever its term changes) campaigns: a pre-vote round, then,
//    with a majority of pre-votes, a vote round at term + 1. A member grants a (pre-)vote when the
//    candidate's log is at least as complete as its own and it has not heard a leader within an election
//    timeout (check-quorum's leader lease), so a member coming back from a partition cannot disrupt a
//    leader that has a majority.
// 3. A leader that has not heard from a majority during a whole election timeout steps down
//    (check-quorum); one whose member stops is gone at once.
// 4. Without a leader that reaches a majority no proposal commits: a write (and a quorum read) waits for
//    the next leader, or fails when etcd's request timeout (5 s + 2 × electionTimeout) runs out
//    (api-server.ts parks such requests).
//
// The heartbeats themselves are no events: a leader's heartbeats change nothing while the world (power,
// links, members) stays as it is, so the model follows the world's changes (World.onChanged) and plans
// the next election, step-down or election outcome as the one event that can come next. The election
// timeouts and the vote messages' delays come from the run's `etcd/raft` stream, drawn only when a term
// changes or a member campaigns, so runs without an etcd fault draw nothing else and no other stream moves.
//
// Simplified (docs/fidelity.md#etcd-leader-election): the timeout is drawn in milliseconds rather than
// whole ticks (each member's ticker has its own phase upstream); a follower's timer counts from the moment
// the leader is lost, not from its last heartbeat (up to one heartbeat earlier); a log is as complete as
// the last moment its member heard the leader (writes are taken to come all the time); two members whose
// timers fire in the same millisecond do not split the vote (the first in member order campaigns); a
// world change during a campaign abandons it (the candidate tries again at its next timeout); the new
// leader's first empty entry takes no time; quorum reads wait like writes (upstream a pending quorum read
// fails with "leader changed" when the new leader is elected).
import type { EventHandle, Rng, Simulator } from '../../engine/index.js';
import type { EtcdConfig } from '../../k8s/config.js';
import type { Network } from '../infra/network.js';
import type { Member } from './api-server.js';

/** etcd's --heartbeat-interval and --election-timeout (embed/config.go: 100 ms and 1000 ms). */
export interface EtcdRaftConfig {
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
}

export const DEFAULT_ETCD_RAFT: EtcdRaftConfig = { heartbeatIntervalMs: 100, electionTimeoutMs: 1000 };

/** The raft timing of a cluster's etcd settings, each given or its default. */
export function etcdRaftConfig(etcd: EtcdConfig): EtcdRaftConfig {
  return {
    heartbeatIntervalMs: etcd.heartbeatIntervalMs ?? DEFAULT_ETCD_RAFT.heartbeatIntervalMs,
    electionTimeoutMs: etcd.electionTimeoutMs ?? DEFAULT_ETCD_RAFT.electionTimeoutMs,
  };
}

/** etcd's request timeout (ServerConfig.ReqTimeout): 5 s for queueing and disk, plus two election timeouts. */
export function etcdRequestTimeoutMs(cfg: EtcdRaftConfig): number {
  return 5_000 + 2 * cfg.electionTimeoutMs;
}

/** Why a leader stopped leading (the etcd.leader.lost trace event's reason). */
export type LeaderLostReason = 'member stopped' | 'check quorum' | 'higher term';

/** What the model tells its owner: the trace events and the changes of the world it makes. */
export interface EtcdRaftHooks {
  lost(member: string, term: number, reason: LeaderLostReason): void;
  elected(member: string, term: number, leaderlessMs: number): void;
  /** A change of the world is about to happen / has happened (a leader elected or stepping down). */
  willChange(): void;
  changed(): void;
}

/** One member as raft sees it. */
interface Peer {
  readonly m: Member;
  /** Up (its process runs on a powered host) at the last look: a member coming up starts a fresh raft node. */
  up: boolean;
  /** Its randomized election timeout, drawn at its last term change. */
  timeoutMs: number;
  /** When its election timer fires next; Infinity while it hears a leader or is down. */
  timerMs: number;
  /** When it last heard a leader: Infinity while it hears one, -Infinity after a restart (no leader known). */
  heardMs: number;
  /** How complete its log is: Infinity while the leader replicates to it, else when that stopped. */
  logMs: number;
}

export class EtcdRaft {
  private readonly peers: Peer[];
  /** The member that thinks it leads (it may be cut off from the majority until check-quorum). */
  private leader: Peer | undefined;
  /** Its term (the highest term of the cluster). */
  term = 1;
  private leaderSinceMs = 0;
  /** Since when the cluster has had no leader that can commit (for the elected event's leaderlessMs). */
  private leaderlessSinceMs = -1;
  /** The pending check-quorum step-down, election attempt or election outcome (at most one of each). */
  private stepDown: EventHandle | undefined;
  private attempt: EventHandle | undefined;
  private outcome: EventHandle | undefined;
  /** Whether the leader reaches a majority, kept until the world changes. */
  private commitsVersion = -1;
  private commitsOk = true;
  /** A leader cut off from the majority while the majority elected another: it leads on until check-quorum. */
  private stale: Peer | undefined;
  private staleStepDown: EventHandle | undefined;
  private staleTerm = 0;
  /** When the leader was last cut off from the majority (its check-quorum counts from then). */
  private cutSinceMs = 0;
  /** Which members are up and which pairs reach each other, at the last look (worldChanged). */
  private shape = '';

  constructor(
    private readonly sim: Simulator,
    private readonly network: Network,
    members: readonly Member[],
    readonly config: EtcdRaftConfig,
    private readonly rng: Rng,
    private readonly hooks: EtcdRaftHooks,
    /** The world's version, bumped by every change (infra/world.ts); absent: nothing is cached. */
    private readonly worldVersion: () => number = () => -1,
  ) {
    // As if bootstrapped before the run: the first member leads at term 1, every member a follower that
    // drew its timeout when it joined the term.
    this.peers = members.map((m) => ({
      m,
      up: true,
      timeoutMs: this.drawTimeout(),
      timerMs: Infinity,
      heardMs: Infinity,
      logMs: Infinity,
    }));
    this.leader = this.peers[0];
    this.shape = this.shapeNow();
  }

  /** The member that leads now (it may be cut off from the majority until it steps down). */
  get leaderName(): string | undefined {
    return this.leader?.m.name;
  }

  /** Whether a proposal can commit now: a leader leads and reaches a majority of running members. */
  commits(): boolean {
    const version = this.worldVersion();
    if (version >= 0 && version === this.commitsVersion) return this.commitsOk;
    this.commitsOk = this.leader !== undefined && this.reachesMajority(this.leader);
    this.commitsVersion = version;
    return this.commitsOk;
  }

  /** randomizedElectionTimeout: electionTimeout + a uniform draw in [0, electionTimeout). */
  private drawTimeout(): number {
    const et = this.config.electionTimeoutMs;
    return et + this.rng.int(0, et - 1);
  }

  private isUp(p: Peer): boolean {
    return p.m.running && p.m.host.poweredOn;
  }

  private reachesMajority(p: Peer): boolean {
    if (!this.isUp(p)) return false;
    let n = 0;
    for (const q of this.peers) if (this.isUp(q) && this.network.connected(p.m.host, q.m.host)) n++;
    return n * 2 > this.peers.length;
  }

  /**
   * After every change of the world: members that stopped or came up, the leader's reach, and what can
   * happen next (a step-down, an election).
   */
  worldChanged(): void {
    const nowMs = this.sim.nowMs;
    this.commitsVersion = -1;
    // Most changes of the world (a worker's power, a link between nodes) change nothing etcd sees.
    const shape = this.shapeNow();
    if (shape === this.shape) return;
    this.shape = shape;
    const wasCommitting = this.leaderlessSinceMs < 0;
    // 1. Members that stopped or came up. A member coming up is a new raft node: a follower with no
    // leader known, a fresh timeout, and the log it had when it stopped.
    const n = this.peers.length;
    for (const p of this.peers) {
      const up = this.isUp(p);
      if (up === p.up) continue;
      p.up = up;
      if (!up) {
        p.timerMs = Infinity;
        if (p.heardMs === Infinity) p.heardMs = nowMs;
        if (p.logMs === Infinity) p.logMs = nowMs;
        continue;
      }
      p.timeoutMs = this.drawTimeout();
      p.heardMs = -Infinity;
      p.timerMs = nowMs + p.timeoutMs - this.tickAdvanceMs(p, n);
    }
    // 2. The leader: gone with its member; one that no longer reaches a majority steps down after a whole
    // election timeout without hearing from one (check-quorum), unless it reaches one again before.
    const leader = this.leader;
    if (leader !== undefined && !leader.up) this.loseLeader('member stopped');
    else if (leader !== undefined) {
      if (this.reachesMajority(leader)) {
        this.sim.cancel(this.stepDown);
        this.stepDown = undefined;
      } else if (this.stepDown === undefined) this.scheduleStepDown(leader, nowMs);
    }
    // A leader cut off while the majority elected another hears the higher term once it reaches them.
    const stale = this.stale;
    const newer = this.leader;
    if (
      stale !== undefined &&
      (!stale.up || (newer !== undefined && this.network.connected(stale.m.host, newer.m.host)))
    ) {
      this.stale = undefined;
      this.sim.cancel(this.staleStepDown);
      this.staleStepDown = undefined;
      this.hooks.lost(stale.m.name, this.staleTerm, stale.up ? 'higher term' : 'member stopped');
    }
    // 3. Who hears the leader: they follow it and get its log; the others' timers run from when they
    // stopped hearing it.
    this.followLeader(nowMs);
    if (this.commits()) this.leaderlessSinceMs = -1;
    else if (wasCommitting) this.leaderlessSinceMs = nowMs;
    // 4. What comes next without a leader that commits: the earliest campaign that can win.
    this.abandonCampaign();
    this.planElection(nowMs);
  }

  /**
   * adjustTicks on a member's start: a single-member cluster fast-forwards electionTicks - 1 ticks; a
   * member that sees at least two peers at once fast-forwards electionTicks - 2 (initial-election-tick-advance).
   */
  /** Which members are up, and which pairs of them reach each other. */
  private shapeNow(): string {
    let s = '';
    const peers = this.peers;
    for (let i = 0; i < peers.length; i++) {
      s += this.isUp(peers[i]) ? 'u' : 'd';
      for (let j = i + 1; j < peers.length; j++)
        s += this.network.connected(peers[i].m.host, peers[j].m.host) ? '1' : '0';
    }
    return s;
  }

  private tickAdvanceMs(p: Peer, n: number): number {
    const { heartbeatIntervalMs: hb, electionTimeoutMs: et } = this.config;
    const ticks = Math.floor(et / hb);
    if (n === 1) return (ticks - 1) * hb;
    let peers = 0;
    for (const q of this.peers) if (q !== p && this.isUp(q) && this.network.connected(p.m.host, q.m.host)) peers++;
    return peers > 1 ? Math.max(0, ticks - 2) * hb : 0;
  }

  private followLeader(nowMs: number): void {
    const leader = this.leader;
    for (const p of this.peers) {
      if (!p.up) continue;
      if (leader !== undefined && (p === leader || this.network.connected(leader.m.host, p.m.host))) {
        p.heardMs = Infinity;
        p.logMs = Infinity;
        p.timerMs = Infinity;
        continue;
      }
      if (p.heardMs === Infinity) p.heardMs = nowMs;
      if (p.logMs === Infinity) p.logMs = nowMs;
      if (p.timerMs === Infinity) p.timerMs = Math.max(nowMs, p.heardMs) + p.timeoutMs;
    }
  }

  /**
   * Check-quorum runs on the leader every election timeout from when it became leader; the check after
   * the one whose window saw the cut is the first with no follower heard, and the leader steps down then.
   */
  private scheduleStepDown(leader: Peer, nowMs: number): void {
    this.cutSinceMs = nowMs;
    this.stepDown = this.sim.at(
      this.checkQuorumAtMs(this.leaderSinceMs, nowMs),
      () => {
        this.stepDown = undefined;
        if (this.leader !== leader) return;
        this.hooks.willChange();
        this.loseLeader('check quorum');
        this.shape = ''; // look again: who hears whom has changed although no member or link has
        this.hooks.changed();
      },
      `etcd/${leader.m.name}/check-quorum`,
    );
  }

  /** The check-quorum that a leader since sinceMs, cut off from the majority at cutMs, fails. */
  private checkQuorumAtMs(sinceMs: number, cutMs: number): number {
    const et = this.config.electionTimeoutMs;
    const windows = Math.max(0, Math.ceil((cutMs - sinceMs) / et));
    return sinceMs + (windows + 1) * et;
  }

  /** The leader stops leading (becomeFollower): everyone who heard it stops hearing it now. */
  private loseLeader(reason: LeaderLostReason): void {
    const leader = this.leader!;
    const nowMs = this.sim.nowMs;
    this.hooks.lost(leader.m.name, this.term, reason);
    this.leader = undefined;
    this.commitsVersion = -1;
    this.sim.cancel(this.stepDown);
    this.stepDown = undefined;
    if (this.leaderlessSinceMs < 0) this.leaderlessSinceMs = nowMs;
    for (const p of this.peers) {
      if (p.heardMs === Infinity) p.heardMs = nowMs;
      if (p.logMs === Infinity) p.logMs = nowMs;
      // The old leader becomes a follower of its own term and draws a new timeout (reset).
      if (p === leader) {
        p.timeoutMs = this.drawTimeout();
        p.timerMs = p.up ? nowMs + p.timeoutMs : Infinity;
      } else if (p.up && p.timerMs === Infinity) p.timerMs = nowMs + p.timeoutMs;
    }
  }

  private abandonCampaign(): void {
    this.sim.cancel(this.attempt);
    this.attempt = undefined;
    this.sim.cancel(this.outcome);
    this.outcome = undefined;
  }

  /**
   * Schedules the next campaign of a member that has no leader to hear: the earliest timer among the
   * members that could gather a majority, so that a long outage with no possible majority costs no events.
   * A timer that ran out while its campaigns could not win has been retried every timeout since.
   */
  private planElection(nowMs: number): void {
    if (this.commits() || this.attempt !== undefined || this.outcome !== undefined) return;
    let next: Peer | undefined;
    for (const p of this.peers) {
      if (!p.up || p.timerMs === Infinity) continue;
      // A majority of reachable, running members whose logs it has (pre-vote and vote grant on that).
      let voters = 0;
      for (const q of this.peers)
        if (q.up && (q === p || this.network.connected(p.m.host, q.m.host)) && q.logMs <= p.logMs) voters++;
      if (voters * 2 <= this.peers.length) continue;
      if (p.timerMs < nowMs) p.timerMs += Math.ceil((nowMs - p.timerMs) / p.timeoutMs) * p.timeoutMs;
      if (next === undefined || p.timerMs < next.timerMs) next = p;
    }
    if (next === undefined) return;
    const candidate = next;
    this.attempt = this.sim.at(candidate.timerMs, () => this.campaign(candidate), `etcd/${candidate.m.name}/campaign`);
  }

  /**
   * The candidate's timer fires (MsgHup): a pre-vote round, then a vote round at term + 1, each a
   * round trip to every member it reaches; it wins with a majority of grants (its own counted).
   */
  private campaign(c: Peer): void {
    this.attempt = undefined;
    const nowMs = this.sim.nowMs;
    const preVotedAtMs = this.round(c, nowMs);
    const votedAtMs = preVotedAtMs === undefined ? undefined : this.round(c, preVotedAtMs);
    if (votedAtMs === undefined) {
      // Not enough grants: it stays a (pre-)candidate and tries again after its timeout.
      c.timerMs = nowMs + c.timeoutMs;
      this.planElection(nowMs);
      return;
    }
    this.outcome = this.sim.at(votedAtMs, () => this.elect(c), `etcd/${c.m.name}/elected`);
  }

  /**
   * One (pre-)vote round from atMs: when the candidate has a majority of grants, or undefined if it
   * gets none. A member grants if it runs, both ways reach, its log is no more complete than the
   * candidate's and it has heard no leader within an election timeout when the request arrives.
   */
  private round(c: Peer, atMs: number): number | undefined {
    const et = this.config.electionTimeoutMs;
    const back: number[] = [];
    for (const v of this.peers) {
      if (v === c || !v.up) continue;
      const there = this.network.transit(c.m.host, v.m.host, this.rng);
      if (there === undefined) continue;
      const reply = this.network.transit(v.m.host, c.m.host, this.rng);
      if (reply === undefined) continue;
      if (v.logMs > c.logMs || atMs + there < v.heardMs + et) continue;
      back.push(Math.max(0, there) + Math.max(0, reply));
    }
    const needed = Math.floor(this.peers.length / 2); // besides its own
    if (back.length < needed) return undefined;
    back.sort((a, b) => a - b);
    return atMs + (needed === 0 ? 0 : back[needed - 1]);
  }

  /** The candidate has won: it leads at the next term; every member it reaches follows it (reset). */
  private elect(c: Peer): void {
    this.outcome = undefined;
    const nowMs = this.sim.nowMs;
    this.hooks.willChange();
    // A leader still cut off (it has not run check-quorum yet) leads on in its own term until it steps
    // down or hears the new term.
    const old = this.leader;
    if (old !== undefined && old !== c) {
      this.stale = old;
      this.staleTerm = this.term;
      this.sim.cancel(this.stepDown);
      this.stepDown = undefined;
      this.staleStepDown = this.sim.at(
        this.checkQuorumAtMs(this.leaderSinceMs, this.cutSinceMs),
        () => {
          this.staleStepDown = undefined;
          if (this.stale !== old) return;
          this.stale = undefined;
          this.hooks.lost(old.m.name, this.staleTerm, 'check quorum');
        },
        `etcd/${old.m.name}/check-quorum`,
      );
    }
    this.term++;
    this.leader = c;
    this.leaderSinceMs = nowMs;
    this.commitsVersion = -1;
    for (const p of this.peers) if (p.up) p.timeoutMs = this.drawTimeout();
    this.followLeader(nowMs);
    const leaderlessMs = this.leaderlessSinceMs < 0 ? 0 : nowMs - this.leaderlessSinceMs;
    if (this.commits()) this.leaderlessSinceMs = -1;
    this.hooks.elected(c.m.name, this.term, leaderlessMs);
    this.shape = '';
    this.hooks.changed();
  }
}

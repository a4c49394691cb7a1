// The API server as clients see it: N kube-apiserver replicas behind a load balancer in front of an etcd
// cluster. A request crosses the network to a live replica, runs against the store if etcd has quorum,
// and the response crosses back. A request that gets no answer (replica down, link cut, message lost)
// fails with Timeout after the client's own timeout, as upstream clients do; the write may still have
// happened. Below etcd quorum every request fails (Unavailable). Each client host keeps one connection to
// one replica (connection.ts): while that replica's host is powered off or cut off, the connection is dead
// but open, and the client's requests go nowhere until the HTTP/2 health check or the kubelet's close-all
// closes it; a stopped process (GOAWAY or RST) closes it at once. etcd has a leader (etcd-raft.ts): while
// no leader that reaches a majority leads, a request that reaches a replica with quorum waits for the next
// leader, or fails when etcd's request timeout runs out, or times out at its client first.
import {
  type EventHandle,
  type Guard,
  makeRng,
  Priority,
  type Rng,
  type Simulator,
  type TraceRecorder,
} from '../../engine/index.js';
import type { TraceEventFields } from '../../trace/events.js';
import { DEFAULT_ETCD_RAFT, EtcdRaft, type EtcdRaftConfig, etcdRequestTimeoutMs } from './etcd-raft.js';
import type { Host } from '../infra/host.js';
import type { Network } from '../infra/network.js';
import type { World } from '../infra/world.js';
import { type ApiResult, type ApiStore, fail } from './store.js';
import { type SlowDraws, SlowMembers } from './slow-members.js';
import type { RangeMs } from '../../k8s/config.js';
import { ApiConnection, DEFAULT_HTTP2_HEALTH_CHECK, type Http2HealthCheckConfig } from './connection.js';

export interface Member {
  readonly name: string;
  readonly host: Host;
  /** The process runs (apiserver-outage and etcd-member-down turn it off with setRunning; so does host power). */
  readonly running: boolean;
}

/** The process incarnation a request belongs to: its answer is dropped once the incarnation has ended. */
export interface RequestOwner extends Guard {
  /** Told first when a call of the incarnation fails with Timeout or Unavailable (it never got through). */
  callFailedToReach(): void;
}

/** Optional parts of a request. */
export interface RequestOptions<T> {
  owner?: RequestOwner;
  /**
   * A stream of the caller's own for this traffic (a node's lease renewals): the request's way there,
   * the answer's way back and the watch events of what it writes draw their delays from it instead of
   * the hosts' streams, which every message shares. Default: the hosts' streams.
   */
  sendRng?: Rng;
  /** The priority of the request's arrival at its replica (default normal; renewals: Priority.early). */
  priority?: number;
  /**
   * The arrival's order among arrivals of the same millisecond and priority (Simulator.atOrdered): the
   * node's ordinal for lease renewals, so renewals of different nodes arriving together are served in
   * node order whenever each was sent (a renewal sent ahead of time must not be served before another);
   * its answer is placed by the same key among the events of its millisecond.
   */
  order?: number;
  /**
   * Called when the request has been served and its answer will reach the client at respondAtMs; returning
   * true means the caller has taken over what the answer would do, and no answer event is scheduled.
   */
  served?: (result: ApiResult<T>, respondAtMs: number, req: InFlightRequest<T>) => boolean;
}

/** The etcd leader model's settings, stream and trace (cluster.ts); absent parts take their defaults. */
export interface EtcdOptions {
  raft?: EtcdRaftConfig;
  /** The run's `etcd/raft` stream. */
  rng?: Rng;
  trace?: TraceRecorder<TraceEventFields>;
}

export class ApiServer {
  readonly replicas: Member[];
  readonly etcd: Member[];
  /** Who leads etcd, and whether a proposal can commit now (etcd-raft.ts). */
  readonly raft: EtcdRaft;
  /** Requests waiting at their replica for an etcd leader, in arrival order, with their timeout events. */
  private readonly parked = new Map<InFlightRequest<unknown>, EventHandle>();
  private releasing: EventHandle | undefined;
  private readonly etcdRequestTimeoutMs: number;
  /** Replicas and members slowed by apiserver-slow / etcd-slow faults (slow-members.ts). */
  private readonly slow = new SlowMembers();
  /** kubeadm: clients that talk only to the API server on their own host (pinToLocalReplica). */
  private readonly pinned = new Set<Host>();
  /** kubeadm: each API server talks only to the etcd member on its own host (useLocalEtcd). */
  private localEtcd: Map<Host, Member> | undefined;
  private readonly outageListeners: Array<() => void> = [];
  /** A LIST's time per object returned, beyond its round trip (list-cost.ts); 0 unless cluster.ts sets it. */
  listCostPerObjectUs = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly network: Network,
    readonly store: ApiStore,
    replicas: Array<{ name: string; host: Host }>,
    etcd: Array<{ name: string; host: Host }>,
    /** Every change of power, links or members is announced here (no world: nothing is cached). */
    private readonly world?: World,
    /** Client-go's HTTP/2 health check, which closes a connection to a host that stopped answering. */
    private readonly healthCheck: Http2HealthCheckConfig = DEFAULT_HTTP2_HEALTH_CHECK,
    etcdOptions: EtcdOptions = {},
  ) {
    this.replicas = replicas.map((r) => ({ ...r, running: true }));
    this.etcd = etcd.map((m) => ({ ...m, running: true }));
    const raftConfig = etcdOptions.raft ?? DEFAULT_ETCD_RAFT;
    this.etcdRequestTimeoutMs = etcdRequestTimeoutMs(raftConfig);
    const trace = etcdOptions.trace;
    this.raft = new EtcdRaft(
      sim,
      network,
      this.etcd,
      raftConfig,
      etcdOptions.rng ?? makeRng('etcd/raft'),
      {
        lost: (member, term, reason) => trace?.emit('etcd.leader.lost', { member, term, reason }),
        elected: (member, term, leaderlessMs) => trace?.emit('etcd.leader.elected', { member, term, leaderlessMs }),
        willChange: () => world?.willChange(),
        changed: () => (world === undefined ? this.etcdChanged() : world.changed()),
      },
      world === undefined ? undefined : () => world.version,
    );
    // Their hosts are shared (infra/world.ts): every client's requests may depend on them.
    for (const m of [...this.replicas, ...this.etcd]) world?.share(m.host);
    world?.onChanged((host) => {
      this.checkConnections(host);
      this.etcdChanged();
    });
  }

  /** After a change of the world: the etcd leader follows it, and waiting requests go on once one commits. */
  private etcdChanged(): void {
    this.raft.worldChanged();
    if (this.parked.size > 0 && this.releasing === undefined && this.raft.commits())
      this.releasing = this.sim.at(this.sim.nowMs, () => this.releaseParked(), 'etcd/leader-ready');
  }

  /** A leader commits again: the waiting requests are served now, in the order they arrived. */
  private releaseParked(): void {
    this.releasing = undefined;
    if (!this.raft.commits()) return;
    const waiting = [...this.parked];
    this.parked.clear();
    for (const [req, handle] of waiting) {
      this.sim.cancel(handle);
      req.parked = false;
      this.serve(req);
    }
  }

  /**
   * A request reached a replica with etcd quorum but no leader that commits: its proposal waits (raft
   * drops nothing, the etcd server waits up to its request timeout). The client may give up first; then
   * the API server cancels the proposal and it never commits.
   */
  private park<T>(req: InFlightRequest<T>): void {
    const etcdDeadlineMs = this.sim.nowMs + this.etcdRequestTimeoutMs;
    const handle =
      req.deadlineMs <= etcdDeadlineMs
        ? this.timeout(req)
        : this.sim.atWith(etcdDeadlineMs, InFlightRequest.prototype.etcdTimedOut, req, req.label);
    req.parked = true;
    this.parked.set(req as InFlightRequest<unknown>, handle);
  }

  /** A parked request's wait ends without a leader: by its client's timeout or etcd's (then it answers). */
  unpark<T>(req: InFlightRequest<T>, etcdTimedOut: boolean): void {
    req.parked = false;
    this.parked.delete(req as InFlightRequest<unknown>);
    // etcd's "request timed out": the API server answers the client with the error.
    if (etcdTimedOut) this.reply(req, req.replica!, fail('Unavailable'));
  }

  /**
   * Stops or starts an API server replica's or an etcd member's process. Like a host's power or a link, it
   * is a change of the world, announced to it here (work done ahead is settled before and undone after).
   */
  setRunning(m: Member, running: boolean): void {
    if (m.running === running) return;
    this.world?.willChange();
    (m as { running: boolean }).running = running;
    if (this.world === undefined) this.etcdChanged();
    else this.world.changed();
  }

  /**
   * Slows (latency given) or restores (undefined) an API server replica's or an etcd member's answers;
   * its delays are drawn from `draws` (the fault's streams, one per client host). A change of the world,
   * like setRunning.
   */
  setSlow(pool: 'apiserver' | 'etcd', m: Member, latency: RangeMs | undefined, draws: SlowDraws): void {
    this.world?.willChange();
    this.slow.set(pool, m, latency, draws);
    this.world?.changed();
  }

  /**
   * Whether some replica or etcd member is slowed now, or etcd has no leader that commits (then nothing
   * may be served ahead of its time).
   */
  get slowed(): boolean {
    return this.slow.any || !this.raft.commits();
  }

  /**
   * kubeadm: `client` talks only to the API server replica on its own host, with no fail-over (a
   * controller-manager's or scheduler's kubeconfig names the local advertise address). Set at build.
   */
  pinToLocalReplica(client: Host): void {
    const local = this.replicas.findIndex((r) => r.host === client);
    if (local < 0) return;
    this.pinned.add(client);
    client.apiPreferred = local;
  }

  /**
   * kubeadm (stacked etcd): an API server reaches etcd only through its own host's member
   * (--etcd-servers=https://127.0.0.1:2379): with that member down it fails every request, whatever the
   * quorum. A replica on a host without a member keeps seeing the whole cluster. Set at build.
   */
  useLocalEtcd(): void {
    this.localEtcd = new Map(this.etcd.map((m) => [m.host, m]));
  }

  /** A replica answers when its process runs on a powered host. */
  serving(r: Member): boolean {
    return r.running && r.host.poweredOn;
  }

  /** etcd has quorum when a majority of members run and can reach each other (seen from `from`). */
  hasQuorum(from: Host): boolean {
    const world = this.world;
    if (world === undefined) return this.countQuorum(from);
    // Kept on the host until the world changes (every request and watch event asks).
    if (from.quorumVersion !== world.version) {
      from.quorumOk = this.countQuorum(from);
      from.quorumVersion = world.version;
    }
    return from.quorumOk;
  }

  private countQuorum(from: Host): boolean {
    const local = this.localEtcd?.get(from);
    if (local !== undefined && !local.running) return false;
    let up = 0;
    for (const m of this.etcd) if (m.running && this.network.connected(from, m.host)) up++;
    return up * 2 > this.etcd.length;
  }

  /**
   * The replica of `client`'s open connection, while that replica runs and its host is reachable;
   * undefined when the client's next request would have to dial (or would find no replica). Unlike
   * pickReplica it changes nothing: a look that dialled would open the connection at the moment of the
   * look, not at the client's next request (a fast path's check must not move the dial).
   */
  openReplica(client: Host): Member | undefined {
    const held = (client.apiConn as ApiConnection | undefined)?.replica;
    if (held === undefined || !held.running || !this.network.connected(client, held.host)) return undefined;
    return held;
  }

  /**
   * The replica `client`'s requests go to at atMs (default now): the one its connection goes to, while
   * that one serves and is reachable. While its host answers nothing and the connection is not closed
   * yet (connection.ts), none: requests and watches on it go nowhere. Otherwise the client dials again:
   * the load balancer picks the first serving, reachable replica that sees an etcd quorum (its /readyz
   * passes), starting from one picked by the client's name so that load spreads; without any, the
   * first serving, reachable one. A client pinned to its host's replica (kubeadm) gets that one or
   * none.
   */
  pickReplica(client: Host, atMs: number = this.sim.nowMs): Member | undefined {
    // A live connection stays live until the world changes: kept on the client until then (every request
    // and watch event asks; a map lookup per call showed up in profiles).
    const world = this.world;
    if (world !== undefined && client.apiRouteVersion === world.version) return client.apiRoute as Member | undefined;
    let conn = client.apiConn as ApiConnection | undefined;
    if (conn === undefined) {
      conn = client.apiConn = new ApiConnection();
      this.clients.push(client);
      this.clientsSorted = false;
    }
    const held = conn.replica;
    if (held !== undefined) {
      const reachable = this.network.connected(client, held.host);
      if (reachable && held.running) {
        conn.closeAtMs = Infinity;
        return this.route(client, held);
      }
      // A host that is off or cut off answers nothing: the connection lingers until the health check
      // closes it. A stopped process on a live host closes it at once (GOAWAY, or RST for a crash).
      // Once scheduled, the close is that event's (closeDead), which announces it to the world.
      if (!reachable && (atMs < conn.deadUntilMs(this.healthCheck) || conn.closing !== undefined))
        return this.route(client, undefined);
    }
    const n = this.replicas.length;
    if (client.apiPreferred < 0) client.apiPreferred = stableIndex(client.name, n);
    const start = client.apiPreferred;
    // A pinned client (kubeadm) tries its own host's replica only.
    const tries = this.pinned.size > 0 && this.pinned.has(client) ? 1 : n;
    // The load balancer's health check (a cloud LB probes each API server's /readyz, which fails while
    // the server cannot reach etcd) keeps new connections off a replica without etcd quorum; only when
    // every reachable replica lacks it does the client land on one (and get Unavailable answers).
    let picked: Member | undefined;
    let fallback: Member | undefined;
    for (let i = 0; i < tries; i++) {
      const r = this.replicas[(start + i) % n];
      if (!this.serving(r) || !this.network.connected(client, r.host)) continue;
      if (tries === 1 || this.hasQuorum(r.host)) {
        picked = r;
        break;
      }
      fallback ??= r;
    }
    picked ??= fallback;
    conn.dial(picked, atMs);
    return this.route(client, picked);
  }

  /** Keeps `client`'s route until the world changes (a dead connection's close is a change: closeDead). */
  private route(client: Host, replica: Member | undefined): Member | undefined {
    const world = this.world;
    if (world !== undefined) {
      client.apiRoute = replica;
      client.apiRouteVersion = world.version;
    }
    return replica;
  }

  /** Every client host with a connection, and whether the list is in name order (checkConnections). */
  private readonly clients: Host[] = [];
  private clientsSorted = true;

  /**
   * After every change of the world: each connection that has just gone dead gets its close by the health
   * check scheduled, and one that answers again keeps going. Clients are visited in name order, so the
   * closes of one millisecond come in an order that does not depend on who asked first. A change confined
   * to one host (`host`, infra/world.ts: a worker's power or clock, never a replica's host) can only
   * change whether that host reaches its replica: every other connection is as the last check left it,
   * so only that host's is visited.
   */
  private checkConnections(host?: Host): void {
    if (host !== undefined) {
      if (host.apiConn !== undefined) this.checkConnection(host);
      return;
    }
    if (!this.clientsSorted) {
      this.clients.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.clientsSorted = true;
    }
    for (const client of this.clients) this.checkConnection(client);
  }

  /** checkConnections for one client. */
  private checkConnection(client: Host): void {
    const conn = client.apiConn as ApiConnection;
    const held = conn.replica;
    if (held === undefined) return;
    if (this.network.connected(client, held.host)) {
      conn.closeAtMs = Infinity;
      if (conn.closing !== undefined) {
        this.sim.cancel(conn.closing);
        conn.closing = undefined;
      }
      return;
    }
    const closeAtMs = conn.deadUntilMs(this.healthCheck);
    if (conn.closing === undefined && closeAtMs !== Infinity)
      conn.closing = this.sim.at(
        Math.max(this.sim.nowMs, closeAtMs),
        () => this.closeDead(client),
        `${client.name}/http2-health-check`,
      );
  }

  /**
   * The health check closes `client`'s dead connection (closeForLostPing): its next request dials again.
   * The route is part of the world (kube-proxy follows it), so the close is announced as a change.
   */
  private closeDead(client: Host): void {
    const conn = client.apiConn as ApiConnection;
    conn.closing = undefined;
    if (conn.replica === undefined || this.network.connected(client, conn.replica.host)) return;
    this.reset(client, conn);
  }

  /** Closes `client`'s connection now, as a change of the world: the next pickReplica dials again. */
  private reset(client: Host, conn: ApiConnection): void {
    // Only this client's route changes: the change names its host (a shared host's undoes everything).
    this.world?.willChange(client);
    if (conn.closing !== undefined) {
      this.sim.cancel(conn.closing);
      conn.closing = undefined;
    }
    conn.dial(undefined, this.sim.nowMs);
    client.apiRouteVersion = -1;
    this.world?.changed(client);
    const fns = this.closeListeners.get(client);
    if (fns !== undefined) for (const fn of fns) fn();
  }

  /**
   * How long `client`'s connection stays dead but open from now (0: it is live, closed, or never closes by
   * itself): a watch riding it breaks only when it closes (informer.ts).
   */
  deadForMs(client: Host): number {
    const conn = client.apiConn as ApiConnection | undefined;
    if (conn?.replica === undefined) return 0;
    const closeAtMs = conn.closeAtMs;
    return closeAtMs === Infinity ? 0 : Math.max(0, closeAtMs - this.sim.nowMs);
  }

  /** A frame (an answer, a watch event) reaches `client` from `replica` at atMs: the health check counts from it. */
  frameRead(client: Host, replica: Member, atMs: number): void {
    const conn = client.apiConn as ApiConnection | undefined;
    if (conn !== undefined) conn.read(replica, atMs);
  }

  /**
   * The kubelet's closeAllConns (its connrotation dialer, cmd/kubelet/app/server.go): `client`'s connection
   * is closed now and its next request dials again. Those told with onConnectionClosed are told.
   */
  closeAllConns(client: Host): void {
    const conn = client.apiConn as ApiConnection | undefined;
    if (conn?.replica === undefined) return;
    this.reset(client, conn);
  }

  /** Tells fn when `client`'s connection is closed by closeAllConns or the health check (an informer's watch rode it). */
  onConnectionClosed(client: Host, fn: () => void): void {
    const fns = this.closeListeners.get(client);
    if (fns === undefined) this.closeListeners.set(client, [fn]);
    else fns.push(fn);
  }
  private readonly closeListeners = new Map<Host, Array<() => void>>();

  /**
   * Runs `op` at the API server on behalf of a client on `client` (no process: an operator's kubectl);
   * `done` gets the result or a Timeout. Processes call send() (Process.call) with their incarnation as owner.
   */
  request<T>(
    client: Host,
    timeoutMs: number,
    op: (store: ApiStore) => ApiResult<T>,
    done: (r: ApiResult<T>) => void,
    label: string,
  ): void {
    this.schedule(this.prepareAt<T>(this.sim.nowMs, client, timeoutMs, op, done, label));
  }

  /**
   * A request sent at sendAtMs (now or later), with its way to the replica drawn (arriveAtMs, or -1 when
   * it cannot get there), not scheduled yet: the caller schedules it (schedule) or plays its arrival when
   * it is past (lease-chains.ts). A later send is decided now, so it is only right while the world
   * (replicas, links, power) stays as it is until then: the caller undoes it on World.changed().
   */
  prepareAt<T, A = undefined>(
    sendAtMs: number,
    client: Host,
    timeoutMs: number,
    op: (store: ApiStore, arg: A) => ApiResult<T>,
    done: (r: ApiResult<T>, arg: A) => void,
    label: string,
    opts?: RequestOptions<T>,
    /** The request leg's base latency, drawn by the caller from opts.sendRng (Network.baseLatency). */
    sendBaseMs?: number,
    /** Passed to op and done: lets a caller reuse them instead of building closures per request. */
    arg?: A,
    /**
     * A finished request of the caller's (one whose answer a served() hook took over) to carry this one:
     * a renewal sent ahead lives ~10 s, long enough to be promoted before it dies, so it is recycled.
     */
    recycle?: InFlightRequest<T>,
  ): InFlightRequest<T> {
    // One object per request carries its state through the events: closures per step showed up as
    // garbage-collector time at scale.
    const deadlineMs = sendAtMs + timeoutMs;
    const req =
      recycle === undefined
        ? new InFlightRequest<T>(this, client, deadlineMs, op as RequestOp<T>, done as RequestDone<T>, label, opts, arg)
        : recycle.reset(client, deadlineMs, op as RequestOp<T>, done as RequestDone<T>, label, opts, arg);
    req.arriveAtMs = this.routeRequest(req, sendAtMs, sendBaseMs) ?? -1;
    return req;
  }

  /** Schedules a prepared request's arrival (or, if it cannot get there, its timeout). */
  schedule<T>(req: InFlightRequest<T>): EventHandle {
    if (req.arriveAtMs < 0) return this.timeout(req);
    const o = req.opts;
    if (o?.order !== undefined)
      return this.sim.atOrdered(
        req.arriveAtMs,
        InFlightRequest.prototype.arrive,
        req,
        req.label,
        o.priority ?? 0,
        o.order,
      );
    return this.sim.atWith(req.arriveAtMs, InFlightRequest.prototype.arrive, req, req.label, o?.priority);
  }

  /**
   * A request sent now by a caller that keeps no handle of its arrival (a process's API call): as
   * prepareAt and schedule, with the arrival posted (Simulator.postWith), so its event object is reused.
   */
  send<T>(
    client: Host,
    timeoutMs: number,
    op: (store: ApiStore) => ApiResult<T>,
    done: (r: ApiResult<T>) => void,
    label: string,
    opts?: RequestOptions<T>,
  ): void {
    const nowMs = this.sim.nowMs;
    const req = new InFlightRequest<T>(
      this,
      client,
      nowMs + timeoutMs,
      op as RequestOp<T>,
      done as RequestDone<T>,
      label,
      opts,
      undefined,
    );
    const arriveAtMs = this.routeRequest(req, nowMs, undefined);
    if (arriveAtMs === undefined) this.timeout(req);
    else this.sim.postWith(arriveAtMs, InFlightRequest.prototype.arrive, req, label);
  }

  /** Picks the request's replica and draws its way there: the arrival time, or undefined if it cannot get there. */
  private routeRequest<T>(
    req: InFlightRequest<T>,
    sendAtMs: number,
    sendBaseMs: number | undefined,
  ): number | undefined {
    const replica = this.pickReplica(req.client, sendAtMs);
    const there = replica ? this.network.transit(req.client, replica.host, req.opts?.sendRng, sendBaseMs) : undefined;
    // A request still on its way when its client gives up is never served: the client has closed the
    // stream (lost segments retransmitted past the timeout, network.ts).
    if (!replica || there === undefined || sendAtMs + there > req.deadlineMs) {
      // On a dead connection it fails when the health check closes the connection, if that comes first.
      if (replica === undefined) {
        const conn = req.client.apiConn as ApiConnection;
        if (conn.replica !== undefined && conn.closeAtMs < req.deadlineMs)
          req.deadlineMs = Math.max(conn.closeAtMs, sendAtMs);
      }
      return undefined;
    }
    req.replica = replica;
    return sendAtMs + Math.max(0, there);
  }

  /** The request reached its replica: run it against the store and send the response back. */
  serve<T>(req: InFlightRequest<T>): void {
    const replica = req.replica!;
    if (!this.serving(replica)) {
      req.timeout();
      return;
    }
    if (this.slow.any && !req.held && this.hold(req, replica)) return;
    const own = req.opts?.sendRng;
    let result: ApiResult<T>;
    if (!this.hasQuorum(replica.host)) result = fail('Unavailable');
    else if (!this.raft.commits()) {
      this.park(req);
      return;
    } else {
      this.store.clock = replica.host.clock;
      this.store.watchRng = own;
      result = req.op(this.store, req.arg);
      this.store.watchRng = undefined;
    }
    this.reply(req, replica, result);
  }

  /** Sends a served request's result back to its client (or lets it time out if the answer cannot get there). */
  private reply<T>(req: InFlightRequest<T>, replica: Member, result: ApiResult<T>): void {
    req.result = result;
    const own = req.opts?.sendRng;
    const back = this.network.transit(replica.host, req.client, own);
    if (back === undefined || this.sim.nowMs + back > req.deadlineMs) {
      req.timeout();
      return;
    }
    const respondAtMs = this.sim.nowMs + Math.max(0, back);
    const conn = req.client.apiConn as ApiConnection | undefined;
    if (conn !== undefined) conn.read(replica, respondAtMs);
    const served = req.opts?.served;
    if (served !== undefined && served(req.result, respondAtMs, req)) return;
    const order = req.opts?.order;
    if (order === undefined) this.sim.postWith(respondAtMs, InFlightRequest.prototype.respond, req, req.label);
    // An ordered request's answer is placed by the same key (see RequestOptions.order).
    else
      this.sim.postGuarded(
        respondAtMs,
        InFlightRequest.prototype.respond,
        req,
        req.label,
        undefined,
        Priority.ordered,
        order,
      );
  }

  /**
   * Holds a request at a slowed replica or behind a slowed etcd quorum (slow-members.ts): true when it
   * is served later (or never), false when it is served now. A request held past its client's deadline
   * times out then; one held by the replica is never served, one held by etcd still commits.
   */
  private hold<T>(req: InFlightRequest<T>, replica: Member): boolean {
    const nowMs = this.sim.nowMs;
    const queuedMs = this.slow.replicaDelay(replica, req.client);
    if (queuedMs > 0 && nowMs + queuedMs >= req.deadlineMs) {
      this.timeout(req);
      return true;
    }
    const commitMs = this.slow.etcdDelay(
      this.etcd,
      req.client,
      (m) => m.running && m.host.poweredOn && this.network.connected(replica.host, m.host),
    );
    const delayMs = queuedMs + commitMs;
    if (delayMs <= 0) return false;
    req.held = true;
    if (nowMs + delayMs < req.deadlineMs) {
      this.sim.postWith(nowMs + delayMs, InFlightRequest.prototype.arrive, req, req.label);
      return true;
    }
    // The client gives up at its deadline; the write it started still lands when etcd commits it.
    this.timeout(req);
    const { op, arg } = req;
    const own = req.opts?.sendRng;
    this.sim.at(
      nowMs + delayMs,
      () => {
        if (!this.serving(replica) || !this.hasQuorum(replica.host)) return;
        this.store.clock = replica.host.clock;
        this.store.watchRng = own;
        op(this.store, arg);
        this.store.watchRng = undefined;
      },
      `${req.label}/committed-late`,
    );
    return true;
  }

  /** Schedules the client's Timeout at its deadline (or now, if that has passed). */
  timeout<T>(req: InFlightRequest<T>): EventHandle {
    return this.sim.atWith(
      Math.max(this.sim.nowMs, req.deadlineMs),
      InFlightRequest.prototype.timedOut,
      req,
      req.label,
    );
  }

  /** Tells informers to re-check their connection (a replica or etcd member came back). */
  onRecovery(fn: () => void): void {
    this.outageListeners.push(fn);
  }

  notifyRecovery(): void {
    for (const fn of this.outageListeners) fn();
  }
}

type RequestOp<T> = (store: ApiStore, arg: unknown) => ApiResult<T>;
type RequestDone<T> = (r: ApiResult<T>, arg: unknown) => void;

/** A request on its way: to the replica, through the store, and back (or to its client's timeout). */
export class InFlightRequest<T> {
  replica: Member | undefined = undefined;
  /** When it reaches its replica (prepareAt; -1: it cannot). */
  arriveAtMs = -1;
  result: ApiResult<T> | undefined = undefined;
  owner: RequestOwner | undefined;
  /** The owner's incarnation when the request was made. */
  epoch: number;
  /** It has waited at a slowed replica or etcd quorum already (ApiServer.hold): serve it now. */
  held = false;
  /** It waits at its replica for an etcd leader (ApiServer.park). */
  parked = false;
  constructor(
    readonly api: ApiServer,
    public client: Host,
    public deadlineMs: number,
    public op: RequestOp<T>,
    public done: RequestDone<T>,
    public label: string,
    public opts: RequestOptions<T> | undefined,
    public arg: unknown,
  ) {
    this.owner = opts?.owner;
    this.epoch = this.owner === undefined ? 0 : this.owner.epoch;
  }

  /** Makes this finished request carry a new one (ApiServer.prepareAt's recycle). */
  reset(
    client: Host,
    deadlineMs: number,
    op: RequestOp<T>,
    done: RequestDone<T>,
    label: string,
    opts: RequestOptions<T> | undefined,
    arg: unknown,
  ): this {
    this.replica = undefined;
    this.result = undefined;
    this.held = false;
    this.parked = false;
    this.client = client;
    this.deadlineMs = deadlineMs;
    this.op = op;
    this.done = done;
    this.label = label;
    this.opts = opts;
    this.arg = arg;
    this.owner = opts?.owner;
    this.epoch = this.owner === undefined ? 0 : this.owner.epoch;
    return this;
  }

  arrive(): void {
    this.api.serve(this);
  }

  respond(): void {
    this.answer(this.result!);
  }

  timeout(): EventHandle {
    return this.api.timeout(this);
  }

  timedOut(): void {
    if (this.parked) this.api.unpark(this, false);
    this.answer(fail('Timeout'));
  }

  /** etcd's request timeout ran out while the request waited for a leader. */
  etcdTimedOut(): void {
    this.api.unpark(this, true);
  }

  private answer(r: ApiResult<T>): void {
    const owner = this.owner;
    if (owner !== undefined) {
      if (owner.epoch !== this.epoch) return;
      if (!r.ok && (r.reason === 'Timeout' || r.reason === 'Unavailable')) owner.callFailedToReach();
    }
    this.done(r, this.arg);
  }
}

/** A small stable hash of a name into [0, n). */
export function stableIndex(name: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % n;
}

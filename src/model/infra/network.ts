// The network between hosts. Every message (API request, response, watch event) crosses a link from
// one host to another with the scenario's latency. Faults cut links (network-partition) or degrade a
// host's links (loss, extra latency). A powered-off host neither sends nor receives.
//
// Loss is of TCP segments, not of messages: every message travels on a TCP connection, and a lost
// segment is sent again after the retransmission timeout, which starts at the kernel's minimum
// (TCP_RTO_MIN, 200 ms in Linux include/net/tcp.h; the RTO of a link with a few milliseconds of
// round-trip time is this minimum) and doubles with each retransmission of the same segment
// (net/ipv4/tcp_timer.c tcp_retransmit_timer). A message is one segment, and it is lost for good only
// after tcp_retries2 (15) retransmissions; long before that its client gives up (see
// ApiServer.route: a request still on its way at the client's timeout is a Timeout). So at 5 % loss a
// message is late by 200 ms one time in twenty, and a request fails only when one segment is lost six
// times in a row (200 + 400 + ... + 6,400 ms outruns a 10 s timeout). docs/fidelity.md#network.
import type { RandomStreams, Rng } from '../../engine/index.js';
import type { RangeMs } from '../../k8s/config.js';
import type { Host } from './host.js';

/** TCP_RTO_MIN: the first retransmission timeout of a segment on a low-latency link. */
export const TCP_MIN_RTO_MS = 200;
/** net.ipv4.tcp_retries2: retransmissions of one segment before the connection is given up. */
export const TCP_RETRIES = 15;

interface Partition {
  id: string;
  a: ReadonlySet<string>;
  b: ReadonlySet<string>;
}

interface Degrade {
  id: string;
  hosts: ReadonlySet<string>;
  loss: number;
  extraLatency?: RangeMs;
}

export class Network {
  private partitions: Partition[] = [];
  private degrades: Degrade[] = [];
  private readonly rngs = new Map<string, Rng>();
  /** Told after every cut, heal, degrade and restore (World.changed, set by the cluster). */
  onChange: () => void = () => {};
  /** Told before every cut, heal, degrade and restore (World.willChange). */
  beforeChange: () => void = () => {};

  constructor(
    private readonly streams: RandomStreams,
    /** Every message's base latency (before a degrade fault's extra). */
    readonly latency: RangeMs,
  ) {}

  /** Whether a message from `from` to `to` can get through now (power and partitions, not loss). */
  connected(from: Host, to: Host): boolean {
    if (!from.poweredOn || !to.poweredOn) return false;
    if (from === to) return true;
    for (const p of this.partitions) {
      if ((p.a.has(from.name) && p.b.has(to.name)) || (p.b.has(from.name) && p.a.has(to.name))) return false;
    }
    return true;
  }

  /**
   * Draws the fate of one message from `from` to `to`: its latency in ms (with the retransmission
   * timeouts of its lost segments on a degraded link), or undefined when it cannot get there (cut link,
   * powered-off host, or a segment lost more than tcp_retries2 times). Draws come from the sender's stream,
   * or from `own` when the caller keeps a stream of its own for this traffic; such a caller may have drawn
   * the base latency itself (whatever the link's state, as the kubelet's lease renewals do) and pass it
   * as baseMs.
   */
  transit(from: Host, to: Host, own?: Rng, baseMs?: number): number | undefined {
    if (!this.connected(from, to)) return undefined;
    // A message to the own host takes no time, unless its caller drew a base latency for it: a kubelet
    // draws one for every renewal, whatever the link (kubelet.ts drawRenewBase), so that renewals sent
    // ahead and renewals sent then take the same time, on a control-plane Node's loopback too (kubeadm).
    if (from === to) return baseMs ?? 0;
    const rng = own ?? (from.netRng as Rng | undefined) ?? (from.netRng = this.rng(from.name));
    let latencyMs = baseMs ?? rng.between(this.latency.minMs, this.latency.maxMs);
    for (const d of this.degrades) {
      if (!d.hosts.has(from.name) && !d.hosts.has(to.name)) continue;
      if (d.loss > 0) {
        let rto = TCP_MIN_RTO_MS;
        for (let tries = 0; rng.chance(d.loss); tries++) {
          if (tries === TCP_RETRIES) return undefined;
          latencyMs += rto;
          rto *= 2;
        }
      }
      if (d.extraLatency) latencyMs += rng.between(d.extraLatency.minMs, d.extraLatency.maxMs);
    }
    return latencyMs;
  }

  /** Whether some link is degraded now (its draws depend on the world, so nothing is drawn ahead). */
  get degraded(): boolean {
    return this.degrades.length > 0;
  }

  /** Whether some link is cut now. */
  get partitioned(): boolean {
    return this.partitions.length > 0;
  }

  /** The extra latency degrade faults add on the link between two hosts now (their ranges summed), if any. */
  extraLatency(from: Host, to: Host): RangeMs | undefined {
    let out: RangeMs | undefined;
    for (const d of this.degrades) {
      if (d.extraLatency === undefined || (!d.hosts.has(from.name) && !d.hosts.has(to.name))) continue;
      out = { minMs: (out?.minMs ?? 0) + d.extraLatency.minMs, maxMs: (out?.maxMs ?? 0) + d.extraLatency.maxMs };
    }
    return out;
  }

  cut(id: string, a: Iterable<string>, b: Iterable<string>): void {
    this.beforeChange();
    this.partitions.push({ id, a: new Set(a), b: new Set(b) });
    this.onChange();
  }

  heal(id: string): void {
    this.beforeChange();
    this.partitions = this.partitions.filter((p) => p.id !== id);
    this.onChange();
  }

  degrade(id: string, hosts: Iterable<string>, loss: number, extraLatency?: RangeMs): void {
    this.beforeChange();
    this.degrades.push({ id, hosts: new Set(hosts), loss, extraLatency });
    this.onChange();
  }

  restore(id: string): void {
    this.beforeChange();
    this.degrades = this.degrades.filter((d) => d.id !== id);
    this.onChange();
  }

  private rng(hostName: string): Rng {
    let r = this.rngs.get(hostName);
    if (!r) {
      r = this.streams.stream(`network/${hostName}`);
      this.rngs.set(hostName, r);
    }
    return r;
  }
}

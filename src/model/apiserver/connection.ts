// A client's connection to the API server. Upstream, client-go talks HTTP/2 over one TCP connection per
// transport (per host:port and TLS config) and keeps using it while it is open. A graceful API server stop
// sends GOAWAY and a crashed process on a live host answers with RST: the client reconnects at its next
// request. A host that loses power or is cut off answers nothing, so the connection stays open and every
// request on it (and every watch riding it) waits until it is closed by one of:
// - the HTTP/2 health check: after ReadIdleTimeout without any frame read, the client sends a PING and
//   closes the connection if no answer comes within PingTimeout (golang.org/x/net/http2 transport.go,
//   ClientConn.healthCheck, enabled by k8s.io/apimachinery/pkg/util/net/http.go SetTransportDefaults ->
//   configureHTTP2Transport with readIdleTimeoutSeconds 30 and pingTimeoutSeconds 15, which the
//   HTTP2_READ_IDLE_TIMEOUT_SECONDS and HTTP2_PING_TIMEOUT_SECONDS environment variables override, in
//   hasim spec.kubernetes.http2; 0 read idle timeout disables the check);
// - for the kubelet, closeAllConns after a repeated heartbeat failure (kubelet.ts).
// The next request after the close dials again, through the load balancer (or to the host's own API server,
// kubeadm), and lands on a serving replica.
//
// Simplified: hasim keeps one connection per client host, which its processes share (upstream each process,
// and within the kubelet each transport, has its own; the kubelet's close-all closes those of its own
// process only). A frame read is an answer or a watch event; the health check's own PINGs on an idle live
// connection are not counted, which only matters for a client that reads nothing for ReadIdleTimeout before
// its API server dies (every hasim client gets an answer at least every lease renewal or retryPeriod).
import type { EventHandle } from '../../engine/index.js';
import type { Http2Config } from '../../k8s/config.js';
import type { Member } from './api-server.js';

/** The HTTP/2 health check of client-go's transports, in ms (0 readIdleTimeoutMs: no health check). */
export type Http2HealthCheckConfig = Http2Config;

/** k8s.io/apimachinery/pkg/util/net/http.go readIdleTimeoutSeconds and pingTimeoutSeconds. */
export const DEFAULT_HTTP2_HEALTH_CHECK: Http2HealthCheckConfig = { readIdleTimeoutMs: 30_000, pingTimeoutMs: 15_000 };

export class ApiConnection {
  /** The replica the connection goes to; undefined: none open, the next request dials. */
  replica: Member | undefined = undefined;
  /** When the client last read a frame on it (an answer or a watch event), or dialled it. */
  readMs = 0;
  /** When a dead connection (no answer from its replica's host) is closed; Infinity while it is not known dead. */
  closeAtMs = Infinity;
  /** The health check's close of a dead connection, scheduled (ApiServer.checkConnections). */
  closing: EventHandle | undefined = undefined;

  /** Opens the connection to `replica` (undefined: no replica could be reached) at atMs. */
  dial(replica: Member | undefined, atMs: number): void {
    this.replica = replica;
    this.readMs = atMs;
    this.closeAtMs = Infinity;
  }

  /** A frame reaches the client at atMs on this connection to `replica`. */
  read(replica: Member, atMs: number): void {
    if (replica === this.replica && atMs > this.readMs) this.readMs = atMs;
  }

  /**
   * The replica's host stopped answering (power or link): when the health check closes the connection.
   * The read-idle timer fires ReadIdleTimeout after the last frame read and sends a PING, which no answer
   * meets within PingTimeout (ClientConn.healthCheck, closeForLostPing). Kept once known, until the
   * connection answers again or is replaced.
   */
  deadUntilMs(cfg: Http2HealthCheckConfig): number {
    if (this.closeAtMs === Infinity && cfg.readIdleTimeoutMs > 0)
      this.closeAtMs = this.readMs + cfg.readIdleTimeoutMs + cfg.pingTimeoutMs;
    return this.closeAtMs;
  }
}

// What every simulated component can reach: the kernel, its seeded streams, the trace, the network and
// the API server. Built once per run by cluster.ts.
import type { LazySimulator, RandomStreams, TraceRecorder } from '../engine/index.js';
import type { TraceEventFields } from '../trace/events.js';
import type { ApiServer } from './apiserver/api-server.js';
import type { Host } from './infra/host.js';
import type { Network } from './infra/network.js';
import type { FastPaths } from './fast-paths.js';
import type { World } from './infra/world.js';
import type { Volumes } from './volume/volumes.js';

export interface ModelContext {
  /** The kernel with its lazy-dispatch extension (engine/lazy-dispatch.ts), which the fast paths use. */
  sim: LazySimulator;
  streams: RandomStreams;
  trace: TraceRecorder<TraceEventFields>;
  network: Network;
  api: ApiServer;
  hosts: Map<string, Host>;
  /** Speculative work and the changes that undo it. */
  world: World;
  /** Which fast paths this run takes (fast-paths.ts); all of them unless a test or vopr asks otherwise. */
  fastPaths: FastPaths;
  /** StatefulSet volumes (volume/volumes.ts); absent when no workload has volumeClaimTemplates. */
  volumes?: Volumes;
}

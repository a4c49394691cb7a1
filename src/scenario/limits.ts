// Sizes checked before anything is expanded. A scenario is a description of work: `count: 100000000`
// is a few characters that would allocate a hundred million nodes, and `duration: 1000000h` would run
// for a day. Each size is held to what Kubernetes publishes as its supported maximum ("Considerations
// for large clusters", kubernetes.io/docs/setup/best-practices/cluster-large/: 5,000 nodes, 150,000
// pods, 110 pods per node) or, where Kubernetes has no word for it, to what hasim can play in minutes
// on a laptop. `--allow-large` lifts every limit to a hard ceiling that bounds memory and time even
// then. Nothing here builds anything: it reads the structurally checked document and counts.
import type { Problem } from './issues.js';
import type { ManifestReadResult } from './manifests/index.js';
import type { Path } from './paths.js';
import { formatDuration } from './units.js';

// Parsed YAML after structural validation: units converted, invalid fields left out.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;

/** The flag that lifts the limits (run, validate, sweep). */
export const ALLOW_LARGE_FLAG = '--allow-large';

export interface Limit {
  /** What is counted, in words ("nodes"). */
  what: string;
  /** The limit without the flag, and why it is that. */
  normal: number;
  source: string;
  /** The ceiling with the flag. */
  large: number;
  format?: (n: number) => string;
}

const HOUR_MS = 3_600_000;

export const LIMITS = {
  nodes: { what: 'nodes', normal: 5_000, source: 'the most Kubernetes supports in one cluster', large: 50_000 },
  pods: {
    what: 'pods in all',
    normal: 150_000,
    source: 'the most Kubernetes supports in one cluster',
    large: 1_500_000,
  },
  podsPerNode: {
    what: 'pods per node (capacity.pods)',
    normal: 110,
    source: "the kubelet's default --max-pods, and Kubernetes' supported maximum",
    large: 1_000,
  },
  controlPlaneMembers: {
    what: 'instances of one control-plane component',
    normal: 9,
    source: 'production control planes run 3 to 5; etcd recommends at most 7 members',
    large: 101,
  },
  durationMs: {
    what: 'of virtual time',
    normal: 24 * HOUR_MS,
    source: 'a virtual day of a 5,000-node cluster already takes about 7 minutes',
    large: 30 * 24 * HOUR_MS,
    format: formatDuration,
  },
  clockRate: {
    what: 'clock rate',
    normal: 10,
    source: 'a clock 10 times fast already renews its leases 10 times as often',
    large: 1_000,
  },
} satisfies Record<string, Limit>;

export interface LimitOptions {
  /** `--allow-large`: hold sizes to the ceilings instead of the normal limits. */
  allowLarge?: boolean;
}

const fmt = (limit: Limit, n: number): string => (limit.format ? limit.format(n) : n.toLocaleString('en-US'));

/** The problem, if `value` is over the limit that applies, else undefined. */
export function overLimit(limit: Limit, value: number, path: Path, opts: LimitOptions, shownValue?: string): Problem[] {
  const v = shownValue ?? fmt(limit, value);
  if (!opts.allowLarge && value > limit.normal) {
    return [
      {
        severity: 'error',
        code: 'over-limit',
        path,
        message: `${v} ${limit.what} is more than the limit of ${fmt(limit, limit.normal)}: ${limit.source}`,
        hint: `${ALLOW_LARGE_FLAG} raises the limit to ${fmt(limit, limit.large)}`,
      },
    ];
  }
  if (value > limit.large) {
    return [
      {
        severity: 'error',
        code: 'over-limit',
        path,
        message: `${v} ${limit.what} is more than hasim can simulate (at most ${fmt(limit, limit.large)}, with ${ALLOW_LARGE_FLAG})`,
      },
    ];
  }
  return [];
}

const list = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);

/** Every size of `raw` (and the manifests after it) held to its limit. */
export function checkLimits(raw: Raw, manifests: ManifestReadResult, opts: LimitOptions): Problem[] {
  const spec: Raw = raw?.spec ?? {};
  const problems: Problem[] = [];
  const nodes = list(spec.nodes);

  // Nodes, and pods per node.
  const nodeCount =
    nodes.reduce((sum, n) => sum + (typeof n.count === 'number' ? n.count : 1), 0) + manifests.nodes.length;
  const biggestGroup = nodes.reduce((best, n, i) => ((n.count ?? 1) > (nodes[best]?.count ?? 1) ? i : best), 0);
  problems.push(
    ...overLimit(
      LIMITS.nodes,
      nodeCount,
      nodes.length === 1 || nodeCount === (nodes[biggestGroup]?.count ?? 1)
        ? ['spec', 'nodes', biggestGroup, 'count']
        : ['spec', 'nodes'],
      opts,
    ),
  );
  nodes.forEach((n, i) => {
    if (typeof n.capacity?.pods === 'number')
      problems.push(...overLimit(LIMITS.podsPerNode, n.capacity.pods, ['spec', 'nodes', i, 'capacity', 'pods'], opts));
  });

  // Pods: the replicas of every workload, and a DaemonSet's pod on every node.
  let pods = 0;
  let biggest: { path: Path; pods: number; doc: number } | undefined;
  const add = (n: number, path: Path, doc: number): void => {
    pods += n;
    if (!biggest || n > biggest.pods) biggest = { path, pods: n, doc };
  };
  list(spec.workloads).forEach((w, i) => {
    const path = ['spec', 'workloads', i, w.kind === 'DaemonSet' ? 'kind' : 'replicas'];
    add(w.kind === 'DaemonSet' ? nodeCount : typeof w.replicas === 'number' ? w.replicas : 1, path, 0);
  });
  for (const w of manifests.workloads)
    add(w.kind === 'DaemonSet' ? nodeCount : (w.replicas ?? 1), [...w.base, 'spec', 'replicas'], w.doc);
  if (biggest) {
    const found = overLimit(LIMITS.pods, pods, biggest.path, opts);
    problems.push(...found.map((p) => ({ ...p, doc: biggest!.doc })));
  }

  // Control-plane members.
  const k: Raw = spec.kubernetes ?? {};
  const members: [Path, unknown][] = [
    [['spec', 'kubernetes', 'controllerManager', 'replicas'], k.controllerManager?.replicas],
    [['spec', 'kubernetes', 'scheduler', 'replicas'], k.scheduler?.replicas],
    [['spec', 'kubernetes', 'apiServer', 'replicas'], k.apiServer?.replicas],
    [['spec', 'kubernetes', 'etcd', 'members'], k.etcd?.members],
  ];
  for (const [path, n] of members)
    if (typeof n === 'number') problems.push(...overLimit(LIMITS.controlPlaneMembers, n, path, opts));

  // Virtual time, and clocks that run fast.
  if (typeof spec.duration === 'number')
    problems.push(...overLimit(LIMITS.durationMs, spec.duration, ['spec', 'duration'], opts));
  list(spec.faults).forEach((f, i) => {
    if (typeof f.rate === 'number')
      problems.push(...overLimit(LIMITS.clockRate, f.rate, ['spec', 'faults', i, 'rate'], opts, `a ${f.rate}×`));
  });
  return problems;
}

// DefaultPreemption's algorithm (src/model/scheduler/plugins/default-preemption.ts) on the test vectors of
// pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go (TestDryRunPreemption,
// TestSelectBestCandidate, TestPodEligibleToPreemptOthers, TestGetOffsetAndNumCandidates) and
// pkg/scheduler/framework/plugins/queuesort/priority_sort_test.go (TestLess), expressed with CPU requests
// on nodes whose only Filter is resource fit (NodeResourcesFit, as upstream's tests configure it).
import type { Pod } from '../../../src/k8s/objects.js';
import {
  type Candidate,
  calculateNumCandidates,
  dryRunPreemption,
  filterPodsWithPDBViolation,
  type PdbBudget,
  pickOneNodeForPreemption,
  podEligibleToPreemptOthers,
  type PreemptionNode,
  REASON_PREEMPTION_BY_SCHEDULER,
  selectVictimsOnNode,
} from '../../../src/model/scheduler/plugins/default-preemption.js';
import { prioritySortLess } from '../../../src/model/scheduler/queue.js';
import { pod as basePod } from './plugin-harness.js';

// upstream's test priorities (negPriority, lowPriority, midPriority, highPriority, veryHighPriority).
const NEG = -100;
const LOW = 0;
const MID = 100;
const HIGH = 1000;
const VERY_HIGH = 10000;
const NOW_MS = 1_000_000;

interface P {
  name: string;
  priority: number;
  cpu: number;
  node?: string;
  startMs?: number;
  workload?: string;
  terminating?: boolean;
  disruptionTarget?: string;
}

function pod(a: P): Pod {
  const p = basePod({ name: a.name, node: a.node, workload: a.workload, terminating: a.terminating });
  return {
    ...p,
    spec: { ...p.spec, priority: a.priority, requests: { cpuMilli: a.cpu, memoryBytes: 0 } },
    status: { ...p.status, startTimeMs: a.startMs, disruptionTarget: a.disruptionTarget },
  };
}

/** A node whose only Filter is CPU fit (upstream's tests: NodeResourcesFit alone), with capacity cpuMilli. */
function fakeNode(name: string, cpuMilli: number, pods: Pod[], preemptor: Pod): PreemptionNode {
  const on = new Set(pods);
  return {
    name,
    pods,
    remove: (p) => on.delete(p),
    add: (p) => on.add(p),
    fits: () =>
      [...on].reduce((sum, p) => sum + p.spec.requests.cpuMilli, 0) + preemptor.spec.requests.cpuMilli <= cpuMilli,
  };
}

const names = (c: Candidate) => ({
  node: c.node,
  victims: c.victims.map((p) => p.metadata.name),
  pdb: c.numPDBViolations,
});

describe('queuesort PrioritySort (priority_sort_test.go TestLess)', () => {
  const info = (priority: number, timestampMs: number, seq: number) => ({
    pod: pod({ name: `p${seq}`, priority, cpu: 0 }),
    timestampMs,
    seq,
  });
  it('p1.priority less than p2.priority: p2 first', () => {
    expect(prioritySortLess(info(LOW, 0, 0), info(HIGH, 1, 1))).toBe(false);
  });
  it('p1.priority greater than p2.priority: p1 first', () => {
    expect(prioritySortLess(info(HIGH, 1, 0), info(LOW, 0, 1))).toBe(true);
  });
  it('equal priority. p1 is added to schedulingQ earlier than p2', () => {
    expect(prioritySortLess(info(HIGH, 0, 0), info(HIGH, 1, 1))).toBe(true);
  });
  it('equal priority. p2 is added to schedulingQ earlier than p1', () => {
    expect(prioritySortLess(info(HIGH, 1, 0), info(HIGH, 0, 1))).toBe(false);
  });
});

describe('DefaultPreemption DryRunPreemption (TestDryRunPreemption)', () => {
  const run = (preemptor: Pod, nodes: Array<[string, number, Pod[]]>, pdbs: PdbBudget[] = []) =>
    dryRunPreemption(
      preemptor,
      nodes.map(([n, cap, pods]) => fakeNode(n, cap, pods, preemptor)),
      pdbs,
      0,
      calculateNumCandidates(nodes.length),
      NOW_MS,
    ).map(names);

  it('a pod that does not fit on any node', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 5000 });
    expect(run(p, [['node1', 4000, [pod({ name: 'p1', priority: MID, cpu: 1000, node: 'node1' })]]])).toEqual([]);
  });

  it('a pod that fits with no preemption is no candidate (no victims)', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 1000 });
    expect(run(p, [['node1', 4000, [pod({ name: 'p1', priority: MID, cpu: 1000, node: 'node1' })]]])).toEqual([]);
  });

  it('a pod that fits on both nodes when lower priority pods are preempted', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 3000 });
    expect(
      run(p, [
        ['node1', 4000, [pod({ name: 'p1', priority: MID, cpu: 3000, node: 'node1' })]],
        ['node2', 4000, [pod({ name: 'p2', priority: MID, cpu: 3000, node: 'node2' })]],
      ]),
    ).toEqual([
      { node: 'node1', victims: ['p1'], pdb: 0 },
      { node: 'node2', victims: ['p2'], pdb: 0 },
    ]);
  });

  it('a pod that would fit on the nodes, but other pods running are higher priority, no preemption would happen', () => {
    const p = pod({ name: 'p', priority: LOW, cpu: 3000 });
    expect(
      run(p, [
        ['node1', 4000, [pod({ name: 'p1', priority: MID, cpu: 3000, node: 'node1' })]],
        ['node2', 4000, [pod({ name: 'p2', priority: MID, cpu: 3000, node: 'node2' })]],
      ]),
    ).toEqual([]);
  });

  it('medium priority pod is preempted, but lower priority one stays as it is small', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 2500 });
    expect(
      run(p, [
        [
          'node1',
          4000,
          [
            pod({ name: 'p1.1', priority: LOW, cpu: 500, node: 'node1' }),
            pod({ name: 'p1.2', priority: MID, cpu: 2000, node: 'node1' }),
          ],
        ],
        ['node2', 4000, [pod({ name: 'p2.1', priority: HIGH, cpu: 4000, node: 'node2' })]],
      ]),
    ).toEqual([{ node: 'node1', victims: ['p1.2'], pdb: 0 }]);
  });

  it('mixed priority pods are preempted', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 2000 });
    expect(
      run(p, [
        [
          'node1',
          4000,
          [
            pod({ name: 'p1.1', priority: MID, cpu: 1000, node: 'node1' }),
            pod({ name: 'p1.2', priority: LOW, cpu: 1000, node: 'node1' }),
            pod({ name: 'p1.3', priority: MID, cpu: 1000, node: 'node1' }),
            pod({ name: 'p1.4', priority: HIGH, cpu: 1000, node: 'node1' }),
          ],
        ],
      ]),
    ).toEqual([{ node: 'node1', victims: ['p1.3', 'p1.2'], pdb: 0 }]);
  });

  it('mixed priority pods are preempted, pick later StartTime one when priorities are equal', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 2000 });
    expect(
      run(p, [
        [
          'node1',
          4000,
          [
            pod({ name: 'p1.1', priority: MID, cpu: 1000, node: 'node1', startMs: 5 }),
            pod({ name: 'p1.2', priority: LOW, cpu: 1000, node: 'node1', startMs: 4 }),
            pod({ name: 'p1.3', priority: MID, cpu: 1000, node: 'node1', startMs: 3 }),
            pod({ name: 'p1.4', priority: HIGH, cpu: 1000, node: 'node1', startMs: 2 }),
          ],
        ],
      ]),
    ).toEqual([{ node: 'node1', victims: ['p1.1', 'p1.2'], pdb: 0 }]);
  });

  it('preemption with violation of same pdb', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 4000 });
    const pdb: PdbBudget = { workload: 'Deployment/foo', disruptionsAllowed: 1, disruptedPods: {} };
    expect(
      run(
        p,
        [
          [
            'node1',
            4000,
            [
              pod({ name: 'p1.1', priority: LOW, cpu: 2000, node: 'node1', workload: 'Deployment/foo', startMs: 1 }),
              pod({ name: 'p1.2', priority: LOW, cpu: 2000, node: 'node1', workload: 'Deployment/foo', startMs: 2 }),
            ],
          ],
        ],
        [pdb],
      ),
    ).toEqual([{ node: 'node1', victims: ['p1.1', 'p1.2'], pdb: 1 }]);
  });

  it('preemption with violation of the pdb with pod whose eviction was processed, the victim belongs to DisruptedPods', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 4000 });
    const pdb: PdbBudget = { workload: 'Deployment/foo', disruptionsAllowed: 1, disruptedPods: { 'p1.2': 0 } };
    expect(
      run(
        p,
        [
          [
            'node1',
            4000,
            [
              pod({ name: 'p1.1', priority: LOW, cpu: 2000, node: 'node1', workload: 'Deployment/foo', startMs: 1 }),
              pod({ name: 'p1.2', priority: LOW, cpu: 2000, node: 'node1', workload: 'Deployment/foo', startMs: 2 }),
            ],
          ],
        ],
        [pdb],
      ),
    ).toEqual([{ node: 'node1', victims: ['p1.1', 'p1.2'], pdb: 0 }]);
  });

  it('reprieves PDB-violating victims before the others, most important first', () => {
    // Two protected low pods and one unprotected: the room for the preemptor comes from the unprotected
    // one and one protected one; the protected pod reprieved is the more important (earlier start).
    const p = pod({ name: 'p', priority: HIGH, cpu: 2000 });
    const pdb: PdbBudget = { workload: 'Deployment/foo', disruptionsAllowed: 0, disruptedPods: {} };
    const pods = [
      pod({ name: 'free', priority: LOW, cpu: 1000, node: 'node1', startMs: 1 }),
      pod({ name: 'foo-old', priority: LOW, cpu: 1000, node: 'node1', startMs: 2, workload: 'Deployment/foo' }),
      pod({ name: 'foo-new', priority: LOW, cpu: 1000, node: 'node1', startMs: 3, workload: 'Deployment/foo' }),
    ];
    const c = selectVictimsOnNode(p, fakeNode('node1', 3000, pods, p), [pdb], NOW_MS);
    expect(c && names(c)).toEqual({ node: 'node1', victims: ['free', 'foo-new'], pdb: 1 });
  });

  it('stops at the number of candidates once one does not violate a PDB, and starts at the offset', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 4000 });
    const nodes = ['n0', 'n1', 'n2', 'n3'].map((n) =>
      fakeNode(n, 4000, [pod({ name: `${n}-v`, priority: LOW, cpu: 4000, node: n })], p),
    );
    expect(dryRunPreemption(p, nodes, [], 2, 2, NOW_MS).map((c) => c.node)).toEqual(['n2', 'n3']);
  });

  it('leaves the node as it found it', () => {
    const p = pod({ name: 'p', priority: HIGH, cpu: 2000 });
    const pods = [
      pod({ name: 'a', priority: LOW, cpu: 2000, node: 'node1' }),
      pod({ name: 'b', priority: LOW, cpu: 2000, node: 'node1' }),
    ];
    const n = fakeNode('node1', 4000, pods, p);
    const before = [...pods];
    selectVictimsOnNode(p, n, [], NOW_MS);
    // Both back: with both on the node the preemptor does not fit.
    expect(n.fits()).toBe(false);
    expect(pods).toEqual(before);
  });
});

describe('filterPodsWithPDBViolation', () => {
  it('counts the budget down in the order given and keeps that order', () => {
    const pdb: PdbBudget = { workload: 'Deployment/foo', disruptionsAllowed: 1, disruptedPods: {} };
    const pods = ['a', 'b', 'c'].map((n) => pod({ name: n, priority: LOW, cpu: 0, workload: 'Deployment/foo' }));
    const other = pod({ name: 'x', priority: LOW, cpu: 0, workload: 'Deployment/bar' });
    const r = filterPodsWithPDBViolation([pods[0], other, pods[1], pods[2]], [pdb]);
    expect(r.nonViolating.map((p) => p.metadata.name)).toEqual(['a', 'x']);
    expect(r.violating.map((p) => p.metadata.name)).toEqual(['b', 'c']);
  });
});

describe('DefaultPreemption SelectCandidate / pickOneNodeForPreemption (TestSelectBestCandidate)', () => {
  const c = (node: string, victims: Array<[number, number?]>, numPDBViolations = 0): Candidate => ({
    node,
    victims: victims.map(([priority, startMs], i) => pod({ name: `${node}-${i}`, priority, cpu: 0, startMs })),
    numPDBViolations,
  });
  const pick = (cs: Candidate[]) => pickOneNodeForPreemption(cs, NOW_MS)?.node;

  it('a pod that fits on both nodes when lower priority pods are preempted: the first', () => {
    expect(pick([c('node1', [[LOW]]), c('node2', [[LOW]])])).toBe('node1');
  });
  it('node with min PDB violations is picked', () => {
    expect(pick([c('node1', [[LOW]], 1), c('node2', [[MID]], 0)])).toBe('node2');
  });
  it('node with min highest priority pod is picked', () => {
    expect(pick([c('node1', [[MID], [LOW]]), c('node2', [[LOW], [LOW], [LOW]]), c('node3', [[HIGH]])])).toBe('node2');
  });
  it('when highest priorities are the same, minimum sum of lower priority pods is picked', () => {
    expect(pick([c('node1', [[MID], [LOW]]), c('node2', [[MID], [NEG]]), c('node3', [[MID], [MID]])])).toBe('node2');
  });
  it('fewer victims of the same priorities count as a smaller sum (the 2^31 shift)', () => {
    expect(pick([c('node1', [[MID], [NEG], [NEG]]), c('node2', [[MID], [NEG]])])).toBe('node2');
  });
  it('sum of adjusted priorities is considered', () => {
    // Without the 2^31 shift, two negative victims would sum lower than one.
    expect(
      pick([
        c('node1', [[MID], [NEG], [NEG]]),
        c('node2', [[MID], [NEG], [NEG], [NEG]]),
        c('node3', [[MID], [NEG], [NEG], [NEG]]),
      ]),
    ).toBe('node1');
  });
  it('same priority, same number of victims, different start time for each node’s pod', () => {
    expect(
      pick([
        c('node1', [
          [MID, 10],
          [MID, 10],
        ]),
        c('node2', [
          [MID, 20],
          [MID, 20],
        ]),
        c('node3', [
          [MID, 5],
          [MID, 5],
        ]),
      ]),
    ).toBe('node2');
  });
  it('different priority, same number of victims, different start time for all pods', () => {
    // The start times that count are those of each node's most important victims.
    expect(
      pick([
        c('node1', [
          [MID, 10],
          [LOW, 50],
        ]),
        c('node2', [
          [MID, 30],
          [LOW, 1],
        ]),
        c('node3', [
          [MID, 20],
          [LOW, 60],
        ]),
      ]),
    ).toBe('node2');
  });
  it('no candidates', () => {
    expect(pick([])).toBeUndefined();
  });
});

describe('DefaultPreemption PodEligibleToPreemptOthers (TestPodEligibleToPreemptOthers)', () => {
  const preemptor = pod({ name: 'p', priority: HIGH, cpu: 0 });
  it('Pod is not eligible to preempt other pods (PreemptNever)', () => {
    const never: Pod = { ...preemptor, spec: { ...preemptor.spec, preemptionPolicy: 'Never' } };
    expect(podEligibleToPreemptOthers(never, undefined).eligible).toBe(false);
  });
  it('Pod is eligible without a nominated node', () => {
    expect(podEligibleToPreemptOthers(preemptor, undefined).eligible).toBe(true);
  });
  it('Pod with nominated node, but without any lower priority pods terminating', () => {
    expect(
      podEligibleToPreemptOthers(preemptor, [pod({ name: 'v', priority: LOW, cpu: 0, node: 'node1' })]).eligible,
    ).toBe(true);
  });
  it('Pod with nominated node, and lower priority pods terminating by preemption', () => {
    const v = pod({
      name: 'v',
      priority: LOW,
      cpu: 0,
      node: 'node1',
      terminating: true,
      disruptionTarget: REASON_PREEMPTION_BY_SCHEDULER,
    });
    expect(podEligibleToPreemptOthers(preemptor, [v]).eligible).toBe(false);
  });
  it('Pod with nominated node, lower priority pods terminating but not by preemption', () => {
    const v = pod({ name: 'v', priority: LOW, cpu: 0, node: 'node1', terminating: true });
    expect(podEligibleToPreemptOthers(preemptor, [v]).eligible).toBe(true);
  });
  it('Pod with nominated node, and higher priority pods terminating by preemption', () => {
    const v = pod({
      name: 'v',
      priority: VERY_HIGH,
      cpu: 0,
      node: 'node1',
      terminating: true,
      disruptionTarget: REASON_PREEMPTION_BY_SCHEDULER,
    });
    expect(podEligibleToPreemptOthers(preemptor, [v]).eligible).toBe(true);
  });
});

describe('DefaultPreemption GetOffsetAndNumCandidates (TestGetOffsetAndNumCandidates)', () => {
  it('looks for max(10 % of the potential nodes, 100) candidates, at most all of them', () => {
    expect(calculateNumCandidates(10)).toBe(10);
    expect(calculateNumCandidates(100)).toBe(100);
    expect(calculateNumCandidates(1000)).toBe(100);
    expect(calculateNumCandidates(5000)).toBe(500);
  });
});

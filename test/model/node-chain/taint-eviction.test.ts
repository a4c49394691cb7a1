// The taint eviction controller against upstream vectors E1–E9 (docs/fidelity.md#vectors-e1-to-e9), on the engine's clock.
import { Simulator } from '../../../src/engine/index.js';
import type { Node, Pod, Taint } from '../../../src/k8s/objects.js';
import { TaintEvictionCore } from '../../../src/model/tainteviction/taint-eviction-controller.js';
import type { Toleration } from '../../../src/scenario/types.js';
import { node, pod } from './fixtures.js';

const taint = (key: string): Taint => ({ key, effect: 'NoExecute' });
const tol = (key: string, seconds?: number): Toleration => ({
  key,
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: seconds,
});

function setup() {
  const sim = new Simulator(1);
  const pods = new Map<string, Pod>();
  const deleted: Array<[string, number]> = [];
  const core = new TaintEvictionCore({
    now: () => sim.nowMs,
    after: (ms, fn) => {
      const h = sim.after(ms, fn);
      return { cancel: () => sim.cancel(h) };
    },
    podsOnNode: (n) => [...pods.values()].filter((p) => p.spec.nodeName === n),
    evict: (name, done) => {
      deleted.push([name, sim.nowMs]);
      done(true);
    },
  });
  const tainted = (name: string, taints: Taint[]): Node => {
    const n = node(name);
    return { ...n, spec: { ...n.spec, taints } };
  };
  const addPod = (p: Pod) => {
    pods.set(p.metadata.name, p);
    core.podUpdated(undefined, p);
  };
  return { sim, pods, deleted, core, tainted, addPod };
}

test('E1 a pod without toleration on a tainted node is deleted at once; an unscheduled pod is left alone', () => {
  const s = setup();
  s.addPod(pod('p1', 'n1'));
  s.addPod(pod('p2', undefined));
  s.core.nodeUpdated(undefined, s.tainted('n1', [taint('t1')]));
  s.sim.run(10);
  expect(s.deleted).toEqual([['p1', 0]]);
});

test('E2 toleration 100 s: not within the window; infinite: never; another key: at once', () => {
  const s = setup();
  s.addPod(pod('p100', 'n1', { tolerations: [tol('t1', 100)] }));
  s.addPod(pod('pinf', 'n1', { tolerations: [tol('t1')] }));
  s.addPod(pod('pother', 'n1', { tolerations: [tol('t2', 100)] }));
  s.core.nodeUpdated(undefined, s.tainted('n1', [taint('t1')]));
  s.sim.run(50_000);
  expect(s.deleted).toEqual([['pother', 0]]);
  s.sim.run(1_000_000);
  expect(s.deleted).toEqual([
    ['pother', 0],
    ['p100', 100_000],
  ]);
});

test('E3 removing the toleration deletes at once; lengthening it does not postpone the eviction', () => {
  const s = setup();
  const p = pod('p', 'n1', { tolerations: [tol('t1', 100)] });
  s.addPod(p);
  s.core.nodeUpdated(undefined, s.tainted('n1', [taint('t1')]));
  s.sim.run(10);
  const stripped = { ...p, spec: { ...p.spec, tolerations: [] } };
  s.core.podUpdated(p, stripped);
  s.sim.run(20);
  expect(s.deleted).toEqual([['p', 10]]);

  const t = setup();
  const q = pod('q', 'n1', { tolerations: [tol('t1', 1)] });
  t.addPod(q);
  t.core.nodeUpdated(undefined, t.tainted('n1', [taint('t1')]));
  t.sim.run(500);
  t.core.podUpdated(q, { ...q, spec: { ...q.spec, tolerations: [tol('t1', 100)] } });
  t.sim.run(200_000);
  expect(t.deleted).toEqual([['q', 1000]]);
});

test('E4 removing the taint cancels the pending eviction', () => {
  const s = setup();
  s.addPod(pod('p', 'n1', { tolerations: [tol('t1', 1)] }));
  const n = s.tainted('n1', [taint('t1')]);
  s.core.nodeUpdated(undefined, n);
  s.sim.run(500);
  s.core.nodeUpdated(n, s.tainted('n1', []));
  s.sim.run(1500);
  expect(s.deleted).toEqual([]);
});

test('E5 the minimum toleration wins; an untolerated second taint deletes at once', () => {
  const s = setup();
  s.addPod(pod('p', 'n1', { tolerations: [tol('t1', 1), tol('t2', 100)] }));
  s.core.nodeUpdated(undefined, s.tainted('n1', [taint('t1'), taint('t2')]));
  s.sim.run(200_000);
  expect(s.deleted).toEqual([['p', 1000]]);

  const t = setup();
  t.addPod(pod('p', 'n1', { tolerations: [tol('t1', 1)] }));
  t.core.nodeUpdated(undefined, t.tainted('n1', [taint('t1'), taint('t2')]));
  t.sim.run(10);
  expect(t.deleted).toEqual([['p', 0]]);
});

test('E6 infinite + 60 s tolerations: queued only while both taints are present, cancelled after', () => {
  const s = setup();
  s.addPod(pod('p', 'n1', { tolerations: [tol('t1'), tol('t2', 60)] }));
  const n0 = s.tainted('n1', []);
  const n1 = s.tainted('n1', [taint('t1')]);
  const n12 = s.tainted('n1', [taint('t1'), taint('t2')]);
  s.core.nodeUpdated(undefined, n0);
  s.core.nodeUpdated(n0, n1);
  expect(s.core.work.has('p')).toBe(false);
  s.core.nodeUpdated(n1, n12);
  expect(s.core.work.has('p')).toBe(true);
  s.sim.run(1000);
  s.core.nodeUpdated(n12, s.tainted('n1', [taint('t1')]));
  expect(s.core.work.has('p')).toBe(false);
  s.sim.run(200_000);
  expect(s.deleted).toEqual([]);
});

test('E7 several pods: no toleration at 0 s, 1 s at 1 s, infinite never; two taints delete all at once', () => {
  const s = setup();
  s.addPod(pod('p1', 'n1'));
  s.addPod(pod('p2', 'n1', { tolerations: [tol('t1', 1)] }));
  s.addPod(pod('p3', 'n1', { tolerations: [tol('t1')] }));
  s.core.nodeUpdated(undefined, s.tainted('n1', [taint('t1')]));
  s.sim.run(100_000);
  expect(s.deleted).toEqual([
    ['p1', 0],
    ['p2', 1000],
  ]);

  const t = setup();
  t.addPod(pod('p1', 'n1'));
  t.addPod(pod('p2', 'n1', { tolerations: [tol('t1', 1)] }));
  t.addPod(pod('p3', 'n1', { tolerations: [tol('t1')] }));
  t.core.nodeUpdated(undefined, t.tainted('n1', [taint('t1'), taint('t2')]));
  t.sim.run(100_000);
  expect(t.deleted.map(([, at]) => at)).toEqual([0, 0, 0]);
});

test('E8 getMinTolerationTime', async () => {
  const { minTolerationMs } = await import('../../../src/model/nodelifecycle/nlc-taints.js');
  expect(minTolerationMs([])).toBe(0);
  expect(minTolerationMs([tol('a')])).toBe(-1);
  expect(minTolerationMs([tol('a', 1), tol('a', 2)])).toBe(1000);
  expect(minTolerationMs([tol('a', 1), tol('a')])).toBe(1000);
  expect(minTolerationMs([tol('a'), tol('a', 1)])).toBe(1000);
  expect(minTolerationMs([tol('a', 0), tol('a', 5)])).toBe(0);
  expect(minTolerationMs([tol('a', -3)])).toBe(0);
});

test('E9 a pod seen late on an already tainted node is still processed', () => {
  const s = setup();
  s.core.nodeUpdated(undefined, s.tainted('n1', [taint('t1')]));
  s.sim.run(5000);
  s.addPod(pod('late', 'n1'));
  s.addPod(pod('late-tol', 'n1', { tolerations: [tol('t1', 2)] }));
  s.sim.run(100_000);
  expect(s.deleted).toEqual([
    ['late', 5000],
    ['late-tol', 7000],
  ]);
});

test('a fired eviction is not repeated by later tolerated taint changes until its work is cancelled', () => {
  const s = setup();
  s.addPod(pod('p', 'n1', { tolerations: [tol('t1', 1), tol('t2', 1)] }));
  const n = s.tainted('n1', [taint('t1')]);
  s.core.nodeUpdated(undefined, n);
  s.sim.run(1500);
  s.core.nodeUpdated(n, s.tainted('n1', [taint('t1'), taint('t2')]));
  s.sim.run(10_000);
  expect(s.deleted).toEqual([['p', 1000]]);
});

// The EndpointSlice controller's topology cache (src/model/endpointslice/topology-cache.ts), with cases named
// after staging/src/k8s.io/endpointslice/topologycache/topologycache_test.go (TestAddHints, TestSetNodes) and
// utils_test.go (Test_redistributeHints, Test_getGivingAndReceivingZones, Test_getHintsByZone).
import type { Node } from '../../../src/k8s/objects.js';
import type { Endpoint } from '../../../src/k8s/services.js';
import {
  type Allocation,
  getGivingAndReceivingZones,
  getHintsByZone,
  HINTS_MESSAGES,
  type HintSlice,
  redistributeHints,
  serviceOverloaded,
  type SliceInfo,
  TopologyCache,
} from '../../../src/model/endpointslice/topology-cache.js';

function node(zone: string, cpuMilli: number, ready: boolean, labels: Record<string, string> = {}): Node {
  return {
    kind: 'Node',
    metadata: {
      name: `n-${zone}-${cpuMilli}`,
      uid: 1,
      resourceVersion: 1,
      creationTimestampMs: 0,
      labels: { ...labels, ...(zone === '' ? {} : { 'topology.kubernetes.io/zone': zone }) },
    },
    spec: { taints: [], unschedulable: false },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastHeartbeatTimeMs: 0,
          lastTransitionTimeMs: 0,
          reason: '',
          message: '',
        },
      ],
      capacity: { cpuMilli, memoryBytes: 1 << 30, pods: 110 },
    },
  };
}

/** A cache whose CPU ratios are these (SetNodes with 1000 millicores split as the ratios say). */
function cacheWithRatios(ratios: Record<string, number> | undefined): TopologyCache {
  const cache = new TopologyCache();
  if (ratios !== undefined)
    cache.setNodes(Object.entries(ratios).map(([zone, r]) => node(zone, Math.round(r * 1000), true)));
  return cache;
}

let address = 0;
function ep(zone: string, opts: { ready?: boolean; hint?: string; pod?: string } = {}): Endpoint {
  const ready = opts.ready ?? true;
  const e: Endpoint = {
    pod: opts.pod ?? `10.0.0.${++address}`,
    nodeName: `node-${zone}`,
    zone,
    ready,
    serving: ready,
    terminating: false,
  };
  if (opts.hint !== undefined) e.forZones = [opts.hint];
  return e;
}
const slice = (name: string, endpoints: Endpoint[]): HintSlice => ({ name, endpoints });
const info = (p: Partial<SliceInfo>): SliceInfo => ({
  serviceKey: 'ns/svc',
  toCreate: [],
  toUpdate: [],
  unchanged: [],
  ...p,
});
const hints = (sl: HintSlice) => sl.endpoints.map((e) => e.forZones?.[0] ?? null);

describe('TestAddHints (topologycache_test.go)', () => {
  test('empty', () => {
    const cache = cacheWithRatios(undefined);
    const si = info({});
    expect(cache.addHints(si)).toEqual({ hints: false, message: HINTS_MESSAGES.insufficientNodeInfo });
    expect(si.toCreate).toEqual([]);
    expect(si.toUpdate).toEqual([]);
    expect(cache.hintsOf('ns/svc')).toBeUndefined();
  });

  test('slice to create, no zone ratios', () => {
    const cache = cacheWithRatios(undefined);
    const si = info({ toCreate: [slice('s-0', [ep('zone-a')])] });
    expect(cache.addHints(si)).toEqual({ hints: false, message: HINTS_MESSAGES.insufficientNodeInfo });
    expect(hints(si.toCreate[0])).toEqual([null]);
  });

  test('slice to create with 2 endpoints, zone ratios require 3', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.3, 'zone-b': 0.4, 'zone-c': 0.3 });
    const si = info({ toCreate: [slice('s-0', [ep('zone-a'), ep('zone-b')])] });
    const out = cache.addHints(si);
    expect(out.hints).toBe(false);
    expect(out.hints === false && out.message).toBe(`${HINTS_MESSAGES.insufficientEndpoints} (2 endpoints, 3 zones)`);
    expect(hints(si.toCreate[0])).toEqual([null, null]);
    expect(cache.hintsOf('ns/svc')).toBeUndefined();
  });

  test('slice to create with 2 endpoints, zone ratios only require 2', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.45, 'zone-b': 0.55 });
    const si = info({ toCreate: [slice('s-0', [ep('zone-a'), ep('zone-b')])] });
    const out = cache.addHints(si);
    expect(out).toMatchObject({ hints: true, enabled: true });
    expect(hints(si.toCreate[0])).toEqual(['zone-a', 'zone-b']);
    expect(cache.hintsOf('ns/svc')).toEqual(
      new Map([
        ['zone-a', 1],
        ['zone-b', 1],
      ]),
    );
    // The same Service again: hints were populated already, so this is not "enabled" a second time.
    expect(cache.addHints(info({ toCreate: [slice('s-0', [ep('zone-a'), ep('zone-b')])] }))).toMatchObject({
      hints: true,
      enabled: false,
    });
  });

  test('slice to create with 2 ready, 1 unready, 1 unknown endpoints, zone ratios only require 2', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.45, 'zone-b': 0.55 });
    // hasim's endpoints always carry a Ready condition: "unknown" (nil) is not ready, as EndpointReady reads it.
    const si = info({
      toCreate: [
        slice('s-0', [ep('zone-a'), ep('zone-b'), ep('zone-b', { ready: false }), ep('zone-b', { ready: false })]),
      ],
    });
    expect(cache.addHints(si)).toMatchObject({ hints: true, enabled: true });
    expect(hints(si.toCreate[0])).toEqual(['zone-a', 'zone-b', null, null]);
  });

  test('slices to create and update within 3 zone threshold', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.35, 'zone-b': 0.35, 'zone-c': 0.3 });
    const si = info({
      toCreate: [slice('s-0', [ep('zone-a'), ep('zone-b')]), slice('s-1', [ep('zone-c'), ep('zone-c'), ep('zone-a')])],
      toUpdate: [slice('s-2', [ep('zone-a'), ep('zone-a')]), slice('s-3', [ep('zone-b'), ep('zone-c'), ep('zone-a')])],
    });
    expect(cache.addHints(si)).toMatchObject({ hints: true, enabled: true });
    expect(si.toCreate.map(hints)).toEqual([
      ['zone-b', 'zone-b'],
      ['zone-c', 'zone-c', 'zone-a'],
    ]);
    expect(si.toUpdate.map(hints)).toEqual([
      ['zone-a', 'zone-a'],
      ['zone-b', 'zone-c', 'zone-a'],
    ]);
    expect(cache.hintsOf('ns/svc')).toEqual(
      new Map([
        ['zone-a', 4],
        ['zone-b', 3],
        ['zone-c', 3],
      ]),
    );
  });
});

describe('AddHints with unchanged slices (getAllocatedHintsByZone), and removal', () => {
  test('an unchanged slice keeps valid hints and is not written', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.5, 'zone-b': 0.5 });
    const kept = slice('s-0', [ep('zone-a', { hint: 'zone-a' }), ep('zone-b', { hint: 'zone-b' })]);
    const si = info({ unchanged: [kept], toCreate: [slice('s-1', [ep('zone-a'), ep('zone-b')])] });
    expect(cache.addHints(si)).toMatchObject({ hints: true });
    expect(si.unchanged).toEqual([kept]);
    expect(si.toUpdate).toEqual([]);
  });

  test('an unchanged slice hinted for a zone that is gone is rewritten', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.5, 'zone-b': 0.5 });
    const si = info({
      unchanged: [slice('s-0', [ep('zone-a', { hint: 'zone-a' }), ep('zone-b', { hint: 'zone-c' })])],
    });
    expect(cache.addHints(si)).toMatchObject({ hints: true });
    expect(si.unchanged).toEqual([]);
    expect(si.toUpdate.map(hints)).toEqual([['zone-a', 'zone-b']]);
  });

  test('an endpoint without a zone removes every hint, from unchanged slices too (RemoveHintsFromSlices)', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.5, 'zone-b': 0.5 });
    const si = info({
      unchanged: [slice('s-0', [ep('zone-a', { hint: 'zone-a' }), ep('zone-b', { hint: 'zone-b' })])],
      toCreate: [slice('s-1', [ep(''), ep('zone-a'), ep('zone-a'), ep('zone-b')])],
    });
    expect(cache.addHints(si)).toEqual({ hints: false, message: HINTS_MESSAGES.noZoneSpecified });
    expect([...si.toCreate, ...si.toUpdate].map(hints)).toEqual([
      [null, null, null, null],
      [null, null],
    ]);
    expect(si.unchanged).toEqual([]);
  });

  test('minimums above the endpoints: hints removed (MinAllocationExceedsOverloadThreshold)', () => {
    // 4 endpoints over 3 equal zones: each zone's minimum is ceil(1.33 / 1.2) = 2, 6 in all.
    const cache = cacheWithRatios({ 'zone-a': 1 / 3, 'zone-b': 1 / 3, 'zone-c': 1 / 3 });
    const si = info({ toCreate: [slice('s-0', [ep('zone-a'), ep('zone-a'), ep('zone-b'), ep('zone-c')])] });
    const out = cache.addHints(si);
    expect(out.hints === false && out.message).toBe(
      `${HINTS_MESSAGES.minAllocationExceedsOverloadThreshold} (4 endpoints, 3 zones)`,
    );
  });

  test('getAllocations: minimum ceil(desired / 1.2), maximum minimum plus what the minimums leave', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.5, 'zone-b': 0.25, 'zone-c': 0.25 });
    // 12 endpoints: desired 6, 3, 3; minimums ceil(5), ceil(2.5), ceil(2.5) = 5, 3, 3; one left over for any.
    const got = cache.getAllocations(12);
    expect('allocations' in got && Object.fromEntries(got.allocations)).toEqual({
      'zone-a': { minimum: 5, maximum: 6, desired: 6 },
      'zone-b': { minimum: 3, maximum: 4, desired: 3 },
      'zone-c': { minimum: 3, maximum: 4, desired: 3 },
    });
    // 10 endpoints: minimums 5, 3, 3 are 11.
    expect(cache.getAllocations(10)).toEqual({
      message: `${HINTS_MESSAGES.minAllocationExceedsOverloadThreshold} (10 endpoints, 3 zones)`,
    });
  });
});

describe('TestSetNodes (topologycache_test.go)', () => {
  const cases: [string, Node[], Record<string, number> | undefined][] = [
    ['empty', [], undefined],
    ['single node', [node('zone-a', 1000, true)], undefined],
    ['single zone', [node('zone-a', 1000, true), node('zone-a', 1000, true)], undefined],
    ['2 zones', [node('zone-a', 1000, true), node('zone-b', 1000, true)], { 'zone-a': 0.5, 'zone-b': 0.5 }],
    [
      '2 zones, unready node in 1, ready node in 1',
      [node('zone-a', 1000, false), node('zone-b', 1000, true)],
      undefined,
    ],
    [
      '2 zones, control plane node in 1, ready node in 1',
      [node('zone-a', 1000, true), node('zone-b', 1000, true, { 'node-role.kubernetes.io/control-plane': '' })],
      undefined,
    ],
    [
      '2 zones, unready node in 1, ready node in 2',
      [node('zone-a', 1000, true), node('zone-b', 1000, true), node('zone-b', 1000, false)],
      { 'zone-a': 0.5, 'zone-b': 0.5 },
    ],
    [
      '2 zones, control plane node in 1, ready node in 2',
      [
        node('zone-a', 1000, true),
        node('zone-b', 1000, true),
        node('zone-b', 1000, true, { 'node-role.kubernetes.io/control-plane': '' }),
      ],
      { 'zone-a': 0.5, 'zone-b': 0.5 },
    ],
    [
      '3 zones, 4 nodes in 1, 2 nodes in 1, 1 node in 1',
      [
        node('zone-a', 1000, true),
        node('zone-a', 1000, true),
        node('zone-a', 1000, true),
        node('zone-a', 2000, true),
        node('zone-b', 3000, true),
        node('zone-b', 1500, true),
        node('zone-c', 500, true),
      ],
      { 'zone-a': 0.5, 'zone-b': 0.45, 'zone-c': 0.05 },
    ],
    // hasim's own: one Ready node without a zone makes the node information insufficient for every Service.
    [
      'a Ready node without a zone',
      [node('zone-a', 1000, true), node('zone-b', 1000, true), node('', 1000, true)],
      undefined,
    ],
  ];
  test.each(cases)('%s', (_name, nodes, ratios) => {
    const cache = new TopologyCache();
    cache.setNodes(nodes);
    expect(cache.hasSufficientNodeInfo).toBe(ratios !== undefined);
    expect(cache.ratios === undefined ? undefined : Object.fromEntries(cache.ratios)).toEqual(ratios);
  });
});

describe('Test_redistributeHints (utils_test.go)', () => {
  test('empty', () => {
    expect(redistributeHints([], new Map(), new Map())).toEqual(new Map());
  });

  test('single endpoint', () => {
    const sl = slice('s', [ep('zone-a', { hint: 'zone-a' })]);
    expect(Object.fromEntries(redistributeHints([sl], new Map([['zone-a', 1]]), new Map([['zone-b', 1]])))).toEqual({
      'zone-a': -1,
      'zone-b': 1,
    });
    expect(hints(sl)).toEqual(['zone-b']);
  });

  test('endpoints from 1 zone redistributed to 2 other zones', () => {
    const sl = slice('s', [
      ep('zone-a', { hint: 'zone-a' }),
      ep('zone-a', { hint: 'zone-a' }),
      ep('zone-a', { hint: 'zone-a' }),
    ]);
    const out = redistributeHints(
      [sl],
      new Map([['zone-a', 2]]),
      new Map([
        ['zone-b', 1],
        ['zone-c', 1],
      ]),
    );
    expect(Object.fromEntries(out)).toEqual({ 'zone-a': -2, 'zone-b': 1, 'zone-c': 1 });
    // hasim gives to the receiving zones in name order (upstream: Go map order).
    expect(hints(sl)).toEqual(['zone-b', 'zone-c', 'zone-a']);
  });
});

describe('Test_getGivingAndReceivingZones (utils_test.go)', () => {
  const alloc = (d: Record<string, number>) =>
    new Map(Object.entries(d).map(([z, desired]): [string, Allocation] => [z, { minimum: 0, maximum: 0, desired }]));
  const cases: [
    string,
    Record<string, number>,
    Record<string, number>,
    Record<string, number>,
    Record<string, number>,
  ][] = [
    ['empty', {}, {}, {}, {}],
    [
      'simple allocation with no need for rebalancing',
      { 'zone-a': 1.2, 'zone-b': 1.1, 'zone-c': 1.0 },
      { 'zone-a': 1, 'zone-b': 1, 'zone-c': 1 },
      {},
      {},
    ],
    [
      'preference for same zone even when giving an extra endpoint would result in slightly better distribution',
      { 'zone-a': 5.1, 'zone-b': 5.1, 'zone-c': 5.8 },
      { 'zone-a': 16 },
      { 'zone-a': 10 },
      { 'zone-b': 5, 'zone-c': 5 },
    ],
    [
      'when 2 zones need < 1 endpoint, give to zone that needs endpoint most',
      { 'zone-a': 5.0, 'zone-b': 5.6, 'zone-c': 5.4 },
      { 'zone-a': 16 },
      { 'zone-a': 11 },
      { 'zone-b': 6, 'zone-c': 5 },
    ],
    [
      'when 2 zones have extra endpoints, give from zone with most extra',
      { 'zone-a': 5.0, 'zone-b': 5.6, 'zone-c': 5.4 },
      { 'zone-b': 8, 'zone-c': 8 },
      { 'zone-b': 2, 'zone-c': 3 },
      { 'zone-a': 5 },
    ],
    [
      'ensure function can handle unexpected data (more allocated than allocations)',
      { 'zone-a': 5, 'zone-b': 5, 'zone-c': 5 },
      { 'zone-a': 6, 'zone-b': 6, 'zone-c': 6 },
      {},
      {},
    ],
    [
      'ensure function can handle unexpected data (negative for 1 zone)',
      { 'zone-a': 5, 'zone-b': 5, 'zone-c': 5 },
      { 'zone-a': -40, 'zone-b': 20, 'zone-c': 20 },
      { 'zone-b': 15, 'zone-c': 15 },
      { 'zone-a': 30 },
    ],
  ];
  test.each(cases)('%s', (_name, desired, allocated, giving, receiving) => {
    const [g, r] = getGivingAndReceivingZones(alloc(desired), new Map(Object.entries(allocated)));
    expect(Object.fromEntries(g)).toEqual(giving);
    expect(Object.fromEntries(r)).toEqual(receiving);
  });
});

describe('Test_getHintsByZone (utils_test.go)', () => {
  const max = (d: Record<string, number>) =>
    new Map(Object.entries(d).map(([z, maximum]): [string, Allocation] => [z, { minimum: 0, maximum, desired: 0 }]));
  test('empty', () => {
    expect(getHintsByZone(slice('s', []), new Map(), new Map())).toEqual(new Map());
  });
  test('single zone hint with 1 unready endpoint', () => {
    const sl = slice('s', [ep('zone-a', { hint: 'zone-a' }), ep('zone-a', { hint: 'zone-a', ready: false })]);
    expect(getHintsByZone(sl, new Map([['zone-a', 1]]), max({ 'zone-a': 3 }))).toEqual(new Map([['zone-a', 1]]));
  });
  test('multiple zone hints', () => {
    const sl = slice('s', [
      ep('zone-a', { hint: 'zone-a' }),
      ep('zone-a', { hint: 'zone-b' }),
      ep('zone-b', { hint: 'zone-b' }),
    ]);
    expect(
      Object.fromEntries(
        getHintsByZone(sl, new Map([['zone-a', 1]]), max({ 'zone-a': 3, 'zone-b': 3, 'zone-c': 3 })) ?? [],
      ),
    ).toEqual({ 'zone-a': 1, 'zone-b': 2 });
  });
  test('invalid by zones that no longer requires any allocations', () => {
    const sl = slice('s', [ep('zone-a', { hint: 'zone-non-existent' })]);
    expect(getHintsByZone(sl, new Map(), max({ 'zone-a': 3 }))).toBeUndefined();
  });
  test('invalid by endpoints with nil hints', () => {
    expect(getHintsByZone(slice('s', [ep('zone-a')]), new Map(), max({ 'zone-a': 3 }))).toBeUndefined();
  });
  test('invalid by hints that would make minimum allocations impossible', () => {
    const sl = slice('s', [ep('zone-a', { hint: 'zone-a' }), ep('zone-a', { hint: 'zone-a' })]);
    expect(getHintsByZone(sl, new Map([['zone-a', 1]]), max({ 'zone-a': 2 }))).toBeUndefined();
  });
});

describe('GetOverloadedServices (serviceOverloaded)', () => {
  test('a zone below its minimum under the new ratios overloads the Service; one that lost its nodes does not count', () => {
    const threeEach = new Map([
      ['zone-a', 3],
      ['zone-b', 3],
      ['zone-c', 3],
    ]);
    // zone-c's nodes NotReady: zones a and b now need ceil(9 × 0.5 / 1.2) = 4 each.
    expect(
      serviceOverloaded(
        threeEach,
        new Map([
          ['zone-a', 0.5],
          ['zone-b', 0.5],
        ]),
      ),
    ).toBe(true);
    expect(
      serviceOverloaded(
        threeEach,
        new Map([
          ['zone-a', 1 / 3],
          ['zone-b', 1 / 3],
          ['zone-c', 1 / 3],
        ]),
      ),
    ).toBe(false);
    // A zone back with no hints at all.
    expect(
      serviceOverloaded(
        new Map([
          ['zone-a', 5],
          ['zone-b', 4],
        ]),
        new Map([
          ['zone-a', 1 / 3],
          ['zone-b', 1 / 3],
          ['zone-c', 1 / 3],
        ]),
      ),
    ).toBe(true);
  });

  test('the cache names only the Services with hints that overload a zone', () => {
    const cache = cacheWithRatios({ 'zone-a': 0.5, 'zone-b': 0.5 });
    cache.addHints(info({ serviceKey: 'hinted', toCreate: [slice('s-0', [ep('zone-a'), ep('zone-b')])] }));
    cache.addHints(info({ serviceKey: 'without', toCreate: [slice('s-0', [ep('zone-a')])] }));
    expect(cache.getOverloadedServices()).toEqual([]);
    cache.setNodes([node('zone-a', 1000, true), node('zone-b', 1000, true), node('zone-c', 1000, true)]);
    expect(cache.getOverloadedServices()).toEqual(['hinted']);
  });
});

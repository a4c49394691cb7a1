// ComputeZoneState and ReducedQPSFunc: the derived cases of docs/fidelity.md#vectors-z1-to-z9 (Z1–Z9 run against the
// controller in node-lifecycle-controller.test.ts).
import { computeZoneState, reducedQps, zoneKey } from '../../../src/model/nodelifecycle/zone-state.js';
import { node } from './fixtures.js';

const rates = { nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01, largeClusterSizeThreshold: 50 };

test.each([
  [0, 1, 'FullDisruption'],
  [1, 2, 'Normal'],
  [2, 2, 'Normal'],
  [2, 3, 'PartialDisruption'],
  [3, 3, 'Normal'],
  [9, 11, 'PartialDisruption'],
  [0, 0, 'Normal'],
])('ComputeZoneState(ready %i, notReady %i) is %s', (ready, notReady, state) => {
  expect(computeZoneState({ ready, notReady }, 0.55)).toBe(state);
});

test('ReducedQPSFunc: a zone of 50 stops, a zone of 51 gets the secondary rate', () => {
  expect(reducedQps(50, rates)).toBe(0);
  expect(reducedQps(51, rates)).toBe(0.01);
});

test('zone keys: none, zone only, region and zone', () => {
  expect(zoneKey(node('n'))).toBe('');
  expect(zoneKey(node('n', { zone: 'z1' }))).toBe('z1');
  expect(zoneKey(node('n', { zone: 'z1', region: 'r1' }))).toBe('r1:z1');
});

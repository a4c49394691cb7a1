import {
  formatDuration,
  parseCount,
  parseCpuMilli,
  parseDuration,
  parseMemoryBytes,
  parseRange,
} from '../../src/scenario/units.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { didYouMean } from '../../src/scenario/did-you-mean.js';

const ok = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['40s', 40_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1m30.5s', 90_500],
    ['0s', 0],
    ['1.5h', 5_400_000],
    ['2000us', 2],
  ])('reads %s as %d ms', (text, ms) => {
    expect(ok(parseDuration(text))).toBe(ms);
  });

  test('rejects a bare number with a hint to add a unit', () => {
    expect(parseDuration(40)).toEqual({
      ok: false,
      message: 'expected a duration with a unit, found the bare number 40',
      hint: 'write 40s (or 40ms, 40m): durations are Kubernetes-style strings such as 500ms, 40s, 5m, 1h30m',
    });
    expect(parseDuration('40').ok).toBe(false);
  });

  test.each(['5 minutes', '5mins', 'm5', '', '-5s', '1.5us'])('rejects "%s"', (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });

  test('ranges are a fixed duration or min..max', () => {
    expect(ok(parseRange('5s'))).toEqual({ minMs: 5000, maxMs: 5000 });
    expect(ok(parseRange('2ms..20ms'))).toEqual({ minMs: 2, maxMs: 20 });
    expect(ok(parseRange('1s .. 5s'))).toEqual({ minMs: 1000, maxMs: 5000 });
    expect(parseRange('20ms..2ms')).toEqual({
      ok: false,
      message: 'range "20ms..2ms" has its lower bound above its upper bound',
    });
    expect(parseRange('2..5s').ok).toBe(false);
  });

  test('formats milliseconds back in Go style', () => {
    expect([0, 250, 1500, 40_000, 90_500, 5_400_000].map(formatDuration)).toEqual([
      '0s',
      '250ms',
      '1.5s',
      '40s',
      '1m30.5s',
      '1h30m',
    ]);
  });
});

describe('quantities', () => {
  test.each([
    ['500m', 500],
    ['2', 2000],
    [2, 2000],
    [0.5, 500],
    ['0.5', 500],
    ['1e3', 1_000_000],
    ['100u', 1],
  ])('cpu %s is %d millicores', (text, milli) => {
    expect(ok(parseCpuMilli(text))).toBe(milli);
  });

  test.each([
    ['512Mi', 512 * 2 ** 20],
    ['4Gi', 4 * 2 ** 30],
    ['1G', 1e9],
    ['1e3', 1000],
    ['128974848', 128974848],
    ['129M', 129e6],
    ['1.5Ki', 1536],
  ])('memory %s is %d bytes', (text, bytes) => {
    expect(ok(parseMemoryBytes(text))).toBe(bytes);
  });

  test('rejects unknown suffixes and suggests the Kubernetes spelling', () => {
    const r = parseMemoryBytes('4GB');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('invalid quantity "4GB" (did you mean "4G" or "4Gi"?)');
    const gi = parseMemoryBytes('4gi');
    if (!gi.ok) expect(gi.message).toBe('invalid quantity "4gi" (did you mean "4Gi"?)');
    expect(parseCpuMilli('-1').ok).toBe(false);
    expect(parseCpuMilli('two').ok).toBe(false);
  });
});

describe('counts', () => {
  test('are whole numbers or percentages', () => {
    expect(ok(parseCount(4))).toEqual({ value: 4, percent: false });
    expect(ok(parseCount('50%'))).toEqual({ value: 50, percent: true });
    expect(parseCount(1.5).ok).toBe(false);
    expect(parseCount('150%').ok).toBe(false);
    expect(parseCount('half').ok).toBe(false);
  });
});

describe('did you mean', () => {
  test('finds typos, swaps and case slips, but not unrelated words', () => {
    expect(didYouMean('node-crsh', ['node-crash', 'kubelet-stop'])).toBe('node-crash');
    expect(didYouMean('nodeMonitorGracePeirod', ['nodeMonitorPeriod', 'nodeMonitorGracePeriod'])).toBe(
      'nodeMonitorGracePeriod',
    );
    expect(didYouMean('deployment', ['Deployment', 'StatefulSet'])).toBe('Deployment');
    expect(didYouMean('banana', ['Deployment', 'StatefulSet'])).toBeUndefined();
  });
});

describe('numbers written as strings', () => {
  // A user writes "99.9%" where the field is a number: the hint says what to write, read off the field's
  // bounds (a field in percent keeps the figure, a share from 0 to 1 divides it by 100).
  const base = (slo: string, extra = '') => `apiVersion: hasim.dev/v1
kind: Scenario
metadata: { name: n }
spec:
  duration: 5m
  nodes: [{ name: w, count: 2, zone: a }]
  workloads: [{ name: web, kind: Deployment, replicas: 2, service: { name: web } }]
  faults: [{ name: f, type: network-degrade, at: 1m, target: { node: w-0 }${extra} }]
  slos: [${slo}]
`;
  const hintOf = (text: string) => {
    const r = parseScenarioText(text, { file: 'f.yaml' });
    if (r.ok) throw new Error('expected problems');
    return r.issues.map((i) => `${i.message} | ${i.hint ?? ''}`);
  };
  test('a percentage for a field in percent', () => {
    expect(hintOf(base('{ name: s, type: request-success-rate, service: web, min: 99.9% }'))).toContainEqual(
      'expected a number, found the string "99.9%" | this field is already in percent: write 99.9, without the % sign',
    );
  });
  test('a percentage for a share from 0 to 1', () => {
    expect(hintOf(base('{ name: s, type: request-success-rate, service: web, min: 99 }', ', loss: 5%'))).toContainEqual(
      'expected a number, found the string "5%" | this field is a share from 0 to 1: write 0.05 for 5%',
    );
  });
  test('"none" for a field of fixed words says how to leave the field out', () => {
    const text = base('{ name: s, type: request-success-rate, service: web, min: 99 }', ', loss: 0.1').replace(
      'service: { name: web }',
      'service: { name: web, trafficDistribution: none }',
    );
    expect(hintOf(text)).toContainEqual(
      'unknown traffic distribution "none" (allowed: PreferClose, PreferSameZone) | to leave the field out, write null (in --set and --grid too: path=null)',
    );
  });
  test('a quoted number', () => {
    expect(hintOf(base('{ name: s, type: request-success-rate, service: web, min: "99" }'))).toContainEqual(
      'expected a number, found the string "99" | write the number without quotes: 99',
    );
  });
});

// Durations, ranges, Kubernetes quantities and counts as scenario files write them. Each parser
// returns a value or a message saying what was found and what is allowed; it never throws.
import type { Count, RangeMs } from './types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; hint?: string };

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** A long string cut for a message (a 400-digit duration is not worth printing in full). */
function shorten(value: unknown): unknown {
  return typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}...` : value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

/**
 * A Go/Kubernetes duration (`500ms`, `40s`, `5m`, `1h30m`, `1m30.5s`, `0s`) in whole milliseconds.
 * Every number needs a unit; hasim's clock ticks in milliseconds, so finer values are rejected.
 */
export function parseDuration(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    return {
      ok: false,
      message: `expected a duration with a unit, found the bare number ${input}`,
      hint: `write ${input}s (or ${input}ms, ${input}m): durations are Kubernetes-style strings such as 500ms, 40s, 5m, 1h30m`,
    };
  }
  if (typeof input !== 'string') {
    return { ok: false, message: `expected a duration such as 40s, found ${describeType(input)}` };
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    return {
      ok: false,
      message: `expected a duration with a unit, found "${input}"`,
      hint: `write ${text}s (or ${text}ms, ${text}m): durations are Kubernetes-style strings such as 500ms, 40s, 5m, 1h30m`,
    };
  }
  if (text.startsWith('-')) {
    return { ok: false, message: `durations cannot be negative, found "${input}"` };
  }
  const body = text.startsWith('+') ? text.slice(1) : text;
  let totalMs = 0;
  let pos = 0;
  while (pos < body.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(body);
    if (!m) {
      const near = durationNear(text);
      return {
        ok: false,
        message: `invalid duration "${input}"${near ? ` (did you mean "${near}"?)` : ''}`,
        hint: 'durations are numbers with units ns, us, ms, s, m, h, as in 500ms, 40s, 5m, 1h30m, 1m30.5s',
      };
    }
    totalMs += Number(m[1]) * DURATION_UNITS_MS[m[2]];
    pos = DURATION_PART.lastIndex;
  }
  if (body.length === 0) {
    return { ok: false, message: 'expected a duration such as 40s, found an empty string' };
  }
  // Sums of decimal fractions pick up float noise (0.1s + 0.2s); a micro-tolerance keeps them whole.
  const rounded = Math.round(totalMs);
  if (!Number.isSafeInteger(rounded)) {
    return {
      ok: false,
      message: `duration ${show(shorten(input))} is too long: durations are limited to 2^53 - 1 milliseconds (about 285,000 years)`,
    };
  }
  if (Math.abs(totalMs - rounded) > 1e-6) {
    return {
      ok: false,
      message: `duration "${input}" is not a whole number of milliseconds`,
      hint: 'hasim simulates time in milliseconds',
    };
  }
  return { ok: true, value: rounded };
}

/** Unit words people write for the units Go and Kubernetes durations spell with one or two letters. */
const DURATION_UNIT_WORDS: Record<string, string> = {
  ns: 'ns',
  nanosecond: 'ns',
  nanoseconds: 'ns',
  us: 'us',
  microsecond: 'us',
  microseconds: 'us',
  ms: 'ms',
  msec: 'ms',
  msecs: 'ms',
  millis: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  s: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  m: 'm',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
};

/**
 * The duration someone most likely meant by an invalid one (`7 min` -> `7m`, `1 hour 30 minutes` ->
 * `1h30m`, `40S` -> `40s`), or undefined when there is no clear reading.
 */
function durationNear(text: string): string | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Zµμ]+)\s*,?\s*(?:and\s+)?/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  let out = '';
  for (const [, number, unit] of parts) {
    const short = DURATION_UNIT_WORDS[unit.toLowerCase()];
    if (short === undefined) return undefined;
    out += number + short;
  }
  return out !== text && parseDuration(out).ok ? out : undefined;
}

/** A fixed duration (`5s`) or a uniform range `min..max` (`2ms..20ms`). */
export function parseRange(input: unknown): Parsed<RangeMs> {
  if (typeof input === 'string' && input.includes('..')) {
    const parts = input.split('..');
    if (parts.length !== 2) {
      return {
        ok: false,
        message: `invalid range "${input}"`,
        hint: 'write a duration (5s) or a range min..max (2s..20s)',
      };
    }
    const min = parseDuration(parts[0].trim());
    const max = parseDuration(parts[1].trim());
    if (!min.ok) return { ok: false, message: `range "${input}": lower bound: ${min.message}`, hint: min.hint };
    if (!max.ok) return { ok: false, message: `range "${input}": upper bound: ${max.message}`, hint: max.hint };
    if (min.value > max.value) {
      return { ok: false, message: `range "${input}" has its lower bound above its upper bound` };
    }
    return { ok: true, value: { minMs: min.value, maxMs: max.value } };
  }
  const fixed = parseDuration(input);
  if (!fixed.ok) {
    return {
      ok: false,
      message: fixed.message.replace('expected a duration', 'expected a duration or a range min..max'),
      hint: fixed.hint,
    };
  }
  return { ok: true, value: { minMs: fixed.value, maxMs: fixed.value } };
}

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E|)$/;

/** The value of a Kubernetes quantity (`500m`, `2`, `0.5`, `512Mi`, `4Gi`, `1G`, `1e3`) in base units. */
export function parseQuantity(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    if (Number.isNaN(input) || input < 0)
      return { ok: false, message: `quantity must be zero or more, found ${input}` };
    if (input > Number.MAX_SAFE_INTEGER)
      return { ok: false, message: `quantity ${input} is too large (at most 2^53 - 1 base units)` };
    return { ok: true, value: input };
  }
  if (typeof input !== 'string') {
    return { ok: false, message: `expected a Kubernetes quantity such as 500m or 4Gi, found ${describeType(input)}` };
  }
  const m = QUANTITY.exec(input.trim());
  if (!m) {
    const parts = /^([+-]?[\d.]+)(.*)$/.exec(input.trim());
    const near = parts ? didYouMeanSuffixFor(parts[1], parts[2]) : '';
    return {
      ok: false,
      message: `invalid quantity "${input}"${near}`,
      hint: 'Kubernetes quantities are a number with an optional suffix: m (milli), k, M, G, T (powers of 1000), Ki, Mi, Gi, Ti (powers of 1024), e.g. 500m, 2, 512Mi, 4Gi',
    };
  }
  if (m[1] === '-') return { ok: false, message: `quantity must be zero or more, found "${input}"` };
  const number = Number(m[2]);
  const suffix = m[3];
  let factor: number;
  if (suffix in BINARY_SUFFIX) factor = BINARY_SUFFIX[suffix];
  else if (suffix in DECIMAL_SUFFIX) factor = DECIMAL_SUFFIX[suffix];
  else factor = 10 ** Number(suffix.slice(1));
  const value = number * factor;
  if (!Number.isFinite(value) || value > Number.MAX_SAFE_INTEGER) {
    return { ok: false, message: `quantity ${show(shorten(input))} is too large (at most 2^53 - 1 base units)` };
  }
  return { ok: true, value };
}

function didYouMeanSuffixFor(number: string, suffix: string): string {
  const lower = suffix.toLowerCase();
  const binary: Record<string, string> = {
    ki: 'Ki',
    mi: 'Mi',
    gi: 'Gi',
    ti: 'Ti',
    kib: 'Ki',
    mib: 'Mi',
    gib: 'Gi',
    tib: 'Ti',
  };
  const decimal: Record<string, string> = { kb: 'k', mb: 'M', gb: 'G', tb: 'T' };
  if (binary[lower] !== undefined && binary[lower] !== suffix) return ` (did you mean "${number}${binary[lower]}"?)`;
  if (decimal[lower] !== undefined) {
    return ` (did you mean "${number}${decimal[lower]}" or "${number}${decimal[lower].toUpperCase()}i"?)`;
  }
  return '';
}

/** CPU in millicores, rounded up as Kubernetes' MilliValue() does. */
export function parseCpuMilli(input: unknown): Parsed<number> {
  const q = parseQuantity(input);
  if (!q.ok) return q;
  return { ok: true, value: Math.ceil(q.value * 1000 - 1e-9) };
}

/** Memory in bytes, rounded up as Kubernetes' Value() does. */
export function parseMemoryBytes(input: unknown): Parsed<number> {
  const q = parseQuantity(input);
  if (!q.ok) return q;
  return { ok: true, value: Math.ceil(q.value - 1e-9) };
}

/** A non-negative integer count or a percentage "N%" (as PodDisruptionBudget's minAvailable). */
export function parseCount(input: unknown): Parsed<Count> {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return { ok: true, value: { value: input, percent: false } };
    return { ok: false, message: `expected a whole number of pods or a percentage such as "50%", found ${input}` };
  }
  if (typeof input === 'string') {
    const m = /^(\d+)%$/.exec(input.trim());
    if (m) {
      const value = Number(m[1]);
      if (value > 100) return { ok: false, message: `percentage "${input}" is above 100%` };
      return { ok: true, value: { value, percent: true } };
    }
    if (/^\d+$/.test(input.trim()) && Number.isSafeInteger(Number(input.trim())))
      return { ok: true, value: { value: Number(input.trim()), percent: false } };
  }
  return { ok: false, message: `expected a whole number of pods or a percentage such as "50%", found ${show(input)}` };
}

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value}"`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value;
}

/** Milliseconds as a Go-style duration: 90000 -> "1m30s", 1500 -> "1.5s", 250 -> "250ms", 0 -> "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sMs = ms % 60_000;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (m > 0) out += `${m}m`;
  if (sMs > 0) out += `${sMs / 1000}s`;
  return out;
}

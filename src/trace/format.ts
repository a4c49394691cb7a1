// How durations and points in virtual time are written, everywhere: in SLO verdicts, reports and the
// terminal. One definition, so one duration reads the same in every output.

/** A duration the way an SRE writes it: `350ms`, `45s`, `12.4s`, `6m12.4s`, `7m`, `1h2m`, `1h2m5s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return '-' + formatDuration(-ms);
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  if (whole < 3_600_000) {
    // Tenths of a second are what timelines are read at; truncate so 59.96s never shows as 60.0s.
    const tenths = Math.floor(whole / 100);
    const minutes = Math.floor(tenths / 600);
    const secTenths = tenths - minutes * 600;
    const sec = secTenths % 10 === 0 ? String(secTenths / 10) : (secTenths / 10).toFixed(1);
    if (minutes === 0) return `${sec}s`;
    return secTenths === 0 ? `${minutes}m` : `${minutes}m${sec}s`;
  }
  const totalSec = Math.floor(whole / 1000);
  const hours = Math.floor(totalSec / 3600);
  const minutes = Math.floor((totalSec % 3600) / 60);
  const seconds = totalSec % 60;
  return `${hours}h` + (minutes || seconds ? `${minutes}m` : '') + (seconds ? `${seconds}s` : '');
}

/** A point in virtual time as on a stopwatch: `02:43.0`, and `1:02:43.0` past an hour. */
export function formatClock(ms: number): string {
  const tenths = Math.floor(Math.max(0, ms) / 100);
  const t = tenths % 10;
  const totalSec = Math.floor(tenths / 10);
  const s = totalSec % 60;
  const m = Math.floor(totalSec / 60) % 60;
  const h = Math.floor(totalSec / 3600);
  const mmss = `${pad2(m)}:${pad2(s)}.${t}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Two digits: `07`. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Names in the order a person expects: runs of digits compare as numbers, so `svc-2` comes before
 * `svc-10` and `worker-a-9` before `worker-a-10`; everything else compares by UTF-16 code unit, so the
 * order does not depend on the machine's locale. Ties between equal numbers written differently
 * (`01` and `1`) fall back to plain order.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      // Compare the runs as numbers without parsing: strip leading zeros, then longer is larger.
      let si = i;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      let sj = j;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      const la = ei - si;
      const lb = ej - sj;
      if (la !== lb) return la - lb;
      for (let k = 0; k < la; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  if (i < a.length || j < b.length) return a.length - i - (b.length - j);
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

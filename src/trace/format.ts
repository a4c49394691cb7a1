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

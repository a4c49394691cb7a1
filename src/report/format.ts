// Formatting shared by every report and by SLO messages, so one duration reads the same everywhere.

export { formatClock, formatDuration } from '../trace/format.js';
import { formatDuration, pad2 } from '../trace/format.js';

/** Axis labels: `05:00`, `1:05:00`. */
export function formatClockShort(ms: number): string {
  const totalSec = Math.floor(Math.max(0, ms) / 1000);
  const s = totalSec % 60;
  const m = Math.floor(totalSec / 60) % 60;
  const h = Math.floor(totalSec / 3600);
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${pad2(m)}:${pad2(s)}`;
}

/** Escapes text for HTML and XML alike (element content and quoted attribute values). */
export function escapeXml(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The fields of an SLO result that say how to show its figures. */
interface SloFigures {
  type: string;
  measuredMs?: number | null;
  boundMs?: number;
  measured?: number | null;
  bound?: number;
  unit?: string;
  message?: string;
}

/**
 * A count in percent of desired (min-available with "N%")? From `unit`; summaries saved before it
 * existed say so only in their message.
 */
function percentSuffix(r: SloFigures): string {
  const percent =
    r.unit !== undefined ? r.unit === 'percent' : r.type === 'min-available' && /% of desired/.test(r.message ?? '');
  return percent ? '%' : '';
}

/** Measured and bound of an SLO result as text (durations formatted, counts as numbers, percentages with %). */
export function formatMeasured(r: SloFigures): string {
  if (r.measuredMs !== undefined) return r.measuredMs === null ? '—' : formatDuration(r.measuredMs);
  if (r.measured !== undefined) return r.measured === null ? '—' : String(r.measured) + percentSuffix(r);
  return '—';
}

export function formatBound(r: SloFigures): string {
  if (r.boundMs !== undefined)
    return (r.type === 'min-available' || r.type === 'request-success-rate' ? '≥ ' : '≤ ') + formatDuration(r.boundMs);
  if (r.bound !== undefined)
    return (
      (r.type === 'min-available' || r.type === 'request-success-rate' ? '≥ ' : '≤ ') +
      String(r.bound) +
      percentSuffix(r)
    );
  return '—';
}

/** ANSI styles for terminal output; plain text when colour is off (not a TTY, or NO_COLOR). */
export function ansiPalette(color: boolean) {
  const c = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: c('1'), dim: c('2'), green: c('32'), red: c('31'), yellow: c('33') };
}

/**
 * The footer line of every report: which hasim made it, since a seed replays the same run only with the
 * same version. Summaries saved before versions were recorded have none.
 */
export function madeBy(summary: { hasimVersion?: string; seed: number }): string {
  if (!summary.hasimVersion) return `Made by hasim (version not recorded), seed ${summary.seed}.`;
  return `Made by hasim ${summary.hasimVersion}, seed ${summary.seed}. A seed replays the same run with the same version of hasim; scenario.resolved.yaml beside this report is the scenario as run.`;
}

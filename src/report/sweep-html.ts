// sweep.html: one self-contained page (inline CSS and SVG, no script, works offline) that shows a
// sweep: the comparison table, per SLO the distribution of what every run measured (an ECDF, one line
// per grid point, with the bound), and for a grid the settings side by side: pass rate, p50 and p99 as
// a line chart over one varied field, or as a heatmap over two.
import type { SweepPointResult, SweepResult, SweepSloStats } from '../trace/sweep.js';
import { escapeXml as esc, formatDuration } from './format.js';
import { formatPassRate, shortTitle, sloFigures } from './sweep-report.js';

const PALETTE = ['#2b6cb0', '#dd6b20', '#2f855a', '#9b2c2c', '#6b46c1', '#0987a0', '#b7791f', '#97266d'];
const W = 760;
const H = 240;
const M = { left: 64, right: 20, top: 16, bottom: 40 };

const CSS = `
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2933; background: #f5f7fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 18px 0 6px; }
.meta { color: #616e7c; font-size: 13px; }
.banner { margin: 16px 0; padding: 12px 16px; border-radius: 8px; font-weight: 600; }
.banner.pass { background: #e3f9e5; color: #1f6f3a; } .banner.fail { background: #ffe3e3; color: #9b1c1c; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid #e4e7eb; }
th { background: #f0f4f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.fail td { background: #fff5f5; color: #9b1c1c; }
td.slo { background: #fff !important; color: #1f2933 !important; font-weight: 600; vertical-align: top; }
.card { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 10px; margin: 8px 0; overflow-x: auto; }
.card svg { display: block; min-width: 640px; width: 100%; height: auto; }
.note { color: #616e7c; font-size: 12.5px; }
table.heatmap { width: auto; } table.heatmap td { min-width: 110px; }
`;

/** A number of the SLO's unit as text (durations formatted, counts as numbers). */
function fmt(v: number, s: Pick<SweepSloStats, 'unit'>): string {
  if (v === 0) return '0';
  return s.unit === 'ms' ? formatDuration(v) : Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The values every run of a point measured for SLO k, ascending (unaffected and unmeasured runs left out). */
function valuesOf(p: SweepPointResult, k: number): number[] {
  return p.results
    .map((run) => run.slos[k])
    .filter((x) => x && !x.unaffected && x.value !== null)
    .map((x) => x.value as number)
    .sort((a, b) => a - b);
}

/** Round numbers for an axis from lo to hi. */
function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((st) => st >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Number(t.toFixed(6)));
  return out;
}

function svgOpen(label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}" font-family="system-ui, sans-serif" font-size="12">`;
}

/** ECDF of one SLO: for each grid point, the share of runs (y) that measured at most x. */
function ecdfSvg(r: SweepResult, k: number): string {
  const slo = r.points[0].slos[k];
  const series = r.points.map((p) => valuesOf(p, k));
  const all = series.flat();
  if (all.length === 0) return `<p class="note">No run measured a value for this SLO.</p>`;
  // A grid can vary the bound itself: draw each distinct one.
  const bounds = [...new Set(r.points.map((p) => p.slos[k]?.bound).filter((b): b is number => b != null))];
  // Not Math.min(...all): a sweep may have a million runs.
  const lo = [...bounds, ...series.map((v) => v[0] ?? Infinity)].reduce((a, b) => Math.min(a, b), Infinity);
  const hi = [...bounds, ...series.map((v) => v[v.length - 1] ?? -Infinity)].reduce(
    (a, b) => Math.max(a, b),
    -Infinity,
  );
  const pad = hi > lo ? (hi - lo) * 0.04 : Math.max(1, Math.abs(hi) * 0.1);
  const x0 = lo - pad;
  const x1 = hi + pad;
  const x = (v: number) => M.left + ((v - x0) / (x1 - x0)) * (W - M.left - M.right);
  const y = (share: number) => H - M.bottom - share * (H - M.top - M.bottom);
  const parts: string[] = [svgOpen(`distribution of ${slo.name}`)];
  for (const t of niceTicks(x0, x1))
    parts.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#e4e7eb"/><text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle" fill="#616e7c">${esc(fmt(t, slo))}</text>`,
    );
  for (const share of [0, 0.25, 0.5, 0.75, 0.9, 1])
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(share)}" y2="${y(share)}" stroke="#e4e7eb"/><text x="${M.left - 6}" y="${y(share) + 4}" text-anchor="end" fill="#616e7c">${share * 100}%</text>`,
    );
  bounds.forEach((b, i) =>
    parts.push(
      `<line x1="${x(b)}" x2="${x(b)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#c53030" stroke-dasharray="5 3"/><text x="${x(b) + 4}" y="${M.top + 10 + (i % 3) * 13}" fill="#c53030">bound ${esc(fmt(b, slo))}</text>`,
    ),
  );
  series.forEach((vals, i) => {
    if (vals.length === 0) return;
    let d = `M${x(x0)},${y(0)}`;
    vals.forEach((v, j) => (d += ` H${x(v)} V${y((j + 1) / vals.length)}`));
    d += ` H${x(x1)}`;
    const color = PALETTE[i % PALETTE.length];
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"><title>${esc(shortTitle(r, r.points[i]))}: ${vals.length} runs</title></path>`,
    );
  });
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" fill="#3e4c59">measured (${slo.unit === 'ms' ? 'time' : 'count'}); y: share of runs at or below it</text>`,
  );
  parts.push('</svg>');
  return parts.join('') + legend(r);
}

function legend(r: SweepResult): string {
  if (r.points.length < 2) return '';
  return `<p class="note">${r.points
    .map(
      (p, i) => `<span style="color:${PALETTE[i % PALETTE.length]};font-weight:600">━</span> ${esc(shortTitle(r, p))}`,
    )
    .join(' &nbsp; ')}</p>`;
}

/** One varied field: pass rate (right axis, 0-100%) and p50/p99 (left axis) over its values. */
function lineSvg(r: SweepResult, k: number): string {
  const slo = r.points[0].slos[k];
  const values = r.grid[0].values;
  const stats = r.points.map((p) => p.slos[k]);
  const vs = stats.flatMap((s) => [s.tail.p50, s.tail.p99]).filter((v): v is number => v !== null);
  const lo = Math.min(...vs, slo.bound ?? Infinity, 0);
  const hi = Math.max(...vs, slo.bound ?? -Infinity, 1);
  const step = (W - M.left - M.right - 60) / Math.max(1, values.length - 1);
  const x = (i: number) => M.left + 30 + i * step;
  const y = (v: number) => H - M.bottom - ((v - lo) / (hi - lo || 1)) * (H - M.top - M.bottom);
  const yRate = (rate: number) => H - M.bottom - rate * (H - M.top - M.bottom);
  const parts: string[] = [svgOpen(`${slo.name} over ${r.grid[0].path}`)];
  for (const t of niceTicks(lo, hi))
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e4e7eb"/><text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#616e7c">${esc(fmt(t, slo))}</text>`,
    );
  values.forEach((v, i) =>
    parts.push(`<text x="${x(i)}" y="${H - M.bottom + 16}" text-anchor="middle" fill="#3e4c59">${esc(v)}</text>`),
  );
  const line = (pts: Array<[number, number] | null>, color: string, name: string, dash = '') => {
    const d = pts.flatMap((p, i) => (p ? [`${i === 0 || !pts[i - 1] ? 'M' : 'L'}${p[0]},${p[1]}`] : [])).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>`);
    pts.forEach(
      (p) =>
        p && parts.push(`<circle cx="${p[0]}" cy="${p[1]}" r="3.5" fill="${color}"><title>${name}</title></circle>`),
    );
  };
  line(
    stats.map((s, i) => (s.tail.p50 === null ? null : [x(i), y(s.tail.p50)])),
    '#2b6cb0',
    'p50',
  );
  line(
    stats.map((s, i) => (s.tail.p99 === null ? null : [x(i), y(s.tail.p99)])),
    '#9b2c2c',
    'p99',
  );
  line(
    stats.map((s, i) => [x(i), yRate(s.passRate)]),
    '#2f855a',
    'pass rate',
    '4 3',
  );
  // The pass rate's own axis, on the right.
  for (const rate of [0, 0.5, 1])
    parts.push(`<text x="${W - 2}" y="${yRate(rate) + 4}" text-anchor="end" fill="#2f855a">${rate * 100}%</text>`);
  if (slo.bound !== null)
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(slo.bound)}" y2="${y(slo.bound)}" stroke="#c53030" stroke-dasharray="5 3"/>`,
    );
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle" fill="#3e4c59">${esc(r.grid[0].path)}</text>`,
  );
  parts.push('</svg>');
  return (
    parts.join('') +
    `<p class="note"><span style="color:#2b6cb0;font-weight:600">━</span> p50 &nbsp; <span style="color:#9b2c2c;font-weight:600">━</span> p99 &nbsp; <span style="color:#2f855a;font-weight:600">╍</span> pass rate (right-hand scale) &nbsp; <span style="color:#c53030">╍</span> bound</p>`
  );
}

/** Two varied fields: a table-like heatmap, coloured by pass rate, each cell with p50 and p99. */
function heatmapHtml(r: SweepResult, k: number): string {
  const [a, b] = r.grid;
  const cellOf = (i: number, j: number) => r.points[i * b.values.length + j].slos[k];
  const color = (rate: number) => `hsl(${Math.round(rate * 120)}, 65%, ${88 - rate * 10}%)`;
  const head = b.values.map((v) => `<th>${esc(v)}</th>`).join('');
  const rows = a.values
    .map((va, i) => {
      const cells = b.values
        .map((_, j) => {
          const s = cellOf(i, j);
          const p50 = s.tail.p50 === null ? '—' : fmt(s.tail.p50, s);
          const p99 = s.tail.p99 === null ? '—' : fmt(s.tail.p99, s);
          return `<td class="num" style="background:${color(s.passRate)}" title="${esc(sloFigures(s))}"><b>${formatPassRate(s.passRate)}</b><br>p50 ${esc(p50)}<br>p99 ${esc(p99)}</td>`;
        })
        .join('');
      return `<tr><th>${esc(va)}</th>${cells}</tr>`;
    })
    .join('');
  const last = (path: string) => path.slice(path.lastIndexOf('.') + 1);
  return `<table class="heatmap"><thead><tr><th title="${esc(`${a.path} (rows) × ${b.path} (columns)`)}">${esc(last(a.path))} ↓ · ${esc(last(b.path))} →</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function comparisonHtml(r: SweepResult): string {
  const rows = (r.points[0]?.slos ?? []).flatMap((_, k) =>
    r.points.map((p, i) => {
      const s = p.slos[k];
      const ok = s.passRate >= r.minPassRate;
      const v = (x: number | null) => (x === null ? '—' : fmt(x, s));
      const name = i === 0 ? `<td rowspan="${r.points.length}" class="slo">${esc(s.name)}</td>` : '';
      return `<tr class="${ok ? 'pass' : 'fail'}">${name}<td>${esc(shortTitle(r, p))}</td><td class="num">${formatPassRate(s.passRate)} (${s.passed}/${s.runs})</td><td class="num">${v(s.tail.p50)}</td><td class="num">${v(s.tail.p90)}</td><td class="num">${v(s.tail.p99)}</td><td class="num">${v(s.tail.worst)}</td><td class="num">${s.bound === null ? '—' : `${s.higherIsBetter ? '≥' : '≤'} ${v(s.bound)}`}</td><td>${s.unaffectedRuns ? `${s.unaffectedRuns} never dropped` : ''}${s.measured.missing ? ` ${s.measured.missing} never measured` : ''}</td></tr>`;
    }),
  );
  return `<table><thead><tr><th>SLO</th><th>grid point</th><th>pass rate</th><th>p50</th><th>p90</th><th>p99</th><th>worst</th><th>bound</th><th>left out</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>
<p class="note">p50/p90/p99: the value that half, 90% and 99% of the runs did at least as well as; for min-available (more is better) the low tail. Runs in which the workload never dropped are left out of recovery-time figures and counted apart.</p>`;
}

export function renderSweepHtml(r: SweepResult): string {
  const sections = (r.points[0]?.slos ?? []).map((slo, k) => {
    const side =
      r.grid.length === 1
        ? `<h3>Over ${esc(r.grid[0].path)}</h3><div class="card">${lineSvg(r, k)}</div>`
        : r.grid.length === 2
          ? `<h3>${esc(r.grid[0].path)} × ${esc(r.grid[1].path)}: pass rate, p50 and p99</h3><div class="card">${heatmapHtml(r, k)}</div>`
          : '';
    return `<h2>${esc(slo.name)} <span class="meta">${esc(slo.type)}</span></h2>
<h3>Distribution over the runs</h3><div class="card">${ecdfSvg(r, k)}</div>
${side}`;
  });
  const seeds = `${r.seeds.first}..${r.seeds.first + r.seeds.count - 1}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>hasim sweep: ${esc(r.scenario)}</title><style>${CSS}</style></head>
<body><main>
<h1>hasim sweep: ${esc(r.scenario)}</h1>
<div class="meta">${esc(r.file)} · seeds ${seeds} · ${r.points.length} grid point${r.points.length === 1 ? '' : 's'} · ${r.runs} runs${r.sets.length ? ` · every run: ${esc(r.sets.join(' '))}` : ''}${r.grid.length > 2 ? ' · more than two fields varied: see the table' : ''}</div>
<div class="banner ${r.passed ? 'pass' : 'fail'}">${r.passed ? '✔' : '✘'} Minimum pass rate ${formatPassRate(r.minPassRate)}: ${r.passed ? 'met by every SLO at every grid point' : 'not met'}</div>
${sections.join('\n')}
<h2>Every SLO at every grid point</h2>
${comparisonHtml(r)}
</main></body></html>
`;
}

// `hasim diff`: what changed between two saved runs, for "what does grace 20 s change" reviews. SLOs are
// matched by name, workloads by Kind/name, fault chains by fault name and step; each shows its value in
// run A, in run B and by how much it moved. Pure: two runs in, a RunDiff out; rendering is separate.
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary, SloResult } from '../trace/summary.js';
import { faultChains, type ChainStepKind } from './fault-chains.js';
import { ansiPalette, formatBound, formatClock, formatDuration, formatMeasured } from './format.js';

export interface SavedRun {
  summary: RunSummary;
  events: readonly TraceEvent[];
}

export interface SloDiff {
  name: string;
  type: string;
  /** Absent: the SLO is not in that run. */
  a?: { passed: boolean; value: number | null; text: string; bound: string };
  b?: { passed: boolean; value: number | null; text: string; bound: string };
  /** b minus a, in ms for durations and in the SLO's unit for counts (null when either is missing). */
  delta: number | null;
  unit: 'ms' | 'count';
}

export interface MomentDiff {
  /** `zone-c-power detected`, `Deployment/web recovered`. */
  what: string;
  aMs: number | null;
  bMs: number | null;
  /** b minus a (null when it happened in one run only). */
  movedMs: number | null;
}

export interface RunDiff {
  a: { scenario: string; seed: number; passed: boolean; reproduce: string };
  b: { scenario: string; seed: number; passed: boolean; reproduce: string };
  slos: SloDiff[];
  /** Fault chain steps (first occurrence) and workload recoveries, in run A's time order. */
  moments: MomentDiff[];
  workloads: { workload: string; aMinReady: number | null; bMinReady: number | null }[];
}

function sloValue(s: SloResult): { value: number | null; unit: 'ms' | 'count' } {
  if (s.measuredMs !== undefined) return { value: s.measuredMs, unit: 'ms' };
  return { value: s.measured ?? null, unit: 'count' };
}

function sloSide(s: SloResult | undefined): SloDiff['a'] {
  if (!s) return undefined;
  return { passed: s.passed, value: sloValue(s).value, text: formatMeasured(s), bound: formatBound(s) };
}

/** Keys in first-seen order over both lists. */
function unionKeys(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

export function diffRuns(a: SavedRun, b: SavedRun): RunDiff {
  const side = (r: SavedRun) => ({
    scenario: r.summary.scenario,
    seed: r.summary.seed,
    passed: r.summary.passed,
    reproduce: r.summary.reproduce,
  });
  const aSlo = new Map(a.summary.slos.map((s) => [s.name, s]));
  const bSlo = new Map(b.summary.slos.map((s) => [s.name, s]));
  const slos = unionKeys([...aSlo.keys()], [...bSlo.keys()]).map((name): SloDiff => {
    const x = aSlo.get(name);
    const y = bSlo.get(name);
    const vx = x ? sloValue(x) : undefined;
    const vy = y ? sloValue(y) : undefined;
    const delta = vx?.value != null && vy?.value != null ? vy.value - vx.value : null;
    return { name, type: (x ?? y)!.type, a: sloSide(x), b: sloSide(y), delta, unit: (vx ?? vy)!.unit };
  });
  const ma = momentsOf(a);
  const mb = momentsOf(b);
  const moments = unionKeys([...ma.keys()], [...mb.keys()]).map((what): MomentDiff => {
    const aMs = ma.get(what) ?? null;
    const bMs = mb.get(what) ?? null;
    return { what, aMs, bMs, movedMs: aMs !== null && bMs !== null ? bMs - aMs : null };
  });
  const wa = new Map(a.summary.workloads.map((w) => [w.workload, w.minReady]));
  const wb = new Map(b.summary.workloads.map((w) => [w.workload, w.minReady]));
  const workloads = unionKeys([...wa.keys()], [...wb.keys()])
    .map((workload) => ({ workload, aMinReady: wa.get(workload) ?? null, bMinReady: wb.get(workload) ?? null }))
    .filter((w) => w.aMinReady !== w.bMinReady);
  return { a: side(a), b: side(b), slos, moments, workloads };
}

const MOMENT_STEPS: ChainStepKind[] = [
  'detected',
  'tainted',
  'evicted',
  'replaced',
  'scheduled',
  'Ready',
  'new leader',
];

/** When each fault's reactions first happened and when each workload last recovered, by a stable name. */
function momentsOf(r: SavedRun): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of faultChains(r.events)) {
    out.set(`${c.fault} started`, c.startMs);
    for (const s of c.steps) if (MOMENT_STEPS.includes(s.kind)) out.set(`${c.fault} ${s.kind}`, s.firstMs);
    const last = c.steps.filter((s) => s.kind === 'Ready' || s.kind === 'evicted' || s.kind === 'tainted');
    for (const s of last)
      if (s.lastMs !== s.firstMs)
        out.set(`${c.fault} ${s.kind === 'Ready' ? 'all replacements Ready' : `last ${s.kind}`}`, s.lastMs);
  }
  for (const w of r.summary.workloads)
    if (w.recoveredAtMs !== null) out.set(`${w.workload} recovered`, w.recoveredAtMs);
  return new Map([...out.entries()].sort((x, y) => x[1] - y[1]));
}

function signed(ms: number): string {
  return ms === 0 ? '±0' : ms > 0 ? `+${formatDuration(ms)}` : `−${formatDuration(-ms)}`;
}

function signedCount(n: number): string {
  const r = Math.round(n * 10) / 10;
  return r === 0 ? '±0' : r > 0 ? `+${r}` : `−${-r}`;
}

/** The diff as terminal text; unchanged SLOs and moments are summed up in a line, not listed. */
export function renderDiffText(d: RunDiff, opts: { color: boolean; labels: [string, string] }): string {
  const { bold, dim, green, red } = ansiPalette(opts.color);
  const [la, lb] = opts.labels;
  const out: string[] = [];
  out.push(
    `${bold('hasim diff')}  A: ${la} (${d.a.scenario}, seed ${d.a.seed})  B: ${lb} (${d.b.scenario}, seed ${d.b.seed})`,
  );
  out.push(dim(`  A: ${d.a.reproduce}`), dim(`  B: ${d.b.reproduce}`), '');
  const verdict = (p: boolean | undefined) => (p === undefined ? dim('—') : p ? green('PASS') : red('FAIL'));
  out.push(bold('SLOs'));
  const nameW = Math.max(...d.slos.map((s) => s.name.length), 3);
  let same = 0;
  for (const s of d.slos) {
    const changed = s.a?.passed !== s.b?.passed || s.delta !== 0;
    if (!changed) {
      same++;
      continue;
    }
    const delta = s.delta === null ? '' : s.unit === 'ms' ? signed(s.delta) : signedCount(s.delta);
    out.push(
      `  ${s.name.padEnd(nameW)}  ${verdict(s.a?.passed)} ${(s.a?.text ?? 'absent').padStart(8)} → ${verdict(s.b?.passed)} ${(s.b?.text ?? 'absent').padStart(8)}  ${bold(delta)}  ${dim(s.b?.bound ?? s.a?.bound ?? '')}`,
    );
  }
  if (d.slos.length === 0) out.push(dim('  no SLOs in either run'));
  else if (same) out.push(dim(`  ${same === d.slos.length ? 'all' : same} ${same === 1 ? 'SLO' : 'SLOs'} unchanged`));
  out.push('', bold('Moments (time in A → time in B, moved by)'));
  const whatW = Math.max(...d.moments.map((m) => m.what.length), 3);
  let still = 0;
  for (const m of d.moments) {
    if (m.movedMs === 0) {
      still++;
      continue;
    }
    const at = (ms: number | null) => (ms === null ? 'never'.padStart(7) : formatClock(ms));
    out.push(
      `  ${m.what.padEnd(whatW)}  ${at(m.aMs)} → ${at(m.bMs)}  ${m.movedMs === null ? '' : bold(signed(m.movedMs))}`,
    );
  }
  if (d.moments.length === 0) out.push(dim('  no faults in either run'));
  else if (still)
    out.push(dim(`  ${still === d.moments.length ? 'all' : still} ${still === 1 ? 'moment' : 'moments'} unchanged`));
  if (d.workloads.length) {
    out.push('', bold('Lowest Ready pods'));
    for (const w of d.workloads) out.push(`  ${w.workload}  ${w.aMinReady ?? 'absent'} → ${w.bMinReady ?? 'absent'}`);
  }
  return out.join('\n') + '\n';
}

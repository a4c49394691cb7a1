// The fuzzer's worker thread: plays each case it is sent the way `hasim run` does (parse and validate,
// run, render every report) and answers with the exit code the CLI would give. A thrown error that is
// not a SimulationBug is a crash; a SimulationBug is exit 3. The main thread (fuzz.ts) enforces the time
// limit and the memory cap, which this thread cannot do for itself.
import { parentPort } from 'node:worker_threads';
import { SimulationBug, toJsonl } from '../../src/engine/index.js';
import { renderReports, renderTextSummary } from '../../src/report/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';
import { parseSavedRun } from '../../src/trace/check-saved-run.js';
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

export interface CaseRequest {
  index: number;
  text: string;
  sets: string[];
  /** Run the scenario when it validates (else only validate it). */
  run: boolean;
}

export type CaseReply =
  | { index: number; exit: 0 | 1 | 2; ran: boolean; message?: string }
  | { index: number; exit: 3 | 'crash'; ran: boolean; message: string };

function play(req: CaseRequest): CaseReply {
  const parsed = parseScenarioText(req.text, { file: 'case.yaml', sets: req.sets });
  if (!parsed.ok) {
    const rendered = formatIssues(parsed.issues);
    if (/\n\s+at .+:\d+:\d+\)?$/m.test(rendered))
      return { index: req.index, exit: 'crash', ran: false, message: `a stack trace in a message:\n${rendered}` };
    return { index: req.index, exit: 2, ran: false, message: rendered.split('\n')[0] };
  }
  if (!req.run) return { index: req.index, exit: 0, ran: false };
  const result = runScenario(parsed.scenario, { reproduce: { scenarioArg: 'case.yaml', sets: req.sets } });
  const jsonl = toJsonl(result.events);
  renderReports(result.summary, result.events);
  renderTextSummary(result.summary, { color: false, reportDir: 'out', events: result.events });
  result.summary.trace = { events: result.events.length, sha256: createHash('sha256').update(jsonl).digest('hex') };
  reportFromSaved(req.index, JSON.stringify(result.summary), jsonl);
  return { index: req.index, exit: result.summary.passed ? 0 : 1, ran: true };
}

const EXTREMES: unknown[] = [1e308, 1e12, -1, 0.5, null, '', 'x', [], {}, true, 2 ** 53, 'None', 'Unknown'];

/**
 * What `hasim report` does with the saved run, intact and with one line or field changed: the check
 * either refuses it (exit 2) or accepts it, and then every report renders without throwing.
 */
function reportFromSaved(index: number, summaryJson: string, jsonl: string): void {
  const rng = seedrandom.alea(`saved/${index}`);
  const lines = jsonl.split('\n').slice(0, -1);
  const summary = JSON.parse(summaryJson) as Record<string, unknown>;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];
  const variants: [string, string][] = [[summaryJson, jsonl]];
  for (let k = 0; k < 3 && lines.length > 0; k++) {
    const i = Math.floor(rng() * lines.length);
    const event = JSON.parse(lines[i]) as Record<string, unknown>;
    const field = pick(Object.keys(event));
    const changed = [...lines];
    changed[i] = JSON.stringify({ ...event, [field]: pick(EXTREMES) });
    // With the summary's hash updated too, only the event checks stand between it and the renderers.
    const text = changed.join('\n') + '\n';
    const resummed = {
      ...summary,
      trace: { events: changed.length, sha256: createHash('sha256').update(text).digest('hex') },
    };
    variants.push([JSON.stringify(resummed), text]);
  }
  variants.push([JSON.stringify({ ...summary, [pick(Object.keys(summary))]: pick(EXTREMES) }), jsonl]);
  variants.push([summaryJson, lines.slice(0, Math.floor(rng() * lines.length)).join('\n') + '\n']);
  for (const [s, e] of variants) {
    const saved = parseSavedRun(s, e);
    if (saved.ok) renderReports(saved.summary, saved.events);
  }
}

parentPort!.on('message', (req: CaseRequest) => {
  let reply: CaseReply;
  try {
    reply = play(req);
  } catch (err) {
    reply =
      err instanceof SimulationBug
        ? { index: req.index, exit: 3, ran: true, message: err.message }
        : {
            index: req.index,
            exit: 'crash',
            ran: req.run,
            message: err instanceof Error ? (err.stack ?? err.message) : String(err),
          };
  }
  parentPort!.postMessage(reply);
});

// The fuzzer's worker thread: plays each case it is sent the way `hasim run` does (parse and validate,
// run, render every report) and answers with the exit code the CLI would give. A thrown error that is
// not a SimulationBug is a crash; a SimulationBug is exit 3. The main thread (fuzz.ts) enforces the time
// limit and the memory cap, which this thread cannot do for itself.
import { parentPort } from 'node:worker_threads';
import { SimulationBug, toJsonl } from '../../src/engine/index.js';
import { renderReports, renderTextSummary } from '../../src/report/index.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { formatIssues, parseScenarioText } from '../../src/scenario/index.js';

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
  toJsonl(result.events);
  renderReports(result.summary, result.events);
  renderTextSummary(result.summary, { color: false, reportDir: 'out', events: result.events });
  return { index: req.index, exit: result.summary.passed ? 0 : 1, ran: true };
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

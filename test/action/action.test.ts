// The GitHub Action (action.yml, composite), run here step by step as a runner runs it: each `run:` step
// in a bash with the variables a runner sets (GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, RUNNER_TEMP) and the step's `env:` with ${{ inputs.* }} and
// ${{ steps.run.outputs.* }} filled in. The `uses:` steps are GitHub's own actions (setup-node,
// upload-artifact) and are not run; the test checks what they are given. The Install step packs and
// installs a copy of this checkout (the files git tracks or would track) into a scratch npm prefix.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { HASIM_VERSION } from '../../src/trace/version.js';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const REPO = process.cwd();
const ACTION_TEXT = readFileSync(join(REPO, 'action.yml'), 'utf8');
const action = parse(ACTION_TEXT) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; steps: Step[] };
};

const root = mkdtempSync(join(tmpdir(), 'hasim-action-'));
const actionPath = join(root, 'action-checkout');
const prefix = join(root, 'npm-prefix');
const runnerTemp = join(root, 'runner-temp');

/** The runner's environment, without what `npm test` passes down to its children. */
function runnerEnv(workspace: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return {
    ...env,
    NO_COLOR: '1',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    // setup-node puts node and npm's global bin on PATH; here a scratch prefix stands for it.
    npm_config_prefix: prefix,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
  };
}

/** ${{ inputs.x }} and ${{ steps.run.outputs.y }} as the runner fills them in. */
function expand(text: string, inputs: Record<string, string>, outputs: Record<string, string>): string {
  return text
    .replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, k: string) => inputs[k] ?? '')
    .replace(/\$\{\{\s*steps\.run\.outputs\.([\w-]+)\s*\}\}/g, (_, k: string) => outputs[k] ?? '');
}

function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

interface JobResult {
  codes: Record<string, number | null>;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
  uploads: Array<Record<string, string>>;
  logs: string;
}

/** Runs the action's steps (after Install, which beforeAll ran once) in a fresh workspace. */
function runJob(given: Record<string, string>, files: Record<string, string>): JobResult {
  const workspace = mkdtempSync(join(root, 'workspace-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(workspace, name), text);
  const inputs: Record<string, string> = {};
  for (const [k, spec] of Object.entries(action.inputs)) inputs[k] = given[k] ?? spec.default ?? '';
  const env = runnerEnv(workspace);
  const outputFile = join(root, `output-${Date.now()}-${Math.random()}`);
  const summaryFile = join(workspace, '..', `summary-${workspace.slice(-6)}.md`);
  writeFileSync(summaryFile, '');
  const codes: Record<string, number | null> = {};
  const uploads: Array<Record<string, string>> = [];
  let failed = false;
  let logs = '';
  for (const step of action.runs.steps) {
    if (step.name === 'Install hasim') continue;
    const runs = step.if === 'always()' || !failed;
    if (!runs) continue;
    const outputs = readOutputs(outputFile);
    if (step.uses) {
      if (step.uses.startsWith('actions/upload-artifact@'))
        uploads.push(
          Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v), inputs, outputs)])),
        );
      continue;
    }
    const stepEnv: NodeJS.ProcessEnv = { ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = expand(String(v), inputs, outputs);
    expect(step.shell).toBe('bash');
    const r = spawnSync('bash', ['-e', '-c', step.run!], { cwd: workspace, env: stepEnv, encoding: 'utf8' });
    logs += `--- ${step.name}\n${r.stdout}${r.stderr}`;
    codes[step.name ?? '?'] = r.status;
    if (r.status !== 0) failed = true;
  }
  return {
    codes,
    outputs: readOutputs(outputFile),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
    uploads,
    logs,
  };
}

const SCENARIO = readFileSync(join(REPO, 'scenarios', 'node-crash.yaml'), 'utf8');

beforeAll(() => {
  // A checkout of the action: the files git tracks or would track, as `uses: ...@ref` fetches them.
  const list = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: REPO,
    encoding: 'utf8',
  }).stdout.split('\0');
  for (const f of list.filter(Boolean)) {
    if (!existsSync(join(REPO, f))) continue;
    mkdirSync(dirname(join(actionPath, f)), { recursive: true });
    copyFileSync(join(REPO, f), join(actionPath, f));
  }
  mkdirSync(runnerTemp);
  const install = action.runs.steps.find((s) => s.name === 'Install hasim')!;
  const r = spawnSync('bash', ['-e', '-c', install.run!], { cwd: root, env: runnerEnv(root), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the Install hasim step failed:\n${r.stdout}\n${r.stderr}`);
  expect(r.stdout).toContain(`Installed hasim ${HASIM_VERSION}`);
}, 180_000);

it("action.yml is valid against GitHub's action schema (and the check can fail)", () => {
  const errors = (text: string) =>
    parseAction({ name: 'action.yml', content: text }, new NoOperationTraceWriter()).context.errors.getErrors();
  expect(errors(ACTION_TEXT).map((e) => e.message)).toEqual([]);
  expect(errors(ACTION_TEXT.replace('using: composite', 'using: compsite')).length).toBeGreaterThan(0);
  expect(action.runs.using).toBe('composite');
  expect(action.runs.steps[0]).toMatchObject({
    uses: 'actions/setup-node@v4',
    with: { 'node-version': '${{ inputs.node-version }}' },
  });
});

it('a scenario whose SLOs hold: exit code 0, report.md in the job summary, the report folder uploaded', () => {
  const job = runJob({ scenario: 'my.yaml' }, { 'my.yaml': SCENARIO });
  expect(job.codes).toEqual({ 'Run hasim': 0, 'Job summary': 0, Verdict: 0 });
  expect(job.outputs).toEqual({ 'exit-code': '0', 'report-dir': 'hasim-report' });
  expect(job.summary).toContain('## ✅ hasim: node-crash — all 3 SLOs held');
  expect(job.summary).toContain(`Made by hasim ${HASIM_VERSION}`);
  expect(job.uploads).toEqual([{ name: 'hasim-report', path: 'hasim-report', 'if-no-files-found': 'warn' }]);
  expect(existsSync(join(job.workspace, 'hasim-report', 'report.html'))).toBe(true);
});

it('an SLO that fails: the summary and the upload still happen, then the Verdict step fails with exit 1', () => {
  const job = runJob(
    { scenario: 'my.yaml', args: "--seed 4 --set 'spec.slos[0].max=1s'", out: 'out', 'artifact-name': 'slo' },
    { 'my.yaml': SCENARIO },
  );
  expect(job.codes).toEqual({ 'Run hasim': 0, 'Job summary': 0, Verdict: 1 });
  expect(job.outputs['exit-code']).toBe('1');
  expect(job.summary).toContain('❌ hasim: node-crash — 1 of 3 SLOs failed');
  expect(job.summary).toContain("hasim run my.yaml --seed 4 --set 'spec.slos[0].max=1s'");
  expect(job.logs).toContain('::error title=hasim::an SLO failed');
  expect(job.uploads[0]).toMatchObject({ name: 'slo', path: 'out' });
});

it('a sweep: sweep.md in the summary', () => {
  const job = runJob({ scenario: 'my.yaml', command: 'sweep', args: '--seeds 2 --workers 1' }, { 'my.yaml': SCENARIO });
  expect(job.codes).toEqual({ 'Run hasim': 0, 'Job summary': 0, Verdict: 0 });
  expect(job.summary).toContain('# Sweep: node-crash');
});

it('bad input: exit code 2 and a failed Verdict', () => {
  const job = runJob({ scenario: 'missing.yaml' }, {});
  expect(job.codes.Verdict).toBe(2);
  expect(job.logs).toContain('missing.yaml:1:1: error: no such file');
  const wrong = runJob({ scenario: 'my.yaml', command: 'validate' }, { 'my.yaml': SCENARIO });
  expect(wrong.codes['Run hasim']).toBe(2);
  expect(wrong.logs).toContain('the command input must be run or sweep');
});

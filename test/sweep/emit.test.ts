// `hasim sweep --emit k8s-job|github-matrix` (issue 19): the printed Kubernetes objects and GitHub
// workflow are valid against the published models and schema (kubernetes-models, the Kubernetes
// OpenAPI schemas with validation; @actions/workflow-parser, GitHub's own workflow schema), and the
// commands in them, run here shard by shard as the pods and the matrix jobs would, give the same
// sweep.json as the sweep run on one machine.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { ConfigMap, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { SMALL_SCENARIO } from './fixture.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const GRID = ['--grid', 'spec.kubernetes.controllerManager.nodeMonitorGracePeriod=20s,40s'];
const dir = mkdtempSync(join(tmpdir(), 'hasim-emit-'));
writeFileSync(join(dir, 'small.yaml'), SMALL_SCENARIO);
// A `hasim` on PATH, as the image and the installed package provide it.
const binDir = join(dir, 'bin');
mkdirSync(binDir);
writeFileSync(join(binDir, 'hasim'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(join(binDir, 'hasim'), 0o755);
const env = { ...process.env, NO_COLOR: '1', PATH: `${binDir}:${process.env.PATH}` };

function hasim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`hasim ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function sh(command: string, extra: Record<string, string> = {}) {
  const r = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8', env: { ...env, ...extra } });
  if (r.status !== 0) throw new Error(`sh -c ${command} exited ${r.status}: ${r.stderr}`);
}

const SWEEP = ['sweep', 'small.yaml', '--seeds', '4', ...GRID];
beforeAll(() => {
  hasim([...SWEEP, '--out', 'whole', '--quiet']);
});

describe('--emit k8s-job', () => {
  const text = () => hasim([...SWEEP, '--emit', 'k8s-job', '--shards', '3', '--image', 'registry.example/hasim:1']);

  it('prints a ConfigMap, a PersistentVolumeClaim and an Indexed Job that validate against the Kubernetes schemas', () => {
    const docs = parseAllDocuments(text()).map((d) => d.toJS());
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual([
      'v1 ConfigMap',
      'v1 PersistentVolumeClaim',
      'batch/v1 Job',
    ]);
    const [cm, pvc, job] = docs;
    new ConfigMap(cm).validate();
    new PersistentVolumeClaim(pvc).validate();
    new Job(job).validate();
    expect(cm.data['small.yaml']).toBe(SMALL_SCENARIO);
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
    const pod = job.spec.template.spec;
    expect(pod.containers[0].image).toBe('registry.example/hasim:1');
    expect(pod.volumes).toEqual([
      { name: 'scenario', configMap: { name: cm.metadata.name } },
      { name: 'results', persistentVolumeClaim: { claimName: pvc.metadata.name } },
    ]);
    expect(pod.containers[0].command[2]).toContain('--shard "$((JOB_COMPLETION_INDEX + 1))/3" --out /results');
  });

  it('the validation can fail: a misspelt completionMode is rejected', () => {
    const job = parseAllDocuments(text())[2].toJS();
    job.spec.completionMode = 'Indexd';
    expect(() => new Job(job).validate()).toThrow(/completionMode/);
  });

  it("each pod's command, with its JOB_COMPLETION_INDEX, writes a shard; merged they equal the one-machine sweep", () => {
    const job = parseAllDocuments(text())[2].toJS();
    // The pod's /scenario and /results, here folders of the test.
    const command = (job.spec.template.spec.containers[0].command[2] as string)
      .replace('/scenario/', `${dir}/scenario/`)
      .replace('--out /results', `--out ${dir}/results`);
    mkdirSync(join(dir, 'scenario'));
    writeFileSync(join(dir, 'scenario', 'small.yaml'), SMALL_SCENARIO);
    for (const index of [0, 1, 2]) sh(command, { JOB_COMPLETION_INDEX: String(index) });
    hasim(['sweep', 'merge', 'results', '--out', 'merged-k8s', '--quiet']);
    const merged = JSON.parse(readFileSync(join(dir, 'merged-k8s', 'sweep.json'), 'utf8'));
    const whole = JSON.parse(readFileSync(join(dir, 'whole', 'sweep.json'), 'utf8'));
    // The pods name the file /scenario/small.yaml; everything else is the same sweep.
    expect({ ...merged, file: 'small.yaml' }).toEqual(whole);
  });
});

describe('--emit github-matrix', () => {
  const text = () => hasim([...SWEEP, '--emit', 'github-matrix', '--shards', '2']);

  it("prints a workflow that GitHub's workflow parser accepts, with a matrix of shards and a merge job", () => {
    const result = parseWorkflow({ name: 'sweep.yml', content: text() }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const wf = parse(text());
    expect(wf.jobs.shard.strategy.matrix.shard).toEqual([1, 2]);
    expect(wf.jobs.merge.needs).toBe('shard');
  });

  it('the validation can fail: a misspelt key is rejected', () => {
    const bad = text().replace('runs-on:', 'runs_on:');
    const result = parseWorkflow({ name: 'sweep.yml', content: bad }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it("the matrix jobs' and the merge job's commands give the one-machine sweep", () => {
    const wf = parse(text());
    const shardRun: string = wf.jobs.shard.steps.find((s: { name?: string }) => s.name === 'Run this shard').run;
    for (const k of [1, 2])
      sh(
        shardRun
          .replace('npx hasim', 'hasim')
          .replace('${{ matrix.shard }}', String(k))
          .replace('--out shards', `--out artifacts/hasim-shard-${k}`),
      );
    const mergeRun: string = wf.jobs.merge.steps.find((s: { name?: string }) => s.name === 'Merge the shards').run;
    sh(
      mergeRun
        .replace('npx hasim', 'hasim')
        .replace('merge shards', 'merge artifacts')
        .replace('--out reports/small-sweep', '--out merged-gh --quiet'),
    );
    expect(readFileSync(join(dir, 'merged-gh', 'sweep.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'whole', 'sweep.json'), 'utf8'),
    );
  });
});

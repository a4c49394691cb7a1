// `hasim sweep ... --emit k8s-job|github-matrix`: instead of running the sweep, print what runs its
// shards elsewhere. Both run `hasim sweep <the same flags> --shard K/N` once per shard and end with
// `hasim sweep merge`, which writes the same report as the sweep run on one machine.
//
// k8s-job: a ConfigMap holding the scenario file, a PersistentVolumeClaim for the shard files and a
// batch/v1 Job with completionMode Indexed, whose pod K-1 (JOB_COMPLETION_INDEX) runs shard K.
// github-matrix: a workflow with a matrix job of N shards, each uploading its shard file as an
// artifact, and a merge job that downloads them, merges, appends sweep.md to the job summary and
// uploads the report.
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { shellQuote } from '../runner/reproduce.js';

export const EMIT_TARGETS = ['k8s-job', 'github-matrix'] as const;
export type EmitTarget = (typeof EMIT_TARGETS)[number];

export interface EmitInput {
  /** metadata.name of the scenario. */
  scenario: string;
  /** The scenario file as the user named it, and its text (the Job carries it in a ConfigMap). */
  file: string;
  text: string;
  /** The sweep's flags other than the file, --shard, --out and --emit, as separate words. */
  sweepArgs: string[];
  shards: number;
  /** --workers as given; a Job's pod defaults to 1 (it asks for one CPU), a GitHub runner to its cores. */
  workers?: number;
  /** k8s-job: the container image with hasim installed (see the Dockerfile). */
  image: string;
}

/** Plain YAML: no anchors for repeated steps or labels, multi-line text as literal blocks. */
const YAML_OPTIONS = { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false } as const;

export function emitSweep(target: EmitTarget, input: EmitInput): string {
  return target === 'k8s-job' ? k8sJob(input) : githubMatrix(input);
}

/** A DNS-1123 name no longer than `max`: `hasim-<scenario>` shortened if need be. */
function resourceBase(scenario: string, max: number): string {
  return `hasim-${scenario}`.slice(0, max).replace(/-+$/, '');
}

function words(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}

function k8sJob(input: EmitInput): string {
  // Job names become a pod label value (63 characters) with a suffix; keep room for "-sweep".
  const base = resourceBase(input.scenario, 50);
  const labels = { 'app.kubernetes.io/name': 'hasim', 'app.kubernetes.io/instance': base };
  const fileName = basename(input.file).replace(/[^-._a-zA-Z0-9]/g, '-') || 'scenario.yaml';
  const command =
    `exec hasim sweep ${shellQuote(`/scenario/${fileName}`)} ${words(input.sweepArgs)} --workers ${input.workers ?? 1}` +
    ` --shard "$((JOB_COMPLETION_INDEX + 1))/${input.shards}" --out /results --quiet`;
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${base}-scenario`, labels },
    data: { [fileName]: input.text },
  };
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${base}-results`, labels },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${base}-sweep`, labels },
    spec: {
      completionMode: 'Indexed',
      completions: input.shards,
      parallelism: input.shards,
      backoffLimit: 3,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // The image runs as the node user (uid 1000); fsGroup lets it write to the claim.
          securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: 'hasim',
              image: input.image,
              command: ['sh', '-c', command],
              resources: { requests: { cpu: '1', memory: '1Gi' } },
              volumeMounts: [
                { name: 'scenario', mountPath: '/scenario', readOnly: true },
                { name: 'results', mountPath: '/results' },
              ],
            },
          ],
          volumes: [
            { name: 'scenario', configMap: { name: configMap.metadata.name } },
            { name: 'results', persistentVolumeClaim: { claimName: claim.metadata.name } },
          ],
        },
      },
    },
  };
  const header = [
    `# hasim sweep of ${input.scenario} in ${input.shards} shards: a Kubernetes Indexed Job (made by hasim sweep --emit k8s-job).`,
    `#   kubectl apply -f this.yaml; kubectl wait --for=condition=complete job/${job.metadata.name} --timeout=24h`,
    `# Each pod runs shard JOB_COMPLETION_INDEX + 1 and writes /results/shard-K-of-${input.shards}.json to the`,
    `# claim ${claim.metadata.name}; then merge them where the claim is mounted, or after copying them out:`,
    `#   hasim sweep merge /results --out reports/${input.scenario}-sweep`,
    `# The claim asks for ReadWriteMany so that pods on different nodes can write to it: use a storage`,
    '# class that offers it, or replace the claim with a volume of your own.',
  ];
  const docs = [configMap, claim, job].map((d) => stringify(d, YAML_OPTIONS));
  return `${header.join('\n')}\n${docs.join('---\n')}`;
}

function githubMatrix(input: EmitInput): string {
  const workers = input.workers === undefined ? [] : ['--workers', String(input.workers)];
  const sweep = `npx hasim sweep ${shellQuote(input.file)} ${words([...input.sweepArgs, ...workers])}`;
  const report = `reports/${input.scenario}-sweep`;
  const setup = [
    { uses: 'actions/checkout@v4' },
    { uses: 'actions/setup-node@v4', with: { 'node-version': 20 } },
    { name: 'Install hasim (a devDependency of this repository)', run: 'npm ci' },
  ];
  const workflow = {
    name: `hasim sweep ${input.scenario}`,
    on: { workflow_dispatch: {} },
    jobs: {
      shard: {
        name: `shard \${{ matrix.shard }} of ${input.shards}`,
        'runs-on': 'ubuntu-latest',
        strategy: {
          'fail-fast': false,
          matrix: { shard: Array.from({ length: input.shards }, (_, i) => i + 1) },
        },
        steps: [
          ...setup,
          { name: 'Run this shard', run: `${sweep} --shard \${{ matrix.shard }}/${input.shards} --out shards` },
          {
            uses: 'actions/upload-artifact@v4',
            with: { name: `hasim-shard-\${{ matrix.shard }}`, path: 'shards/', 'if-no-files-found': 'error' },
          },
        ],
      },
      merge: {
        needs: 'shard',
        'runs-on': 'ubuntu-latest',
        steps: [
          ...setup,
          {
            uses: 'actions/download-artifact@v4',
            with: { pattern: 'hasim-shard-*', path: 'shards', 'merge-multiple': true },
          },
          { name: 'Merge the shards', run: `npx hasim sweep merge shards --out ${report}` },
          { if: 'always()', run: `cat ${report}/sweep.md >> "$GITHUB_STEP_SUMMARY"` },
          {
            if: 'always()',
            uses: 'actions/upload-artifact@v4',
            with: { name: `hasim-${input.scenario}-sweep`, path: `${report}/` },
          },
        ],
      },
    },
  };
  const header = [
    `# hasim sweep of ${input.scenario} in ${input.shards} shards on GitHub Actions (made by hasim sweep --emit github-matrix).`,
    '# Save as .github/workflows/<name>.yml in the repository that holds the scenario file; it expects hasim as a',
    '# devDependency there (npm install --save-dev git+<hasim repository URL>). Each shard exits 0 when its runs are',
    '# done; the merge job fails when an SLO pass rate is below --min-pass-rate.',
  ];
  return `${header.join('\n')}\n${stringify(workflow, YAML_OPTIONS)}`;
}

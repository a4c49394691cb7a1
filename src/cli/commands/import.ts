// `hasim import <dump.yaml>...`: writes a starting scenario from what kubectl prints
// (kubectl get nodes,deploy,sts,ds,svc,pdb,priorityclass -A -o yaml), to stdout or, atomically, to -o FILE.
// The scenario is validated before it is written, so what import writes always validates and runs.
import { basename, dirname, extname } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  formatIssues,
  importScenario,
  parseScenarioText,
  readManifestText,
  type Issue,
  emptyManifestResult,
  type ManifestReadResult,
} from '../../scenario/index.js';
import { BadInput, EXIT } from '../exit-codes.js';
import { displayPathOf } from '../load.js';
import { readScenarioFile } from '../read-input.js';
import { writeFileAtomic } from '../write-atomic.js';
import { scenarioCounts } from '../counts.js';

interface ImportArgs {
  files: string[];
  output?: string;
  name?: string;
}

export function importCommand(setCode: (c: number) => void): CommandModule<object, ImportArgs> {
  return {
    command: 'import <files..>',
    describe: 'Write a starting scenario from a cluster dump (kubectl get ... -o yaml)',
    builder: (y) =>
      y
        .positional('files', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'what kubectl get nodes,deploy,sts,ds,svc,pdb,priorityclass -A -o yaml printed (- for stdin)',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'write the scenario to this file (replaced whole, never half-written); default: stdout',
        })
        .option('name', {
          type: 'string',
          describe: 'metadata.name of the scenario (default: the output file name, or imported-cluster)',
        })
        .example('kubectl get nodes,deploy,sts,ds,svc,pdb,priorityclass -A -o yaml > dump.yaml', 'dump the cluster')
        .example('$0 import dump.yaml -o my-cluster.yaml', 'write a scenario from it')
        .example('$0 run my-cluster.yaml', 'simulate the crash of its busiest node') as never,
    handler: (args) => {
      const { merged, documents, errors, warnings, shown } = readDumps(args.files);
      if (errors.length > 0) throw new BadInput(formatIssues([...errors, ...warnings]));
      if (merged.nodes.length === 0 && merged.workloads.length === 0)
        throw new BadInput(
          `hasim: import: ${shown.join(', ')} holds no Node and no workload; dump them with kubectl get nodes,deploy,sts,ds,svc,pdb,priorityclass -A -o yaml`,
        );
      const name = args.name ?? scenarioName(args.output);
      const text = importScenario({ files: shown, manifests: merged, documents, name });
      const outShown = args.output ?? '<stdout>';
      const check = parseScenarioText(text, { file: outShown });
      if (!check.ok)
        throw new BadInput(
          `hasim: import: the scenario written from ${shown.join(', ')} does not validate:\n${formatIssues(check.issues)}`,
        );
      if (warnings.length > 0) process.stderr.write(formatIssues(warnings) + '\n');
      if (args.output === undefined) process.stdout.write(text);
      else {
        writeFileAtomic(dirname(args.output), basename(args.output), text, '--output');
        const s = check.scenario.spec;
        process.stderr.write(`${args.output}: ${scenarioCounts(s)}; run it with: hasim run ${args.output}\n`);
      }
      setCode(EXIT.ok);
    },
  };
}

/** Every dump read and merged; what could not be read is in `errors`. */
function readDumps(files: readonly string[]) {
  const merged: ManifestReadResult = emptyManifestResult();
  const documents: unknown[][] = [];
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const shown: string[] = [];
  for (const f of files) {
    const displayPath = displayPathOf(f);
    shown.push(displayPath);
    const read = readScenarioFile(f);
    if (!read.ok) {
      errors.push(...read.issues.map((i) => ({ ...i, file: displayPath })));
      continue;
    }
    const r = readManifestText(read.text, displayPath);
    if (!r.ok) {
      errors.push(...r.issues);
      continue;
    }
    warnings.push(...r.warnings);
    documents.push(r.values);
    merged.workloads.push(...r.manifests.workloads);
    merged.pdbs.push(...r.manifests.pdbs);
    merged.nodes.push(...r.manifests.nodes);
    merged.priorityClasses.push(...r.manifests.priorityClasses);
    merged.services.push(...r.manifests.services);
    for (const [id, why] of r.manifests.leftOutServices) merged.leftOutServices.set(id, why);
  }
  return { merged, documents, errors, warnings, shown };
}

/** A DNS-1123 label from the output file's name ("prod-eu.yaml" -> "prod-eu"). */
function scenarioName(output: string | undefined): string {
  if (output === undefined) return 'imported-cluster';
  const stem = basename(output, extname(output))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return stem === '' ? 'imported-cluster' : stem;
}

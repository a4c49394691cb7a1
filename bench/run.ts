// `npm run bench`: the speed figures kept in bench/README.md. A benchmark, not a test: it prints
// figures and never fails on them. Pass section names to run only some: `npm run bench -- engine`.
import { cpus, totalmem } from 'node:os';
import { engineBench } from './engine-bench.js';
import { scaleBench } from './scale-bench.js';
import { sweepBench } from './sweep-bench.js';
import { upgradeBench } from './upgrade-bench.js';

const wanted = process.argv.slice(2);
const want = (name: string) => wanted.length === 0 || wanted.includes(name);

console.log(
  `hasim benchmarks on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB), Node ${process.version}\n`,
);
if (want('engine')) engineBench();
if (want('scale')) scaleBench();
if (want('sweep')) sweepBench();
if (want('upgrade')) upgradeBench();

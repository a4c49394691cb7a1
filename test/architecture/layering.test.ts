// The dependency direction of the source tree (README, "Development"): cli -> runner -> {scenario, chaos,
// slo, report} -> model -> {k8s, trace, engine}. The engine knows no Kubernetes word; the model never
// reads the scenario, the SLOs or the reports; SLOs do not depend on how reports look; and only the CLI
// touches files, standard output, the process and real time. An import against the direction fails here
// with the file and the line.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

const SRC = resolve('src');

/** For each layer (a folder under src/), the layers it may import. */
const ALLOWED: Record<string, string[]> = {
  engine: [],
  k8s: [],
  trace: ['engine', 'k8s'],
  model: ['engine', 'k8s', 'trace'],
  chaos: ['engine', 'k8s', 'trace', 'model', 'scenario'],
  scenario: ['k8s', 'trace', 'model'],
  slo: ['engine', 'k8s', 'trace', 'scenario'],
  report: ['engine', 'k8s', 'trace', 'slo', 'scenario'],
  runner: ['engine', 'k8s', 'trace', 'model', 'chaos', 'scenario', 'slo', 'report'],
  cli: ['engine', 'k8s', 'trace', 'model', 'chaos', 'scenario', 'slo', 'report', 'runner'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const layerOf = (file: string) => relative(SRC, file).split(sep)[0];

interface Import {
  file: string;
  line: number;
  spec: string;
}

function importsOf(file: string): Import[] {
  const out: Import[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'([^']+)'/g))
        out.push({ file: relative(process.cwd(), file), line: i + 1, spec: m[1] });
    });
  return out;
}

const files = sources(SRC);
const all = files.flatMap(importsOf);

it('knows every folder under src/ as a layer', () => {
  expect([...new Set(files.map(layerOf))].sort()).toEqual(Object.keys(ALLOWED).sort());
});

it('imports follow the layering: engine <- model <- {scenario, chaos, slo, report} <- runner <- cli', () => {
  const wrong: string[] = [];
  for (const imp of all) {
    if (!imp.spec.startsWith('.')) continue;
    const from = layerOf(resolve(imp.file));
    const to = layerOf(resolve(dirname(resolve(imp.file)), imp.spec));
    if (to !== from && !ALLOWED[from].includes(to))
      wrong.push(`${imp.file}:${imp.line}: ${from} may not import ${to} ('${imp.spec}')`);
  }
  expect(wrong).toEqual([]);
});

/** Node built-ins that reach files, processes, threads, the terminal, the network or real time. */
const OUTSIDE_WORLD =
  /^(node:)?(fs|fs\/promises|os|child_process|worker_threads|perf_hooks|process|readline|net|http|https|timers|tty|dgram)$/;

it('only the CLI imports Node built-ins that reach files, processes, threads, the network or real time', () => {
  const wrong = all
    .filter((i) => OUTSIDE_WORLD.test(i.spec))
    .filter((i) => layerOf(resolve(i.file)) !== 'cli')
    .map((i) => `${i.file}:${i.line}: imports ${i.spec}; only src/cli may`);
  expect(wrong).toEqual([]);
});

it('only the CLI touches the process, the console and real time', () => {
  const wrong: string[] = [];
  for (const file of files) {
    if (layerOf(file) === 'cli') continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const code = text.replace(/\/\/.*$/, '');
        const m =
          /\b(process\.(?:stdout|stderr|exit|env|argv|on|hrtime)|console\.\w+|Date\.now|new Date\(|performance\.now)/.exec(
            code,
          );
        if (m) wrong.push(`${relative(process.cwd(), file)}:${i + 1}: ${m[1]}`);
      });
  }
  expect(wrong).toEqual([]);
});

it('the engine names no Kubernetes object', () => {
  const words = /\b(kubelet|pod|node|lease|taint|scheduler|controller|etcd|apiserver)s?\b/i;
  const wrong: string[] = [];
  for (const file of files.filter((f) => layerOf(f) === 'engine'))
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = words.exec(text);
        if (m) wrong.push(`${relative(process.cwd(), file)}:${i + 1}: "${m[0]}"`);
      });
  expect(wrong).toEqual([]);
});

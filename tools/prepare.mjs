// npm's `prepare` script: builds dist/ when the package is packed (npm pack, npm publish) and when it is
// installed from git (npm install -g git+https://...), so that the installed `hasim` has its compiled
// code. Plain JavaScript, since nothing is compiled yet when it runs.
//
// npm is meant to install the devDependencies (TypeScript) into the git clone before running this, but a
// global install from git does not (npm/cli#8440: the nested install inherits --global and --prefix and
// installs into the global prefix instead). So when TypeScript is missing, this installs the
// devDependencies into the package folder itself first, without the inherited global settings.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import process from 'node:process';

const TSC = 'node_modules/typescript/bin/tsc';

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write(`hasim prepare: ${[command, ...args].join(' ')} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(TSC)) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(global|prefix|location|omit|include|production)$/i.test(key)) delete env[key];
  }
  const npm = process.env.npm_execpath;
  const [command, prefixArgs] = npm ? [process.execPath, [npm]] : ['npm', []];
  run(
    command,
    [...prefixArgs, 'install', '--include=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'],
    env,
  );
}
run(process.execPath, [TSC, '-p', 'tsconfig.build.json']);
chmodSync('dist/src/cli/main.js', 0o755);

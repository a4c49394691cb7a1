// Where a run or a sweep writes its files. A folder given with --out is used as it is (the user chose
// it). The default folder (reports/<name>/) is used when it is free; when an earlier run's files are
// in it, they are kept and this run goes to the first free reports/<name>-2/, -3/, ... unless --force
// says to overwrite them. So re-running a scenario never silently replaces the report someone is
// about to share.
import { existsSync, readdirSync, statSync } from 'node:fs';

export interface OutDirChoice {
  dir: string;
  /** Set when the default folder was taken and another one chosen: a note for stderr. */
  note?: string;
}

export function chooseOutDir(defaultDir: string, opts: { out?: string; force?: boolean }): OutDirChoice {
  if (opts.out !== undefined) return { dir: opts.out };
  if (opts.force || isFree(defaultDir)) return { dir: defaultDir };
  for (let n = 2; ; n++) {
    const dir = `${defaultDir}-${n}`;
    if (isFree(dir))
      return {
        dir,
        note: `hasim: ${defaultDir}/ holds an earlier run, so this one goes to ${dir}/ (--force overwrites ${defaultDir}/, --out DIR picks a folder)`,
      };
  }
}

/** Absent, or an empty folder. */
function isFree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

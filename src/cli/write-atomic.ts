// Report files are written atomically: each goes to a temporary file in the same folder and is renamed
// into place, so a reader (a CI artifact upload, a browser) never sees a half-written report.
import { mkdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes a set of files into dir, each atomically. */
export function writeFilesAtomic(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileAtomic(join(dir, name), content);
}

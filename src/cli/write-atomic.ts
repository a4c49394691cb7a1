// A report folder is written as one set: readers (a CI artifact upload, a browser, `hasim report`)
// see the previous run's files or the new run's, never a mix of two runs and never half a file.
//
//   1. Before the simulation, `ReportFolder.open` checks --out (not empty, not a file, its parent
//      creatable and writable), takes a lock beside it so a second run cannot write the same folder,
//      clears what a killed run left behind, and creates a fresh staging folder beside it
//      (`.NAME.tmp-<pid>-<random>`, created exclusively by mkdtemp, so nothing planted there can
//      redirect it). A problem here is bad input (exit 2), found before anything was simulated.
//   2. `write` creates each file in the staging folder with O_CREAT|O_EXCL (`wx`): a file that is
//      already there, or a symlink planted in its place, makes the write fail instead of being followed.
//   3. `commit` renames the old folder aside (`.NAME.old-<pid>-<random>`), renames the staging folder
//      into place, then removes the old one. Between the two renames (two system calls) the folder is
//      briefly absent; a run killed in that instant leaves the old set aside, and the next run on that
//      --out puts it back before doing anything else.
//   4. `abandon` (an error, Ctrl-C) removes the staging folder: the previous set stays as it was.
import { closeSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { chmodSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { escapeControls } from '../scenario/issues.js';
import { BadInput } from './exit-codes.js';

/** Why a file-system call failed, in words (for the one line a user reads). */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EEXIST':
      return 'a file of that name is already there';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'the path has a loop of symbolic links';
    case 'EIO':
      return 'an input/output error';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The files hasim writes into a report folder. A folder holding anything else is not replaced: it is
 * not a report folder, and replacing it as a set would delete what the user keeps there.
 */
export const REPORT_FILES: readonly string[] = [
  'events.jsonl',
  'summary.json',
  'timeline.svg',
  'report.html',
  'report.md',
  'junit.xml',
  'scenario.resolved.yaml',
  'sweep.json',
  'sweep.md',
  'sweep.html',
  // What a file browser leaves in a folder it has shown; replaced along with the reports.
  '.DS_Store',
  'Thumbs.db',
];

const STAGING = '.tmp-';
const ASIDE = '.old-';
const LOCK = '.lock';

/** A folder of report files being written as one set. */
export class ReportFolder {
  private done = false;
  private static readonly open_ = new Set<ReportFolder>();

  private constructor(
    /** The folder as the user named it (for messages). */
    readonly shown: string,
    private readonly target: string,
    private readonly staging: string,
    private readonly lock: string,
  ) {
    if (ReportFolder.open_.size === 0 && !ReportFolder.hooked) {
      // Whatever ends the process (an error, process.exit), a staging folder never outlives it.
      process.on('exit', () => ReportFolder.abandonAll());
      ReportFolder.hooked = true;
    }
    ReportFolder.open_.add(this);
  }
  private static hooked = false;

  /**
   * Checks `dir` (given by `flag`, e.g. "--out") and prepares to write it; throws BadInput when it
   * cannot be written. Call it before the simulation, so a wrong --out costs nothing.
   */
  static open(dir: string, flag = '--out'): ReportFolder {
    if (dir.trim() === '') throw new BadInput(`hasim: ${flag} is empty; name a folder for the report files`);
    const target = resolve(dir);
    const name = basename(target);
    const parent = dirname(target);
    if (target === parent) throw new BadInput(`hasim: ${flag} ${dir}: the root folder cannot hold reports`);
    const fail = (what: string, err: unknown): never => {
      throw new BadInput(`hasim: ${flag} ${dir}: ${what}: ${fsReason(err)}`);
    };
    try {
      const st = lstatSync(target);
      if (!st.isDirectory()) {
        throw new BadInput(
          `hasim: ${flag} ${dir}: ${st.isSymbolicLink() ? 'is a symbolic link' : 'is a file'}, not a folder; name a folder for the report files`,
        );
      }
      const foreign = readdirSync(target).filter((f) => !REPORT_FILES.includes(f));
      if (foreign.length > 0) {
        const shown = escapeControls(
          foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} in all)` : ''),
        );
        throw new BadInput(
          `hasim: ${flag} ${dir}: the folder holds files hasim did not write (${shown}); the report files replace the folder as a whole, so name a new or empty folder, or one an earlier run wrote`,
        );
      }
    } catch (err) {
      if (err instanceof BadInput) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail('cannot be used', err);
    }
    try {
      mkdirSync(parent, { recursive: true });
    } catch (err) {
      fail(`cannot create the folder ${parent}`, err);
    }
    const lock = join(parent, `.${name}${LOCK}`);
    takeLock(lock, dir, flag);
    let staging = '';
    try {
      recoverLeftovers(parent, name, target);
      staging = mkdtempSync(join(parent, `.${name}${STAGING}${process.pid}-`));
      // mkdtemp makes it private (0700); the folder it becomes is as readable as any other.
      chmodSync(staging, 0o755);
    } catch (err) {
      rmSync(lock, { force: true });
      fail('cannot write there', err);
    }
    return new ReportFolder(dir, target, staging, lock);
  }

  /**
   * Writes files into the staging folder, each created exclusively. A file's content may come in pieces
   * (events.jsonl): each is written as it is made, so the whole text is never held. Throws BadInput on
   * failure.
   */
  write(files: Record<string, string | Iterable<string>>): void {
    for (const [file, content] of Object.entries(files)) {
      let fd: number | undefined;
      try {
        fd = openSync(join(this.staging, file), 'wx', 0o644);
        for (const piece of typeof content === 'string' ? [content] : content) {
          const bytes = Buffer.from(piece, 'utf8');
          let offset = 0;
          while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
        }
        fsyncSync(fd);
      } catch (err) {
        this.abandon();
        throw new BadInput(`hasim: cannot write ${join(this.shown, file)}: ${fsReason(err)}`);
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
  }

  /** Copies the regular files of `from` that `files` does not replace (re-rendering a saved run). */
  keep(from: string, replaced: readonly string[]): void {
    const kept: Record<string, string> = {};
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (!entry.isFile() || !REPORT_FILES.includes(entry.name) || replaced.includes(entry.name)) continue;
      kept[entry.name] = readFileSync(join(from, entry.name), 'utf8');
    }
    this.write(kept);
  }

  /** Puts the new set in place of the old one. */
  commit(): void {
    if (this.done) return;
    const aside = join(dirname(this.target), `.${basename(this.target)}${ASIDE}${basename(this.staging).slice(-6)}`);
    let moved = false;
    try {
      if (exists(this.target)) {
        renameSync(this.target, aside);
        moved = true;
      }
      renameSync(this.staging, this.target);
    } catch (err) {
      if (moved && !exists(this.target)) renameSync(aside, this.target);
      this.abandon();
      throw new BadInput(`hasim: cannot put the reports in place in ${this.shown}: ${fsReason(err)}`);
    }
    if (moved) rmSync(aside, { recursive: true, force: true });
    this.release();
  }

  /** Drops the new set: the old one stays as it was. */
  abandon(): void {
    if (this.done) return;
    rmSync(this.staging, { recursive: true, force: true });
    this.release();
  }

  private release(): void {
    this.done = true;
    rmSync(this.lock, { force: true });
    ReportFolder.open_.delete(this);
  }

  /** Abandons every folder still open (on SIGINT/SIGTERM, before exiting); returns their names. */
  static abandonAll(): string[] {
    const open = [...ReportFolder.open_];
    for (const f of open) f.abandon();
    return open.map((f) => f.shown);
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether process `pid` is running (a lock of a dead process is stale). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeLock(lock: string, dir: string, flag: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new BadInput(`hasim: ${flag} ${dir}: cannot write there: ${fsReason(err)}`);
    }
    let holder = NaN;
    try {
      if (lstatSync(lock).isFile()) holder = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      // Gone meanwhile: try again.
    }
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new BadInput(
        `hasim: ${flag} ${dir}: another hasim (process ${holder}) is writing this folder; wait for it to finish or choose another ${flag}`,
      );
    }
    // A stale lock (its process is gone, or it is not a lock file at all): remove it and retry once.
    rmSync(lock, { force: true, recursive: true });
  }
  throw new BadInput(`hasim: ${flag} ${dir}: another hasim is writing this folder; choose another ${flag}`);
}

/**
 * What a killed run left: staging folders of processes that are gone are removed; a set renamed aside
 * just before its replacement was renamed in is put back when the folder is missing, else removed.
 * Called with the lock held.
 */
function recoverLeftovers(parent: string, name: string, target: string): void {
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(`.${name}.`)) continue;
    const rest = entry.slice(name.length + 1);
    const path = join(parent, entry);
    if (rest.startsWith(STAGING)) {
      const pid = Number(rest.slice(STAGING.length).split('-')[0]);
      if (!alive(pid) || pid === process.pid) rmSync(path, { recursive: true, force: true });
    } else if (rest.startsWith(ASIDE)) {
      if (!exists(target) && lstatSync(path).isDirectory()) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
    }
  }
}

/**
 * One file written whole or not at all, beside others that stay (a sweep shard's file in a folder that
 * other shards share): created exclusively under a temporary name in the same folder (no planted file or
 * symbolic link is followed), flushed, then renamed over `name`. A failure is bad input, in one line.
 */
export function writeFileAtomic(dir: string, name: string, content: string, flag = '--out'): void {
  const fail = (what: string, err: unknown): never => {
    throw new BadInput(`hasim: ${flag} ${dir}: ${what}: ${fsReason(err)}`);
  };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    fail('cannot create the folder', err);
  }
  const tmp = join(dir, `.${name}${STAGING}${process.pid}-${Math.floor(Math.random() * 1e9)}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, join(dir, name));
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    fail(`cannot write ${name}`, err);
  }
}

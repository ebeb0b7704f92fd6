/**
 * The generator's file I/O: where the runtime lives, reading the manifest (a regular
 * file of bounded size), and writes that are all-or-nothing and skip unchanged files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { LIMITS, sizeOverLimit } from './load';

/** A file the generator cannot read or write, with the reason in words; the CLI exits 2 on it. */
export class FileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'FileError';
  }
}

/** An errno code in words. */
function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'it, or a directory above it, is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the device';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

/**
 * The manifest's text. Refuses what is not a regular file before opening it (a FIFO
 * or a device would block the read forever) and a file over LIMITS.bytes.
 */
export function readManifestFile(file: string): string {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new FileError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : why(error));
  }
  if (stats.isDirectory()) throw new FileError(file, 'it is a directory');
  if (!stats.isFile()) throw new FileError(file, `it is not a regular file (${stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'a device'})`);
  if (stats.size > LIMITS.bytes) {
    throw new FileError(file, `it ${sizeOverLimit(stats.size)}`);
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new FileError(file, why(error));
  }
}

/**
 * The module generated code imports the runtime from: a relative path when
 * the output lies inside the spanwright package itself, `spanwright/runtime`
 * everywhere else.
 */
export function runtimeImportFor(outDir: string): string {
  let dir = resolve(outDir);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        if (name === 'spanwright' && existsSync(join(dir, 'runtime'))) return toModulePath(relative(resolve(outDir), join(dir, 'runtime')));
      } catch {
        // an unreadable package.json is not ours
      }
      return 'spanwright/runtime';
    }
    const parent = dirname(dir);
    if (parent === dir) return 'spanwright/runtime';
    dir = parent;
  }
}

function toModulePath(rel: string): string {
  const posix = rel.split(sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

/** How the manifest is named in generated files: relative to the output directory's parent, `/`-separated. */
export function sourceName(manifest: string, outDir: string): string {
  return relative(dirname(resolve(outDir)), resolve(manifest)).split(sep).join('/');
}

export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Files (relative names) whose content on disk differs from `files`. */
export function changedFiles(outDir: string, files: ReadonlyMap<string, string>): string[] {
  return [...files].filter(([name, text]) => readIfExists(join(outDir, name)) !== text).map(([name]) => name);
}

/** Our temporary files: `<generated name>.<pid>.tmp`. */
const TEMP_FILE = /^(.+)\.(\d+)\.tmp$/;

/** Removes a file if it can; what it cannot remove (a directory of that name) stays for the error to name. */
function removeQuietly(file: string): boolean {
  try {
    rmSync(file, { force: true });
    return true;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files a killed run left in `outDir`: ours only (a generated file's
 * name, a pid, `.tmp`) and only when that process is gone (a concurrent run keeps its own).
 */
export function removeStaleTemporaries(outDir: string, names: Iterable<string>): string[] {
  const ours = new Set(names);
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const match = TEMP_FILE.exec(entry);
    if (match === null || !ours.has(match[1]!)) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && isRunning(pid)) continue;
    if (removeQuietly(join(outDir, entry))) removed.push(entry);
  }
  return removed;
}

/**
 * Writes the changed files only (unchanged ones keep their mtime), all or none: every
 * file goes to a temporary file first, and only when all are written are they renamed
 * into place, so a failed or killed run never leaves half a file or a mix of old and
 * new files. Temporary files of an earlier killed run are removed first.
 * Throws FileError naming the path it could not write.
 */
export function writeFiles(outDir: string, files: ReadonlyMap<string, string>): string[] {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new FileError(outDir, 'it is not a directory');
  removeStaleTemporaries(outDir, files.keys());
  const changed = changedFiles(outDir, files);
  if (changed.length === 0) return changed;
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new FileError(outDir, why(error));
  }
  const written: string[] = [];
  for (const name of changed) {
    const temp = join(outDir, `${name}.${process.pid}.tmp`);
    try {
      writeFileSync(temp, files.get(name)!, 'utf8');
      written.push(temp);
    } catch (error) {
      for (const file of [...written, temp]) removeQuietly(file);
      throw new FileError(temp, why(error));
    }
  }
  changed.forEach((name, i) => {
    const target = join(outDir, name);
    try {
      renameSync(written[i]!, target);
    } catch (error) {
      for (const file of written.slice(i)) removeQuietly(file);
      throw new FileError(target, why(error));
    }
  });
  return changed;
}

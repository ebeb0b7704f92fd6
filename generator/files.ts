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

/** The runtime package, in this repository as in a user's project. */
export const RUNTIME_PACKAGE = '@spanwright/runtime';

/** The runtime's entry for generated code: the helper core, `startTracing`, the manifest type. */
export const RUNTIME_GENERATED_ENTRY = `${RUNTIME_PACKAGE}/generated`;

/** The folder of the nearest package.json at or above `dir`, if any. */
export function packageRoot(dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/** A path as a shell argument: bare when it is plain, JSON-quoted otherwise. */
function shellArg(path: string): string {
  return /^[\w./@+-]+$/.test(path) ? path : JSON.stringify(path);
}

/**
 * The command that regenerates `outDir` from `manifest`, run from `base`: `npx spanwright gen`,
 * with `--manifest` / `--out` only when they are not the defaults (`tracing.yaml`, `generated`).
 */
export function regenerateCommand(manifest: string, outDir: string, base: string): string {
  const rel = (path: string): string => relative(resolve(base), resolve(path)).split(sep).join('/');
  const flags: string[] = [];
  if (rel(manifest) !== 'tracing.yaml') flags.push('--manifest', shellArg(rel(manifest)));
  if (rel(outDir) !== 'generated') flags.push('--out', shellArg(rel(outDir)));
  return ['npx spanwright gen', ...flags].join(' ');
}

/**
 * The command the generated headers name: from the project's root (the nearest package.json
 * above the output), where `npx` and npm scripts run, so it does not depend on the cwd of `gen`.
 */
export function headerRegenerateCommand(manifest: string, outDir: string): string {
  return regenerateCommand(manifest, outDir, packageRoot(outDir) ?? process.cwd());
}

/**
 * The generate() options `gen` uses for `manifest` → `outDir` (paths as the user gave them,
 * relative to the cwd), so that other commands can tell whether the output is up to date.
 */
export function genOptions(manifest: string, outDir: string): { file: string; source: string; regenerate: string } {
  return {
    file: manifest,
    source: sourceName(manifest, outDir),
    regenerate: headerRegenerateCommand(manifest, outDir),
  };
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

/** The generator's file I/O: the runtime's package name, and writes that are atomic and skip unchanged files. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The package generated code imports the runtime from, in this repository as in a user's project. */
export const RUNTIME_PACKAGE = '@spanwright/runtime';

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

/**
 * Writes the changed files only (unchanged ones keep their mtime). Each goes
 * to a temporary file first and is renamed into place, so a killed process
 * never leaves half a file.
 */
export function writeFiles(outDir: string, files: ReadonlyMap<string, string>): string[] {
  const changed = changedFiles(outDir, files);
  if (changed.length === 0) return changed;
  mkdirSync(outDir, { recursive: true });
  for (const name of changed) {
    const target = join(outDir, name);
    const temp = `${target}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, files.get(name)!, 'utf8');
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }
  return changed;
}

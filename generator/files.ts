/** The generator's file I/O: the runtime's package name, and writes that are atomic and skip unchanged files. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The package generated code imports the runtime from, in this repository as in a user's project. */
export const RUNTIME_PACKAGE = '@spanwright/runtime';

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

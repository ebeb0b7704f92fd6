/**
 * Where `diff`, `migrate` and `docs` get a manifest from: a file, or
 * `git:<ref>` (the manifest as committed at that ref, through `git show`),
 * and how its text becomes a ManifestModel (the generator's own stages).
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ManifestModel } from '@spanwright/runtime';
import { formatDiagnostics, ManifestError, printable } from '../diagnostics';
import { FileError, readManifestFile } from '../files';
import { resolveManifest } from '../resolve';

/** A manifest's text and how messages name it (`tracing.yaml`, `git:HEAD:tracing.yaml`). */
export interface ManifestSource {
  readonly label: string;
  readonly text: string;
}

/** A source that cannot be read: the message names it and says why. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** Manifest text → resolved model; throws a `ManifestError` listing every problem when invalid. */
export type ModelLoader = (label: string, text: string) => ManifestModel;

/** The generator's pipeline up to the model (resolve.ts): no emitters, no ts-morph. */
export const defaultModelLoader: ModelLoader = (label, text) => resolveManifest(text, { file: label });

/**
 * Reads `spec`: `git:<ref>` (the manifest at `defaultPath`, as committed at
 * `<ref>`), `git:<ref>:<path>`, or a file path. Relative paths are taken from `cwd`.
 */
export async function readManifestSource(
  spec: string,
  options: { readonly defaultPath: string; readonly cwd?: string },
): Promise<ManifestSource> {
  const cwd = options.cwd ?? process.cwd();
  if (!spec.startsWith('git:')) {
    const file = resolve(cwd, spec);
    try {
      // A regular file under the size limit: a FIFO would block the read forever.
      return { label: spec, text: readManifestFile(file) };
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      throw new SourceError(`${printable(spec)}: ${error.reason === 'it is a directory' ? 'is a directory, not a manifest' : error.reason}`);
    }
  }
  const rest = spec.slice('git:'.length);
  const colon = rest.indexOf(':');
  const ref = colon === -1 ? rest : rest.slice(0, colon);
  const path = colon === -1 ? options.defaultPath : rest.slice(colon + 1);
  if (ref === '' || ref.startsWith('-') || path === '') {
    throw new SourceError(`${spec}: expected git:<ref> or git:<ref>:<path>, e.g. git:HEAD or git:main:tracing.yaml`);
  }
  const text = await gitShow(ref, resolve(cwd, path), spec);
  return { label: `git:${ref}:${isAbsolute(path) ? relative(cwd, path) : path}`, text };
}

/** `git show <ref>:./<file>` run in the file's directory, so the path is relative to it. */
function gitShow(ref: string, file: string, spec: string): Promise<string> {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return Promise.reject(new SourceError(`${spec}: directory ${dir} does not exist`));
  }
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      ['show', `${ref}:./${basename(file)}`],
      { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) return resolvePromise(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(new SourceError(`${spec}: git is not installed (or not on PATH)`));
        }
        reject(new SourceError(`${spec}: ${gitProblem(stderr, ref, basename(file), dir)}`));
      },
    );
  });
}

function gitProblem(stderr: string, ref: string, file: string, dir: string): string {
  if (/not a git repository/i.test(stderr)) return `${dir} is not inside a git repository`;
  if (/does not exist in|exists on disk, but not in/i.test(stderr)) return `${file} is not committed at ${ref}`;
  if (/invalid object name|unknown revision|bad revision|ambiguous argument/i.test(stderr)) return `unknown ref "${ref}"`;
  const first = stderr.split('\n').find((line) => line.trim() !== '') ?? 'failed';
  return `git show failed: ${first.replace(/^fatal:\s*/, '')}`;
}

/** What a command prints for a source or manifest it cannot use: every problem, no stack trace. */
export function describeLoadError(command: string, error: unknown): string {
  if (error instanceof ManifestError) return formatDiagnostics(error.file, error.text, error.diagnostics);
  const message = error instanceof Error ? error.message : String(error);
  return `spanwright ${command}: ${message}\n`;
}

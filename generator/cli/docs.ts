/**
 * `spanwright docs [--manifest <file>] [--out <dir or .md file>]`: writes
 * TRACING.md (default `generated/TRACING.md`, the same file `gen` writes).
 * Apart from docs.ts so that `generate()` can use `renderDocs` without the CLI.
 */
import { basename, dirname, relative, resolve } from 'node:path';
import { parseCommand, usageError, type CommandIO } from './command';
import { renderDocs, DOCS_FILE } from './docs';
import { printable } from './diagnostics';
import { FileError, sourceName, writeFiles } from './files';
import { describeLoadError, readManifestSource } from './git-source';

const DOCS = {
  name: 'docs',
  usage: 'usage: spanwright docs [--manifest <file>] [--out <dir>|<file.md>]   (defaults: tracing.yaml, generated)',
  options: { manifest: { type: 'string' }, out: { type: 'string' } },
} as const;

/** Exit 0 written (or up to date), 2 bad arguments or an unreadable or invalid manifest. */
export async function runDocsCommand(argv: readonly string[], io: CommandIO = {}): Promise<number> {
  const parsed = parseCommand(DOCS, argv, io);
  if (typeof parsed === 'number') return parsed;
  const { ctx, values } = parsed;
  const { stdout, stderr, cwd } = ctx;
  const manifest = values.manifest ?? 'tracing.yaml';
  const out = values.out ?? 'generated';
  if (manifest === '' || out === '') return usageError(ctx, DOCS, `option '--${manifest === '' ? 'manifest' : 'out'}' needs a value`);
  const target = resolve(cwd, out.endsWith('.md') ? out : `${out}/${DOCS_FILE}`);
  const outDir = dirname(target);

  let markdown: string;
  try {
    const source = await readManifestSource(manifest, { defaultPath: manifest, cwd });
    // Named as `gen` names it (relative to the output's parent), so both write the same file.
    const model = ctx.loadModel(source.label, source.text);
    markdown = renderDocs({ ...model, source: manifest.startsWith('git:') ? source.label : sourceName(resolve(cwd, manifest), outDir) });
  } catch (error) {
    stderr(describeLoadError('docs', error));
    return 2;
  }
  const fromCwd = relative(cwd, target).split('\\').join('/');
  const shown = fromCwd.startsWith('../') ? target : fromCwd;
  let written: string[];
  try {
    written = writeFiles(outDir, new Map([[basename(target), markdown]]));
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    stderr(`spanwright docs: cannot write ${printable(error.path)}: ${error.reason}\n`);
    return 2;
  }
  stdout(written.length === 0 ? `spanwright: ${shown} is up to date with ${manifest}\n` : `spanwright: wrote ${shown}\n`);
  return 0;
}

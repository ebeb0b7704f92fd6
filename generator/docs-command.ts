/**
 * `spanwright docs [--manifest <file>] [--out <dir or .md file>]`: writes
 * TRACING.md (default `generated/TRACING.md`, the same file `gen` writes).
 * Apart from docs.ts so that `generate()` can use `renderDocs` without the CLI.
 */
import { basename, dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderDocs, DOCS_FILE } from './docs';
import { sourceName, writeFiles } from './files';
import { defaultModelLoader, describeLoadError, readManifestSource, type ModelLoader } from './git-source';

const DOCS_USAGE = 'usage: spanwright docs [--manifest <file>] [--out <dir>|<file.md>]   (defaults: tracing.yaml, generated)';

/** Exit 0 written (or up to date), 2 bad arguments or an unreadable or invalid manifest. */
export async function runDocsCommand(
  argv: readonly string[],
  io: { stdout?: (text: string) => void; stderr?: (text: string) => void; cwd?: string; loadModel?: ModelLoader } = {},
): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        manifest: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    stderr(`spanwright docs: ${(error as Error).message}\n${DOCS_USAGE}\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    stdout(`${DOCS_USAGE}\n`);
    return 0;
  }
  const cwd = io.cwd ?? process.cwd();
  const manifest = parsed.values.manifest ?? 'tracing.yaml';
  const out = parsed.values.out ?? 'generated';
  if (manifest === '' || out === '') {
    stderr(`spanwright docs: option '--${manifest === '' ? 'manifest' : 'out'}' needs a value\n${DOCS_USAGE}\n`);
    return 2;
  }
  const target = resolve(cwd, out.endsWith('.md') ? out : `${out}/${DOCS_FILE}`);
  const outDir = dirname(target);

  let markdown: string;
  try {
    const source = await readManifestSource(manifest, { defaultPath: manifest, cwd });
    // Named as `gen` names it (relative to the output's parent), so both write the same file.
    const model = (io.loadModel ?? defaultModelLoader)(source.label, source.text);
    markdown = renderDocs({ ...model, source: manifest.startsWith('git:') ? source.label : sourceName(resolve(cwd, manifest), outDir) });
  } catch (error) {
    stderr(describeLoadError('docs', error));
    return 2;
  }
  const fromCwd = relative(cwd, target).split('\\').join('/');
  const shown = fromCwd.startsWith('../') ? target : fromCwd;
  const written = writeFiles(outDir, new Map([[basename(target), markdown]]));
  stdout(written.length === 0 ? `spanwright: ${shown} is up to date with ${manifest}\n` : `spanwright: wrote ${shown}\n`);
  return 0;
}

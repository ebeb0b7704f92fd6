/**
 * `spanwright docs [--manifest <file>] [--out <dir or .md file>]`: writes TRACING.md (default
 * `generated/TRACING.md`, the same file `gen` writes). The rendering is ../emit/tracing-md.ts, which
 * `generate()` uses too.
 */
import { basename, dirname, relative, resolve } from 'node:path';
import { defineVerb, runVerb, type CommandIO } from './command';

export const docs = defineVerb({
  name: 'docs',
  summary: 'write TRACING.md from the manifest',
  usageNote: '(defaults: tracing.yaml, generated)',
  options: {
    manifest: { type: 'string', value: '<file>', help: 'the manifest: a file or git:<ref> (default: tracing.yaml)' },
    out: { type: 'string', value: '<dir>|<file.md>', help: 'the output directory (writes TRACING.md there) or the .md file (default: generated)' },
  },
  exitCodes: [
    [0, 'written, or already up to date'],
    [2, 'bad arguments, or an unreadable or invalid manifest'],
  ],
  async run({ values }, ctx) {
    const { stdout, stderr, cwd } = ctx;
    const manifest = values.manifest ?? 'tracing.yaml';
    const out = values.out ?? 'generated';
    if (manifest === '' || out === '') return ctx.usageError(`option '--${manifest === '' ? 'manifest' : 'out'}' needs a value`);
    const { renderDocs, DOCS_FILE } = require('../emit/tracing-md') as typeof import('../emit/tracing-md');
    const { printable } = require('../diagnostics') as typeof import('../diagnostics');
    const { FileError, sourceName, writeFiles } = require('../files') as typeof import('../files');
    const { describeLoadError, readManifestSource } = require('../changes/git-source') as typeof import('../changes/git-source');
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
  },
});

/** `spanwright docs …` with the arguments after `docs`. */
export const runDocsCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(docs, argv, io);

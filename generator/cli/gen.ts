/**
 * `spanwright gen [--manifest <file>] [--out <dir>] [--check]`: turns the manifest into
 * `<out>/spans.ts`, `manifest.ts`, `bootstrap.ts` and `TRACING.md`. main.ts parses its
 * arguments (they may come before the verb, as they always could) and reports its argument
 * mistakes with the top-level usage line.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineVerb } from './command';

export const gen = defineVerb({
  name: 'gen',
  summary: 'generate <out>/spans.ts, manifest.ts, bootstrap.ts and TRACING.md',
  options: {
    manifest: { type: 'string', value: '<file>', help: 'the manifest (default: tracing.yaml)' },
    out: { type: 'string', value: '<dir>', help: 'the output directory (default: generated)' },
    check: { type: 'boolean', help: 'write nothing; exit 1 if the generated files are not up to date' },
  },
  exitCodes: [
    [0, 'files written, or already up to date'],
    [1, '--check: generated files differ from the manifest'],
    [2, 'invalid manifest (every problem as <file>:<line>:<col>: error: <message>) or bad arguments'],
  ],
  async run({ values }, ctx) {
    for (const name of ['manifest', 'out'] as const) {
      if (values[name] === '') return ctx.usageError(`option '--${name}' needs a value`);
    }
    const manifest = values.manifest ?? 'tracing.yaml';
    const outDir = values.out ?? 'generated';
    const check = values.check === true;
    const { formatDiagnostics, ManifestError, printable } = require('../diagnostics') as typeof import('../diagnostics');
    const { changedFiles, FileError, genOptions, readManifestFile, regenerateCommand, writeFiles } = require('../files') as typeof import('../files');
    const { generate } = require('../generate') as typeof import('../generate');

    let text: string;
    try {
      text = readManifestFile(manifest);
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      ctx.stderr(`spanwright: cannot read manifest ${printable(manifest)}: ${error.reason}\n`);
      return 2;
    }
    let files: Map<string, string>;
    try {
      files = generate(text, genOptions(manifest, outDir));
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      ctx.stderr(formatDiagnostics(error.file, error.text, error.diagnostics));
      const n = error.diagnostics.length;
      ctx.stderr(`${n} error${n === 1 ? '' : 's'} in ${printable(manifest)}; nothing written\n`);
      return 2;
    }
    const shown = (name: string): string => printable(relative(process.cwd(), join(outDir, name)).split('\\').join('/'));
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
      ctx.stderr(`spanwright: cannot write ${printable(outDir)}: it is not a directory\n`);
      return 2;
    }
    if (check) {
      const stale = changedFiles(outDir, files);
      if (stale.length === 0) {
        ctx.stdout(`spanwright: ${printable(outDir)} is up to date with ${printable(manifest)}\n`);
        return 0;
      }
      ctx.stderr(`spanwright: generated files differ from ${printable(manifest)}:\n${stale.map((n) => `  ${shown(n)}\n`).join('')}run ${regenerateCommand(manifest, outDir, process.cwd())}\n`);
      return 1;
    }
    let written: string[];
    try {
      written = writeFiles(outDir, files);
    } catch (error) {
      if (!(error instanceof FileError)) throw error;
      // writeFiles renames nothing unless every file was written: the old files are all still there.
      ctx.stderr(`spanwright: cannot write ${printable(error.path)}: ${error.reason}\n`);
      return 2;
    }
    if (written.length === 0) ctx.stdout(`spanwright: ${printable(outDir)} is up to date with ${printable(manifest)}\n`);
    else ctx.stdout(written.map((n) => `spanwright: wrote ${shown(n)}\n`).join(''));
    return 0;
  },
});

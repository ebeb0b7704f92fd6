/**
 * `spanwright migrate [files…] [--manifest tracing.yaml] [--from git:HEAD] [--write]`: renames
 * come from diffing `--from` against the manifest; without `--from`, from the manifest's own
 * `renamed_from` hints. Lists the edits (dry run) or, with `--write`, makes them. The rewriting
 * (ts-morph) is ../changes/migrate.ts.
 */
import { relative } from 'node:path';
import type { ManifestModel } from '@spanwright/runtime';
import type { SpanRenames } from '../changes/diff';
import { defineVerb, runVerb, type CommandIO } from './command';

export const migrate = defineVerb({
  name: 'migrate',
  summary: 'rewrite call sites after renames',
  args: '[files…]',
  options: {
    manifest: { type: 'string', value: '<file>', help: 'the manifest (default: tracing.yaml)' },
    from: { type: 'string', value: '<file>|git:<ref>', help: 'the manifest before the renames (default: the renamed_from hints)' },
    write: { type: 'boolean', help: 'make the edits (without it: list them, write nothing)' },
  },
  exitCodes: [
    [0, 'edits listed or made, or nothing to do'],
    [2, 'bad arguments, or an unreadable or invalid manifest'],
  ],
  async run({ values, positionals }, ctx) {
    const { stdout, stderr, cwd, loadModel } = ctx;
    const { describeLoadError, readManifestSource } = require('../changes/git-source') as typeof import('../changes/git-source');
    const { findRenames } = require('../changes/diff') as typeof import('../changes/diff');
    const manifestPath = values.manifest ?? 'tracing.yaml';
    let oldModel: ManifestModel;
    let newModel: ManifestModel;
    let fromLabel: string;
    try {
      const current = await readManifestSource(manifestPath, { defaultPath: manifestPath, cwd });
      newModel = loadModel(current.label, current.text);
      if (values.from === undefined) {
        oldModel = (require('../changes/migrate') as typeof import('../changes/migrate')).previousManifest(newModel);
        fromLabel = `the renamed_from hints of ${current.label}`;
      } else {
        const previous = await readManifestSource(values.from, { defaultPath: manifestPath, cwd });
        oldModel = loadModel(previous.label, previous.text);
        fromLabel = previous.label;
      }
    } catch (error) {
      stderr(describeLoadError('migrate', error));
      return 2;
    }

    const renames = findRenames(oldModel, newModel);
    if (renames.length === 0) {
      stdout(`spanwright migrate: no renames in ${fromLabel}; nothing to do\n`);
      return 0;
    }
    const { applyMigration, loadProject, planMigration } = require('../changes/migrate') as typeof import('../changes/migrate');
    const edits = planMigration(loadProject(positionals, cwd), renames);
    const shown = (file: string): string => relative(cwd, file).split('\\').join('/');
    const lines = edits.map((edit) => `  ${shown(edit.file)}:${edit.line}:${edit.col}  ${edit.description}`);
    const write = values.write === true;
    const files = new Set(edits.map((edit) => edit.file)).size;
    const summary = `${edits.length} ${edits.length === 1 ? 'edit' : 'edits'} in ${files} ${files === 1 ? 'file' : 'files'}`;
    if (edits.length === 0) {
      stdout(`spanwright migrate: ${describeRenames(renames)}; no call sites to rewrite\n`);
      return 0;
    }
    if (write) applyMigration(edits);
    stdout(
      `spanwright migrate: ${describeRenames(renames)}; ${write ? 'made' : 'would make'} ${summary}:\n${lines.join('\n')}\n` +
        (write ? '' : 'dry run: nothing written; pass --write to apply\n'),
    );
    return 0;
  },
});

function describeRenames(renames: readonly SpanRenames[]): string {
  const count = (span: SpanRenames): number =>
    (span.renamed ? 1 : 0) + span.attributes.length + span.events.reduce((n, e) => n + (e.renamed ? 1 : 0) + e.attributes.length, 0);
  const total = renames.reduce((n, span) => n + count(span), 0);
  return `${total} ${total === 1 ? 'rename' : 'renames'}`;
}

/** `spanwright migrate …` with the arguments after `migrate`. */
export const runMigrateCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(migrate, argv, io);

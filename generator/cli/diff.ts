/**
 * `spanwright diff <old> [new] [--allow-breaking] [--json]`: its arguments and its report;
 * the comparison is ../changes/diff.ts.
 */
import type { ManifestModel } from '@spanwright/runtime';
import { defineVerb, runVerb, type CommandIO } from './command';

export const diff = defineVerb({
  name: 'diff',
  summary: 'compare two manifests, flag breaking changes',
  args: '<old> [new]',
  usageNote: '(old/new: a file or git:<ref>; new defaults to tracing.yaml)',
  options: {
    'allow-breaking': { type: 'boolean', help: 'exit 0 even when something breaks' },
    json: { type: 'boolean', help: 'print the changes as JSON' },
  },
  exitCodes: [
    [0, 'no breaking change (or --allow-breaking)'],
    [1, 'something breaks'],
    [2, 'bad arguments, or an unreadable or invalid manifest'],
  ],
  async run({ values, positionals }, ctx) {
    const { stdout, stderr, cwd, loadModel } = ctx;
    const [oldSpec, newSpec = 'tracing.yaml', ...extra] = positionals;
    if (oldSpec === undefined || extra.length > 0) {
      return ctx.usageError(oldSpec === undefined ? 'missing <old>' : `unexpected argument "${extra[0]}"`);
    }
    const { describeLoadError, readManifestSource } = require('../changes/git-source') as typeof import('../changes/git-source');
    const { diffManifests } = require('../changes/diff') as typeof import('../changes/diff');
    let oldModel: ManifestModel;
    let newModel: ManifestModel;
    let labels: [string, string];
    try {
      // `git:<ref>` on the old side reads the new side's manifest path at that ref.
      const defaultPath = newSpec.startsWith('git:') ? 'tracing.yaml' : newSpec;
      const [oldSource, newSource] = await Promise.all([
        readManifestSource(oldSpec, { defaultPath, cwd }),
        readManifestSource(newSpec, { defaultPath: 'tracing.yaml', cwd }),
      ]);
      labels = [oldSource.label, newSource.label];
      oldModel = loadModel(oldSource.label, oldSource.text);
      newModel = loadModel(newSource.label, newSource.text);
    } catch (error) {
      stderr(describeLoadError('diff', error));
      return 2;
    }

    const changes = diffManifests(oldModel, newModel);
    const breaking = changes.filter((change) => change.breaking).length;
    const allowed = values['allow-breaking'] === true;
    if (values.json === true) {
      stdout(`${JSON.stringify({ old: labels[0], new: labels[1], breaking, changes }, null, 2)}\n`);
    } else if (changes.length === 0) {
      stdout(`spanwright diff: no changes from ${labels[0]} to ${labels[1]}\n`);
    } else {
      const lines = [
        `spanwright diff: ${changes.length} ${changes.length === 1 ? 'change' : 'changes'} (${breaking} breaking) from ${labels[0]} to ${labels[1]}`,
        ...changes.map((change) => `  ${change.breaking ? 'breaking' : 'ok      '}  ${change.message}`),
      ];
      stdout(`${lines.join('\n')}\n`);
    }
    if (breaking > 0 && !allowed) {
      const renames = changes.some((change) => change.kind === 'renamed');
      stderr(
        `spanwright diff: ${breaking} breaking ${breaking === 1 ? 'change' : 'changes'}: dashboards, alerts and call sites relying on the old names break. ` +
          `Pass --allow-breaking if this is intended${renames ? '; run spanwright migrate to update call sites of renamed helpers' : ''}.\n`,
      );
      return 1;
    }
    return 0;
  },
});

/** `spanwright diff …` with the arguments after `diff`. */
export const runDiffCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(diff, argv, io);

/** `spanwright init [--dir <project>]`: its arguments; what it does is ../init.ts. */
import { defineVerb, runVerb, type CommandIO } from './command';

export const init = defineVerb({
  name: 'init',
  summary: 'start a project: tracing.yaml, gen scripts, the preload line',
  usageNote: '(default: the current directory)',
  options: {
    dir: { type: 'string', value: '<project>', help: 'the project folder (the one with package.json)' },
  },
  exitCodes: [
    [0, 'tracing.yaml written (and the scripts added)'],
    [2, 'tracing.yaml already exists, package.json is not valid JSON, or bad arguments; nothing written'],
  ],
  async run({ values }, ctx) {
    if (values.dir === '') return ctx.usageError("option '--dir' needs a value");
    const { initProject } = require('../init') as typeof import('../init');
    return initProject(ctx, values.dir);
  },
});

/** `spanwright init …` with the arguments after `init`. */
export const runInitCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(init, argv, io);

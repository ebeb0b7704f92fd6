/**
 * `spanwright doctor [--manifest <file>] [--out <dir>]`: prints what the bootstrap would set
 * up for this manifest and the current environment (enabled, environment, ratio, exporters and
 * endpoint with secrets masked, instrumentations), then what looks wrong, including a generated
 * bootstrap that is missing or out of date (nothing would start tracing as declared), and
 * whether the OTLP endpoint answers.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defineVerb, runVerb, type CommandIO } from './command';

export const doctor = defineVerb({
  name: 'doctor',
  summary: 'show what the bootstrap would set up here, and what looks wrong',
  usageNote: '(defaults: tracing.yaml, generated)',
  options: {
    manifest: { type: 'string', value: '<file>', help: 'the manifest: a file or git:<ref> (default: tracing.yaml)' },
    out: { type: 'string', value: '<dir>', help: 'where gen writes, to check that its files are up to date (default: generated)' },
  },
  exitCodes: [
    [0, 'nothing looks wrong'],
    [1, 'something does (listed)'],
    [2, 'bad arguments, or an unreadable or invalid manifest'],
  ],
  async run({ values }, ctx) {
    const { diagnose, doctorLines, probeEndpoint } = require('@spanwright/runtime') as typeof import('@spanwright/runtime');
    const { describeLoadError, readManifestSource } = require('../changes/git-source') as typeof import('../changes/git-source');
    const manifest = values.manifest ?? 'tracing.yaml';
    let report;
    let stale: string[];
    let model;
    try {
      const source = await readManifestSource(manifest, { defaultPath: manifest, cwd: ctx.cwd });
      model = ctx.loadModel(source.label, source.text);
      report = diagnose(model, ctx.env);
      // A manifest read from git says nothing about the files in this checkout.
      stale = manifest.startsWith('git:') ? [] : await generatedProblems(source.text, manifest, values.out ?? 'generated', ctx.cwd);
    } catch (error) {
      ctx.stderr(describeLoadError('doctor', error));
      return 2;
    }
    const probe = await probeEndpoint(model, ctx.env);
    report = {
      configuration: [...report.configuration, ...(probe?.ok === true ? [probe.line] : [])],
      problems: [...report.problems, ...(probe?.ok === false ? [probe.line] : []), ...stale],
    };
    ctx.stdout(`${doctorLines(report).join('\n')}\n`);
    return report.problems.length === 0 ? 0 : 1;
  },
});

/** What is wrong with `<out>/` compared with what `gen` would write from `text`. */
async function generatedProblems(text: string, manifest: string, out: string, cwd: string): Promise<string[]> {
  const { changedFiles, genOptions, regenerateCommand } = require('../files') as typeof import('../files');
  const { generate } = require('../generate') as typeof import('../generate');
  const outDir = resolve(cwd, out);
  const stale = changedFiles(outDir, generate(text, genOptions(resolve(cwd, manifest), outDir)));
  if (stale.length === 0) return [];
  const shown = (name: string): string => relative(cwd, join(outDir, name)).split('\\').join('/');
  const fix = regenerateCommand(resolve(cwd, manifest), outDir, cwd);
  if (!existsSync(join(outDir, 'bootstrap.ts'))) {
    return [`spanwright: ${shown('bootstrap.ts')} is missing, so nothing starts tracing; run ${fix}, then preload the bootstrap`];
  }
  return [`spanwright: generated files differ from ${manifest}: ${stale.map(shown).join(', ')}; run ${fix}`];
}

/** `spanwright doctor …` with the arguments after `doctor`. */
export const runDoctorCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(doctor, argv, io);

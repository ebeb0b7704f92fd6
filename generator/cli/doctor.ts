/**
 * `spanwright doctor [--manifest <file>] [--out <dir>]`: prints what the bootstrap would set
 * up for this manifest and the current environment (enabled, environment, ratio, exporters and
 * endpoint with secrets masked, instrumentations), then what looks wrong, including a generated
 * bootstrap that is missing or out of date (nothing would start tracing as declared), and
 * whether the OTLP endpoint answers. Exit 0
 * when nothing does, 1 when something does, 2 for bad arguments or an invalid manifest.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { diagnose, doctorLines, probeEndpoint } from '@spanwright/runtime';
import { parseCommand, type CommandIO } from './command';
import { changedFiles, genOptions, regenerateCommand } from './files';
import { generate } from './generate';
import { describeLoadError, readManifestSource } from './git-source';

const DOCTOR = {
  name: 'doctor',
  usage: 'usage: spanwright doctor [--manifest <file>] [--out <dir>]   (defaults: tracing.yaml, generated)',
  options: { manifest: { type: 'string' }, out: { type: 'string' } },
} as const;

/** What is wrong with `<out>/` compared with what `gen` would write from `text`. */
function generatedProblems(text: string, manifest: string, out: string, cwd: string): string[] {
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

export async function runDoctorCommand(argv: readonly string[], io: CommandIO = {}): Promise<number> {
  const parsed = parseCommand(DOCTOR, argv, io);
  if (typeof parsed === 'number') return parsed;
  const { ctx, values } = parsed;
  const { stdout, stderr } = ctx;
  const manifest = values.manifest ?? 'tracing.yaml';
  let report;
  let stale: string[];
  let model;
  try {
    const source = await readManifestSource(manifest, { defaultPath: manifest, cwd: ctx.cwd });
    model = ctx.loadModel(source.label, source.text);
    report = diagnose(model, ctx.env);
    // A manifest read from git says nothing about the files in this checkout.
    stale = manifest.startsWith('git:') ? [] : generatedProblems(source.text, manifest, values.out ?? 'generated', ctx.cwd);
  } catch (error) {
    stderr(describeLoadError('doctor', error));
    return 2;
  }
  const probe = await probeEndpoint(model, ctx.env);
  report = {
    configuration: [...report.configuration, ...(probe?.ok === true ? [probe.line] : [])],
    problems: [...report.problems, ...(probe?.ok === false ? [probe.line] : []), ...stale],
  };
  stdout(`${doctorLines(report).join('\n')}\n`);
  return report.problems.length === 0 ? 0 : 1;
}

/**
 * `spanwright doctor [--manifest <file>]`: prints what the bootstrap would set
 * up for this manifest and the current environment (enabled, environment,
 * ratio, exporters and endpoint with secrets masked, instrumentations), whether
 * the OTLP endpoint answers, whether generated/ is up to date with the manifest
 * (as `gen --check`), then what looks wrong. Exit 0 when nothing does, 1 when
 * something does, 2 for bad arguments or an invalid manifest.
 */
import { join, relative, resolve } from 'node:path';
import { diagnose, doctorLines, probeEndpoint } from '../runtime/doctor';
import { parseCommand, type CommandIO } from './command';
import { changedFiles, runtimeImportFor, sourceName } from './files';
import { generate } from './generate';
import { describeLoadError, readManifestSource } from './git-source';

/** Like `gen --check`: the generated files that differ from what the manifest gives, as problem lines. */
function staleGenerated(cwd: string, manifest: string, text: string): string[] {
  if (manifest.startsWith('git:')) return [];
  const outDir = resolve(cwd, 'generated');
  const files = generate(text, { file: manifest, source: sourceName(resolve(cwd, manifest), outDir), runtimeImport: runtimeImportFor(outDir) });
  const stale = changedFiles(outDir, files);
  if (stale.length === 0) return [];
  const shown = stale.map((name) => relative(cwd, join(outDir, name)).split('\\').join('/'));
  return [`spanwright: generated files differ from ${manifest}: ${shown.join(', ')}; run npm run gen`];
}

const DOCTOR = {
  name: 'doctor',
  usage: 'usage: spanwright doctor [--manifest <file>]   (default: tracing.yaml)',
  options: { manifest: { type: 'string' } },
} as const;

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
    stale = staleGenerated(ctx.cwd, manifest, source.text);
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

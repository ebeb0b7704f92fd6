/**
 * `spanwright doctor [--manifest <file>]`: prints what the bootstrap would set
 * up for this manifest and the current environment (enabled, environment,
 * ratio, exporters and endpoint with secrets masked, instrumentations), then
 * what looks wrong. Exit 0 when nothing does, 1 when something does, 2 for bad
 * arguments or an invalid manifest.
 */
import { diagnose, doctorLines } from '@spanwright/runtime';
import { parseCommand, type CommandIO } from './command';
import { describeLoadError, readManifestSource } from './git-source';

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
  try {
    const source = await readManifestSource(manifest, { defaultPath: manifest, cwd: ctx.cwd });
    report = diagnose(ctx.loadModel(source.label, source.text), ctx.env);
  } catch (error) {
    stderr(describeLoadError('doctor', error));
    return 2;
  }
  stdout(`${doctorLines(report).join('\n')}\n`);
  return report.problems.length === 0 ? 0 : 1;
}

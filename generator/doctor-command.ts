/**
 * `spanwright doctor [--manifest <file>]`: prints what the bootstrap would set
 * up for this manifest and the current environment (enabled, environment,
 * ratio, exporters and endpoint with secrets masked, instrumentations), then
 * what looks wrong. Exit 0 when nothing does, 1 when something does, 2 for bad
 * arguments or an invalid manifest.
 */
import { parseArgs } from 'node:util';
import { diagnose } from '../runtime/doctor';
import { defaultModelLoader, describeLoadError, readManifestSource } from './git-source';

const DOCTOR_USAGE = 'usage: spanwright doctor [--manifest <file>]   (default: tracing.yaml)';

export async function runDoctorCommand(
  argv: readonly string[],
  io: { stdout?: (text: string) => void; stderr?: (text: string) => void; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: { manifest: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    stderr(`spanwright doctor: ${(error as Error).message}\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    stdout(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  const manifest = parsed.values.manifest ?? 'tracing.yaml';
  let report;
  try {
    const source = await readManifestSource(manifest, { defaultPath: manifest, cwd: io.cwd });
    report = diagnose(defaultModelLoader(source.label, source.text), io.env ?? process.env);
  } catch (error) {
    stderr(describeLoadError('doctor', error));
    return 2;
  }
  stdout(`${report.configuration.join('\n')}\n`);
  if (report.problems.length === 0) {
    stdout('spanwright: no problems found in the configuration\n');
    return 0;
  }
  stdout(`${report.problems.join('\n')}\n`);
  return 1;
}

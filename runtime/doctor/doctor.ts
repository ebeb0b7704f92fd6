/**
 * `spanwright doctor`: what the runtime would configure for this manifest and
 * environment, and why traces might not appear. `diagnose` is pure: reads
 * `env`, prints nothing, starts nothing; `probeEndpoint` connects to the OTLP
 * endpoint. The CLI prints the lines.
 */
import type { ManifestModel } from '../manifest/model';
import { resolveConfig } from '../config/resolve';
import { configHints, configProblems, describeConfig } from './describe';
import { probeOtlp, type ProbeResult } from './otlp-probe';

export interface DoctorReport {
  /** The configuration, one line a setting, secrets masked. */
  readonly configuration: readonly string[];
  /** Invalid values, likely mistakes and hints; empty when nothing looks wrong. */
  readonly problems: readonly string[];
}

export function diagnose(manifest: ManifestModel, env: NodeJS.ProcessEnv = process.env): DoctorReport {
  const { config, warnings } = resolveConfig(manifest, env);
  return {
    configuration: describeConfig(config),
    problems: [...warnings, ...configProblems(config), ...configHints(config)],
  };
}

/** The report as printed: the configuration, then the problems or a line saying there are none. */
export function doctorLines({ configuration, problems }: DoctorReport): string[] {
  return [...configuration, ...(problems.length > 0 ? problems : ['spanwright: no problems found in the configuration'])];
}

export function runDoctor(manifest: ManifestModel, env: NodeJS.ProcessEnv = process.env): string[] {
  return doctorLines(diagnose(manifest, env));
}

/** Whether the OTLP endpoint the configuration exports to answers; undefined when there is none. */
export async function probeEndpoint(manifest: ManifestModel, env: NodeJS.ProcessEnv = process.env): Promise<ProbeResult | undefined> {
  const { config } = resolveConfig(manifest, env);
  return config.enabled && config.otlp !== undefined ? probeOtlp(config.otlp) : undefined;
}

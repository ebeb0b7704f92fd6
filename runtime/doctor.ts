/**
 * `spanwright doctor`: what the runtime would configure for this manifest and
 * environment, and why traces might not appear. Pure: reads `env`, prints
 * nothing, starts nothing; the CLI prints the lines.
 */
import type { ManifestModel } from './model';
import { resolveConfig } from './config';
import { configHints, configProblems, describeConfig } from './describe';

export function runDoctor(manifest: ManifestModel, env: NodeJS.ProcessEnv = process.env): string[] {
  const { config, warnings } = resolveConfig(manifest, env);
  const problems = [...warnings, ...configProblems(config), ...configHints(config)];
  return [
    ...describeConfig(config),
    ...(problems.length > 0 ? problems : ['spanwright: no problems found in the configuration']),
  ];
}

/**
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, and how they meet the seed's
 * OTEL_SAMPLING_RATIO and the manifest's `sampling` (docs/configuration.md,
 * "Precedence"):
 *
 * - OTEL_TRACES_SAMPLER picks the sampler; unset, it is
 *   `parentbased_traceidratio`, as the seed always was.
 * - The ratio of a ratio sampler is OTEL_TRACES_SAMPLER_ARG, else
 *   OTEL_SAMPLING_RATIO, else the environment's `sampling`, else 1. Route
 *   rules apply to ratio samplers only: `always_*` means every trace, or none.
 * - A seed variable that says something else than a specification variable
 *   gives one warning naming both; the specification's wins.
 *
 * Pure: config/resolve.ts calls it; sdk/install.ts builds the sampler from the result.
 */
import { envValue, parseRatio } from './env-values';
import type { EnvWarnings } from './env-warnings';

export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** In the specification's list, but need a remote service or a vendor package spanwright does not ship. */
const UNSUPPORTED_SAMPLERS = new Set(['jaeger_remote', 'parentbased_jaeger_remote', 'xray']);

export const DEFAULT_SAMPLER: SamplerName = 'parentbased_traceidratio';

export interface SamplerConfig {
  readonly name: SamplerName;
  /** Where the name came from: `OTEL_TRACES_SAMPLER` or `default`. */
  readonly from: string;
  /** The root ratio: the ratio sampler's, 1 for always_on, 0 for always_off. */
  readonly ratio: number;
  /** Where the ratio came from (a variable, `tracing.yaml environments.<name>`, `default`), or the sampler for always_*. */
  readonly ratioFrom: string;
  /** Whether the child of a sampled (or not sampled) parent follows its parent. */
  readonly parentBased: boolean;
  /** Whether the manifest's per-route rules apply (ratio samplers only). */
  readonly useRules: boolean;
}

export interface SeedRatio {
  readonly ratio: number;
  /** `OTEL_SAMPLING_RATIO`, `tracing.yaml environments.<name>` or `default`. */
  readonly from: string;
}

/** Where the seed's ratio (already resolved by config/resolve.ts) came from. */
export function seedRatioSource(env: NodeJS.ProcessEnv, settingsName: string | undefined): string {
  const text = envValue(env, 'OTEL_SAMPLING_RATIO');
  if (text !== undefined && parseRatio(text) !== undefined) return 'OTEL_SAMPLING_RATIO';
  return settingsName !== undefined ? `tracing.yaml environments.${settingsName}` : 'default';
}

function isRatioSampler(name: SamplerName): boolean {
  return name === 'traceidratio' || name === 'parentbased_traceidratio';
}

function readSamplerName(env: NodeJS.ProcessEnv, warnings: EnvWarnings): SamplerName | undefined {
  const text = envValue(env, 'OTEL_TRACES_SAMPLER');
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if ((SAMPLER_NAMES as readonly string[]).includes(lower)) return lower as SamplerName;
  const why = UNSUPPORTED_SAMPLERS.has(lower) ? 'is not supported by spanwright' : `is not one of ${SAMPLER_NAMES.join(', ')}`;
  warnings.invalid('OTEL_TRACES_SAMPLER', text, why, DEFAULT_SAMPLER);
  return undefined;
}

export function resolveSampler(env: NodeJS.ProcessEnv, seed: SeedRatio, warnings: EnvWarnings): SamplerConfig {
  const named = readSamplerName(env, warnings);
  const name = named ?? DEFAULT_SAMPLER;
  const from = named !== undefined ? 'OTEL_TRACES_SAMPLER' : 'default';
  const parentBased = name.startsWith('parentbased_');
  const argText = envValue(env, 'OTEL_TRACES_SAMPLER_ARG');
  const seedSet = seed.from === 'OTEL_SAMPLING_RATIO';

  if (!isRatioSampler(name)) {
    const ratio = name.endsWith('always_on') ? 1 : 0;
    if (argText !== undefined) {
      warnings.add(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(argText)} is ignored: OTEL_TRACES_SAMPLER=${name} takes no argument`);
    }
    if (seedSet && seed.ratio !== ratio) {
      warnings.add(
        `OTEL_SAMPLING_RATIO=${seed.ratio} and OTEL_TRACES_SAMPLER=${name} disagree; using OTEL_TRACES_SAMPLER=${name}`,
      );
    }
    return { name, from, ratio, ratioFrom: `OTEL_TRACES_SAMPLER=${name}`, parentBased, useRules: false };
  }

  if (argText === undefined) return { name, from, ratio: seed.ratio, ratioFrom: seed.from, parentBased, useRules: true };
  if (named === undefined) {
    warnings.add(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(argText)} is ignored without OTEL_TRACES_SAMPLER; using ratio ${seed.ratio} (${seed.from})`);
    return { name, from, ratio: seed.ratio, ratioFrom: seed.from, parentBased, useRules: true };
  }
  const arg = parseRatio(argText);
  if (arg === undefined) {
    warnings.invalid('OTEL_TRACES_SAMPLER_ARG', argText, 'is not a number between 0 and 1', `${seed.ratio} (${seed.from})`);
    return { name, from, ratio: seed.ratio, ratioFrom: seed.from, parentBased, useRules: true };
  }
  if (seedSet && seed.ratio !== arg) {
    warnings.add(`OTEL_SAMPLING_RATIO=${seed.ratio} and OTEL_TRACES_SAMPLER_ARG=${arg} disagree; using OTEL_TRACES_SAMPLER_ARG=${arg}`);
  }
  return { name, from, ratio: arg, ratioFrom: 'OTEL_TRACES_SAMPLER_ARG', parentBased, useRules: true };
}

/** `parentbased_traceidratio(0.1)`-style text for the doctor and the info lines. */
export function describeSampler(s: SamplerConfig): string {
  return isRatioSampler(s.name) ? `${s.name} (ratio ${s.ratio} from ${s.ratioFrom})` : s.name;
}

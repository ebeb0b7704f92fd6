/** A ManifestModel built by hand, as the generator would emit it, for runtime tests. */
import type { EnvironmentModel, InstrumentationModel, ManifestModel } from '../../runtime/manifest/model';

export const NO_INSTRUMENTATION: InstrumentationModel = {};

export const ALL_INSTRUMENTATION = {
  http: { ignoreIncomingPaths: ['/healthz'] },
  koa: { layers: ['router'] },
  knex: { maxQueryLength: 40 },
  fetch: {},
  pino: {},
} as const satisfies InstrumentationModel;

/** `model` with the instrumentations `keys` turned off (left out). */
export function without(model: InstrumentationModel, ...keys: readonly string[]): InstrumentationModel {
  return Object.fromEntries(Object.entries(model).filter(([key]) => !keys.includes(key)));
}

function env(name: string, fields: Partial<EnvironmentModel> = {}): EnvironmentModel {
  return { name, sampling: 1, console: false, rules: [], ...fields };
}

export function makeManifest(overrides: Partial<ManifestModel> = {}): ManifestModel {
  return {
    version: 1,
    source: 'tracing.yaml',
    service: { name: 'predictions-api', version: '1.2.3', attributePrefix: 'app' },
    environments: {
      development: env('development', { sampling: 1, console: true }),
      staging: env('staging', { sampling: 0.5 }),
      production: env('production', { sampling: 0.1, rules: [{ route: '/healthz', sampling: 0 }] }),
    },
    peers: [{ name: 'espn', host: '127.0.0.1:3001' }],
    instrumentation: NO_INSTRUMENTATION,
    attributes: [],
    spans: [],
    ...overrides,
  };
}

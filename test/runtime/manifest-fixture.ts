/** A ManifestModel built by hand, as the generator would emit it, for runtime tests. */
import type { EnvironmentModel, InstrumentationModel, ManifestModel } from '../../runtime/manifest/model';

export const NO_INSTRUMENTATION: InstrumentationModel = {
  http: false,
  httpIgnoreIncomingPaths: [],
  koa: false,
  koaLayers: [],
  knex: false,
  knexMaxQueryLength: 1000,
  fetch: false,
  pino: false,
};

export const ALL_INSTRUMENTATION: InstrumentationModel = {
  http: true,
  httpIgnoreIncomingPaths: ['/healthz'],
  koa: true,
  koaLayers: ['router'],
  knex: true,
  knexMaxQueryLength: 40,
  fetch: true,
  pino: true,
};

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

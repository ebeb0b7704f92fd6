/**
 * The instrumentations spanwright knows, in load order: adding one is its
 * definition module and a line here. Everything else is derived from this
 * list: the bootstrap's instrumentations and span processors, doctor's line,
 * the start-up warnings, and (in the generator) the schema, the model and TRACING.md.
 *
 * Semantic conventions: at the pinned versions http (0.223), undici (0.33)
 * and knex (0.67) emit the stable names only (`http.request.method`,
 * `url.full`, `db.system.name`, `db.query.text`, …), so no
 * OTEL_SEMCONV_STABILITY_OPT_IN is needed; a user-set value is left alone.
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedConfig } from '../config/resolve';
import type { InstrumentationModel } from '../manifest/model';
import { optionsOf, type InstrumentationDefinition, type InstrumentationHooks } from './definition';
import { fetch } from './fetch';
import { http } from './http';
import { knex } from './knex';
import { koa } from './koa';
import { createPeerLookup } from './peers';
import { pino } from './pino';

export type { InstrumentationDefinition, InstrumentationHooks } from './definition';

export const INSTRUMENTATIONS: readonly InstrumentationDefinition[] = [http, koa, knex, fetch, pino];

interface Declared {
  readonly definition: InstrumentationDefinition;
  readonly options: object;
}

/** The declared instrumentations with their options, in load order. */
function declared(model: InstrumentationModel, definitions: readonly InstrumentationDefinition[]): Declared[] {
  return definitions.flatMap((definition) => {
    const options = optionsOf(definition, model);
    return options === undefined ? [] : [{ definition, options }];
  });
}

/** The instrumentation names, in load order, for diagnostics. */
export function declaredInstrumentations(config: ResolvedConfig, definitions = INSTRUMENTATIONS): string[] {
  return declared(config.instrumentation, definitions).map(({ definition, options }) => definition.describe(options));
}

/** The instrumentations the manifest declares, and only those: an undeclared one loads nothing. */
export function createInstrumentations(config: ResolvedConfig, hooks: InstrumentationHooks = {}, definitions = INSTRUMENTATIONS): Instrumentation[] {
  const peers = createPeerLookup(config.peers);
  return declared(config.instrumentation, definitions).flatMap(({ definition, options }) => definition.create(options, { peers, hooks }));
}

/** The span processors the declared instrumentations need. */
export function createSpanProcessors(config: ResolvedConfig, definitions = INSTRUMENTATIONS): SpanProcessor[] {
  return declared(config.instrumentation, definitions).flatMap(({ definition, options }) => definition.spanProcessors?.(options) ?? []);
}

/** One warning for each declared instrumentation declared without the one it needs. */
export function unmetNeeds(model: InstrumentationModel, definitions = INSTRUMENTATIONS): string[] {
  return declared(model, definitions).flatMap(({ definition: { key, needs } }) =>
    needs === undefined || model[needs.key] !== undefined
      ? []
      : [`spanwright: ${key} is instrumented without ${needs.key}: ${needs.why}; declare ${needs.key} too`],
  );
}

/** Modules that must load after the bootstrap for their instrumentation to apply; of the declared ones with a model. */
export function watchedModules(model?: InstrumentationModel, definitions = INSTRUMENTATIONS): string[] {
  const chosen = model === undefined ? definitions : declared(model, definitions).map(({ definition }) => definition);
  const names = chosen.flatMap((definition) => definition.patches.filter((patch) => patch.watchLoadOrder === true).flatMap((patch) => patch.modules));
  return [...new Set(names)];
}

/**
 * Watched packages already in `require.cache`: loaded before the bootstrap,
 * so their instrumentation will miss them.
 */
export function modulesLoadedEarly(cache: NodeJS.Require['cache'] = require.cache, definitions = INSTRUMENTATIONS): string[] {
  const watched = watchedModules(undefined, definitions);
  const found = new Set<string>();
  for (const file of Object.keys(cache)) {
    for (const name of watched) {
      if (file.includes(`/node_modules/${name}/`) || file.includes(`\\node_modules\\${name}\\`)) {
        found.add(name);
      }
    }
  }
  return [...found].sort();
}

/**
 * The instrumentations the manifest declares, and only those: each package
 * is required here, lazily, so an undeclared one costs nothing at start-up.
 *
 * Semantic conventions: at the pinned versions http (0.223), undici (0.33)
 * and knex (0.67) emit the stable names only (`http.request.method`,
 * `url.full`, `db.system.name`, `db.query.text`, …), so no
 * OTEL_SEMCONV_STABILITY_OPT_IN is needed; a user-set value is left alone.
 */
import type { Attributes } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { RequestOptions } from 'node:http';
import type { ResolvedConfig } from '../config/resolve';
import { createPeerLookup, originHostPort, splitHostPort, type PeerLookup } from './peers';
import { routePattern } from '../sampling/route-pattern';

const PEER_SERVICE = 'peer.service';

function peerAttributes(lookup: PeerLookup, host: string | undefined, port: string | number | undefined): Attributes {
  const name = lookup(host, port);
  return name === undefined ? {} : { [PEER_SERVICE]: name };
}

/** Host and port of an outgoing `http.request` (host may carry the port). */
function requestHostPort(options: RequestOptions): { host?: string; port?: string } {
  let host = options.hostname ?? options.host ?? undefined;
  let port = options.port != null ? String(options.port) : undefined;
  if (options.hostname == null && typeof options.host === 'string') {
    const split = splitHostPort(options.host);
    host = split.host;
    port ??= split.port;
  }
  const defaultPort = options.protocol === 'https:' ? '443' : '80';
  return { ...(host != null ? { host } : {}), port: port ?? defaultPort };
}

/** True for incoming paths the manifest says never to trace. */
export function createIgnoredPathTest(paths: readonly string[]): (url: string | undefined) => boolean {
  if (paths.length === 0) return () => false;
  // Runs on every request: plain paths (most, such as /healthz) by a set lookup, only patterns by regex.
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const path of paths) {
    if (/[*:]/.test(path)) patterns.push(routePattern(path));
    else exact.add(path);
  }
  return (url) => {
    if (url === undefined) return false;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    return exact.has(path) || patterns.some((p) => p.test(path));
  };
}

/** The instrumentation names, in load order, for diagnostics. */
export function declaredInstrumentations(config: ResolvedConfig): string[] {
  const i = config.instrumentation;
  return [
    i.http ? 'http' : undefined,
    i.koa ? `koa (${i.koaLayers.length > 0 ? `${i.koaLayers.join(', ')} layer spans` : 'route names only'})` : undefined,
    i.knex ? `knex (db.query.text ≤ ${i.knexMaxQueryLength} chars)` : undefined,
    i.fetch ? 'undici/fetch' : undefined,
    i.pino ? 'pino' : undefined,
  ].filter((name): name is string => name !== undefined);
}

export interface InstrumentationHooks {
  /** Called once after the first incoming requests (needs `http`): the patch check. */
  readonly afterFirstRequests?: { readonly count: number; readonly callback: () => void };
}

export function createInstrumentations(config: ResolvedConfig, hooks: InstrumentationHooks = {}): Instrumentation[] {
  const i = config.instrumentation;
  const peers = createPeerLookup(config.peers);
  const out: Instrumentation[] = [];

  if (i.http) {
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
    // Incoming requests: our lean server instrumentation (see http-server.ts); outgoing: OpenTelemetry's.
    const { HttpServerInstrumentation } = require('./http-server') as typeof import('./http-server');
    out.push(
      new HttpServerInstrumentation({
        ignore: createIgnoredPathTest(i.httpIgnoreIncomingPaths),
        ...(hooks.afterFirstRequests !== undefined ? { afterRequests: hooks.afterFirstRequests } : {}),
      }),
    );
    out.push(
      new HttpInstrumentation({
        disableIncomingRequestInstrumentation: true,
        startOutgoingSpanHook: (options: RequestOptions) => {
          const { host, port } = requestHostPort(options);
          return peerAttributes(peers, host, port);
        },
      }),
    );
  }
  if (i.koa) {
    if (i.koaLayers.length > 0) {
      // Router (and, opt-in, middleware) layer spans, and the route on the server span through the
      // request's RPC metadata, from the official package.
      const { KoaInstrumentation, KoaLayerType } = require('@opentelemetry/instrumentation-koa') as typeof import('@opentelemetry/instrumentation-koa');
      const ignoreLayersType = [KoaLayerType.ROUTER, KoaLayerType.MIDDLEWARE].filter((type) => !i.koaLayers.includes(type));
      out.push(new KoaInstrumentation({ ignoreLayersType }));
    }
    // The complement (koa-route.ts): the route of every request, also for routes registered after
    // `app.use(router.routes())`, which the official package never patches; with `layers: []` the only one.
    const { KoaRouteInstrumentation } = require('./koa-route') as typeof import('./koa-route');
    out.push(new KoaRouteInstrumentation());
  }
  if (i.knex) {
    const { KnexInstrumentation } = require('@opentelemetry/instrumentation-knex') as typeof import('@opentelemetry/instrumentation-knex');
    // The instrumentation records the SQL text with placeholders (`query.sql`), never the bindings.
    out.push(new KnexInstrumentation({ maxQueryLength: i.knexMaxQueryLength, requireParentSpan: true }));
  }
  if (i.fetch) {
    const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
    out.push(
      new UndiciInstrumentation({
        startSpanHook: (request) => {
          const origin = originHostPort(request.origin);
          return peerAttributes(peers, origin?.host, origin?.port);
        },
      }),
    );
  }
  if (i.pino) {
    const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
    // Correlation only: logs export stays off.
    out.push(new PinoInstrumentation({ disableLogSending: true }));
  }
  return out;
}

/** Modules that must load after the bootstrap for their instrumentation to apply (it patches them). */
const WATCHED_MODULES = ['koa', 'knex'] as const;

/**
 * Watched packages already in `require.cache`: loaded before the bootstrap,
 * so their instrumentation will miss them.
 */
export function modulesLoadedEarly(cache: NodeJS.Require['cache'] = require.cache): string[] {
  const found = new Set<string>();
  for (const file of Object.keys(cache)) {
    for (const name of WATCHED_MODULES) {
      if (file.includes(`/node_modules/${name}/`) || file.includes(`\\node_modules\\${name}\\`)) {
        found.add(name);
      }
    }
  }
  return [...found].sort();
}

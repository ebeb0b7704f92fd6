/**
 * `instrumentation.http`: incoming requests through our lean server instrumentation
 * (http-server.ts), outgoing ones through @opentelemetry/instrumentation-http.
 */
import type { RequestOptions } from 'node:http';
import type { InstrumentationDefinition } from './definition';
import { peerAttributes, splitHostPort } from './peers';
import { routePattern } from '../sampling/route-pattern';

export interface HttpOptions {
  /** Incoming paths never traced (e.g. `/healthz`). */
  readonly ignoreIncomingPaths: readonly string[];
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

export const http: InstrumentationDefinition<HttpOptions> = {
  key: 'http',
  name: 'http',
  package: '@opentelemetry/instrumentation-http',
  description: 'Node http/https server and client spans (@opentelemetry/instrumentation-http).',
  options: {
    ignoreIncomingPaths: {
      description: 'Incoming request paths that are never traced, e.g. /healthz.',
      type: 'array',
      items: { description: 'An exact request path.', type: 'string', pattern: '^/' },
    },
  },
  patches: [
    {
      modules: ['http', 'https'],
      what: "`http.Server.prototype.emit` (`'request'`), for `http` and `https`",
      where: 'runtime/instrumentation/http-server.ts',
      why: 'the SERVER span of incoming requests, without the official package\'s per-request work before the sampler runs',
    },
    {
      modules: ['http', 'https'],
      what: 'outgoing `http.request` / `http.get`',
      where: '@opentelemetry/instrumentation-http',
      why: "CLIENT spans and `traceparent` on outgoing HTTP calls; `peer.service` from the manifest's `peers`",
    },
  ],
  resolve: (given) => ({ ignoreIncomingPaths: [...(given.ignoreIncomingPaths ?? [])] }),
  create(options, { peers, hooks }) {
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
    // Incoming requests: our lean server instrumentation (see http-server.ts); outgoing: OpenTelemetry's.
    const { HttpServerInstrumentation } = require('./http-server') as typeof import('./http-server');
    return [
      new HttpServerInstrumentation({
        ignore: createIgnoredPathTest(options.ignoreIncomingPaths),
        ...(hooks.afterFirstRequests !== undefined ? { afterRequests: hooks.afterFirstRequests } : {}),
      }),
      new HttpInstrumentation({
        disableIncomingRequestInstrumentation: true,
        startOutgoingSpanHook: (request: RequestOptions) => {
          const { host, port } = requestHostPort(request);
          return peerAttributes(peers, host, port);
        },
      }),
    ];
  },
  describe: () => 'http',
  notes: (options) => (options.ignoreIncomingPaths.length === 0 ? '' : `not traced: ${options.ignoreIncomingPaths.map((path) => `\`${path}\``).join(', ')}`),
};

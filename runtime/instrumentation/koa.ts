/**
 * `instrumentation.koa`: layer spans from @opentelemetry/instrumentation-koa (unless `layers: []`),
 * and the route of every request from its complement, koa-route.ts.
 */
import type { InstrumentationDefinition } from './definition';

/** A kind of Koa layer @opentelemetry/instrumentation-koa can make a span for. */
export type KoaLayerName = 'router' | 'middleware';

export interface KoaOptions {
  /**
   * The Koa layers that get a span (`router` by default); empty: no Koa span, server spans are
   * still named after the route.
   */
  readonly layers: readonly KoaLayerName[];
}

const DEFAULT_LAYERS: readonly KoaLayerName[] = ['router'];

export const koa: InstrumentationDefinition<KoaOptions> = {
  key: 'koa',
  name: 'koa',
  package: '@opentelemetry/instrumentation-koa',
  description:
    'Koa router (and, opt-in, middleware) layer spans from @opentelemetry/instrumentation-koa; the server span is named METHOD /route either way.',
  options: {
    layers: {
      description:
        'The Koa layers that get a span: router (the default), middleware, both, or none ([]: no Koa span, the server span still named after the route; the leanest trace).',
      type: 'array',
      uniqueItems: true,
      items: {
        description: "A layer type: router (an @koa/router route's middleware) or middleware (app.use).",
        enum: ['router', 'middleware'],
      },
    },
  },
  patches: [
    {
      modules: ['koa'],
      what: 'Koa `Application.prototype.use`, and the layers of each `@koa/router` it is given',
      where: '@opentelemetry/instrumentation-koa',
      why: 'router (and, opt-in, middleware) layer spans, and the route in the request\'s RPC metadata',
      watchLoadOrder: true,
    },
    {
      modules: ['koa'],
      what: 'Koa `Application.prototype.handleRequest`',
      where: 'runtime/instrumentation/koa-route.ts',
      why: 'the route of a request the official package did not name (routes registered late, or `layers: []`)',
      watchLoadOrder: true,
    },
  ],
  needs: { key: 'http', why: 'there is no server span to name after the route' },
  resolve: (given) => ({ layers: [...(given.layers ?? DEFAULT_LAYERS)] }),
  create(options) {
    const out = [];
    if (options.layers.length > 0) {
      // Router (and, opt-in, middleware) layer spans, and the route on the server span through the
      // request's RPC metadata, from the official package.
      const { KoaInstrumentation, KoaLayerType } = require('@opentelemetry/instrumentation-koa') as typeof import('@opentelemetry/instrumentation-koa');
      const ignoreLayersType = [KoaLayerType.ROUTER, KoaLayerType.MIDDLEWARE].filter((type) => !options.layers.includes(type));
      out.push(new KoaInstrumentation({ ignoreLayersType }));
    }
    // The complement (koa-route.ts): the route of every request, also for routes registered after
    // `app.use(router.routes())`, which the official package never patches; with `layers: []` the only one.
    const { KoaRouteInstrumentation } = require('./koa-route') as typeof import('./koa-route');
    out.push(new KoaRouteInstrumentation());
    return out;
  },
  describe: (options) => `koa (${options.layers.length > 0 ? `${options.layers.join(', ')} layer spans` : 'route names only'})`,
  notes: () => '',
};

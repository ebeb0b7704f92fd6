/**
 * The complement of @opentelemetry/instrumentation-koa: names the HTTP server
 * span of a Koa request `METHOD /route` and sets `http.route` when the
 * official package did not, that is for routes registered after
 * `app.use(router.routes())` (it patches the router's layers once, at `use`
 * time), and for every route with `instrumentation.koa.layers: []`, where the
 * official package is not loaded. It sets the RPC route only when still
 * unset, so the official package's route wins.
 *
 * How: `Application.prototype.handleRequest` is wrapped; once the middleware
 * chain settles, and before Koa writes the response, the route the router
 * matched (`ctx._matchedRoute`) goes to the request's RPC metadata, from
 * which the HTTP instrumentation sets `http.route` and renames the span when
 * the response finishes. No span is added per middleware.
 */
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';

interface KoaContextLike {
  readonly _matchedRoute?: string | RegExp;
}

type Middleware = (ctx: KoaContextLike) => Promise<unknown>;
type HandleRequest = (this: unknown, ctx: KoaContextLike, fnMiddleware: Middleware) => unknown;

interface KoaApplicationClass {
  prototype: { handleRequest: HandleRequest };
}

const PACKAGE_NAME = 'spanwright-koa-route';
const PACKAGE_VERSION = '0.1.0';

function koaClass(moduleExports: unknown): KoaApplicationClass | undefined {
  const m = moduleExports as { [Symbol.toStringTag]?: string; default?: unknown } | undefined;
  const cls = (m?.[Symbol.toStringTag] === 'Module' ? m.default : m) as KoaApplicationClass | undefined;
  return typeof cls?.prototype?.handleRequest === 'function' ? cls : undefined;
}

export class KoaRouteInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  constructor(config: InstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'koa',
      ['>=2.0.0 <4'],
      (moduleExports) => {
        const cls = koaClass(moduleExports);
        if (cls === undefined) return moduleExports;
        if (isWrapped(cls.prototype.handleRequest)) this._unwrap(cls.prototype, 'handleRequest');
        this._wrap(cls.prototype, 'handleRequest', (original: HandleRequest) => wrapHandleRequest(original));
        return moduleExports;
      },
      (moduleExports) => {
        const cls = koaClass(moduleExports);
        if (cls !== undefined && isWrapped(cls.prototype.handleRequest)) this._unwrap(cls.prototype, 'handleRequest');
      },
    );
  }
}

function wrapHandleRequest(original: HandleRequest): HandleRequest {
  return function handleRequest(this: unknown, ctx, fnMiddleware) {
    // Taken now: this runs synchronously inside the HTTP instrumentation's request context.
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type !== RPCType.HTTP) return original.call(this, ctx, fnMiddleware);
    const recordRoute = (): void => {
      const route = ctx._matchedRoute;
      if (route !== undefined && rpc.route === undefined) rpc.route = route.toString();
    };
    const routed: Middleware = (c) =>
      fnMiddleware(c).then(
        (value) => {
          recordRoute();
          return value;
        },
        (error: unknown) => {
          recordRoute();
          throw error;
        },
      );
    return original.call(this, ctx, routed);
  };
}

/**
 * The SERVER span of every incoming HTTP request, in place of the incoming
 * half of @opentelemetry/instrumentation-http (whose outgoing half stays).
 *
 * Why our own: that instrumentation spends about a fifth of a small
 * service's request CPU whether or not the request is sampled: it builds a
 * `URL` and the full attribute set before the sampler runs, and binds the
 * request and response emitters (a wrapper per listener). This one reads the
 * method and path with string operations, lets the sampler decide on those,
 * and computes the other attributes, listens for the response and records the
 * route only for a span that records. A request that is not sampled costs a
 * header lookup, the sampling decision and one context switch; everything
 * under it still sees the (non-recording) span, so its children are not
 * sampled either and outgoing calls carry `traceparent` with sampled=0.
 *
 * What it records (stable HTTP semantic conventions, as instrumentation-http
 * 0.223 does): name `METHOD` (`HTTP` for an unknown method) then `METHOD /route` once a router named the
 * route (koa-route.ts sets it through the RPC metadata, as other OpenTelemetry
 * framework instrumentations do), `http.request.method` (`_OTHER` plus
 * `http.request.method_original` for unknown methods), `url.scheme`,
 * `url.path`, `url.query` (with signature parameters redacted),
 * `server.address`, `server.port`, `client.address`, `network.peer.address`,
 * `network.peer.port`, `network.protocol.version`, `user_agent.original`,
 * `http.response.status_code`, `http.route`; status ERROR and `error.type`
 * for 5xx responses, a thrown handler, a response error, or a connection
 * closed before the response was complete.
 *
 * Context: the handler runs in the request's context, and so does everything
 * it awaits. Listeners on the request and response emitters run in the
 * context they were emitted in, as for any emitter; code that starts spans in
 * a `req.on('end', …)` callback can wrap that callback in `context.bind`.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing, type RPCMetadata } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { errorMonitor } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failSpan } from '../helpers/span-core';
import { splitHostPort } from './peers';

export interface HttpServerInstrumentationConfig extends InstrumentationConfig {
  /** True for a request URL that must not be traced (its whole subtree is suppressed). */
  readonly ignore?: (url: string | undefined) => boolean;
  /** Called once, soon after the `count`-th incoming request started (patch-check.ts). */
  readonly afterRequests?: { readonly count: number; readonly callback: () => void };
}

const PACKAGE_NAME = 'spanwright-http-server';
const PACKAGE_VERSION = '0.1.0';

/** Query parameters whose values never reach a span (as instrumentation-http redacts them). */
export const REDACTED_QUERY_PARAMS: readonly string[] = ['sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature'];
const REDACTED = 'REDACTED';

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
interface ServerModule {
  Server?: { prototype: { emit: Emit } };
}

export class HttpServerInstrumentation extends InstrumentationBase<HttpServerInstrumentationConfig> {
  /** Requests still to start before `afterRequests` fires; undefined once it has (or without one). */
  private requestsBeforeCallback: number | undefined;

  constructor(config: HttpServerInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    this.requestsBeforeCallback = config.afterRequests?.count;
  }

  private countRequest(): void {
    if (this.requestsBeforeCallback === undefined || --this.requestsBeforeCallback > 0) return;
    this.requestsBeforeCallback = undefined;
    const callback = this.getConfig().afterRequests?.callback;
    // After this request's handler has run its synchronous part (and so required what it needs).
    if (callback !== undefined) setImmediate(callback);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return (['http', 'https'] as const).map(
      (scheme) =>
        new InstrumentationNodeModuleDefinition(
          scheme,
          ['*'],
          (moduleExports: ServerModule) => {
            const proto = moduleExports?.Server?.prototype;
            if (proto === undefined) return moduleExports;
            if (isWrapped(proto.emit)) this._unwrap(proto, 'emit');
            this._wrap(proto, 'emit', (original: Emit) => this.wrapEmit(original, scheme));
            return moduleExports;
          },
          (moduleExports: ServerModule) => {
            const proto = moduleExports?.Server?.prototype;
            if (proto !== undefined && isWrapped(proto.emit)) this._unwrap(proto, 'emit');
          },
        ),
    );
  }

  private wrapEmit(original: Emit, scheme: 'http' | 'https'): Emit {
    const handle = this.handle.bind(this);
    // `arguments`, not rest parameters: every event a server emits passes through here, and
    // apply(this, arguments) copies nothing.
    return function emit(this: unknown, event: string | symbol): boolean {
      // eslint-disable-next-line prefer-rest-params
      if (event !== 'request') return original.apply(this, arguments as unknown as Parameters<Emit>);
      // eslint-disable-next-line prefer-rest-params
      return handle(this, original, scheme, arguments[1] as IncomingMessage, arguments[2] as ServerResponse);
    };
  }

  private handle(server: unknown, emit: Emit, scheme: 'http' | 'https', request: IncomingMessage, response: ServerResponse): boolean {
    if (this.requestsBeforeCallback !== undefined) this.countRequest();
    const ignore = this.getConfig().ignore;
    if (ignore !== undefined && ignore(request.url)) {
      return context.with(suppressTracing(context.active()), emit, server, 'request', request, response);
    }
    const method = normalizeMethod(request.method);
    const name = spanNameOf(method);
    const { path, query } = splitTarget(request.url);
    // What the sampler sees: enough for route rules; the rest is computed only if the span records.
    const startAttributes: Attributes = { 'http.request.method': method, 'url.scheme': scheme, 'url.path': path };
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: startAttributes }, parent);
    if (!span.isRecording()) {
      return context.with(trace.setSpan(parent, span), emit, server, 'request', request, response);
    }
    span.setAttributes(requestAttributes(request, method, query));
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    watchResponse(span, name, response, rpc);
    try {
      return context.with(setRPCMetadata(trace.setSpan(parent, span), rpc), emit, server, 'request', request, response);
    } catch (error) {
      failServerSpan(span, error);
      throw error;
    }
  }
}

function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** The semantic conventions name a span of an unknown (`_OTHER`) method `HTTP`. */
function spanNameOf(method: string): string {
  return method === '_OTHER' ? 'HTTP' : method;
}

/** Path and query of a request target: origin form (`/a?b`) by string search, absolute form through URL. */
export function splitTarget(target: string | undefined): { path: string; query: string | undefined } {
  if (target === undefined || target === '') return { path: '/', query: undefined };
  if (target.charCodeAt(0) !== 47 /* / */ && target !== '*') {
    try {
      const url = new URL(target);
      return { path: url.pathname, query: url.search === '' ? undefined : url.search.slice(1) };
    } catch {
      // not a URL either: keep it whole, as the path
    }
  }
  const q = target.indexOf('?');
  if (q === -1) return { path: target, query: undefined };
  const hash = target.indexOf('#', q);
  return { path: target.slice(0, q), query: target.slice(q + 1, hash === -1 ? undefined : hash) };
}

/** The query with the values of signature parameters replaced, as instrumentation-http does. */
export function redactQuery(query: string): string {
  if (!REDACTED_QUERY_PARAMS.some((name) => query.includes(name))) return query;
  const params = new URLSearchParams(query);
  for (const name of REDACTED_QUERY_PARAMS) if (params.has(name)) params.set(name, REDACTED);
  return params.toString();
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The attributes of a recording span beyond the sampler's three. */
function requestAttributes(request: IncomingMessage, method: string, query: string | undefined): Attributes {
  const headers = request.headers;
  const socket = request.socket;
  const attributes: Attributes = {
    'network.peer.address': socket?.remoteAddress,
    'network.peer.port': socket?.remotePort,
    'network.protocol.version': request.httpVersion,
    'user_agent.original': headers['user-agent'],
  };
  if (query !== undefined) attributes['url.query'] = redactQuery(query);
  const host = firstHeader(headers['x-forwarded-host']) ?? headers.host;
  if (host !== undefined && host !== '') {
    const server = splitHostPort(host);
    attributes['server.address'] = server.host;
    if (server.port !== undefined) attributes['server.port'] = Number(server.port);
  }
  const forwardedFor = firstHeader(headers['x-forwarded-for']);
  const client = forwardedFor !== undefined ? forwardedFor.split(',')[0]!.trim() : socket?.remoteAddress;
  if (client !== undefined && client !== '') attributes['client.address'] = client;
  if (request.method !== undefined && request.method !== method) attributes['http.request.method_original'] = request.method;
  return attributes;
}

/** The helpers' failSpan (exception event, ERROR with the message), plus `error.type`. */
function failServerSpan(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  failSpan(span, err);
  span.setAttribute('error.type', err.name || 'Error');
}

/** Ends the span when the response closes: status code, route and name, and ERROR where it failed. */
function watchResponse(span: Span, name: string, response: ServerResponse, rpc: RPCMetadata): void {
  let failed = false;
  response.on(errorMonitor, (error: unknown) => {
    failed = true;
    failServerSpan(span, error);
  });
  response.once('close', () => {
    const route = rpc.type === RPCType.HTTP ? rpc.route : undefined;
    if (route !== undefined) {
      span.setAttribute('http.route', route);
      span.updateName(`${name} ${route}`);
    }
    if (response.headersSent) {
      const status = response.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) {
        span.setAttribute('error.type', String(status));
        if (!failed) span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    if (!response.writableFinished && !failed) {
      span.setAttribute('error.type', 'connection_closed');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was complete' });
    }
    span.end();
  });
}

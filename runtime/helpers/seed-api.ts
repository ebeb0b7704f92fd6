/**
 * The seed's untyped API, for code that has no manifest entry yet. The typed
 * helpers of `generated/spans.ts` are the preferred way. With tracing
 * disabled every wrapper calls the function directly.
 */
import {
  INVALID_SPAN_CONTEXT,
  context,
  trace,
  type Attributes,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { endAround, failSpan, noopSpan, tracerOf } from './span-core';
import { tracingState } from './switches';

/** The instrumentation scope of spans made through this API. */
const API_SCOPE = 'spanwright';

/** The seed API's tracer is cached (and reset by resetTracerCache) like a span definition's. */
const apiScope = { scope: API_SCOPE };

function tracer(): Tracer {
  return tracerOf(apiScope);
}

export interface SpanOptions {
  readonly kind?: SpanKind;
}

/**
 * Runs `fn` inside a new active span named `name`, ends it on every path
 * (sync, async, throw, rejection), records failures with ERROR status and
 * returns what `fn` returns.
 */
export function span<R>(name: string, attributes: Attributes, fn: (span: Span) => R, options: SpanOptions = {}): R {
  if (!tracingState.enabled) return fn(noopSpan);
  return tracer().startActiveSpan(
    name,
    { attributes, ...(options.kind !== undefined ? { kind: options.kind } : {}) },
    (s) => endAround(s, () => fn(s)),
  );
}

/** Wraps a function so that every call runs in a span named `name`. */
export function traced(name: string) {
  return <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) => {
    return function (this: unknown, ...args: A): R {
      return span(name, {}, () => fn.apply(this, args));
    };
  };
}

/** `traced` for async functions: the span lasts until the promise settles. */
export function tracedAsync(name: string) {
  return <A extends unknown[], R>(fn: (...args: A) => Promise<R>): ((...args: A) => Promise<R>) => traced(name)(fn);
}

/**
 * Method decorator (TypeScript `experimentalDecorators`): each call of the
 * method runs in a span, named `Class.method` unless a name is given.
 *
 *   class Model { @tracedMethod() predict(...) {...} }
 */
export function tracedMethod(name?: string) {
  // A method of any signature: `unknown[]` would reject methods whose parameters are narrower.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return function <T extends (...args: any[]) => unknown>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T> {
    const original = descriptor.value;
    if (typeof original !== 'function') return descriptor;
    const owner = typeof target === 'function' ? target.name : target.constructor.name;
    const spanName = name ?? `${owner}.${String(propertyKey)}`;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return span(spanName, {}, () => original.apply(this, args));
    };
    Object.defineProperty(wrapped, 'name', { value: original.name });
    return { ...descriptor, value: wrapped as unknown as T };
  };
}

function activeSpan(): Span | undefined {
  if (!tracingState.enabled) return undefined;
  const s = trace.getSpan(context.active());
  return s !== undefined && s.spanContext().traceId !== INVALID_SPAN_CONTEXT.traceId ? s : undefined;
}

/** Adds attributes to the active span; does nothing outside a span. */
export function addSpanAttributes(attributes: Attributes): void {
  activeSpan()?.setAttributes(attributes);
}

/** Adds an event to the active span; does nothing outside a span. */
export function addSpanEvent(name: string, attributes?: Attributes): void {
  activeSpan()?.addEvent(name, attributes);
}

/** Records `error` on the active span (exception event + attributes) and sets ERROR status. */
export function recordException(error: unknown, attributes?: Attributes): void {
  const s = activeSpan();
  if (s === undefined) return;
  failSpan(s, error);
  if (attributes !== undefined) s.setAttributes(attributes);
}

/** The active trace id (32 hex digits), or undefined outside a span. */
export function getTraceId(): string | undefined {
  return activeSpan()?.spanContext().traceId;
}

/** The active span id (16 hex digits), or undefined outside a span. */
export function getSpanId(): string | undefined {
  return activeSpan()?.spanContext().spanId;
}

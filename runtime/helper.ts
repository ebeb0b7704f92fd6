/**
 * The core the generated helpers call. `generated/spans.ts` declares, per span,
 * a `SpanDefinition` (name, kind, field → key tables) and a `TypedSpan`
 * subclass with one method per event; `runSpan` does the rest. Kept small and
 * allocation-light: it sits on the hot path of every traced call.
 */
import {
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type AttributeValue,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { tracingState } from './state';

/** TypeScript field name → OpenTelemetry attribute key. */
export type KeyTable = Readonly<Record<string, string>>;

export interface EventDefinition {
  readonly name: string;
  readonly keys: KeyTable;
}

export interface SpanDefinition<H extends TypedSpan<any> = TypedSpan<any>> {
  readonly name: string;
  readonly kind: SpanKind;
  /** The instrumentation scope: the manifest's service name. */
  readonly scope: string;
  readonly keys: KeyTable;
  /** The handle class handed to the user's function. */
  readonly handle: new (span: Span, keys: KeyTable) => H;
}

/** Attribute object of a span (or event) with TypeScript field names. */
type FieldValues = { readonly [field: string]: AttributeValue | undefined };

/** Maps TypeScript field names to OpenTelemetry keys; `undefined` values are left out. */
export function toAttributes(keys: KeyTable, values: object | undefined): Attributes {
  const out: Attributes = {};
  if (values === undefined) return out;
  for (const field in values) {
    const value = (values as FieldValues)[field];
    if (value === undefined) continue;
    // An undeclared field (only possible from untyped callers) keeps its name, so the
    // conformance checker can report it instead of it vanishing.
    out[keys[field] ?? field] = value;
  }
  return out;
}

/**
 * The span handle a helper's function receives. Generated subclasses add one
 * method per declared event; `setAttributes` takes only the span's own fields.
 */
export class TypedSpan<A extends object> {
  /** Read once: a span does not start recording later, and mapping for a non-recording span is waste. */
  private readonly recording: boolean;

  constructor(
    /** The underlying OpenTelemetry span, for what the typed surface does not cover. */
    readonly raw: Span,
    private readonly keys: KeyTable,
  ) {
    this.recording = raw.isRecording();
  }

  setAttributes(attributes: Partial<A>): this {
    if (this.recording) this.raw.setAttributes(toAttributes(this.keys, attributes));
    return this;
  }

  /** Records an exception as an event without failing the span (the helper fails it on throw). */
  recordException(error: unknown): this {
    this.raw.recordException(asException(error));
    return this;
  }

  get traceId(): string {
    return this.raw.spanContext().traceId;
  }

  get spanId(): string {
    return this.raw.spanContext().spanId;
  }

  /** Whether this span is being recorded (false when sampled out or tracing is off). */
  get isRecording(): boolean {
    return this.recording;
  }

  protected emitEvent(event: EventDefinition, attributes: object | undefined): void {
    if (this.recording) this.raw.addEvent(event.name, toAttributes(event.keys, attributes));
  }
}

const tracers = new Map<string, Tracer>();

function tracerFor(scope: string): Tracer {
  let tracer = tracers.get(scope);
  if (tracer === undefined) {
    tracer = trace.getTracer(scope);
    tracers.set(scope, tracer);
  }
  return tracer;
}

/** Forgets cached tracers; for tests that install a new global provider. */
export function resetTracerCache(): void {
  tracers.clear();
}

const noopSpan: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
/** Where a definition keeps its shared no-op handle: a property read, not a map lookup, on the off path. */
const NOOP = Symbol('spanwright.noopHandle');

function noopHandle<H extends TypedSpan<any>>(def: SpanDefinition<H>): H {
  const slot = def as SpanDefinition<H> & { [NOOP]?: H };
  return (slot[NOOP] ??= new def.handle(noopSpan, def.keys));
}

export function asException(error: unknown): Error | string {
  if (error instanceof Error) return error;
  return typeof error === 'string' ? error : String(error);
}

/** Marks a span failed: exception event plus ERROR status with the error's message. */
export function failSpan(span: Span, error: unknown): void {
  const exception = asException(error);
  span.recordException(exception);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: typeof exception === 'string' ? exception : exception.message,
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs `fn` inside an active span and ends the span on every path: returns
 * (sync or async) end it, throws and rejections record the exception, set
 * ERROR, end it and are rethrown. Returns what `fn` returns, with its type.
 */
export function endAround<R>(span: Span, fn: () => R): R {
  let result: R;
  try {
    result = fn();
  } catch (error) {
    failSpan(span, error);
    span.end();
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    ) as R;
  }
  span.end();
  return result;
}

/** What every generated helper calls. The start attributes go to the sampler. */
export function runSpan<A extends object, H extends TypedSpan<A>, R>(
  def: SpanDefinition<H>,
  attributes: A,
  fn: (span: H) => R,
): R {
  if (!tracingState.enabled) return fn(noopHandle(def));
  return tracerFor(def.scope).startActiveSpan(
    def.name,
    { kind: def.kind, attributes: toAttributes(def.keys, attributes) },
    (span) => endAround(span, () => fn(new def.handle(span, def.keys))),
  );
}

export { SpanKind };

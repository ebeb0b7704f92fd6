/**
 * The core the generated helpers call. `generated/spans.ts` declares, per span,
 * a `SpanDefinition` (name, kind, attribute mapper) and a `TypedSpan`
 * subclass with one method per event; `runSpan` does the rest. Kept small and
 * allocation-light: it sits on the hot path of every traced call.
 */
import {
  INVALID_SPAN_CONTEXT,
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type AttributeValue,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { tracingState } from './switches';
import { SDK_TRACER, unsampledParent, type ShortcutTracer } from '../sampling/unsampled-parent';
import { checkTracingStarted } from './untraced';

/**
 * Turns a span's (or event's) typed fields into OpenTelemetry attributes.
 * Generated per span and per event: one object literal with the keys written
 * out, so the hot path has no key table to walk. Span mappers may leave
 * `undefined` values in (the SDK skips them); event mappers leave them out
 * (the SDK would keep them on the event).
 */
export type AttributeMapper<A> = (values: A) => ReadonlyAttributes;

/** Attributes as the typed fields hold them: arrays may be readonly (the SDK copies or only reads them). */
export type ReadonlyAttributes = {
  [key: string]: AttributeValue | readonly string[] | readonly number[] | readonly boolean[] | undefined;
};

export interface EventDefinition<E extends object = object> {
  readonly name: string;
  /** Absent for an event declared without attributes. */
  readonly attributes?: AttributeMapper<E>;
}

export interface SpanDefinition<H extends TypedSpan<A>, A extends object> {
  readonly name: string;
  readonly kind: SpanKind;
  /** The instrumentation scope: the manifest's service name. */
  readonly scope: string;
  readonly attributes: AttributeMapper<Partial<A>>;
  /** The handle class handed to the user's function. */
  readonly handle: new (span: Span, attributes: AttributeMapper<Partial<A>>) => H;
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
    private readonly attributesOf: AttributeMapper<Partial<A>>,
  ) {
    this.recording = raw.isRecording();
  }

  setAttributes(attributes: Partial<A>): this {
    if (this.recording) this.raw.setAttributes(this.attributesOf(attributes) as Attributes);
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

  protected emitEvent<E extends object>(event: EventDefinition<E>, attributes: E | undefined): void {
    if (!this.recording) return;
    this.raw.addEvent(event.name, attributes === undefined || event.attributes === undefined ? undefined : (event.attributes(attributes) as Attributes));
  }
}

/** Bumped by resetTracerCache; a definition's cached tracer from an older generation is looked up again. */
let tracerGeneration = 0;
const TRACER = Symbol('spanwright.tracer');

interface CachedTracer {
  readonly tracer: Tracer;
  /** The SDK tracer behind the bootstrap's shortcut tracer (see unsampled-parent.ts); undefined for any other. */
  readonly sdk: Tracer | undefined;
  readonly generation: number;
}

/**
 * The tracer of a scope, kept on the object that names it (a span definition, or the seed
 * API's scope): a property read per call, not a map lookup.
 */
function cachedTracer(def: object & { readonly scope: string }): CachedTracer {
  const slot = def as { readonly scope: string; [TRACER]?: CachedTracer };
  const cached = slot[TRACER];
  if (cached !== undefined && cached.generation === tracerGeneration) return cached;
  // Off the hot path: a lookup happens once per definition (and after resetTracerCache).
  checkTracingStarted();
  const tracer = trace.getTracer(slot.scope);
  const entry: CachedTracer = { tracer, sdk: (tracer as Partial<ShortcutTracer>)[SDK_TRACER], generation: tracerGeneration };
  slot[TRACER] = entry;
  return entry;
}

export function tracerOf(def: object & { readonly scope: string }): Tracer {
  return cachedTracer(def).tracer;
}

/** Forgets every cached tracer (helpers' and the seed API's); for tests that install a new global provider. */
export function resetTracerCache(): void {
  tracerGeneration++;
}

/** The span of tracing off: records nothing, carries no ids. */
export const noopSpan: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
/** Where a definition keeps its shared no-op handle: a property read, not a map lookup, on the off path. */
const NOOP = Symbol('spanwright.noopHandle');

function noopHandle<H extends TypedSpan<A>, A extends object>(def: SpanDefinition<H, A>): H {
  const slot = def as SpanDefinition<H, A> & { [NOOP]?: H };
  return (slot[NOOP] ??= new def.handle(noopSpan, def.attributes));
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
export function endAround<R>(span: Span, fn: () => R): R;
export function endAround<T, R>(span: Span, fn: (arg: T) => R, arg: T): R;
export function endAround<T, R>(span: Span, fn: (arg?: T) => R, arg?: T): R {
  let result: R;
  try {
    result = fn(arg);
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

/** Runs the user's function for `runSpan`: module level, so a call allocates no closure. */
function runInSpan<H extends { readonly raw: Span }, R>(fn: (span: H) => R, handle: H): R {
  return endAround(handle.raw, fn, handle);
}

/**
 * What every generated helper calls. The start attributes go to the sampler.
 * It does what `tracer.startActiveSpan` does (start the span under the active
 * context, make it active, run `fn`) without the two closures per call that
 * wrapping `startActiveSpan` would take.
 */
export function runSpan<A extends object, H extends TypedSpan<A>, R>(
  def: SpanDefinition<H, A>,
  attributes: A,
  fn: (span: H) => R,
): R {
  // Small on purpose, so V8 inlines it into each helper: tracing off costs a flag check and a call.
  return tracingState.enabled ? startAndRun(def, attributes, fn) : fn(noopHandle(def));
}

function startAndRun<A extends object, H extends TypedSpan<A>, R>(def: SpanDefinition<H, A>, attributes: A, fn: (span: H) => R): R {
  const parent = context.active();
  const { tracer, sdk: sdkTracer } = cachedTracer(def);
  if (sdkTracer !== undefined) {
    // The bootstrap's tracer (ParentBased sampler): nothing under a parent that is not sampled
    // records, so no span and no context switch. The handle carries the parent's ids, so
    // `traceId` is still the request's. The parent checked, the span starts on the SDK tracer.
    const unsampled = unsampledParent(parent);
    if (unsampled !== undefined) return fn(new def.handle(unsampled, def.attributes));
  }
  const span = (sdkTracer ?? tracer).startSpan(def.name, { kind: def.kind, attributes: def.attributes(attributes) as Attributes }, parent);
  return context.with(trace.setSpan(parent, span), runInSpan<H, R>, undefined, fn, new def.handle(span, def.attributes));
}

export { SpanKind };

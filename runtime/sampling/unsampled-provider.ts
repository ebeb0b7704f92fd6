/**
 * Spans under a parent that is not sampled, without the SDK's work.
 *
 * spanwright's sampler is ParentBased: the child of a span that is not sampled
 * is never sampled. The SDK still generates a span id, sanitises the
 * attributes, asks the sampler and counts the span for every such child, and
 * a request that is not sampled has a dozen of them (helpers, knex queries,
 * outgoing calls). Here the tracer answers those with a non-recording span
 * that carries the parent's context, which is what the SDK's answer amounts
 * to: the trace id and the not-sampled flag, propagated to outgoing calls.
 *
 * Valid only with a ParentBased sampler, so only the bootstrap's provider
 * (SpanwrightTracerProvider) hands out these tracers, and only when the
 * configured sampler is ParentBased (OTEL_TRACES_SAMPLER, config/sampler.ts).
 */
import { context as contextApi, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SDK_TRACER, unsampledParent, type ShortcutTracer } from './unsampled-parent';

export class UnsampledShortcutTracer implements ShortcutTracer {
  readonly [SDK_TRACER]: Tracer;

  constructor(inner: Tracer) {
    this[SDK_TRACER] = inner;
  }

  startSpan(name: string, options?: SpanOptions, context: Context = contextApi.active()): Span {
    if (options?.root !== true) {
      const parent = unsampledParent(context);
      if (parent !== undefined) return trace.wrapSpanContext(parent.spanContext());
    }
    return this[SDK_TRACER].startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let parent: Context | undefined;
    let fn: F;
    if (rest.length === 0) return undefined;
    if (rest.length === 1) fn = rest[0] as F;
    else if (rest.length === 2) [options, fn] = rest as [SpanOptions, F];
    else [options, parent, fn] = rest as [SpanOptions, Context, F];
    const context = parent ?? contextApi.active();
    const span = this.startSpan(name, options, context);
    return contextApi.with(trace.setSpan(context, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

type NodeTracerConfig = NonNullable<ConstructorParameters<typeof NodeTracerProvider>[0]>;

export interface SpanwrightTracerConfig extends NodeTracerConfig {
  /**
   * True only when the sampler is ParentBased (OTEL_TRACES_SAMPLER unset or `parentbased_*`): with
   * `always_on` or `traceidratio` the child of an unsampled parent may be sampled, so the SDK must decide.
   */
  readonly unsampledShortcut: boolean;
}

/** The bootstrap's provider: the SDK's NodeTracerProvider whose tracers take the shortcut above (when valid). */
export class SpanwrightTracerProvider extends NodeTracerProvider {
  private readonly shortcutTracers = new WeakMap<Tracer, Tracer>();
  private readonly unsampledShortcut: boolean;

  constructor(config: SpanwrightTracerConfig) {
    const { unsampledShortcut, ...sdkConfig } = config;
    super(sdkConfig);
    this.unsampledShortcut = unsampledShortcut;
  }

  override getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const inner = super.getTracer(name, version, options);
    if (!this.unsampledShortcut) return inner;
    let tracer = this.shortcutTracers.get(inner);
    if (tracer === undefined) {
      tracer = new UnsampledShortcutTracer(inner);
      this.shortcutTracers.set(inner, tracer);
    }
    return tracer;
  }
}

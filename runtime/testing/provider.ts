/**
 * An in-process provider for tests, the runtime's own and a service's: spans go to an
 * InMemorySpanExporter; `stop()` removes every global it set, so the next test file in the same
 * mocha process starts clean.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { resetTracerCache } from '../helpers/span-core';
import { setTracingEnabled } from '../helpers/switches';
import { SpanwrightTracerProvider } from '../sampling/unsampled-provider';

export interface TestProvider {
  readonly exporter: InMemorySpanExporter;
  readonly provider: NodeTracerProvider;
  spans(): ReadableSpan[];
  stop(): Promise<void>;
}

/**
 * `bootstrapProvider`: the bootstrap's SpanwrightTracerProvider, whose tracers (and so the
 * helpers) skip spans under unsampled parents, as installSdk sets it up (the sampler must then
 * be ParentBased).
 */
export function startTestProvider(sampler?: Sampler, options: { bootstrapProvider?: boolean } = {}): TestProvider {
  trace.disable();
  context.disable();
  propagation.disable();
  const exporter = new InMemorySpanExporter();
  const config = {
    resource: resourceFromAttributes({ 'service.name': 'unit' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(sampler !== undefined ? { sampler } : {}),
  };
  const provider =
    options.bootstrapProvider === true
      ? new SpanwrightTracerProvider({ ...config, unsampledShortcut: true })
      : new NodeTracerProvider(config);
  provider.register();
  resetTracerCache();
  setTracingEnabled(true);
  return {
    exporter,
    provider,
    spans: () => exporter.getFinishedSpans(),
    stop: async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      resetTracerCache();
      setTracingEnabled(true);
    },
  };
}

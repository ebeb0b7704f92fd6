/** The propagator the provider registers, from the names config/propagators.ts resolved; each package required only when named. */
import type { TextMapPropagator } from '@opentelemetry/api';
import type { PropagatorName, PropagatorsConfig } from '../config/propagators';

function createOne(name: PropagatorName): TextMapPropagator {
  switch (name) {
    case 'tracecontext': {
      const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
      return new W3CTraceContextPropagator();
    }
    case 'baggage': {
      const { W3CBaggagePropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
      return new W3CBaggagePropagator();
    }
    case 'b3':
    case 'b3multi': {
      const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
      // Both extract either encoding; they differ in what they inject (one `b3` header, or `x-b3-*`).
      return new B3Propagator({ injectEncoding: name === 'b3' ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER });
    }
    case 'jaeger': {
      const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger') as typeof import('@opentelemetry/propagator-jaeger');
      return new JaegerPropagator();
    }
  }
}

/** The propagator to register; `null` for `none` (the API's no-op propagator stays). */
export function createPropagator(config: PropagatorsConfig): TextMapPropagator | null {
  if (config.names.length === 0) return null;
  const { CompositePropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  return new CompositePropagator({ propagators: config.names.map(createOne) });
}

/** `instrumentation.pino`: trace ids on log records from @opentelemetry/instrumentation-pino. */
import type { InstrumentationDefinition } from './definition';

export const pino: InstrumentationDefinition<Record<never, never>> = {
  key: 'pino',
  name: 'pino',
  package: '@opentelemetry/instrumentation-pino',
  description: 'trace_id, span_id and trace_flags on pino log records (@opentelemetry/instrumentation-pino).',
  options: {},
  patches: [
    {
      modules: ['pino'],
      what: 'the pino factory',
      where: '@opentelemetry/instrumentation-pino',
      why: '`trace_id` / `span_id` / `trace_flags` on every record written inside a span',
    },
  ],
  resolve: () => ({}),
  create() {
    const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
    // Correlation only: logs export stays off.
    return [new PinoInstrumentation({ disableLogSending: true })];
  },
  describe: () => 'pino',
  notes: () => '`trace_id`, `span_id`, `trace_flags` on every log record',
};

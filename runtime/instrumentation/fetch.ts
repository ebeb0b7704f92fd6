/** `instrumentation.fetch`: client spans for `fetch` from @opentelemetry/instrumentation-undici. */
import type { InstrumentationDefinition } from './definition';
import { originHostPort, peerAttributes } from './peers';

export const fetch: InstrumentationDefinition<Record<never, never>> = {
  key: 'fetch',
  name: 'fetch (undici)',
  package: '@opentelemetry/instrumentation-undici',
  description: 'fetch()/undici client spans (@opentelemetry/instrumentation-undici).',
  options: {},
  patches: [
    {
      modules: ['undici'],
      what: '`fetch` (undici)',
      where: '@opentelemetry/instrumentation-undici',
      why: 'CLIENT spans for `fetch`, through diagnostics channels (no patch)',
    },
  ],
  resolve: () => ({}),
  create(_options, { peers }) {
    const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
    return [
      new UndiciInstrumentation({
        startSpanHook: (request) => {
          const origin = originHostPort(request.origin);
          return peerAttributes(peers, origin?.host, origin?.port);
        },
      }),
    ];
  },
  describe: () => 'undici/fetch',
  notes: () => '',
};

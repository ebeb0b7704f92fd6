/**
 * `spanwright dev [--manifest tracing.yaml] [--otlp-grpc-port 4317] [--otlp-http-port 4318]
 * [--ui-port 16686] [--host 127.0.0.1] [--max-traces N] [--max-spans N]`: receives OTLP from
 * any number of services and shows the newest traces in a web page, each as a waterfall with
 * the manifest's conformance findings on its spans. Runs until Ctrl-C or SIGTERM.
 */
import { defineVerb, runVerb, type CommandIO } from './command';
import { describeListenError, loadManifest, parseCount, parsePort, waitForStop } from './receive-options';

/** The store's defaults (viewer/store.ts's DEFAULT_LIMITS, which a test keeps equal), said here so that help loads no viewer. */
const MAX_TRACES = 10_000;
const MAX_SPANS = 100_000;

export const dev = defineVerb({
  name: 'dev',
  summary: 'OTLP receiver + web trace viewer on :16686',
  usageNote: '(port 0: any free port)',
  options: {
    manifest: { type: 'string', value: 'tracing.yaml', help: 'check the spans against this manifest (default: tracing.yaml when there is one)' },
    'otlp-grpc-port': { type: 'string', value: '4317', help: 'the OTLP/gRPC port' },
    'otlp-http-port': { type: 'string', value: '4318', help: 'the OTLP/HTTP port (http/protobuf, http/json)' },
    'ui-port': { type: 'string', value: '16686', help: 'the trace viewer port' },
    host: { type: 'string', value: '127.0.0.1', help: 'the address to listen on' },
    'max-traces': { type: 'string', value: String(MAX_TRACES), help: 'keep the newest this many traces' },
    'max-spans': { type: 'string', value: String(MAX_SPANS), help: 'keep at most this many spans' },
  },
  exitCodes: [
    [0, 'stopped (Ctrl-C or SIGTERM)'],
    [2, 'bad arguments, an invalid manifest, or a port it cannot listen on'],
  ],
  async run({ values }, ctx) {
    const host = values.host ?? '127.0.0.1';
    if (host === '' || values.manifest === '') return ctx.usageError(`option '--${host === '' ? 'host' : 'manifest'}' needs a value`);
    const numbers = [
      parsePort('otlp-grpc-port', values['otlp-grpc-port'], 4317),
      parsePort('otlp-http-port', values['otlp-http-port'], 4318),
      parsePort('ui-port', values['ui-port'], 16686),
      parseCount('max-traces', values['max-traces'], MAX_TRACES),
      parseCount('max-spans', values['max-spans'], MAX_SPANS),
    ];
    const wrong = numbers.find((value): value is string => typeof value === 'string');
    if (wrong !== undefined) return ctx.usageError(wrong);
    const [grpcPort, httpPort, uiPort, maxTraces, maxSpans] = numbers as number[];

    const manifest = await loadManifest('dev', ctx, values.manifest, true);
    if (manifest === 2) return 2;

    const { startDevServer } = require('../viewer/dev-server') as typeof import('../viewer/dev-server');
    let server: Awaited<ReturnType<typeof startDevServer>>;
    try {
      server = await startDevServer({
        manifest: manifest?.model,
        manifestLabel: manifest?.label,
        grpcPort,
        httpPort,
        uiPort,
        host,
        limits: { maxTraces: maxTraces!, maxSpans: maxSpans! },
      });
    } catch (error) {
      ctx.stderr(describeListenError('dev', host, error));
      return 2;
    }
    const declared = manifest === undefined ? 0 : manifest.model.spans.length;
    ctx.stdout(
      [
        `spanwright dev: trace viewer at ${server.uiUrl}`,
        `  OTLP gRPC  ${server.grpcEndpoint}`,
        `  OTLP HTTP  ${server.httpEndpoint}/v1/traces  (http/protobuf, gzip, http/json)`,
        manifest === undefined
          ? '  manifest   none (no tracing.yaml here; --manifest <file> adds conformance findings)'
          : `  manifest   ${manifest.label} (${declared} declared span${declared === 1 ? '' : 's'} checked)`,
        `  keeps the newest ${maxTraces} traces / ${maxSpans} spans`,
        `point your services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${server.httpEndpoint}`,
        'Ctrl-C stops.',
        '',
      ].join('\n'),
    );
    await waitForStop();
    const stats = server.store.stats();
    await server.close();
    ctx.stdout(`spanwright dev: stopped; held ${stats.traces} trace(s), ${stats.spans} span(s); dropped ${stats.droppedTraces} older trace(s)\n`);
    return 0;
  },
});

/** `spanwright dev …` with the arguments after `dev`. */
export const runDevCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(dev, argv, io);

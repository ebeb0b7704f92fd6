/**
 * `spanwright dev [--manifest tracing.yaml] [--otlp-grpc-port 4317] [--otlp-http-port 4318]
 * [--ui-port 16686] [--host 127.0.0.1] [--max-traces N] [--max-spans N]`: receives OTLP from
 * any number of services and shows the newest traces in a web page, each as a waterfall with
 * the manifest's conformance findings on its spans. Runs until Ctrl-C or SIGTERM.
 * Exit 0 once stopped; 2 for bad arguments, an invalid manifest or a port it cannot listen on.
 */
import { parseCommand, usageError, type CommandIO } from './command';
import { describeListenError, loadManifest, parseCount, parsePort, waitForStop } from './receive-options';
import { startDevServer, type DevServer } from './viewer/dev-server';
import { DEFAULT_LIMITS } from './viewer/store';

const DEV = {
  name: 'dev',
  usage:
    'usage: spanwright dev [--manifest tracing.yaml] [--otlp-grpc-port 4317] [--otlp-http-port 4318] [--ui-port 16686] [--host 127.0.0.1]\n' +
    `                      [--max-traces ${DEFAULT_LIMITS.maxTraces}] [--max-spans ${DEFAULT_LIMITS.maxSpans}]   (port 0: any free port)`,
  options: {
    manifest: { type: 'string' },
    'otlp-grpc-port': { type: 'string' },
    'otlp-http-port': { type: 'string' },
    'ui-port': { type: 'string' },
    host: { type: 'string' },
    'max-traces': { type: 'string' },
    'max-spans': { type: 'string' },
  },
} as const;

export async function runDevCommand(argv: readonly string[], io: CommandIO = {}): Promise<number> {
  const parsed = parseCommand(DEV, argv, io);
  if (typeof parsed === 'number') return parsed;
  const { ctx, values } = parsed;
  const host = values.host ?? '127.0.0.1';
  if (host === '' || values.manifest === '') return usageError(ctx, DEV, `option '--${host === '' ? 'host' : 'manifest'}' needs a value`);
  const numbers = [
    parsePort('otlp-grpc-port', values['otlp-grpc-port'], 4317),
    parsePort('otlp-http-port', values['otlp-http-port'], 4318),
    parsePort('ui-port', values['ui-port'], 16686),
    parseCount('max-traces', values['max-traces'], DEFAULT_LIMITS.maxTraces),
    parseCount('max-spans', values['max-spans'], DEFAULT_LIMITS.maxSpans),
  ];
  const wrong = numbers.find((value): value is string => typeof value === 'string');
  if (wrong !== undefined) return usageError(ctx, DEV, wrong);
  const [grpcPort, httpPort, uiPort, maxTraces, maxSpans] = numbers as number[];

  const manifest = await loadManifest('dev', ctx, values.manifest, true);
  if (manifest === 2) return 2;

  let server: DevServer;
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
}

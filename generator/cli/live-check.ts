/**
 * `spanwright live-check [--manifest tracing.yaml] [--otlp-grpc-port 4317] [--otlp-http-port 4318]
 * [--host 127.0.0.1] [--for <seconds>] [--require-full-coverage] [--json]`: receives OTLP until
 * Ctrl-C, SIGTERM or `--for` runs out, then checks every span whose name the manifest declares
 * (the runtime's `checkConformance`) and prints the report and the coverage.
 */
import type { CheckableSpan, ConformanceResult } from '@spanwright/runtime';
import type { ReceivedSpan } from '../receiver/model';
import { defineVerb, runVerb, type CommandIO } from './command';
import { describeListenError, loadManifest, parsePort, waitForStop } from './receive-options';

export const liveCheck = defineVerb({
  name: 'live-check',
  summary: 'check received OTLP against the manifest',
  usageNote: '(port 0: any free port)',
  options: {
    manifest: { type: 'string', value: 'tracing.yaml', help: 'the manifest to check against (default: tracing.yaml)' },
    'otlp-grpc-port': { type: 'string', value: '4317', help: 'the OTLP/gRPC port' },
    'otlp-http-port': { type: 'string', value: '4318', help: 'the OTLP/HTTP port (http/protobuf, http/json)' },
    host: { type: 'string', value: '127.0.0.1', help: 'the address to listen on' },
    for: { type: 'string', value: '<seconds>', help: 'stop receiving after this long (default: at Ctrl-C or SIGTERM)' },
    'require-full-coverage': { type: 'boolean', help: 'fail when a declared span was never seen' },
    json: { type: 'boolean', help: 'print the result as JSON' },
  },
  exitCodes: [
    [0, 'conforming'],
    [1, 'a violation, no declared span seen, or (--require-full-coverage) a declared span never seen'],
    [2, 'bad arguments, an unreadable or invalid manifest, or a port it cannot listen on'],
  ],
  async run({ values }, ctx) {
    const host = values.host ?? '127.0.0.1';
    if (host === '' || values.manifest === '') return ctx.usageError(`option '--${host === '' ? 'host' : 'manifest'}' needs a value`);
    const grpcPort = parsePort('otlp-grpc-port', values['otlp-grpc-port'], 4317);
    const httpPort = parsePort('otlp-http-port', values['otlp-http-port'], 4318);
    for (const value of [grpcPort, httpPort]) if (typeof value === 'string') return ctx.usageError(value);
    let seconds: number | undefined;
    if (values.for !== undefined) {
      seconds = /^\d+(\.\d+)?$/.test(values.for) ? Number(values.for) : NaN;
      if (!(seconds > 0) || seconds > 86_400 * 7) {
        return ctx.usageError(`option '--for' must be a number of seconds above 0 (up to a week), got ${JSON.stringify(values.for)}`);
      }
    }

    const { checkConformance, formatConformanceReport } = require('@spanwright/runtime') as typeof import('@spanwright/runtime');
    const { checkableSpan } = require('../receiver/checkable') as typeof import('../receiver/checkable');
    const { OtlpReceiver } = require('../receiver/receiver') as typeof import('../receiver/receiver');
    const manifest = await loadManifest('live-check', ctx, values.manifest, false);
    if (manifest === 2 || manifest === undefined) return 2;
    const declared = new Set(manifest.model.spans.map((span) => span.name));

    // Only spans with a declared name are judged, so only those are kept.
    const checked: CheckableSpan[] = [];
    let received = 0;
    const receiver = new OtlpReceiver({ grpcPort: grpcPort as number, httpPort: httpPort as number, host, retain: false });
    receiver.on('spans', (spans: ReceivedSpan[]) => {
      received += spans.length;
      for (const span of spans) if (declared.has(span.name)) checked.push(checkableSpan(span));
    });
    try {
      await receiver.start();
    } catch (error) {
      await receiver.close();
      ctx.stderr(describeListenError('live-check', host, error));
      return 2;
    }
    const until = seconds === undefined ? 'Ctrl-C or SIGTERM' : `${seconds} s have passed (or Ctrl-C / SIGTERM)`;
    ctx.stderr(
      `spanwright live-check: receiving OTLP on ${receiver.grpcEndpoint} (gRPC) and ${receiver.tracesUrl} (HTTP); ` +
        `checking against ${manifest.label} until ${until}\n` +
        `point your services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.httpEndpoint}\n`,
    );
    await waitForStop(seconds);
    await receiver.close();

    const requireFullCoverage = values['require-full-coverage'] === true;
    const result = checkConformance(checked, manifest.model, { requireFullCoverage });
    const code = result.ok ? 0 : 1;
    if (values.json === true) {
      ctx.stdout(`${JSON.stringify({ exitCode: code, manifest: manifest.label, receivedSpans: received, ...result }, null, 2)}\n`);
    } else {
      ctx.stdout(`${report(result, received, requireFullCoverage, formatConformanceReport(result))}\n`);
    }
    return code;
  },
});

/** `spanwright live-check …` with the arguments after `live-check`. */
export const runLiveCheckCommand = (argv: readonly string[], io?: CommandIO): Promise<number> => runVerb(liveCheck, argv, io);

function report(
  result: ConformanceResult,
  received: number,
  requireFullCoverage: boolean,
  conformanceReport: string,
): string {
  const { coverage } = result;
  const count = (list: readonly { seen: boolean }[]): string => `${list.filter((item) => item.seen).length} of ${list.length}`;
  const lines = [
    `received ${received} span(s); ${result.checkedSpans} with a declared name checked`,
    conformanceReport,
    `coverage: ${count(coverage.spans)} spans, ${count(coverage.events)} events, ${count(coverage.attributes)} attributes seen` +
      (requireFullCoverage ? ' (--require-full-coverage: every declared span must be seen)' : ''),
  ];
  for (const span of coverage.spans) {
    const unseenAttributes = coverage.attributes.filter((a) => a.span === span.name && !a.seen).map((a) => (a.event ? `${a.event}.${a.key}` : a.key));
    const unseenEvents = coverage.events.filter((e) => e.span === span.name && !e.seen).map((e) => e.name);
    const notes = [
      ...(unseenEvents.length > 0 ? [`events not seen: ${unseenEvents.join(', ')}`] : []),
      ...(span.seen && unseenAttributes.length > 0 ? [`attributes not seen: ${unseenAttributes.join(', ')}`] : []),
    ];
    lines.push(`  ${span.seen ? '✓' : '✗'} ${span.name}  ${span.count}×${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
  }
  return lines.join('\n');
}

/**
 * OTLP/protobuf encoding: spanwright's one-pass encoder (runtime/export/protobuf-encoder.ts)
 * against @opentelemetry/otlp-transformer's ProtobufTraceSerializer, which the
 * official http/protobuf and gRPC exporters use, on the same batches in one
 * process. Rounds alternate the order (A B, B A, …); the ratio is taken per round.
 * Every round also checks that both wrote the same bytes.
 *
 *   npx tsx bench/otlp/run.ts     # writes bench/results/otlp.{json,md}
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { machine, median, spread, table, writeResults } from '../lib/results';
// The compiled encoder, as the bootstrap runs it.
const { encodeTraceExportRequest } = require('../../runtime/dist/export/protobuf-encoder') as typeof import('../../runtime/export/protobuf-encoder');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const BATCH = 512; // OTEL_BSP_MAX_EXPORT_BATCH_SIZE's default
const ENCODES_PER_SAMPLE = 40;

/**
 * Traces shaped like one request of the predictions service: a server span with the
 * stable HTTP attributes and seven children (knex queries with their statement,
 * helper spans with app.* attributes), one event, one failed span.
 */
function serviceLikeBatch(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'sports-bet-ai-api',
      'service.version': '1.0.0',
      'deployment.environment.name': 'production',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '2.12.0',
      'host.name': 'bench',
      'process.pid': 4242,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('sports-bet-ai-api', '1.0.0');
  for (let i = 0; i < BATCH / 8; i++) {
    const root = tracer.startSpan('POST /api/v1/nba/predictions', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/api/v1/nba/predictions',
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': 40123,
        'network.peer.address': '127.0.0.1',
        'network.peer.port': 51234 + i,
        'user_agent.original': 'autocannon',
        'network.protocol.version': '1.1',
        'client.address': '127.0.0.1',
        'http.route': '/api/v1/nba/predictions',
        'http.response.status_code': 200,
      },
    });
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (let j = 0; j < 7; j++) {
      const query = j % 2 === 1;
      const child = tracer.startSpan(
        query ? 'select players' : 'calculate_prediction',
        {
          kind: query ? SpanKind.CLIENT : SpanKind.INTERNAL,
          attributes: query
            ? {
                'db.system.name': 'sqlite',
                'db.namespace': '/var/lib/predictions/predictions.sqlite',
                'db.operation.name': 'select',
                'db.collection.name': 'players',
                'db.query.text': 'select `id`, `name`, `team`, `position`, `injury_status` from `players` where `id` in (?, ?)',
              }
            : { 'app.player_count': 2, 'app.prediction_type': 'points', 'app.sport': 'nba', 'app.model_version': 'v3', 'app.player_ids': ['1628369', '201939'] },
        },
        parent,
      );
      if (j === 2) child.addEvent('prediction_generated', { 'app.player_id': '1628369', 'app.predicted_value': 27.5, 'app.confidence': 0.8125 });
      if (j === 4) child.setStatus({ code: SpanStatusCode.ERROR, message: 'stats upstream timed out' });
      child.end();
    }
    root.end();
  }
  return memory.getFinishedSpans();
}

type Encoder = 'otlp-transformer' | 'spanwright';
const encoders: Record<Encoder, (spans: ReadableSpan[]) => Uint8Array | undefined> = {
  'otlp-transformer': (spans) => ProtobufTraceSerializer.serializeRequest(spans),
  spanwright: encodeTraceExportRequest,
};

/** ns per span over one sample of ENCODES_PER_SAMPLE encodes. */
function sample(encode: (spans: ReadableSpan[]) => unknown, spans: ReadableSpan[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ENCODES_PER_SAMPLE; i++) encode(spans);
  return Number(process.hrtime.bigint() - start) / ENCODES_PER_SAMPLE / spans.length;
}

function main(): void {
  const spans = serviceLikeBatch();
  const bytes = encoders['otlp-transformer'](spans)!;
  for (let i = 0; i < 30; i++) for (const encode of Object.values(encoders)) encode(spans); // warm-up
  const rounds: Record<Encoder, number[]> = { 'otlp-transformer': [], spanwright: [] };
  const order: Encoder[] = ['otlp-transformer', 'spanwright'];
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? order : [...order].reverse()) {
      // The median of 5 samples: one GC pause does not decide a round.
      rounds[name].push(median(Array.from({ length: 5 }, () => sample(encoders[name], spans))));
    }
    if (!Buffer.from(encoders.spanwright(spans)!).equals(Buffer.from(encoders['otlp-transformer'](spans)!))) {
      throw new Error('the two encoders wrote different bytes');
    }
  }
  const speedups = rounds['otlp-transformer'].map((official, i) => official / rounds.spanwright[i]!);
  const summary = {
    machine: machine(),
    batch: { spans: spans.length, bytes: bytes.length },
    nsPerSpan: { 'otlp-transformer': median(rounds['otlp-transformer']), spanwright: median(rounds.spanwright) },
    speedup: { median: median(speedups), min: Math.min(...speedups), max: Math.max(...speedups) },
    rounds,
  };
  const md = [
    '# OTLP/protobuf encoding',
    '',
    `Machine: ${Object.entries(machine()).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `One batch of ${spans.length} spans shaped like the predictions service's (${bytes.length} bytes encoded), encoded ${ENCODES_PER_SAMPLE} times a sample;`,
    `${ROUNDS} alternating rounds, each the median of 5 samples. Both encoders wrote the same bytes in every round.`,
    '',
    table(
      ['encoder', 'ns per span', 'speed-up over otlp-transformer'],
      [
        ['@opentelemetry/otlp-transformer 0.223 ProtobufTraceSerializer', summary.nsPerSpan['otlp-transformer'].toFixed(0), '1'],
        ['spanwright (runtime/export/protobuf-encoder.ts)', summary.nsPerSpan.spanwright.toFixed(0), `${summary.speedup.median.toFixed(2)} (${spread(speedups, 2)})`],
      ],
    ),
    '',
    'Rerun: `npm run build && npm run bench -- otlp`.',
    '',
  ].join('\n');
  writeResults('otlp', summary, md);
  process.stdout.write(md);
}

main();

import { expect } from 'chai';
import { decodeJson, normalizeRequest } from '../../../generator/receiver/decode';
import { formatDuration, formatTrace } from '../../../generator/receiver/format';
import { parseOptions } from '../../support/collector/main';
import type { ReceivedSpan } from '../../../generator/receiver/model';
import { TracePrinter } from '../../../generator/receiver/printer';
import { buildTraces } from '../../../generator/receiver/traces';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const T0 = 1_700_000_000_000_000_000n;

interface SpanSpec {
  id: string;
  parent?: string;
  name: string;
  kind: number;
  service: string;
  startUs: number;
  endUs: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  events?: Array<{ name: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }>;
  status?: { code: number; message?: string };
}

/** Spans as they would arrive over OTLP/JSON, one resource per service. */
function spans(...specs: SpanSpec[]): ReceivedSpan[] {
  const nanos = (us: number): string => String(T0 + BigInt(us) * 1000n);
  const body = {
    resourceSpans: specs.map((s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service } }] },
      scopeSpans: [{
        spans: [{
          traceId: TRACE,
          spanId: s.id.padStart(16, '0'),
          parentSpanId: s.parent?.padStart(16, '0'),
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: nanos(s.startUs),
          endTimeUnixNano: nanos(s.endUs),
          attributes: s.attributes,
          events: s.events?.map((e) => ({ ...e, timeUnixNano: nanos(s.startUs) })),
          status: s.status,
        }],
      }],
    })),
  };
  return normalizeRequest(decodeJson(JSON.stringify(body)), { protocol: 'http/json', headers: {}, requestId: 1 });
}

const PREDICTION = spans(
  { id: '1', name: 'POST /api/v1/nba/predictions', kind: 2, service: 'predictions-api', startUs: 0, endUs: 12_400, attributes: [{ key: 'http.response.status_code', value: { intValue: 200 } }] },
  { id: '4', parent: '1', name: 'calculate_prediction', kind: 1, service: 'predictions-api', startUs: 8_000, endUs: 11_100,
    attributes: [{ key: 'app.player_count', value: { intValue: '1' } }],
    events: [{ name: 'prediction_generated', attributes: [{ key: 'app.confidence', value: { doubleValue: 0.9 } }] }] },
  { id: '2', parent: '1', name: 'GET', kind: 3, service: 'predictions-api', startUs: 1_000, endUs: 6_000, status: { code: 2, message: 'upstream failed' } },
  { id: '3', parent: '2', name: 'GET /api/espn/players/:id', kind: 2, service: 'stats-upstream', startUs: 1_500, endUs: 1_950 },
);

describe('collector trace printing', () => {
  it('draws a trace as a tree in start order, with services, kinds, durations, status, attributes and events', () => {
    expect(formatTrace(buildTraces(PREDICTION)[0])).to.equal([
      `trace ${TRACE}  4 spans  12.4 ms`,
      'POST /api/v1/nba/predictions  server  12.4 ms  [predictions-api]  {http.response.status_code=200}',
      '├── GET  client  5.0 ms  ERROR: upstream failed',
      '│   └── GET /api/espn/players/:id  server  450 µs  [stats-upstream]',
      '└── calculate_prediction  internal  3.1 ms  {app.player_count=1}',
      '    └── event prediction_generated  {app.confidence=0.9}',
    ].join('\n'));
  });

  it('shows a span whose parent was not received as a root, saying so', () => {
    const orphan = spans({ id: '9', parent: '8', name: 'late child', kind: 1, service: 'svc', startUs: 0, endUs: 2_000_000 });
    expect(formatTrace(buildTraces(orphan)[0])).to.equal([
      `trace ${TRACE}  1 span  2.00 s`,
      '(parent 0000000000000008 not received)',
      'late child  internal  2.00 s  [svc]',
    ].join('\n'));
  });

  it('the printer with settleMs 0 prints each export as it comes', () => {
    const out: string[] = [];
    const printer = new TracePrinter((text) => out.push(text), 0);
    printer.add(PREDICTION.slice(0, 2));
    printer.add(PREDICTION.slice(2));
    expect(out.map((text) => text.split('\n')[0])).to.deep.equal([
      `trace ${TRACE}  2 spans  12.4 ms`,
      `trace ${TRACE} (continued)  2 spans  5.0 ms`,
    ]);
  });

  it('formats durations in µs, ms and s', () => {
    expect([999n, 1_500n, 999_499n, 1_000_000n, 12_345_678n, 2_500_000_000n].map(formatDuration)).to.deep.equal([
      '1 µs', '2 µs', '999 µs', '1.0 ms', '12.3 ms', '2.50 s',
    ]);
  });

  it('the printer prints each trace once it settles, and later spans as a continuation', () => {
    const out: string[] = [];
    const printer = new TracePrinter((text) => out.push(text), 60_000);
    printer.add(PREDICTION.slice(0, 1));
    printer.add(PREDICTION.slice(1, 3));
    expect(out).to.deep.equal([]);
    printer.flush();
    printer.add(PREDICTION.slice(3));
    printer.flush();
    printer.flush();
    expect(out.map((text) => text.split('\n')[0])).to.deep.equal([
      `trace ${TRACE}  3 spans  12.4 ms`,
      `trace ${TRACE} (continued)  1 span  450 µs`,
    ]);
  });
});

describe('npm run collector options', () => {
  it('defaults to 4317 and 4318 on loopback', () => {
    expect(parseOptions([])).to.deep.equal({ grpcPort: 4317, httpPort: 4318, host: '127.0.0.1', settleMs: 500 });
  });

  it('takes --grpc-port, --http-port and --settle-ms', () => {
    expect(parseOptions(['--grpc-port', '0', '--http-port=5318', '--settle-ms', '50'])).to.deep.equal({
      grpcPort: 0, httpPort: 5318, host: '127.0.0.1', settleMs: 50,
    });
  });

  const bad: Array<[string[], string]> = [
    [['--grpc-port', 'abc'], '--grpc-port must be a whole number from 0 to 65535, got "abc"'],
    [['--http-port', '70000'], '--http-port must be a whole number from 0 to 65535, got "70000"'],
    [['--settle-ms=-1'], '--settle-ms must be a whole number from 0 to 600000, got "-1"'],
    [['--verbose'], "Unknown option '--verbose'"],
  ];
  for (const [argv, error] of bad) {
    it(`explains ${argv.join(' ')}`, () => {
      expect(parseOptions(argv)).to.deep.equal({ error });
    });
  }
});

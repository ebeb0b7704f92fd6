import { expect } from 'chai';
import { SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, Span, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { JsonConsoleExporter, spanToJson } from '../../../runtime/export/console-json';
import { TreeConsoleProcessor, renderTrace } from '../../../runtime/export/console-tree';
import { span as runInSpan } from '../../../runtime/helpers/seed-api';
import { startTestProvider } from '@spanwright/runtime/testing';

const TRACE = '7b2c8d1e9f0a4b3c8d7e6f5a4b3c2d1e';
/** 2024-01-15T10:30:00.000Z */
const T0 = 1705314600;

/** Milliseconds after T0 as an HrTime. */
function at(ms: number): HrTime {
  const nanos = Math.round(ms * 1e6);
  return [T0 + Math.floor(nanos / 1e9), nanos % 1e9];
}

interface FakeSpan {
  name: string;
  id: string;
  parent?: string;
  remoteParent?: boolean;
  kind?: SpanKind;
  start: number;
  end: number;
  attributes?: Attributes;
  events?: Array<{ name: string; at: number; attributes?: Attributes }>;
  error?: string;
}

function fake(s: FakeSpan): ReadableSpan {
  const events: TimedEvent[] = (s.events ?? []).map((e) => ({ name: e.name, time: at(e.at), attributes: e.attributes ?? {} }));
  const durationMs = s.end - s.start;
  return {
    name: s.name,
    kind: s.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId: TRACE, spanId: s.id, traceFlags: TraceFlags.SAMPLED }),
    ...(s.parent !== undefined
      ? { parentSpanContext: { traceId: TRACE, spanId: s.parent, traceFlags: TraceFlags.SAMPLED, isRemote: s.remoteParent ?? false } }
      : {}),
    startTime: at(s.start),
    endTime: at(s.end),
    duration: [Math.floor(durationMs / 1000), Math.round((durationMs % 1000) * 1e6)],
    status: s.error !== undefined ? { code: SpanStatusCode.ERROR, message: s.error } : { code: SpanStatusCode.UNSET },
    attributes: s.attributes ?? {},
    links: [],
    events,
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'predictions-api' }),
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** The predictions trace of docs/service.md, children ending before the root. */
const predictionTrace: FakeSpan[] = [
  { name: 'select players', id: 'b000000000000001', parent: 'a000000000000001', kind: SpanKind.CLIENT, start: 1, end: 2.25, events: [{ name: 'cache_miss', at: 2 }] },
  { name: 'GET', id: 'b000000000000002', parent: 'a000000000000001', kind: SpanKind.CLIENT, start: 3, end: 9.5, attributes: { 'peer.service': 'espn' } },
  { name: 'apply_injury_adjustment', id: 'c000000000000001', parent: 'b000000000000003', start: 10.1, end: 10.6 },
  { name: 'calculate_confidence', id: 'c000000000000002', parent: 'b000000000000003', start: 10.6, end: 11, error: 'model diverged' },
  {
    name: 'calculate_prediction',
    id: 'b000000000000003',
    parent: 'a000000000000001',
    start: 10,
    end: 13,
    attributes: { 'app.player_count': 1 },
    events: [{ name: 'prediction_generated', at: 12, attributes: { 'app.confidence': 0.82, 'app.player_id': '1628369' } }],
  },
  { name: 'insert predictions', id: 'b000000000000004', parent: 'a000000000000001', kind: SpanKind.CLIENT, start: 13.5, end: 14 },
  {
    name: 'POST /api/v1/nba/predictions',
    id: 'a000000000000001',
    kind: SpanKind.SERVER,
    start: 0,
    end: 15.123456,
    attributes: { 'http.request.method': 'POST', 'http.route': '/api/v1/nba/predictions', 'http.response.status_code': 200 },
  },
];

/** Starts the spans in start order (as the SDK would), then ends them in the order given. */
function run(processor: TreeConsoleProcessor, spans: readonly ReadableSpan[], end: readonly ReadableSpan[] = spans): void {
  const byStart = [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  for (const s of byStart) processor.onStart(s as unknown as Span, ROOT_CONTEXT);
  for (const s of end) processor.onEnd(s);
}

const EXPECTED_TREE = [
  `trace ${TRACE} predictions-api`,
  'POST /api/v1/nba/predictions  server  15.12 ms',
  '├── select players  client  1.25 ms',
  '│   └── event cache_miss',
  '├── GET  client  6.50 ms  peer.service=espn',
  '├── calculate_prediction  internal  3.00 ms',
  '│   ├── apply_injury_adjustment  internal  0.50 ms',
  '│   ├── calculate_confidence  internal  0.40 ms  ERROR model diverged',
  '│   └── event prediction_generated {app.confidence=0.82, app.player_id=1628369}',
  '└── insert predictions  client  0.50 ms',
].join('\n');

describe('console export', () => {
  describe('json', () => {
    it('writes the documented object, one JSON line a span', () => {
      const lines: string[] = [];
      const exporter = new JsonConsoleExporter((line) => lines.push(line));
      const spans = predictionTrace.map(fake);
      exporter.export(spans, () => {});
      expect(lines).to.have.length(spans.length);
      for (const line of lines) expect(line).to.not.include('\n');
      const root = JSON.parse(lines.at(-1)!);
      expect(root).to.deep.equal({
        name: 'POST /api/v1/nba/predictions',
        context: { trace_id: TRACE, span_id: 'a000000000000001' },
        parent: null,
        kind: 'SERVER',
        start_time: '2024-01-15T10:30:00.000Z',
        end_time: '2024-01-15T10:30:00.015Z',
        status: { code: 'UNSET' },
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/v1/nba/predictions', 'http.response.status_code': 200 },
        events: [],
        service: 'predictions-api',
      });
      const prediction = JSON.parse(lines[4]!);
      expect(prediction.parent).to.equal('a000000000000001');
      expect(prediction.kind).to.equal('INTERNAL');
      expect(prediction.events).to.deep.equal([
        {
          name: 'prediction_generated',
          timestamp: '2024-01-15T10:30:00.012Z',
          attributes: { 'app.confidence': 0.82, 'app.player_id': '1628369' },
        },
      ]);
      expect(JSON.parse(lines[3]!).status).to.deep.equal({ code: 'ERROR', message: 'model diverged' });
    });

    it('a real span from the SDK parses back with its ids, parent and attributes', async () => {
      const t = startTestProvider();
      try {
        runInSpan('outer', { 'app.n': 1 }, () => runInSpan('inner', { 'app.flag': true }, () => undefined));
        const lines: string[] = [];
        new JsonConsoleExporter((line) => lines.push(line)).export(t.spans(), () => {});
        const [inner, outer] = lines.map((l) => JSON.parse(l));
        expect(inner.name).to.equal('inner');
        expect(inner.parent).to.equal(outer.context.span_id);
        expect(inner.context.trace_id).to.equal(outer.context.trace_id).and.match(/^[0-9a-f]{32}$/);
        expect(outer.attributes).to.deep.equal({ 'app.n': 1 });
        expect(inner.attributes).to.deep.equal({ 'app.flag': true });
        expect(Date.parse(outer.end_time)).to.be.at.least(Date.parse(outer.start_time));
        expect(spanToJson(t.spans()[0]!).service).to.equal('unit');
      } finally {
        await t.stop();
        expect(trace.getTracerProvider().constructor.name).to.equal('ProxyTracerProvider');
      }
    });
  });

  describe('tree', () => {
    it('draws the whole trace when the local root ends', () => {
      const lines: string[] = [];
      const processor = new TreeConsoleProcessor((text) => lines.push(text));
      const spans = predictionTrace.map(fake);
      run(processor, spans, spans.slice(0, -1));
      expect(lines).to.deep.equal([]);
      processor.onEnd(spans.at(-1)!);
      expect(lines).to.deep.equal([EXPECTED_TREE]);
    });

    it('keeps every span on one line: no stack traces, long values cut', () => {
      const long = 'x'.repeat(100);
      const lines = renderTrace([
        fake({
          name: 'GET',
          id: 'a000000000000009',
          kind: SpanKind.CLIENT,
          start: 0,
          end: 2,
          error: 'connect ECONNREFUSED\n  at somewhere',
          events: [
            {
              name: 'exception',
              at: 1,
              attributes: { 'exception.type': 'ECONNREFUSED', 'exception.message': long, 'exception.stacktrace': 'Error\n    at a\n    at b' },
            },
          ],
        }),
      ]);
      expect(lines).to.deep.equal([
        `trace ${TRACE} predictions-api`,
        'GET  client  2.00 ms  ERROR connect ECONNREFUSED at somewhere',
        `└── event exception {exception.message=${'x'.repeat(79)}…, exception.type=ECONNREFUSED}`,
      ]);
    });

    it('orders children by start time, whatever order they ended in', () => {
      const shuffled = [predictionTrace[5], predictionTrace[0], predictionTrace[4], predictionTrace[3], predictionTrace[1], predictionTrace[2], predictionTrace[6]];
      expect(renderTrace(shuffled.map((s) => fake(s!))).join('\n')).to.equal(EXPECTED_TREE);
    });

    it('orders siblings that start in the same millisecond by the order they started, not by span id', () => {
      const lines: string[] = [];
      const processor = new TreeConsoleProcessor((text) => lines.push(text));
      const root = fake({ name: 'POST /api/v1/nba/predictions', id: 'e000000000000001', kind: SpanKind.SERVER, start: 0, end: 3 });
      // Same start time; the span ids sort the other way round from the order the spans started in.
      const first = fake({ name: 'load_player_stats', id: 'e00000000000000f', parent: 'e000000000000001', kind: SpanKind.INTERNAL, start: 1, end: 1 });
      const second = fake({ name: 'calculate_prediction', id: 'e00000000000000a', parent: 'e000000000000001', kind: SpanKind.INTERNAL, start: 1, end: 2 });
      run(processor, [root, first, second], [second, first, root]);
      expect(lines).to.deep.equal([
        [
          `trace ${TRACE} predictions-api`,
          'POST /api/v1/nba/predictions  server  3.00 ms',
          '├── load_player_stats  internal  0.00 ms',
          '└── calculate_prediction  internal  1.00 ms',
        ].join('\n'),
      ]);
    });

    it('draws each request a process serves in one trace as its own tree (a downstream service)', () => {
      const lines: string[] = [];
      const processor = new TreeConsoleProcessor((text) => lines.push(text));
      const first = fake({ name: 'GET /api/espn/players/:id', id: 'd000000000000001', parent: 'b000000000000002', remoteParent: true, kind: SpanKind.SERVER, start: 0, end: 3 });
      const firstChild = fake({ name: 'select stats', id: 'd000000000000002', parent: 'd000000000000001', kind: SpanKind.CLIENT, start: 1, end: 2 });
      const second = fake({ name: 'GET /api/espn/players/:id', id: 'd000000000000003', parent: 'b000000000000005', remoteParent: true, kind: SpanKind.SERVER, start: 4, end: 6 });
      const secondChild = fake({ name: 'select stats', id: 'd000000000000004', parent: 'd000000000000003', kind: SpanKind.CLIENT, start: 4.5, end: 5 });
      run(processor, [first, firstChild, second, secondChild], [firstChild, first, secondChild, second]);
      const tree = (ms: string, childMs: string) =>
        [`trace ${TRACE} predictions-api`, `GET /api/espn/players/:id  server  ${ms}`, `└── select stats  client  ${childMs}`].join('\n');
      expect(lines).to.deep.equal([tree('3.00 ms', '1.00 ms'), tree('2.00 ms', '0.50 ms')]);
    });

    it('prints a span that ends after its root as a continued fragment, and what is held at shutdown', async () => {
      const lines: string[] = [];
      const processor = new TreeConsoleProcessor((text) => lines.push(text));
      const root = fake({ name: 'root', id: 'e000000000000001', start: 0, end: 1 });
      const late = fake({ name: 'late', id: 'e000000000000002', parent: 'e000000000000001', start: 0.5, end: 4 });
      run(processor, [root, late], [root, late]);
      expect(lines).to.deep.equal([
        [`trace ${TRACE} predictions-api`, 'root  internal  1.00 ms'].join('\n'),
        [`trace ${TRACE} predictions-api (continued)`, 'late  internal  3.50 ms'].join('\n'),
      ]);

      const held = new TreeConsoleProcessor((text) => lines.push(text));
      const parent = fake({ name: 'never ends', id: 'f000000000000001', start: 0, end: 9 });
      const orphan = fake({ name: 'orphan', id: 'f000000000000002', parent: 'f000000000000001', start: 0, end: 2 });
      run(held, [parent, orphan], [orphan]);
      await held.forceFlush();
      expect(lines).to.have.length(2);
      await held.shutdown();
      expect(lines[2]).to.equal([`trace ${TRACE} predictions-api`, 'orphan  internal  2.00 ms'].join('\n'));
    });

    it('ignores spans that were not sampled', () => {
      const lines: string[] = [];
      const processor = new TreeConsoleProcessor((text) => lines.push(text));
      const span = fake({ name: 'dropped', id: 'a00000000000000a', start: 0, end: 1 });
      const unsampled = { ...span, spanContext: () => ({ ...span.spanContext(), traceFlags: TraceFlags.NONE }) };
      run(processor, [unsampled]);
      expect(lines).to.deep.equal([]);
    });
  });
});

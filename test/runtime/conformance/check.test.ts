import { expect } from 'chai';
import { context, SpanKind, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  assertConformance,
  checkConformance,
  ConformanceError,
  ConformanceSpanProcessor,
  spanFromConsoleJson,
} from '@spanwright/runtime';
import { predictionsModel } from './fixtures/predictions-model';

const manifest = predictionsModel();

/** A private provider (never global) whose finished spans land in an in-memory exporter. */
function recorder(): { tracer: Tracer; spans: () => ReadableSpan[]; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('sports-bet-ai-api'), spans: () => exporter.getFinishedSpans(), provider };
}

function emit(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  options: { kind?: SpanKind; events?: [string, Attributes?][] } = {},
): void {
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes });
  for (const [eventName, eventAttributes] of options.events ?? []) span.addEvent(eventName, eventAttributes);
  span.end();
}

describe('checkConformance', () => {
  const cases: [string, { name: string; attributes: Attributes; kind?: SpanKind; events?: [string, Attributes?][] }, string[]][] = [
    ['a conforming span', { name: 'calculate_prediction', attributes: { 'app.player_count': 2, 'app.sport': 'nba' } }, []],
    [
      'an undeclared key',
      { name: 'calculate_prediction', attributes: { 'app.player_count': 2, 'app.foo': 'x' } },
      ['calculate_prediction: attribute "app.foo" is not declared'],
    ],
    [
      'semantic-convention keys are tolerated',
      {
        name: 'calculate_prediction',
        attributes: { 'app.player_count': 2, 'http.route': '/x', 'db.system.name': 'sqlite', 'peer.service': 'espn' },
      },
      [],
    ],
    [
      'a missing required attribute',
      { name: 'calculate_prediction', attributes: { 'app.model_version': 'v1' } },
      ['calculate_prediction: required attribute "app.player_count" (player_count) is missing'],
    ],
    [
      'a double where an int is declared',
      { name: 'calculate_prediction', attributes: { 'app.player_count': 2.5 } },
      ['calculate_prediction: attribute "app.player_count" must be int, got 2.5 (double)'],
    ],
    [
      'a string where an int is declared',
      { name: 'calculate_prediction', attributes: { 'app.player_count': '2' } },
      ['calculate_prediction: attribute "app.player_count" must be int, got "2" (string)'],
    ],
    [
      'a value outside the enum',
      { name: 'calculate_prediction', attributes: { 'app.player_count': 1, 'app.sport': 'nhl' } },
      ['calculate_prediction: attribute "app.sport" is "nhl", not one of nba, nfl, mlb'],
    ],
    [
      'a string[] of strings',
      { name: 'calculate_prediction', attributes: { 'app.player_count': 1, 'app.player_ids': ['a', 'b'] } },
      [],
    ],
    [
      'an int[] holding a double',
      { name: 'calculate_confidence', attributes: { 'app.samples': [1, 2.5] } },
      ['calculate_confidence: attribute "app.samples" must be int[], got [1,2.5] (array)'],
    ],
    [
      'a scalar where an array is declared',
      { name: 'calculate_confidence', attributes: { 'app.samples': 3 } },
      ['calculate_confidence: attribute "app.samples" must be int[], got 3 (number)'],
    ],
    [
      'a boolean given as a string',
      { name: 'apply_injury_adjustment', attributes: { 'app.injured': 'yes' } },
      ['apply_injury_adjustment: attribute "app.injured" must be boolean, got "yes" (string)'],
    ],
    [
      'an undeclared event',
      { name: 'calculate_prediction', attributes: { 'app.player_count': 1 }, events: [['cache_hit']] },
      ['calculate_prediction: event "cache_hit" is not declared'],
    ],
    [
      'the exception event the helpers record',
      {
        name: 'calculate_prediction',
        attributes: { 'app.player_count': 1 },
        events: [['exception', { 'exception.message': 'boom' }]],
      },
      [],
    ],
    [
      'event attribute problems',
      {
        name: 'calculate_prediction',
        attributes: { 'app.player_count': 1 },
        events: [['prediction_generated', { 'app.confidence': 'high', 'app.extra': 1 }], ['prediction_generated', {}]],
      },
      [
        'calculate_prediction: event "prediction_generated": attribute "app.confidence" must be double, got "high" (string)',
        'calculate_prediction: event "prediction_generated": attribute "app.extra" is not declared',
        'calculate_prediction: event "prediction_generated": required attribute "app.confidence" (confidence) is missing',
      ],
    ],
    [
      'a different span kind',
      { name: 'fetch_stats', attributes: {}, kind: SpanKind.SERVER },
      ['fetch_stats: kind is server, declared client'],
    ],
    [
      'a semconv key declared with key: is judged like any declared attribute',
      { name: 'fetch_stats', attributes: { 'http.route': 42 }, kind: SpanKind.CLIENT },
      ['fetch_stats: attribute "http.route" must be string, got 42 (number)'],
    ],
    ['spans with undeclared names are never judged', { name: 'GET /api/espn/players/:id', attributes: { 'app.anything': 1 } }, []],
  ];

  for (const [title, given, want] of cases) {
    it(title, () => {
      const { tracer, spans } = recorder();
      emit(tracer, given.name, given.attributes, given);
      expect(checkConformance(spans(), manifest).violations.map((v) => v.message)).to.deep.equal(want);
    });
  }

  it('reports each distinct violation once, with a count and its rule, span, event and key', () => {
    const { tracer, spans } = recorder();
    for (let i = 0; i < 3; i += 1) emit(tracer, 'calculate_prediction', { 'app.player_count': 1, 'app.foo': i });
    emit(tracer, 'calculate_prediction', { 'app.player_count': 1 }, { events: [['prediction_generated', {}]] });
    expect(checkConformance(spans(), manifest).violations).to.deep.equal([
      {
        rule: 'undeclared-attribute',
        span: 'calculate_prediction',
        key: 'app.foo',
        message: 'calculate_prediction: attribute "app.foo" is not declared',
        count: 3,
      },
      {
        rule: 'missing-attribute',
        span: 'calculate_prediction',
        event: 'prediction_generated',
        key: 'app.confidence',
        message:
          'calculate_prediction: event "prediction_generated": required attribute "app.confidence" (confidence) is missing',
        count: 1,
      },
    ]);
  });

  it('allowNamespaces adds namespaces and single keys that may appear undeclared', () => {
    const { tracer, spans } = recorder();
    emit(tracer, 'calculate_prediction', { 'app.player_count': 1, 'aws.region': 'x', 'app.debug': true, 'app.other': 1 });
    const result = checkConformance(spans(), manifest, { allowNamespaces: ['aws', 'app.debug'] });
    expect(result.violations.map((v) => v.message)).to.deep.equal([
      'calculate_prediction: attribute "app.other" is not declared',
    ]);
  });

  it('reports coverage of declared spans, attributes and events', () => {
    const { tracer, spans } = recorder();
    emit(tracer, 'calculate_prediction', { 'app.player_count': 2 }, { events: [['prediction_generated', { 'app.confidence': 0.9 }]] });
    emit(tracer, 'calculate_prediction', { 'app.player_count': 1, 'app.sport': 'nba' });
    emit(tracer, 'apply_injury_adjustment', {});
    emit(tracer, 'POST /api/v1/nba/predictions', {}, { kind: SpanKind.SERVER });
    const { coverage, checkedSpans, ok } = checkConformance(spans(), manifest);
    expect(checkedSpans).to.equal(3);
    expect(ok).to.equal(true);
    expect(coverage.spans).to.deep.equal([
      { name: 'calculate_prediction', seen: true, count: 2 },
      { name: 'apply_injury_adjustment', seen: true, count: 1 },
      { name: 'calculate_confidence', seen: false, count: 0 },
      { name: 'fetch_stats', seen: false, count: 0 },
    ]);
    expect(coverage.events).to.deep.equal([
      { span: 'calculate_prediction', name: 'prediction_generated', seen: true, count: 1 },
      { span: 'calculate_confidence', name: 'low_confidence', seen: false, count: 0 },
    ]);
    expect(coverage.attributes.filter((a) => a.seen)).to.deep.equal([
      { span: 'calculate_prediction', key: 'app.player_count', name: 'player_count', seen: true, count: 2 },
      { span: 'calculate_prediction', key: 'app.sport', name: 'sport', seen: true, count: 1 },
      {
        span: 'calculate_prediction',
        event: 'prediction_generated',
        key: 'app.confidence',
        name: 'confidence',
        seen: true,
        count: 1,
      },
    ]);
    expect(coverage.attributes).to.have.length(8);
  });

  it('checkParents reports a declared span inside a declared span its hints do not list', () => {
    const { tracer, spans } = recorder();
    const outer = tracer.startSpan('fetch_stats', { kind: SpanKind.CLIENT });
    const inner = tracer.startSpan('apply_injury_adjustment', {}, trace.setSpan(context.active(), outer));
    inner.end();
    outer.end();
    expect(checkConformance(spans(), manifest).violations).to.deep.equal([]);
    expect(checkConformance(spans(), manifest, { checkParents: true }).violations.map((v) => v.message)).to.deep.equal([
      'apply_injury_adjustment: ran inside "fetch_stats", declared parents: calculate_prediction',
    ]);
  });
});

describe('assertConformance', () => {
  it('returns the result when every declared span seen conforms', () => {
    const { tracer, spans } = recorder();
    emit(tracer, 'calculate_prediction', { 'app.player_count': 2 });
    expect(assertConformance(spans(), manifest).ok).to.equal(true);
  });

  it('throws a readable multi-line report on violations', () => {
    const { tracer, spans } = recorder();
    emit(tracer, 'calculate_prediction', { 'app.player_count': '2' });
    emit(tracer, 'calculate_prediction', { 'app.player_count': '2', 'app.foo': 1 });
    expect(() => assertConformance(spans(), manifest))
      .to.throw(ConformanceError)
      .with.property(
        'message',
        [
          'tracing does not conform to the manifest: 2 violations; 1 of 4 declared spans seen',
          '  calculate_prediction: attribute "app.player_count" must be int, got "2" (string) (2 times)',
          '  calculate_prediction: attribute "app.foo" is not declared',
          '  not seen: apply_injury_adjustment, calculate_confidence, fetch_stats',
        ].join('\n'),
      );
  });

  it('fails when no declared span was seen', () => {
    const { tracer, spans } = recorder();
    emit(tracer, 'GET /healthz', {}, { kind: SpanKind.SERVER });
    expect(() => assertConformance(spans(), manifest)).to.throw(
      ConformanceError,
      [
        'tracing does not conform to the manifest: 0 violations; 0 of 4 declared spans seen',
        '  no span with a declared name was given (is the exporter attached, and were the helpers called?)',
      ].join('\n'),
    );
  });

  it('with requireFullCoverage, fails when a declared span was not seen', () => {
    const { tracer, spans } = recorder();
    emit(tracer, 'calculate_prediction', { 'app.player_count': 2 });
    emit(tracer, 'apply_injury_adjustment', {});
    emit(tracer, 'calculate_confidence', {});
    expect(() => assertConformance(spans(), manifest, { requireFullCoverage: true })).to.throw(
      ConformanceError,
      ['tracing does not conform to the manifest: 0 violations; 3 of 4 declared spans seen', '  not seen: fetch_stats'].join(
        '\n',
      ),
    );
    emit(tracer, 'fetch_stats', {}, { kind: SpanKind.CLIENT });
    expect(assertConformance(spans(), manifest, { requireFullCoverage: true }).ok).to.equal(true);
  });
});

describe('ConformanceSpanProcessor', () => {
  function strictProvider(enabled?: boolean): { tracer: Tracer; lines: string[] } {
    const lines: string[] = [];
    const processor = new ConformanceSpanProcessor(manifest, {
      ...(enabled === undefined ? {} : { enabled }),
      write: (line) => lines.push(line),
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    return { tracer: provider.getTracer('sports-bet-ai-api'), lines };
  }

  it('writes one warning line per distinct violation, not one per span', () => {
    const { tracer, lines } = strictProvider(true);
    for (let i = 0; i < 3; i += 1) emit(tracer, 'calculate_prediction', { 'app.player_count': 1, 'app.foo': i });
    emit(tracer, 'calculate_prediction', {});
    emit(tracer, 'calculate_prediction', { 'app.player_count': 1 });
    expect(lines).to.deep.equal([
      'spanwright: conformance: calculate_prediction: attribute "app.foo" is not declared\n',
      'spanwright: conformance: calculate_prediction: required attribute "app.player_count" (player_count) is missing\n',
    ]);
  });

  it('is on only with SPANWRIGHT_STRICT=1 unless told', () => {
    const saved = process.env.SPANWRIGHT_STRICT;
    try {
      process.env.SPANWRIGHT_STRICT = '1';
      expect(new ConformanceSpanProcessor(manifest).enabled).to.equal(true);
      process.env.SPANWRIGHT_STRICT = '0';
      expect(new ConformanceSpanProcessor(manifest).enabled).to.equal(false);
      delete process.env.SPANWRIGHT_STRICT;
      const { tracer, lines } = strictProvider();
      emit(tracer, 'calculate_prediction', { 'app.foo': 1 });
      expect(lines).to.deep.equal([]);
    } finally {
      if (saved === undefined) delete process.env.SPANWRIGHT_STRICT;
      else process.env.SPANWRIGHT_STRICT = saved;
    }
  });
});

describe('spanFromConsoleJson', () => {
  const record = (name: string, kind: string, attributes: Record<string, unknown>, extra: { parent?: string; id?: string } = {}) => ({
    name,
    kind,
    context: { trace_id: 't', span_id: extra.id ?? name },
    parent: extra.parent ?? null,
    attributes,
    events: [{ name: 'prediction_generated', attributes: { 'app.confidence': 1 } }],
  });

  it('checks spans printed by another process as console JSON', () => {
    const spans = [
      record('calculate_prediction', 'INTERNAL', { 'app.player_count': 2, 'app.sport': 'nhl' }, { parent: 'fetch_stats' }),
      record('fetch_stats', 'SIDEWAYS', {}),
    ].map(spanFromConsoleJson);
    const result = checkConformance(spans, manifest, { checkParents: true });
    expect(result.violations.map((v) => v.message)).to.deep.equal([
      'calculate_prediction: attribute "app.sport" is "nhl", not one of nba, nfl, mlb',
      'fetch_stats: kind is unknown (-1), declared client',
      'fetch_stats: event "prediction_generated" is not declared',
    ]);
    expect(result.coverage.events[0]).to.deep.equal({ span: 'calculate_prediction', name: 'prediction_generated', seen: true, count: 1 });
  });

  it('keeps the parent link for checkParents', () => {
    const spans = [
      record('apply_injury_adjustment', 'INTERNAL', {}, { parent: 'f1' }),
      record('fetch_stats', 'CLIENT', {}, { id: 'f1' }),
    ].map((r) => spanFromConsoleJson({ ...r, events: [] }));
    expect(checkConformance(spans, manifest, { checkParents: true }).violations.map((v) => v.message)).to.deep.equal([
      'apply_injury_adjustment: ran inside "fetch_stats", declared parents: calculate_prediction',
    ]);
  });
});

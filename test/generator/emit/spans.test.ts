/**
 * Generated helpers at run time (test/fixtures/predictions/generated/spans.ts)
 * against a real SDK: NodeTracerProvider (async context) + InMemorySpanExporter.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { SamplingDecision, type ReadableSpan, type Sampler } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import * as runtime from '@spanwright/runtime';
import { setTracingEnabled, startTestProvider, type TestProvider } from '@spanwright/runtime/testing';
import * as generated from '../../fixtures/predictions/generated/spans';
import { spans } from '../../fixtures/predictions/generated/spans';

describe('generated helpers at run time', () => {
  /** What the sampler was shown at span start. */
  const sampled: [string, Attributes][] = [];
  const recordingSampler: Sampler = {
    shouldSample: (_context, _traceId, name, _kind, attributes) => {
      sampled.push([name, { ...attributes }]);
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    },
    toString: () => 'RecordingSampler',
  };

  let provider: TestProvider;
  before(() => {
    provider = startTestProvider(recordingSampler);
  });
  after(() => provider.stop());

  beforeEach(() => {
    provider.exporter.reset();
    sampled.length = 0;
  });
  afterEach(() => setTracingEnabled(true));

  const finished = (): ReadableSpan[] => provider.spans();
  const named = (name: string): ReadableSpan => {
    const found = finished().filter((s) => s.name === name);
    expect(found, `spans named ${name}`).to.have.length(1);
    return found[0]!;
  };

  it('starts a span with the manifest name, kind, scope and start attributes under their OpenTelemetry keys', () => {
    spans.calculatePrediction({ playerCount: 2, sport: 'nba', playerIds: ['1', '2'], modelVersion: undefined }, () => undefined);
    const span = named('calculate_prediction');
    expect(span.kind).to.equal(SpanKind.INTERNAL);
    expect(span.instrumentationScope.name).to.equal('sports-bet-ai-api');
    expect(span.attributes).to.deep.equal({ 'app.player_count': 2, 'app.sport': 'nba', 'app.player_ids': ['1', '2'] });
    expect(span.ended).to.equal(true);
    expect(span.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('shows the start attributes to the sampler, under their OpenTelemetry keys', () => {
    spans.handlePredictionRequest({ route: '/api/v1/nba/predictions', sport: 'nfl' }, (span) => {
      span.setAttributes({ route: '/later' }); // set after the start: not seen by the sampler
    });
    expect(sampled).to.deep.equal([['handle_prediction_request', { 'http.route': '/api/v1/nba/predictions', 'app.sport': 'nfl' }]]);
  });

  it('maps semantic-convention keys (`key:`) and kinds other than internal', () => {
    spans.handlePredictionRequest({ route: '/api/v1/nba/predictions', sport: 'nba' }, () => {
      spans.fetchPlayerStats({ playerId: '1628369' }, (span) => span.setAttributes({ statusCode: 200 }));
    });
    expect(named('handle_prediction_request').kind).to.equal(SpanKind.SERVER);
    expect(named('handle_prediction_request').attributes).to.deep.equal({ 'http.route': '/api/v1/nba/predictions', 'app.sport': 'nba' });
    expect(named('fetch_player_stats').kind).to.equal(SpanKind.CLIENT);
    expect(named('fetch_player_stats').attributes).to.deep.equal({ 'app.player_id': '1628369', 'http.response.status_code': 200 });
  });

  it('nests spans: a helper called inside another becomes its child, across awaits', async () => {
    await spans.handlePredictionRequest({ route: '/r', sport: 'nfl' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      await spans.calculatePrediction({ playerCount: 1 }, async () => {
        await Promise.resolve();
        spans.warmCache(() => undefined);
      });
    });
    const root = named('handle_prediction_request');
    const middle = named('calculate_prediction');
    const leaf = named('warm_cache');
    expect(root.parentSpanContext).to.equal(undefined);
    expect(middle.parentSpanContext?.spanId).to.equal(root.spanContext().spanId);
    expect(leaf.parentSpanContext?.spanId).to.equal(middle.spanContext().spanId);
    expect(new Set([root, middle, leaf].map((s) => s.spanContext().traceId)).size).to.equal(1);
  });

  it('records typed events with their attributes, and events without attributes', () => {
    spans.calculatePrediction({ playerCount: 1 }, (span) => {
      span.cacheMiss();
      span.predictionGenerated({ confidence: 0.75, playerId: '7' });
      span.modelWarning();
    });
    const events = named('calculate_prediction').events.map((e) => [e.name, e.attributes]);
    expect(events).to.deep.equal([
      ['cache_miss', {}],
      ['prediction_generated', { 'app.confidence': 0.75, 'app.player_id': '7' }],
      ['model_warning', {}],
    ]);
  });

  it('leaves an omitted optional event attribute out of the event, not in it as undefined', () => {
    spans.calculatePrediction({ playerCount: 1 }, (span) => {
      span.predictionGenerated({ confidence: 0.5 });
      span.predictionGenerated({ confidence: 0.25, playerId: undefined });
    });
    const events = named('calculate_prediction').events.map((e) => e.attributes);
    expect(events).to.deep.equal([{ 'app.confidence': 0.5 }, { 'app.confidence': 0.25 }]);
  });

  it('setAttributes with an undefined field keeps the value set before', () => {
    spans.calculatePrediction({ playerCount: 3, modelVersion: 'v1' }, (span) => {
      span.setAttributes({ modelVersion: undefined, cached: true });
    });
    expect(named('calculate_prediction').attributes).to.deep.equal({
      'app.player_count': 3,
      'app.model_version': 'v1',
      'app.cached': true,
    });
  });

  it('setAttributes adds the span own attributes under their keys', () => {
    spans.calculatePrediction({ playerCount: 3 }, (span) => {
      span.setAttributes({ modelVersion: 'v2', cached: false }).setAttributes({ scores: [0.5, 1.5] });
    });
    expect(named('calculate_prediction').attributes).to.deep.equal({
      'app.player_count': 3,
      'app.model_version': 'v2',
      'app.cached': false,
      'app.scores': [0.5, 1.5],
    });
  });

  it('returns the function value, sync and async', async () => {
    const sync = spans.calculatePrediction({ playerCount: 1 }, () => 42);
    const pending = spans.calculatePrediction({ playerCount: 1 }, async () => 'ok');
    expect(sync).to.equal(42);
    expect(pending).to.be.instanceOf(Promise);
    expect(await pending).to.equal('ok');
    expect(finished().map((s) => s.ended)).to.deep.equal([true, true]);
  });

  it('ends an async span only when its promise settles', async () => {
    let release!: () => void;
    const done = spans.calculatePrediction({ playerCount: 1 }, () => new Promise<void>((r) => (release = r)));
    expect(finished()).to.have.length(0);
    release();
    await done;
    expect(named('calculate_prediction').ended).to.equal(true);
  });

  it('on a throw: records the exception, sets ERROR with the message, ends the span and rethrows the same error', () => {
    const boom = new TypeError('model missing');
    expect(() => spans.calculatePrediction({ playerCount: 1 }, () => {
      throw boom;
    })).to.throw(boom);
    const span = named('calculate_prediction');
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'model missing' });
    expect(span.events.map((e) => e.name)).to.deep.equal(['exception']);
    expect(span.events[0]!.attributes).to.include({ 'exception.type': 'TypeError', 'exception.message': 'model missing' });
  });

  it('on a rejection: records the exception, sets ERROR, ends the span and rejects with the same error', async () => {
    const boom = new Error('upstream 502');
    let caught: unknown;
    try {
      await spans.fetchPlayerStats({ playerId: '1' }, async () => {
        await Promise.resolve();
        throw boom;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.equal(boom);
    const span = named('fetch_player_stats');
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'upstream 502' });
    expect(span.events.map((e) => [e.name, e.attributes?.['exception.message']])).to.deep.equal([['exception', 'upstream 502']]);
    expect(span.ended).to.equal(true);
  });

  it('fails the span for a thrown non-Error too', () => {
    expect(() => spans.warmCache(() => {
      throw 'plain string';
    })).to.throw('plain string');
    expect(named('warm_cache').status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'plain string' });
  });

  it('re-exports the runtime seed-style API unchanged', () => {
    for (const name of ['span', 'traced', 'tracedAsync', 'tracedMethod', 'addSpanAttributes', 'addSpanEvent', 'recordException', 'getTraceId', 'getSpanId'] as const) {
      expect(generated[name], name).to.be.a('function').and.to.equal(runtime[name]);
    }
  });

  it('with tracing disabled runs the function with a no-op handle and records nothing', async () => {
    setTracingEnabled(false);
    const value = spans.calculatePrediction({ playerCount: 1 }, (span) => {
      span.predictionGenerated({ confidence: 1 });
      span.setAttributes({ cached: true });
      expect(span.isRecording).to.equal(false);
      return 'ran';
    });
    expect(value).to.equal('ran');
    expect(await spans.warmCache(async () => 7)).to.equal(7);
    expect(() => spans.warmCache(() => {
      throw new Error('still thrown');
    })).to.throw('still thrown');
    expect(finished()).to.deep.equal([]);
  });
});

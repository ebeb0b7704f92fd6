import { expect } from 'chai';
import { Writable } from 'node:stream';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  addSpanAttributes,
  addSpanEvent,
  getSpanId,
  getTraceId,
  recordException,
  span,
  traced,
  tracedAsync,
  tracedMethod,
} from '../../../runtime/helpers/seed-api';
import { createLogger, traceMixin } from '../../../runtime/helpers/log-correlation';
import { setTracingEnabled, startTestProvider, type TestProvider } from '@spanwright/runtime/testing';

class PredictionModel {
  constructor(private readonly base: number) {}

  @tracedMethod()
  predict(points: number): number {
    addSpanAttributes({ 'app.points': points });
    return this.base + points;
  }

  @tracedMethod('model.load')
  async load(): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    return 'loaded';
  }
}

/** A pino destination that keeps the parsed records. */
function recordSink(): { stream: Writable; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') records.push(JSON.parse(line));
      done();
    },
  });
  return { stream, records };
}

describe('seed-style API', () => {
  let t: TestProvider;
  beforeEach(() => {
    t = startTestProvider();
  });
  afterEach(async () => {
    await t.stop();
  });

  it('span() nests, sets attributes and returns the value', () => {
    const result = span('outer', { 'app.a': 1 }, () => span('inner', { 'app.b': 'x' }, (s) => s.spanContext().spanId));
    const [inner, outer] = t.spans();
    expect(result).to.equal(inner!.spanContext().spanId);
    expect(inner!.name).to.equal('inner');
    expect(inner!.parentSpanContext?.spanId).to.equal(outer!.spanContext().spanId);
    expect(outer!.attributes).to.deep.equal({ 'app.a': 1 });
  });

  it('span() records a throw with ERROR and rethrows', () => {
    expect(() => span('boom', {}, () => { throw new Error('bad input'); })).to.throw('bad input');
    const [s] = t.spans();
    expect(s!.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(s!.events.map((e) => e.name)).to.deep.equal(['exception']);
  });

  it('traced() and tracedAsync() wrap functions, keeping this and arguments', async () => {
    const add = traced('add')((a: number, b: number) => a + b);
    const fetchStats = tracedAsync('fetch_stats')(async (id: string) => {
      await new Promise((resolve) => setImmediate(resolve));
      addSpanEvent('cache_miss', { 'app.player_id': id });
      return `stats:${id}`;
    });
    const counter = { n: 41, bump: traced('bump')(function (this: { n: number }) { return ++this.n; }) };
    expect(add(2, 3)).to.equal(5);
    expect(await fetchStats('1628369')).to.equal('stats:1628369');
    expect(counter.bump()).to.equal(42);
    const spans = t.spans();
    expect(spans.map((s) => s.name)).to.deep.equal(['add', 'fetch_stats', 'bump']);
    expect(spans[1]!.events.map((e) => [e.name, e.attributes])).to.deep.equal([['cache_miss', { 'app.player_id': '1628369' }]]);
  });

  it('tracedAsync() fails the span on rejection', async () => {
    const fail = tracedAsync('fail')(async () => { throw new Error('upstream 503'); });
    let caught: unknown;
    await fail().catch((error: unknown) => { caught = error; });
    expect((caught as Error).message).to.equal('upstream 503');
    expect(t.spans()[0]!.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
  });

  it('the method decorator names spans Class.method, or as given', async () => {
    const model = new PredictionModel(10);
    expect(model.predict(5)).to.equal(15);
    expect(await model.load()).to.equal('loaded');
    const [predict, load] = t.spans();
    expect(predict!.name).to.equal('PredictionModel.predict');
    expect(predict!.attributes).to.deep.equal({ 'app.points': 5 });
    expect(load!.name).to.equal('model.load');
    expect(PredictionModel.prototype.predict.name).to.equal('predict');
  });

  it('recordException() sets ERROR on the active span with the attributes, without ending it', () => {
    span('handler', {}, () => {
      recordException(new Error('player not found'), { 'app.player_id': '7' });
      addSpanAttributes({ 'app.after': true });
    });
    const [s] = t.spans();
    expect(s!.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'player not found' });
    expect(s!.attributes).to.deep.equal({ 'app.player_id': '7', 'app.after': true });
    expect(s!.events[0]!.attributes?.['exception.message']).to.equal('player not found');
  });

  it('getTraceId()/getSpanId() give the active ids, undefined outside a span', () => {
    expect(getTraceId()).to.equal(undefined);
    expect(getSpanId()).to.equal(undefined);
    const ids = span('s', {}, (s) => [getTraceId(), getSpanId(), s.spanContext().traceId, s.spanContext().spanId]);
    expect(ids[0]).to.equal(ids[2]).and.match(/^[0-9a-f]{32}$/);
    expect(ids[1]).to.equal(ids[3]).and.match(/^[0-9a-f]{16}$/);
    // No active span: nothing to add to, and nothing thrown.
    addSpanAttributes({ a: 1 });
    addSpanEvent('e');
    recordException(new Error('nowhere'));
    expect(t.spans()).to.have.length(1);
  });

  it('with tracing disabled, runs the function directly and records nothing', async () => {
    setTracingEnabled(false);
    const model = new PredictionModel(1);
    expect(span('x', {}, (s) => s.isRecording())).to.equal(false);
    expect(traced('y')(() => 'direct')()).to.equal('direct');
    expect(await tracedAsync('z')(async () => 'async')()).to.equal('async');
    expect(model.predict(1)).to.equal(2);
    expect(getTraceId()).to.equal(undefined);
    expect(t.spans()).to.have.length(0);
  });

  describe('log correlation', () => {
    it('createLogger() puts trace_id, span_id and trace_flags on records written inside a span', () => {
      const { stream, records } = recordSink();
      const logger = createLogger({ base: undefined }, stream);
      logger.info('outside');
      const ids = span('request', {}, (outer) => {
        logger.info({ playerId: '1' }, 'in outer');
        return span('inner', {}, (inner) => {
          logger.warn('in inner');
          return [outer.spanContext(), inner.spanContext()];
        });
      });
      expect(records.map((r) => r.msg)).to.deep.equal(['outside', 'in outer', 'in inner']);
      expect(records[0]).to.not.have.any.keys('trace_id', 'span_id', 'trace_flags');
      expect(records[1]).to.include({ trace_id: ids[0]!.traceId, span_id: ids[0]!.spanId, trace_flags: '01', playerId: '1' });
      expect(records[2]).to.include({ trace_id: ids[1]!.traceId, span_id: ids[1]!.spanId, trace_flags: '01' });
    });

    it('traceMixin() chains the service own mixin', () => {
      const mixin = traceMixin(() => ({ component: 'api' }));
      const inside = span('s', {}, (s) => [mixin({}, 30, undefined as never), s.spanContext().spanId] as const);
      expect(inside[0]).to.deep.equal({ component: 'api', trace_id: t.spans()[0]!.spanContext().traceId, span_id: inside[1], trace_flags: '01' });
      expect(mixin({}, 30, undefined as never)).to.deep.equal({ component: 'api' });
    });
  });
});

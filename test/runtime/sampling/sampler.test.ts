import { expect } from 'chai';
import { ROOT_CONTEXT, SpanKind, TraceFlags, context, propagation, trace, type Attributes } from '@opentelemetry/api';
import { createSampler, pathOf, routePattern } from '../../../runtime/sampling/sampler';
import { startTestProvider, type TestProvider } from '@spanwright/runtime/testing';

const sampled = (flags: number): boolean => (flags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;

describe('sampler', () => {
  describe('routePattern', () => {
    const cases: ReadonlyArray<readonly [string, string, boolean]> = [
      ['/healthz', '/healthz', true],
      ['/healthz', '/healthz/', false],
      ['/healthz', '/healthzx', false],
      ['/api/v1/nba/*', '/api/v1/nba/predictions', true],
      ['/api/v1/nba/*', '/api/v1/nba/predictions/42', true],
      ['/api/v1/nba/*', '/api/v1/nfl/predictions', false],
      ['/api/v1/nba/predictions/:id', '/api/v1/nba/predictions/42', true],
      ['/api/v1/nba/predictions/:id', '/api/v1/nba/predictions/42/x', false],
      ['/a.b', '/aXb', false],
      ['/a.b', '/a.b', true],
    ];
    for (const [route, path, want] of cases) {
      it(`${route} ${want ? 'matches' : 'does not match'} ${path}`, () => {
        expect(routePattern(route).test(path)).to.equal(want);
      });
    }
  });

  describe('pathOf', () => {
    const cases: ReadonlyArray<readonly [Attributes, string | undefined]> = [
      [{ 'url.path': '/healthz' }, '/healthz'],
      [{ 'http.target': '/healthz?probe=1' }, '/healthz'],
      [{ 'http.route': '/players/:id' }, '/players/:id'],
      [{ 'url.path': '' , 'http.target': '/t' }, '/t'],
      [{}, undefined],
    ];
    for (const [attributes, want] of cases) {
      it(`${JSON.stringify(attributes)} → ${String(want)}`, () => {
        expect(pathOf(attributes)).to.equal(want);
      });
    }
  });

  describe('ParentBased(TraceIdRatioBased) with route rules', () => {
    let t: TestProvider;
    afterEach(async () => {
      await t.stop();
    });

    it('keeps or drops a trace whole: every child follows its root', () => {
      t = startTestProvider(createSampler(0.5, []));
      const tracer = trace.getTracer('test');
      const decisions: boolean[] = [];
      for (let i = 0; i < 200; i++) {
        tracer.startActiveSpan('root', (root) => {
          const rootSampled = sampled(root.spanContext().traceFlags);
          decisions.push(rootSampled);
          tracer.startActiveSpan('child', (child) => {
            const grandchild = tracer.startSpan('grandchild');
            expect(sampled(child.spanContext().traceFlags)).to.equal(rootSampled);
            expect(sampled(grandchild.spanContext().traceFlags)).to.equal(rootSampled);
            expect(child.spanContext().traceId).to.equal(root.spanContext().traceId);
            grandchild.end();
            child.end();
          });
          root.end();
        });
      }
      expect(decisions).to.include(true);
      expect(decisions).to.include(false);
      // What was exported is whole traces: 3 spans for every sampled root.
      const byTrace = new Map<string, number>();
      for (const s of t.spans()) byTrace.set(s.spanContext().traceId, (byTrace.get(s.spanContext().traceId) ?? 0) + 1);
      expect([...byTrace.values()].every((n) => n === 3)).to.equal(true);
      expect(byTrace.size).to.equal(decisions.filter(Boolean).length);
    });

    it('honours a sampled incoming traceparent even at ratio 0', () => {
      t = startTestProvider(createSampler(0, []));
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentId = '00f067aa0ba902b7';
      const incoming = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${traceId}-${parentId}-01` });
      const server = trace.getTracer('test').startSpan('GET /x', { kind: SpanKind.SERVER }, incoming);
      const child = trace.getTracer('test').startSpan('child', {}, trace.setSpan(context.active(), server));
      child.end();
      server.end();
      expect(server.spanContext().traceId).to.equal(traceId);
      expect(sampled(server.spanContext().traceFlags)).to.equal(true);
      const exported = t.spans();
      expect(exported.map((s) => s.name)).to.deep.equal(['child', 'GET /x']);
      expect(exported[1]!.parentSpanContext?.spanId).to.equal(parentId);
      expect(exported[1]!.parentSpanContext?.isRemote).to.equal(true);
    });

    it('honours a not-sampled incoming traceparent even at ratio 1', () => {
      t = startTestProvider(createSampler(1, []));
      const incoming = propagation.extract(ROOT_CONTEXT, {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      });
      const server = trace.getTracer('test').startSpan('GET /x', { kind: SpanKind.SERVER }, incoming);
      server.end();
      expect(sampled(server.spanContext().traceFlags)).to.equal(false);
      expect(t.spans()).to.have.length(0);
    });

    it('applies a route rule to root server spans only', () => {
      t = startTestProvider(createSampler(1, [{ route: '/healthz', sampling: 0 }]));
      const tracer = trace.getTracer('test');
      const start = (name: string, kind: SpanKind, attributes: Attributes) => {
        const s = tracer.startSpan(name, { kind, attributes });
        s.end();
        return sampled(s.spanContext().traceFlags);
      };
      expect(start('GET', SpanKind.SERVER, { 'url.path': '/healthz' })).to.equal(false);
      expect(start('GET', SpanKind.SERVER, { 'http.target': '/healthz?deep=1' })).to.equal(false);
      expect(start('GET', SpanKind.SERVER, { 'url.path': '/api/v1/nba/predictions' })).to.equal(true);
      expect(start('probe', SpanKind.INTERNAL, { 'url.path': '/healthz' })).to.equal(true);
      expect(start('GET', SpanKind.CLIENT, { 'url.path': '/healthz' })).to.equal(true);
      expect(t.spans().map((s) => s.name)).to.deep.equal(['GET', 'probe', 'GET']);
    });

    it('a rule can keep a route the ratio would drop, and its children follow', () => {
      t = startTestProvider(createSampler(0, [{ route: '/api/v1/nba/*', sampling: 1 }]));
      const tracer = trace.getTracer('test');
      const server = tracer.startSpan('POST', { kind: SpanKind.SERVER, attributes: { 'url.path': '/api/v1/nba/predictions' } });
      context.with(trace.setSpan(context.active(), server), () => tracer.startSpan('select').end());
      server.end();
      const other = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'url.path': '/other' } });
      other.end();
      expect(t.spans().map((s) => s.name)).to.deep.equal(['select', 'POST']);
    });

    it('the first matching rule wins', () => {
      t = startTestProvider(
        createSampler(1, [
          { route: '/api/v1/nba/predictions/:id', sampling: 0 },
          { route: '/api/*', sampling: 1 },
        ]),
      );
      const tracer = trace.getTracer('test');
      tracer.startSpan('GET one', { kind: SpanKind.SERVER, attributes: { 'url.path': '/api/v1/nba/predictions/7' } }).end();
      tracer.startSpan('POST', { kind: SpanKind.SERVER, attributes: { 'url.path': '/api/v1/nba/predictions' } }).end();
      expect(t.spans().map((s) => s.name)).to.deep.equal(['POST']);
    });
  });
});

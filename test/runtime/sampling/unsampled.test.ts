/**
 * Work under a trace that is not sampled skips the SDK (runtime/unsampled*.ts):
 * the bootstrap provider's tracers and the generated helpers. A sampler that
 * counts its calls around ParentBased shows whether the SDK was asked: with the
 * shortcut it is not, and the answer is the same.
 */
import { context, ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ParentBasedSampler, SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { spans as helpers } from '../../../generated/spans';
import { startTestProvider, type TestProvider } from '@spanwright/runtime/testing';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

/** ParentBased(always sample roots), counting every call the SDK makes to it. */
function countingParentBased(): Sampler & { calls: number } {
  const inner = new ParentBasedSampler({
    root: { shouldSample: () => ({ decision: SamplingDecision.RECORD_AND_SAMPLED }), toString: () => 'AlwaysRoot' },
  });
  const sampler = {
    calls: 0,
    shouldSample: (...args: Parameters<Sampler['shouldSample']>) => {
      sampler.calls++;
      return inner.shouldSample(...args);
    },
    toString: () => `Counting(${inner.toString()})`,
  };
  return sampler;
}

/** A context whose active span is a remote parent with the given flags. */
function remoteParent(flags: TraceFlags): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: flags, isRemote: true });
}

const predictionAttributes = { playerCount: 2, predictionType: 'points', sport: 'nba', modelVersion: 'v3' } as const;

describe('work under a trace that is not sampled', () => {
  for (const bootstrapProvider of [true, false]) {
    describe(bootstrapProvider ? 'with the bootstrap provider (shortcut on)' : 'with a plain NodeTracerProvider (shortcut off)', () => {
      let provider: TestProvider;
      let sampler: ReturnType<typeof countingParentBased>;
      /** Sampler calls for one span under an unsampled parent: none when the shortcut answers. */
      const askedUnderUnsampled = bootstrapProvider ? 0 : 1;

      beforeEach(() => {
        sampler = countingParentBased();
        provider = startTestProvider(sampler, { bootstrapProvider });
      });
      afterEach(() => provider.stop());

      it('a tracer span under an unsampled parent: non-recording, the parent trace, and the same answer either way', () => {
        const tracer = trace.getTracer('unit');
        const span = tracer.startSpan('child', { kind: SpanKind.CLIENT }, remoteParent(TraceFlags.NONE));
        expect(span.isRecording()).to.equal(false);
        expect(span.spanContext().traceId).to.equal(TRACE_ID);
        expect(span.spanContext().traceFlags).to.equal(TraceFlags.NONE);
        span.end();
        expect(provider.spans()).to.deep.equal([]);
        expect(sampler.calls).to.equal(askedUnderUnsampled);
      });

      it('a tracer span under a sampled parent records, as a child of it', () => {
        const span = trace.getTracer('unit').startSpan('child', {}, remoteParent(TraceFlags.SAMPLED));
        span.end();
        const [ended] = provider.spans();
        expect(ended!.parentSpanContext?.spanId).to.equal(PARENT_ID);
        expect(ended!.spanContext().traceId).to.equal(TRACE_ID);
        expect(sampler.calls).to.equal(1);
      });

      it('root: true ignores the unsampled parent and asks the root sampler', () => {
        const span = trace.getTracer('unit').startSpan('fresh', { root: true }, remoteParent(TraceFlags.NONE));
        span.end();
        expect(sampler.calls).to.equal(1);
        expect(provider.spans().map((s) => [s.name, s.parentSpanContext])).to.deep.equal([['fresh', undefined]]);
        expect(span.spanContext().traceId).to.not.equal(TRACE_ID);
      });

      it('suppressed tracing under an unsampled parent gives the SDK\'s invalid span', () => {
        const span = trace.getTracer('unit').startSpan('quiet', {}, suppressTracing(remoteParent(TraceFlags.NONE)));
        expect(span.spanContext().traceId).to.equal('00000000000000000000000000000000');
      });

      it('startActiveSpan under an unsampled parent runs the function with the span active', () => {
        const result = context.with(remoteParent(TraceFlags.NONE), () =>
          trace.getTracer('unit').startActiveSpan('active', (span) => {
            expect(trace.getActiveSpan()).to.equal(span);
            span.end();
            return span.spanContext().traceId;
          }),
        );
        expect(result).to.equal(TRACE_ID);
      });

      it('a generated helper under an unsampled parent: runs, carries the trace id, records nothing', () => {
        const parent = remoteParent(TraceFlags.NONE);
        const seen = context.with(parent, () =>
          helpers.calculatePrediction(predictionAttributes, (span) => {
            span.predictionGenerated({ playerId: '1628369', predictedValue: 21.5, confidence: 0.8 });
            span.setAttributes({ playerCount: 3 });
            return {
              traceId: span.traceId,
              recording: span.isRecording,
              activeTraceId: trace.getActiveSpan()?.spanContext().traceId,
              // With the shortcut the helper switches no context: the parent itself stays active.
              parentStillActive: trace.getActiveSpan() === trace.getSpan(parent),
            };
          }),
        );
        expect(seen).to.deep.equal({ traceId: TRACE_ID, recording: false, activeTraceId: TRACE_ID, parentStillActive: bootstrapProvider });
        expect(provider.spans()).to.deep.equal([]);
        expect(sampler.calls).to.equal(askedUnderUnsampled);
      });

      it('a helper that throws under an unsampled parent rethrows the error', () => {
        expect(() =>
          context.with(remoteParent(TraceFlags.NONE), () =>
            helpers.calculatePrediction(predictionAttributes, () => {
              throw new Error('model failed');
            }),
          ),
        ).to.throw('model failed');
      });

      it('a generated helper under a sampled parent records its span there', async () => {
        await context.with(remoteParent(TraceFlags.SAMPLED), () => helpers.calculatePrediction(predictionAttributes, async () => 1));
        const [span] = provider.spans();
        expect([span!.name, span!.parentSpanContext?.spanId, span!.attributes['app.player_count']]).to.deep.equal(['calculate_prediction', PARENT_ID, 2]);
      });
    });
  }
});

import { expect } from 'chai';
import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BoundedQueueProcessor, CountingExporter, DropReporter, ExportCounters } from '../../../runtime/export/accounting';

function fakeSpan(sampled = true): ReadableSpan {
  return {
    spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }),
  } as unknown as ReadableSpan;
}

/** An exporter the test answers by hand. */
class ManualExporter implements SpanExporter {
  readonly pending: Array<(result: ExportResult) => void> = [];
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.pending.push(done);
  }
  async shutdown(): Promise<void> {}
}

const sink: SpanProcessor = {
  onStart: () => {},
  onEnd: () => {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

describe('export accounting', () => {
  it('counts exported, failed and timed-out spans once each', async () => {
    const counters = new ExportCounters();
    const inner = new ManualExporter();
    const exporter = new CountingExporter(inner, counters, 50, (t) => t.replace('sekret', '***'));
    const results: number[] = [];
    exporter.export([fakeSpan(), fakeSpan()], (r) => results.push(r.code));
    exporter.export([fakeSpan()], (r) => results.push(r.code));
    exporter.export([fakeSpan(), fakeSpan(), fakeSpan()], (r) => results.push(r.code));
    expect(counters.snapshot().inFlight).to.equal(6);
    inner.pending[0]!({ code: ExportResultCode.SUCCESS });
    inner.pending[1]!({ code: ExportResultCode.FAILED, error: new Error('401 bad key sekret') });
    await new Promise((resolve) => setTimeout(resolve, 80));
    // A late answer after the timeout changes nothing.
    inner.pending[2]!({ code: ExportResultCode.SUCCESS });
    expect(results).to.deep.equal([ExportResultCode.SUCCESS, ExportResultCode.FAILED, ExportResultCode.FAILED]);
    expect(counters.snapshot()).to.deep.equal({
      ended: 0, // counted by the queue processor, which this test leaves out
      exported: 2,
      queueFull: 0,
      exportFailed: 1,
      exportTimedOut: 3,
      lostAtShutdown: 0,
      afterShutdown: 0,
      dropped: 4,
      queued: 0,
      inFlight: 0,
      lastError: 'no answer within 50 ms',
    });
  });

  it('bounds the queue in front of the batch processor and ignores unsampled spans', () => {
    const counters = new ExportCounters();
    const processor = new BoundedQueueProcessor(sink, counters, 3);
    for (let i = 0; i < 5; i++) processor.onEnd(fakeSpan());
    processor.onEnd(fakeSpan(false));
    expect(counters.snapshot()).to.include({ ended: 5, queued: 3, queueFull: 2, dropped: 2 });
  });

  it('counts a span that ends after the shutdown began as dropped, not as nothing', async () => {
    const counters = new ExportCounters();
    const processor = new BoundedQueueProcessor(sink, counters, 10);
    processor.onEnd(fakeSpan());
    await processor.shutdown();
    processor.onEnd(fakeSpan());
    processor.onEnd(fakeSpan(false));
    expect(counters.snapshot()).to.include({ ended: 2, queued: 1, afterShutdown: 1, dropped: 1 });
  });

  it('at exit, reports what is still queued or in flight and the totals, so ended = exported + dropped', () => {
    const counters = new ExportCounters();
    const lines: string[] = [];
    const reporter = new DropReporter(counters, 'http://c:4318/v1/traces?token=***', 60_000, (l) => lines.push(l));
    Object.assign(counters, { ended: 10, exported: 4, exportFailed: 1, queued: 2, inFlight: 2, afterShutdown: 1, lastError: 'refused' });
    reporter.report('before shutdown');
    counters.afterShutdown = 2;
    counters.ended = 11;
    reporter.reportAtExit(true);
    reporter.reportAtExit(true);
    expect(lines).to.deep.equal([
      'spanwright: dropped 2 spans before shutdown (export failed: 1, ended after shutdown began: 1) exporting to http://c:4318/v1/traces?token=***; last error: refused',
      'spanwright: dropped 5 spans at exit (not sent within the shutdown bound: 4, ended after shutdown began: 1) exporting to http://c:4318/v1/traces?token=***; last error: refused',
      'spanwright: spans at exit: 11 ended, 4 exported, 7 dropped',
      'spanwright: spans at exit: 11 ended, 4 exported, 7 dropped',
    ]);
  });

  it('counts what is queued or in flight when the shutdown bound runs out as lost', () => {
    const counters = new ExportCounters();
    counters.queued = 2;
    counters.inFlight = 3;
    counters.closeAfterTimeout();
    expect(counters.snapshot()).to.include({ lostAtShutdown: 5, dropped: 5, queued: 0, inFlight: 0 });
  });

  it('reports drops in one line a period, nothing when none were dropped', () => {
    const counters = new ExportCounters();
    const lines: string[] = [];
    const reporter = new DropReporter(counters, 'http://collector:4318/v1/traces', 60_000, (l) => lines.push(l));
    reporter.report('in the last 60 s');
    expect(lines).to.deep.equal([]);
    counters.queueFull = 120;
    counters.exportFailed = 30;
    counters.lastError = 'connect ECONNREFUSED 10.0.0.1:4318';
    reporter.report('in the last 60 s');
    reporter.report('in the last 60 s');
    counters.exportTimedOut = 1;
    reporter.report('before shutdown');
    counters.queueFull = 121;
    reporter.report('in the last 60 s');
    expect(lines).to.deep.equal([
      'spanwright: dropped 150 spans in the last 60 s (queue full: 120, export failed: 30) exporting to http://collector:4318/v1/traces; last error: connect ECONNREFUSED 10.0.0.1:4318',
      'spanwright: dropped 1 span before shutdown (export timed out: 1) exporting to http://collector:4318/v1/traces; last error: connect ECONNREFUSED 10.0.0.1:4318',
      'spanwright: dropped 1 span in the last 60 s (queue full: 1) exporting to http://collector:4318/v1/traces',
    ]);
  });
});

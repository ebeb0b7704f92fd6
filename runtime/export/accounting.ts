/**
 * Accounting around the OTLP BatchSpanProcessor: every sampled span that
 * ends is either exported, or dropped because the queue was full, the export
 * failed, or it timed out. Dropped spans are reported as ONE stderr line at
 * the first failed export (an unreachable endpoint shows at once), then one a
 * period (and one at shutdown), never one line a span, and the counts are
 * exposed on the tracing handle.
 *
 * The queue bound is enforced here, in front of the BatchSpanProcessor, with
 * the same arithmetic (spans handed over minus spans handed to the exporter),
 * so the processor itself never drops silently.
 */
import { TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ExportCounters, type ExportStats } from './counters';

export { ExportCounters, type ExportStats };

/** Wraps the real exporter: counts outcomes and bounds every export in time. */
export class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly counters: ExportCounters,
    private readonly timeoutMillis: number,
    private readonly scrub: (text: string) => string = (t) => t,
    /** Called once, after the first export that failed or timed out is counted (the first report). */
    private onFirstFailure?: () => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const n = spans.length;
    const c = this.counters;
    c.queued = Math.max(0, c.queued - n);
    c.inFlight += n;
    let settled = false;
    /** Counts the batch's outcome once; after a shutdown timeout it was already counted as lost. */
    const settle = (result: ExportResult, outcome: 'exported' | 'failed' | 'timed out'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!c.closed) {
        c.inFlight = Math.max(0, c.inFlight - n);
        if (outcome === 'exported') c.exported += n;
        else if (outcome === 'failed') c.exportFailed += n;
        else c.exportTimedOut += n;
        if (outcome !== 'exported') c.lastError = this.scrub(result.error?.message ?? 'export failed');
      }
      if (outcome !== 'exported' && this.onFirstFailure !== undefined) {
        const first = this.onFirstFailure;
        this.onFirstFailure = undefined;
        first();
      }
      done(result);
    };
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${this.timeoutMillis} ms`);
      settle({ code: ExportResultCode.FAILED, error }, 'timed out');
    }, this.timeoutMillis);
    timer.unref();
    try {
      this.inner.export(spans, (result) =>
        settle(result, result.code === ExportResultCode.SUCCESS ? 'exported' : 'failed'),
      );
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      settle({ code: ExportResultCode.FAILED, error }, 'failed');
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Bounds the queue in front of `inner` (a BatchSpanProcessor) and counts what it turns away. */
export class BoundedQueueProcessor implements SpanProcessor {
  private closed = false;

  constructor(
    private readonly inner: SpanProcessor,
    private readonly counters: ExportCounters,
    private readonly maxQueueSize: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.counters.ended += 1;
    if (this.closed) {
      // A request still running when the shutdown began: counted, never silently gone.
      this.counters.afterShutdown += 1;
      return;
    }
    if (this.counters.queued >= this.maxQueueSize) {
      this.counters.queueFull += 1;
      return;
    }
    this.counters.queued += 1;
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return this.inner.shutdown();
  }
}

/** Writes one line when spans were dropped since the last report. */
export class DropReporter {
  private reported = { queueFull: 0, exportFailed: 0, exportTimedOut: 0, lostAtShutdown: 0, afterShutdown: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly counters: ExportCounters,
    private readonly destination: string,
    private readonly intervalMillis: number,
    private readonly write: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.report(`in the last ${formatSeconds(this.intervalMillis)}`), this.intervalMillis);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The line at the first failed export: what was dropped so far, and that later drops come a period at a time. */
  reportFirstFailure(): void {
    this.report('at the first failed export', `; later drops are reported once every ${formatSeconds(this.intervalMillis)}`);
  }

  /** One line naming how many spans were dropped `period`, and why; nothing if none. */
  report(period: string, suffix = ''): void {
    const c = this.counters;
    const delta = {
      queueFull: c.queueFull - this.reported.queueFull,
      exportFailed: c.exportFailed - this.reported.exportFailed,
      exportTimedOut: c.exportTimedOut - this.reported.exportTimedOut,
      lostAtShutdown: c.lostAtShutdown - this.reported.lostAtShutdown,
      afterShutdown: c.afterShutdown - this.reported.afterShutdown,
    };
    const total = delta.queueFull + delta.exportFailed + delta.exportTimedOut + delta.lostAtShutdown + delta.afterShutdown;
    if (total === 0) return;
    this.reported = {
      queueFull: c.queueFull,
      exportFailed: c.exportFailed,
      exportTimedOut: c.exportTimedOut,
      lostAtShutdown: c.lostAtShutdown,
      afterShutdown: c.afterShutdown,
    };
    const reasons = [
      delta.queueFull > 0 ? `queue full: ${delta.queueFull}` : undefined,
      delta.exportFailed > 0 ? `export failed: ${delta.exportFailed}` : undefined,
      delta.exportTimedOut > 0 ? `export timed out: ${delta.exportTimedOut}` : undefined,
      delta.lostAtShutdown > 0 ? `not sent within the shutdown bound: ${delta.lostAtShutdown}` : undefined,
      delta.afterShutdown > 0 ? `ended after shutdown began: ${delta.afterShutdown}` : undefined,
    ].filter((r) => r !== undefined);
    const failures = delta.exportFailed + delta.exportTimedOut + delta.lostAtShutdown;
    const last = c.lastError !== undefined && failures > 0 ? `; last error: ${c.lastError}` : '';
    this.write(
      `spanwright: dropped ${total} span${total === 1 ? '' : 's'} ${period} (${reasons.join(', ')}) exporting to ${this.destination}${last}${suffix}`,
    );
  }

  /**
   * The last word, from the process's `exit` event (stderr is synchronous on Linux pipes and
   * files): what is still queued or in flight is lost now, and is reported with anything dropped
   * since the last line, so spans ended = exported + reported dropped holds whatever way the
   * process ends. `totals` adds the whole count on one more line (OTEL_LOG_LEVEL=info).
   */
  reportAtExit(totals: boolean): void {
    const c = this.counters;
    if (!c.closed) c.closeAfterTimeout();
    this.report('at exit');
    if (totals) {
      const s = c.snapshot();
      this.write(`spanwright: spans at exit: ${s.ended} ended, ${s.exported} exported, ${s.dropped} dropped`);
    }
  }
}

function formatSeconds(millis: number): string {
  const seconds = millis / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

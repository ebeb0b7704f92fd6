/** Export counts kept by the OTLP pipeline (export/accounting.ts); plain data, no SDK. */

export interface ExportStats {
  /** Sampled spans that ended with OTLP export on: exported + dropped + queued + inFlight. */
  readonly ended: number;
  /** Spans the exporter acknowledged. */
  readonly exported: number;
  /** Dropped: the queue was at OTEL_BSP_MAX_QUEUE_SIZE when they ended. */
  readonly queueFull: number;
  /** Dropped: the exporter answered with a failure (collector down, refused, 4xx/5xx). */
  readonly exportFailed: number;
  /** Dropped: no answer within OTEL_BSP_EXPORT_TIMEOUT. */
  readonly exportTimedOut: number;
  /** Dropped: still queued or being sent when the shutdown bound ran out, or when the process exited. */
  readonly lostAtShutdown: number;
  /** Dropped: ended after the shutdown had begun, with nothing left to send it. */
  readonly afterShutdown: number;
  /** queueFull + exportFailed + exportTimedOut + lostAtShutdown + afterShutdown. */
  readonly dropped: number;
  /** Spans waiting in the queue. */
  readonly queued: number;
  /** Spans handed to the exporter, no answer yet. */
  readonly inFlight: number;
  /** The last export error message (secrets scrubbed). */
  readonly lastError?: string;
}

export class ExportCounters {
  ended = 0;
  exported = 0;
  queueFull = 0;
  exportFailed = 0;
  exportTimedOut = 0;
  lostAtShutdown = 0;
  afterShutdown = 0;
  queued = 0;
  inFlight = 0;
  lastError: string | undefined;
  /** Set when the shutdown bound ran out: later export answers are not counted twice. */
  closed = false;

  /** Counts what is still queued or in flight as lost; later answers are ignored. */
  closeAfterTimeout(): void {
    this.lostAtShutdown += this.queued + this.inFlight;
    this.queued = 0;
    this.inFlight = 0;
    this.closed = true;
  }

  snapshot(): ExportStats {
    return {
      ended: this.ended,
      exported: this.exported,
      queueFull: this.queueFull,
      exportFailed: this.exportFailed,
      exportTimedOut: this.exportTimedOut,
      lostAtShutdown: this.lostAtShutdown,
      afterShutdown: this.afterShutdown,
      dropped: this.queueFull + this.exportFailed + this.exportTimedOut + this.lostAtShutdown + this.afterShutdown,
      queued: this.queued,
      inFlight: this.inFlight,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}

/**
 * Collects the spans a child process prints in the console `json` format (one
 * JSON object a line on stdout) and keeps the other lines (pino logs) apart.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

export interface SpanRecord {
  readonly name: string;
  readonly context: { readonly trace_id: string; readonly span_id: string };
  readonly parent: string | null;
  readonly kind: string;
  readonly start_time: string;
  readonly end_time: string;
  readonly status: { readonly code: string; readonly message?: string };
  readonly attributes: Record<string, unknown>;
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Record<string, unknown> }>;
  readonly service?: string;
}

function asSpan(line: string): SpanRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<SpanRecord>;
    return typeof value.context?.trace_id === 'string' && typeof value.kind === 'string' ? (value as SpanRecord) : undefined;
  } catch {
    return undefined;
  }
}

export class SpanLog {
  readonly spans: SpanRecord[] = [];
  readonly otherLines: string[] = [];
  private waiters: Array<() => void> = [];

  /** Reads `stream` line by line until it ends. */
  follow(stream: Readable): void {
    createInterface({ input: stream }).on('line', (line) => {
      const span = asSpan(line);
      if (span === undefined) {
        this.otherLines.push(line);
        return;
      }
      this.spans.push(span);
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((wake) => wake());
    });
  }

  trace(traceId: string): SpanRecord[] {
    return this.spans.filter((span) => span.context.trace_id === traceId);
  }

  /** Resolves once `done(spans of the trace)` holds; rejects after `timeoutMs` with what arrived. */
  async waitForTrace(traceId: string, done: (spans: SpanRecord[]) => boolean, timeoutMs = 5000): Promise<SpanRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const spans = this.trace(traceId);
      if (done(spans)) return spans;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`trace ${traceId}: gave up waiting; have ${spans.map((s) => `${s.service}:${s.name}`).join(', ') || 'no spans'}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

import { formatTrace } from './format';
import type { ReceivedSpan } from './model';
import { buildTraces } from './traces';

/**
 * Prints traces as they come in. Spans of one trace arrive over several exports (each process,
 * each batch), so a trace is printed once no span of it has arrived for `settleMs`; spans that
 * come later still are printed as a continuation.
 */
export class TracePrinter {
  private readonly pending = new Map<string, { spans: ReceivedSpan[]; timer: NodeJS.Timeout | undefined }>();
  private readonly printed = new Set<string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly settleMs = 500,
  ) {}

  add(spans: readonly ReceivedSpan[]): void {
    for (const span of spans) {
      let entry = this.pending.get(span.traceId);
      if (!entry) {
        entry = { spans: [], timer: undefined };
        this.pending.set(span.traceId, entry);
      }
      entry.spans.push(span);
    }
    for (const traceId of new Set(spans.map((s) => s.traceId))) {
      const entry = this.pending.get(traceId)!;
      if (entry.timer) clearTimeout(entry.timer);
      if (this.settleMs === 0) this.print(traceId);
      else entry.timer = setTimeout(() => this.print(traceId), this.settleMs);
    }
  }

  /** Prints everything still waiting. */
  flush(): void {
    for (const traceId of [...this.pending.keys()]) this.print(traceId);
  }

  private print(traceId: string): void {
    const entry = this.pending.get(traceId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(traceId);
    const [trace] = buildTraces(entry.spans);
    const text = formatTrace(trace);
    this.write(this.printed.has(traceId) ? text.replace(/^trace (\S+)/, 'trace $1 (continued)') : text);
    this.printed.add(traceId);
  }
}

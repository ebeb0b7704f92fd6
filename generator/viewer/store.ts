/**
 * The dev viewer's memory: the most recent traces, within a bound on traces and on spans.
 * When either is passed, the trace that arrived first goes (oldest dropped first), and the
 * drop is counted. Each span is checked against the manifest once, on arrival.
 */
import { checkConformance, type Violation } from '@spanwright/runtime';
import type { ManifestModel } from '@spanwright/runtime';
import { checkableSpan } from '../receiver/checkable';
import type { ReceivedSpan } from '../receiver/model';

export interface StoreLimits {
  /** Traces kept at most (default 10,000). */
  readonly maxTraces: number;
  /** Spans kept at most, over all traces (default 100,000). */
  readonly maxSpans: number;
}

export const DEFAULT_LIMITS: StoreLimits = { maxTraces: 10_000, maxSpans: 100_000 };

/** One trace as the store keeps it. */
export interface StoredTrace {
  readonly traceId: string;
  readonly spans: ReceivedSpan[];
  /** Conformance findings of the spans that have any, by span id. */
  readonly findings: Map<string, readonly Violation[]>;
  /** Store version when a span of it last arrived. */
  version: number;
  start: bigint;
  end: bigint;
  errors: number;
  findingCount: number;
}

/** What the trace list shows of one trace. */
export interface TraceSummary {
  readonly traceId: string;
  /** The earliest span without a received parent; '' until one arrives. */
  readonly rootName: string;
  readonly rootService: string;
  /** The root is missing: its parent id names a span not received (yet). */
  readonly partial: boolean;
  readonly services: readonly string[];
  readonly spanCount: number;
  readonly startTimeUnixNano: string;
  readonly durationMs: number;
  readonly errors: number;
  readonly findings: number;
}

export interface StoreStats {
  readonly traces: number;
  readonly spans: number;
  readonly droppedTraces: number;
  readonly droppedSpans: number;
  readonly version: number;
}

export class TraceStore {
  private readonly traces = new Map<string, StoredTrace>();
  private spanCount = 0;
  private droppedTraces = 0;
  private droppedSpans = 0;
  private currentVersion = 0;

  constructor(
    private readonly manifest: ManifestModel | undefined,
    readonly limits: StoreLimits = DEFAULT_LIMITS,
  ) {}

  /** Takes the spans of one export (any mix of traces). */
  add(spans: readonly ReceivedSpan[]): void {
    if (spans.length === 0) return;
    this.currentVersion += 1;
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (trace === undefined) {
        trace = {
          traceId: span.traceId,
          spans: [],
          findings: new Map(),
          version: 0,
          start: span.startTimeUnixNano,
          end: span.endTimeUnixNano,
          errors: 0,
          findingCount: 0,
        };
        this.traces.set(span.traceId, trace);
      }
      trace.spans.push(span);
      trace.version = this.currentVersion;
      if (span.startTimeUnixNano < trace.start) trace.start = span.startTimeUnixNano;
      if (span.endTimeUnixNano > trace.end) trace.end = span.endTimeUnixNano;
      if (span.status.code === 'ERROR') trace.errors += 1;
      const found = this.check(span);
      if (found.length > 0) {
        trace.findings.set(span.spanId, found);
        trace.findingCount += found.length;
      }
      this.spanCount += 1;
    }
    this.evict(new Set(spans.map((span) => span.traceId)));
  }

  /** A trace by id (lowercase hex), or undefined. */
  get(traceId: string): StoredTrace | undefined {
    return this.traces.get(traceId);
  }

  /** Summaries, newest (latest start) first; at most `limit`. */
  list(limit = Infinity): TraceSummary[] {
    const all = [...this.traces.values()].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
    return all.slice(0, limit).map(summarize);
  }

  stats(): StoreStats {
    return {
      traces: this.traces.size,
      spans: this.spanCount,
      droppedTraces: this.droppedTraces,
      droppedSpans: this.droppedSpans,
      version: this.currentVersion,
    };
  }

  private check(span: ReceivedSpan): readonly Violation[] {
    if (this.manifest === undefined) return [];
    return checkConformance([checkableSpan(span)], this.manifest).violations;
  }

  /** Drops the oldest traces until both limits hold; never one that just received spans unless it is alone. */
  private evict(fresh: ReadonlySet<string>): void {
    const over = (): boolean => this.traces.size > this.limits.maxTraces || this.spanCount > this.limits.maxSpans;
    if (!over()) return;
    for (const [traceId, trace] of this.traces) {
      if (!over()) return;
      if (fresh.has(traceId)) continue;
      this.drop(traceId, trace);
    }
    // Only fresh traces are left and still too many: drop them in arrival order, keeping the last.
    for (const [traceId, trace] of this.traces) {
      if (!over() || this.traces.size === 1) return;
      this.drop(traceId, trace);
    }
  }

  private drop(traceId: string, trace: StoredTrace): void {
    this.traces.delete(traceId);
    this.spanCount -= trace.spans.length;
    this.droppedTraces += 1;
    this.droppedSpans += trace.spans.length;
  }
}

function summarize(trace: StoredTrace): TraceSummary {
  const ids = new Set(trace.spans.map((span) => span.spanId));
  let root: ReceivedSpan | undefined;
  for (const span of trace.spans) {
    const isRoot = span.parentSpanId === undefined || !ids.has(span.parentSpanId);
    if (isRoot && (root === undefined || rank(span) < rank(root))) root = span;
  }
  const services = [...new Set(trace.spans.map((span) => span.serviceName || 'unknown service'))].sort();
  return {
    traceId: trace.traceId,
    rootName: root?.name ?? '',
    rootService: root?.serviceName ?? '',
    partial: root?.parentSpanId !== undefined,
    services,
    spanCount: trace.spans.length,
    startTimeUnixNano: trace.start.toString(),
    durationMs: Number(trace.end - trace.start) / 1e6,
    errors: trace.errors,
    findings: trace.findingCount,
  };
}

/** A true root (no parent) before an orphan; then the earliest. */
function rank(span: ReceivedSpan): number {
  return (span.parentSpanId === undefined ? 0 : 1e30) + Number(span.startTimeUnixNano);
}

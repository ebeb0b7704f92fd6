/**
 * What a request's trace must hold at the collector, derived from a quiet
 * request rather than written down, so the checks follow the service.
 */
import type { Collector, ReceivedSpan } from '../../support/collector';
import { postPrediction, type ServiceProcess } from './harness';

export const API_SERVICE = 'sports-bet-ai-api';
export const UPSTREAM_SERVICE = 'stats-upstream';

/** `service kind name`, knex's database (a file path on SQLite) cut from the name: `select players`. */
export function signature(span: ReceivedSpan): string {
  const name = span.attributes['db.system.name'] !== undefined ? span.name.replace(/^(\w+) (?:.*\.)?(\w+)$/, '$1 $2') : span.name;
  return `${span.serviceName} ${span.kind} ${name}`;
}

/** A trace's spans as a sorted list of signatures (a multiset). */
export function traceSignature(spans: readonly ReceivedSpan[]): string[] {
  return spans.map(signature).sort();
}

export interface ExpectedTrace {
  /** Every span of one POST, both processes. */
  readonly all: string[];
  /** The spans the predictions API makes for one POST. */
  readonly api: number;
  readonly upstream: number;
  /** The quiet request's trace id (its spans count as produced too). */
  readonly traceId: string;
}

/**
 * Sends one POST and waits until its trace is complete at the collector: the API's root
 * server span (it ends last, and one process exports in the order spans end) and the
 * upstream's server span.
 */
export async function expectedTrace(collector: Collector, api: ServiceProcess, timeoutMs = 20_000): Promise<ExpectedTrace> {
  const result = await postPrediction(api.url);
  if (result.status !== 200 || result.traceId === null) throw new Error(`quiet request failed: ${JSON.stringify(result)}`);
  const traceId = result.traceId;
  const spans = await collector.waitFor(
    () => {
      const mine = collector.spans().filter((s) => s.traceId === traceId);
      const rootDone = mine.some((s) => s.serviceName === API_SERVICE && s.kind === 'SERVER' && s.parentSpanId === undefined);
      const upstreamDone = mine.some((s) => s.serviceName === UPSTREAM_SERVICE && s.kind === 'SERVER');
      return rootDone && upstreamDone ? mine : undefined;
    },
    timeoutMs,
    () => `quiet trace ${traceId}: ${collector.spans().filter((s) => s.traceId === traceId).map(signature).join('; ')}`,
  );
  const all = traceSignature(spans);
  return {
    all,
    api: spans.filter((s) => s.serviceName === API_SERVICE).length,
    upstream: spans.filter((s) => s.serviceName === UPSTREAM_SERVICE).length,
    traceId,
  };
}

/** Spans received from one service, distinct by trace + span id. */
export function distinctSpansOf(collector: Collector, serviceName: string): ReceivedSpan[] {
  const seen = new Map<string, ReceivedSpan>();
  for (const span of collector.spans()) {
    if (span.serviceName === serviceName) seen.set(`${span.traceId}/${span.spanId}`, span);
  }
  return [...seen.values()];
}

/** Trace id → its spans, for the given trace ids (and service) only. */
export function spansByTrace(collector: Collector, traceIds: ReadonlySet<string>, serviceName?: string): Map<string, ReceivedSpan[]> {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of collector.spans()) {
    if (!traceIds.has(span.traceId) || (serviceName !== undefined && span.serviceName !== serviceName)) continue;
    const list = byTrace.get(span.traceId) ?? [];
    list.push(span);
    byTrace.set(span.traceId, list);
  }
  return byTrace;
}

/**
 * Trace ids whose spans (of `serviceName` only, if given) differ from `expected`, each with
 * what arrived (at most `limit`).
 */
export function incompleteTraces(
  collector: Collector,
  traceIds: readonly string[],
  expected: readonly string[],
  serviceName?: string,
  limit = 5,
): string[] {
  const byTrace = spansByTrace(collector, new Set(traceIds), serviceName);
  const want = expected.join(' | ');
  const wrong: string[] = [];
  for (const traceId of traceIds) {
    const got = traceSignature(byTrace.get(traceId) ?? []).join(' | ');
    if (got !== want) wrong.push(`${traceId}: ${got || 'no spans'}`);
  }
  return wrong.length > limit ? [...wrong.slice(0, limit), `… and ${wrong.length - limit} more`] : wrong;
}

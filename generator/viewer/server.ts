/**
 * The viewer's web side: the page (static HTML, JS and CSS from ui/, no build step) and
 * its JSON, read from a TraceStore.
 *
 *   GET /                      the trace list          GET /api/traces[?limit=N]
 *   GET /traces/<traceId>      one trace as a waterfall GET /api/traces/<traceId>
 */
import { existsSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { jsonAttributes } from '../receiver/checkable';
import type { ReceivedSpan } from '../receiver/model';
import type { StoredTrace, TraceStore } from './store';

/** ui/ beside this module in the source tree, at generator/viewer/ui of the package once compiled. */
export function uiDir(): string {
  const candidates = [path.join(__dirname, 'ui'), path.join(__dirname, '..', '..', '..', 'generator', 'viewer', 'ui')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0]!;
}

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/static/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/static/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

const TRACE_ID = /^[0-9a-f]{32}$/;
const LIST_LIMIT = 500;

/** What the page shows besides the traces: where the manifest came from. */
export interface ViewerInfo {
  /** The manifest's label, or undefined when running without one. */
  readonly manifest: string | undefined;
  readonly otlp: { readonly grpc: string; readonly http: string };
}

export function createViewerServer(store: TraceStore, info: ViewerInfo): http.Server {
  const dir = uiDir();
  const page = readFileSync(path.join(dir, 'index.html'));
  const assets = new Map(Object.entries(ASSETS).map(([url, asset]) => [url, { body: readFileSync(path.join(dir, asset.file)), type: asset.type }]));
  const server = http.createServer((req, res) => {
    try {
      route(req, res);
    } catch (error) {
      sendJson(res, 500, { error: `viewer error: ${(error as Error).message}` });
    }
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://viewer');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: `method ${req.method} not allowed: the viewer is read-only (OTLP goes to the receiver's ports)` });
      return;
    }
    const pathname = url.pathname;
    if (pathname === '/' || pathname.startsWith('/traces/')) {
      send(res, 200, 'text/html; charset=utf-8', page);
      return;
    }
    const asset = assets.get(pathname);
    if (asset !== undefined) {
      send(res, 200, asset.type, asset.body);
      return;
    }
    if (pathname === '/api/traces') {
      const limitText = url.searchParams.get('limit');
      const limit = limitText === null ? LIST_LIMIT : /^\d{1,9}$/.test(limitText) ? Number(limitText) : NaN;
      if (Number.isNaN(limit)) {
        sendJson(res, 400, { error: `limit must be a whole number, got ${JSON.stringify(limitText)}` });
        return;
      }
      sendJson(res, 200, { ...listHeader(store, info), traces: store.list(limit) });
      return;
    }
    if (pathname.startsWith('/api/traces/')) {
      const traceId = decodeURIComponent(pathname.slice('/api/traces/'.length)).toLowerCase();
      if (!TRACE_ID.test(traceId)) {
        sendJson(res, 400, { error: `trace id must be 32 hex digits, got ${JSON.stringify(traceId)}` });
        return;
      }
      const trace = store.get(traceId);
      if (trace === undefined) {
        sendJson(res, 404, { error: `trace ${traceId} not found (not received, or dropped to stay within ${store.limits.maxTraces} traces)` });
        return;
      }
      sendJson(res, 200, traceJson(trace));
      return;
    }
    sendJson(res, 404, { error: `not found: ${pathname}` });
  }
  return server;
}

function listHeader(store: TraceStore, info: ViewerInfo): Record<string, unknown> {
  const { version, ...stats } = store.stats();
  return { version, stats, limits: store.limits, manifest: info.manifest ?? null, otlp: info.otlp };
}

/** One trace: its spans in start order, each with what the page's span panel shows. */
export function traceJson(trace: StoredTrace): Record<string, unknown> {
  const spans = [...trace.spans].sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : a.startTimeUnixNano > b.startTimeUnixNano ? 1 : 0));
  return {
    traceId: trace.traceId,
    version: trace.version,
    spanCount: spans.length,
    services: [...new Set(spans.map((span) => span.serviceName || 'unknown service'))].sort(),
    startTimeUnixNano: trace.start.toString(),
    endTimeUnixNano: trace.end.toString(),
    durationMs: Number(trace.end - trace.start) / 1e6,
    errors: trace.errors,
    findings: trace.findingCount,
    spans: spans.map((span) => spanJson(span, trace)),
  };
}

function spanJson(span: ReceivedSpan, trace: StoredTrace): Record<string, unknown> {
  // Export headers are never shown: they carry API keys.
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    serviceName: span.serviceName || 'unknown service',
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano.toString(),
    endTimeUnixNano: span.endTimeUnixNano.toString(),
    durationMs: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    attributes: jsonAttributes(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: event.timeUnixNano.toString(),
      attributes: jsonAttributes(event.attributes),
    })),
    links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: jsonAttributes(link.attributes) })),
    status: span.status,
    resource: { attributes: jsonAttributes(span.resource.attributes) },
    scope: { name: span.scope.name, version: span.scope.version },
    findings: (trace.findings.get(span.spanId) ?? []).map((finding) => ({ rule: finding.rule, message: finding.message })),
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'self'; style-src 'self'; script-src 'self'",
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
}

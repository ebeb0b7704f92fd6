import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { DecodeError, decodeJson, decodeProtobuf, normalizeRequest } from './decode';
import type { Protocol, ReceivedRequest, ReceivedSpan, ReceivedTrace, RequestOutcome } from './model';
import type { PbExportRequest } from './schema';
import { TRACE_EXPORT_PATH, types } from './schema';
import { buildTraces } from './traces';

export interface ReceiverOptions {
  /** gRPC port; 0 (default) picks a free one. */
  grpcPort?: number;
  /** OTLP/HTTP port; 0 (default) picks a free one. */
  httpPort?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Largest request body accepted, compressed or not (default 64 MiB). */
  maxBodyBytes?: number;
  /**
   * Keep every accepted span and request for `spans()`, `traces()` and `requests()` (default true).
   * False for a long-running receiver that hands spans on through the `spans` event only.
   */
  retain?: boolean;
}

export interface ReceiverStats {
  /** Export requests that arrived, whatever became of them. */
  requests: number;
  accepted: number;
  refused: number;
  dropped: number;
  invalid: number;
  /** Spans kept, counting a span delivered twice (after an exporter retry) twice. */
  spans: number;
  /** Spans kept, by trace id + span id. */
  distinctSpans: number;
  duplicateSpans: number;
  traces: number;
}

/** Faults (for exporter tests) the receiver applies to every export request that arrives while they are set. */
export interface Faults {
  /** Answer gRPC UNAVAILABLE / HTTP 503 and keep nothing. */
  refuse: boolean;
  /** With `refuse`: how many more exports to refuse before accepting again (undefined: all). */
  refuseRemaining: number | undefined;
  /** Seconds sent as Retry-After with an HTTP 503 (none when undefined). */
  retryAfterSeconds: number | undefined;
  /** Hold every response this many milliseconds (what arrived is kept on arrival). */
  delayMs: number;
  /** Destroy the connection a request arrives on, answering nothing and keeping nothing. */
  drop: boolean;
}

const NO_FAULTS: Faults = { refuse: false, refuseRemaining: undefined, retryAfterSeconds: undefined, delayMs: 0, drop: false };

// google.rpc.Code values used in OTLP/HTTP error bodies.
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;

/** A request body protobufjs could not decode, handed from requestDeserialize to the handler. */
class MalformedRequest {
  constructor(readonly error: DecodeError) {}
}

/** One export, whatever the transport: how to read it and how to answer it. */
interface Exchange {
  protocol: Protocol;
  headers: Record<string, string>;
  gzip: boolean;
  decode(): PbExportRequest;
  accept(): void;
  refuse(message: string, retryAfterSeconds: number | undefined): void;
  reject(error: DecodeError): void;
  drop(): void;
}

/**
 * An OTLP trace receiver: gRPC TraceService/Export, and POST /v1/traces with
 * application/x-protobuf (optionally gzip) or application/json. Emits `spans`
 * (spans, request) for every accepted export and `request` for every export;
 * keeps what it accepted unless `retain` is false. `spanwright dev`,
 * `spanwright live-check`, `npm run demo` and the tests (as `test/support/collector`,
 * with its faults) all receive through it.
 */
export class OtlpReceiver extends EventEmitter {
  private readonly host: string;
  private readonly maxBodyBytes: number;
  private readonly retain: boolean;
  private readonly grpcServer: grpc.Server;
  private readonly grpcListener: net.Server;
  private readonly httpListener: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly grpcSocketsByPeer = new Map<string, net.Socket>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: (fired: boolean) => void }>();
  private received: ReceivedSpan[] = [];
  private requestLog: ReceivedRequest[] = [];
  private nextRequestId = 1;
  private currentFaults: Faults = { ...NO_FAULTS };
  private ports: { grpc: number; http: number };
  private isRunning = false;

  constructor(options: ReceiverOptions = {}) {
    super();
    this.setMaxListeners(0); // every pending waitFor() listens
    this.host = options.host ?? '127.0.0.1';
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
    this.retain = options.retain ?? true;
    this.ports = { grpc: options.grpcPort ?? 0, http: options.httpPort ?? 0 };

    this.grpcServer = new grpc.Server({
      'grpc.max_receive_message_length': this.maxBodyBytes,
    });
    this.grpcServer.addService(traceServiceDefinition(), { Export: this.onGrpcExport });
    // Our own TCP listener feeds connections to grpc-js, so that we can see and destroy them.
    const injector = this.grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    this.grpcListener = net.createServer((socket) => {
      this.track(socket);
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      this.grpcSocketsByPeer.set(peer, socket);
      socket.once('close', () => this.grpcSocketsByPeer.delete(peer));
      injector.injectConnection(socket);
    });

    this.httpListener = http.createServer((req, res) => {
      this.onHttpRequest(req, res).catch((err: unknown) => {
        // Never let a request take the receiver down.
        if (!res.headersSent) sendText(res, 500, `receiver error: ${String(err)}`);
        else res.destroy();
      });
    });
    this.httpListener.on('connection', (socket: net.Socket) => this.track(socket));
    this.httpListener.on('clientError', (_err, socket) => socket.destroy());
  }

  /** gRPC endpoint, e.g. `http://127.0.0.1:4317` (for OTLPTraceExporter `url`). */
  get grpcEndpoint(): string {
    return `http://${this.host}:${this.ports.grpc}`;
  }

  /** OTLP/HTTP base endpoint, e.g. `http://127.0.0.1:4318` (for OTEL_EXPORTER_OTLP_ENDPOINT). */
  get httpEndpoint(): string {
    return `http://${this.host}:${this.ports.http}`;
  }

  /** Full OTLP/HTTP traces URL, `<httpEndpoint>/v1/traces`. */
  get tracesUrl(): string {
    return `${this.httpEndpoint}/v1/traces`;
  }

  get grpcPort(): number {
    return this.ports.grpc;
  }

  get httpPort(): number {
    return this.ports.http;
  }

  /** Whether the receiver is listening (false between `stop()` and `restart()`). */
  get running(): boolean {
    return this.isRunning;
  }

  /** Starts listening; with port 0 the chosen ports are kept for `restart()`. */
  async start(): Promise<this> {
    if (this.isRunning) return this;
    this.ports.grpc = await listen(this.grpcListener, this.ports.grpc, this.host);
    try {
      this.ports.http = await listen(this.httpListener, this.ports.http, this.host);
    } catch (err) {
      await closeListener(this.grpcListener);
      throw err;
    }
    this.isRunning = true;
    return this;
  }

  /** Stops listening and destroys every open connection; what was received is kept. */
  async stop(): Promise<void> {
    if (!this.isRunning) return;
    this.isRunning = false;
    const closed = Promise.all([closeListener(this.grpcListener), closeListener(this.httpListener)]);
    this.cancelDelays();
    this.dropConnections();
    await closed;
  }

  /** Listens again on the same ports after `stop()`. */
  async restart(): Promise<void> {
    await this.start();
  }

  /** Stops for good, releasing the gRPC server too. */
  async close(): Promise<void> {
    await this.stop();
    this.grpcServer.forceShutdown();
    this.removeAllListeners();
  }

  // ---- faults ----

  /** The faults in force. */
  get faults(): Readonly<Faults> {
    return { ...this.currentFaults };
  }

  /**
   * Refuse exports (gRPC UNAVAILABLE, HTTP 503 with an optional Retry-After) until called with false,
   * or only the next `times` exports.
   */
  refuse(on = true, options: { retryAfterSeconds?: number; times?: number } = {}): void {
    this.currentFaults.refuse = on && (options.times === undefined || options.times > 0);
    this.currentFaults.refuseRemaining = on ? options.times : undefined;
    this.currentFaults.retryAfterSeconds = on ? options.retryAfterSeconds : undefined;
  }

  /** Hold every response `ms` milliseconds (0 to stop). */
  delay(ms: number): void {
    this.currentFaults.delayMs = Math.max(0, ms);
  }

  /** Destroy the connection of every export that arrives, until called with false. */
  drop(on = true): void {
    this.currentFaults.drop = on;
  }

  /** Clears every fault. */
  resetFaults(): void {
    this.currentFaults = { ...NO_FAULTS };
  }

  /** Destroys every open connection now (gRPC and HTTP); returns how many there were. */
  dropConnections(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return count;
  }

  // ---- what was received ----

  /** Every span accepted, in arrival order. */
  spans(): ReceivedSpan[] {
    return [...this.received];
  }

  /** Spans grouped by trace (first-arrival order), with parent links resolved. */
  traces(): ReceivedTrace[] {
    return buildTraces(this.received);
  }

  /** One trace by id, or undefined. */
  trace(traceId: string): ReceivedTrace | undefined {
    return buildTraces(this.received.filter((s) => s.traceId === traceId))[0];
  }

  /** Every export request that arrived, whatever became of it, in arrival order. */
  requests(): ReceivedRequest[] {
    return [...this.requestLog];
  }

  /** Counts for reports: requests by outcome, spans, distinct spans and traces, duplicates. */
  stats(): ReceiverStats {
    const outcomes: Record<RequestOutcome, number> = { accepted: 0, refused: 0, dropped: 0, invalid: 0 };
    for (const request of this.requestLog) outcomes[request.outcome]++;
    const spanIds = new Set(this.received.map((s) => `${s.traceId}/${s.spanId}`));
    return {
      requests: this.requestLog.length,
      ...outcomes,
      spans: this.received.length,
      distinctSpans: spanIds.size,
      duplicateSpans: this.received.length - spanIds.size,
      traces: new Set(this.received.map((s) => s.traceId)).size,
    };
  }

  /** Forgets every span and request (faults stay as they are). */
  clear(): void {
    this.received = [];
    this.requestLog = [];
  }

  /** Resolves with all spans once at least `count` were accepted; rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs = 5000): Promise<ReceivedSpan[]> {
    return this.waitFor(() => (this.received.length >= count ? this.spans() : undefined), timeoutMs, () => {
      const names = this.received.map((s) => s.name).join(', ');
      return `waitForSpans(${count}): ${this.received.length} span(s) after ${timeoutMs} ms: [${names}]`;
    });
  }

  /** Resolves with all requests once at least `count` arrived (whatever their outcome). */
  waitForRequests(count: number, timeoutMs = 5000): Promise<ReceivedRequest[]> {
    return this.waitFor(() => (this.requestLog.length >= count ? this.requests() : undefined), timeoutMs, () => {
      const outcomes = this.requestLog.map((r) => `${r.protocol} ${r.outcome}`).join(', ');
      return `waitForRequests(${count}): ${this.requestLog.length} request(s) after ${timeoutMs} ms: [${outcomes}]`;
    });
  }

  /**
   * Resolves with `check()`'s value once it is neither undefined nor false, re-checking whenever a
   * request arrives; rejects with `describe()` after `timeoutMs`.
   */
  waitFor<T>(check: () => T | undefined | false, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): boolean => {
        const value = check();
        if (value === undefined || value === false) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const onChange = (): void => {
        done();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(describe()));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('request', onChange);
      };
      this.on('request', onChange);
      done();
    });
  }

  // ---- transports ----

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {}); // resets from exporters are expected
  }

  private readonly onGrpcExport = (
    call: grpc.ServerUnaryCall<PbExportRequest | MalformedRequest, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ): void => {
    const answer = (error: Partial<grpc.StatusObject> | null, value?: unknown): void => {
      if (call.cancelled) return;
      callback(error, value);
    };
    this.handleExport({
      protocol: 'grpc',
      headers: metadataToHeaders(call.metadata),
      gzip: false,
      decode: () => {
        if (call.request instanceof MalformedRequest) throw call.request.error;
        return call.request;
      },
      accept: () => answer(null, {}),
      refuse: (message) => answer({ code: grpc.status.UNAVAILABLE, details: message }),
      reject: (error) => answer({ code: grpc.status.INVALID_ARGUMENT, details: error.message }),
      drop: () => {
        const socket = this.grpcSocketsByPeer.get(call.getPeer());
        if (socket) socket.destroy();
        else answer({ code: grpc.status.UNAVAILABLE, details: 'connection dropped' });
      },
    }).catch(() => {
      // Only answering can fail here, when the call is already gone: nothing left to tell anyone.
    });
  };

  private async onHttpRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== '/v1/traces') {
      req.resume();
      sendText(res, 404, `not found: ${pathname} (OTLP traces go to POST /v1/traces)`);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('Allow', 'POST');
      sendText(res, 405, `method ${req.method} not allowed: use POST /v1/traces`);
      return;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = contentType === 'application/x-protobuf' ? 'protobuf' : contentType === 'application/json' ? 'json' : undefined;
    if (!format) {
      req.resume();
      sendText(res, 415, `unsupported Content-Type ${JSON.stringify(contentType)}: use application/x-protobuf or application/json`);
      return;
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') {
      req.resume();
      sendStatus(res, format, 415, RPC_INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(encoding)}: use gzip or none`);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, this.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        sendStatus(res, format, 413, RPC_RESOURCE_EXHAUSTED, err.message);
        res.once('finish', () => req.destroy());
      } else {
        res.destroy();
      }
      return;
    }
    let gunzipError: DecodeError | undefined;
    if (encoding === 'gzip') {
      try {
        body = await gunzip(body, this.maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          sendStatus(res, format, 413, RPC_RESOURCE_EXHAUSTED, err.message);
          return;
        }
        gunzipError = new DecodeError(`invalid gzip body: ${(err as Error).message}`);
      }
    }
    const decoded = body;
    await this.handleExport({
      protocol: format === 'json' ? 'http/json' : 'http/protobuf',
      headers: httpHeaders(req.headers),
      gzip: encoding === 'gzip',
      decode: () => {
        if (gunzipError) throw gunzipError;
        return format === 'json' ? decodeJson(decoded) : decodeProtobuf(decoded);
      },
      accept: () => {
        if (format === 'json') send(res, 200, 'application/json', '{}');
        else send(res, 200, 'application/x-protobuf', Buffer.from(types.ExportTraceServiceResponse.encode({}).finish()));
      },
      refuse: (message, retryAfterSeconds) => {
        if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
        sendStatus(res, format, 503, RPC_UNAVAILABLE, message);
      },
      reject: (error) => sendStatus(res, format, 400, RPC_INVALID_ARGUMENT, error.message),
      drop: () => req.socket.destroy(),
    });
  }

  /** The part every transport shares: faults, decoding, keeping, answering. */
  private async handleExport(exchange: Exchange): Promise<void> {
    const faults = { ...this.currentFaults };
    if (faults.refuse && faults.refuseRemaining !== undefined) {
      this.currentFaults.refuseRemaining = faults.refuseRemaining - 1;
      if (this.currentFaults.refuseRemaining <= 0) this.currentFaults.refuse = false;
    }
    const request: ReceivedRequest = {
      id: this.nextRequestId++,
      protocol: exchange.protocol,
      headers: exchange.headers,
      gzip: exchange.gzip,
      outcome: 'accepted',
      spanCount: 0,
      receivedAt: performance.now(),
    };
    let outcome: RequestOutcome = 'accepted';
    let spans: ReceivedSpan[] = [];
    let problem: DecodeError | undefined;
    if (faults.drop) outcome = 'dropped';
    else if (faults.refuse) outcome = 'refused';
    else {
      try {
        spans = normalizeRequest(exchange.decode(), {
          protocol: exchange.protocol,
          headers: exchange.headers,
          requestId: request.id,
        });
      } catch (err) {
        outcome = 'invalid';
        problem = err instanceof DecodeError ? err : new DecodeError(`invalid request: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    request.outcome = outcome;
    request.spanCount = spans.length;
    if (problem) request.error = problem.message;
    if (this.retain) {
      this.requestLog.push(request);
      this.received.push(...spans);
    }
    if (spans.length > 0) this.emit('spans', spans, request);
    this.emit('request', request);

    if (outcome === 'dropped') {
      exchange.drop();
      return;
    }
    if (faults.delayMs > 0 && !(await this.sleep(faults.delayMs))) return; // stopped meanwhile
    if (outcome === 'refused') exchange.refuse('collector is refusing exports (test fault)', faults.retryAfterSeconds);
    else if (problem) exchange.reject(problem);
    else exchange.accept();
  }

  /** Resolves true after `ms`, or false if the receiver stops first. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      entry.timer.unref();
      this.timers.add(entry);
    });
  }

  private cancelDelays(): void {
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    this.timers.clear();
  }
}

/** Starts a receiver; ports default to 0 (free loopback ports). */
export async function startReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  return new OtlpReceiver(options).start();
}

/** The TraceService definition, with protobufjs doing the (de)serialization. */
function traceServiceDefinition(): grpc.ServiceDefinition {
  const Request = types.ExportTraceServiceRequest;
  const Response = types.ExportTraceServiceResponse;
  return {
    Export: {
      path: TRACE_EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: object) => Buffer.from(Request.encode(Request.fromObject(value)).finish()),
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decodeProtobuf(bytes);
        } catch (err) {
          // Answered INVALID_ARGUMENT by the handler, instead of grpc-js' INTERNAL.
          return new MalformedRequest(err as DecodeError);
        }
      },
      responseSerialize: (value: object) => Buffer.from(Response.encode(Response.fromObject(value)).finish()),
      responseDeserialize: (bytes: Buffer) => Response.decode(bytes),
    },
  };
}

function metadataToHeaders(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    out[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64'))).join(', ');
  }
  return out;
}

function httpHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

class BodyTooLarge extends Error {
  constructor(limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('request aborted')));
  });
}

function gunzip(body: Buffer, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib.gunzip(body, { maxOutputLength: limit }, (err, out) => {
      if (!err) resolve(out);
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new BodyTooLarge(limit));
      else reject(err);
    });
  });
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
}

/** OTLP/HTTP failures carry a google.rpc.Status in the request's own encoding. */
function sendStatus(res: http.ServerResponse, format: 'json' | 'protobuf', status: number, code: number, message: string): void {
  if (format === 'json') send(res, status, 'application/json', JSON.stringify({ code, message }));
  else send(res, status, 'application/x-protobuf', Buffer.from(types.RpcStatus.encode({ code, message }).finish()));
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeListener(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

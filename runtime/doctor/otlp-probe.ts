/**
 * `spanwright doctor`'s check that the OTLP endpoint answers. For the HTTP
 * protocols: a POST of an empty export request (a valid, empty
 * ExportTraceServiceRequest) with the configured headers, which a receiver
 * accepts with 200, so a refused key shows too; for gRPC: a TCP connection.
 * The URL is printed redacted and headers never.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { OtlpConfig } from '../config/resolve';
import { redactUrl } from '../config/redact';

export const PROBE_TIMEOUT_MILLIS = 3000;

export interface ProbeResult {
  readonly ok: boolean;
  /** One `spanwright: …` line: configuration when ok, a problem otherwise. */
  readonly line: string;
}

function defaultPort(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function failed(where: string, why: string): ProbeResult {
  return { ok: false, line: `spanwright: OTLP endpoint ${where} did not answer (${why}); every export would fail` };
}

function probeTcp(url: URL, where: string, timeoutMillis: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: defaultPort(url) });
    socket.setTimeout(timeoutMillis, () => {
      socket.destroy();
      resolve(failed(where, `no connection within ${timeoutMillis} ms`));
    });
    socket.once('connect', () => {
      socket.end();
      resolve({ ok: true, line: `spanwright: OTLP endpoint ${where} answers (TCP connection)` });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(failed(where, error.code ?? error.message)));
  });
}

function probeHttp(otlp: OtlpConfig, url: URL, where: string, timeoutMillis: number): Promise<ProbeResult> {
  const contentType = otlp.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  const body = otlp.protocol === 'http/json' ? '{}' : '';
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...Object.fromEntries(otlp.headers.entries()), 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMillis,
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status === 401 || status === 403) {
          resolve({ ok: false, line: `spanwright: OTLP endpoint ${where} refused the credentials (HTTP ${status}); check OTEL_EXPORTER_OTLP_HEADERS` });
        } else if (status >= 200 && status < 300) {
          resolve({ ok: true, line: `spanwright: OTLP endpoint ${where} answers (HTTP ${status})` });
        } else {
          resolve({ ok: false, line: `spanwright: OTLP endpoint ${where} answered HTTP ${status} to an empty export; check the URL and protocol` });
        }
      },
    );
    request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMillis} ms`)));
    request.once('error', (error: NodeJS.ErrnoException) => resolve(failed(where, error.code ?? error.message)));
    request.end(body);
  });
}

export function probeOtlp(otlp: OtlpConfig, timeoutMillis = PROBE_TIMEOUT_MILLIS): Promise<ProbeResult> {
  const url = new URL(otlp.url);
  const where = redactUrl(otlp.url);
  return otlp.protocol === 'grpc' ? probeTcp(url, where, timeoutMillis) : probeHttp(otlp, url, where, timeoutMillis);
}

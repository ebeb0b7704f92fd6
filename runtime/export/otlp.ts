/**
 * The OTLP span exporter for the configured protocol. Each exporter's packages
 * are required only when chosen: the gRPC one pulls in @grpc/grpc-js.
 *
 * For the two protobuf protocols the exporter is the official one's parts (the
 * export delegate: transport, retries, timeouts, concurrency limit, response
 * handling) with our one-pass encoder (export/protobuf-encoder.ts) in place of
 * otlp-transformer's serializer: the same bytes, written in less than half the time.
 */
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import type { ISerializer, IExportTraceServiceResponse } from '@opentelemetry/otlp-transformer';
import type { OtlpConfig } from '../config/resolve';
import { encodeTraceExportRequest } from './protobuf-encoder';

/** The component types the official trace exporters report in their self-observability metrics. */
const HTTP_SPAN_EXPORTER = 'otlp_http_span_exporter';
const GRPC_SPAN_EXPORTER = 'otlp_grpc_span_exporter';

type Serializer = ISerializer<ReadableSpan[], IExportTraceServiceResponse>;
type MetricsHelper = typeof import('@opentelemetry/otlp-transformer').TraceExporterMetricsHelper;

/** An exporter around the delegate `makeDelegate` builds with our encoder as its serializer. */
function protobufExporter(makeDelegate: (serializer: Serializer, metrics: MetricsHelper) => IOtlpExportDelegate<ReadableSpan[]>): SpanExporter {
  const { OTLPExporterBase } = require('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const serializer: Serializer = { serializeRequest: encodeTraceExportRequest, deserializeResponse: ProtobufTraceSerializer.deserializeResponse };
  return new OTLPExporterBase(makeDelegate(serializer, TraceExporterMetricsHelper));
}

/**
 * The variables the official exporters read from `process.env` on their own, as a fallback under
 * the options we pass. The runtime has already resolved them (checked, redacted, with bad headers
 * dropped), so the exporter must not see them: it would add a dropped header back (grpc-js then
 * throws at start, Node's http fails every export) and print a malformed endpoint whole in a diag warning.
 */
const RESOLVED_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
] as const;

/** Runs `build` with the resolved variables out of `process.env`, and puts them back. */
function withoutResolvedVariables<T>(build: () => T): T {
  const saved = new Map<string, string>();
  for (const name of RESOLVED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) saved.set(name, value);
    delete process.env[name];
  }
  try {
    return build();
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
}

/**
 * `concurrencyLimit`: exports the exporter runs at once. BatchSpanProcessor.forceFlush() (at
 * shutdown) starts every queued batch together, and the exporter fails each one past its limit
 * (default 30), so pass at least ceil(maxQueueSize / maxExportBatchSize) or a flush loses spans.
 */
export function createOtlpExporter(otlp: OtlpConfig, concurrencyLimit?: number): SpanExporter {
  return withoutResolvedVariables(() => buildExporter(otlp, concurrencyLimit));
}

function buildExporter(otlp: OtlpConfig, concurrencyLimit?: number): SpanExporter {
  const common = { url: otlp.url, timeoutMillis: otlp.timeoutMillis, ...(concurrencyLimit !== undefined ? { concurrencyLimit } : {}) };
  const headers = Object.fromEntries(otlp.headers.entries());
  switch (otlp.protocol) {
    case 'grpc': {
      const grpc = require('@opentelemetry/otlp-grpc-exporter-base') as typeof import('@opentelemetry/otlp-grpc-exporter-base');
      const metadata = grpc.createEmptyMetadata();
      for (const [name, value] of otlp.headers.entries()) metadata.set(name, value);
      return protobufExporter((serializer, metrics) =>
        grpc.createOtlpGrpcExportDelegate(
          grpc.convertLegacyOtlpGrpcOptions({ ...common, metadata }, 'TRACES'),
          serializer,
          GRPC_SPAN_EXPORTER,
          metrics,
          undefined,
          'TraceExportService',
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        ),
      );
    }
    case 'http/json': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ ...common, headers });
    }
    case 'http/protobuf': {
      const http = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
      return protobufExporter((serializer, metrics) =>
        http.createOtlpHttpExportDelegate(
          http.convertLegacyHttpOptions({ ...common, headers }, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
          serializer,
          HTTP_SPAN_EXPORTER,
          metrics,
          undefined,
        ),
      );
    }
  }
}

/**
 * The OTLP span exporter for the configured protocol. Each exporter package
 * is required only when chosen: the gRPC one pulls in @grpc/grpc-js.
 */
import { createRequire } from 'node:module';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpConfig } from './config';

/**
 * `concurrencyLimit`: exports the exporter runs at once. BatchSpanProcessor.forceFlush() (at
 * shutdown) starts every queued batch together, and the exporter fails each one past its limit
 * (default 30), so pass at least ceil(maxQueueSize / maxExportBatchSize) or a flush loses spans.
 */
export function createOtlpExporter(otlp: OtlpConfig, concurrencyLimit?: number): SpanExporter {
  const common = { url: otlp.url, timeoutMillis: otlp.timeoutMillis, ...(concurrencyLimit !== undefined ? { concurrencyLimit } : {}) };
  const headers = Object.fromEntries(otlp.headers.entries());
  switch (otlp.protocol) {
    case 'grpc': {
      // Resolved from the exporter that depends on it: it need not be a direct dependency.
      const fromExporter = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-grpc'));
      const grpcBase = fromExporter('@opentelemetry/otlp-grpc-exporter-base') as typeof import('@opentelemetry/otlp-grpc-exporter-base');
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      const metadata = grpcBase.createEmptyMetadata();
      for (const [name, value] of otlp.headers.entries()) metadata.set(name, value);
      return new OTLPTraceExporter({ ...common, metadata });
    }
    case 'http/json': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ ...common, headers });
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter({ ...common, headers });
    }
  }
}

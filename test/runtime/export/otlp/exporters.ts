import { Metadata } from '@grpc/grpc-js';
import type { Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Collector, Protocol } from '../../../support/collector';

export interface ExporterOptions {
  headers?: Record<string, string>;
  gzip?: boolean;
  timeoutMillis?: number;
}

type Compression = NonNullable<NonNullable<ConstructorParameters<typeof ProtoTraceExporter>[0]>['compression']>;
const GZIP = 'gzip' as Compression;

/** The official OTLP trace exporter for `protocol`, pointed at `collector`. */
export function officialExporter(protocol: Protocol, collector: Collector, options: ExporterOptions = {}): SpanExporter {
  const compression = options.gzip ? GZIP : undefined;
  const timeoutMillis = options.timeoutMillis;
  switch (protocol) {
    case 'grpc': {
      // The gRPC exporter takes headers as metadata.
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(options.headers ?? {})) metadata.set(key, value);
      return new GrpcTraceExporter({ url: collector.grpcEndpoint, metadata, compression, timeoutMillis });
    }
    case 'http/protobuf':
      return new ProtoTraceExporter({ url: collector.tracesUrl, headers: options.headers, compression, timeoutMillis });
    case 'http/json':
      return new JsonTraceExporter({ url: collector.tracesUrl, headers: options.headers, compression, timeoutMillis });
  }
}

/**
 * A provider that sends through `exporter` with a BatchSpanProcessor and also keeps, in memory,
 * exactly what the SDK handed to it: the reference the collector's copy is compared with.
 */
export function tracingTo(exporter: SpanExporter, resource: Attributes): {
  provider: BasicTracerProvider;
  sent: InMemorySpanExporter;
} {
  const sent = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(sent), new BatchSpanProcessor(exporter)],
  });
  return { provider, sent };
}

/** Spans made by `make`, recorded in memory only (for driving `exporter.export` by hand). */
export function recordSpans(make: (provider: BasicTracerProvider) => void, resource: Attributes = { 'service.name': 'faults' }): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  make(provider);
  return memory.getFinishedSpans();
}

/** `exporter.export` as a promise of the result its callback reports. */
export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** A span's hrtime as nanoseconds, exactly. */
export function hrToNanos([seconds, nanos]: readonly [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

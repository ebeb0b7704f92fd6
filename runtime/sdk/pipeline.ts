/**
 * The span processors, in order: the instrumentations' own (before any exporter sees a span),
 * console, OTLP with its accounting (every span exported or counted as dropped, drops reported),
 * conformance under SPANWRIGHT_STRICT=1, then the caller's.
 */
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WriteLine } from '../config/log-level';
import { redactUrl } from '../config/redact';
import type { ResolvedConfig } from '../config/resolve';
import { BoundedQueueProcessor, CountingExporter, DropReporter, ExportCounters } from '../export/accounting';
import { JsonConsoleExporter, writeStdout } from '../export/console-json';
import { TreeConsoleProcessor } from '../export/console-tree';
import { createOtlpExporter } from '../export/otlp';
import { createSpanProcessors } from '../instrumentation/registry';
import type { ManifestModel } from '../manifest/model';
import type { StartOptions } from './handle';

export interface SpanPipeline {
  readonly processors: SpanProcessor[];
  readonly counters: ExportCounters;
  /** Started; undefined without OTLP export. */
  readonly dropReporter: DropReporter | undefined;
}

export function createSpanPipeline(
  manifest: ManifestModel,
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
  options: StartOptions,
  stderr: WriteLine,
): SpanPipeline {
  const counters = new ExportCounters();
  const processors: SpanProcessor[] = createSpanProcessors(config);
  const stdout = options.stdout ?? writeStdout;
  if (config.console.enabled) {
    processors.push(
      config.console.format === 'tree'
        ? new TreeConsoleProcessor(stdout)
        : new SimpleSpanProcessor(new JsonConsoleExporter(stdout)),
    );
  }
  let dropReporter: DropReporter | undefined;
  if (config.otlp !== undefined) {
    const queryValues = [...new URL(config.otlp.url).searchParams.values()];
    const secrets = [...config.otlp.headers.entries().map(([, value]) => value), ...queryValues].filter((v) => v.length >= 4);
    const scrub = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
    // A shutdown flush sends every queued batch at once: the exporter must accept that many.
    const concurrencyLimit = Math.max(30, Math.ceil(config.batch.maxQueueSize / config.batch.maxExportBatchSize) + 1);
    const firstFailure = (): void => dropReporter?.reportFirstFailure();
    const exporter = new CountingExporter(createOtlpExporter(config.otlp, concurrencyLimit), counters, config.batch.exportTimeoutMillis, scrub, firstFailure);
    const batch = new BatchSpanProcessor(exporter, { ...config.batch });
    processors.push(new BoundedQueueProcessor(batch, counters, config.batch.maxQueueSize));
    dropReporter = new DropReporter(counters, redactUrl(config.otlp.url), config.dropReportIntervalMillis, stderr);
    dropReporter.start();
  }
  if (env.SPANWRIGHT_STRICT === '1') {
    const { ConformanceSpanProcessor } = require('../conformance/processor') as typeof import('../conformance/processor');
    processors.push(new ConformanceSpanProcessor(manifest, { enabled: true, write: (text) => stderr(text.trimEnd()) }));
  }
  processors.push(...(options.spanProcessors ?? []));
  return { processors, counters, dropReporter };
}

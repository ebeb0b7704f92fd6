/**
 * One mode of the helper benchmark, in a process of its own (see run.ts).
 * Prints `{ mode, rounds: { plain: ns[], 'hand-written': ns[], generated: ns[] } }`.
 */
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { ExportResult } from '@opentelemetry/core';
// The compiled output users run (npm run build), not tsx's transpile of the sources: esbuild
// turns every export into a getter, which would tax the generated side only. Types from the sources.
const { setTracingEnabled } = require('../../runtime/dist/testing') as typeof import('../../runtime/testing');
const { spans } = require('../../dist/generated/spans') as typeof import('../../generated/spans');
import type { Mode, ModeResult, Variant } from './run';

/** Calls per timed sample: sub-microsecond calls are timed in batches, not one by one. */
const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const TASK_TIME_MS = Number(process.env.BENCH_TASK_MS ?? 250);

/** An exporter that drops everything: the cost measured is the SDK's and ours, not I/O. */
class DropExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

function install(mode: Mode): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (mode === 'off') {
    setTracingEnabled(false); // what the bootstrap does for OTEL_TRACES_ENABLED=false
    return;
  }
  const provider = new BasicTracerProvider({
    sampler: mode === 'sampled-in' ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    spanProcessors: [
      new BatchSpanProcessor(new DropExporter(), { maxQueueSize: 65_536, maxExportBatchSize: 4_096, scheduledDelayMillis: 50 }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
}

const weights = Float64Array.from({ length: 32 }, (_, i) => 1 / (i + 1));
const stats = Float64Array.from({ length: 32 }, (_, i) => (i * 7) % 13);

/** The work inside the span: small, as a real helper body often is. */
function predict(playerCount: number): number {
  let sum = 0;
  for (let i = 0; i < stats.length; i++) sum += stats[i]! * weights[i]!;
  return (sum * playerCount) % 1;
}

let sink = 0;

function plain(n: number): number {
  return predict(n);
}

function handWritten(tracer: Tracer, n: number): number {
  return tracer.startActiveSpan(
    'calculate_prediction',
    {
      kind: SpanKind.INTERNAL,
      attributes: { 'app.player_count': n, 'app.prediction_type': 'points', 'app.sport': 'nba', 'app.model_version': 'v3' },
    },
    (span) => {
      try {
        const confidence = predict(n);
        span.addEvent('prediction_generated', {
          'app.player_id': '1628369',
          'app.predicted_value': confidence * 30,
          'app.confidence': confidence,
        });
        return confidence;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

function generated(n: number): number {
  return spans.calculatePrediction({ playerCount: n, predictionType: 'points', sport: 'nba', modelVersion: 'v3' }, (span) => {
    const confidence = predict(n);
    span.predictionGenerated({ playerId: '1628369', predictedValue: confidence * 30, confidence });
    return confidence;
  });
}

async function main(): Promise<void> {
  const mode = process.argv[2] as Mode;
  install(mode);
  const tracer = trace.getTracer('bench');
  const fns: Record<Variant, () => void> = {
    plain: () => {
      for (let i = 0; i < BATCH; i++) sink += plain(i);
    },
    'hand-written': () => {
      for (let i = 0; i < BATCH; i++) sink += handWritten(tracer, i);
    },
    generated: () => {
      for (let i = 0; i < BATCH; i++) sink += generated(i);
    },
  };
  const { Bench } = await import('tinybench');
  const order: Variant[] = ['plain', 'hand-written', 'generated'];
  const rounds: Record<Variant, number[]> = { plain: [], 'hand-written': [], generated: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TASK_TIME_MS, warmupTime: round === 0 ? 500 : 50 });
    const roundOrder = round % 2 === 0 ? order : [...order].reverse();
    for (const variant of roundOrder) bench.add(variant, fns[variant]);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      // tinybench reports milliseconds per invocation; one invocation is BATCH calls.
      rounds[task.name as Variant].push((result.latency.p50 * 1e6) / BATCH);
    }
    // Let the batch processor drain between rounds, outside any timed sample.
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
  const result: ModeResult = { mode, rounds };
  process.stdout.write(JSON.stringify(result));
  if (sink === Number.MIN_VALUE) process.stderr.write('unreachable\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench helpers: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

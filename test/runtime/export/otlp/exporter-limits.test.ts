import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { startCollector } from '../../../support/collector';
import type { Collector } from '../../../support/collector';
import { officialExporter } from './exporters';

/**
 * A limit of the official exporters that decides whether a flush (at shutdown, say) delivers
 * everything, pinned down here so that a runtime setting which crosses it is known to.
 */
describe('official exporter limits seen at the collector', () => {
  let collector: Collector;

  before(async () => {
    collector = await startCollector();
  });
  beforeEach(() => collector.clear());
  after(async () => {
    await collector.close();
  });

  /** Ends `spanCount` spans into a BatchSpanProcessor that has exported none yet, then flushes it. */
  const flush = async (spanCount: number, maxExportBatchSize: number): Promise<{ error: string | undefined; received: number }> => {
    const exporter = officialExporter('http/protobuf', collector, { timeoutMillis: 5000 });
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: spanCount, maxExportBatchSize, scheduledDelayMillis: 60_000 });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('limits');
    for (let i = 0; i < spanCount; i++) tracer.startSpan(`span ${i}`).end();
    const error = await processor.forceFlush().then(() => undefined, (err: Error) => err.message);
    await provider.shutdown();
    return { error, received: collector.spans().length };
  };

  it('a flush of 30 batches at once delivers every span', async () => {
    expect(await flush(3000, 100)).to.deep.equal({ error: undefined, received: 3000 });
  });

  it('a flush of more than 30 batches at once loses every batch past the exporter concurrencyLimit (30)', async () => {
    // BatchSpanProcessor.forceFlush() starts all batches together; the exporter fails the 31st on at once.
    expect(await flush(4000, 100)).to.deep.equal({ error: 'Concurrent export limit reached', received: 3000 });
  });
});

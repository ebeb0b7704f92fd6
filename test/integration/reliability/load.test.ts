/**
 * Load: LOAD_REQUESTS POSTs (2,000 in `npm test`, 20,000
 * under `npm run test:load`) at 100% sampling through the compiled API and
 * stats upstream, both exporting to a collector that keeps up. Afterwards the
 * collector holds exactly the spans the requests made: every trace id the
 * responses returned and no other, each with its whole span set, none
 * duplicated, none missing, and neither process reports a drop.
 */
import { expect } from 'chai';
import { performance } from 'node:perf_hooks';
import { startCollector, type Collector } from '../../support/collector';
import {
  assertBuilt,
  failures,
  figure,
  killAll,
  mib,
  RssSampler,
  runLoad,
  startService,
  statusCounts,
  stopService,
  tempDatabase,
  type ServiceProcess,
} from './harness';
import { expectedTrace, incompleteTraces, UPSTREAM_SERVICE } from './spans';

function requestCount(): number {
  const raw = process.env.LOAD_REQUESTS;
  if (raw === undefined || raw === '') return 2000;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`LOAD_REQUESTS=${JSON.stringify(raw)} is not a whole number of 1 or more`);
  return value;
}

const REQUESTS = requestCount();
const CONCURRENCY = 16;
/** Room for the spans of a burst on a busy machine: the collector keeps up, so nothing may be dropped. */
const QUEUE_SIZE = '32768';

describe(`reliability: ${REQUESTS} requests at 100% sampling`, function () {
  this.timeout(Math.max(120_000, REQUESTS * 40));
  let collector: Collector;
  let upstream: ServiceProcess | undefined;
  let api: ServiceProcess | undefined;
  const db = tempDatabase();

  before(async () => {
    assertBuilt();
    collector = await startCollector();
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: QUEUE_SIZE };
    upstream = await startService('stats upstream', { entry: 'stats-upstream', env: { ...otlp, OTEL_SERVICE_NAME: UPSTREAM_SERVICE } });
    api = await startService('predictions API', { env: { ...otlp, DATABASE_URL: db.url, STATS_API_URL: upstream.url } });
  });

  after(async () => {
    await killAll([api, upstream]);
    await collector?.close();
    db.remove();
  });

  it('the collector holds exactly the spans the requests made: count and trace ids, none duplicated, none missing', async () => {
    const expected = await expectedTrace(collector, api!);
    collector.clear();
    const sampler = new RssSampler(api!.pid, 250);
    const started = performance.now();
    const results = await runLoad(api!.url, REQUESTS, CONCURRENCY);
    const seconds = (performance.now() - started) / 1000;
    const peakRss = sampler.peak();
    sampler.stop();
    expect(statusCounts(results), failures(results).join('\n')).to.deep.equal({ 200: REQUESTS });
    const traceIds = results.map((r) => r.traceId!);
    expect(new Set(traceIds).size, 'distinct trace ids in the responses').to.equal(REQUESTS);

    // Both processes flush everything they hold when stopped.
    const apiExit = await stopService(api!, 'SIGTERM');
    const upstreamExit = await stopService(upstream!, 'SIGTERM');
    expect([apiExit.code, upstreamExit.code]).to.deep.equal([0, 0]);
    expect([...api!.dropLines(), ...upstream!.dropLines()], 'drop reports').to.deep.equal([]);

    const stats = collector.stats();
    const receivedTraceIds = new Set(collector.spans().map((s) => s.traceId));
    expect(stats.duplicateSpans, 'duplicated spans').to.equal(0);
    expect(stats.spans, 'spans received').to.equal(REQUESTS * expected.all.length);
    expect(receivedTraceIds.size, 'traces received').to.equal(REQUESTS);
    expect(traceIds.filter((id) => !receivedTraceIds.has(id)).slice(0, 5), 'answered traces missing').to.deep.equal([]);
    expect(incompleteTraces(collector, traceIds, expected.all), 'traces unlike the quiet one').to.deep.equal([]);

    figure(
      `load: ${REQUESTS} requests (all 200) in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)} req/s, concurrency ${CONCURRENCY}); ` +
        `spans sent ${REQUESTS * expected.all.length} (${expected.all.length} a trace), received ${stats.distinctSpans} in ${stats.requests} exports, ` +
        `duplicates ${stats.duplicateSpans}, dropped 0; API peak RSS ${mib(peakRss)}`,
    );
  });
});

/**
 * Collector outages against the compiled service: the
 * collector down at start, going down mid-run, and slow (answers held past
 * OTEL_EXPORTER_OTLP_TIMEOUT), each followed by its coming back. Under each, a
 * steady load is served with its normal status and latencies like those of a
 * healthy phase of the same test (nothing waits on export), the process lives
 * and its RSS stays bounded, the spans lost are counted and reported in one
 * stderr line, and once the collector is back new requests' spans arrive.
 */
import { expect } from 'chai';
import { startCollector, type Collector } from '../../support/collector';
import {
  assertBuilt,
  droppedCount,
  failures,
  figure,
  killAll,
  mib,
  percentile,
  RssSampler,
  runLoad,
  startService,
  statusCounts,
  stopService,
  tempDatabase,
  type RequestResult,
  type ServiceProcess,
} from './harness';
import { API_SERVICE, distinctSpansOf, expectedTrace, incompleteTraces, UPSTREAM_SERVICE, type ExpectedTrace } from './spans';

const PHASE_REQUESTS = 200;
/** Healthy and faulty rounds alternate, so a machine busy with something else slows both alike. */
const ROUNDS = 3;
const ROUND_REQUESTS = 70;
const WARM_UP_REQUESTS = 50;
const CONCURRENCY = 8;
const EXPORT_TIMEOUT_MS = 400;
/** RSS may grow this much over the process's RSS after warm-up, whatever the collector does. */
const RSS_HEADROOM = 96 * 1024 * 1024;
/** Requests sent after the collector is back before their spans must arrive: bounded, in probes of 10. */
const RESUME_PROBES = 40;
/** Largest OTLP batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE default): what one cut export can count twice. */
const BATCH = 512;

interface Phase {
  readonly name: string;
  readonly results: RequestResult[];
  readonly p50: number;
  readonly p99: number;
  readonly peakRss: number;
}

function merge(name: string, phases: readonly Phase[]): Phase {
  const results = phases.flatMap((p) => p.results);
  const millis = results.map((r) => r.millis);
  return { name, results, p50: percentile(millis, 50), p99: percentile(millis, 99), peakRss: Math.max(...phases.map((p) => p.peakRss)) };
}

describe('reliability: collector outages', function () {
  this.timeout(120_000);
  let collector: Collector;
  let upstream: ServiceProcess | undefined;
  let api: ServiceProcess | undefined;
  let sampler: RssSampler | undefined;
  let expected: ExpectedTrace;
  const databases: Array<{ remove(): void }> = [];

  before(async () => {
    assertBuilt();
    collector = await startCollector();
    upstream = await startService('stats upstream', {
      entry: 'stats-upstream',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint, OTEL_SERVICE_NAME: UPSTREAM_SERVICE, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
    // What one request's trace holds, from a probe process with a healthy collector.
    const probe = await startApi();
    expected = await expectedTrace(collector, probe);
    await stopService(probe);
    api = undefined;
  });

  beforeEach(async () => {
    if (!collector.running) await collector.restart();
    collector.resetFaults();
    collector.clear();
  });

  afterEach(async () => {
    sampler?.stop();
    await killAll([api]);
    api = undefined;
  });

  after(async () => {
    await killAll([api, upstream]);
    await collector?.close();
    for (const db of databases) db.remove();
  });

  async function startApi(protocol: 'http/protobuf' | 'grpc' = 'http/protobuf'): Promise<ServiceProcess> {
    const db = tempDatabase();
    databases.push(db);
    api = await startService('predictions API', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? collector.grpcEndpoint : collector.httpEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_TIMEOUT: String(EXPORT_TIMEOUT_MS),
        OTEL_BSP_SCHEDULE_DELAY: '100',
        DATABASE_URL: db.url,
        STATS_API_URL: upstream!.url,
      },
    });
    return api;
  }

  async function phase(name: string, proc: ServiceProcess, count = PHASE_REQUESTS): Promise<Phase> {
    sampler!.reset();
    const results = await runLoad(proc.url, count, CONCURRENCY);
    const millis = results.map((r) => r.millis);
    const done: Phase = { name, results, p50: percentile(millis, 50), p99: percentile(millis, 99), peakRss: sampler!.peak() };
    expect(statusCounts(results), `${name}: statuses\n${failures(results).join('\n')}`).to.deep.equal({ 200: count });
    expect(proc.alive(), `${name}: process alive`).to.equal(true);
    return done;
  }

  /** Nothing waits on export: the p99 under the fault stays near the healthy phase's. */
  function expectLatencyUnaffected(fault: Phase, healthy: Phase): void {
    const bound = Math.max(3 * healthy.p99, healthy.p99 + 50);
    expect(fault.p99, `${fault.name} p99 ${fault.p99.toFixed(1)} ms vs ${healthy.name} p99 ${healthy.p99.toFixed(1)} ms`).to.be.at.most(bound);
  }

  /** Whether every given request has its whole API side at the collector. */
  const exported = (results: readonly RequestResult[]): boolean =>
    incompleteTraces(collector, results.map((r) => r.traceId!), expected.all.filter((x) => x.startsWith(`${API_SERVICE} `)), API_SERVICE).length === 0;

  /**
   * Export resumes: probes of 10 requests until one has all its spans at the collector (bounded).
   * HTTP reconnects at the next export; gRPC waits out its reconnect backoff, and the spans that end
   * meanwhile fail fast and are counted dropped. Returns the requests sent.
   */
  async function untilExportResumes(proc: ServiceProcess): Promise<{ requests: number; probes: number }> {
    for (let probe = 1; probe <= RESUME_PROBES; probe++) {
      const results = await runLoad(proc.url, 10, 10);
      expect(statusCounts(results), failures(results).join('\n')).to.deep.equal({ 200: 10 });
      const arrived = await collector.waitFor(() => exported(results), 1500, () => '').then(() => true, () => false);
      if (arrived) return { requests: probe * 10, probes: probe };
    }
    expect.fail(`no request's spans arrived after the collector came back (${RESUME_PROBES} probes of 10)`);
  }

  /** ROUNDS of (healthy, faulty) phases, `toggle` switching the fault; the fault is off at the end. */
  async function alternate(proc: ServiceProcess, toggle: (on: boolean) => Promise<void>): Promise<{ healthy: Phase; fault: Phase }> {
    const healthy: Phase[] = [];
    const fault: Phase[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      healthy.push(await phase(`healthy round ${round}`, proc, ROUND_REQUESTS));
      await toggle(true);
      fault.push(await phase(`fault round ${round}`, proc, ROUND_REQUESTS));
      await toggle(false);
    }
    return { healthy: merge('healthy rounds', healthy), fault: merge('fault rounds', fault) };
  }

  /**
   * Warm-up, then ROUNDS of healthy and faulty phases (`toggle` switching the fault), then export
   * resumed; asserts that the fault left latency and RSS unaffected. `requests`: all the API served.
   */
  async function faultRounds(proc: ServiceProcess, toggle: (on: boolean) => Promise<void>) {
    sampler = new RssSampler(proc.pid);
    await phase('warm-up', proc, WARM_UP_REQUESTS);
    const rssAfterWarmUp = sampler.peak();
    const { healthy, fault } = await alternate(proc, toggle);
    const resumed = await untilExportResumes(proc);

    expectLatencyUnaffected(fault, healthy);
    const peak = Math.max(healthy.peakRss, fault.peakRss);
    expect(peak, `peak RSS ${mib(peak)} vs ${mib(rssAfterWarmUp)} after warm-up`).to.be.at.most(rssAfterWarmUp + RSS_HEADROOM);
    const requests = WARM_UP_REQUESTS + 2 * ROUNDS * ROUND_REQUESTS + resumed.requests;
    return { healthy, fault, resumed, peak, rssAfterWarmUp, requests };
  }

  /**
   * Stops the API (SIGTERM) and returns the drop lines' count (one at the first failed export, one
   * at shutdown for the rest), with the spans produced and received.
   */
  async function stopAndAccount(proc: ServiceProcess, requests: number): Promise<{ produced: number; received: number; dropped: number; line: string }> {
    const exit = await stopService(proc, 'SIGTERM');
    expect(exit.code, proc.stderrLines().join('\n')).to.equal(0);
    const lines = proc.dropLines();
    expect(lines, `drop reports:\n${proc.stderrLines().join('\n')}`).to.have.length(2);
    const destination = 'exporting to http:\\/\\/127\\.0\\.0\\.1:\\d+(\\/|\\/v1\\/traces)?; last error: .+';
    expect(lines[0]).to.match(new RegExp(`^spanwright: dropped \\d+ spans? at the first failed export \\(.+\\) ${destination}; later drops are reported once every \\d+(\\.\\d)? s$`));
    expect(lines[1]).to.match(new RegExp(`^spanwright: dropped \\d+ spans? before shutdown \\(.+\\) ${destination}$`));
    figure(`${proc.name} stderr: ${lines.join(' | ')}`);
    return {
      produced: requests * expected.api,
      received: distinctSpansOf(collector, API_SERVICE).length,
      dropped: droppedCount(lines[0]!) + droppedCount(lines[1]!),
      line: lines.join('\n'),
    };
  }

  it('collector down at start, then back: every request served, latency and RSS unaffected, the loss in two lines (first failure, shutdown), export resumes', async () => {
    await collector.stop();
    const proc = await startApi();
    sampler = new RssSampler(proc.pid);
    await phase('warm-up (collector down)', proc, WARM_UP_REQUESTS);
    const rssAfterWarmUp = sampler.peak();
    const down = await phase('collector down', proc);
    await collector.restart();
    const resumed = await untilExportResumes(proc);
    const back = await phase('collector back', proc);
    await collector.waitFor(() => exported(back.results), 20_000, () => '').catch(() => undefined);
    expect(exported(back.results), 'the spans of the requests after the collector came back arrived').to.equal(true);

    expectLatencyUnaffected(down, back);
    const peak = Math.max(down.peakRss, back.peakRss);
    expect(peak, `peak RSS ${mib(peak)} vs ${mib(rssAfterWarmUp)} after warm-up`).to.be.at.most(rssAfterWarmUp + RSS_HEADROOM);

    const requests = WARM_UP_REQUESTS + 2 * PHASE_REQUESTS + resumed.requests;
    const { produced, received, dropped, line } = await stopAndAccount(proc, requests);
    // Down from the start, no export could half-succeed: every span was received or counted dropped, exactly.
    expect(dropped).to.be.above(0);
    expect(dropped, line).to.equal(produced - received);
    expect(collector.stats().duplicateSpans).to.equal(0);
    figure(
      `down at start: ${requests} served (all 200); p99 ${down.p99.toFixed(1)} ms down vs ${back.p99.toFixed(1)} ms back; ` +
        `peak RSS ${mib(peak)} (${mib(rssAfterWarmUp)} after warm-up); spans produced ${produced}, received ${received}, dropped ${dropped} (2 lines)`,
    );
  });

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`collector going down mid-run and back, ${ROUNDS} times (${protocol}): every request served, latency and RSS unaffected, the loss in two lines (first failure, shutdown), export resumes`, async () => {
      const proc = await startApi(protocol);
      const { healthy, fault, resumed, peak, rssAfterWarmUp, requests } = await faultRounds(proc, (on) => (on ? collector.stop() : collector.restart()));

      const { produced, received, dropped, line } = await stopAndAccount(proc, requests);
      // Every span is received or counted dropped. An export cut by stop() after the collector kept it
      // counts as both: at most one batch a stop.
      expect(dropped).to.be.above(0);
      expect(dropped, line).to.be.at.least(produced - received);
      expect(dropped, line).to.be.at.most(produced - received + ROUNDS * BATCH);
      figure(
        `down mid-run ×${ROUNDS}, ${protocol}: ${requests} served (all 200); p99 ${fault.p99.toFixed(1)} ms down vs ${healthy.p99.toFixed(1)} ms up; ` +
          `export resumed after ${resumed.probes} probe(s) of 10; peak RSS ${mib(peak)} (${mib(rssAfterWarmUp)} after warm-up); ` +
          `spans produced ${produced}, received ${received}, dropped ${dropped} (2 lines)`,
      );
    });
  }

  it(`collector slow (answers held past the ${EXPORT_TIMEOUT_MS} ms export timeout) and fast again, ${ROUNDS} times: every request served, latency and RSS unaffected, the loss in two lines (first failure, shutdown), export resumes`, async () => {
    const proc = await startApi();
    const { healthy, fault, peak, rssAfterWarmUp, requests } = await faultRounds(proc, async (on) => collector.delay(on ? EXPORT_TIMEOUT_MS * 5 : 0));

    const { produced, received, dropped, line } = await stopAndAccount(proc, requests);
    expect(line).to.match(/export failed: \d+|export timed out: \d+/);
    // A held export is kept by the collector on arrival and counted dropped by the service when it
    // times out, so received + dropped may exceed produced; nothing may go unaccounted.
    expect(dropped, line).to.be.at.least(produced - received);
    expect(dropped, line).to.be.at.most(produced);
    const stats = collector.stats();
    figure(
      `slow collector ×${ROUNDS}: ${requests} served (all 200); p99 ${fault.p99.toFixed(1)} ms slow vs ${healthy.p99.toFixed(1)} ms fast; ` +
        `peak RSS ${mib(peak)} (${mib(rssAfterWarmUp)} after warm-up); spans produced ${produced}, received ${received} ` +
        `(${stats.duplicateSpans} duplicates), dropped ${dropped} (2 lines)`,
    );
  });
});

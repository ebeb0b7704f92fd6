/**
 * Every invalid environment value (issue 5, point 6) starts the compiled
 * service with exactly its one warning line on stderr, the value used instead
 * takes effect, and the service serves requests: a POST answers 200 and, where
 * tracing stays on, its trace reaches the collector.
 */
import { expect } from 'chai';
import { startCollector, type Collector } from '../collector';
import { assertBuilt, figure, killAll, postPrediction, startService, tempDatabase, type ServiceProcess } from './harness';
import { API_SERVICE } from './spans';

interface EnvCase {
  readonly env: Record<string, string>;
  /** Every `spanwright:` line stderr must hold, exactly. */
  readonly warnings: readonly string[];
  /** Whether the POST's trace must reach the collector (false: tracing is off, or the protocol is wrong on purpose). */
  readonly exported: boolean;
}

const CASES: readonly EnvCase[] = [
  {
    env: { OTEL_SAMPLING_RATIO: '1.5' },
    warnings: ['spanwright: OTEL_SAMPLING_RATIO="1.5" is not a number between 0 and 1; using 1 (environment development)'],
    exported: true,
  },
  {
    env: { OTEL_SAMPLING_RATIO: 'abc' },
    warnings: ['spanwright: OTEL_SAMPLING_RATIO="abc" is not a number between 0 and 1; using 1 (environment development)'],
    exported: true,
  },
  {
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' },
    warnings: ['spanwright: OTEL_EXPORTER_OTLP_PROTOCOL="thrift" is not grpc, http/protobuf or http/json; using http/protobuf (port <port>)'],
    exported: true,
  },
  {
    env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-team=alpha,no-equals-sign,x-bad=%zz' },
    warnings: [
      'spanwright: OTEL_EXPORTER_OTLP_HEADERS entry 2 of 3 is not key=value (value hidden); ignoring it',
      'spanwright: OTEL_EXPORTER_OTLP_HEADERS entry 3 of 3 is not key=value (value hidden); ignoring it',
    ],
    exported: true,
  },
  {
    env: { OTEL_ENVIRONMENT: 'qa' },
    warnings: [
      'spanwright: OTEL_ENVIRONMENT="qa" is not declared in tracing.yaml (declared: development, production, staging); using the development settings',
    ],
    exported: true,
  },
  {
    env: { OTEL_BSP_SCHEDULE_DELAY: '-5' },
    warnings: ['spanwright: OTEL_BSP_SCHEDULE_DELAY="-5" is not a whole number from 0 to 2147483647; using 5000'],
    exported: true,
  },
  {
    env: { OTEL_BSP_MAX_QUEUE_SIZE: 'lots' },
    warnings: ['spanwright: OTEL_BSP_MAX_QUEUE_SIZE="lots" is not a whole number of 1 or more; using 2048'],
    exported: true,
  },
  {
    env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' },
    warnings: ['spanwright: OTEL_BSP_MAX_EXPORT_BATCH_SIZE="0" is not a whole number of 1 or more; using 512'],
    exported: true,
  },
  {
    env: { OTEL_BSP_EXPORT_TIMEOUT: '1e3' },
    warnings: ['spanwright: OTEL_BSP_EXPORT_TIMEOUT="1e3" is not a whole number from 1 to 2147483647; using 30000'],
    exported: true,
  },
  {
    env: { OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100' },
    warnings: ['spanwright: OTEL_BSP_MAX_EXPORT_BATCH_SIZE=100 is larger than the queue (OTEL_BSP_MAX_QUEUE_SIZE=10); using 10'],
    exported: true,
  },
  {
    env: { OTEL_TRACES_ENABLED: 'yes' },
    warnings: ['spanwright: OTEL_TRACES_ENABLED="yes" is not true or false; using true'],
    exported: true,
  },
  {
    env: { OTEL_TRACES_ENABLED: '0' },
    warnings: ['spanwright: OTEL_TRACES_ENABLED="0" is not true or false; using true'],
    exported: true,
  },
  {
    env: { OTEL_SDK_DISABLED: 'maybe' },
    warnings: ['spanwright: OTEL_SDK_DISABLED="maybe" is not true or false; using false'],
    exported: true,
  },
];

/** Starts at most `limit` services at once: start-up is the slow part. */
async function inBatches<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += limit) await Promise.all(items.slice(i, i + limit).map(run));
}

describe('reliability: invalid environment values', function () {
  this.timeout(180_000);
  let collector: Collector;
  let upstream: ServiceProcess | undefined;
  const running: ServiceProcess[] = [];
  const databases: Array<{ remove(): void }> = [];

  before(async () => {
    assertBuilt();
    collector = await startCollector();
    upstream = await startService('stats upstream', { entry: 'stats-upstream', env: {} });
  });

  after(async () => {
    await killAll([...running, upstream]);
    await collector?.close();
    for (const db of databases) db.remove();
  });

  it('each starts the service with exactly its warning, the value used instead applies, and requests are served', async () => {
    const failures: string[] = [];
    await inBatches(CASES, 3, async (c) => {
      const label = Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ');
      const db = tempDatabase();
      databases.push(db);
      try {
        const api = await startService(`API with ${label}`, {
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
            OTEL_BSP_SCHEDULE_DELAY: '100',
            OTEL_SERVICE_NAME: `${API_SERVICE}-env-${CASES.indexOf(c)}`,
            DATABASE_URL: db.url,
            STATS_API_URL: upstream!.url,
            ...c.env,
          },
        });
        running.push(api);
        const result = await postPrediction(api.url);
        const warnings = api.stderrLines().filter((line) => line.startsWith('spanwright:'));
        const want = c.warnings.map((w) => w.replace('<port>', String(collector.httpPort)));
        if (JSON.stringify(warnings) !== JSON.stringify(want)) failures.push(`${label}: stderr ${JSON.stringify(warnings)}, want ${JSON.stringify(want)}`);
        if (result.status !== 200) failures.push(`${label}: POST answered ${result.status}`);
        if (c.exported && result.traceId !== null) {
          const traceId = result.traceId;
          await collector
            .waitFor(() => collector.spans().some((s) => s.traceId === traceId && s.kind === 'SERVER'), 20_000, () => '')
            .catch(() => failures.push(`${label}: trace ${traceId} never reached the collector`));
        } else if (c.exported) failures.push(`${label}: no trace id in the answer`);
        if (!api.alive()) failures.push(`${label}: the process died`);
        api.child.kill('SIGTERM');
        await api.exited;
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`);
      }
    });
    expect(failures).to.deep.equal([]);
    // The headers that were valid went out; the invalid ones are nowhere.
    const withHeaders = collector.requests().find((r) => r.headers['x-team'] !== undefined);
    expect(withHeaders?.headers['x-team']).to.equal('alpha');
    expect(withHeaders?.headers['x-bad']).to.equal(undefined);
    figure(`invalid environment: ${CASES.length} values, each started with its one warning line and served a POST whose trace was exported`);
  });
});

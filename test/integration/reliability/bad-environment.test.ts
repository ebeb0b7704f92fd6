/**
 * Every invalid environment value starts the compiled
 * service with exactly its one warning line on stderr, the value used instead
 * takes effect, and the service serves requests: a POST answers 200 and, where
 * tracing stays on, its trace reaches the collector.
 */
import { expect } from 'chai';
import { startCollector, type Collector } from '../../support/collector';
import { assertBuilt, figure, killAll, postPrediction, startService, tempDatabase, type ServiceProcess } from './harness';
import { API_SERVICE } from './spans';

interface EnvCase {
  /** `<http>` and `<grpc>` in a value stand for the collector's endpoints (`http://127.0.0.1:<port>`). */
  readonly env: Record<string, string>;
  /** Every `spanwright:` line stderr must hold, exactly (OTEL_LOG_LEVEL=info: less the configuration lines, see INFO_LINE). */
  readonly warnings: readonly string[];
  /** Whether the POST's trace must reach the collector (false: tracing is off, or the protocol is wrong on purpose). */
  readonly exported: boolean;
  /** Strings that must appear nowhere: stdout, stderr, the spans received, the headers of the exports received. */
  readonly secrets?: readonly string[];
  /** Header names the exports must not carry (a header dropped as unsendable). */
  readonly absentHeaders?: readonly string[];
}

/** The configuration lines OTEL_LOG_LEVEL=info adds, left out of the comparison; the OTLP export line stays in. */
const INFO_LINE = /^spanwright: (tracing enabled|sampling|propagators|console export|batch|instrumentations|resource attributes|spans at exit)/;

const ASCII_SECRET = 'SECRET123';
/** Header values no exporter can send: a newline, a tab, a non-ASCII letter, each after the secret. */
const UNSENDABLE = [
  ['%0A', `x-api-key=${ASCII_SECRET}%0A`],
  ['%09', `x-api-key=${ASCII_SECRET}%09`],
  ['é', `x-api-key=${ASCII_SECRET}é`],
] as const;
const HEADER_DROPPED =
  'spanwright: OTEL_EXPORTER_OTLP_HEADERS header "x-api-key" has a value with a character that is not printable ASCII (value hidden); not sending it';
const TOO_LONG = '2147483648';

/** Unsendable headers, secrets in endpoints, the query, timers past 2^31−1 ms. */
const HARDENING_CASES: readonly EnvCase[] = [
  ...(['grpc', 'http/protobuf', 'http/json'] as const).flatMap((protocol) =>
    UNSENDABLE.map(
      ([what, headers]): EnvCase => ({
        env: {
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? '<grpc>' : '<http>',
          OTEL_EXPORTER_OTLP_HEADERS: `${headers},x-team=${protocol.replace('/', '-')}-${what === 'é' ? 'e' : what.slice(1)}`,
        },
        warnings: [HEADER_DROPPED],
        exported: true,
        secrets: [ASCII_SECRET],
        absentHeaders: ['x-api-key'],
      }),
    ),
  ),
  {
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: '<grpc>', HONEYCOMB_API_KEY: `hc${ASCII_SECRET}\u0001` },
    warnings: ['spanwright: HONEYCOMB_API_KEY has a character that is not printable ASCII (value hidden); not sending x-honeycomb-team'],
    exported: true,
    secrets: [ASCII_SECRET],
    absentHeaders: ['x-honeycomb-team'],
  },
  {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:SEC/RET@127.0.0.1:4318', OTEL_LOG_LEVEL: 'info' },
    warnings: [
      'spanwright: OTEL_EXPORTER_OTLP_ENDPOINT="http://***@127.0.0.1:4318" is not an http:// or https:// URL; using no OTLP export',
      'spanwright: OTLP export: off (OTEL_EXPORTER_OTLP_ENDPOINT is set but not usable; see the warning)',
      'spanwright: no exporter: spans are recorded but sent nowhere; set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_CONSOLE=true',
    ],
    exported: false,
    secrets: ['SEC/RET', 'RET@'],
  },
  {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://user:SEC/RET@127.0.0.1:4318', OTEL_EXPORTER_OTLP_ENDPOINT: '<http>' },
    warnings: ['spanwright: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://***@127.0.0.1:4318" is not an http:// or https:// URL; using OTEL_EXPORTER_OTLP_ENDPOINT'],
    exported: true,
    secrets: ['SEC/RET', 'RET@'],
  },
  {
    // A valid password: sent as a Basic header to the collector, printed nowhere.
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tenant:PASSWORDX@127.0.0.1:<port>', OTEL_LOG_LEVEL: 'info' },
    warnings: ['spanwright: OTLP export: http/protobuf to http://127.0.0.1:<port>/v1/traces (from OTEL_EXPORTER_OTLP_ENDPOINT), headers: authorization=***, timeout 10000 ms'],
    exported: true,
    secrets: ['PASSWORDX'],
  },
  ...(['http/protobuf', 'http/json', 'grpc'] as const).map(
    (protocol): EnvCase => ({
      // The token reaches the collector as a query (or, over gRPC, is ignored), the signal path goes on the path.
      env: {
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: `${protocol === 'grpc' ? '<grpc>' : '<http>'}/?token=TOKSECRET`,
        OTEL_LOG_LEVEL: 'info',
      },
      warnings: [
        protocol === 'grpc'
          ? 'spanwright: OTLP export: grpc to http://127.0.0.1:<grpcport>/?token=*** (from OTEL_EXPORTER_OTLP_ENDPOINT), timeout 10000 ms'
          : `spanwright: OTLP export: ${protocol} to http://127.0.0.1:<port>/v1/traces?token=*** (from OTEL_EXPORTER_OTLP_ENDPOINT), timeout 10000 ms`,
      ],
      exported: true,
      secrets: ['TOKSECRET'],
    }),
  ),
  {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:0' },
    warnings: ['spanwright: OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:0" has port 0, which nothing can be reached on; using no OTLP export'],
    exported: false,
  },
  {
    // Node would run each of these as 1 ms: every export timing out, a drop line a millisecond.
    env: { OTEL_BSP_EXPORT_TIMEOUT: TOO_LONG, OTEL_EXPORTER_OTLP_TIMEOUT: TOO_LONG, SPANWRIGHT_DROP_REPORT_INTERVAL_MS: TOO_LONG, SPANWRIGHT_SHUTDOWN_TIMEOUT_MS: TOO_LONG },
    warnings: [
      `spanwright: OTEL_EXPORTER_OTLP_TIMEOUT="${TOO_LONG}" is not a whole number from 1 to 2147483647; using 10000`,
      `spanwright: OTEL_BSP_EXPORT_TIMEOUT="${TOO_LONG}" is not a whole number from 1 to 2147483647; using 30000`,
      `spanwright: SPANWRIGHT_SHUTDOWN_TIMEOUT_MS="${TOO_LONG}" is not a whole number from 1 to 2147483647; using 5000`,
      `spanwright: SPANWRIGHT_DROP_REPORT_INTERVAL_MS="${TOO_LONG}" is not a whole number from 1 to 2147483647; using 60000`,
    ],
    exported: true,
  },
  {
    env: { OTEL_BSP_SCHEDULE_DELAY: '99999999999' },
    warnings: ['spanwright: OTEL_BSP_SCHEDULE_DELAY="99999999999" is not a whole number from 0 to 2147483647; using 5000'],
    exported: true,
  },
];

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
  ...HARDENING_CASES,
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
        const serviceName = `${API_SERVICE}-env-${CASES.indexOf(c)}`;
        const fill = (text: string): string =>
          text
            .replaceAll('<http>', collector.httpEndpoint)
            .replaceAll('<grpc>', collector.grpcEndpoint)
            .replaceAll('<grpcport>', String(collector.grpcPort))
            .replaceAll('<port>', String(collector.httpPort));
        const api = await startService(`API with ${label}`, {
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
            OTEL_BSP_SCHEDULE_DELAY: '100',
            OTEL_SERVICE_NAME: serviceName,
            DATABASE_URL: db.url,
            STATS_API_URL: upstream!.url,
            ...Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, fill(v)])),
          },
        });
        running.push(api);
        const result = await postPrediction(api.url);
        const warnings = api.stderrLines().filter((line) => line.startsWith('spanwright:') && !INFO_LINE.test(line));
        const want = c.warnings.map(fill);
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
        const exit = await api.exited;
        if (exit.code !== 0) failures.push(`${label}: exit ${exit.code ?? exit.signal}`);
        const spans = collector.spans().filter((span) => span.serviceName === serviceName);
        const requestIds = new Set(spans.map((span) => span.requestId));
        const exports = collector.requests().filter((r) => requestIds.has(r.id));
        for (const name of c.absentHeaders ?? []) {
          if (exports.some((r) => r.headers[name] !== undefined)) failures.push(`${label}: an export carried ${name}`);
        }
        const outputs = {
          stdout: api.stdoutLines().join('\n'),
          stderr: api.stderrLines().join('\n'),
          spans: JSON.stringify(spans, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
        };
        for (const secret of c.secrets ?? []) {
          for (const [where, text] of Object.entries(outputs)) if (text.includes(secret)) failures.push(`${label}: ${JSON.stringify(secret)} in ${where}`);
        }
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message}`);
      }
    });
    expect(failures).to.deep.equal([]);
    // The headers that were valid went out; the invalid ones are nowhere.
    const withHeaders = collector.requests().find((r) => r.headers['x-team'] !== undefined);
    expect(withHeaders?.headers['x-team']).to.equal('alpha');
    expect(withHeaders?.headers['x-bad']).to.equal(undefined);
    const secretCases = CASES.filter((c) => c.secrets !== undefined).length;
    figure(
      `invalid environment: ${CASES.length} cases, each started with exactly its warning lines and served a POST (${CASES.filter((c) => c.exported).length} traces exported); ` +
        `${secretCases} with secrets, none in stdout, stderr or spans`,
    );
  });
});

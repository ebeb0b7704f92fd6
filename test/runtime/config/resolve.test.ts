import { expect } from 'chai';
import { inspect } from 'node:util';
import { resolveConfig, type ResolvedConfig } from '../../../runtime/config/resolve';
import { describeConfig } from '../../../runtime/doctor/describe';
import { runDoctor } from '../../../runtime/doctor/doctor';
import { redactUrl } from '../../../runtime/config/redact';
import type { ManifestModel } from '../../../runtime/manifest/model';
import { makeManifest } from '../manifest-fixture';

type Env = Record<string, string>;

interface Case {
  readonly env: Env;
  readonly manifest?: ManifestModel;
  /** A projection of the resolved config to compare. */
  readonly pick: (c: ResolvedConfig) => unknown;
  readonly want: unknown;
  readonly warnings?: readonly string[];
}

function run(name: string, cases: ReadonlyArray<readonly [string, Case]>): void {
  describe(name, () => {
    for (const [title, { env, manifest, pick, want, warnings = [] }] of cases) {
      it(title, () => {
        const result = resolveConfig(manifest ?? makeManifest(), env);
        expect(pick(result.config)).to.deep.equal(want);
        expect(result.warnings).to.deep.equal(warnings);
      });
    }
  });
}

const onlyProduction = makeManifest({
  environments: { production: { name: 'production', sampling: 0.1, console: false, rules: [] } },
});
const noEnvironments = makeManifest({ environments: {} });

describe('resolveConfig', () => {
  run('enabled (OTEL_TRACES_ENABLED, OTEL_SDK_DISABLED)', [
    ['defaults to enabled', { env: {}, pick: (c) => [c.enabled, c.disabledBy], want: [true, undefined] }],
    ['OTEL_TRACES_ENABLED=false disables', { env: { OTEL_TRACES_ENABLED: 'false' }, pick: (c) => [c.enabled, c.disabledBy], want: [false, 'OTEL_TRACES_ENABLED'] }],
    ['OTEL_TRACES_ENABLED=FALSE, any case', { env: { OTEL_TRACES_ENABLED: 'FALSE' }, pick: (c) => c.enabled, want: false }],
    ['OTEL_TRACES_ENABLED=true', { env: { OTEL_TRACES_ENABLED: 'true' }, pick: (c) => c.enabled, want: true }],
    ['OTEL_TRACES_ENABLED empty is unset', { env: { OTEL_TRACES_ENABLED: ' ' }, pick: (c) => c.enabled, want: true }],
    [
      'OTEL_TRACES_ENABLED=no warns, stays enabled',
      {
        env: { OTEL_TRACES_ENABLED: 'no' },
        pick: (c) => c.enabled,
        want: true,
        warnings: ['spanwright: OTEL_TRACES_ENABLED="no" is not true or false; using true'],
      },
    ],
    ['OTEL_SDK_DISABLED=true disables', { env: { OTEL_SDK_DISABLED: 'true' }, pick: (c) => [c.enabled, c.disabledBy], want: [false, 'OTEL_SDK_DISABLED'] }],
    ['OTEL_SDK_DISABLED=false keeps it on', { env: { OTEL_SDK_DISABLED: 'false' }, pick: (c) => c.enabled, want: true }],
    [
      'OTEL_SDK_DISABLED=1 warns',
      {
        env: { OTEL_SDK_DISABLED: '1' },
        pick: (c) => c.enabled,
        want: true,
        warnings: ['spanwright: OTEL_SDK_DISABLED="1" is not true or false; using false'],
      },
    ],
  ]);

  run('service name and version (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES)', [
    ['manifest name by default', { env: {}, pick: (c) => [c.serviceName, c.serviceVersion], want: ['predictions-api', '1.2.3'] }],
    ['OTEL_SERVICE_NAME wins', { env: { OTEL_SERVICE_NAME: 'stats-upstream' }, pick: (c) => c.serviceName, want: 'stats-upstream' }],
    [
      'service.name in OTEL_RESOURCE_ATTRIBUTES beats the manifest',
      { env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }, pick: (c) => c.serviceName, want: 'from-attrs' },
    ],
    [
      'OTEL_SERVICE_NAME beats OTEL_RESOURCE_ATTRIBUTES',
      { env: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs', OTEL_SERVICE_NAME: 'svc' }, pick: (c) => c.serviceName, want: 'svc' },
    ],
    [
      'service.version from OTEL_RESOURCE_ATTRIBUTES',
      { env: { OTEL_RESOURCE_ATTRIBUTES: 'service.version=9.9.9' }, pick: (c) => c.serviceVersion, want: '9.9.9' },
    ],
    [
      'resource attributes, percent-decoded',
      {
        env: { OTEL_RESOURCE_ATTRIBUTES: 'team=bets, region=eu%2Dwest ,host.name=a%20b' },
        pick: (c) => c.resourceAttributes,
        want: { team: 'bets', region: 'eu-west', 'host.name': 'a b' },
      },
    ],
    [
      'a malformed resource attribute entry is skipped with a warning',
      {
        env: { OTEL_RESOURCE_ATTRIBUTES: 'team=bets,oops,=x' },
        pick: (c) => c.resourceAttributes,
        want: { team: 'bets' },
        warnings: [
          'spanwright: OTEL_RESOURCE_ATTRIBUTES entry "oops" is not key=value; ignoring it',
          'spanwright: OTEL_RESOURCE_ATTRIBUTES entry "=x" is not key=value; ignoring it',
        ],
      },
    ],
  ]);

  run('environment and sampling (OTEL_ENVIRONMENT, OTEL_SAMPLING_RATIO)', [
    ['development by default', { env: {}, pick: (c) => [c.environment, c.settingsFrom, c.ratio], want: ['development', 'development', 1] }],
    ['staging from the manifest', { env: { OTEL_ENVIRONMENT: 'staging' }, pick: (c) => [c.environment, c.ratio], want: ['staging', 0.5] }],
    [
      'production rules come with it',
      { env: { OTEL_ENVIRONMENT: 'production' }, pick: (c) => [c.ratio, c.rules], want: [0.1, [{ route: '/healthz', sampling: 0 }]] },
    ],
    ['OTEL_SAMPLING_RATIO wins over the environment', { env: { OTEL_ENVIRONMENT: 'production', OTEL_SAMPLING_RATIO: '0.25' }, pick: (c) => c.ratio, want: 0.25 }],
    ['ratio 0', { env: { OTEL_SAMPLING_RATIO: '0' }, pick: (c) => c.ratio, want: 0 }],
    ['ratio 1.0', { env: { OTEL_SAMPLING_RATIO: '1.0' }, pick: (c) => c.ratio, want: 1 }],
    ['ratio .5', { env: { OTEL_SAMPLING_RATIO: '.5' }, pick: (c) => c.ratio, want: 0.5 }],
    [
      'ratio 1.5 warns and keeps the environment value',
      {
        env: { OTEL_SAMPLING_RATIO: '1.5' },
        pick: (c) => c.ratio,
        want: 1,
        warnings: ['spanwright: OTEL_SAMPLING_RATIO="1.5" is not a number between 0 and 1; using 1 (environment development)'],
      },
    ],
    [
      'ratio abc in staging',
      {
        env: { OTEL_ENVIRONMENT: 'staging', OTEL_SAMPLING_RATIO: 'abc' },
        pick: (c) => c.ratio,
        want: 0.5,
        warnings: ['spanwright: OTEL_SAMPLING_RATIO="abc" is not a number between 0 and 1; using 0.5 (environment staging)'],
      },
    ],
    [
      'ratio -0.1',
      {
        env: { OTEL_SAMPLING_RATIO: '-0.1' },
        pick: (c) => c.ratio,
        want: 1,
        warnings: ['spanwright: OTEL_SAMPLING_RATIO="-0.1" is not a number between 0 and 1; using 1 (environment development)'],
      },
    ],
    [
      'ratio with no environments declared uses the default',
      {
        env: { OTEL_SAMPLING_RATIO: 'NaN' },
        manifest: noEnvironments,
        pick: (c) => c.ratio,
        want: 1,
        warnings: ['spanwright: OTEL_SAMPLING_RATIO="NaN" is not a number between 0 and 1; using 1 (default)'],
      },
    ],
    [
      'an undeclared environment keeps its name and takes the development settings',
      {
        env: { OTEL_ENVIRONMENT: 'qa' },
        pick: (c) => [c.environment, c.settingsFrom, c.ratio, c.console.enabled],
        want: ['qa', 'development', 1, true],
        warnings: [
          'spanwright: OTEL_ENVIRONMENT="qa" is not declared in tracing.yaml (declared: development, production, staging); using the development settings',
        ],
      },
    ],
    [
      'an undeclared environment without development takes the built-in defaults',
      {
        env: { OTEL_ENVIRONMENT: 'qa' },
        manifest: onlyProduction,
        pick: (c) => [c.environment, c.settingsFrom, c.ratio, c.console.enabled],
        want: ['qa', undefined, 1, false],
        warnings: [
          'spanwright: OTEL_ENVIRONMENT="qa" is not declared in tracing.yaml (declared: production); using the built-in defaults',
        ],
      },
    ],
    [
      'no environment declared at all',
      {
        env: { OTEL_ENVIRONMENT: 'staging' },
        manifest: noEnvironments,
        pick: (c) => [c.environment, c.settingsFrom],
        want: ['staging', undefined],
        warnings: ['spanwright: OTEL_ENVIRONMENT="staging" is not declared in tracing.yaml (none declared); using the built-in defaults'],
      },
    ],
    [
      'development unset and undeclared: defaults, no warning',
      { env: {}, manifest: onlyProduction, pick: (c) => [c.environment, c.settingsFrom, c.ratio], want: ['development', undefined, 1] },
    ],
  ]);

  run('console export (OTEL_EXPORTER_CONSOLE, OTEL_EXPORTER_CONSOLE_FORMAT)', [
    ['on in development (manifest), json', { env: {}, pick: (c) => c.console, want: { enabled: true, format: 'json' } }],
    ['off in staging', { env: { OTEL_ENVIRONMENT: 'staging' }, pick: (c) => c.console.enabled, want: false }],
    ['OTEL_EXPORTER_CONSOLE=true wins in staging', { env: { OTEL_ENVIRONMENT: 'staging', OTEL_EXPORTER_CONSOLE: 'true' }, pick: (c) => c.console.enabled, want: true }],
    ['OTEL_EXPORTER_CONSOLE=false wins in development', { env: { OTEL_EXPORTER_CONSOLE: 'false' }, pick: (c) => c.console.enabled, want: false }],
    [
      'OTEL_EXPORTER_CONSOLE=maybe warns',
      {
        env: { OTEL_EXPORTER_CONSOLE: 'maybe' },
        pick: (c) => c.console.enabled,
        want: true,
        warnings: ['spanwright: OTEL_EXPORTER_CONSOLE="maybe" is not true or false; using true (environment development)'],
      },
    ],
    ['tree format', { env: { OTEL_EXPORTER_CONSOLE_FORMAT: 'tree' }, pick: (c) => c.console.format, want: 'tree' }],
    ['TREE any case', { env: { OTEL_EXPORTER_CONSOLE_FORMAT: 'TREE' }, pick: (c) => c.console.format, want: 'tree' }],
    [
      'the manifest consoleFormat',
      {
        env: {},
        manifest: makeManifest({ environments: { development: { name: 'development', sampling: 1, console: true, consoleFormat: 'tree', rules: [] } } }),
        pick: (c) => c.console.format,
        want: 'tree',
      },
    ],
    [
      'xml format warns',
      {
        env: { OTEL_EXPORTER_CONSOLE_FORMAT: 'xml' },
        pick: (c) => c.console.format,
        want: 'json',
        warnings: ['spanwright: OTEL_EXPORTER_CONSOLE_FORMAT="xml" is not json or tree; using json'],
      },
    ],
  ]);

  const otlp = (c: ResolvedConfig) =>
    c.otlp === undefined ? undefined : { protocol: c.otlp.protocol, url: c.otlp.url, from: c.otlp.urlFrom, timeout: c.otlp.timeoutMillis };

  run('OTLP endpoint and protocol', [
    ['unset: no OTLP export', { env: {}, pick: otlp, want: undefined }],
    [
      'port 4318: http/protobuf, /v1/traces appended',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
        pick: otlp,
        want: { protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces', from: 'OTEL_EXPORTER_OTLP_ENDPOINT', timeout: 10000 },
      },
    ],
    [
      'port 4317: grpc, URL as given',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' },
        pick: otlp,
        want: { protocol: 'grpc', url: 'http://localhost:4317/', from: 'OTEL_EXPORTER_OTLP_ENDPOINT', timeout: 10000 },
      },
    ],
    [
      'a base path is kept',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example/otlp/' },
        pick: (c) => c.otlp?.url,
        want: 'https://collector.example/otlp/v1/traces',
      },
    ],
    ...(['http/protobuf', 'http/json'] as const).map(
      (protocol) =>
        [
          `${protocol}: /v1/traces goes on the path, the query stays a query`,
          {
            env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/?token=x', OTEL_EXPORTER_OTLP_PROTOCOL: protocol },
            pick: (c: ResolvedConfig) => c.otlp?.url,
            want: 'http://localhost:4318/v1/traces?token=x',
          },
        ] as const,
    ),
    [
      'a base path with a query: the signal path joins the path',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example/otlp?tenant=a&key=b' },
        pick: (c) => c.otlp?.url,
        want: 'https://collector.example/otlp/v1/traces?tenant=a&key=b',
      },
    ],
    [
      'grpc: the URL as given, query included',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317/?token=x' },
        pick: (c) => [c.otlp?.protocol, c.otlp?.url],
        want: ['grpc', 'http://localhost:4317/?token=x'],
      },
    ],
    [
      'port 0 is refused like an invalid URL',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:0' },
        pick: otlp,
        want: undefined,
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:0" has port 0, which nothing can be reached on; using no OTLP export'],
      },
    ],
    [
      'a password holding "/" makes the URL invalid: the warning masks the userinfo',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:SEC/RET@127.0.0.1:4318' },
        pick: otlp,
        want: undefined,
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_ENDPOINT="http://***@127.0.0.1:4318" is not an http:// or https:// URL; using no OTLP export'],
      },
    ],
    [
      'an invalid traces endpoint with a query: query values masked, the general endpoint used',
      {
        env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://c:21/x?token=SECRETTOKEN', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
        pick: (c) => c.otlp?.url,
        want: 'http://c:4318/v1/traces',
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="ftp://c:21/x?token=***" is not an http:// or https:// URL; using OTEL_EXPORTER_OTLP_ENDPOINT'],
      },
    ],
    [
      'http/json asked for',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
        pick: (c) => c.otlp?.protocol,
        want: 'http/json',
      },
    ],
    [
      'grpc asked for on another port',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:9999', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
        pick: otlp,
        want: { protocol: 'grpc', url: 'http://localhost:9999/', from: 'OTEL_EXPORTER_OTLP_ENDPOINT', timeout: 10000 },
      },
    ],
    [
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL wins over OTEL_EXPORTER_OTLP_PROTOCOL',
      {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        },
        pick: (c) => c.otlp?.protocol,
        want: 'http/json',
      },
    ],
    [
      'an unknown protocol warns and infers from the port',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http' },
        pick: (c) => c.otlp?.protocol,
        want: 'http/protobuf',
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_PROTOCOL="http" is not grpc, http/protobuf or http/json; using http/protobuf (port 4318)'],
      },
    ],
    [
      'an unknown protocol on 4317 falls back to grpc',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' },
        pick: (c) => c.otlp?.protocol,
        want: 'grpc',
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_PROTOCOL="thrift" is not grpc, http/protobuf or http/json; using grpc (port 4317)'],
      },
    ],
    [
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is and wins',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom/traces' },
        pick: otlp,
        want: { protocol: 'http/protobuf', url: 'http://b:4318/custom/traces', from: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', timeout: 10000 },
      },
    ],
    [
      'a bad OTEL_EXPORTER_OTLP_ENDPOINT turns OTLP off with a warning (credentials masked)',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2@host:21' },
        pick: otlp,
        want: undefined,
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_ENDPOINT="ftp://***@host:21" is not an http:// or https:// URL; using no OTLP export'],
      },
    ],
    [
      'a bad traces endpoint falls back to the general one',
      {
        env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'localhost:4318', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
        pick: (c) => c.otlp?.url,
        want: 'http://localhost:4318/v1/traces',
        warnings: [
          'spanwright: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="localhost:4318" is not an http:// or https:// URL; using OTEL_EXPORTER_OTLP_ENDPOINT',
        ],
      },
    ],
    [
      'OTEL_EXPORTER_OTLP_TIMEOUT',
      { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_TIMEOUT: '2500' }, pick: (c) => c.otlp?.timeoutMillis, want: 2500 },
    ],
    [
      'a bad OTEL_EXPORTER_OTLP_TIMEOUT warns',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_TIMEOUT: '0' },
        pick: (c) => c.otlp?.timeoutMillis,
        want: 10000,
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_TIMEOUT="0" is not a whole number from 1 to 2147483647; using 10000'],
      },
    ],
  ]);

  const headers = (c: ResolvedConfig) => (c.otlp === undefined ? undefined : Object.fromEntries(c.otlp.headers.entries()));

  run('OTLP headers (OTEL_EXPORTER_OTLP_HEADERS, HONEYCOMB_API_KEY)', [
    [
      'parsed and percent-decoded, names lower-cased',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20tok,x-tenant=t1' },
        pick: headers,
        want: { authorization: 'Bearer tok', 'x-tenant': 't1' },
      },
    ],
    [
      'a malformed entry is skipped without printing it',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret,justasecretvalue,x=%E0%A4%A' },
        pick: headers,
        want: { 'api-key': 's3cret' },
        warnings: [
          'spanwright: OTEL_EXPORTER_OTLP_HEADERS entry 2 of 3 is not key=value (value hidden); ignoring it',
          'spanwright: OTEL_EXPORTER_OTLP_HEADERS entry 3 of 3 is not key=value (value hidden); ignoring it',
        ],
      },
    ],
    ...(['grpc', 'http/protobuf', 'http/json'] as const).flatMap((protocol) =>
      ['SECRET123\n', 'SECRET123\t', 'SECRETé', 'SECRET\u0000'].map(
        (value) =>
          [
            `${protocol}: a value with ${JSON.stringify(value.slice(9) || value.slice(6))} is dropped by name, value hidden`,
            {
              env: {
                OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
                OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
                OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${encodeURIComponent(value)},x-tenant=t1`,
              },
              pick: headers,
              want: { 'x-tenant': 't1' },
              warnings: [
                'spanwright: OTEL_EXPORTER_OTLP_HEADERS header "x-api-key" has a value with a character that is not printable ASCII (value hidden); not sending it',
              ],
            },
          ] as const,
      ),
    ),
    [
      'a name a header cannot hold is dropped',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x:y=1,ok=2' },
        pick: headers,
        want: { ok: '2' },
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_TRACES_HEADERS header "x:y" has a name with characters a header name cannot hold; not sending it'],
      },
    ],
    [
      'grpc: a -bin name is dropped (grpc-js wants a Buffer there)',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_HEADERS: 'trace-bin=abc' },
        pick: headers,
        want: {},
        warnings: ['spanwright: OTEL_EXPORTER_OTLP_HEADERS header "trace-bin" ends with -bin, which gRPC reserves for binary values; not sending it'],
      },
    ],
    [
      'HONEYCOMB_API_KEY with a control character: no x-honeycomb-team, value hidden',
      {
        env: { HONEYCOMB_API_KEY: 'hc-SECRET\u0001', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
        pick: headers,
        want: {},
        warnings: ['spanwright: HONEYCOMB_API_KEY has a character that is not printable ASCII (value hidden); not sending x-honeycomb-team'],
      },
    ],
    [
      'credentials in the endpoint URL become a Basic header and leave the URL',
      {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://tenant:p%40ss@tempo.example:4318' },
        pick: (c) => [c.otlp?.url, headers(c)],
        want: ['https://tempo.example:4318/v1/traces', { authorization: `Basic ${Buffer.from('tenant:p@ss').toString('base64')}` }],
      },
    ],
    [
      'HONEYCOMB_API_KEY alone: Honeycomb endpoint, http/protobuf, x-honeycomb-team',
      {
        env: { HONEYCOMB_API_KEY: 'hc-key' },
        pick: (c) => [c.otlp?.url, c.otlp?.protocol, c.otlp?.urlFrom, headers(c)],
        want: ['https://api.honeycomb.io/v1/traces', 'http/protobuf', 'HONEYCOMB_API_KEY', { 'x-honeycomb-team': 'hc-key' }],
      },
    ],
    [
      'HONEYCOMB_API_KEY with an endpoint (a collector, EU region) joins the other headers',
      {
        env: {
          HONEYCOMB_API_KEY: 'hc-key',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.eu1.honeycomb.io',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-dataset=bets',
        },
        pick: (c) => [c.otlp?.url, headers(c)],
        want: ['https://api.eu1.honeycomb.io/v1/traces', { 'x-honeycomb-dataset': 'bets', 'x-honeycomb-team': 'hc-key' }],
      },
    ],
  ]);

  run('batch span processor (OTEL_BSP_*)', [
    [
      'defaults',
      { env: {}, pick: (c) => c.batch, want: { scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 } },
    ],
    [
      'all set',
      {
        env: { OTEL_BSP_SCHEDULE_DELAY: '0', OTEL_BSP_EXPORT_TIMEOUT: '1000', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10' },
        pick: (c) => c.batch,
        want: { scheduledDelayMillis: 0, exportTimeoutMillis: 1000, maxQueueSize: 100, maxExportBatchSize: 10 },
      },
    ],
    [
      'invalid values warn one line each',
      {
        env: { OTEL_BSP_SCHEDULE_DELAY: '-1', OTEL_BSP_EXPORT_TIMEOUT: '1.5', OTEL_BSP_MAX_QUEUE_SIZE: 'lots', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' },
        pick: (c) => c.batch,
        want: { scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
        warnings: [
          'spanwright: OTEL_BSP_SCHEDULE_DELAY="-1" is not a whole number from 0 to 2147483647; using 5000',
          'spanwright: OTEL_BSP_EXPORT_TIMEOUT="1.5" is not a whole number from 1 to 2147483647; using 30000',
          'spanwright: OTEL_BSP_MAX_QUEUE_SIZE="lots" is not a whole number of 1 or more; using 2048',
          'spanwright: OTEL_BSP_MAX_EXPORT_BATCH_SIZE="0" is not a whole number of 1 or more; using 512',
        ],
      },
    ],
    [
      'a batch larger than the queue is cut to the queue',
      {
        env: { OTEL_BSP_MAX_QUEUE_SIZE: '100' },
        pick: (c) => [c.batch.maxQueueSize, c.batch.maxExportBatchSize],
        want: [100, 100],
        warnings: ['spanwright: OTEL_BSP_MAX_EXPORT_BATCH_SIZE=512 is larger than the queue (OTEL_BSP_MAX_QUEUE_SIZE=100); using 100'],
      },
    ],
  ]);

  run('log level and spanwright settings', [
    ['warn by default', { env: {}, pick: (c) => c.logLevel, want: 'warn' }],
    ['OTEL_LOG_LEVEL=INFO', { env: { OTEL_LOG_LEVEL: 'INFO' }, pick: (c) => c.logLevel, want: 'info' }],
    [
      'OTEL_LOG_LEVEL=loud warns',
      {
        env: { OTEL_LOG_LEVEL: 'loud' },
        pick: (c) => c.logLevel,
        want: 'warn',
        warnings: ['spanwright: OTEL_LOG_LEVEL="loud" is not one of none, error, warn, info, debug, verbose, all; using warn'],
      },
    ],
    ['ESM hook: auto by default (only for an ES-module entry)', { env: {}, pick: (c) => c.esmHook, want: 'auto' }],
    ['SPANWRIGHT_ESM_HOOK=true', { env: { SPANWRIGHT_ESM_HOOK: 'true' }, pick: (c) => c.esmHook, want: true }],
    ['SPANWRIGHT_ESM_HOOK=false', { env: { SPANWRIGHT_ESM_HOOK: 'false' }, pick: (c) => c.esmHook, want: false }],
    ['SPANWRIGHT_ESM_HOOK=auto', { env: { SPANWRIGHT_ESM_HOOK: 'auto' }, pick: (c) => c.esmHook, want: 'auto' }],
    [
      'SPANWRIGHT_ESM_HOOK=off warns',
      {
        env: { SPANWRIGHT_ESM_HOOK: 'off' },
        pick: (c) => c.esmHook,
        want: 'auto',
        warnings: ['spanwright: SPANWRIGHT_ESM_HOOK="off" is not true, false or auto; using auto'],
      },
    ],
    ...(
      [
        ['OTEL_BSP_SCHEDULE_DELAY', (c: ResolvedConfig) => c.batch.scheduledDelayMillis, 5000, 0],
        ['OTEL_BSP_EXPORT_TIMEOUT', (c: ResolvedConfig) => c.batch.exportTimeoutMillis, 30000, 1],
        ['OTEL_EXPORTER_OTLP_TIMEOUT', (c: ResolvedConfig) => c.otlp?.timeoutMillis, 10000, 1],
        ['SPANWRIGHT_SHUTDOWN_TIMEOUT_MS', (c: ResolvedConfig) => c.shutdownTimeoutMillis, 5000, 1],
        ['SPANWRIGHT_DROP_REPORT_INTERVAL_MS', (c: ResolvedConfig) => c.dropReportIntervalMillis, 60000, 1],
      ] as const
    ).flatMap(([name, pick, fallback, min]) => [
      [
        `${name}=2147483647, the largest timer Node keeps, is taken`,
        { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', [name]: '2147483647' }, pick, want: 2147483647 },
      ] as const,
      [
        `${name}=2147483648 (Node would make it 1 ms) warns and falls back`,
        {
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', [name]: '2147483648' },
          pick,
          want: fallback,
          warnings: [`spanwright: ${name}="2147483648" is not a whole number from ${min} to 2147483647; using ${fallback}`],
        },
      ] as const,
    ]),
    ['SPANWRIGHT_SHUTDOWN_TIMEOUT_MS', { env: { SPANWRIGHT_SHUTDOWN_TIMEOUT_MS: '1500' }, pick: (c) => c.shutdownTimeoutMillis, want: 1500 }],
    [
      'SPANWRIGHT_DROP_REPORT_INTERVAL_MS=x warns',
      {
        env: { SPANWRIGHT_DROP_REPORT_INTERVAL_MS: 'x' },
        pick: (c) => c.dropReportIntervalMillis,
        want: 60000,
        warnings: ['spanwright: SPANWRIGHT_DROP_REPORT_INTERVAL_MS="x" is not a whole number from 1 to 2147483647; using 60000'],
      },
    ],
  ]);

  describe('secrets', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20topsecret,bad-entry-topsecret',
      HONEYCOMB_API_KEY: 'hcsecretkey',
    };

    it('never appear in JSON.stringify or util.inspect of the config, nor in warnings', () => {
      const { config, warnings } = resolveConfig(makeManifest(), env);
      const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.otlp?.headers), ...warnings].join('\n');
      expect(printed).to.not.include('topsecret');
      expect(printed).to.not.include('hcsecretkey');
      expect(printed).to.include('authorization');
      expect(printed).to.include('x-honeycomb-team');
      expect(config.otlp?.headers.get('x-honeycomb-team')).to.equal('hcsecretkey');
    });
  });

  describe('endpoint secrets', () => {
    const userinfo = 'http://user:SEC/RET@127.0.0.1:4318';
    const query = 'http://127.0.0.1:4318/?token=TOKSECRET';

    it('a password and a query value reach neither the warnings, the config lines, nor doctor', () => {
      const cases: Env[] = [
        { OTEL_EXPORTER_OTLP_ENDPOINT: userinfo },
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: userinfo, OTEL_EXPORTER_OTLP_ENDPOINT: query },
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://u:PASSWORDX@c.example:4318/?token=TOKSECRET#FRAGSECRET' },
      ];
      for (const env of cases) {
        const { config, warnings } = resolveConfig(makeManifest(), env);
        const printed = [...warnings, ...describeConfig(config), ...runDoctor(makeManifest(), env)].join('\n');
        for (const secret of ['SEC/RET', 'RET@', 'TOKSECRET', 'PASSWORDX', 'FRAGSECRET']) expect(printed, JSON.stringify(env)).to.not.include(secret);
      }
      expect(describeConfig(resolveConfig(makeManifest(), { OTEL_EXPORTER_OTLP_ENDPOINT: query }).config)).to.include(
        'spanwright: OTLP export: http/protobuf to http://127.0.0.1:4318/v1/traces?token=*** (from OTEL_EXPORTER_OTLP_ENDPOINT), timeout 10000 ms',
      );
    });

    it('a query value reaches neither JSON.stringify nor util.inspect of the config; the exporter still gets the whole URL', () => {
      for (const env of [{ OTEL_EXPORTER_OTLP_ENDPOINT: query }, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url?token=TOKSECRET' }]) {
        const { config } = resolveConfig(makeManifest(), env);
        for (const printed of [JSON.stringify(config), inspect(config, { depth: 5 }), `${inspect(config.otlp)}`]) {
          expect(printed, JSON.stringify(env)).to.not.include('TOKSECRET');
        }
      }
      const { config } = resolveConfig(makeManifest(), { OTEL_EXPORTER_OTLP_ENDPOINT: query });
      expect(config.otlp!.url).to.equal('http://127.0.0.1:4318/v1/traces?token=TOKSECRET');
      expect(JSON.parse(JSON.stringify(config.otlp))).to.deep.equal({
        protocol: 'http/protobuf',
        url: 'http://127.0.0.1:4318/v1/traces?token=***',
        urlFrom: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        headers: {},
        timeoutMillis: 10000,
      });
      expect(inspect(config.otlp)).to.include("url: 'http://127.0.0.1:4318/v1/traces?token=***'");
    });

    for (const [given, want] of [
      ['http://user:SEC/RET@127.0.0.1:4318', 'http://***@127.0.0.1:4318'],
      ['https://a:b@c@host/p?x=1&y&z=#f', 'https://***@host/p?x=***&***&z=***#***'],
      ['user:pw@host:4318', '***@host:4318'],
      ['http://host:4318/v1/traces', 'http://host:4318/v1/traces'],
      ['http://host/?', 'http://host/?'],
    ] as const) {
      it(`redactUrl(${JSON.stringify(given)}) is ${JSON.stringify(want)}`, () => {
        expect(redactUrl(given)).to.equal(want);
      });
    }
  });

  it('is computed from the env argument alone (process.env untouched)', () => {
    const before = { ...process.env };
    const { config } = resolveConfig(makeManifest(), { OTEL_SERVICE_NAME: 'only-here' });
    expect(config.serviceName).to.equal('only-here');
    expect(process.env).to.deep.equal(before);
  });
});

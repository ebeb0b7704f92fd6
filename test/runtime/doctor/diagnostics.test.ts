import { expect } from 'chai';
import { resolveConfig } from '../../../runtime/config/resolve';
import { describeConfig } from '../../../runtime/doctor/describe';
import { runDoctor } from '../../../runtime/doctor/doctor';
import { modulesLoadedEarly } from '../../../runtime/instrumentation/registry';
import { createIgnoredPathTest } from '../../../runtime/instrumentation/http';
import { createPeerLookup, originHostPort } from '../../../runtime/instrumentation/peers';
import { ALL_INSTRUMENTATION, makeManifest, without } from '../manifest-fixture';

const manifest = makeManifest({ instrumentation: ALL_INSTRUMENTATION });

describe('diagnostics', () => {
  describe('describeConfig', () => {
    it('says what was configured, headers masked', () => {
      const { config } = resolveConfig(manifest, {
        OTEL_ENVIRONMENT: 'production',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:pw@collector.example:4318',
        HONEYCOMB_API_KEY: 'hc-very-secret',
        OTEL_RESOURCE_ATTRIBUTES: 'team=bets',
      });
      expect(describeConfig(config)).to.deep.equal([
        'spanwright: tracing enabled for predictions-api 1.2.3, environment production (settings: tracing.yaml environments.production)',
        'spanwright: sampling ParentBased(TraceIdRatioBased(0.1)) (sampler: default, ratio: tracing.yaml environments.production), root server span rules: /healthz=0',
        'spanwright: propagators: tracecontext, baggage (default)',
        'spanwright: console export: off (tracing.yaml environments.production)',
        'spanwright: OTLP export: http/protobuf to https://collector.example:4318/v1/traces (from OTEL_EXPORTER_OTLP_ENDPOINT), headers: authorization=***, x-honeycomb-team=***, timeout 10000 ms',
        'spanwright: batch: every 5000 ms, up to 512 spans a batch, queue 2048, export timeout 30000 ms',
        'spanwright: instrumentations: http, koa (router layer spans), knex (db.query.text ≤ 40 chars), undici/fetch, pino',
        'spanwright: resource attributes: team=bets',
      ]);
    });

    it('OTLP off: says whether no endpoint was given or the one given was not usable', () => {
      const otlpLine = (env: NodeJS.ProcessEnv): string | undefined =>
        describeConfig(resolveConfig(manifest, env).config).find((line) => line.startsWith('spanwright: OTLP export:'));
      expect(otlpLine({})).to.equal('spanwright: OTLP export: off (OTEL_EXPORTER_OTLP_ENDPOINT unset)');
      expect(otlpLine({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).to.equal(
        'spanwright: OTLP export: off (OTEL_EXPORTER_OTLP_ENDPOINT is set but not usable; see the warning)',
      );
      expect(otlpLine({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:0' })).to.equal(
        'spanwright: OTLP export: off (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_ENDPOINT are set but not usable; see the warning)',
      );
      // One of the two usable: export on, nothing said about the other here (its warning says it).
      expect(otlpLine({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).to.match(/^spanwright: OTLP export: http\/protobuf to /);
      expect(resolveConfig(manifest, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).config).to.not.have.property('otlpUnusable');
    });

    it('names the sampler, propagators and exporters in effect and where each came from', () => {
      const { config } = resolveConfig(manifest, {
        OTEL_ENVIRONMENT: 'production',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.2',
        OTEL_PROPAGATORS: 'b3multi,tracecontext',
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '32',
      });
      expect(describeConfig(config).slice(1, 5)).to.deep.equal([
        'spanwright: sampling TraceIdRatioBased(0.2) (sampler: OTEL_TRACES_SAMPLER=traceidratio, ratio: OTEL_TRACES_SAMPLER_ARG), root server span rules: /healthz=0',
        'spanwright: propagators: b3multi, tracecontext (OTEL_PROPAGATORS)',
        'spanwright: console export: json (OTEL_TRACES_EXPORTER)',
        'spanwright: OTLP export: off (OTEL_TRACES_EXPORTER leaves out otlp)',
      ]);
      expect(describeConfig(config)).to.include('spanwright: span limits: attributes 32');
      expect(describeConfig(resolveConfig(manifest, { OTEL_TRACES_SAMPLER: 'parentbased_always_off' }).config)[1]).to.equal(
        'spanwright: sampling ParentBased(AlwaysOff) (sampler: OTEL_TRACES_SAMPLER=parentbased_always_off)',
      );
    });

    it('names the fallback environment and the variable that disabled tracing', () => {
      expect(describeConfig(resolveConfig(manifest, { OTEL_ENVIRONMENT: 'qa' }).config)[0]).to.equal(
        'spanwright: tracing enabled for predictions-api 1.2.3, environment qa (settings: tracing.yaml environments.development (fallback))',
      );
      expect(describeConfig(resolveConfig(manifest, { OTEL_TRACES_ENABLED: 'false' }).config)).to.deep.equal([
        'spanwright: tracing disabled by OTEL_TRACES_ENABLED; no SDK installed, helpers run without spans',
      ]);
    });
  });

  describe('runDoctor', () => {
    it('reports warnings and "no exporter" for a setup that sends spans nowhere', () => {
      const lines = runDoctor(manifest, { OTEL_ENVIRONMENT: 'staging', OTEL_SAMPLING_RATIO: '2' });
      expect(lines.slice(-2)).to.deep.equal([
        'spanwright: OTEL_SAMPLING_RATIO="2" is not a number between 0 and 1; using 0.5 (environment staging)',
        'spanwright: no exporter: spans are recorded but sent nowhere; set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_CONSOLE=true',
      ]);
      expect(lines[0]).to.equal(
        'spanwright: tracing enabled for predictions-api 1.2.3, environment staging (settings: tracing.yaml environments.staging)',
      );
    });

    it('says when nothing is wrong', () => {
      const lines = runDoctor(manifest, {});
      expect(lines.at(-1)).to.equal('spanwright: no problems found in the configuration');
      expect(lines).to.include('spanwright: console export: json (tracing.yaml environments.development)');
    });

    const hintCases: ReadonlyArray<readonly [string, Record<string, string>, string]> = [
      [
        'a base endpoint that already has the traces path',
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/v1/traces' },
        'spanwright: OTEL_EXPORTER_OTLP_ENDPOINT already ends with /v1/traces and the path is added again; give the base URL, or the full one as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      ],
      [
        'grpc to the HTTP port',
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
        'spanwright: OTLP over grpc to port 4318, the usual OTLP/HTTP port; gRPC is usually 4317',
      ],
      [
        'http/json to the gRPC port',
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
        'spanwright: OTLP over http/json to port 4317, the usual gRPC port; OTLP/HTTP is usually 4318',
      ],
    ];
    for (const [title, env, want] of hintCases) {
      it(`hints at ${title}`, () => {
        expect(runDoctor(manifest, env).at(-1)).to.equal(want);
      });
    }

    it('warns about koa without http', () => {
      const koaOnly = makeManifest({ instrumentation: without(ALL_INSTRUMENTATION, 'http') });
      expect(runDoctor(koaOnly, { OTEL_EXPORTER_CONSOLE: 'true' }).at(-1)).to.equal(
        'spanwright: koa is instrumented without http: there is no server span to name after the route; declare http too',
      );
    });

    it('warns about ratio 0', () => {
      expect(runDoctor(manifest, { OTEL_SAMPLING_RATIO: '0', OTEL_EXPORTER_CONSOLE: 'true' }).at(-1)).to.equal(
        'spanwright: sampling ratio is 0: only traces whose incoming traceparent is sampled are kept',
      );
    });
  });

  describe('modulesLoadedEarly', () => {
    it('finds koa and knex in a require cache, not the drivers knex loads (nothing patches them)', () => {
      const cache = {
        '/app/node_modules/koa/lib/application.js': undefined,
        '/app/node_modules/knex/lib/knex.js': undefined,
        '/app/node_modules/@koa/router/dist/index.js': undefined,
        '/app/node_modules/pg/lib/index.js': undefined,
        '/app/node_modules/better-sqlite3/lib/index.js': undefined,
        '/app/node_modules/koa-compose/index.js': undefined,
        '/app/service/main.js': undefined,
      } as unknown as NodeJS.Require['cache'];
      expect(modulesLoadedEarly(cache)).to.deep.equal(['knex', 'koa']);
    });
  });

  describe('peers', () => {
    const lookup = createPeerLookup([
      { name: 'espn', host: '127.0.0.1:3001' },
      { name: 'espn-any-port', host: 'stats.example' },
      { name: 'v6', host: '[::1]:8080' },
    ]);
    const cases: ReadonlyArray<readonly [string | undefined, string | number | undefined, string | undefined]> = [
      ['127.0.0.1', '3001', 'espn'],
      ['127.0.0.1', 3001, 'espn'],
      ['127.0.0.1', '3002', undefined],
      ['STATS.example', '443', 'espn-any-port'],
      ['stats.example', undefined, 'espn-any-port'],
      ['::1', '8080', 'v6'],
      ['[::1]', '8080', 'v6'],
      [undefined, '80', undefined],
    ];
    for (const [host, port, want] of cases) {
      it(`${String(host)}:${String(port)} → ${String(want)}`, () => {
        expect(lookup(host, port)).to.equal(want);
      });
    }

    it('originHostPort fills in default ports', () => {
      expect(originHostPort('https://stats.example')).to.deep.equal({ host: 'stats.example', port: '443' });
      expect(originHostPort('http://127.0.0.1:3001')).to.deep.equal({ host: '127.0.0.1', port: '3001' });
      expect(originHostPort('not a url')).to.equal(undefined);
    });
  });

  describe('ignored incoming paths', () => {
    it('match the path without the query string', () => {
      const ignored = createIgnoredPathTest(['/healthz', '/internal/*']);
      expect(ignored('/healthz')).to.equal(true);
      expect(ignored('/healthz?probe=k8s')).to.equal(true);
      expect(ignored('/internal/metrics')).to.equal(true);
      expect(ignored('/healthzz')).to.equal(false);
      expect(ignored('/api/v1/nba/predictions')).to.equal(false);
      expect(ignored(undefined)).to.equal(false);
      expect(createIgnoredPathTest(['/players/:id/ping'])('/players/7/ping')).to.equal(true);
      expect(createIgnoredPathTest([])('/healthz')).to.equal(false);
    });
  });
});

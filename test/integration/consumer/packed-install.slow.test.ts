/**
 * Slow integration suite (about two minutes): spanwright as a user gets it. Packs both packages,
 * installs the tarballs (with koa, knex, pg, typescript, tsx) into one temporary root, and in a
 * sub-project per module set-up runs `npx spanwright gen`, `tsc`, starts the app with the
 * bootstrap preloaded against the test receiver and checks the trace of one request; a misuse
 * must not compile; the production install must hold no compiler.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCollector, type Collector, type ReceivedSpan } from '../../support/collector';
import { MISUSE_ERROR, SETUPS, writeProject, type Setup } from './projects';

const ROOT = resolve(__dirname, '..', '..', '..');
const DATABASE_URL = process.env.TEST_DATABASE_URL;

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.error !== undefined) throw result.error;
  return result;
}

function ok(command: string, args: readonly string[], cwd: string, timeoutMs?: number): string {
  const result = run(command, args, cwd, timeoutMs);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** The app's TypeScript, run by node directly: npx would add a second of npm start-up to each. */
function tsc(dir: string, project: string): SpawnSyncReturns<string> {
  return run(process.execPath, [join(dir, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], dir);
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

/** The tarball npm pack wrote: its last stdout line. */
function pack(args: readonly string[], destination: string): string {
  // `npm test` builds first; pack what it built rather than compile everything a second time.
  const out = ok('npm', ['pack', '--ignore-scripts', '--pack-destination', destination, ...args], ROOT);
  return join(destination, out.trim().split('\n').pop()!);
}

/** The versions this repository tests with, so the install is served from npm's cache. */
function versions(...names: string[]): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return Object.fromEntries(names.map((name) => [name, pkg.devDependencies[name]!]));
}

function startStockPeer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ count: 3, path: req.url }));
  });
  return new Promise((resolveListen) => server.listen(0, '127.0.0.1', () => resolveListen(server)));
}

interface AppRun {
  readonly status: number;
  readonly body: unknown;
  readonly stderr: string;
  readonly spans: ReceivedSpan[];
}

/** Starts the app as the set-up runs it, sends GET /orders/7, and returns what reached the receiver. */
async function runApp(dir: string, setup: Setup, collector: Collector, stockUrl: string): Promise<AppRun> {
  const child = spawn(process.execPath, setup.nodeArgs, {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL,
      STOCK_URL: stockUrl,
      OTEL_SERVICE_NAME: `consumer-${setup.name}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_CONSOLE: 'false',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  try {
    const port = await new Promise<number>((listening, failed) => {
      const timer = setTimeout(() => failed(new Error(`${setup.name}: no "listening" line in 30 s; stderr:\n${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const m = /listening (\d+)/.exec(stdout);
        if (m !== null) {
          clearTimeout(timer);
          listening(Number(m[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        failed(new Error(`${setup.name}: exited ${code} before listening; stderr:\n${stderr}`));
      });
    });
    const response = await fetch(`http://127.0.0.1:${port}/orders/7`);
    const body: unknown = await response.json();
    const service = `consumer-${setup.name}`;
    await collector.waitFor(
      () => collector.spans().filter((s) => s.serviceName === service).length >= 4,
      15_000,
      () => `${setup.name}: spans received: ${collector.spans().filter((s) => s.serviceName === service).map((s) => s.name).join(', ')}`,
    );
    return { status: response.status, body, stderr, spans: collector.spans().filter((s) => s.serviceName === service) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('consumer (slow integration): the packed packages in a fresh project of every module set-up', function () {
  this.timeout(240_000);
  let work: string;
  let app: string;
  let collector: Collector;
  let stock: http.Server;
  let stockUrl: string;
  const genSeconds: Record<string, number> = {};

  before(async function () {
    if (DATABASE_URL === undefined) throw new Error('TEST_DATABASE_URL is not set: the consumer app runs on PostgreSQL (.ci/run sets it)');
    if (!existsSync(join(ROOT, 'dist', 'generator', 'cli', 'main.js')) || !existsSync(join(ROOT, 'runtime', 'dist', 'index.js'))) {
      ok('npm', ['run', 'build'], ROOT);
    }
    work = mkdtempSync(join(tmpdir(), 'spanwright-consumer-'));
    const runtimeTarball = pack(['-w', 'runtime'], work);
    const cliTarball = pack([], work);
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify(
        {
          name: 'consumer-root',
          private: true,
          dependencies: {
            '@spanwright/runtime': `file:${runtimeTarball}`,
            ...versions('@opentelemetry/api', 'koa', '@koa/router', 'knex', 'pg'),
          },
          devDependencies: {
            spanwright: `file:${cliTarball}`,
            ...versions('typescript', 'tsx', '@types/node', '@types/koa'),
          },
        },
        null,
        2,
      )}\n`,
    );
    ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app, 180_000);
    for (const setup of SETUPS) writeProject(join(app, setup.name), setup);
    collector = await startCollector();
    stock = await startStockPeer();
    stockUrl = `http://127.0.0.1:${(stock.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (Object.keys(genSeconds).length > 0) {
      const shown = Object.entries(genSeconds).map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ');
      process.stdout.write(`      npx spanwright gen: ${shown}\n`);
    }
    await collector?.close();
    await new Promise<void>((done) => (stock !== undefined ? stock.close(() => done()) : done()));
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('the production install holds the runtime and no compiler, ts-morph, yaml or ajv', () => {
    const paths = ok('npm', ['ls', '--omit=dev', '--all', '--parseable'], app).trim().split('\n');
    const names = paths.slice(1).map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(names).to.include('@spanwright/runtime');
    expect(names).to.include('@opentelemetry/sdk-trace-node');
    for (const tool of ['typescript', 'ts-morph', '@ts-morph/common', 'yaml', 'ajv', 'spanwright']) {
      expect(names, tool).to.not.include(tool);
    }
  });

  for (const setup of SETUPS) {
    describe(`${setup.name} (${setup.type}, ${Object.entries(setup.compilerOptions).map(([k, v]) => `${k} ${v}`).join(', ')}, ${setup.run === 'tsx' ? 'run by tsx' : 'tsc then node'})`, () => {
      const dir = (): string => join(app, setup.name);

      it('npx spanwright gen writes the generated files, importing the runtime package', () => {
        const started = process.hrtime.bigint();
        const out = ok('npx', ['--no', '--', 'spanwright', 'gen'], dir());
        genSeconds[setup.name] = seconds(started);
        expect(out).to.include('wrote generated/spans.ts');
        expect(readdirSync(join(dir(), 'generated')).sort()).to.deep.equal(['TRACING.md', 'bootstrap.ts', 'manifest.ts', 'spans.ts']);
        expect(readFileSync(join(dir(), 'generated', 'bootstrap.ts'), 'utf8')).to.include(
          "import { startTracing } from '@spanwright/runtime/generated';\nimport { manifest } from './manifest.js';\n",
        );
      });

      it('compiles under strict with tsc', () => {
        const result = tsc(dir(), 'tsconfig.json');
        expect(`${result.stdout}${result.stderr}`).to.equal('');
        expect(result.status).to.equal(0);
      });

      it('a test of the service through the testing entry: the in-memory provider records the helper span, the user API checks it; internals are not exported', () => {
        const args = setup.run === 'tsx' ? ['--import', 'tsx', 'src/self-test.ts'] : ['dist/src/self-test.js'];
        const out = ok(process.execPath, args, dir());
        expect(JSON.parse(out.trim())).to.deep.equal({ spans: ['score_order'], violations: 0, refused: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
      });

      it(`an undeclared attribute does not compile (${MISUSE_ERROR})`, () => {
        const result = tsc(dir(), 'tsconfig.misuse.json');
        expect(result.status).to.equal(2);
        const errors = result.stdout.trim().split('\n').filter((line) => / error TS\d+/.test(line));
        expect(errors).to.have.length(1);
        expect(errors[0]).to.match(new RegExp(`^misuse/misuse\\.ts\\(3,\\d+\\): error ${MISUSE_ERROR}: Object literal may only specify known properties, and 'colour' does not exist`));
      });

      it(`runs with \`node ${setup.nodeArgs.join(' ')}\`: server, knex, fetch and declared spans as one tree`, async () => {
        const result = await runApp(dir(), setup, collector, stockUrl);
        expect(result.status).to.equal(200);
        expect(result.body).to.deep.equal({ id: '7', score: 0.75 });
        expect(result.stderr.split('\n').filter((line) => line.startsWith('spanwright:'))).to.deep.equal([]);

        const server = result.spans.filter((s) => s.kind === 'SERVER');
        expect(server.map((s) => s.name)).to.deep.equal(['GET /orders/:id']);
        const root = server[0]!;
        const traceSpans = result.spans.filter((s) => s.traceId === root.traceId);
        const byId = new Map(traceSpans.map((s) => [s.spanId, s]));
        expect(root.parentSpanId === undefined || !byId.has(root.parentSpanId)).to.equal(true);

        // koa: true loads @opentelemetry/instrumentation-koa: its router span sits between the server span and the handler's spans.
        const router = traceSpans.filter((s) => s.name === 'router - /orders/:id');
        expect(router.map((s) => [s.parentSpanId, s.attributes['koa.type'], s.attributes['http.route']])).to.deep.equal([[root.spanId, 'router', '/orders/:id']]);
        const handler = router[0]!;

        const knexSpan = traceSpans.find((s) => s.attributes['db.system.name'] === 'postgresql');
        expect(knexSpan, 'a knex span with db.system.name postgresql').to.not.equal(undefined);
        expect(knexSpan!.parentSpanId).to.equal(handler.spanId);

        const client = traceSpans.filter((s) => s.kind === 'CLIENT' && s.attributes['http.request.method'] !== undefined);
        expect(client.map((s) => [s.name, s.attributes['peer.service'], s.attributes['http.response.status_code']])).to.deep.equal([['GET', 'stock', 200]]);
        expect(client[0]!.parentSpanId).to.equal(handler.spanId);

        const custom = traceSpans.filter((s) => s.name === 'score_order');
        expect(custom).to.have.length(1);
        expect(custom[0]!.parentSpanId).to.equal(handler.spanId);
        expect(custom[0]!.kind).to.equal('INTERNAL');
        expect(custom[0]!.attributes).to.include({ 'shop.order_id': '7', 'shop.item_count': 3 });
        expect(custom[0]!.events.map((e) => [e.name, e.attributes])).to.deep.equal([['scored', { 'shop.score': 0.75 }]]);
      });
    });
  }
});

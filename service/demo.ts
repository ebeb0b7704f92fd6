/**
 * `npm run demo`: the whole picture in one command. Starts the stats upstream
 * and the predictions API on free ports with a throw-away SQLite database, both
 * exporting OTLP to a receiver in this process, sends a few requests (a miss, a
 * cache hit, a read-back, a 400 and a 404) and prints each request's trace as
 * one tree across both processes, then stops both.
 *
 * `npm run demo -- --ui [--ui-port 16686]`: the receiver is `spanwright dev`'s
 * viewer instead; after the requests it stays up, with both processes, until
 * Ctrl-C, so the traces can be looked at (and more requests sent).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { resolveManifest } from '../generator/generate';
import { buildTraces, formatTrace, OtlpReceiver, type ReceivedSpan } from '../generator/receiver';
import { startDevServer, type DevServer } from '../generator/viewer';
import { freePort, spawnEntry, STATS_SERVICE_NAME, stopChild, waitForHealthy } from './launcher';

interface DemoRequest {
  readonly title: string;
  readonly method: 'GET' | 'POST';
  /** A path, or a function of the previous response body (for the read-back). */
  readonly path: string | ((previous: unknown) => string);
  readonly body?: unknown;
}

const REQUESTS: readonly DemoRequest[] = [
  { title: 'health check (never traced)', method: 'GET', path: '/healthz' },
  {
    title: 'two players, stats not cached yet: cache_miss, two calls to the upstream',
    method: 'POST',
    path: '/api/v1/nba/predictions',
    body: { playerIds: ['1628369', '2544'], predictionType: 'points' },
  },
  {
    title: 'read the first prediction back',
    method: 'GET',
    path: (previous) => `/api/v1/nba/predictions/${(previous as { predictions: Array<{ id: string }> }).predictions[0]!.id}`,
  },
  {
    title: 'same player again: cache_hit, no upstream call',
    method: 'POST',
    path: '/api/v1/nba/predictions',
    body: { playerIds: ['1628369'], predictionType: 'rebounds' },
  },
  {
    title: 'unknown prediction type: 400',
    method: 'POST',
    path: '/api/v1/nba/predictions',
    body: { playerIds: ['1628369'], predictionType: 'steals' },
  },
  {
    title: 'unknown player: 404',
    method: 'POST',
    path: '/api/v1/nba/predictions',
    body: { playerIds: ['999999'], predictionType: 'assists' },
  },
];

const USAGE = 'usage: npm run demo [-- --ui [--ui-port 16686]]';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** A request's trace is printed once no span came for this long (both processes export every 50 ms). */
const SETTLE_MS = 400;
/** A request that made no trace (/healthz) is given up on after this long. */
const NO_TRACE_MS = 1500;

/**
 * Spans gathered from both processes, handed out one request at a time: every span that
 * arrived since the last call, once they stopped coming.
 */
class Gathered {
  private spans: ReceivedSpan[] = [];
  private lastArrival = 0;

  add(spans: readonly ReceivedSpan[]): void {
    this.spans.push(...spans);
    this.lastArrival = Date.now();
  }

  async take(): Promise<ReceivedSpan[]> {
    const started = Date.now();
    for (;;) {
      await sleep(50);
      const now = Date.now();
      const hasRoot = this.spans.some((span) => span.parentSpanId === undefined);
      if (hasRoot && now - this.lastArrival >= SETTLE_MS) break;
      if (this.spans.length === 0 && now - started >= NO_TRACE_MS) break;
      if (now - started >= 10 * NO_TRACE_MS) break; // a root that never comes: print what came
    }
    const taken = this.spans;
    this.spans = [];
    return taken;
  }
}

interface DemoOptions {
  readonly ui: boolean;
  readonly uiPort: number;
}

function parseOptions(argv: string[]): DemoOptions | string {
  try {
    const { values } = parseArgs({ args: argv, options: { ui: { type: 'boolean' }, 'ui-port': { type: 'string' } }, strict: true });
    const portText = values['ui-port'] ?? '16686';
    const uiPort = /^\d{1,5}$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : NaN;
    if (Number.isNaN(uiPort)) return `--ui-port must be a port from 0 (any free port) to 65535, got ${JSON.stringify(portText)}`;
    return { ui: values.ui === true, uiPort };
  } catch (error) {
    return (error as Error).message;
  }
}

/** The receiver both processes export to: a bare one, or with --ui the dev viewer's. */
async function startReceiving(options: DemoOptions, gathered: Gathered): Promise<{ endpoint: string; viewer?: DevServer; close(): Promise<void> }> {
  if (!options.ui) {
    const receiver = await new OtlpReceiver({ retain: false }).start();
    receiver.on('spans', (spans) => gathered.add(spans));
    return { endpoint: receiver.httpEndpoint, close: () => receiver.close() };
  }
  const manifestFile = path.resolve(__dirname, '..', '..', 'tracing.yaml');
  const label = path.relative(process.cwd(), manifestFile) || manifestFile;
  const viewer = await startDevServer({
    manifest: resolveManifest(readFileSync(manifestFile, 'utf8'), { file: label }),
    manifestLabel: label,
    grpcPort: 0,
    httpPort: 0,
    uiPort: options.uiPort,
  });
  viewer.receiver.on('spans', (spans) => gathered.add(spans));
  return { endpoint: viewer.httpEndpoint, viewer, close: () => viewer.close() };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    process.stderr.write(`demo: ${options}\n${USAGE}\n`);
    return 2;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'spanwright-demo-'));
  const [apiPort, statsPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const statsUrl = `http://127.0.0.1:${statsPort}`;
  const gathered = new Gathered();
  const children: ChildProcess[] = [];
  let receiving: Awaited<ReturnType<typeof startReceiving>> | undefined;
  try {
    receiving = await startReceiving(options, gathered);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OTEL_EXPORTER_CONSOLE: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiving.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      DATABASE_URL: `sqlite:${path.join(dir, 'predictions.db')}`,
    };
    delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    delete env.OTEL_TRACES_EXPORTER;
    print(`demo: stats upstream on ${statsUrl}, predictions API on ${apiUrl}, database ${env.DATABASE_URL}`);
    print(`demo: both export OTLP to ${receiving.endpoint}; each request's trace is printed as one tree across both\n`);
    const stdio: StdioOptions = ['ignore', 'inherit', 'inherit'];
    const upstream = spawnEntry('stats-upstream', { ...env, STATS_PORT: String(statsPort), OTEL_SERVICE_NAME: STATS_SERVICE_NAME }, stdio);
    children.push(upstream);
    const api = spawnEntry('main', { ...env, PORT: String(apiPort), STATS_API_URL: statsUrl }, stdio);
    children.push(api);
    await Promise.all([waitForHealthy(statsUrl, upstream), waitForHealthy(apiUrl, api)]);
    await gathered.take(); // nothing of the start-up belongs to the first request

    let previous: unknown;
    for (const request of REQUESTS) {
      const target = typeof request.path === 'string' ? request.path : request.path(previous);
      print(`\n━━ ${request.title}`);
      print(`$ curl -X ${request.method} ${apiUrl}${target}${request.body ? ` -d '${JSON.stringify(request.body)}'` : ''}`);
      const response = await fetch(`${apiUrl}${target}`, {
        method: request.method,
        headers: request.body ? { 'content-type': 'application/json' } : {},
        body: request.body ? JSON.stringify(request.body) : undefined,
      });
      const text = await response.text();
      print(`${response.status} ${text}`);
      previous = response.ok ? JSON.parse(text) : previous;
      const traces = buildTraces(await gathered.take());
      print(
        traces.length === 0
          ? '(no trace: /healthz is listed in instrumentation.http.ignoreIncomingPaths)'
          : `\n${traces.map((trace) => formatTrace(trace, { attributes: false })).join('\n\n')}`,
      );
    }
    if (receiving.viewer !== undefined) {
      print(`\ndemo: the traces are in the viewer at ${receiving.viewer.uiUrl}`);
      print(`demo: the API stays up for more: curl -X POST ${apiUrl}/api/v1/nba/predictions -H 'content-type: application/json' -d '{"playerIds":["1628369"],"predictionType":"points"}'`);
      print('demo: Ctrl-C stops.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return 0;
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await Promise.all(children.map((child) => stopChild(child)));
    await receiving?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));

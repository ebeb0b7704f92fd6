/**
 * `npm run demo`: the whole picture in one command. Starts the stats upstream
 * and the predictions API on free ports with a throw-away SQLite database and
 * the `tree` console format, sends a few requests (a miss, a cache hit, a
 * read-back, a 400 and a 404), lets each trace print, then stops both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess, StdioOptions } from 'node:child_process';
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const print = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spanwright-demo-'));
  const [apiPort, statsPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const statsUrl = `http://127.0.0.1:${statsPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_CONSOLE: 'true',
    OTEL_EXPORTER_CONSOLE_FORMAT: 'tree',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    DATABASE_URL: `sqlite:${path.join(dir, 'predictions.db')}`,
  };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const children: ChildProcess[] = [];
  // The processes' trace output is held and printed under the request that caused it.
  let output: string[] = [];
  const hold = (child: ChildProcess): void => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  };
  try {
    print(`demo: stats upstream on ${statsUrl}, predictions API on ${apiUrl}, database ${env.DATABASE_URL}\n`);
    const stdio: StdioOptions = ['ignore', 'pipe', 'inherit'];
    const upstream = spawnEntry('stats-upstream', { ...env, STATS_PORT: String(statsPort), OTEL_SERVICE_NAME: STATS_SERVICE_NAME }, stdio);
    children.push(upstream);
    hold(upstream);
    const api = spawnEntry('main', { ...env, PORT: String(apiPort), STATS_API_URL: statsUrl }, stdio);
    children.push(api);
    hold(api);
    await Promise.all([waitForHealthy(statsUrl, upstream), waitForHealthy(apiUrl, api)]);

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
      await sleep(400); // lets both processes print the trace of this request
      const traces = output.join('').trimEnd();
      output = [];
      print(traces === '' ? '(no trace: /healthz is listed in instrumentation.http.ignoreIncomingPaths)' : `\n${traces}`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await Promise.all(children.map((child) => stopChild(child)));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));

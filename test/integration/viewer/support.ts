/** Processes the viewer and live-check tests start: the real service, and a runtime script. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnWatched, type WatchedProcess } from '../../support/watched-process';
import { freePort, spawnEntry, STATS_SERVICE_NAME, stopChild, waitForHealthy } from '../../../service/launcher';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'spanwright.js');

/** What both service processes and the scripts need to export OTLP/HTTP to `endpoint` quickly. */
function exportEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_CONSOLE: 'false',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    LOG_LEVEL: 'warn',
  };
  return env;
}

export interface Services {
  readonly apiUrl: string;
  stop(): Promise<void>;
}

/** The predictions API and the stats upstream, as `npm run demo` starts them, both exporting to `endpoint`. */
export async function startServices(endpoint: string, databaseFile: string): Promise<Services> {
  const [apiPort, statsPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const statsUrl = `http://127.0.0.1:${statsPort}`;
  const env = { ...exportEnv(endpoint), DATABASE_URL: `sqlite:${databaseFile}` };
  const stdio = ['ignore', 'ignore', 'inherit'] as const;
  const upstream = spawnEntry('stats-upstream', { ...env, STATS_PORT: String(statsPort), OTEL_SERVICE_NAME: STATS_SERVICE_NAME }, [...stdio]);
  const api = spawnEntry('main', { ...env, PORT: String(apiPort), STATS_API_URL: statsUrl }, [...stdio]);
  const stop = async (): Promise<void> => {
    await Promise.all([stopChild(api), stopChild(upstream)]);
  };
  try {
    await Promise.all([waitForHealthy(statsUrl, upstream, 30_000), waitForHealthy(apiUrl, api, 30_000)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiUrl, stop };
}

/** Runs test/integration/viewer/emit-spans.ts with the generated bootstrap; resolves with the trace id it printed. */
export function emitSpans(
  endpoint: string,
  mode: 'conforming' | 'undeclared',
  serviceName = 'emit-spans',
  protocol: 'grpc' | 'http/protobuf' | 'http/json' = 'http/protobuf',
): Promise<string> {
  const bootstrap = pathToFileURL(path.join(ROOT, 'generated', 'bootstrap.ts')).href;
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', bootstrap, path.join(__dirname, 'emit-spans.ts'), mode], {
    cwd: ROOT,
    env: { ...exportEnv(endpoint), OTEL_SERVICE_NAME: serviceName, OTEL_EXPORTER_OTLP_PROTOCOL: protocol },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      const traceId = stdout.trim();
      if (code === 0 && /^[0-9a-f]{32}$/.test(traceId)) resolve(traceId);
      else reject(new Error(`emit-spans ${mode} exited ${code}: ${stdout}${stderr}`));
    });
  });
}

/** Polls `check` every 50 ms until it returns a value other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export { stopChild, type ChildProcess };

export type RunningCli = WatchedProcess;

/** `node bin/spanwright.js <args>` (the compiled CLI: needs `npm run build`, which `npm test` runs first). */
export function runCli(args: readonly string[], cwd = ROOT): RunningCli {
  return spawnWatched(`spanwright ${args[0]}`, process.execPath, [BIN, ...args], cwd);
}

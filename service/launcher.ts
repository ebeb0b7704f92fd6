/**
 * Starts the service's processes with the generated bootstrap loaded first,
 * as `npm start`, `npm run demo` and the end-to-end tests do:
 *
 *   node --require dist/generated/bootstrap.js dist/service/<entry>.js
 *
 * Run from TypeScript sources (tsx), the same with `--import tsx` and the .ts files.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type ServiceEntry = 'main' | 'stats-upstream';

/** The stats upstream reports under its own service.name. */
export const STATS_SERVICE_NAME = 'stats-upstream';

const compiled = path.extname(__filename) === '.js';

/** `node` arguments that run `entry` with the bootstrap preloaded. */
export function nodeArguments(entry: ServiceEntry): string[] {
  const root = path.resolve(__dirname, '..');
  if (compiled) {
    return ['--require', path.join(root, 'generated', 'bootstrap.js'), path.join(__dirname, `${entry}.js`)];
  }
  const bootstrap = pathToFileURL(path.join(root, 'generated', 'bootstrap.ts')).href;
  return ['--import', 'tsx', '--import', bootstrap, path.join(__dirname, `${entry}.ts`)];
}

export function spawnEntry(entry: ServiceEntry, env: NodeJS.ProcessEnv, stdio: StdioOptions = 'inherit'): ChildProcess {
  return spawn(process.execPath, nodeArguments(entry), { env, stdio });
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Polls `<baseUrl>/healthz` until it answers 200; rejects when `child` exits
 * first or after `timeoutMs`.
 */
export async function waitForHealthy(baseUrl: string, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${baseUrl} exited (code ${child.exitCode ?? child.signalCode}) before it was healthy`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${baseUrl} was not healthy within ${timeoutMs} ms`);
}

/** Sends SIGTERM and resolves with the exit code once the child is gone. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/**
 * Runs the compiled service the way `npm start` does — each process with the
 * generated bootstrap preloaded — on free ports, with console `json` export
 * so the test reads every span from the processes' stdout.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type Koa from 'koa';
import { SpanLog } from './span-log';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');
export const BOOTSTRAP = path.join(DIST, 'generated', 'bootstrap.js');

export function assertBuilt(): void {
  for (const file of [BOOTSTRAP, path.join(DIST, 'service', 'main.js'), path.join(DIST, 'service', 'stats-upstream.js')]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run npm run build first`);
  }
}

/** Trace every request, print spans as JSON lines, no OTLP export, quiet logs. */
const TRACE_ENV: NodeJS.ProcessEnv = {
  OTEL_ENVIRONMENT: 'development',
  OTEL_SAMPLING_RATIO: '1',
  OTEL_EXPORTER_CONSOLE: 'true',
  OTEL_EXPORTER_CONSOLE_FORMAT: 'json',
};

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...TRACE_ENV };
  return env;
}

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly spans: SpanLog;
  readonly stderr: string[];
}

export async function startProcess(
  name: string,
  entry: 'main' | 'stats-upstream',
  env: NodeJS.ProcessEnv,
  portVariable: 'PORT' | 'STATS_PORT',
): Promise<ServiceProcess> {
  const spans = new SpanLog();
  const stderr: string[] = [];
  const child = spawn(process.execPath, ['--require', BOOTSTRAP, path.join(DIST, 'service', `${entry}.js`)], {
    env: { ...baseEnv(), ...env, [portVariable]: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  spans.follow(child.stdout!);
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  // The process logs its address (pino, level info) once listening; port 0 means we learn it from there.
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr.join('')}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening: ${stderr.join('')}`));
    });
    const poll = setInterval(() => {
      for (const line of spans.otherLines) {
        const match = /"address":\{[^}]*"port":(\d+)/.exec(line);
        if (match) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(Number(match[1]));
          return;
        }
      }
    }, 20);
  });
  return { name, url: `http://127.0.0.1:${port}`, child, spans, stderr };
}

/** SIGTERM, then the exit code. */
export function stopProcess(proc: ServiceProcess | undefined): Promise<number | null> {
  if (proc === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) {
    return Promise.resolve(proc?.child.exitCode ?? null);
  }
  return new Promise((resolve) => {
    proc.child.once('exit', (code) => resolve(code));
    proc.child.kill('SIGTERM');
  });
}

/** An in-process stand-in upstream (for faults): listens on a free port. */
export async function startInProcess(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface HttpResult {
  readonly status: number;
  readonly body: any;
  readonly text: string;
}

export async function request(
  baseUrl: string,
  method: string,
  target: string,
  body?: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<HttpResult> {
  // Never let an SDK another test file installed in this process trace (and parent) the request.
  const response = await context.with(suppressTracing(context.active()), () =>
    fetch(`${baseUrl}${target}`, { method, headers: body === undefined ? {} : headers, body }),
  );
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

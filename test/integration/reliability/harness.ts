/**
 * Real processes for the reliability tests: the compiled service started the
 * way `npm start` starts it (`node --require dist/generated/bootstrap.js
 * dist/service/<entry>.js`) on a free loopback port, a load generator that
 * records each request's status, latency and trace id, and the child's RSS
 * read from /proc (the service gets no test-only endpoint).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { freePort, waitForHealthy } from '../../../service/launcher';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');
const BOOTSTRAP = path.join(DIST, 'generated', 'bootstrap.js');

export const PREDICTIONS = '/api/v1/nba/predictions';
export const TATUM = '1628369';

export function assertBuilt(): void {
  for (const file of [BOOTSTRAP, path.join(DIST, 'service', 'main.js'), path.join(DIST, 'service', 'stats-upstream.js')]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run npm run build first`);
  }
}

/**
 * Every request traced, no console export, quiet logs, every prediction calling the
 * upstream (no stats cache) so each trace has the same span set. The upstream timeout is
 * not under test here: 10 s instead of 2 s, so a starved 2-core machine gives no 502.
 */
const BASE_ENV: NodeJS.ProcessEnv = {
  OTEL_ENVIRONMENT: 'development',
  OTEL_SAMPLING_RATIO: '1',
  OTEL_EXPORTER_CONSOLE: 'false',
  LOG_LEVEL: 'warn',
  STATS_CACHE_TTL_MS: '0',
  STATS_TIMEOUT_MS: '10000',
};

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** performance.now() when the process exited. */
  readonly at: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stderr so far, whole lines. */
  stderrLines(): string[];
  /** stdout so far (the service's pino lines), whole lines. */
  stdoutLines(): string[];
  /** Lines of stderr that report dropped spans. */
  dropLines(): string[];
  readonly exited: Promise<ExitInfo>;
  alive(): boolean;
}

export interface StartOptions {
  readonly entry?: 'main' | 'stats-upstream';
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts `entry` with the bootstrap preloaded on a free port; resolves once /healthz answers 200. */
export async function startService(name: string, options: StartOptions = {}): Promise<ServiceProcess> {
  const entry = options.entry ?? 'main';
  const port = await freePort();
  const portVariable = entry === 'main' ? 'PORT' : 'STATS_PORT';
  const child = spawn(process.execPath, ['--require', BOOTSTRAP, path.join(DIST, 'service', `${entry}.js`)], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...BASE_ENV, ...options.env, [portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Drained so the child never blocks on a full pipe; the tests run it at LOG_LEVEL=warn, so it stays small.
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(url, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(error as Error).message}\nstderr: ${stderr}\nstdout: ${stdout.slice(-4096)}`, { cause: error });
  }
  const stderrLines = (): string[] => stderr.split('\n').filter((line) => line.length > 0);
  return {
    name,
    url,
    child,
    pid: child.pid!,
    exited,
    stderrLines,
    stdoutLines: () => stdout.split('\n').filter((line) => line.length > 0),
    dropLines: () => stderrLines().filter((line) => /^spanwright: dropped \d+ spans?/.test(line)),
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Sends `signal` and resolves with the exit and the milliseconds it took. */
export async function stopService(proc: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitInfo & { millis: number }> {
  const sent = performance.now();
  if (proc.alive()) proc.child.kill(signal);
  const exit = await proc.exited;
  return { ...exit, millis: Math.max(0, exit.at - sent) };
}

/** For `after` hooks: SIGKILL whatever is still running. */
export async function killAll(procs: ReadonlyArray<ServiceProcess | undefined>): Promise<void> {
  await Promise.all(
    procs.map(async (proc) => {
      if (proc === undefined || !proc.alive()) return;
      proc.child.kill('SIGKILL');
      await proc.exited;
    }),
  );
}

/** A fresh SQLite file for one service process; removed by `remove()`. */
export function tempDatabase(): { url: string; file: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'spanwright-reliability-'));
  const file = path.join(dir, 'predictions.db');
  return { url: `sqlite:${file}`, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- load ----

export interface RequestResult {
  readonly index: number;
  /** 0 when the request failed without an answer. */
  readonly status: number;
  readonly millis: number;
  readonly traceId: string | null;
  readonly error?: string;
}

export const predictionBody = (): string => JSON.stringify({ playerIds: [TATUM], predictionType: 'points' });

/** One POST; never throws (a failure is status 0 with the error). Untraced on the test side. */
export async function postPrediction(baseUrl: string, index = 0, signal?: AbortSignal): Promise<RequestResult> {
  const started = performance.now();
  try {
    const response = await context.with(suppressTracing(context.active()), () =>
      fetch(`${baseUrl}${PREDICTIONS}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: predictionBody(),
        signal,
      }),
    );
    const text = await response.text();
    let traceId: string | null = null;
    try {
      traceId = (JSON.parse(text) as { traceId?: string | null }).traceId ?? null;
    } catch {
      traceId = null;
    }
    const millis = performance.now() - started;
    return response.status === 200 ? { index, status: 200, millis, traceId } : { index, status: response.status, millis, traceId, error: text.slice(0, 300) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { index, status: 0, millis: performance.now() - started, traceId: null, error: cause ?? (error as Error).message };
  }
}

/** `count` POSTs, `concurrency` at a time; resolves with every result in request order. */
export async function runLoad(baseUrl: string, count: number, concurrency: number): Promise<RequestResult[]> {
  const results: RequestResult[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await postPrediction(baseUrl, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The first few answers that were not 200, for failure messages. */
export function failures(results: readonly RequestResult[], limit = 5): string[] {
  return results.filter((r) => r.status !== 200).slice(0, limit).map((r) => `#${r.index} ${r.status} after ${Math.round(r.millis)} ms: ${r.error ?? ''}`);
}

/** Statuses counted: `{ 200: 398, 0: 2 }`. */
export function statusCounts(results: readonly RequestResult[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

// ---- memory ----

/** The process's resident set in bytes, from /proc/<pid>/status (VmRSS), or undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; `peak()` is the largest sample. */
export class RssSampler {
  private samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const rss = rssBytes(this.pid);
    if (rss !== undefined) this.samples.push(rss);
  }

  /** Starts a new window: `peak()` covers samples from now on. */
  reset(): void {
    this.samples = [];
    this.sample();
  }

  peak(): number {
    this.sample();
    return Math.max(0, ...this.samples);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A dropped-spans line's count: `spanwright: dropped 120 spans …` → 120. */
export function droppedCount(line: string): number {
  const match = /^spanwright: dropped (\d+) spans?/.exec(line);
  if (!match) throw new Error(`not a drop report: ${line}`);
  return Number(match[1]);
}

/** One summary line a test, for the figures of the report. */
export function figure(text: string): void {
  process.stdout.write(`      [figures] ${text}\n`);
}

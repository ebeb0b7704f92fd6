/**
 * What the service and start-up benches share: the ways the predictions API is
 * started (tracing off, spanwright, auto-instrumentations-node), a seeded SQLite
 * file every run starts from, the stats upstream as its own process, and the
 * small process helpers (spawn, wait for 200, RSS, stop).
 *
 * Every variant runs the same compiled service (dist/service/main.js) with the
 * same database, upstream, collector and load; only the preload and the OTEL_*
 * variables differ.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../service/db';
import { freePort } from '../../service/launcher';

export const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const BOOTSTRAP = path.join(DIST, 'generated', 'bootstrap.js');
const AUTO_REGISTER = require.resolve('@opentelemetry/auto-instrumentations-node/register', { paths: [ROOT] });
const SERVICE_NAME = 'sports-bet-ai-api';

export type VariantId =
  | 'off'
  | 'spanwright'
  | 'spanwright-0.1'
  | 'spanwright-no-esm-hook'
  | 'auto'
  | 'none'
  | 'als-only'
  | 'spanwright-0'
  | 'spanwright-no-export';

export interface Variant {
  readonly id: VariantId;
  readonly label: string;
  /** Whether it exports spans (the collector must have received some). */
  readonly exports: boolean;
  /** Expected share of requests traced. */
  readonly ratio: number;
  readonly nodeArgs: readonly string[];
  env(otlpEndpoint: string): NodeJS.ProcessEnv;
}

const spanwrightAt = (ratio: number) => (otlpEndpoint: string): NodeJS.ProcessEnv => ({
  // production: no console exporter in the manifest; the ratio is set explicitly anyway.
  OTEL_ENVIRONMENT: 'production',
  OTEL_SAMPLING_RATIO: String(ratio),
  OTEL_EXPORTER_CONSOLE: 'false',
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
});

export const VARIANTS: Readonly<Record<VariantId, Variant>> = {
  off: {
    id: 'off',
    label: 'tracing off (spanwright bootstrap, OTEL_TRACES_ENABLED=false)',
    exports: false,
    ratio: 0,
    nodeArgs: ['--require', BOOTSTRAP],
    env: () => ({ OTEL_TRACES_ENABLED: 'false' }),
  },
  spanwright: {
    id: 'spanwright',
    label: 'spanwright, ratio 1.0, OTLP',
    exports: true,
    ratio: 1,
    nodeArgs: ['--require', BOOTSTRAP],
    env: spanwrightAt(1),
  },
  'spanwright-0.1': {
    id: 'spanwright-0.1',
    label: 'spanwright, ratio 0.1, OTLP',
    exports: true,
    ratio: 0.1,
    nodeArgs: ['--require', BOOTSTRAP],
    env: spanwrightAt(0.1),
  },
  'spanwright-no-esm-hook': {
    id: 'spanwright-no-esm-hook',
    label: 'spanwright, ratio 1.0, OTLP, SPANWRIGHT_ESM_HOOK=false (no loader thread; this service is CommonJS)',
    exports: true,
    ratio: 1,
    nodeArgs: ['--require', BOOTSTRAP],
    env: (otlpEndpoint) => ({ ...spanwrightAt(1)(otlpEndpoint), SPANWRIGHT_ESM_HOOK: 'false' }),
  },
  auto: {
    id: 'auto',
    label: 'auto-instrumentations-node register, ratio 1.0, OTLP (no spanwright bootstrap)',
    exports: true,
    ratio: 1,
    // What a user without spanwright runs; the generated helpers then use the auto SDK's global provider.
    nodeArgs: ['--require', AUTO_REGISTER],
    env: (otlpEndpoint) => ({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1.0',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    }),
  },
  // The breakdown (BENCH_SERVICE_VARIANTS=off,als-only,spanwright-0,spanwright-no-export,spanwright):
  // each adds one layer of the cost to the one before.
  'als-only': {
    id: 'als-only',
    label: 'tracing off + one AsyncLocalStorage entered (the context-propagation floor)',
    exports: false,
    ratio: 0,
    nodeArgs: ['--require', path.join(__dirname, 'als-preload.js'), '--require', BOOTSTRAP],
    env: () => ({ OTEL_TRACES_ENABLED: 'false' }),
  },
  'spanwright-0': {
    id: 'spanwright-0',
    label: 'spanwright, ratio 0 (instrumented, nothing sampled)',
    exports: false,
    ratio: 0,
    nodeArgs: ['--require', BOOTSTRAP],
    env: spanwrightAt(0),
  },
  'spanwright-no-export': {
    id: 'spanwright-no-export',
    label: 'spanwright, ratio 1.0, no exporter (spans recorded, then dropped)',
    exports: false,
    ratio: 1,
    nodeArgs: ['--require', BOOTSTRAP],
    env: (otlpEndpoint) => {
      const env = spanwrightAt(1)(otlpEndpoint);
      delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
      return env;
    },
  },
  none: {
    id: 'none',
    label: 'no preload at all (plain node)',
    exports: false,
    ratio: 0,
    nodeArgs: [],
    env: () => ({}),
  },
};

export function assertBuilt(): void {
  for (const file of [BOOTSTRAP, path.join(DIST, 'service', 'main.js'), path.join(DIST, 'service', 'stats-upstream.js')]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run npm run build first`);
  }
}

/**
 * Where the bench's SQLite files live: tmpfs (/dev/shm) when there is one, so that
 * every commit's fsync does not make the disk, shared with whatever else runs, the
 * bottleneck and the noise; BENCH_DB_DIR chooses another directory.
 */
export function databaseDirectory(): string {
  if (process.env.BENCH_DB_DIR) return process.env.BENCH_DB_DIR;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** A scratch directory with a migrated, seeded SQLite file that each run copies. */
export class Workspace {
  readonly dir = mkdtempSync(path.join(databaseDirectory(), 'spanwright-bench-'));
  readonly template = path.join(this.dir, 'template.db');
  private runs = 0;

  async prepare(): Promise<this> {
    const db = await openDatabase({ url: `sqlite:${this.template}` });
    await db.destroy();
    return this;
  }

  /** A fresh copy of the seeded database, so every run starts from the same rows. */
  freshDatabase(): string {
    const file = path.join(this.dir, `run-${++this.runs}.db`);
    copyFileSync(this.template, file);
    return file;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * CPU pinning for the throughput bench: the API alone on the last CPU, the load
 * generator, the upstream and this process (the collector) on the others, so
 * the API's throughput is that of one core and the load never competes with it
 * for it. On when `taskset` exists and there are at least 2 CPUs; BENCH_PIN=0 turns it off.
 */
export interface Pinning {
  readonly api: string;
  readonly others: string;
}

export function pinning(): Pinning | undefined {
  if (process.env.BENCH_PIN === '0') return undefined;
  const count = cpus().length;
  if (count < 2 || !existsSync('/usr/bin/taskset')) return undefined;
  return { api: String(count - 1), others: count === 2 ? '0' : `0-${count - 2}` };
}

/** `[command, args]` that run node with `args`, on `cpuList` when given. */
export function nodeCommand(args: readonly string[], cpuList?: string): [string, string[]] {
  return cpuList === undefined ? [process.execPath, [...args]] : ['/usr/bin/taskset', ['-c', cpuList, process.execPath, ...args]];
}

/** Pins this process (and the threads it starts from now on) to `cpuList`. */
export function pinSelf(cpuList: string): void {
  execFileSync('/usr/bin/taskset', ['-a', '-p', '-c', cpuList, String(process.pid)], { stdio: 'ignore' });
}

/** The variables every process gets, whatever the variant (no OTEL_* from the caller's shell). */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', LOG_LEVEL: 'info', OTEL_SERVICE_NAME: SERVICE_NAME };
}

export interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  /** process.hrtime.bigint() just before spawn. */
  readonly spawnedAt: bigint;
  readonly stderr: string[];
}

/**
 * BENCH_API_ENV="NAME=value NAME=value": extra variables for every API process, whatever the
 * variant (for instance OTEL_LOG_LEVEL=info while looking into a run).
 */
function extraApiEnv(): NodeJS.ProcessEnv {
  const raw = process.env.BENCH_API_ENV;
  if (raw === undefined || raw.trim() === '') return {};
  return Object.fromEntries(
    raw.trim().split(/\s+/).map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`BENCH_API_ENV: "${pair}" is not NAME=value`);
      return [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
    }),
  );
}

/** Spawns the predictions API of `variant` on a free port; stdout (pino) goes to /dev/null. */
export async function startApi(
  variant: Variant,
  options: { databaseFile: string; statsApiUrl: string; otlpEndpoint: string; extraNodeArgs?: readonly string[]; cpuList?: string },
): Promise<Started> {
  const port = await freePort();
  const env = {
    ...baseEnv(),
    ...variant.env(options.otlpEndpoint),
    PORT: String(port),
    DATABASE_URL: `sqlite:${options.databaseFile}`,
    STATS_API_URL: options.statsApiUrl,
    ...extraApiEnv(),
  };
  const args = [...(options.extraNodeArgs ?? []), ...variant.nodeArgs, path.join(DIST, 'service', 'main.js')];
  const stderr: string[] = [];
  const spawnedAt = process.hrtime.bigint();
  // taskset execs node in place: the pid stays that of the node process.
  const [command, commandArgs] = nodeCommand(args, options.cpuList);
  const child = spawn(command, commandArgs, { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  return { child, url: `http://127.0.0.1:${port}`, spawnedAt, stderr };
}

/** The stats upstream, tracing off, for the whole bench: after warm-up the API serves from its cache. */
export async function startUpstream(cpuList?: string): Promise<Started> {
  const port = await freePort();
  const env = { ...baseEnv(), OTEL_TRACES_ENABLED: 'false', OTEL_SERVICE_NAME: 'stats-upstream', STATS_PORT: String(port), LOG_LEVEL: 'warn' };
  const stderr: string[] = [];
  const spawnedAt = process.hrtime.bigint();
  const [command, args] = nodeCommand(['--require', BOOTSTRAP, path.join(DIST, 'service', 'stats-upstream.js')], cpuList);
  const child = spawn(command, args, {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const started = { child, url: `http://127.0.0.1:${port}`, spawnedAt, stderr };
  await waitFor200(started, { method: 'GET', path: '/healthz' });
  return started;
}

export interface Probe {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

/** One request, no keep-alive; resolves with the status and body, rejects on a connection error. */
export function send(url: string, probe: Probe, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${probe.path}`, {
      method: probe.method,
      agent: false,
      headers: probe.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(probe.body) },
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(probe.body);
  });
}

/**
 * Polls with `probe` every `intervalMs` until it answers 200; resolves with the
 * time since spawn (ms). Rejects when the process exits first or after `timeoutMs`.
 */
export async function waitFor200(started: Started, probe: Probe, intervalMs = 5, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new Error(`${started.url} exited (${started.child.exitCode ?? started.child.signalCode}): ${started.stderr.join('').trim()}`);
    }
    try {
      const { status, body } = await send(started.url, probe);
      if (status === 200) return Number(process.hrtime.bigint() - started.spawnedAt) / 1e6;
      if (status !== 404 && status !== 503) throw new Error(`${probe.method} ${probe.path} answered ${status}: ${body.slice(0, 300)}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET') throw error;
    }
    if (Date.now() > deadline) throw new Error(`${started.url} answered no 200 within ${timeoutMs} ms: ${started.stderr.join('').trim()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system, all threads) a process has used so far, from /proc/<pid>/stat, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // utime and stime are fields 14 and 15 of stat(5); the fields after the ")" of comm start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** Resident set size of a process (VmRSS from /proc/<pid>/status), in MiB. */
export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** SIGTERM (the service flushes its spans and exits); SIGKILL after `graceMs`. Resolves with the exit code. */
export function stop(started: Started | undefined, graceMs = 10_000): Promise<number | null> {
  const child = started?.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/**
 * The load generator, run as its own process so it never shares an event loop
 * with the service or the collector: a warm-up run, then the measured run,
 * both autocannon with the same connections cycling through the POST bodies.
 * Prints one JSON line (LoadResult) on stdout.
 *
 *   node --import tsx bench/service/load.ts '<LoadOptions as JSON>'
 */
import { PREDICTIONS_PATH, predictionBodies } from './bodies';

/** The part of autocannon's result this bench reads (autocannon ships no types; @types/autocannon is not installed). */
interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly average: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly duration: number;
}

interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly requests: readonly { readonly method: 'POST'; readonly path: string; readonly body: string }[];
}

const autocannon = require('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly mean: number; readonly max: number };
  /** Requests answered in the measured run. */
  readonly requests: number;
  /** Requests answered in the warm-up run. */
  readonly warmupRequests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationSeconds: number;
  /** CPU time (user + system) this load process used, start-up included; shows whether the load side was near a core's limit. */
  readonly cpuMs: number;
}

function run(options: LoadOptions, seconds: number): Promise<AutocannonResult> {
  const requests = predictionBodies().map((body) => ({ method: 'POST' as const, path: PREDICTIONS_PATH, body }));
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests,
  });
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '') as LoadOptions;
  const warmup = options.warmupSeconds > 0 ? await run(options, options.warmupSeconds) : undefined;
  const result = await run(options, options.durationSeconds);
  const out: LoadResult = {
    requestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
    requests: result.requests.total,
    warmupRequests: warmup?.requests.total ?? 0,
    non2xx: result.non2xx + (warmup?.non2xx ?? 0),
    errors: result.errors + (warmup?.errors ?? 0),
    timeouts: result.timeouts + (warmup?.timeouts ?? 0),
    durationSeconds: result.duration,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

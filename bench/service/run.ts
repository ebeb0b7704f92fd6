/**
 * Service throughput and latency: the compiled predictions API under autocannon
 * (its own process, loopback, fixed connections and duration, SQLite), in four
 * configurations — tracing off; spanwright at ratio 1.0 and 0.1 exporting OTLP
 * to the test collector; and auto-instrumentations-node registered the way its
 * docs/performance.md says, at 1.0, to the same collector. The stats upstream is its own
 * process; every run starts the API afresh on a copy of the same seeded
 * database, sends every body once (so the measured requests are stats-cache
 * hits), warms up, then measures. Rounds alternate the order (A B C D, D C B A,
 * …); ratios are taken within a round, reported as median and min–max.
 *
 *   npm run bench -- service
 *   BENCH_SERVICE_DURATION=3 BENCH_SERVICE_WARMUP=1 BENCH_SERVICE_ROUNDS=1 npx tsx bench/service/run.ts   # quick
 *
 * Variables: BENCH_SERVICE_DURATION (s, 10), BENCH_SERVICE_WARMUP (s, 3),
 * BENCH_SERVICE_CONNECTIONS (10), BENCH_SERVICE_ROUNDS (3),
 * BENCH_SERVICE_VARIANTS (comma list, default off,spanwright,spanwright-0.1,auto; the breakdown of
 * the cost: off,als-only,spanwright-0,spanwright-no-export,spanwright), BENCH_SERVICE_OUT (results
 * name, default service: bench/results/<name>.{json,md}),
 * BENCH_CPU_PROF_DIR (write a --cpu-prof of every API process there), BENCH_API_ENV
 * ("NAME=value NAME=value": extra variables for every API process, e.g. OTEL_SAMPLING_RATIO=0).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { startCollector, type Collector } from '../../test/support/collector';
import { machine, median, spread, table, writeResults } from '../lib/results';
import { meanPlayersPerRequest, PREDICTIONS_PATH, predictionBodies } from './bodies';
import type { LoadOptions, LoadResult } from './load';
import { assertBuilt, cpuMs, databaseDirectory, nodeCommand, pinning, pinSelf, send, startApi, startUpstream, stop, VARIANTS, waitFor200, Workspace, type Started, type VariantId } from './processes';

const TARGETS = [
  { id: 'spanwright', over: 'off', min: 0.75, text: 'spanwright 1.0 ≥ 0.75 × tracing off' },
  { id: 'spanwright-0.1', over: 'off', min: 0.92, text: 'spanwright 0.1 ≥ 0.92 × tracing off' },
  { id: 'spanwright', over: 'auto', min: 1.15, text: 'spanwright 1.0 ≥ 1.15 × auto-instrumentations-node 1.0' },
] as const;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number`);
  return value;
}

const settings = {
  durationSeconds: intEnv('BENCH_SERVICE_DURATION', 10),
  warmupSeconds: intEnv('BENCH_SERVICE_WARMUP', 3),
  connections: intEnv('BENCH_SERVICE_CONNECTIONS', 10),
  rounds: Math.max(1, intEnv('BENCH_SERVICE_ROUNDS', 3)),
  variants: (process.env.BENCH_SERVICE_VARIANTS || 'off,spanwright,spanwright-0.1,auto').split(',').map((id) => {
    if (!(id in VARIANTS)) throw new Error(`BENCH_SERVICE_VARIANTS: unknown variant "${id}"; known: ${Object.keys(VARIANTS).join(', ')}`);
    return id as VariantId;
  }),
  cpuProfDir: process.env.BENCH_CPU_PROF_DIR || undefined,
  out: (() => {
    const out = process.env.BENCH_SERVICE_OUT || 'service';
    if (!/^[a-z0-9][a-z0-9-]*$/.test(out)) throw new Error(`BENCH_SERVICE_OUT=${JSON.stringify(out)}: use lower-case letters, digits and dashes`);
    return out;
  })(),
};

const pins = pinning();

interface RunResult {
  readonly round: number;
  readonly variant: VariantId;
  readonly requestsPerSecond: number;
  readonly latencyMs: LoadResult['latencyMs'];
  readonly requests: number;
  /** Every request the API served in this run: priming + warm-up + measured. */
  readonly requestsServed: number;
  /** CPU time (user + system) of the API process per measured request, µs. */
  readonly apiCpuMicrosPerRequest: number;
  /** CPU time of this process (the collector, mostly) during the measured run, ms. */
  readonly collectorCpuMs: number;
  /** CPU time of the load process (autocannon) over the measured run, ms (its start-up included). */
  readonly loadCpuMs: number;
  /** Wall time of the measured window (the load process's whole life), ms. */
  readonly windowMs: number;
  readonly collector: { readonly spans: number; readonly traces: number; readonly requests: number };
  readonly stderr: string;
}

/** Runs the load child asynchronously: this process hosts the collector, whose event loop must keep turning. */
async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const [command, args] = nodeCommand(['--import', 'tsx', path.join(__dirname, 'load.ts'), JSON.stringify(options)], pins?.others);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the load process exited with ${code}`);
  const result = JSON.parse(out) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`load against ${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return result;
}

async function measure(
  round: number,
  variantId: VariantId,
  env: { workspace: Workspace; upstream: Started; collector: Collector },
): Promise<RunResult> {
  const variant = VARIANTS[variantId];
  env.collector.clear();
  const api = await startApi(variant, {
    databaseFile: env.workspace.freshDatabase(),
    statsApiUrl: env.upstream.url,
    otlpEndpoint: env.collector.httpEndpoint,
    extraNodeArgs: settings.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfDir] : [],
    cpuList: pins?.api,
  });
  try {
    await waitFor200(api, { method: 'GET', path: '/healthz' }, 20);
    // Prime: every body once, so the players' stats are cached before the load starts.
    const bodies = predictionBodies();
    for (const body of bodies) {
      const { status, body: answer } = await send(api.url, { method: 'POST', path: PREDICTIONS_PATH, body });
      if (status !== 200) throw new Error(`priming POST answered ${status}: ${answer.slice(0, 300)}`);
    }
    const load: LoadOptions = { url: api.url, connections: settings.connections, durationSeconds: settings.durationSeconds, warmupSeconds: 0 };
    const warmup = settings.warmupSeconds > 0 ? await runLoad({ ...load, durationSeconds: settings.warmupSeconds }) : undefined;
    const cpuBefore = cpuMs(api.child.pid!);
    const ownBefore = process.cpuUsage();
    const windowStart = process.hrtime.bigint();
    const result = await runLoad(load);
    const windowMs = Number(process.hrtime.bigint() - windowStart) / 1e6;
    const ownCpu = process.cpuUsage(ownBefore);
    const apiCpu = cpuMs(api.child.pid!) - cpuBefore;
    const code = await stop(api); // SIGTERM: the SDK flushes what it still holds before the process ends
    if (code !== 0) throw new Error(`${variantId}: the API exited with ${code}: ${api.stderr.join('').trim()}`);
    const stats = env.collector.stats();
    return {
      round,
      variant: variantId,
      requestsPerSecond: result.requestsPerSecond,
      latencyMs: result.latencyMs,
      requests: result.requests,
      requestsServed: bodies.length + (warmup?.requests ?? 0) + result.requests,
      apiCpuMicrosPerRequest: (apiCpu * 1000) / result.requests,
      collectorCpuMs: (ownCpu.user + ownCpu.system) / 1000,
      loadCpuMs: result.cpuMs,
      windowMs,
      collector: { spans: stats.spans, traces: stats.traces, requests: stats.requests },
      stderr: api.stderr.join('').trim(),
    };
  } finally {
    await stop(api);
  }
}

function summary(values: readonly number[], digits: number): { median: number; min: number; max: number; text: string } {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    text: `${median(values).toFixed(digits)} (${spread(values, digits)})`,
  };
}

async function main(): Promise<void> {
  assertBuilt();
  if (pins) pinSelf(pins.others);
  const startedAt = new Date();
  const loadBefore = loadavg();
  const workspace = await new Workspace().prepare();
  const collector = await startCollector();
  let upstream: Started | undefined;
  const runs: RunResult[] = [];
  try {
    upstream = await startUpstream(pins?.others);
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? settings.variants : [...settings.variants].reverse();
      for (const variant of order) {
        const run = await measure(round, variant, { workspace, upstream, collector });
        runs.push(run);
        process.stdout.write(
          `round ${round} ${variant.padEnd(15)} ${run.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${run.latencyMs.p50} ms  p99 ${run.latencyMs.p99} ms` +
            `  API CPU ${run.apiCpuMicrosPerRequest.toFixed(0)} µs/req  collector: ${run.collector.spans} spans, ${run.collector.traces} traces\n`,
        );
        if (VARIANTS[variant].exports && run.collector.spans === 0) {
          throw new Error(`${variant}: the collector received no span; this configuration exports nothing${run.stderr ? `\n${run.stderr}` : ''}`);
        }
      }
    }
  } finally {
    await stop(upstream);
    await collector.close();
    workspace.remove();
  }
  const loadAfter = loadavg();
  report(runs, { startedAt, finishedAt: new Date(), loadBefore, loadAfter });
}

function report(runs: readonly RunResult[], when: { startedAt: Date; finishedAt: Date; loadBefore: number[]; loadAfter: number[] }): void {
  const byVariant = (id: VariantId): RunResult[] => runs.filter((run) => run.variant === id);
  const inRound = (id: VariantId, round: number): RunResult | undefined => runs.find((run) => run.variant === id && run.round === round);
  const ratios = (id: VariantId, over: VariantId): number[] =>
    [...new Set(runs.map((run) => run.round))].flatMap((round) => {
      const a = inRound(id, round);
      const b = inRound(over, round);
      return a && b ? [a.requestsPerSecond / b.requestsPerSecond] : [];
    });
  /** The same ratio from CPU cost: `over`'s CPU per request ÷ `id`'s (what req/s would be if CPU alone limited both). */
  const cpuRatios = (id: VariantId, over: VariantId): number[] =>
    [...new Set(runs.map((run) => run.round))].flatMap((round) => {
      const a = inRound(id, round);
      const b = inRound(over, round);
      return a && b ? [b.apiCpuMicrosPerRequest / a.apiCpuMicrosPerRequest] : [];
    });

  const variants = settings.variants.map((id) => {
    const list = byVariant(id);
    const spansPerTrace = list.map((run) => (run.collector.traces > 0 ? run.collector.spans / run.collector.traces : 0));
    const tracedShare = list.map((run) => run.collector.traces / run.requestsServed);
    return {
      id,
      label: VARIANTS[id].label,
      requestsPerSecond: summary(list.map((run) => run.requestsPerSecond), 0),
      p50Ms: summary(list.map((run) => run.latencyMs.p50), 0),
      p99Ms: summary(list.map((run) => run.latencyMs.p99), 0),
      meanLatencyMs: summary(list.map((run) => run.latencyMs.mean), 2),
      apiCpuMicrosPerRequest: summary(list.map((run) => run.apiCpuMicrosPerRequest), 0),
      collectorCpuMs: summary(list.map((run) => run.collectorCpuMs), 0),
      /** Share of one core the API used during the measured run: near 1 means the API, not the load, set the pace. */
      apiCoreShare: summary(list.map((run) => (run.apiCpuMicrosPerRequest * run.requests) / 1000 / run.windowMs), 2),
      loadCoreShare: summary(list.map((run) => run.loadCpuMs / run.windowMs), 2),
      vsOff: settings.variants.includes('off') && id !== 'off' ? summary(ratios(id, 'off'), 3) : undefined,
      cpuVsOff: settings.variants.includes('off') && id !== 'off' ? summary(cpuRatios(id, 'off'), 3) : undefined,
      collector: {
        spans: list.map((run) => run.collector.spans),
        traces: list.map((run) => run.collector.traces),
        requestsServed: list.map((run) => run.requestsServed),
        spansPerTrace: summary(spansPerTrace, 1),
        tracedShare: summary(tracedShare, 3),
      },
    };
  });
  const targets = TARGETS.filter((t) => settings.variants.includes(t.id) && settings.variants.includes(t.over)).map((t) => {
    const values = ratios(t.id, t.over);
    const s = summary(values, 3);
    return { ...t, ratio: s, cpuRatio: summary(cpuRatios(t.id, t.over), 3), met: s.median >= t.min, metEveryRound: s.min >= t.min };
  });

  const m = machine();
  const json = {
    suite: 'service',
    machine: m,
    startedAt: when.startedAt.toISOString(),
    finishedAt: when.finishedAt.toISOString(),
    loadAverage: { before: when.loadBefore, after: when.loadAfter },
    settings: { ...settings, pinning: pins ?? null, bodies: predictionBodies().length, meanPlayersPerRequest: meanPlayersPerRequest(), database: `SQLite (better-sqlite3) in ${databaseDirectory()}, a fresh copy of one seeded file per run` },
    variants,
    targets,
    runs: runs.map(({ stderr, ...rest }) => ({ ...rest, stderr: stderr.slice(0, 2000) })),
  };

  const loads = (l: number[]): string => l.map((v) => v.toFixed(1)).join(' / ');
  const md = [
    settings.out === 'service' ? '# Service throughput and latency' : `# Service throughput and latency: ${settings.out}`,
    '',
    `Machine: node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB. Taken ${when.startedAt.toISOString().slice(0, 16).replace('T', ' ')}–${when.finishedAt.toISOString().slice(11, 16)} UTC;` +
      ` load average ${loads(when.loadBefore)} before, ${loads(when.loadAfter)} after (1 / 5 / 15 min).`,
    `Load: autocannon in its own process, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s measured, over loopback;` +
      ` POST ${PREDICTIONS_PATH} cycling ${predictionBodies().length} bodies (${meanPlayersPerRequest().toFixed(1)} players a request on average, all stats-cache hits after priming).`,
    `SQLite (${databaseDirectory()}), a fresh copy of one seeded file per run; stats upstream its own process; OTLP http/protobuf to the test collector (in the bench process).`,
    pins
      ? `Pinned with taskset: the API alone on CPU ${pins.api}; load, upstream and collector on CPU ${pins.others} (req/s is one core's worth).`
      : 'Not pinned to CPUs.',
    `${settings.rounds} rounds, order alternated (A B C D, D C B A, …); value = median (min–max) over rounds; ratios are taken within a round.`,
    '',
    table(
      ['configuration', 'req/s', 'p50 ms', 'p99 ms', 'req/s vs off', 'API CPU µs/req', 'CPU-based vs off', 'API / load core share', 'spans received (per run)', 'spans/trace', 'traced share'],
      variants.map((v) => [
        v.label,
        v.requestsPerSecond.text,
        v.p50Ms.text,
        v.p99Ms.text,
        v.vsOff?.text ?? (v.id === 'off' ? '1' : '—'),
        v.apiCpuMicrosPerRequest.text,
        v.cpuVsOff?.text ?? (v.id === 'off' ? '1' : '—'),
        `${v.apiCoreShare.median.toFixed(2)} / ${v.loadCoreShare.median.toFixed(2)}`,
        v.collector.spans.join(', '),
        VARIANTS[v.id].exports ? v.collector.spansPerTrace.text : '—',
        VARIANTS[v.id].exports ? v.collector.tracedShare.text : '—',
      ]),
    ),
    '',
    table(
      ['target', 'req/s ratio: median (min–max)', '', 'CPU-based ratio'],
      targets.map((t) => [t.text, t.ratio.text, t.met ? (t.metEveryRound ? 'met' : 'met (median; not every round)') : 'MISSED', t.cpuRatio.text]),
    ),
    '',
    '`API CPU µs/req` is the API process\'s user + system CPU time over the measured run divided by the requests served;' +
      ' it moves less than req/s when other work shares the machine; `CPU-based vs off` = off\'s CPU per request ÷ this one\'s, per round. `API / load core share` = CPU time of the API process and of the autocannon process over the wall time of the load process\'s life (its start-up included, when the API idles; near 1 for the API: the API set the pace). `traced share` = traces received / requests served (priming + warm-up + measured).',
    '',
    settings.out === 'service'
      ? 'Rerun: `npm run build && npm run bench -- service` (quick: `BENCH_SERVICE_DURATION=3 BENCH_SERVICE_WARMUP=1 BENCH_SERVICE_ROUNDS=1`).'
      : `Rerun: \`npm run build && BENCH_SERVICE_OUT=${settings.out} BENCH_SERVICE_VARIANTS=${settings.variants.join(',')} npm run bench -- service\`.`,
  ].join('\n');
  writeResults(settings.out, json, md);
  process.stdout.write(`\n${md}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench service: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

/**
 * Start-up: time from spawn to the first request served, and the RSS then, for
 * the predictions API with tracing off, with spanwright (ratio 1.0, OTLP to the
 * test collector) and with auto-instrumentations-node registered (1.0, same
 * collector); plain node with no preload as a reference. Each start polls
 * GET /healthz every few ms until it answers 200 ("ready"), then sends one
 * POST (cache miss: the upstream is called, the row stored) and reads VmRSS
 * from /proc/<pid>/status. Rounds alternate the order; medians and min–max.
 *
 *   npm run bench -- startup
 *   BENCH_STARTUP_ROUNDS=3 npx tsx bench/startup/run.ts   # quick
 *
 * Variables: BENCH_STARTUP_ROUNDS (10), BENCH_STARTUP_VARIANTS (none,off,spanwright,spanwright-no-esm-hook,auto).
 * `spanwright-no-esm-hook` (SPANWRIGHT_ESM_HOOK=false) shows what the import-in-the-middle
 * loader thread costs a CommonJS service; it has no target.
 */
import { loadavg } from 'node:os';
import { startCollector } from '../../test/support/collector';
import { machine, median, table, writeResults } from '../lib/results';
import { PREDICTIONS_PATH, predictionBodies } from '../service/bodies';
import {
  assertBuilt,
  cpuMs,
  rssMiB,
  startApi,
  startUpstream,
  stop,
  VARIANTS,
  waitFor200,
  Workspace,
  type Started,
  type VariantId,
} from '../service/processes';

const TARGETS = { maxAddedMs: 150, maxAddedMiB: 25 };

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number ≥ 1`);
  return value;
}

const settings = {
  rounds: intEnv('BENCH_STARTUP_ROUNDS', 10),
  variants: (process.env.BENCH_STARTUP_VARIANTS || 'none,off,spanwright,spanwright-no-esm-hook,auto').split(',').map((id) => {
    if (!(id in VARIANTS) || id === 'spanwright-0.1') throw new Error(`BENCH_STARTUP_VARIANTS: unknown variant "${id}"`);
    return id as VariantId;
  }),
};

interface StartResult {
  readonly round: number;
  readonly variant: VariantId;
  /** Spawn → first 200 from GET /healthz. */
  readonly readyMs: number;
  /** Spawn → first POST answered 200 (sent right after ready). */
  readonly firstPostMs: number;
  /** VmRSS right after the first POST. */
  readonly rssMiB: number;
  /** CPU time (user + system, all threads) the process used up to then; moves less than wall time on a busy machine. */
  readonly cpuMs: number;
  /** Spans the collector received from this start (after its SIGTERM flush). */
  readonly spans: number;
}

async function main(): Promise<void> {
  assertBuilt();
  const startedAt = new Date();
  const loadBefore = loadavg();
  const workspace = await new Workspace().prepare();
  const collector = await startCollector();
  const body = predictionBodies()[2]!; // three players
  let upstream: Started | undefined;
  const results: StartResult[] = [];
  try {
    upstream = await startUpstream();
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? settings.variants : [...settings.variants].reverse();
      for (const id of order) {
        collector.clear();
        const api = await startApi(VARIANTS[id], {
          databaseFile: workspace.freshDatabase(),
          statsApiUrl: upstream.url,
          otlpEndpoint: collector.httpEndpoint,
        });
        try {
          const readyMs = await waitFor200(api, { method: 'GET', path: '/healthz' }, 5);
          const firstPostMs = await waitFor200(api, { method: 'POST', path: PREDICTIONS_PATH, body }, 5);
          const rss = rssMiB(api.child.pid!);
          const cpu = cpuMs(api.child.pid!);
          const code = await stop(api);
          if (code !== 0) throw new Error(`${id}: the API exited with ${code}: ${api.stderr.join('').trim()}`);
          const spans = collector.stats().spans;
          if (VARIANTS[id].exports && spans === 0) throw new Error(`${id}: the collector received no span from the first POST`);
          results.push({ round, variant: id, readyMs, firstPostMs, rssMiB: rss, cpuMs: cpu, spans });
          process.stdout.write(
            `round ${round} ${id.padEnd(22)} ready ${readyMs.toFixed(0).padStart(5)} ms  first POST ${firstPostMs.toFixed(0).padStart(5)} ms  CPU ${cpu.toFixed(0).padStart(5)} ms  RSS ${rss.toFixed(1)} MiB  spans ${spans}\n`,
          );
        } finally {
          await stop(api);
        }
      }
    }
  } finally {
    await stop(upstream);
    await collector.close();
    workspace.remove();
  }
  report(results, { startedAt, finishedAt: new Date(), loadBefore, loadAfter: loadavg() });
}

function stats(values: readonly number[], digits: number): { median: number; min: number; max: number; text: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const m = median(sorted);
  return {
    median: m,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    text: `${m.toFixed(digits)} (${sorted[0]!.toFixed(digits)}–${sorted[sorted.length - 1]!.toFixed(digits)})`,
  };
}

function report(results: readonly StartResult[], when: { startedAt: Date; finishedAt: Date; loadBefore: number[]; loadAfter: number[] }): void {
  const of = (id: VariantId): StartResult[] => results.filter((r) => r.variant === id);
  const inRound = (id: VariantId, round: number): StartResult | undefined => results.find((r) => r.variant === id && r.round === round);
  /** Per-round difference `id − over` of a measure. */
  const added = (id: VariantId, over: VariantId, pick: (r: StartResult) => number): number[] =>
    [...new Set(results.map((r) => r.round))].flatMap((round) => {
      const a = inRound(id, round);
      const b = inRound(over, round);
      return a && b ? [pick(a) - pick(b)] : [];
    });
  const has = (id: VariantId): boolean => settings.variants.includes(id);

  const variants = settings.variants.map((id) => ({
    id,
    label: VARIANTS[id].label,
    readyMs: stats(of(id).map((r) => r.readyMs), 0),
    firstPostMs: stats(of(id).map((r) => r.firstPostMs), 0),
    rssMiB: stats(of(id).map((r) => r.rssMiB), 1),
    cpuMs: stats(of(id).map((r) => r.cpuMs), 0),
    spans: of(id).map((r) => r.spans),
    overOff: has('off') && id !== 'off' && id !== 'none'
      ? {
          readyMs: stats(added(id, 'off', (r) => r.readyMs), 0),
          firstPostMs: stats(added(id, 'off', (r) => r.firstPostMs), 0),
          rssMiB: stats(added(id, 'off', (r) => r.rssMiB), 1),
          cpuMs: stats(added(id, 'off', (r) => r.cpuMs), 0),
        }
      : undefined,
  }));
  const spanwright = variants.find((v) => v.id === 'spanwright');
  const auto = variants.find((v) => v.id === 'auto');
  const targets =
    spanwright?.overOff === undefined
      ? []
      : [
          { text: `spanwright adds ≤ ${TARGETS.maxAddedMs} ms to ready`, measured: `${spanwright.overOff.readyMs.text} ms`, met: spanwright.overOff.readyMs.median <= TARGETS.maxAddedMs },
          { text: `spanwright adds ≤ ${TARGETS.maxAddedMs} ms to the first POST`, measured: `${spanwright.overOff.firstPostMs.text} ms`, met: spanwright.overOff.firstPostMs.median <= TARGETS.maxAddedMs },
          { text: `spanwright adds ≤ ${TARGETS.maxAddedMiB} MiB RSS`, measured: `${spanwright.overOff.rssMiB.text} MiB`, met: spanwright.overOff.rssMiB.median <= TARGETS.maxAddedMiB },
          // spanwright-no-esm-hook is informational: what the ESM loader thread costs.
          ...(auto?.overOff === undefined
            ? []
            : [
                { text: 'spanwright adds less time to ready than auto-instrumentations-node', measured: `${spanwright.overOff.readyMs.median.toFixed(0)} vs ${auto.overOff.readyMs.median.toFixed(0)} ms`, met: spanwright.overOff.readyMs.median < auto.overOff.readyMs.median },
                { text: 'spanwright adds less RSS than auto-instrumentations-node', measured: `${spanwright.overOff.rssMiB.median.toFixed(1)} vs ${auto.overOff.rssMiB.median.toFixed(1)} MiB`, met: spanwright.overOff.rssMiB.median < auto.overOff.rssMiB.median },
              ]),
        ];

  const m = machine();
  writeResults(
    'startup',
    {
      suite: 'startup',
      machine: m,
      startedAt: when.startedAt.toISOString(),
      finishedAt: when.finishedAt.toISOString(),
      loadAverage: { before: when.loadBefore, after: when.loadAfter },
      settings,
      variants,
      targets,
      runs: results,
    },
    [
      '# Start-up time and memory',
      '',
      `Machine: node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB. Taken ${when.startedAt.toISOString().slice(0, 16).replace('T', ' ')}–${when.finishedAt.toISOString().slice(11, 16)} UTC;` +
        ` load average ${when.loadBefore.map((v) => v.toFixed(1)).join(' / ')} before, ${when.loadAfter.map((v) => v.toFixed(1)).join(' / ')} after (1 / 5 / 15 min).`,
      '`ready` = spawn of `node <preload> dist/service/main.js` → first 200 from GET /healthz (polled every 5 ms; includes the idempotent migration check on a copy of one seeded SQLite file);',
      '`first POST` = spawn → the first POST /api/v1/nba/predictions (3 players, stats fetched from the upstream process) answered 200; CPU = the process\'s user + system time up to then (all threads; it moves less than wall time when the machine is shared); RSS = VmRSS right after it.',
      `${settings.rounds} rounds, order alternated; median (min–max). "added" = per-round difference to tracing off.`,
      '',
      table(
        ['configuration', 'ready ms', 'first POST ms', 'CPU ms', 'RSS MiB', 'added ready ms', 'added first POST ms', 'added CPU ms', 'added RSS MiB'],
        variants.map((v) => [
          v.label,
          v.readyMs.text,
          v.firstPostMs.text,
          v.cpuMs.text,
          v.rssMiB.text,
          v.overOff?.readyMs.text ?? '—',
          v.overOff?.firstPostMs.text ?? '—',
          v.overOff?.cpuMs.text ?? '—',
          v.overOff?.rssMiB.text ?? '—',
        ]),
      ),
      '',
      table(['target', 'measured', ''], targets.map((t) => [t.text, t.measured, t.met ? 'met' : 'MISSED'])),
      '',
      'Rerun: `npm run build && npm run bench -- startup` (quick: `BENCH_STARTUP_ROUNDS=3`).',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench startup: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

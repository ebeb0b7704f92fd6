/**
 * Helper overhead: a generated helper (`spans.calculatePrediction`) against the
 * same span written by hand with `@opentelemetry/api` `startActiveSpan`, and
 * against the plain function, in three modes: tracing off, sampled out, and
 * sampled in (a provider whose exporter drops). Each mode runs in its own
 * process so one mode's JIT state cannot colour another's; inside a process the
 * three variants alternate order every round (A B C, C B A, …), and the ratio is
 * taken per round, then the median and spread over rounds are reported.
 *
 *   npx tsx bench/helpers/run.ts            # all modes, writes bench/results/helpers.{json,md}
 */
import { execFileSync } from 'node:child_process';
import { machine, median, table, writeResults } from '../lib/results';

export type Mode = 'off' | 'sampled-out' | 'sampled-in';
export const modes: readonly Mode[] = ['off', 'sampled-out', 'sampled-in'];
export const variants = ['plain', 'hand-written', 'generated'] as const;
export type Variant = (typeof variants)[number];

/** What one mode's child process reports: ns per call of each variant, per round. */
export interface ModeResult {
  mode: Mode;
  rounds: Record<Variant, number[]>;
}

/** Targets from the issue: generated vs hand-written, and tracing off vs plain. */
const targets = { generatedVsHand: 1.05, offVsPlain: 1.1 };

function runMode(mode: Mode): ModeResult {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', require.resolve('./mode'), mode],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(out) as ModeResult;
}

function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]!);
}

function spread(values: readonly number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  return `${sorted[0]!.toFixed(3)}–${sorted[sorted.length - 1]!.toFixed(3)}`;
}

function main(): void {
  const results = modes.map(runMode);
  const rows: (string | number)[][] = [];
  const summary: Record<string, unknown>[] = [];
  for (const { mode, rounds } of results) {
    const genVsHand = ratios(rounds.generated, rounds['hand-written']);
    const genVsPlain = ratios(rounds.generated, rounds.plain);
    const target = mode === 'off' ? targets.offVsPlain : targets.generatedVsHand;
    const measured = mode === 'off' ? median(genVsPlain) : median(genVsHand);
    summary.push({
      mode,
      nsPerCall: Object.fromEntries(variants.map((v) => [v, median(rounds[v])])),
      generatedVsHandWritten: { median: median(genVsHand), spread: spread(genVsHand) },
      generatedVsPlain: { median: median(genVsPlain), spread: spread(genVsPlain) },
      target: { compared: mode === 'off' ? 'generated/plain' : 'generated/hand-written', max: target, met: measured <= target },
      rounds,
    });
    rows.push([
      mode,
      median(rounds.plain).toFixed(1),
      median(rounds['hand-written']).toFixed(1),
      median(rounds.generated).toFixed(1),
      `${median(genVsHand).toFixed(3)} (${spread(genVsHand)})`,
      `${median(genVsPlain).toFixed(3)} (${spread(genVsPlain)})`,
      `${mode === 'off' ? 'gen/plain' : 'gen/hand'} ≤ ${target}: ${measured <= target ? 'met' : 'MISSED'}`,
    ]);
  }
  const md = [
    '# Helper overhead',
    '',
    `Machine: ${Object.entries(machine()).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    'ns per call, median over alternating rounds (spread = min–max of per-round ratios).',
    'The function body is a small prediction (a weighted sum over 32 numbers) and every traced variant adds one event.',
    '',
    table(['mode', 'plain ns', 'hand-written ns', 'generated ns', 'generated / hand-written', 'generated / plain', 'target'], rows),
    '',
  ].join('\n');
  writeResults('helpers', { machine: machine(), targets, modes: summary }, md);
  process.stdout.write(md);
}

if (require.main === module) main();

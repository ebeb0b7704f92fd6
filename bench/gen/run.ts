/**
 * Generator benchmark: manifests of 10, 100, 1000 and 5000 spans (3 attributes
 * and 1 event each). Measures the wall time of `spanwright gen` (a fresh node
 * process, as `npm run gen` runs it), the in-process generate() time, and the
 * `tsc --noEmit` time of the output. Writes bench/results/gen.json and gen.md.
 *
 *   npm run build && npx tsx bench/gen/run.ts [--sizes 10,100] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '../../generator';
import { syntheticManifest } from './manifest';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'spanwright.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const RESULTS = join(ROOT, 'bench', 'results');
const CPU_REPORT = join(__dirname, 'cpu-report.js');

interface SizeResult {
  spans: number;
  manifestBytes: number;
  outputBytes: number;
  /** Median wall time of `node bin/spanwright.js gen`, ms. */
  genWallMs: number;
  /** Median CPU time (user + system) of that process, ms. */
  genCpuMs: number;
  /** Median in-process generate() time (load → validate → model → emit), ms. */
  generateMs: number;
  /** Median wall time of `tsc --noEmit` over the generated files, ms. */
  tscMs: number;
  /** Median CPU time (user + system) of that tsc process, ms. */
  tscCpuMs: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs `node <args>` in `cwd`; returns its wall and CPU time in ms. */
function runNode(args: string[], cwd: string): { wall: number; cpu: number } {
  const cpuFile = join(cwd, '.cpu-ms');
  let result: ReturnType<typeof spawnSync> | undefined;
  const wall = timeMs(() => {
    result = spawnSync(process.execPath, ['--require', CPU_REPORT, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, SPANWRIGHT_BENCH_CPU_FILE: cpuFile },
    });
  });
  if (result!.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result!.status}):\n${String(result!.stdout)}${String(result!.stderr)}`);
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

/** A throwaway project that installs spanwright (a symlink to this checkout), as a user's would. */
function project(spans: number): string {
  const dir = mkdtempSync(join(tmpdir(), `spanwright-bench-${spans}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `bench-gen-${spans}`, private: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'spanwright'), 'dir');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, noEmit: true, types: [] },
      include: ['generated'],
    }),
  );
  writeFileSync(join(dir, 'tracing.yaml'), syntheticManifest(spans));
  return dir;
}

function measure(spans: number, runs: number): SizeResult {
  const dir = project(spans);
  try {
    const text = syntheticManifest(spans);
    const gen: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) {
      rmSync(join(dir, 'generated'), { recursive: true, force: true });
      gen.push(runNode([BIN, 'gen'], dir));
    }
    const inProcess: number[] = [];
    let outputBytes = 0;
    for (let i = 0; i < runs; i++) {
      inProcess.push(
        timeMs(() => {
          const files = generate(text);
          outputBytes = [...files.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
        }),
      );
    }
    const tsc: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < runs; i++) tsc.push(runNode([TSC, '-p', 'tsconfig.json'], dir));
    return {
      spans,
      manifestBytes: Buffer.byteLength(text),
      outputBytes,
      genWallMs: Math.round(median(gen.map((r) => r.wall))),
      genCpuMs: median(gen.map((r) => r.cpu)),
      generateMs: Math.round(median(inProcess)),
      tscMs: Math.round(median(tsc.map((r) => r.wall))),
      tscCpuMs: median(tsc.map((r) => r.cpu)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function targets(results: SizeResult[]): { target: string; value: string; met: boolean }[] {
  const at = (n: number): SizeResult | undefined => results.find((r) => r.spans === n);
  const out: { target: string; value: string; met: boolean }[] = [];
  const r1000 = at(1000);
  const r5000 = at(5000);
  if (r1000 !== undefined) {
    out.push({ target: 'gen, 1000 spans < 2000 ms wall', value: `${r1000.genWallMs} ms (CPU ${r1000.genCpuMs} ms)`, met: r1000.genWallMs < 2000 });
    out.push({ target: 'tsc --noEmit, 1000-span output < 5000 ms', value: `${r1000.tscMs} ms (CPU ${r1000.tscCpuMs} ms)`, met: r1000.tscMs < 5000 });
  }
  if (r1000 !== undefined && r5000 !== undefined) {
    const ratio = r5000.genWallMs / r1000.genWallMs;
    out.push({ target: 'gen, 5000 spans < 6 × the 1000-span time', value: `${ratio.toFixed(2)} ×`, met: ratio < 6 });
  }
  return out;
}

function markdown(results: SizeResult[], meta: Record<string, string>): string {
  const rows = results.map(
    (r) =>
      `| ${r.spans} | ${(r.manifestBytes / 1024).toFixed(0)} KiB | ${(r.outputBytes / 1024).toFixed(0)} KiB | ${r.genWallMs} | ${r.genCpuMs} | ${r.generateMs} | ${r.tscMs} | ${r.tscCpuMs} |`,
  );
  const goals = targets(results).map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'met' : '**missed**'} |`);
  return [
    '# bench/gen: generator speed',
    '',
    `Synthetic manifests: N spans, 3 attributes (one a \`ref:\`) and 1 event with 1 attribute each. Median of ${meta.runs} runs.`,
    `\`gen wall\` is a fresh \`node bin/spanwright.js gen\` process (startup included); \`generate()\` is the pure pipeline in process;`,
    `\`tsc\` is \`tsc --noEmit\` (strict, skipLibCheck) over the three generated files. CPU = user + system time of`,
    `the process (it moves little when other work shares the machine; wall time does). ${meta.machine}; load average ${meta.load}.`,
    '',
    '| spans | manifest | output | gen wall (ms) | gen CPU (ms) | generate() (ms) | tsc --noEmit wall (ms) | tsc CPU (ms) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '| target | measured | |',
    '|---|---:|---|',
    ...goals,
    '',
    `Regenerate: \`npm run build && npx tsx bench/gen/run.ts\`.`,
    '',
  ].join('\n');
}

function main(): void {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, runs: { type: 'string' } } });
  const sizes = (values.sizes ?? '10,100,1000,5000').split(',').map(Number);
  const runs = Number(values.runs ?? '3');
  if (!existsSync(join(ROOT, 'dist', 'generator', 'cli', 'main.js'))) {
    process.stderr.write('bench/gen: dist/generator/cli/main.js is missing; run npm run build first\n');
    process.exitCode = 2;
    return;
  }
  const loadStart = loadavg().map((l) => l.toFixed(1)).join(' / ');
  const results: SizeResult[] = [];
  for (const spans of sizes) {
    const result = measure(spans, runs);
    results.push(result);
    process.stdout.write(
      `${spans} spans: gen ${result.genWallMs} ms wall (${result.genCpuMs} ms CPU), generate() ${result.generateMs} ms, tsc ${result.tscMs} ms wall (${result.tscCpuMs} ms CPU)\n`,
    );
  }
  const meta = {
    runs: String(runs),
    machine: `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    load: `${loadStart} at start, ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (1 / 5 / 15 min)`,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'gen.json'), `${JSON.stringify({ ...meta, results, targets: targets(results) }, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'gen.md'), markdown(results, meta));
  process.stdout.write(`wrote bench/results/gen.json and bench/results/gen.md\n`);
  for (const t of targets(results)) process.stdout.write(`${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.value}\n`);
}

main();

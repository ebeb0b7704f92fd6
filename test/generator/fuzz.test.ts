/**
 * Fuzz: gen on thousands of mutated manifests (test/generator/fuzz-cases.ts), in process
 * through the CLI's main(). Every case must end in exit 0 or 2, with no stack trace, no
 * internal error and no Node warning; on 2 nothing is written and every `line:col` lies
 * inside the file, and every stderr line is an error line, its code frame or the summary
 * (so no manifest forges a line of its own); each case takes under 10 s of CPU time (CPU,
 * not wall: on a shared machine a 0.5 s case was seen to take 30 s of wall time). A sample
 * of the exit-0 outputs is type-checked in one tsc program.
 *
 * `npm test` runs 2,000 cases; `FUZZ_CASES=50000 npm run fuzz` a longer run, and
 * `FUZZ_SEED=<n>` another seed (docs/manifest.md, "Fuzzing").
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzCase, seedManifests, type FuzzCase } from './fuzz-cases';
import { runCli, tempDir } from './support';
import { generateForTypecheck, typecheck } from './typecheck';

const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 16);
const CASE_LIMIT_MS = 10_000;
/** Exit-0 outputs type-checked together; distinct ones, spread over the run. */
const SAMPLE = 8;

interface Outcome {
  readonly code: number;
  /** Wall time of the case. */
  readonly ms: number;
  /** CPU time of the case (user + system): what the bound is on, as a shared machine stretches wall time. */
  readonly cpuMs: number;
  readonly problems: string[];
}

const FRAME_LINE = /^(?:[ >] {1,2}\d+ \| .*| +\| *\^)$/;
const SUMMARY = /^\d+ errors? in .+; nothing written$/;
const MORE = /^… and \d+ more errors?$/;

/** The manifest's lines as an editor shows them: LF, CRLF and a lone CR each end a line. */
const linesOf = (text: string): string[] => text.split(/\r\n|\n|\r/);

async function runCase(dir: string, c: FuzzCase): Promise<Outcome> {
  const file = join(dir, 'tracing.yaml');
  const out = join(dir, `generated-${c.index}`);
  // Binary cases are written byte for byte (invalid UTF-8 included); the rest as UTF-8.
  writeFileSync(file, c.text, c.mutations.includes('binary') ? 'latin1' : 'utf8');
  const read = readFileSync(file, 'utf8');
  const problems: string[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let run;
  try {
    run = await runCli(['gen', '--manifest', file, '--out', out]);
  } catch (error) {
    run = { code: 70, stdout: '', stderr: `internal error: ${(error as Error).stack ?? String(error)}` };
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  if (warnings.length > 0) problems.push(`Node warning: ${warnings[0]}`);
  if (run.code !== 0 && run.code !== 2) problems.push(`exit ${run.code}: ${run.stderr.slice(0, 300)}`);
  if (/\n\s+at /.test(`\n${run.stderr}`) || run.stderr.includes('internal error')) problems.push(`stack trace or internal error: ${run.stderr.slice(0, 300)}`);
  if (cpuMs > CASE_LIMIT_MS) problems.push(`took ${Math.round(cpuMs)} ms of CPU (${Math.round(ms)} ms wall)`);
  if (run.code === 2) {
    if (existsSync(out)) problems.push('exit 2 but the output directory was written');
    if (run.stdout !== '') problems.push(`exit 2 with stdout: ${run.stdout.slice(0, 200)}`);
    const lines = linesOf(read);
    const printed = run.stderr.split('\n');
    if (printed.pop() !== '') problems.push('stderr does not end in a newline');
    let errors = 0;
    for (const line of printed) {
      if (line.startsWith(`${file}:`)) {
        errors++;
        const m = /^:(\d+):(\d+): error: ./.exec(line.slice(file.length));
        if (m === null) {
          problems.push(`malformed error line: ${line.slice(0, 200)}`);
          continue;
        }
        const [l, col] = [Number(m[1]), Number(m[2])];
        if (l < 1 || l > lines.length || col < 1 || col > lines[l - 1]!.length + 1) problems.push(`${l}:${col} is outside the file (${lines.length} lines; that line has ${lines[l - 1]?.length ?? 0} characters)`);
      } else if (!FRAME_LINE.test(line) && !SUMMARY.test(line) && !MORE.test(line) && !line.startsWith('spanwright: cannot read manifest ')) {
        problems.push(`unexpected stderr line: ${JSON.stringify(line.slice(0, 200))}`);
      }
    }
    if (errors === 0 && !run.stderr.startsWith('spanwright: cannot read manifest ')) problems.push('exit 2 without an error line');
  }
  if (run.code === 0) {
    if (run.stderr !== '') problems.push(`exit 0 with stderr: ${run.stderr.slice(0, 200)}`);
    if (!existsSync(join(out, 'spans.ts'))) problems.push('exit 0 but no spans.ts');
  }
  rmSync(out, { recursive: true, force: true });
  return { code: run.code, ms, cpuMs, problems };
}

describe(`fuzz: gen on ${CASES} mutated manifests (seed ${SEED})`, function () {
  this.timeout(Math.max(120_000, CASES * 200));
  const valid: FuzzCase[] = [];

  it('exits 0 or 2 only, without stack trace or warning; on 2 writes nothing and every position lies inside the file; each case under 10 s', async () => {
    const seeds = seedManifests();
    const { dir, cleanup } = tempDir('spanwright-fuzz-');
    const counts: Record<number, number> = {};
    const failures: string[] = [];
    let longest = { ms: 0, cpuMs: 0, index: -1, mutations: [] as readonly string[] };
    const outputs = new Set<string>();
    try {
      for (let i = 0; i < CASES; i++) {
        const c = fuzzCase(seeds, SEED, i);
        const outcome = await runCase(dir, c);
        counts[outcome.code] = (counts[outcome.code] ?? 0) + 1;
        if (outcome.cpuMs > longest.cpuMs) longest = { ms: outcome.ms, cpuMs: outcome.cpuMs, index: i, mutations: c.mutations };
        if (outcome.problems.length > 0 && failures.length < 20) failures.push(`case ${i} (${c.mutations.join(', ')}): ${outcome.problems.join('; ')}`);
        // The first new exit-0 text in each SAMPLE-th of the run.
        if (outcome.code === 0 && !outputs.has(c.text) && valid.length < SAMPLE && i >= valid.length * Math.floor(CASES / SAMPLE)) {
          outputs.add(c.text);
          valid.push(c);
        }
      }
    } finally {
      cleanup();
    }
    const summary = Object.entries(counts).map(([code, n]) => `exit ${code}: ${n}`).join(', ');
    console.log(`      fuzz seed ${SEED}: ${summary}; longest case ${longest.index} (${longest.mutations.join(', ')}) ${Math.round(longest.cpuMs)} ms CPU, ${Math.round(longest.ms)} ms wall`);
    expect(failures).to.deep.equal([]);
    expect(Object.keys(counts).sort()).to.include.members(['0', '2']);
  });

  it(`a sample of the exit-0 outputs type-checks (strict, one tsc program)`, () => {
    expect(valid.length, 'exit-0 cases sampled').to.be.at.least(Math.min(SAMPLE, 3));
    const errors = typecheck(valid.map((c) => generateForTypecheck(c.text)));
    expect(Object.fromEntries(valid.map((c, i) => [`case ${c.index} (${c.mutations.join(', ')})`, errors[i]]))).to.deep.equal(
      Object.fromEntries(valid.map((c) => [`case ${c.index} (${c.mutations.join(', ')})`, []])),
    );
  });
});

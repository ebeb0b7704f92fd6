/**
 * The installed CLI, spawned as users and npm scripts run it:
 * `node bin/spanwright.js …` (needs `npm run build`; `npm test` builds first).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manifest, tempDir } from '../support';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'spanwright.js');
const USAGE_LINE = 'usage: spanwright gen [--manifest <file>] [--out <dir>] [--check] | spanwright --help | spanwright --version';

function spanwright(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const VALID = manifest('  calculate_prediction:\n    attributes:\n      player_count: { type: int, required: true }\n');

describe('spanwright CLI (bin/spanwright.js)', function () {
  this.timeout(60000);
  let dir: string;
  let cleanup: () => void;

  before(() => {
    expect(existsSync(join(ROOT, 'dist', 'generator', 'cli', 'main.js')), 'dist/generator/cli/main.js (run npm run build)').to.equal(true);
  });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('spanwright-cli-'));
    writeFileSync(join(dir, 'tracing.yaml'), VALID);
  });
  afterEach(() => cleanup());

  const out = (name = ''): string => join(dir, 'generated', name);

  it('gen with the defaults writes generated/{bootstrap,manifest,spans}.ts and exits 0', () => {
    const run = spanwright(['gen'], dir);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(
      'spanwright: wrote generated/TRACING.md\nspanwright: wrote generated/bootstrap.ts\nspanwright: wrote generated/manifest.ts\nspanwright: wrote generated/spans.ts\n',
    );
    expect(readdirSync(out()).sort()).to.deep.equal(['TRACING.md', 'bootstrap.ts', 'manifest.ts', 'spans.ts']);
    // Outside the spanwright package, generated code imports the installed runtime.
    expect(readFileSync(out('spans.ts'), 'utf8')).to.include("from '@spanwright/runtime/generated';");
    expect(readFileSync(out('spans.ts'), 'utf8')).to.include('calculatePrediction<R>(attributes: CalculatePredictionAttributes');
  });

  it('a second gen on an unchanged manifest rewrites nothing: mtimes are kept', () => {
    expect(spanwright(['gen'], dir).code).to.equal(0);
    const past = new Date('2020-01-01T00:00:00Z');
    for (const f of readdirSync(out())) utimesSync(out(f), past, past);
    const run = spanwright(['gen'], dir);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('spanwright: generated is up to date with tracing.yaml\n');
    for (const f of readdirSync(out())) expect(statSync(out(f)).mtime.getTime(), f).to.equal(past.getTime());
  });

  it('rewrites only the files that change, and leaves no temporary file behind', () => {
    expect(spanwright(['gen'], dir).code).to.equal(0);
    writeFileSync(join(dir, 'tracing.yaml'), VALID.replace('required: true', 'required: false'));
    const run = spanwright(['gen'], dir);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('spanwright: wrote generated/TRACING.md\nspanwright: wrote generated/manifest.ts\nspanwright: wrote generated/spans.ts\n');
    expect(readdirSync(out()).sort()).to.deep.equal(['TRACING.md', 'bootstrap.ts', 'manifest.ts', 'spans.ts']);
  });

  it('--check exits 0 when generated/ is up to date', () => {
    expect(spanwright(['gen'], dir).code).to.equal(0);
    const run = spanwright(['gen', '--check'], dir);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal('spanwright: generated is up to date with tracing.yaml\n');
  });

  it('--check exits 1 on drift, lists the stale files, says how to fix it, and writes nothing', () => {
    expect(spanwright(['gen'], dir).code).to.equal(0);
    const before = readFileSync(out('spans.ts'), 'utf8');
    writeFileSync(join(dir, 'tracing.yaml'), VALID.replace('player_count', 'players'));
    const run = spanwright(['gen', '--check'], dir);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal(
      'spanwright: generated files differ from tracing.yaml:\n  generated/TRACING.md\n  generated/manifest.ts\n  generated/spans.ts\nrun npx spanwright gen\n',
    );
    expect(readFileSync(out('spans.ts'), 'utf8')).to.equal(before);
  });

  it('--check exits 1 when nothing was generated yet', () => {
    const run = spanwright(['gen', '--check'], dir);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('  generated/spans.ts\n');
    expect(existsSync(out())).to.equal(false);
  });

  it('--manifest and --out choose the files', () => {
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'traces.yaml'), VALID);
    const run = spanwright(['gen', '--manifest', 'config/traces.yaml', '--out', 'src/tracing'], dir);
    expect(run.code).to.equal(0);
    const spans = readFileSync(join(dir, 'src', 'tracing', 'spans.ts'), 'utf8');
    expect(spans.split('\n').slice(0, 2)).to.deep.equal([
      '// Code generated by spanwright from ../config/traces.yaml. DO NOT EDIT.',
      '// Regenerate with: npx spanwright gen --manifest config/traces.yaml --out src/tracing',
    ]);
  });

  it('the header names the defaults as plain `npx spanwright gen`', () => {
    expect(spanwright(['gen'], dir).code).to.equal(0);
    for (const name of ['bootstrap.ts', 'manifest.ts', 'spans.ts']) {
      expect(readFileSync(out(name), 'utf8').split('\n')[1], name).to.equal('// Regenerate with: npx spanwright gen');
    }
    expect(readFileSync(out('TRACING.md'), 'utf8')).to.include('regenerate with `npx spanwright gen`');
  });

  it('the header names the flags from the project root (package.json), whatever the cwd of gen', () => {
    writeFileSync(join(dir, 'package.json'), '{ "name": "svc" }\n');
    mkdirSync(join(dir, 'src'));
    expect(spanwright(['gen', '--manifest', '../tracing.yaml', '--out', '../src/tracing'], join(dir, 'src')).code).to.equal(0);
    expect(readFileSync(join(dir, 'src', 'tracing', 'spans.ts'), 'utf8').split('\n')[1]).to.equal('// Regenerate with: npx spanwright gen --out src/tracing');
    // Run from the root with the header's command, --check agrees.
    expect(spanwright(['gen', '--check', '--out', 'src/tracing'], dir).code).to.equal(0);
  });

  it('--check drift names the same --manifest and --out as given', () => {
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'my traces.yaml'), VALID);
    const run = spanwright(['gen', '--check', '--manifest', 'config/my traces.yaml', '--out', 'src/tracing'], dir);
    expect(run.code).to.equal(1);
    expect(run.stderr.split('\n').at(-2)).to.equal('run npx spanwright gen --manifest "config/my traces.yaml" --out src/tracing');
  });

  it('exits 2 on an invalid manifest, prints each error with a frame, no stack trace, writes nothing', () => {
    writeFileSync(join(dir, 'tracing.yaml'), manifest('  CalcPrediction: {}\n  ok:\n    kind: sideways\n'));
    const run = spanwright(['gen'], dir);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal(
      [
        'tracing.yaml:5:3: error: span name "CalcPrediction" must be snake_case (e.g. "calc_prediction")',
        '  4 | spans:',
        '> 5 |   CalcPrediction: {}',
        '    |   ^',
        'tracing.yaml:7:11: error: "kind" of span "ok" must be one of internal, server, client, producer, consumer; got "sideways"',
        '  6 |   ok:',
        '> 7 |     kind: sideways',
        '    |           ^',
        '2 errors in tracing.yaml; nothing written',
        '',
      ].join('\n'),
    );
    expect(run.stdout).to.equal('');
    expect(existsSync(out())).to.equal(false);
  });

  it('exits 2 when the manifest file does not exist', () => {
    const run = spanwright(['gen', '--manifest', 'nope.yaml'], dir);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('spanwright: cannot read manifest nope.yaml: no such file\n');
  });

  const usageCases: [string, string[], string][] = [
    ['an unknown option', ['gen', '--force'], "unknown option '--force'"],
    ['an option without its value', ['gen', '--out'], "option '--out <value>' argument missing"],
    ['an empty option value', ['gen', '--manifest='], "option '--manifest' needs a value"],
    ['an extra argument', ['gen', 'tracing.yaml'], "unexpected argument 'tracing.yaml'"],
  ];
  for (const [title, args, message] of usageCases) {
    it(`exits 2 with the usage line on ${title}`, () => {
      const run = spanwright(args, dir);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(`spanwright: ${message}\n${USAGE_LINE}\n`);
      expect(existsSync(out())).to.equal(false);
    });
  }

});

/**
 * What a service that did not preload the bootstrap (or loaded it too late) is told, in real
 * child processes of a CommonJS and an ES-module project: the built runtime and generated code
 * (dist/, `npm run build`), the project's node_modules linked to this repository's.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { preloadCommand } from '../../../runtime/config/main-script';

const ROOT = resolve(__dirname, '..', '..', '..');
const SPANS = join(ROOT, 'dist', 'generated', 'spans.js');
const BOOTSTRAP = join(ROOT, 'dist', 'generated', 'bootstrap.js');
const UNTRACED = 'spanwright: a span helper ran but tracing was never started; preload the bootstrap:';

type ModuleType = 'cjs' | 'esm';

/** Source of an entry for the project's module type: `uses` are what it loads, in order. */
function entrySource(type: ModuleType, uses: ReadonlyArray<{ id: string; as: string }>, body: string): string {
  const lines = uses.map(({ id, as }) =>
    type === 'esm' ? `import ${as} from ${JSON.stringify(id.startsWith('/') ? pathToFileURL(id).href : id)};` : `const ${as} = require(${JSON.stringify(id)});`,
  );
  return `${lines.join('\n')}\n${body}\n`;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string[];
}

describe('runtime: hints for a service that did not preload the bootstrap', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    expect(existsSync(SPANS), 'dist/generated/spans.js (run npm run build)').to.equal(true);
    dir = mkdtempSync(join(tmpdir(), 'spanwright-preload-'));
    for (const type of ['cjs', 'esm'] as const) {
      mkdirSync(join(dir, type));
      writeFileSync(join(dir, type, 'package.json'), JSON.stringify(type === 'esm' ? { name: 'svc', type: 'module' } : { name: 'svc' }));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, type, 'node_modules'), 'dir');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(type: ModuleType, entry: string, source: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Run {
    writeFileSync(join(dir, type, entry), source);
    const child = spawnSync(process.execPath, [...args, entry], {
      cwd: join(dir, type),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, OTEL_EXPORTER_CONSOLE: 'false', ...env },
    });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr.split('\n').filter((l) => l !== '') };
  }

  // Three typed-helper calls of two spans, and the seed API: one line in all.
  const HELPERS = [
    'const { spans, span } = generated;',
    'for (let i = 0; i < 3; i++) spans.calculateConfidence({}, () => 1);',
    "spans.applyInjuryAdjustment({ playerId: '1628369' }, () => 1);",
    "span('seed', {}, () => 1);",
    "console.log('done');",
  ].join('\n');
  const usesSpans = [{ id: SPANS, as: 'generated' }];

  describe('the first helper call without tracing started', () => {
    const cases: Array<[ModuleType, string, string]> = [
      ['cjs', 'main.js', `${UNTRACED} node --require ./dist/generated/bootstrap.js main.js`],
      ['cjs', 'main.mjs', `${UNTRACED} node --import ./dist/generated/bootstrap.js main.mjs`],
      ['esm', 'main.js', `${UNTRACED} node --import ./dist/generated/bootstrap.js main.js`],
      ['esm', 'main.cjs', `${UNTRACED} node --require ./dist/generated/bootstrap.js main.cjs`],
    ];
    for (const [type, entry, line] of cases) {
      it(`${type} project, ${entry}: one line on stderr naming the preload for that module type`, () => {
        const result = run(type, entry, entrySource(entry.endsWith('.mjs') ? 'esm' : entry.endsWith('.cjs') ? 'cjs' : type, usesSpans, HELPERS));
        expect(result).to.deep.equal({ status: 0, stdout: 'done\n', stderr: [line] });
      });
    }

    const quiet: Array<[string, NodeJS.ProcessEnv]> = [
      ['OTEL_TRACES_ENABLED=false', { OTEL_TRACES_ENABLED: 'false' }],
      ['OTEL_TRACES_ENABLED=FALSE (any case)', { OTEL_TRACES_ENABLED: 'FALSE' }],
      ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
      ['OTEL_LOG_LEVEL=none', { OTEL_LOG_LEVEL: 'none' }],
    ];
    for (const [title, env] of quiet) {
      it(`says nothing with ${title}`, () => {
        expect(run('cjs', 'main.js', entrySource('cjs', usesSpans, HELPERS), [], env)).to.deep.equal({ status: 0, stdout: 'done\n', stderr: [] });
      });
    }

    it('still warns with OTEL_TRACES_ENABLED=true: tracing was wanted and never started', () => {
      const result = run('cjs', 'main.js', entrySource('cjs', usesSpans, HELPERS), [], { OTEL_TRACES_ENABLED: 'true' });
      expect(result.stderr).to.deep.equal([`${UNTRACED} node --require ./dist/generated/bootstrap.js main.js`]);
    });

    for (const [type, flag] of [['cjs', '--require'], ['esm', '--import']] as const) {
      it(`says nothing with the bootstrap preloaded (${type}, ${flag})`, () => {
        const result = run(type, 'main.js', entrySource(type, usesSpans, HELPERS), [flag, BOOTSTRAP]);
        expect(result).to.deep.equal({ status: 0, stdout: 'done\n', stderr: [] });
      });
    }

    it('says nothing when the service registered a tracer provider of its own', () => {
      const own = [
        "const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');",
        "require('@opentelemetry/api').trace.setGlobalTracerProvider(new BasicTracerProvider());",
      ].join('\n');
      const result = run('cjs', 'main.js', `${own}\n${entrySource('cjs', usesSpans, HELPERS)}`);
      expect(result).to.deep.equal({ status: 0, stdout: 'done\n', stderr: [] });
    });
  });

  describe('the load-order warning (koa or knex loaded before the bootstrap)', () => {
    const koaWrapped = "console.log('koa instrumented', typeof Koa.prototype.handleRequest.__wrapped === 'boolean');";
    const missed = (name: string, fix: string): string =>
      `spanwright: ${name} was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first: ${fix}`;

    it('CommonJS: koa and knex required first; the fix says --require', () => {
      const uses = [{ id: 'koa', as: 'Koa' }, { id: 'knex', as: 'knex' }, { id: BOOTSTRAP, as: 'bootstrap' }];
      const result = run('cjs', 'main.js', entrySource('cjs', uses, koaWrapped));
      const fix = 'node --require ./dist/generated/bootstrap.js main.js';
      expect(result).to.deep.equal({ status: 0, stdout: 'koa instrumented false\n', stderr: [missed('knex', fix), missed('koa', fix)] });
    });

    it('ES module: the bootstrap imported first in the entry is still too late; the fix says --import', () => {
      const uses = [{ id: BOOTSTRAP, as: 'bootstrap' }, { id: 'koa', as: 'Koa' }];
      const result = run('esm', 'main.js', entrySource('esm', uses, koaWrapped));
      expect(result).to.deep.equal({
        status: 0,
        stdout: 'koa instrumented false\n',
        stderr: [missed('koa', 'node --import ./dist/generated/bootstrap.js main.js')],
      });
    });

    for (const [type, flag] of [['cjs', '--require'], ['esm', '--import']] as const) {
      it(`${type}: preloaded with ${flag}, koa is instrumented and nothing is said`, () => {
        const result = run(type, 'main.js', entrySource(type, [{ id: 'koa', as: 'Koa' }], koaWrapped), [flag, BOOTSTRAP]);
        expect(result).to.deep.equal({ status: 0, stdout: 'koa instrumented true\n', stderr: [] });
      });
    }

    it('a database driver loaded early is not a miss (the knex instrumentation patches knex only)', () => {
      const knexQuery = [
        "const { trace } = require('@opentelemetry/api');",
        "const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });",
        "trace.getTracer('t').startActiveSpan('parent', (parent) =>",
        "  db.raw('select 1 as one').then(() => { parent.end(); console.log('queried'); return db.destroy(); }));",
      ].join('\n');
      // better-sqlite3 first (as --require), then the bootstrap, then knex and a query under a span.
      writeFileSync(join(dir, 'cjs', 'query.js'), `const knex = require('knex');\n${knexQuery}\n`);
      const traced = run('cjs', 'main.js', '', ['--require', 'better-sqlite3', '--require', BOOTSTRAP, '--require', './query.js'], {
        OTEL_EXPORTER_CONSOLE: 'true',
        OTEL_EXPORTER_CONSOLE_FORMAT: 'json',
      });
      expect(traced.stderr).to.deep.equal([]);
      const names = traced.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { name: string }).name);
      expect(names).to.deep.equal(['raw :memory:', 'parent']);
    });
  });

  describe('preloadCommand', () => {
    it('names tsx and the TypeScript bootstrap for a .ts entry, and a placeholder when there is no entry', () => {
      expect(preloadCommand('/app/src/main.ts', '/app')).to.equal('node --import tsx --import ./generated/bootstrap.ts src/main.ts');
      expect(preloadCommand(undefined)).to.equal('node --require ./dist/generated/bootstrap.js … (ESM: --import)');
    });
  });
});

/**
 * runtime/instrumentation/patch-check.ts in real child processes: after the first requests,
 * one stderr line for each declared instrumentation whose module was not
 * patched (loaded before the bootstrap, an unsupported version, an ES-module
 * import without the loader hook, never loaded), and none when all were.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InstrumentationModel } from '../../../runtime/manifest/model';
import { PATCH_CHECK_AFTER_REQUESTS } from '../../../runtime/instrumentation/patch-check';
import { get, startChild, type Child } from '../child';
import { ALL_INSTRUMENTATION, makeManifest, without } from '../manifest-fixture';

const CHECKED = /^spanwright: patched after the first \d+ requests: (.*)$/;

/** Starts `fixture`, sends PATCH_CHECK_AFTER_REQUESTS requests, and returns the child once the check ran. */
async function checked(
  fixture: string,
  instrumentation: InstrumentationModel,
  env: NodeJS.ProcessEnv = {},
  options: { path?: string; preload?: string[] } = {},
): Promise<{ child: Child; patched: string; problems: string[] }> {
  const child = startChild(fixture, makeManifest({ instrumentation }), { OTEL_EXPORTER_CONSOLE: 'false', OTEL_LOG_LEVEL: 'info', ...env }, options.preload);
  try {
    const port = Number((await child.waitForLine(/^listening (\d+)$/))[1]);
    for (let i = 0; i < PATCH_CHECK_AFTER_REQUESTS; i++) await get(port, options.path ?? '/');
    const patched = (await child.waitForLine(CHECKED, 15_000, 'stderr'))[1]!;
    const problems = child.stderr.filter((line) => / is (loaded|declared)| was loaded before/.test(line));
    return { child, patched, problems };
  } finally {
    child.process.kill('SIGTERM');
    await child.exited;
  }
}

describe('runtime: instrumentation proven to have patched (child processes)', function () {
  this.timeout(60_000);

  it('CJS, everything loaded after the bootstrap: no problem, the patched modules listed', async () => {
    const { patched, problems } = await checked('koa-app.ts', without(ALL_INSTRUMENTATION, 'pino'), { UPSTREAM_URL: 'http://127.0.0.1:1' }, { path: '/api/v1/nba/predictions/1' });
    expect(problems).to.deep.equal([]);
    expect(patched).to.match(/^http, koa 3\.\d+\.\d+, knex 3\.\d+\.\d+$/);
  });

  it('CJS, declared but never loaded: one line each for koa and knex', async () => {
    const { problems } = await checked('span-app.ts', { http: { ignoreIncomingPaths: [] }, koa: { layers: ['router'] }, knex: { maxQueryLength: 1000 } }, {}, { path: '/work' });
    expect(problems).to.deep.equal([
      `spanwright: koa is declared in instrumentation but was not loaded within the first ${PATCH_CHECK_AFTER_REQUESTS} requests; nothing of it is traced. Remove it from tracing.yaml if the service does not use koa`,
      `spanwright: knex is declared in instrumentation but was not loaded within the first ${PATCH_CHECK_AFTER_REQUESTS} requests; nothing of it is traced. Remove it from tracing.yaml if the service does not use knex`,
    ]);
  });

  it('CJS, knex loaded before the bootstrap: the start-up line, not repeated', async () => {
    const { problems } = await checked('koa-app.ts', without(ALL_INSTRUMENTATION, 'pino'), { UPSTREAM_URL: 'http://127.0.0.1:1' }, { path: '/api/v1/nba/predictions/1', preload: ['knex'] });
    expect(problems).to.deep.equal([
      'spanwright: knex was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first: node --import tsx --import ./generated/bootstrap.ts test/runtime/fixtures/koa-app.ts',
    ]);
  });

  describe('an unsupported version', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'spanwright-old-koa-'));
      mkdirSync(path.join(dir, 'node_modules', 'koa'), { recursive: true });
      writeFileSync(path.join(dir, 'node_modules', 'koa', 'package.json'), JSON.stringify({ name: 'koa', version: '1.2.0', main: 'index.js' }));
      writeFileSync(
        path.join(dir, 'node_modules', 'koa', 'index.js'),
        'class Application { use() { return this; } handleRequest() {} }\nmodule.exports = Application;\n',
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('koa 1.2.0: one line naming the version and the supported range', async () => {
      const { problems } = await checked('old-koa-app.ts', { http: { ignoreIncomingPaths: [] }, koa: { layers: ['router'] } }, { KOA_DIR: dir });
      expect(problems).to.deep.equal([
        'spanwright: koa 1.2.0 is loaded but @opentelemetry/instrumentation-koa and spanwright-koa-route supports >=2.0.0 <4; its spans are missing. Use a supported koa, or remove it from instrumentation in tracing.yaml',
      ]);
    });
  });

  describe('ESM', () => {
    const koaOnly = { http: { ignoreIncomingPaths: [] }, koa: { layers: ['router'] } };

    it('the loader hook on (auto, an .mjs entry): koa patched, no problem', async () => {
      const { patched, problems } = await checked('esm-app.mjs', koaOnly, {}, { path: '/players/7' });
      expect(problems).to.deep.equal([]);
      expect(patched).to.match(/koa 3\.\d+\.\d+/);
    });

    it('SPANWRIGHT_ESM_HOOK=false: koa imported but never seen, one line saying to turn the hook on', async () => {
      const { patched, problems } = await checked('esm-app.mjs', koaOnly, { SPANWRIGHT_ESM_HOOK: 'false' }, { path: '/players/7' });
      expect(problems).to.deep.equal([
        'spanwright: koa is loaded but @opentelemetry/instrumentation-koa and spanwright-koa-route never saw it (imported as an ES module without the loader hook); its spans are missing. Fix: set SPANWRIGHT_ESM_HOOK=true (or leave it unset for an .mjs / "type": "module" entry)',
      ]);
      expect(patched).to.not.include('koa');
    });
  });
});

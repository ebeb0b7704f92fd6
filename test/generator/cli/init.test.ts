/**
 * `spanwright init` in temporary projects: what it prints, the manifest and package.json it
 * leaves, what it refuses, and that `gen` (the installed CLI, bin/spanwright.js, as the added
 * npm script runs it) then succeeds on the written manifest.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { runInitCommand } from '../../../generator/cli/init';
import { serviceName } from '../../../generator/init';
import { resolveManifest } from '../../../generator';
import { tempDir } from '../support';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'spanwright.js');
const INSTALLED_SCHEMA = './node_modules/spanwright/schema/tracing.schema.json';

async function init(cwd: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runInitCommand(args, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function spanwright(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A project with spanwright installed as a user's would be: node_modules/spanwright and its bin. */
function installSpanwright(dir: string): void {
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'spanwright'), 'dir');
  symlinkSync(join('..', 'spanwright', 'bin', 'spanwright.js'), join(dir, 'node_modules', '.bin', 'spanwright'));
}

const next = (flag: '--require' | '--import', entry = 'dist/main.js', kind = flag === '--import' ? 'ES module' : 'CommonJS'): string =>
  [
    'Next:',
    '  npx spanwright gen    # writes generated/: spans.ts, manifest.ts, bootstrap.ts, TRACING.md',
    `  preload the bootstrap, so that tracing starts before koa, knex and http load (${kind}):`,
    `    node ${flag} ./dist/generated/bootstrap.js ${entry}`,
    '    node --import tsx --import ./generated/bootstrap.ts src/main.ts    # TypeScript through tsx',
    '',
  ].join('\n');

function starter(schema: string, name: string, on: { koa?: boolean; knex?: boolean; fetch?: boolean; pino?: boolean } = {}): string {
  const line = (key: keyof typeof on, comment: string): string => `  ${on[key] === true ? '' : '# '}${key}: true`.padEnd(18) + ` # ${comment}`;
  return [
    `# yaml-language-server: $schema=${schema}`,
    '# The tracing of this service: `npx spanwright gen` turns it into typed span helpers',
    '# (generated/spans.ts) and the OpenTelemetry bootstrap (generated/bootstrap.ts).',
    'version: 1',
    'service:',
    `  name: "${name}"   # default OTEL_SERVICE_NAME`,
    'environments:               # picked by OTEL_ENVIRONMENT (default: development)',
    '  development: { sampling: 1.0, console: true }',
    '  staging: { sampling: 0.5 }',
    '  production: { sampling: 0.1 }',
    'instrumentation:',
    '  http: true       # incoming and outgoing HTTP spans',
    line('koa', 'server spans named by Koa route'),
    line('knex', 'a span per Knex query'),
    line('fetch', 'client spans of fetch() (global or undici)'),
    line('pino', 'trace ids on pino log records'),
    'spans:',
    '  # An example to rename: spans.exampleOperation({ itemCount: 3 }, (span) => { …; span.itemProcessed(); })',
    '  example_operation:',
    '    description: One unit of work of this service',
    '    attributes:',
    '      item_count: { type: int, required: true }',
    '    events:',
    '      item_processed: {}',
    '',
  ].join('\n');
}

describe('spanwright init', function () {
  this.timeout(60_000);
  let root: string;
  let cleanup: () => void;
  let dir: string;

  before(() => {
    expect(existsSync(join(ROOT, 'dist', 'generator', 'cli', 'main.js')), 'dist/generator/cli/main.js (run npm run build)').to.equal(true);
  });
  beforeEach(() => {
    ({ dir: root, cleanup } = tempDir('spanwright-init-'));
    dir = join(root, 'orders-service');
    mkdirSync(dir);
  });
  afterEach(() => cleanup());

  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

  it('an empty project: writes the manifest (schema of the spanwright that runs), says the scripts were not added; gen succeeds', async () => {
    const run = await init(dir);
    expect(run).to.deep.equal({
      code: 0,
      stdout:
        'spanwright: wrote tracing.yaml (service orders-service; instrumentation: http)\n' +
        'spanwright: no package.json in this directory; scripts not added (after npm init, add "gen": "spanwright gen" and "gen:check": "spanwright gen --check")\n' +
        next('--require'),
      stderr: '',
    });
    const schema = relative(dir, join(ROOT, 'schema', 'tracing.schema.json'));
    expect(read('tracing.yaml')).to.equal(starter(schema.startsWith('.') ? schema : `./${schema}`, 'orders-service'));
    expect(readdirSync(dir)).to.deep.equal(['tracing.yaml']);
    const gen = spanwright(['gen'], dir);
    expect(gen.code, gen.stderr).to.equal(0);
    expect(readdirSync(join(dir, 'generated')).sort()).to.deep.equal(['TRACING.md', 'bootstrap.ts', 'manifest.ts', 'spans.ts']);
    expect(read('generated/spans.ts')).to.include('exampleOperation<R>(attributes: ExampleOperationAttributes');
  });

  it('a CommonJS project: service named from package.json, koa and knex on, scripts added in place, the --require line; npm run gen and gen:check pass', async () => {
    installSpanwright(dir);
    const pkg = [
      '{',
      '  "name": "@acme/Orders_API",',
      '  "version": "1.0.0",',
      '  "main": "./dist/server.js",',
      '  "scripts": {',
      '    "build": "tsc",',
      '    "start": "node dist/server.js"',
      '  },',
      '  "dependencies": { "knex": "^3.1.0", "koa": "^3.0.0", "pg": "^8.0.0" }',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'package.json'), pkg);
    const run = await init(dir);
    expect(run).to.deep.equal({
      code: 0,
      stdout:
        'spanwright: wrote tracing.yaml (service acme-orders_api; instrumentation: http, koa, knex)\n' +
        'spanwright: added "gen" and "gen:check" to the scripts of package.json\n' +
        next('--require', 'dist/server.js'),
      stderr: '',
    });
    expect(read('tracing.yaml')).to.equal(starter(INSTALLED_SCHEMA, 'acme-orders_api', { koa: true, knex: true }));
    expect(read('package.json')).to.equal(
      pkg.replace('"start": "node dist/server.js"\n', '"start": "node dist/server.js",\n    "gen": "spanwright gen",\n    "gen:check": "spanwright gen --check"\n'),
    );
    // The $schema line resolves to the installed schema.
    expect(existsSync(join(dir, INSTALLED_SCHEMA))).to.equal(true);
    for (const script of ['gen', 'gen:check']) {
      const npm = spawnSync('npm', ['run', '--silent', script], { cwd: dir, encoding: 'utf8' });
      expect(npm.status, `${script}: ${npm.stderr}`).to.equal(0);
    }
    expect(read('generated/bootstrap.ts').split('\n')[1]).to.equal('// Regenerate with: npx spanwright gen');
  });

  it('an ES-module project: tab indentation kept, a scripts object added at the end, the --import line', async () => {
    installSpanwright(dir);
    const pkg = '{\n\t"name": "orders",\n\t"type": "module",\n\t"devDependencies": {\n\t\t"undici": "^7.0.0",\n\t\t"pino": "^10.0.0"\n\t}\n}\n';
    writeFileSync(join(dir, 'package.json'), pkg);
    const run = await init(dir);
    expect(run).to.deep.equal({
      code: 0,
      stdout:
        'spanwright: wrote tracing.yaml (service orders; instrumentation: http, fetch, pino)\n' +
        'spanwright: added "gen" and "gen:check" to the scripts of package.json\n' +
        next('--import'),
      stderr: '',
    });
    expect(read('package.json')).to.equal(
      '{\n\t"name": "orders",\n\t"type": "module",\n\t"devDependencies": {\n\t\t"undici": "^7.0.0",\n\t\t"pino": "^10.0.0"\n\t},\n' +
        '\t"scripts": {\n\t\t"gen": "spanwright gen",\n\t\t"gen:check": "spanwright gen --check"\n\t}\n}\n',
    );
    expect(read('tracing.yaml')).to.equal(starter(INSTALLED_SCHEMA, 'orders', { fetch: true, pino: true }));
    expect(spanwright(['gen'], dir).code).to.equal(0);
  });

  it('an existing manifest: exit 2, one line, nothing written', async () => {
    writeFileSync(join(dir, 'tracing.yaml'), 'version: 1\n');
    writeFileSync(join(dir, 'package.json'), '{ "name": "x" }\n');
    expect(await init(dir)).to.deep.equal({ code: 2, stdout: '', stderr: 'spanwright: tracing.yaml already exists; nothing written\n' });
    expect(read('tracing.yaml')).to.equal('version: 1\n');
    expect(read('package.json')).to.equal('{ "name": "x" }\n');
  });

  it('existing scripts of those names are kept and named; only the missing one is added (inline scripts stay inline)', async () => {
    const pkg = '{\n  "name": "svc",\n  "scripts": { "gen": "prisma generate" }\n}\n';
    writeFileSync(join(dir, 'package.json'), pkg);
    const run = await init(dir);
    expect(run.code).to.equal(0);
    expect(run.stdout.split('\n').slice(0, 3)).to.deep.equal([
      'spanwright: wrote tracing.yaml (service svc; instrumentation: http)',
      'spanwright: package.json already has a "gen" script ("prisma generate"); left it as it is; run npx spanwright gen instead',
      'spanwright: added "gen:check" to the scripts of package.json',
    ]);
    expect(read('package.json')).to.equal('{\n  "name": "svc",\n  "scripts": { "gen": "prisma generate", "gen:check": "spanwright gen --check" }\n}\n');
  });

  it('a one-line package.json stays one line', async () => {
    writeFileSync(join(dir, 'package.json'), '{"name":"svc","scripts":{"start":"node ."}}');
    expect((await init(dir)).code).to.equal(0);
    expect(read('package.json')).to.equal('{"name":"svc","scripts":{"start":"node .","gen":"spanwright gen","gen:check":"spanwright gen --check"}}');
  });

  it('CRLF line ends are kept', async () => {
    writeFileSync(join(dir, 'package.json'), '{\r\n  "name": "svc"\r\n}\r\n');
    expect((await init(dir)).code).to.equal(0);
    expect(read('package.json')).to.equal(
      '{\r\n  "name": "svc",\r\n  "scripts": {\r\n    "gen": "spanwright gen",\r\n    "gen:check": "spanwright gen --check"\r\n  }\r\n}\r\n',
    );
  });

  it('both scripts already there: package.json is not rewritten', async () => {
    const pkg = '{"name":"svc","scripts":{"gen":"spanwright gen","gen:check":"npm run gen -- --check"}}';
    writeFileSync(join(dir, 'package.json'), pkg);
    const run = await init(dir);
    expect(run.stdout.split('\n').slice(1, 3)).to.deep.equal([
      'spanwright: package.json already has the "gen" script',
      'spanwright: package.json already has a "gen:check" script ("npm run gen -- --check"); left it as it is; run npx spanwright gen --check instead',
    ]);
    expect(read('package.json')).to.equal(pkg);
  });

  it('--dir: the project is that folder; paths are shown from the cwd', async () => {
    const run = await init(root, ['--dir', 'orders-service']);
    expect(run.code).to.equal(0);
    expect(run.stdout.split('\n').slice(0, 4)).to.deep.equal([
      'spanwright: wrote orders-service/tracing.yaml (service orders-service; instrumentation: http)',
      'spanwright: no package.json in orders-service; scripts not added (after npm init, add "gen": "spanwright gen" and "gen:check": "spanwright gen --check")',
      'Next:',
      '  cd orders-service && npx spanwright gen    # writes generated/: spans.ts, manifest.ts, bootstrap.ts, TRACING.md',
    ]);
    expect(existsSync(join(dir, 'tracing.yaml'))).to.equal(true);
  });

  it('a package.json that is not JSON: exit 2, nothing written', async () => {
    writeFileSync(join(dir, 'package.json'), '{ "name": "svc", }\n');
    const run = await init(dir);
    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.match(/^spanwright: package\.json is not valid JSON \(.+\); nothing written\n$/);
    expect(readdirSync(dir)).to.deep.equal(['package.json']);
  });

  it('bad arguments: exit 2 with the usage line', async () => {
    expect(await init(dir, ['--nope'])).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: "spanwright init: Unknown option '--nope'\nusage: spanwright init [--dir <project>]   (default: the current directory)\n",
    });
    expect(await init(dir, ['--dir', 'missing'])).to.deep.equal({ code: 2, stdout: '', stderr: 'spanwright: missing: no such directory; nothing written\n' });
  });

  it('the starter manifest is valid and names the service as given', async () => {
    writeFileSync(join(dir, 'package.json'), '{ "name": "true" }\n');
    await init(dir);
    // A name YAML would read as a boolean stays a string: it is quoted.
    expect(resolveManifest(read('tracing.yaml')).service.name).to.equal('true');
  });

  const names: Array<[unknown, string, string]> = [
    ['@acme/orders-api', '/x/y', 'acme-orders-api'],
    ['Orders API!', '/x/y', 'orders-api'],
    ['svc.v2', '/x/y', 'svc.v2'],
    [undefined, '/x/My Service', 'my-service'],
    ['@@@', '/', 'my-service'],
  ];
  for (const [given, folder, want] of names) {
    it(`service name: ${JSON.stringify(given)} in ${folder} → ${want}`, () => {
      expect(serviceName(given, folder)).to.equal(want);
    });
  }

  it('is listed in spanwright --help', () => {
    const help = spanwright(['--help'], dirname(BIN));
    expect(help.stdout).to.include('\n  init                start a project: tracing.yaml, gen scripts, the preload line (spanwright init --help)\n');
  });
});

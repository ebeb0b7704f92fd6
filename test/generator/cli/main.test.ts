/**
 * The CLI framework (generator/cli/command.ts) and the dispatch (main.ts): every help and
 * usage text is generated from the verb definitions, and each verb loads its work lazily.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageLine } from '../../../generator/cli/command';
import { dev } from '../../../generator/cli/dev';
import { USAGE, VERBS } from '../../../generator/cli/main';
import { defaultModelLoader } from '../../../generator/changes/git-source';
import { resolveManifest } from '../../../generator/generate';
import { DEFAULT_LIMITS } from '../../../generator/viewer/store';
import { manifest, runCli, tempDir } from '../support';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'spanwright.js');

describe('spanwright CLI framework', function () {
  this.timeout(60000);

  it('the top-level help lists every verb with its summary', async () => {
    const run = await runCli(['--help']);
    expect(run.code).to.equal(0);
    expect(VERBS.map((verb) => verb.name)).to.deep.equal(['gen', 'init', 'doctor', 'docs', 'diff', 'migrate', 'dev', 'live-check']);
    for (const verb of VERBS) {
      const label = `${verb.name}${verb.args === undefined ? '' : ` ${verb.args}`}`;
      expect(run.stdout).to.include(`\n  ${label.padEnd(18)}  ${verb.summary} (spanwright ${verb.name} --help)\n`);
    }
  });

  it('an unknown verb: exit 2, the message and the top-level usage line', async () => {
    expect(await runCli(['frobnicate'])).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: "spanwright: unknown command 'frobnicate'\nusage: spanwright gen [--manifest <file>] [--out <dir>] [--check] | spanwright --help | spanwright --version\n",
    });
  });

  it("an unknown option: exit 2, the message and the verb's usage line", async () => {
    expect(await runCli(['docs', '--frobnicate'])).to.deep.equal({
      code: 2,
      stdout: '',
      stderr:
        "spanwright docs: Unknown option '--frobnicate'\n" +
        'usage: spanwright docs [--manifest <file>] [--out <dir>|<file.md>]   (defaults: tracing.yaml, generated)\n',
    });
    expect(await runCli(['migrate', '--nope'])).to.deep.equal({
      code: 2,
      stdout: '',
      stderr:
        "spanwright migrate: Unknown option '--nope'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--nope\"\n" +
        'usage: spanwright migrate [files…] [--manifest <file>] [--from <file>|git:<ref>] [--write]\n',
    });
    expect(await runCli(['gen', '--nope'])).to.deep.equal({ code: 2, stdout: '', stderr: `spanwright: unknown option '--nope'\n${USAGE}\n` });
  });

  for (const verb of VERBS) {
    it(`${verb.name} --help: exit 0, its usage line, every option and its exit codes`, async () => {
      const run = await runCli([verb.name, '--help']);
      expect(run.code).to.equal(0);
      expect(run.stderr).to.equal('');
      expect(run.stdout.split('\n\n')[0]).to.equal(verb.name === 'gen' ? USAGE : usageLine(verb));
      for (const [name, option] of Object.entries(verb.options)) {
        expect(run.stdout).to.include(`\n  --${name}${option.type === 'string' ? ` ${option.value}` : ''} `);
        expect(run.stdout).to.include(` ${option.help}\n`);
      }
      expect(run.stdout).to.include('\n  -h, --help ');
      for (const [code, meaning] of verb.exitCodes) expect(run.stdout).to.include(`\n  ${code}  ${meaning}\n`);
    });
  }

  it("dev's usage shows the store's default limits", () => {
    expect(usageLine(dev)).to.include(`[--max-traces ${DEFAULT_LIMITS.maxTraces}] [--max-spans ${DEFAULT_LIMITS.maxSpans}]`);
  });

  it('the model loader of the verbs gives what resolveManifest gives, errors included', () => {
    const text = 'version: 1\nservice:\n  name: svc\nspans:\n  calc:\n    attributes:\n      n: { type: int, required: true }\n    events:\n      done: { renamed_from: finished }\n';
    expect(defaultModelLoader('t.yaml', text)).to.deep.equal(resolveManifest(text, { file: 't.yaml' }));
    for (const bad of ['version: 1\nservice: [\n', 'version: 1\nservice:\n  name: svc\nspans:\n  Calc: {}\n']) {
      const errorOf = (f: () => unknown): unknown => {
        try {
          f();
        } catch (error) {
          return { ...(error as object), message: (error as Error).message };
        }
        return undefined;
      };
      const want = errorOf(() => resolveManifest(bad, { file: 't.yaml' }));
      expect(want).to.not.equal(undefined);
      expect(errorOf(() => defaultModelLoader('t.yaml', bad))).to.deep.equal(want);
    }
  });

  it('loads only the verb that runs: --help, and a verb that only reads the manifest, never load ts-morph', () => {
    const { dir, cleanup } = tempDir('spanwright-lazy-');
    writeFileSync(join(dir, 'tracing.yaml'), 'version: 1\nservice:\n  name: svc\nspans:\n  calc: {}\n');
    try {
      const probe = (args: string[]): string[] => {
        const script = `const m=require(${JSON.stringify(join(ROOT, 'dist', 'generator', 'cli', 'main.js'))});` +
          `m.main(${JSON.stringify(args)},{stdout(){},stderr(){}}).then(()=>{process.stdout.write(JSON.stringify(Object.keys(require.cache)));process.exit(0)});`;
        const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
        return JSON.parse(run.stdout) as string[];
      };
      const tsMorph = (modules: string[]): string[] => modules.filter((m) => m.includes('/node_modules/ts-morph/') || m.includes('@ts-morph'));
      expect(tsMorph(probe(['--help']))).to.deep.equal([]);
      expect(probe(['--help']).filter((m) => m.includes('/receiver/') || m.includes('/viewer/') || m.includes('@grpc'))).to.deep.equal([]);
      const liveCheck = probe(['live-check', '--otlp-grpc-port', '0', '--otlp-http-port', '0', '--for', '0.1']);
      expect(liveCheck.some((m) => m.includes('/receiver/'))).to.equal(true);
      expect(tsMorph(liveCheck)).to.deep.equal([]);
      expect(tsMorph(probe(['gen', '--check']))).to.not.deep.equal([]);
    } finally {
      cleanup();
    }
  });

  it('bin/spanwright.js runs the new main', () => {
    const run = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(run.status).to.equal(0);
    expect(run.stdout.split('\n')[0]).to.equal(USAGE);
  });
});

/** The installed CLI, spawned as users and npm scripts run it (needs `npm run build`). */
describe('spanwright (bin/spanwright.js): dispatch, --help, --version', function () {
  this.timeout(60000);
  const USAGE_LINE = 'usage: spanwright gen [--manifest <file>] [--out <dir>] [--check] | spanwright --help | spanwright --version';
  const spanwright = (args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } => {
    const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('spanwright-cli-'));
    writeFileSync(join(dir, 'tracing.yaml'), manifest('  calculate_prediction:\n    attributes:\n      player_count: { type: int, required: true }\n'));
  });
  afterEach(() => cleanup());
  const out = (name = ''): string => join(dir, 'generated', name);

  const usageCases: [string, string[], string][] = [
    ['no command', [], 'missing command'],
    ['an unknown command', ['generate'], "unknown command 'generate'"],
  ];
  for (const [title, args, message] of usageCases) {
    it(`exits 2 with the usage line on ${title}`, () => {
      const run = spanwright(args, dir);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(`spanwright: ${message}\n${USAGE_LINE}\n`);
      expect(existsSync(out())).to.equal(false);
    });
  }

  it('--help prints the usage, commands and exit codes, exit 0', () => {
    const run = spanwright(['--help'], dir);
    expect(run.code).to.equal(0);
    expect(run.stdout.split('\n')[0]).to.equal(USAGE_LINE);
    expect(run.stdout).to.include('--check');
    expect(run.stdout).to.include('2  invalid manifest');
  });

  it('hands docs, diff and migrate to their commands with the rest of the arguments', () => {
    const diff = spanwright(['diff', 'tracing.yaml', 'tracing.yaml'], dir);
    expect(diff.code).to.equal(0);
    expect(diff.stdout).to.equal('spanwright diff: no changes from tracing.yaml to tracing.yaml\n');
    const docs = spanwright(['docs'], dir);
    expect(docs.code).to.equal(0);
    expect(docs.stdout).to.equal('spanwright: wrote generated/TRACING.md\n');
    const migrate = spanwright(['migrate', '--bogus'], dir);
    expect(migrate.code).to.equal(2);
    expect(migrate.stderr).to.match(/^spanwright migrate: .*'--bogus'/);
  });

  it('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = spanwright(['--version'], dir);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.equal(`${version}\n`);
  });
});

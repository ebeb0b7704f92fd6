/**
 * `spanwright doctor`, spawned as a user runs it: what the bootstrap would set
 * up for the repository's tracing.yaml under a given environment, and what
 * looks wrong, with secrets masked.
 */
import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { startCollector } from '../../support/collector';
import { manifest, tempDir } from '../support';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'spanwright.js');

function doctor(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, 'doctor', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The same, without blocking this process (the test collector answers from here). */
function doctorAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'doctor', ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('spanwright doctor', function () {
  this.timeout(30000);

  it('describes a clean configuration and exits 0', () => {
    const run = doctor([], {});
    expect(run.stderr).to.equal('');
    expect(run.stdout.split('\n')).to.include.members([
      'spanwright: sampling ParentBased(TraceIdRatioBased(1)) (sampler: default, ratio: tracing.yaml environments.development), root server span rules: /healthz=0',
      'spanwright: propagators: tracecontext, baggage (default)',
      'spanwright: OTLP export: off (OTEL_EXPORTER_OTLP_ENDPOINT unset)',
      'spanwright: instrumentations: http, koa (router layer spans), knex (db.query.text ≤ 1000 chars), undici/fetch, pino',
      'spanwright: no problems found in the configuration',
    ]);
    expect(run.code).to.equal(0);
  });

  it('names an invalid value, masks the headers and exits 1', () => {
    const run = doctor([], {
      OTEL_SAMPLING_RATIO: 'abc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=hc-secret-123',
    });
    expect(run.stdout).to.contain('headers: x-honeycomb-team=***');
    expect(run.stdout.split('\n')).to.include(
      'spanwright: OTEL_SAMPLING_RATIO="abc" is not a number between 0 and 1; using 1 (environment development)',
    );
    expect(run.stdout + run.stderr).not.to.contain('hc-secret-123');
    expect(run.code).to.equal(1);
  });

  it('connects to the OTLP endpoint: a real receiver answers, exit 0', async () => {
    const collector = await startCollector();
    try {
      const run = await doctorAsync([], { OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t' });
      expect(run.stdout.split('\n')).to.include(`spanwright: OTLP endpoint ${collector.httpEndpoint}/v1/traces answers (HTTP 200)`);
      expect(run.stdout.split('\n').at(-2)).to.equal('spanwright: no problems found in the configuration');
      expect(run.stdout).to.not.include('s3cr3t');
      expect(run.code).to.equal(0);
      // The probe was a real (empty) export with the configured headers.
      expect(collector.requests().map((r) => [r.outcome, r.headers.authorization])).to.deep.equal([['accepted', 'Bearer s3cr3t']]);
    } finally {
      await collector.close();
    }
  });

  it('an endpoint that does not answer: exit 1, the endpoint named without its credentials', async () => {
    const probe = http.createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const run = await doctorAsync([], { OTEL_EXPORTER_OTLP_ENDPOINT: `http://ingest:pa55word@127.0.0.1:${port}` });
    expect(run.stdout.split('\n')).to.include(
      `spanwright: OTLP endpoint http://127.0.0.1:${port}/v1/traces did not answer (ECONNREFUSED); every export would fail`,
    );
    expect(run.stdout + run.stderr).to.not.include('pa55word');
    expect(run.code).to.equal(1);
  });

  it('generated/ out of date with the manifest: exit 1, the files named, as gen --check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanwright-doctor-'));
    try {
      const manifest = join(dir, 'tracing.yaml');
      writeFileSync(manifest, readFileSync(join(ROOT, 'tracing.yaml'), 'utf8').replace('name: sports-bet-ai-api', 'name: renamed-api'));
      const run = doctor(['--manifest', manifest], {});
      const line = run.stdout.split('\n').find((l) => l.startsWith('spanwright: generated files differ'));
      expect(line).to.match(new RegExp(`^spanwright: generated files differ from ${manifest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: generated/[A-Za-z-]+\\.(ts|md)(, generated/[A-Za-z-]+\\.(ts|md))*; run npx spanwright gen --manifest ${relative(ROOT, manifest).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect(line).to.include('generated/manifest.ts');
      expect(run.code).to.equal(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown option with its usage and exit 2', () => {
    const run = doctor(['--nope'], {});
    expect(run.stderr).to.equal(
      "spanwright doctor: Unknown option '--nope'\nusage: spanwright doctor [--manifest <file>] [--out <dir>]   (defaults: tracing.yaml, generated)\n",
    );
    expect(run.code).to.equal(2);
  });

  describe('in a project: the generated bootstrap', () => {
    let dir: string;
    let cleanup: () => void;
    const VALID = manifest('  work:\n    attributes:\n      items: { type: int }\n');
    beforeEach(() => {
      ({ dir, cleanup } = tempDir('spanwright-doctor-'));
      writeFileSync(join(dir, 'tracing.yaml'), VALID);
    });
    afterEach(() => cleanup());
    const gen = (args: string[] = []): void => {
      expect(spawnSync(process.execPath, [BIN, 'gen', ...args], { cwd: dir }).status).to.equal(0);
    };

    it('missing (gen never ran): a problem, not "no problems found", exit 1', () => {
      const run = doctor([], {}, dir);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines.at(-1)).to.equal(
        'spanwright: generated/bootstrap.ts is missing, so nothing starts tracing; run npx spanwright gen, then preload the bootstrap',
      );
      expect(run.stdout).not.to.include('no problems found');
      expect(run.code).to.equal(1);
    });

    it('up to date: no problems, exit 0; --out names another folder', () => {
      gen();
      expect(doctor([], {}, dir)).to.include({ code: 0 });
      gen(['--out', 'src/tracing']);
      expect(doctor(['--out', 'src/tracing'], {}, dir).stdout.trimEnd().split('\n').at(-1)).to.equal('spanwright: no problems found in the configuration');
    });

    it('out of date after a manifest change: names the stale files and the command, exit 1', () => {
      gen();
      writeFileSync(join(dir, 'tracing.yaml'), VALID.replace('items', 'item_count'));
      const run = doctor([], {}, dir);
      expect(run.stdout.trimEnd().split('\n').at(-1)).to.equal(
        'spanwright: generated files differ from tracing.yaml: generated/TRACING.md, generated/manifest.ts, generated/spans.ts; run npx spanwright gen',
      );
      expect(run.code).to.equal(1);
    });
  });

  it('reports a missing manifest without a stack trace and exits 2', () => {
    const run = doctor(['--manifest', 'nope.yaml'], {});
    expect(run.stderr).to.equal('spanwright doctor: nope.yaml: no such file\n');
    expect(run.code).to.equal(2);
  });
});

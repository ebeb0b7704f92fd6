/**
 * `spanwright doctor`, spawned as a user runs it: what the bootstrap would set
 * up for the repository's tracing.yaml under a given environment, and what
 * looks wrong, with secrets masked.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'spanwright.js');

function doctor(args: string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, 'doctor', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
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

  it('rejects an unknown option with its usage and exit 2', () => {
    const run = doctor(['--nope'], {});
    expect(run.stderr).to.equal(
      "spanwright doctor: Unknown option '--nope'\nusage: spanwright doctor [--manifest <file>]   (default: tracing.yaml)\n",
    );
    expect(run.code).to.equal(2);
  });

  it('reports a missing manifest without a stack trace and exits 2', () => {
    const run = doctor(['--manifest', 'nope.yaml'], {});
    expect(run.stderr).to.equal('spanwright doctor: nope.yaml: no such file\n');
    expect(run.code).to.equal(2);
  });
});

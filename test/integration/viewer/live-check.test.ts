/**
 * `spanwright live-check` as CI runs it: the compiled CLI receives OTLP from real processes
 * (the service, or a runtime script), is stopped by a signal or --for, and exits 0, 1 or 2.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { emitSpans, ROOT, runCli, startServices, type RunningCli } from './support';

const PORTS = ['--otlp-grpc-port', '0', '--otlp-http-port', '0'];

/** Starts live-check and resolves once it listens, with its OTLP/HTTP endpoint. */
async function startLiveCheck(args: string[]): Promise<{ cli: RunningCli; endpoint: string }> {
  const cli = runCli(['live-check', ...PORTS, ...args]);
  const match = await cli.waitFor(/OTEL_EXPORTER_OTLP_ENDPOINT=(http:\/\/127\.0\.0\.1:\d+)\n/);
  return { cli, endpoint: match[1]! };
}

describe('spanwright live-check', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    expect(existsSync(path.join(ROOT, 'dist', 'generator', 'cli', 'main.js')), 'dist/generator/cli/main.js (run npm run build)').to.equal(true);
    dir = mkdtempSync(path.join(tmpdir(), 'spanwright-live-check-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 when the service\'s traces conform, with every declared span seen (--require-full-coverage)', async () => {
    const { cli, endpoint } = await startLiveCheck(['--require-full-coverage']);
    const services = await startServices(endpoint, path.join(dir, 'conforming.db'));
    try {
      const response = await fetch(`${services.apiUrl}/api/v1/nba/predictions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ playerIds: ['1628369', '2544'], predictionType: 'assists' }),
      });
      expect(response.status).to.equal(200);
    } finally {
      await services.stop(); // both flush their exporters on SIGTERM
    }
    cli.child.kill('SIGTERM');
    const { code, stdout } = await cli.exited;
    expect(stdout).to.contain('tracing conforms to the manifest: 0 violations; 4 of 4 declared spans seen');
    expect(stdout).to.match(/^ {2}✓ calculate_prediction {2}1×$/m);
    expect(stdout).to.match(/^ {2}✓ apply_injury_adjustment {2}2×/m);
    expect(code).to.equal(0);
  });

  it('exits 1 on a span with an undeclared attribute, and names it', async () => {
    const { cli, endpoint } = await startLiveCheck([]);
    await emitSpans(endpoint, 'undeclared');
    cli.child.kill('SIGINT');
    const { code, stdout } = await cli.exited;
    expect(stdout).to.contain('tracing does not conform to the manifest: 1 violation; 1 of 4 declared spans seen');
    expect(stdout).to.contain('  calculate_prediction: attribute "app.unexpected_flag" is not declared');
    expect(code).to.equal(1);
  });

  it('--json: the same result as one JSON document', async () => {
    const { cli, endpoint } = await startLiveCheck(['--json']);
    await emitSpans(endpoint, 'undeclared');
    cli.child.kill('SIGTERM');
    const { code, stdout } = await cli.exited;
    const report = JSON.parse(stdout);
    expect(report).to.include({ exitCode: 1, ok: false, checkedSpans: 1, receivedSpans: 1, manifest: 'tracing.yaml' });
    expect(report.violations).to.deep.equal([
      {
        rule: 'undeclared-attribute',
        span: 'calculate_prediction',
        key: 'app.unexpected_flag',
        message: 'calculate_prediction: attribute "app.unexpected_flag" is not declared',
        count: 1,
      },
    ]);
    expect(code).to.equal(1);
  });

  it('conforming spans pass, but not with --require-full-coverage when declared spans were not seen', async () => {
    const plain = await startLiveCheck([]);
    await emitSpans(plain.endpoint, 'conforming');
    plain.cli.child.kill('SIGTERM');
    expect((await plain.cli.exited).code).to.equal(0);

    const strict = await startLiveCheck(['--require-full-coverage']);
    await emitSpans(strict.endpoint, 'conforming');
    strict.cli.child.kill('SIGTERM');
    const { code, stdout } = await strict.cli.exited;
    expect(stdout).to.contain('  not seen: apply_injury_adjustment, calculate_confidence, load_player_stats');
    expect(code).to.equal(1);
  });

  it('exits 1 when --for runs out and nothing declared was seen', async () => {
    const { code, stdout, stderr } = await runCli(['live-check', ...PORTS, '--for', '0.5']).exited;
    expect(stderr).to.contain('until 0.5 s have passed');
    expect(stdout).to.contain('received 0 span(s); 0 with a declared name checked');
    expect(stdout).to.contain('no span with a declared name was given');
    expect(code).to.equal(1);
  });

  it('exits 2 on bad arguments, naming the option', async () => {
    const forWord = await runCli(['live-check', ...PORTS, '--for', 'soon']).exited;
    expect(forWord.stderr).to.contain(`spanwright live-check: option '--for' must be a number of seconds above 0 (up to a week), got "soon"`);
    expect(forWord.code).to.equal(2);
    const port = await runCli(['live-check', '--otlp-http-port', '70000']).exited;
    expect(port.stderr).to.contain(`option '--otlp-http-port' must be a port from 0 (any free port) to 65535, got "70000"`);
    expect(port.code).to.equal(2);
    const unknown = await runCli(['live-check', '--colour']).exited;
    expect(unknown.stderr).to.contain("Unknown option '--colour'");
    expect(unknown.code).to.equal(2);
  });

  it('exits 2 on an invalid or missing manifest, as file:line:col: error:', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nservice:\n  name: x\nspans:\n  CalcPrediction: {}\n');
    const invalid = await runCli(['live-check', ...PORTS, '--manifest', bad]).exited;
    expect(invalid.stderr).to.match(/bad\.yaml:5:3: error: span name "CalcPrediction" must be snake_case/);
    expect(invalid.stderr).not.to.match(/\n\s+at /); // no stack trace
    expect(invalid.code).to.equal(2);
    const missing = await runCli(['live-check', ...PORTS, '--manifest', 'nowhere.yaml']).exited;
    expect(missing.stderr).to.equal('spanwright live-check: nowhere.yaml: no such file\n');
    expect(missing.code).to.equal(2);
  });

  it('exits 2 when its port is taken, saying which', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runCli(['live-check', '--otlp-grpc-port', '0', '--otlp-http-port', String(port)]).exited;
      expect(stderr).to.contain(`spanwright live-check: port ${port} on 127.0.0.1 is in use`);
      expect(code).to.equal(2);
    } finally {
      taken.close();
    }
  });
});

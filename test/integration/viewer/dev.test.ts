/**
 * `spanwright dev` as a user runs it: the compiled CLI on ephemeral ports, OTLP from a hand-made
 * OTLP/JSON export and from the runtime over gRPC, read back through its JSON API; stopped by
 * SIGINT / SIGTERM.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { emitSpans, ROOT, runCli, type RunningCli } from './support';

const PORTS = ['--otlp-grpc-port', '0', '--otlp-http-port', '0', '--ui-port', '0'];
const TRACE_ID = '5b8efff798038103d269b633813fc60c';

interface Started {
  cli: RunningCli;
  ui: string;
  grpc: string;
  http: string;
  printed: string;
}

async function startDev(args: string[], cwd = ROOT): Promise<Started> {
  const cli = runCli(['dev', ...PORTS, ...args], cwd);
  const match = await cli.waitFor(/trace viewer at (http:\S+)\n {2}OTLP gRPC {2}(http:\S+)\n {2}OTLP HTTP {2}(http:\S+)\/v1\/traces[^]*Ctrl-C stops\.\n/);
  return { cli, ui: match[1]!, grpc: match[2]!, http: match[3]!, printed: match[0] };
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Two spans of one trace as OTLP/JSON: a server root and an ERROR child with an event. */
const EXPORT = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-sender' } }] },
      scopeSpans: [
        {
          scope: { name: 'handmade', version: '1.0.0' },
          spans: [
            {
              traceId: TRACE_ID,
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              name: 'charge card',
              kind: 3,
              startTimeUnixNano: '1700000000010000000',
              endTimeUnixNano: '1700000000030000000',
              attributes: [{ key: 'attempt', value: { intValue: '2' } }],
              events: [{ name: 'declined', timeUnixNano: '1700000000029000000', attributes: [{ key: 'reason', value: { stringValue: 'expired' } }] }],
              status: { code: 2, message: 'card declined' },
            },
            {
              traceId: TRACE_ID,
              spanId: 'eee19b7ec3c1b173',
              name: 'POST /checkout',
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000040000000',
              attributes: [{ key: 'http.request.method', value: { stringValue: 'POST' } }],
            },
          ],
        },
      ],
    },
  ],
};

describe('spanwright dev', function () {
  this.timeout(90_000);
  let dir: string;

  before(() => {
    expect(existsSync(path.join(ROOT, 'dist', 'generator', 'cli', 'main.js')), 'dist/generator/cli/main.js (run npm run build)').to.equal(true);
    dir = mkdtempSync(path.join(tmpdir(), 'spanwright-dev-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its URLs, serves what arrived over OTLP/JSON as JSON and pages, and stops on SIGINT', async () => {
    const dev = await startDev([], dir); // no tracing.yaml there: no findings, still runs
    expect(dev.printed).to.contain('  manifest   none (no tracing.yaml here; --manifest <file> adds conformance findings)');
    expect(dev.printed).to.contain(`point your services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${dev.http}`);
    const sent = await fetch(`${dev.http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(EXPORT) });
    expect(sent.status).to.equal(200);

    const list = await getJson(`${dev.ui}/api/traces`);
    expect(list.body.stats).to.deep.equal({ traces: 1, spans: 2, droppedTraces: 0, droppedSpans: 0 });
    expect(list.body.traces).to.deep.equal([
      {
        traceId: TRACE_ID,
        rootName: 'POST /checkout',
        rootService: 'json-sender',
        partial: false,
        services: ['json-sender'],
        spanCount: 2,
        startTimeUnixNano: '1700000000000000000',
        durationMs: 40,
        errors: 1,
        findings: 0,
      },
    ]);

    const trace = await getJson(`${dev.ui}/api/traces/${TRACE_ID.toUpperCase()}`);
    expect(trace.status).to.equal(200);
    expect(trace.body.spans.map((s: any) => s.name)).to.deep.equal(['POST /checkout', 'charge card']); // by start time
    expect(trace.body.spans[1]).to.deep.equal({
      traceId: TRACE_ID,
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      serviceName: 'json-sender',
      name: 'charge card',
      kind: 'CLIENT',
      startTimeUnixNano: '1700000000010000000',
      endTimeUnixNano: '1700000000030000000',
      durationMs: 20,
      attributes: { attempt: 2 },
      events: [{ name: 'declined', timeUnixNano: '1700000000029000000', attributes: { reason: 'expired' } }],
      links: [],
      status: { code: 'ERROR', message: 'card declined' },
      resource: { attributes: { 'service.name': 'json-sender' } },
      scope: { name: 'handmade', version: '1.0.0' },
      findings: [],
    });
    expect(trace.body.spans[0].parentSpanId).to.equal(null);

    const page = await fetch(`${dev.ui}/traces/${TRACE_ID}`);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(await page.text()).to.contain('<script src="/static/app.js"></script>');
    expect(await getJson(`${dev.ui}/api/traces/${'0'.repeat(32)}`)).to.deep.include({ status: 404 });
    expect(await getJson(`${dev.ui}/api/traces/nope`)).to.deep.equal({ status: 400, body: { error: 'trace id must be 32 hex digits, got "nope"' } });
    expect((await fetch(`${dev.ui}/api/traces`, { method: 'DELETE' })).status).to.equal(405);

    dev.cli.child.kill('SIGINT');
    const { code, stdout } = await dev.cli.exited;
    expect(stdout).to.contain('spanwright dev: stopped; held 1 trace(s), 2 span(s); dropped 0 older trace(s)');
    expect(code).to.equal(0);
  });

  it('takes the runtime\'s gRPC export and puts the manifest\'s findings on the span; stops on SIGTERM', async () => {
    const dev = await startDev(['--manifest', path.join(ROOT, 'tracing.yaml')]);
    expect(dev.printed).to.match(/ {2}manifest {3}\S*tracing\.yaml \(4 declared spans checked\)/);
    const traceId = await emitSpans(dev.grpc, 'undeclared', 'grpc-script', 'grpc');
    let body: any;
    for (let i = 0; i < 200 && body === undefined; i++) {
      const got = await getJson(`${dev.ui}/api/traces/${traceId}`);
      if (got.status === 200) body = got.body;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(body.spans).to.have.length(1);
    expect(body.spans[0]).to.include({ name: 'calculate_prediction', serviceName: 'grpc-script', kind: 'INTERNAL' });
    expect(body.spans[0].findings).to.deep.equal([
      { rule: 'undeclared-attribute', message: 'calculate_prediction: attribute "app.unexpected_flag" is not declared' },
    ]);
    dev.cli.child.kill('SIGTERM');
    expect((await dev.cli.exited).code).to.equal(0);
  });

  it('exits 2 when the UI port is taken, saying which, and does not hang', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runCli(['dev', '--otlp-grpc-port', '0', '--otlp-http-port', '0', '--ui-port', String(port)], dir).exited;
      expect(stderr).to.equal(
        `spanwright dev: port ${port} on 127.0.0.1 is in use (another viewer or collector?); choose others with the --*-port options (0: any free port)\n`,
      );
      expect(code).to.equal(2);
    } finally {
      taken.close();
    }
  });

  it('exits 2 on a bad port or an invalid manifest', async () => {
    const port = await runCli(['dev', '--ui-port', 'http']).exited;
    expect(port.stderr).to.contain(`spanwright dev: option '--ui-port' must be a port from 0 (any free port) to 65535, got "http"`);
    expect(port.code).to.equal(2);
    const bad = path.join(dir, 'tracing.yaml');
    writeFileSync(bad, 'version: 1\nservice:\n  name: x\nspans:\n  ok:\n    kind: sideways\n');
    const invalid = await runCli(['dev', ...PORTS], dir).exited; // the default tracing.yaml, present and invalid
    expect(invalid.stderr).to.contain('tracing.yaml:6:11: error: "kind" of span "ok" must be one of internal, server, client, producer, consumer; got "sideways"');
    expect(invalid.code).to.equal(2);
  });
});

import * as path from 'node:path';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { spawnWatched, type WatchedProcess } from '../watched-process';
import { startCollector } from './index';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(__dirname, 'main.ts');

/** `npm run collector -- <args>`, without npm in between. */
function runCollector(args: string[]): WatchedProcess {
  return spawnWatched('collector', process.execPath, ['--require', 'tsx/cjs', MAIN, ...args], ROOT);
}

describe('npm run collector', () => {
  it('listens where told, prints each received trace as a tree, and reports on Ctrl-C', async () => {
    const running = runCollector(['--grpc-port', '0', '--http-port', '0', '--settle-ms', '0']);
    const [, url] = await running.waitFor(/HTTP (http:\/\/127\.0\.0\.1:\d+\/v1\/traces)/);

    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'cli-check' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url }))],
    });
    const tracer = provider.getTracer('cli');
    const root = tracer.startSpan('GET /players', { kind: SpanKind.SERVER });
    tracer.startSpan('load', { attributes: { 'app.count': 2 } }, trace.setSpan(ROOT_CONTEXT, root)).end();
    root.end();
    await provider.shutdown();

    const traceId = root.spanContext().traceId;
    await running.waitFor(new RegExp(`trace ${traceId} \\(continued\\)`));
    running.child.kill('SIGINT');
    const { code, stdout, stderr } = await running.exited;
    expect(code, stderr).to.equal(0);
    const lines = stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('load') || l.startsWith('GET /players')).map((l) => l.replace(/\d+ µs|\d+\.\d+ ms/, 'T'))).to.deep.equal([
      'load  internal  T  [cli-check]  {app.count=2}',
      'GET /players  server  T  [cli-check]',
    ]);
    expect(lines).to.include('collector: stopped; 2 span(s) in 1 trace(s) from 2 export(s) (0 refused, 0 dropped, 0 invalid, 0 duplicate span(s))');
  });

  it('exits 2 with the problem and the usage for a bad option, without a stack trace', async () => {
    const { code, stdout, stderr } = await runCollector(['--grpc-port', 'x']).exited;
    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr.split('\n')[0]).to.equal('collector: --grpc-port must be a whole number from 0 to 65535, got "x"');
    expect(stderr).to.include('usage: npm run collector -- [--grpc-port 4317]');
    expect(stderr).not.to.match(/\n\s+at /);
  });

  it('exits 1 saying which port is taken', async () => {
    const other = await startCollector();
    try {
      const { code, stderr } = await runCollector(['--grpc-port', '0', '--http-port', String(other.httpPort)]).exited;
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal(
        `collector: port ${other.httpPort} on 127.0.0.1 is in use (another collector?); choose others with --grpc-port / --http-port`,
      );
    } finally {
      await other.close();
    }
  });
});

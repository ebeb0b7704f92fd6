import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';
import { startCollector } from '../../../support/collector';
import type { Collector, Protocol, SpanNode } from '../../../support/collector';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CHILD = path.join(__dirname, 'fixtures', 'traced-child.ts');
const API_KEY = 'e2e-honeycomb-key-5f3a';

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the fixture as a service is run: the generated bootstrap preloaded. */
function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '--require', './generated/bootstrap.ts', CHILD], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function shape(node: SpanNode): unknown {
  return [node.span.name, node.children.map(shape)];
}

describe('a process started with the runtime exports to the test collector', () => {
  let collector: Collector;

  before(async () => {
    collector = await startCollector();
  });
  beforeEach(() => collector.clear());
  after(async () => {
    await collector.close();
  });

  const cases: Array<{ protocol: Protocol; env: (c: Collector) => Record<string, string> }> = [
    { protocol: 'grpc', env: (c) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: c.grpcEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }) },
    // Not port 4317, so http/protobuf is inferred; /v1/traces is appended to the base endpoint.
    { protocol: 'http/protobuf', env: (c) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: c.httpEndpoint }) },
    { protocol: 'http/json', env: (c) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: c.httpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }) },
  ];

  for (const { protocol, env } of cases) {
    it(`over ${protocol}: every span of the trace, with HONEYCOMB_API_KEY as x-honeycomb-team`, async () => {
      const result = await runChild({
        ...env(collector),
        HONEYCOMB_API_KEY: API_KEY,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=spanwright',
        OTEL_SERVICE_NAME: 'e2e-child',
        OTEL_ENVIRONMENT: 'staging',
        OTEL_SAMPLING_RATIO: '1',
        OTEL_EXPORTER_CONSOLE: 'false',
        OTEL_RESOURCE_ATTRIBUTES: 'app.run=e2e',
      });
      expect(result.code, result.stderr).to.equal(0);
      const traceId = /^trace ([0-9a-f]{32})$/m.exec(result.stdout)?.[1];
      expect(traceId, result.stdout).to.be.a('string');
      expect(result.stdout).to.match(/^shut down$/m);

      // shutdown() flushed before the child printed "shut down": everything is here already.
      const spans = collector.spans();
      expect(spans.map((s) => s.name).sort()).to.deep.equal(['e2e failing step', 'e2e request', 'e2e step']);
      const trace = collector.trace(traceId!)!;
      expect(trace.roots.map(shape)).to.deep.equal([['e2e request', [['e2e step', []], ['e2e failing step', []]]]]);

      const root = trace.roots[0].span;
      expect(root.attributes).to.deep.equal({ 'app.count': 3, 'app.ratio': 0.5, 'app.tags': ['a', 'b'], 'app.ok': true });
      expect(root.attributeTypes).to.deep.equal({ 'app.count': 'int', 'app.ratio': 'double', 'app.tags': 'string[]', 'app.ok': 'boolean' });
      const step = spans.find((s) => s.name === 'e2e step')!;
      expect(step.events.map((e) => [e.name, e.attributes])).to.deep.equal([['checkpoint', { 'app.step': 1 }]]);
      const failing = spans.find((s) => s.name === 'e2e failing step')!;
      expect(failing.status.code).to.equal('ERROR');
      expect(failing.events.map((e) => [e.name, e.attributes['exception.message']])).to.deep.equal([['exception', 'expected failure']]);

      for (const span of spans) {
        expect(span.protocol).to.equal(protocol);
        expect(span.serviceName).to.equal('e2e-child');
        expect(span.resource.attributes).to.include({ 'deployment.environment.name': 'staging', 'app.run': 'e2e' });
        expect(span.headers).to.include({ 'x-honeycomb-team': API_KEY, 'x-tenant': 'spanwright' });
      }
      // The key travels in the header and nowhere else.
      expect(result.stdout + result.stderr).not.to.include(API_KEY);
    });
  }
});

import { status as GrpcStatus } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { startCollector } from '../../../support/collector';
import type { Collector, Protocol } from '../../../support/collector';
import { exportSpans, officialExporter, recordSpans } from './exporters';

const PROTOCOLS: Protocol[] = ['grpc', 'http/protobuf', 'http/json'];

function oneSpan(name: string): ReadableSpan[] {
  return recordSpans((provider) => provider.getTracer('faults').startSpan(name).end());
}

/** The error an export reported, as `{ code, message }` (gRPC status code or Node error code). */
function failure(result: { code: ExportResultCode; error?: Error }): { code: unknown; message: string } {
  expect(result.code, 'export result').to.equal(ExportResultCode.FAILED);
  const error = result.error as (Error & { code?: unknown }) | undefined;
  return { code: error?.code, message: error?.message ?? '' };
}

describe('test collector fault controls, seen by the official exporters', () => {
  for (const protocol of PROTOCOLS) {
    describe(protocol, () => {
      let collector: Collector;
      let exporters: SpanExporter[] = [];
      const exporter = (timeoutMillis: number): SpanExporter => {
        const made = officialExporter(protocol, collector, { timeoutMillis });
        exporters.push(made);
        return made;
      };

      before(async () => {
        collector = await startCollector();
      });
      beforeEach(async () => {
        if (!collector.running) await collector.restart();
        collector.resetFaults();
        collector.clear();
      });
      afterEach(async () => {
        await Promise.all(exporters.map((e) => e.shutdown()));
        exporters = [];
      });
      after(async () => {
        await collector.close();
      });

      it('a refused export reports failure to the exporter callback, and nothing is kept', async () => {
        collector.refuse();
        // A 500 ms timeout leaves no room for the exporter's first retry (backoff ≥ 800 ms): one attempt.
        const sender = exporter(500);
        const error = failure(await exportSpans(sender, oneSpan('refused')));
        if (protocol === 'grpc') {
          expect(error.code).to.equal(GrpcStatus.UNAVAILABLE);
          expect(error.message).to.equal('14 UNAVAILABLE: collector is refusing exports (test fault)');
        } else {
          expect(error.message).to.equal('Export failed with retryable status');
        }
        expect(collector.spans()).to.deep.equal([]);
        expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['refused']);

        collector.refuse(false);
        expect(await exportSpans(sender, oneSpan('accepted'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['accepted']);
      });

      if (protocol !== 'grpc') {
        it('a 503 with Retry-After: 0 is retried at once, and the spans arrive when the collector accepts', async () => {
          collector.refuse(true, { times: 2, retryAfterSeconds: 0 });
          const result = await exportSpans(exporter(5000), oneSpan('retried'));
          expect(result).to.deep.equal({ code: ExportResultCode.SUCCESS });
          expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['refused', 'refused', 'accepted']);
          expect(collector.spans().map((s) => s.name)).to.deep.equal(['retried']);
        });
      }

      it('a response delayed past the exporter timeout fails the export as a timeout', async () => {
        collector.delay(10_000);
        const sender = exporter(200);
        const error = failure(await exportSpans(sender, oneSpan('slow')));
        if (protocol === 'grpc') {
          expect(error.code).to.equal(GrpcStatus.DEADLINE_EXCEEDED);
          expect(error.message).to.match(/^4 DEADLINE_EXCEEDED: Deadline exceeded/);
        } else {
          expect(error.message).to.equal('Request timed out');
        }
        // The collector kept what arrived; only the answer was late.
        expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['accepted']);
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['slow']);

        collector.delay(0);
        collector.clear();
        expect(await exportSpans(sender, oneSpan('prompt'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['prompt']);
      });

      it('a response delayed within the exporter timeout succeeds', async () => {
        collector.delay(50);
        expect(await exportSpans(exporter(5000), oneSpan('patient'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['patient']);
      });

      it('a dropped connection fails the export and keeps nothing; export resumes when dropping stops', async () => {
        const sender = exporter(500);
        expect(await exportSpans(sender, oneSpan('before'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        collector.drop();
        const error = failure(await exportSpans(sender, oneSpan('dropped')));
        if (protocol === 'grpc') expect(error.code).to.equal(GrpcStatus.UNAVAILABLE);
        else expect(error.code).to.equal('ECONNRESET');
        expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['accepted', 'dropped']);

        collector.drop(false);
        expect(await exportSpans(sender, oneSpan('after'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['before', 'after']);
      });

      it('dropConnections() cuts open connections; the same exporter reconnects and delivers', async () => {
        const sender = exporter(500);
        expect(await exportSpans(sender, oneSpan('first'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        expect(collector.dropConnections()).to.be.at.least(1);
        // An export racing the cut may still be written to the dead connection and fail (as it
        // would against a real collector); the one after it must reconnect.
        const failures: unknown[] = [];
        for (let attempt = 1; attempt <= 2; attempt++) {
          const result = await exportSpans(sender, oneSpan('second'));
          if (result.code === ExportResultCode.SUCCESS) break;
          failures.push(failure(result).code);
        }
        expect(failures.length).to.be.at.most(1);
        expect(failures.filter((code) => code !== (protocol === 'grpc' ? GrpcStatus.UNAVAILABLE : 'ECONNRESET'))).to.deep.equal([]);
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['first', 'second']);
      });

      it('while stopped the export fails; after restart on the same port the same exporter delivers again', async () => {
        const sender = exporter(500);
        expect(await exportSpans(sender, oneSpan('before stop'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        const ports = [collector.grpcPort, collector.httpPort];

        await collector.stop();
        expect(collector.running).to.equal(false);
        const error = failure(await exportSpans(sender, oneSpan('while stopped')));
        // HTTP: refused, or reset when the agent reuses a keep-alive socket it has not yet seen close.
        if (protocol === 'grpc') expect(error.code).to.equal(GrpcStatus.UNAVAILABLE);
        else expect(error.code).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET']);

        await collector.restart();
        expect([collector.grpcPort, collector.httpPort]).to.deep.equal(ports);
        expect(await exportSpans(sender, oneSpan('after restart'))).to.deep.equal({ code: ExportResultCode.SUCCESS });
        expect(collector.spans().map((s) => s.name)).to.deep.equal(['before stop', 'after restart']);
      });
    });
  }
});

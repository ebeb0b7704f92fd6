/**
 * The runtime's three public entries, by audience: the user API (`@spanwright/runtime`), the
 * entry generated code imports (`/generated`) and the testing entry (`/testing`). Their value
 * exports are listed here exactly, so a name that leaks out, or goes missing, is a decision made
 * in this file; everything else in the package is internal and refused by `exports`.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as generatedEntry from '../../runtime/generated';
import * as userEntry from '../../runtime/index';
import * as testingEntry from '../../runtime/testing';

const RUNTIME = join(__dirname, '..', '..', 'runtime');

describe('runtime entries: three tiers', () => {
  it('the user API: tracing start and stop, the seed-style helpers, log correlation, conformance, doctor, configuration, the instrumentations', () => {
    expect(Object.keys(userEntry).sort()).to.deep.equal([
      'ConformanceError',
      'ConformanceSpanProcessor',
      'INSTRUMENTATIONS',
      'SEMCONV_NAMESPACES',
      'activeTracing',
      'addSpanAttributes',
      'addSpanEvent',
      'assertConformance',
      'checkConformance',
      'createLogger',
      'describeConfig',
      'diagnose',
      'doctorLines',
      'formatConformanceReport',
      'getSpanId',
      'getTraceId',
      'onShutdown',
      'probeEndpoint',
      'recordException',
      'resolveConfig',
      'runDoctor',
      'shutdown',
      'span',
      'spanFromConsoleJson',
      'startTracing',
      'traceFields',
      'traceMixin',
      'traced',
      'tracedAsync',
      'tracedMethod',
    ]);
  });

  it('the generated-code entry: the helper core, startTracing, and the seed-style API spans.ts re-exports', () => {
    expect(Object.keys(generatedEntry).sort()).to.deep.equal([
      'SpanKind',
      'TypedSpan',
      'addSpanAttributes',
      'addSpanEvent',
      'getSpanId',
      'getTraceId',
      'recordException',
      'runSpan',
      'span',
      'startTracing',
      'traced',
      'tracedAsync',
      'tracedMethod',
    ]);
  });

  it('the testing entry: the in-memory provider and the switches between providers', () => {
    expect(Object.keys(testingEntry).sort()).to.deep.equal(['resetTracerCache', 'setTracingEnabled', 'startTestProvider']);
  });

  it('no process-wide mutable state is exported from any entry', () => {
    for (const entry of [userEntry, generatedEntry, testingEntry]) expect(entry).to.not.have.property('tracingState');
  });

  it('the shared names are the same functions in every entry (one module instance behind them)', () => {
    expect(generatedEntry.startTracing).to.equal(userEntry.startTracing);
    expect(generatedEntry.span).to.equal(userEntry.span);
    expect(generatedEntry.addSpanEvent).to.equal(userEntry.addSpanEvent);
  });

  it('compiled, runSpan is a plain property, not a getter: generated helpers read it on every call', () => {
    const compiled = createRequire(__filename)(join(RUNTIME, 'dist', 'generated.js')) as object;
    const descriptor = Object.getOwnPropertyDescriptor(compiled, 'runSpan');
    expect(descriptor?.get).to.equal(undefined);
    expect(descriptor?.value).to.be.a('function');
  });

  it('package.json exports the three entries and nothing else, with types for node10 resolution too', () => {
    const pkg = JSON.parse(readFileSync(join(RUNTIME, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(pkg.exports).to.deep.equal({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './generated': { types: './dist/generated.d.ts', default: './dist/generated.js' },
      './testing': { types: './dist/testing.d.ts', default: './dist/testing.js' },
      './package.json': './package.json',
    });
    expect(pkg.typesVersions).to.deep.equal({ '*': { generated: ['dist/generated.d.ts'], testing: ['dist/testing.d.ts'] } });
  });
});

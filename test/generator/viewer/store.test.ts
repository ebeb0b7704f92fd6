/** The dev viewer's bounded store: what it keeps, what it drops first, and what the list says. */
import { expect } from 'chai';
import { resolveManifest } from '../../../generator/generate';
import type { ReceivedSpan } from '../../../generator/receiver';
import { TraceStore } from '../../../generator/viewer';

let nextSpan = 1;

function span(traceNumber: number, fields: Partial<ReceivedSpan> = {}): ReceivedSpan {
  const start = 1_700_000_000_000_000_000n + BigInt(traceNumber) * 1_000_000n;
  return {
    traceId: traceNumber.toString(16).padStart(32, '0'),
    spanId: (nextSpan++).toString(16).padStart(16, '0'),
    parentSpanId: undefined,
    traceState: '',
    flags: 1,
    name: `root ${traceNumber}`,
    kind: 'SERVER',
    startTimeUnixNano: start,
    endTimeUnixNano: start + 5_000_000n,
    attributes: {},
    attributeTypes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 'UNSET', message: '' },
    resource: { attributes: { 'service.name': 'svc' }, attributeTypes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    serviceName: 'svc',
    scope: { name: 's', version: '', attributes: {}, schemaUrl: '' },
    protocol: 'http/json',
    headers: {},
    requestId: 1,
    ...fields,
  };
}

const MANIFEST = resolveManifest(
  'version: 1\nservice:\n  name: svc\n  attributePrefix: app\nspans:\n  calculate_prediction:\n    attributes:\n      player_count: { type: int, required: true }\n',
  { file: 'tracing.yaml' },
);

describe('viewer TraceStore', () => {
  it('drops the oldest traces first past maxTraces, and counts them', () => {
    const store = new TraceStore(undefined, { maxTraces: 3, maxSpans: 100 });
    for (let n = 1; n <= 5; n++) store.add([span(n)]);
    expect(store.list().map((t) => t.rootName)).to.deep.equal(['root 5', 'root 4', 'root 3']);
    expect(store.stats()).to.include({ traces: 3, spans: 3, droppedTraces: 2, droppedSpans: 2 });
    expect(store.get(span(1).traceId)).to.equal(undefined);
  });

  it('drops whole traces past maxSpans, never the one that just grew while others are left', () => {
    const store = new TraceStore(undefined, { maxTraces: 100, maxSpans: 4 });
    store.add([span(1), span(1)]);
    store.add([span(2), span(2)]);
    store.add([span(3), span(3), span(3)]);
    expect(store.list().map((t) => t.traceId.slice(-1))).to.deep.equal(['3']);
    expect(store.stats()).to.include({ spans: 3, droppedTraces: 2, droppedSpans: 4 });
    // A trace bigger than the bound alone is kept whole rather than emptied.
    store.add([span(4), span(4), span(4), span(4), span(4)]);
    expect(store.stats()).to.include({ traces: 1, spans: 5 });
  });

  it('summarizes: root, services, duration, errors, a root still missing', () => {
    const store = new TraceStore(undefined);
    const root = span(7, { name: 'GET /', serviceName: 'api' });
    store.add([
      span(7, { name: 'child', parentSpanId: root.spanId, serviceName: 'db', status: { code: 'ERROR', message: 'x' }, endTimeUnixNano: root.startTimeUnixNano + 9_000_000n }),
    ]);
    expect(store.list()[0]).to.include({ rootName: 'child', partial: true, errors: 1 });
    store.add([root]);
    expect(store.list()[0]).to.deep.include({ rootName: 'GET /', rootService: 'api', partial: false, services: ['api', 'db'], spanCount: 2, durationMs: 9, errors: 1 });
  });

  it('checks each span against the manifest on arrival and keeps its findings', () => {
    const store = new TraceStore(MANIFEST);
    const bad = span(9, { name: 'calculate_prediction', kind: 'INTERNAL', attributes: { 'app.player_count': 1.5, 'app.extra': 'x' } });
    store.add([bad, span(9, { name: 'not declared', attributes: { anything: 1 } })]);
    const trace = store.get(bad.traceId)!;
    expect(trace.findings.get(bad.spanId)!.map((f) => f.message)).to.deep.equal([
      'calculate_prediction: attribute "app.player_count" must be int, got 1.5 (double)',
      'calculate_prediction: attribute "app.extra" is not declared',
    ]);
    expect(trace.findings.size).to.equal(1);
    expect(store.list()[0]!.findings).to.equal(2);
  });
});

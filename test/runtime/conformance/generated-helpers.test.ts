/**
 * The checker against what the generator really makes: the golden predictions
 * fixture's helpers (test/fixtures/predictions/generated) on a real SDK, checked
 * against that fixture's emitted manifest.
 */
import { expect } from 'chai';
import { assertConformance, checkConformance } from '@spanwright/runtime';
import { manifest } from '../../fixtures/predictions/generated/manifest';
import { spans } from '../../fixtures/predictions/generated/spans';
import { startTestProvider, type TestProvider } from '@spanwright/runtime/testing';

describe('conformance of the generated helpers', () => {
  let provider: TestProvider;
  before(() => {
    provider = startTestProvider();
  });
  after(() => provider.stop());

  beforeEach(() => provider.exporter.reset());

  it('finds nothing wrong with typed calls, and full coverage once every helper ran', async () => {
    await spans.handlePredictionRequest({ route: '/api/v1/nba/predictions', sport: 'nba' }, async () => {
      spans.calculatePrediction({ playerCount: 1, sport: 'nba', ranks: [1, 2], weight: 0.5 }, (span) => {
        span.predictionGenerated({ confidence: 0.9, playerId: '1628369' });
        span.cacheMiss();
        spans.fetchPlayerStats({ playerId: '1628369' }, (stats) => stats.setAttributes({ statusCode: 200 }));
      });
    });
    spans.warmCache(() => undefined);
    const result = assertConformance(provider.spans(), manifest, { requireFullCoverage: true, checkParents: true });
    expect(result.violations).to.deep.equal([]);
    expect(result.coverage.spans.every((span) => span.seen)).to.equal(true);
    expect(result.coverage.events.filter((event) => !event.seen).map((event) => event.name)).to.deep.equal(['model_warning']);
  });

  it('reports what untyped callers get past the compiler', () => {
    type RawSpan = { addEvent(name: string): void; setAttribute(key: string, value: boolean): void };
    const untyped = spans as unknown as Record<string, (attributes: object, fn: (span: { raw: RawSpan }) => void) => void>;
    untyped.calculatePrediction!({ playerCount: 1.5, sport: 'nhl', extra: true }, (span) => {
      span.raw.setAttribute('app.surprise', true);
      span.raw.addEvent('surprise');
    });
    const [recorded] = provider.spans();
    // The generated mapper writes declared fields only: an undeclared field never reaches the span.
    expect(recorded!.attributes).not.to.have.any.keys('extra', 'app.extra');
    expect(checkConformance(provider.spans(), manifest).violations.map((v) => v.message)).to.deep.equal([
      'calculate_prediction: attribute "app.player_count" must be int, got 1.5 (double)',
      'calculate_prediction: attribute "app.sport" is "nhl", not one of nba, nfl, mlb',
      'calculate_prediction: attribute "app.surprise" is not declared',
      'calculate_prediction: event "surprise" is not declared',
    ]);
  });
});

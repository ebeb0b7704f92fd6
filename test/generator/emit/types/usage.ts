/**
 * Correct use of generated helpers (test/fixtures/predictions): must compile
 * under strict (`npm run typecheck`). Never executed.
 */
import { addSpanEvent, span, spans, type CalculatePredictionSpan } from '../../../fixtures/predictions/generated/spans';

function record(span: CalculatePredictionSpan): void {
  span.predictionGenerated({ confidence: 0.9 });
  span.predictionGenerated({ confidence: 0.5, playerId: '1628369' });
  span.cacheMiss();
  span.modelWarning();
  span.modelWarning({ reason: 'stale model' });
  span.setAttributes({ modelVersion: 'v2', cached: true });
  span.setAttributes({ playerIds: ['1', '2'], scores: [1.5], ranks: [1, 2], flags: [true] });
  span.setAttributes({ sport: 'nfl' });
  span.recordException(new Error('ignored'));
}

export async function usage(): Promise<void> {
  // The return value keeps its type, sync and async.
  const count: number = spans.calculatePrediction({ playerCount: 2 }, (span) => {
    record(span);
    return 2;
  });
  const label: string = await spans.calculatePrediction({ playerCount: 1, sport: 'nba', playerId: '7' }, async () => 'done');
  const sorted: readonly string[] = ['b', 'a'];
  await spans.handlePredictionRequest({ route: '/api/v1/nba/predictions', sport: 'mlb' }, async (span) => {
    span.setAttributes({ route: '/other' });
    await spans.fetchPlayerStats({ playerId: '1628369' }, async (client) => client.setAttributes({ statusCode: 200 }));
  });
  spans.warmCache((span) => span.traceId);
  spans.calculatePrediction({ playerCount: sorted.length, playerIds: sorted }, () => undefined);
  // The seed-style API comes along for code without a manifest entry yet.
  const untyped: number = span('legacy_step', { 'legacy.id': 1 }, () => {
    addSpanEvent('legacy_event', { ok: true });
    return 1;
  });
  void count;
  void label;
  void untyped;
}

/**
 * Misuse of generated helpers (test/fixtures/predictions). Each line under a
 * `@ts-expect-error` must fail to compile: if a helper stops catching a
 * misuse, the directive is unused and `npm run typecheck` fails.
 * test/generator/emit/types.test.ts also checks each line fails for the reason named.
 * Never executed.
 */
import { spans } from '../../../fixtures/predictions/generated/spans';

export function misuse(): void {
  // unknown key
  // @ts-expect-error misuse: unknown-key
  spans.calculatePrediction({ playerCount: 1, playerCnt: 2 }, () => 0);

  // wrong type
  // @ts-expect-error misuse: wrong-type
  spans.calculatePrediction({ playerCount: '1' }, () => 0);

  // missing required attribute
  // @ts-expect-error misuse: missing-required
  spans.calculatePrediction({ modelVersion: 'v1' }, () => 0);

  // enum value not declared
  // @ts-expect-error misuse: bad-enum
  spans.handlePredictionRequest({ route: '/', sport: 'nhl' }, () => 0);

  // array attribute given a scalar
  // @ts-expect-error misuse: wrong-array
  spans.calculatePrediction({ playerCount: 1, playerIds: '1' }, () => 0);

  // a span without attributes takes none
  // @ts-expect-error misuse: no-attributes
  spans.warmCache({ anything: 1 }, () => 0);

  spans.calculatePrediction({ playerCount: 1 }, (span) => {
    // undeclared event
    // @ts-expect-error misuse: undeclared-event
    span.playerScored();

    // wrong event attribute
    // @ts-expect-error misuse: wrong-event-attribute
    span.predictionGenerated({ confidence: 0.9, confidance: 1 });

    // event attribute of the wrong type
    // @ts-expect-error misuse: wrong-event-type
    span.predictionGenerated({ confidence: 'high' });

    // event missing its required attribute
    // @ts-expect-error misuse: missing-event-required
    span.predictionGenerated({});

    // unknown setAttributes key
    // @ts-expect-error misuse: unknown-set-key
    span.setAttributes({ playerCnt: 2 });

    // setAttributes with an attribute of another span
    // @ts-expect-error misuse: other-span-key
    span.setAttributes({ route: '/api' });

    // an event without attributes takes none
    // @ts-expect-error misuse: event-without-attributes
    span.cacheMiss({ hit: false });
  });

  // undeclared span
  // @ts-expect-error misuse: undeclared-span
  spans.calculatePredictions({ playerCount: 1 }, () => 0);
}

import { expect } from 'chai';
import type { ManifestModel, SpanModel } from '../../../runtime/manifest/model';
import { diffManifests, findRenames, type Change } from '../../../generator/changes/diff';
import { attribute, event, manifestWith, span } from '../../runtime/conformance/fixtures/predictions-model';

const base = (): SpanModel =>
  span(
    'calculate_prediction',
    'internal',
    [
      attribute('player_count', 'int', { required: true }),
      attribute('model_version', 'string'),
      attribute('sport', 'enum', { values: ['nba', 'nfl', 'mlb'] }),
    ],
    [event('prediction_generated', [attribute('confidence', 'double', { required: true })])],
    { description: 'Runs the model' },
  );

const withSpan = (change: (span: SpanModel) => SpanModel, others: SpanModel[] = []): ManifestModel =>
  manifestWith([change(base()), ...others]);

const P = 'spans.calculate_prediction';

describe('diffManifests', () => {
  const cases: [string, { old: ManifestModel; new: ManifestModel }, Change[]][] = [
    ['no changes', { old: withSpan((s) => s), new: withSpan((s) => s) }, []],
    [
      'a span added',
      { old: withSpan((s) => s), new: withSpan((s) => s, [span('apply_injury', 'internal')]) },
      [{ level: 'span', path: 'spans.apply_injury', kind: 'added', breaking: false, message: 'span "apply_injury" added' }],
    ],
    [
      'a span removed',
      { old: withSpan((s) => s, [span('apply_injury', 'internal')]), new: withSpan((s) => s) },
      [{ level: 'span', path: 'spans.apply_injury', kind: 'removed', breaking: true, message: 'span "apply_injury" removed' }],
    ],
    [
      'a span renamed with renamed_from',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({ ...s, name: 'compute_prediction', tsName: 'computePrediction', renamedFrom: 'calculate_prediction' })),
      },
      [
        {
          level: 'span',
          path: 'spans.compute_prediction',
          kind: 'renamed',
          breaking: true,
          message:
            'span "calculate_prediction" renamed to "compute_prediction" (helper spans.calculatePrediction → spans.computePrediction)',
        },
      ],
    ],
    [
      'a span renamed without renamed_from is a removal and an addition',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({ ...s, name: 'compute_prediction', tsName: 'computePrediction' })),
      },
      [
        { level: 'span', path: P, kind: 'removed', breaking: true, message: 'span "calculate_prediction" removed' },
        { level: 'span', path: 'spans.compute_prediction', kind: 'added', breaking: false, message: 'span "compute_prediction" added' },
      ],
    ],
    [
      'a stale renamed_from (the old name is gone already) is no rename',
      { old: withSpan((s) => s), new: withSpan((s) => ({ ...s, renamedFrom: 'older_name' })) },
      [],
    ],
    [
      'kind, description and parents changed',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({ ...s, kind: 'server', description: 'Runs it', parents: ['handle_request'] })),
      },
      [
        { level: 'span', path: P, kind: 'changed', breaking: true, message: 'span "calculate_prediction": kind changed from internal to server' },
        { level: 'span', path: P, kind: 'changed', breaking: false, message: 'span "calculate_prediction": description changed' },
        {
          level: 'span',
          path: P,
          kind: 'changed',
          breaking: false,
          message: 'span "calculate_prediction": parents changed from (none) to handle_request',
        },
      ],
    ],
    [
      'an optional attribute added, a required one added, one removed',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({
          ...s,
          attributes: [
            attribute('player_count', 'int', { required: true }),
            attribute('sport', 'enum', { values: ['nba', 'nfl', 'mlb'] }),
            attribute('team', 'string'),
            attribute('season', 'int', { required: true }),
          ],
        })),
      },
      [
        {
          level: 'attribute',
          path: `${P}.attributes.model_version`,
          kind: 'removed',
          breaking: true,
          message: 'attribute "model_version" (app.model_version) removed from span "calculate_prediction"',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.season`,
          kind: 'added',
          breaking: true,
          message: 'required attribute "season" added to span "calculate_prediction" (every call must now pass it)',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.team`,
          kind: 'added',
          breaking: false,
          message: 'attribute "team" added to span "calculate_prediction"',
        },
      ],
    ],
    [
      'an attribute renamed (its key follows)',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({
          ...s,
          attributes: s.attributes.map((a) =>
            a.name === 'model_version'
              ? attribute('model_tag', 'string', { renamedFrom: 'model_version' })
              : a,
          ),
        })),
      },
      [
        {
          level: 'attribute',
          path: `${P}.attributes.model_tag`,
          kind: 'renamed',
          breaking: true,
          message: 'attribute "model_version" of span "calculate_prediction" renamed to "model_tag"',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.model_tag`,
          kind: 'changed',
          breaking: true,
          message: 'attribute "model_tag" of span "calculate_prediction": key changed from app.model_version to app.model_tag',
        },
      ],
    ],
    [
      'type and key changed, made required, made optional',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({
          ...s,
          attributes: [
            attribute('player_count', 'double', { key: 'app.players' }),
            attribute('model_version', 'string', { required: true }),
            s.attributes[2]!,
          ],
        })),
      },
      [
        {
          level: 'attribute',
          path: `${P}.attributes.model_version`,
          kind: 'changed',
          breaking: true,
          message: 'attribute "model_version" of span "calculate_prediction" is now required',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.player_count`,
          kind: 'changed',
          breaking: true,
          message: 'attribute "player_count" of span "calculate_prediction": key changed from app.player_count to app.players',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.player_count`,
          kind: 'changed',
          breaking: true,
          message: 'attribute "player_count" of span "calculate_prediction": type changed from int to double',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.player_count`,
          kind: 'changed',
          breaking: false,
          message: 'attribute "player_count" of span "calculate_prediction" is no longer required',
        },
      ],
    ],
    [
      'enum values removed and added',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({
          ...s,
          attributes: s.attributes.map((a) => (a.name === 'sport' ? { ...a, values: ['nba', 'nhl'] } : a)),
        })),
      },
      [
        {
          level: 'attribute',
          path: `${P}.attributes.sport`,
          kind: 'changed',
          breaking: true,
          message: 'attribute "sport" of span "calculate_prediction": enum value "nfl" removed',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.sport`,
          kind: 'changed',
          breaking: true,
          message: 'attribute "sport" of span "calculate_prediction": enum value "mlb" removed',
        },
        {
          level: 'attribute',
          path: `${P}.attributes.sport`,
          kind: 'changed',
          breaking: false,
          message: 'attribute "sport" of span "calculate_prediction": enum value "nhl" added',
        },
      ],
    ],
    [
      'events added and removed, and an event attribute changed',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({
          ...s,
          events: [event('prediction_generated', [attribute('confidence', 'int', { required: true })]), event('cache_miss')],
        })),
      },
      [
        {
          level: 'event',
          path: `${P}.events.cache_miss`,
          kind: 'added',
          breaking: false,
          message: 'event "cache_miss" added to span "calculate_prediction"',
        },
        {
          level: 'attribute',
          path: `${P}.events.prediction_generated.attributes.confidence`,
          kind: 'changed',
          breaking: true,
          message:
            'attribute "confidence" of event "prediction_generated" of span "calculate_prediction": type changed from double to int',
        },
      ],
    ],
    [
      'an event removed',
      { old: withSpan((s) => s), new: withSpan((s) => ({ ...s, events: [] })) },
      [
        {
          level: 'event',
          path: `${P}.events.prediction_generated`,
          kind: 'removed',
          breaking: true,
          message: 'event "prediction_generated" removed from span "calculate_prediction"',
        },
      ],
    ],
    [
      'an event renamed (renamed_from on the event)',
      {
        old: withSpan((s) => s),
        new: withSpan((s) => ({
          ...s,
          events: [{ ...event('prediction_made', [...s.events[0]!.attributes]), renamedFrom: 'prediction_generated' }],
        })),
      },
      [
        {
          level: 'event',
          path: `${P}.events.prediction_made`,
          kind: 'renamed',
          breaking: true,
          message:
            'event "prediction_generated" of span "calculate_prediction" renamed to "prediction_made" (method span.predictionGenerated → span.predictionMade)',
        },
      ],
    ],
  ];

  for (const [title, given, want] of cases) {
    it(title, () => {
      expect(diffManifests(given.old, given.new)).to.deep.equal(want);
    });
  }

  it('orders changes by span name, then attributes, then events', () => {
    const changes = diffManifests(
      manifestWith([span('b', 'internal', [attribute('x', 'int')]), span('d', 'internal')]),
      manifestWith([span('a', 'internal'), span('b', 'internal', [attribute('y', 'int')], [event('e')]), span('c', 'internal')]),
    );
    expect(changes.map((c) => `${c.kind} ${c.path}`)).to.deep.equal([
      'added spans.a',
      'removed spans.b.attributes.x',
      'added spans.b.attributes.y',
      'added spans.b.events.e',
      'added spans.c',
      'removed spans.d',
    ]);
  });
});

describe('findRenames', () => {
  it('groups span, attribute and event-attribute renames by the old helper', () => {
    const old = withSpan((s) => s);
    const renamed = withSpan((s) => ({
      ...s,
      name: 'compute_prediction',
      tsName: 'computePrediction',
      renamedFrom: 'calculate_prediction',
      attributes: s.attributes.map((a) =>
        a.name === 'player_count' ? attribute('players', 'int', { required: true, renamedFrom: 'player_count' }) : a,
      ),
      events: [event('prediction_generated', [attribute('certainty', 'double', { required: true, renamedFrom: 'confidence' })])],
    }));
    const [only, ...rest] = findRenames(old, renamed);
    expect(rest).to.deep.equal([]);
    expect(only!.old.tsName).to.equal('calculatePrediction');
    expect(only!.new.tsName).to.equal('computePrediction');
    expect(only!.renamed).to.equal(true);
    expect(only!.attributes.map((r) => `${r.from.tsName}→${r.to.tsName}`)).to.deep.equal(['playerCount→players']);
    expect(only!.events.map((e) => [e.old.tsName, e.renamed, e.attributes.map((r) => `${r.from.tsName}→${r.to.tsName}`)])).to.deep.equal([
      ['predictionGenerated', false, ['confidence→certainty']],
    ]);
  });

  it('lists nothing when nothing was renamed', () => {
    expect(findRenames(withSpan((s) => s), withSpan((s) => ({ ...s, kind: 'server' })))).to.deep.equal([]);
  });
});

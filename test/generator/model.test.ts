/** generator/model.ts: the resolved ManifestModel, defaults applied once. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveManifest, sourceName } from '../../generator';
import { manifest } from './support';

const ROOT = resolve(__dirname, '..', '..');

describe('resolved manifest model', () => {
  it('applies the defaults: prefix app, kind internal, a development environment, every instrumentation off', () => {
    const model = resolveManifest(manifest('  tick:\n    attributes:\n      n: { type: int }\n'));
    expect(model.service).to.deep.equal({ name: 'svc', attributePrefix: 'app' });
    expect(model.environments).to.deep.equal({ development: { name: 'development', sampling: 1, console: true, rules: [] } });
    expect(model.instrumentation).to.deep.equal({});
    expect(model.spans).to.deep.equal([
      {
        name: 'tick',
        tsName: 'tick',
        kind: 'internal',
        attributes: [{ name: 'n', tsName: 'n', key: 'app.n', type: 'int', required: false, location: { line: 7, col: 7 } }],
        events: [],
        location: { line: 5, col: 3 },
      },
    ]);
  });

  it('turns instrumentations on with true or an options object, off with false', () => {
    const model = resolveManifest(
      manifest('  a: {}\n', 'instrumentation:\n  http: { ignoreIncomingPaths: [/healthz] }\n  koa: true\n  knex: {}\n  fetch: false\n'),
    );
    expect(model.instrumentation).to.deep.equal({
      http: { ignoreIncomingPaths: ['/healthz'] },
      koa: { layers: ['router'] },
      knex: { maxQueryLength: 1000 },
    });
  });

  it('koa layers: router by default, as given otherwise, no koa options when koa is off', () => {
    const koa = (given: string): unknown => resolveManifest(manifest('  a: {}\n', `instrumentation:\n  koa: ${given}\n`)).instrumentation.koa;
    expect(koa('true')).to.deep.equal({ layers: ['router'] });
    expect(koa('{}')).to.deep.equal({ layers: ['router'] });
    expect(koa('{ layers: [router, middleware] }')).to.deep.equal({ layers: ['router', 'middleware'] });
    expect(koa('{ layers: [] }')).to.deep.equal({ layers: [] });
    expect(koa('false')).to.equal(undefined);
  });

  it('resolves refs (type, values, key, description from the shared attribute; required locally) and sorts by name', () => {
    const model = resolveManifest(readFileSync(join(ROOT, 'test/fixtures/predictions/tracing.yaml'), 'utf8'));
    expect(model.spans.map((s) => s.name)).to.deep.equal(['calculate_prediction', 'fetch_player_stats', 'handle_prediction_request', 'warm_cache']);
    const request = model.spans.find((s) => s.name === 'handle_prediction_request')!;
    expect(request.renamedFrom).to.equal('prediction_request');
    expect(request.attributes.map(({ location: _, ...a }) => a)).to.deep.equal([
      { name: 'route', tsName: 'route', key: 'http.route', type: 'string', required: true, ref: 'route' },
      { name: 'sport', tsName: 'sport', key: 'app.sport', type: 'enum', values: ['nba', 'nfl', 'mlb'], required: true, description: 'The league', ref: 'sport' },
    ]);
    const calc = model.spans.find((s) => s.name === 'calculate_prediction')!;
    expect(calc.parents).to.deep.equal(['handle_prediction_request']);
    expect(calc.events.map((e) => e.name)).to.deep.equal(['cache_miss', 'model_warning', 'prediction_generated']);
    expect(calc.attributes.find((a) => a.name === 'weight')!.renamedFrom).to.equal('factor');
    expect(model.environments.production!.rules).to.deep.equal([
      { route: '/healthz', sampling: 0 },
      { route: '/api/v1/nba/*', sampling: 0.25 },
    ]);
    expect(model.environments.development!.consoleFormat).to.equal('tree');
    expect(model.service.version).to.equal('1.4.0');
    expect(model.instrumentation.knex).to.deep.equal({ maxQueryLength: 500 });
  });

  it('names the manifest relative to the output directory parent', () => {
    expect(sourceName(join(ROOT, 'tracing.yaml'), join(ROOT, 'generated'))).to.equal('tracing.yaml');
    expect(sourceName('/p/config/tracing.yaml', '/p/src/generated')).to.equal('../config/tracing.yaml');
  });
});

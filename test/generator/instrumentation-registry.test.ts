/**
 * runtime/instrumentation/registry.ts: one definition per instrumentation, and everything about
 * instrumentations (schema, model, doctor, TRACING.md, what we patch) derived from the list.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { renderInstrumentation } from '../../generator/emit/tracing-md';
import { instrumentationModel } from '../../generator/model';
import { compileSchema } from '../../generator/validate';
import { resolveConfig } from '../../runtime/config/resolve';
import type { InstrumentationDefinition } from '../../runtime/instrumentation/definition';
import { createInstrumentations, declaredInstrumentations, INSTRUMENTATIONS, modulesLoadedEarly } from '../../runtime/instrumentation/registry';
import { makeManifest } from '../runtime/manifest-fixture';
import { schemaFromRegistry, SCHEMA_FILE } from '../fixtures/update';

const ROOT = resolve(__dirname, '..', '..');

/** A throwaway instrumentation with one option, registered nowhere but in these tests. */
interface RedisOptions {
  readonly maxCommandLength: number;
}
const created: RedisOptions[] = [];
const redis: InstrumentationDefinition<RedisOptions> = {
  key: 'redis',
  name: 'redis',
  package: '@opentelemetry/instrumentation-redis',
  description: 'Redis command spans (@opentelemetry/instrumentation-redis).',
  options: { maxCommandLength: { description: 'db.query.text is cut to this many characters.', type: 'integer', minimum: 0 } },
  patches: [{ modules: ['redis'], what: 'the redis client', where: '@opentelemetry/instrumentation-redis', why: 'command spans', watchLoadOrder: true }],
  resolve: (given) => ({ maxCommandLength: given.maxCommandLength ?? 100 }),
  create(options) {
    created.push(options);
    return [];
  },
  describe: (options) => `redis (≤ ${options.maxCommandLength} chars)`,
  notes: (options) => `commands cut to ${options.maxCommandLength} characters`,
};
const WITH_REDIS = [...INSTRUMENTATIONS, redis];

function manifestData(instrumentation: string): unknown {
  return parse(`version: 1\nservice: { name: svc }\ninstrumentation:\n${instrumentation}`);
}

describe('instrumentation registry', () => {
  it('lists each instrumentation once, in load order', () => {
    expect(INSTRUMENTATIONS.map((d) => d.key)).to.deep.equal(['http', 'koa', 'knex', 'fetch', 'pino']);
  });

  it('gives the instrumentation block of the committed schema/tracing.schema.json', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed === schemaFromRegistry(), 'schema/tracing.schema.json differs from the registry: run npm run fixtures:update').to.equal(true);
  });

  it('lists every patch of every definition in the "What we patch" table of docs/architecture.md', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## What we patch'));
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| what is patched'))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '')));
    for (const definition of INSTRUMENTATIONS) {
      for (const patch of definition.patches) {
        const row = rows.find(([what]) => what === patch.what);
        expect(row, `${definition.key}: no row "${patch.what}" in docs/architecture.md`).to.not.equal(undefined);
        expect(row![1], `${definition.key}: "${patch.what}" is done by ${patch.where}`).to.include(`\`${patch.where}\``);
      }
    }
  });

  it('loads no OpenTelemetry instrumentation package until one is created', () => {
    const script = "require('./runtime/instrumentation/registry'); process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('@opentelemetry/instrumentation-'))));";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).to.equal('');
    expect(JSON.parse(run.stdout)).to.deep.equal([]);
  });

  describe('registering a definition is all it takes (a throwaway redis)', () => {
    it('the schema accepts its options, and only them, once it is in the list', () => {
      const given = manifestData('  redis: { maxCommandLength: 50 }\n');
      expect(compileSchema()(given), 'not registered: an unknown key').to.equal(false);
      const validate = compileSchema(WITH_REDIS);
      expect(validate(given), JSON.stringify(validate.errors)).to.equal(true);
      expect(validate(manifestData('  redis: true\n'))).to.equal(true);
      expect(validate(manifestData('  redis: { maxCommand: 50 }\n'))).to.equal(false);
    });

    it('the model carries its resolved options', () => {
      expect(instrumentationModel({ redis: { maxCommandLength: 50 }, knex: true }, WITH_REDIS)).to.deep.equal({
        knex: { maxQueryLength: 1000 },
        redis: { maxCommandLength: 50 },
      });
      expect(instrumentationModel({ redis: true }, WITH_REDIS)).to.deep.equal({ redis: { maxCommandLength: 100 } });
      expect(instrumentationModel({ redis: false }, WITH_REDIS)).to.deep.equal({});
    });

    it('doctor describes it, the bootstrap creates it and watches its module, TRACING.md lists it', () => {
      const model = instrumentationModel({ http: true, redis: { maxCommandLength: 50 } }, WITH_REDIS);
      const { config } = resolveConfig(makeManifest({ instrumentation: model }), {});
      expect(declaredInstrumentations(config, WITH_REDIS)).to.deep.equal(['http', 'redis (≤ 50 chars)']);
      created.length = 0;
      createInstrumentations({ ...config, instrumentation: { redis: model.redis! } }, {}, WITH_REDIS);
      expect(created).to.deep.equal([{ maxCommandLength: 50 }]);
      const cache = { '/app/node_modules/redis/index.js': undefined } as unknown as NodeJS.Require['cache'];
      expect(modulesLoadedEarly(cache, WITH_REDIS)).to.deep.equal(['redis']);
      const table = renderInstrumentation(makeManifest({ instrumentation: model }), WITH_REDIS).split('\n');
      expect(table.at(-1)).to.equal('| redis | on | commands cut to 50 characters |');
      expect(renderInstrumentation(makeManifest({ instrumentation: {} }), WITH_REDIS).split('\n').at(-1)).to.equal('| redis | off |  |');
    });
  });
});

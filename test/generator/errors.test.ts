/**
 * Invalid manifests: each problem as `<file>:<line>:<col>: error: <message>`,
 * all of them in one run, exit 2, and nothing written.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostics, generate, ManifestError } from '../../generator';
import { manifest, runCli, tempDir } from './support';

/** [title, manifest text, expected `line:col: message` lines in order]. */
const CASES: [string, string, string[]][] = [
  // YAML syntax
  ['an unclosed flow mapping', 'version: 1\nservice: { name: svc\nspans: {}\n', ['3:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }']],
  ['a duplicate span name', manifest('  a: {}\n  a: {}\n'), ['6:3: invalid YAML: duplicate key "a" (first on line 5)']],
  ['a duplicate attribute name', manifest('  a:\n    attributes:\n      x: { type: int }\n      y: { type: int }\n      x: { type: string }\n'), ['9:7: invalid YAML: duplicate key "x" (first on line 7)']],
  ['a tab used for indentation', 'version: 1\nservice:\n\tname: svc\n', ['3:1: invalid YAML: Tabs are not allowed as indentation']],
  ['an empty file', '', ['1:1: the manifest is empty; it needs at least "version" and "service"']],
  ['a list instead of a mapping', '- a\n- b\n', ['1:1: the manifest must be a mapping, got a list']],
  // schema
  ['a missing version', 'service:\n  name: svc\n', ['1:1: missing required field "version"']],
  ['an unknown version', 'version: 2\nservice:\n  name: svc\n', ['1:10: "version" must be 1, got 2']],
  ['a service without name', 'version: 1\nservice:\n  version: "1.0"\n', ['2:1: missing required field "name" in service']],
  ['an empty service name', 'version: 1\nservice:\n  name: ""\n', ['3:9: "name" of service must not be empty']],
  ['an unknown top-level field', manifest('  a: {}\n').replace('spans:', 'span:'), ['4:1: unknown field "span" in the manifest (did you mean "spans"? allowed: version, service, environments, peers, instrumentation, attributes, spans)']],
  ['a bad attributePrefix', manifest('  a: {}\n').replace('  name: svc\n', '  name: svc\n  attributePrefix: App\n'), ['4:20: "attributePrefix" of service must be lower-case words joined by "." and "_" (e.g. app), got "App"']],
  ['a span name not in snake_case', manifest('  CalcPrediction:\n    kind: internal\n'), ['5:3: span name "CalcPrediction" must be snake_case (e.g. "calc_prediction")']],
  ['an attribute name with a dash', manifest('  a:\n    attributes:\n      player-id: { type: string }\n'), ['7:7: attribute name "player-id" in span "a" must be snake_case (e.g. "player_id")']],
  ['an event name in upper case', manifest('  a:\n    events:\n      Scored: {}\n'), ['7:7: event name "Scored" in span "a" must be snake_case (e.g. "scored")']],
  ['a misspelt span field', manifest('  calc:\n    atributes:\n      x: { type: int }\n'), ['6:5: unknown field "atributes" in span "calc" (did you mean "attributes"? allowed: description, kind, attributes, events, parents, renamed_from)']],
  ['an unknown attribute type', manifest('  a:\n    attributes:\n      n: { type: integer }\n'), ['7:18: "type" of attribute "n" of span "a" must be one of string, int, double, boolean, enum, string[], int[], double[], boolean[]; got "integer" (did you mean "int"?)']],
  ['an attribute with no definition', manifest('  a:\n    attributes:\n      x:\n      y: { type: int }\n'), ['7:7: attribute "x" of span "a" must be a mapping, got nothing']],
  ['a span that is a string', manifest('  b: "hello"\n'), ['5:6: span "b" must be a mapping or empty, got "hello"']],
  ['a peer that is a number', manifest('  a: {}\n', 'peers:\n  stats.api: 5\n'), ['5:14: peer "stats.api" must be a mapping, got 5']],
  ['an unknown span kind', manifest('  a:\n    kind: internl\n'), ['6:11: "kind" of span "a" must be one of internal, server, client, producer, consumer; got "internl" (did you mean "internal"?)']],
  ['a sampling ratio above 1', manifest('  a: {}\n', 'environments:\n  production: { sampling: 1.5 }\n'), ['5:27: "sampling" of environment "production" must be between 0 and 1, got 1.5']],
  ['a sampling ratio that is not a number', manifest('  a: {}\n', 'environments:\n  production: { sampling: high }\n'), ['5:27: "sampling" of environment "production" must be a number, got "high"']],
  ['an unknown console format', manifest('  a: {}\n', 'environments:\n  development: { consoleFormat: yaml }\n'), ['5:33: "consoleFormat" of environment "development" must be one of json, tree; got "yaml"']],
  ['a sampling rule without sampling', manifest('  a: {}\n', 'environments:\n  production:\n    rules:\n      - { route: /healthz }\n'), ['7:9: missing required field "sampling" in rule 1 of environment "production"']],
  ['a rule route without a leading slash', manifest('  a: {}\n', 'environments:\n  production:\n    rules:\n      - { route: healthz, sampling: 0 }\n'), ['7:18: "route" of rule 1 of environment "production" must start with "/", got "healthz"']],
  ['a peer without host', manifest('  a: {}\n', 'peers:\n  espn: { url: http://x }\n'), ['5:3: missing required field "host" in peer "espn"', '5:11: unknown field "url" in peer "espn" (allowed: host)']],
  ['an unknown instrumentation', manifest('  a: {}\n', 'instrumentation:\n  express: true\n'), ['5:3: unknown field "express" in instrumentation (allowed: http, koa, knex, fetch, pino)']],
  ['a negative maxQueryLength', manifest('  a: {}\n', 'instrumentation:\n  knex: { maxQueryLength: -1 }\n'), ['5:27: "maxQueryLength" of instrumentation "knex" must be at least 0, got -1']],
  ['an instrumentation switch that is a string', manifest('  a: {}\n', 'instrumentation:\n  http: yes\n'), ['5:9: instrumentation "http" must be true, false or a mapping, got "yes"']],
  ['an option an instrumentation does not take', manifest('  a: {}\n', 'instrumentation:\n  koa: { ignoreLayers: [] }\n'), ['5:10: unknown field "ignoreLayers" in instrumentation "koa" (allowed: layers)']],
  ['an option an instrumentation does not take', manifest('  a: {}\n', 'instrumentation:\n  fetch: { layers: [] }\n'), ['5:12: unknown field "layers" in instrumentation "fetch" (it takes no options; use true)']],
  ['an unknown koa layer', manifest('  a: {}\n', 'instrumentation:\n  koa: { layers: [router, routes] }\n'), ['5:27: layers[1] of instrumentation "koa" must be one of router, middleware; got "routes" (did you mean "router"?)']],
  ['a koa layer given twice', manifest('  a: {}\n', 'instrumentation:\n  koa: { layers: [router, router] }\n'), ['5:27: "layers" of instrumentation "koa" lists "router" twice']],
  // semantic checks
  ['a ref to an undefined attribute', manifest('  a:\n    attributes:\n      player: { ref: plyer_id }\n', 'attributes:\n  player_id: { type: string }\n'), ['9:22: ref "plyer_id" of attribute "player" of span "a" is not a shared attribute (did you mean "player_id"? declared: player_id)']],
  ['a ref with no shared attributes at all', manifest('  a:\n    attributes:\n      r: { ref: nope }\n'), ['7:17: ref "nope" of attribute "r" of span "a" is not a shared attribute (there are no shared attributes)']],
  ['a ref inside a shared attribute', manifest('  a: {}\n', 'attributes:\n  x: { type: string }\n  y: { ref: x }\n'), ['6:8: shared attribute "y" cannot use "ref"; shared attributes declare a "type"']],
  ['both type and ref', manifest('  a:\n    attributes:\n      p: { ref: x, type: int }\n', 'attributes:\n  x: { type: string }\n'), ['9:20: attribute "p" of span "a" takes its type from ref "x"; remove "type"']],
  ['neither type nor ref', manifest('  a:\n    attributes:\n      p: { required: true }\n'), ['7:7: attribute "p" of span "a" needs a "type" (or a "ref" to a shared attribute)']],
  ['an enum without values', manifest('  a:\n    attributes:\n      sport: { type: enum }\n'), ['7:7: enum attribute "sport" of span "a" needs "values", a list of at least one value']],
  ['an enum with an empty values list', manifest('  a:\n    attributes:\n      sport: { type: enum, values: [] }\n'), ['7:36: enum attribute "sport" of span "a" needs at least one value in "values"']],
  ['an enum with a duplicate value', manifest('  a:\n    attributes:\n      sport: { type: enum, values: [nba, nfl, nba] }\n'), ['7:47: enum attribute "sport" of span "a" lists value "nba" twice']],
  ['values on a type that is not enum', manifest('  a:\n    attributes:\n      sport: { type: string, values: [nba] }\n'), ['7:30: "values" is only allowed with type enum; attribute "sport" of span "a" has type string']],
  ['a key that is no OpenTelemetry name', manifest('  a:\n    attributes:\n      route: { type: string, key: HTTP.Route }\n'), ['7:35: key "HTTP.Route" of attribute "route" of span "a" is not a valid OpenTelemetry attribute name (lower-case words joined by "." and "_", e.g. http.route)']],
  ['two attributes of a span with one OpenTelemetry key', manifest('  a:\n    attributes:\n      x: { type: string }\n      y: { type: string, key: app.x }\n'), ['8:7: attribute "y" and attribute "x" of span "a" both have the OpenTelemetry key "app.x"']],
  ['two attributes of an event with one OpenTelemetry key', manifest('  a:\n    events:\n      e:\n        attributes:\n          c: { type: double }\n          d: { type: double, key: app.c }\n'), ['10:11: attribute "d" and attribute "c" of event "e" of span "a" both have the OpenTelemetry key "app.c"']],
  ['two spans with one helper name', manifest('  player_2: {}\n  player2: {}\n'), ['6:3: span "player2" and span "player_2" both become the helper spans.player2; rename one']],
  ['two attributes with one TypeScript field', manifest('  a:\n    attributes:\n      score_1: { type: int }\n      score1: { type: int }\n'), ['8:7: attribute "score1" and attribute "score_1" of span "a" both become the TypeScript field "score1"; rename one']],
  ['two events with one method name', manifest('  a:\n    events:\n      hit_1: {}\n      hit1: {}\n'), ['8:7: event "hit1" and event "hit_1" of span "a" both become the method hit1(); rename one']],
  ['an event shadowing a handle method', manifest('  a:\n    events:\n      set_attributes: {}\n'), ['7:7: event "set_attributes" of span "a" would become the method setAttributes, which span handles already have; rename the event']],
  ['a span whose class name is the runtime import', manifest('  typed: {}\n'), ['5:3: span "typed" generates the TypeScript name TypedSpan, already used by the runtime import; rename it']],
  ['generated type names of two events that collide', manifest('  a:\n    events:\n      b_c: {}\n  a_b:\n    events:\n      c: {}\n'), ['10:7: event "c" of span "a_b" generates the TypeScript name ABCEventAttributes, already used by event "b_c" of span "a"; rename it']],
  ['an undeclared parent span', manifest('  calc: {}\n  child:\n    parents: [calk]\n'), ['7:15: parent "calk" of span "child" is not a declared span (did you mean "calc"?)']],
  [
    'schema and semantic problems together, in line order',
    manifest('  Bad: {}\n  ok:\n    kind: sideways\n    attributes:\n      r: { ref: nope }\n').replace('version: 1', 'version: 3'),
    [
      '1:10: "version" must be 1, got 3',
      '5:3: span name "Bad" must be snake_case (e.g. "bad")',
      '7:11: "kind" of span "ok" must be one of internal, server, client, producer, consumer; got "sideways"',
      '9:17: ref "nope" of attribute "r" of span "ok" is not a shared attribute (there are no shared attributes)',
    ],
  ],
];

describe('invalid manifests', () => {
  it(`has at least 20 cases (${CASES.length})`, () => {
    expect(CASES.length).to.be.at.least(20);
  });

  for (const [title, text, expected] of CASES) {
    it(`reports ${title}`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const file = join(dir, 'tracing.yaml');
        const out = join(dir, 'generated');
        writeFileSync(file, text);
        const run = await runCli(['gen', '--manifest', file, '--out', out]);
        expect(run.code).to.equal(2);
        const errorLines = run.stderr.split('\n').filter((line) => line.startsWith(`${file}:`));
        expect(errorLines).to.deep.equal(expected.map((e) => `${file}:${e.replace(/^(\d+:\d+): /, '$1: error: ')}`));
        expect(run.stderr).to.include(`${expected.length} error${expected.length === 1 ? '' : 's'} in ${file}; nothing written\n`);
        expect(run.stderr).to.not.match(/\n\s+at /); // no stack trace
        expect(run.stdout).to.equal('');
        expect(existsSync(out), 'output directory').to.equal(false);
      } finally {
        cleanup();
      }
    });
  }

  it('prints a code frame under each error: the line before, the line, a caret at the column', () => {
    try {
      generate(manifest('  calc:\n    atributes:\n      x: { type: int }\n'), { file: 'tracing.yaml' });
      expect.fail('no error');
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      expect(formatDiagnostics(error.file, error.text, error.diagnostics)).to.equal(
        [
          'tracing.yaml:6:5: error: unknown field "atributes" in span "calc" (did you mean "attributes"? allowed: description, kind, attributes, events, parents, renamed_from)',
          '  5 |   calc:',
          '> 6 |     atributes:',
          '    |     ^',
          '',
        ].join('\n'),
      );
    }
  });

  it('leaves existing generated files untouched when the manifest turns invalid', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'tracing.yaml');
      const out = join(dir, 'generated');
      writeFileSync(file, manifest('  a: {}\n'));
      expect((await runCli(['gen', '--manifest', file, '--out', out])).code).to.equal(0);
      const before = readFileSync(join(out, 'spans.ts'), 'utf8');
      writeFileSync(file, manifest('  a: {}\n  b:\n    kind: nope\n'));
      expect((await runCli(['gen', '--manifest', file, '--out', out])).code).to.equal(2);
      expect(readFileSync(join(out, 'spans.ts'), 'utf8')).to.equal(before);
    } finally {
      cleanup();
    }
  });
});

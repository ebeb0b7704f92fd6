/**
 * Names from the manifest that the generated code could trip over: members of the span
 * handle and of Object, the runtime's imports, JavaScript's special keys, and a manifest
 * path that would end a comment. Each either generates code that passes tsc (strict)
 * or is refused at its line, exit 2.
 */
import { expect } from 'chai';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { TypedSpan } from '@spanwright/runtime/generated';
import { ManifestError } from '../../generator';
import { HANDLE_MEMBERS } from '../../generator/names';
import { manifest } from './support';
import { generateForTypecheck, typecheck } from './typecheck';

const withEvent = (event: string, attributes = ''): string => manifest(`  a:\n    events:\n      ${event}:${attributes === '' ? ' {}' : `\n        attributes:\n${attributes}`}\n`);

type Want = 'compiles' | string[];

/** [title, { given: manifest text (and the path it is read from), want: 'compiles' or the exact error lines }]. */
const CASES: [string, { given: { text: string; source?: string }; want: Want }][] = [
  ['an event named recording (a private field of the handle)', { given: { text: withEvent('recording') }, want: ['7:7: event "recording" of span "a" would become the method recording, which span handles already have; rename the event'] }],
  ['an event named attributes_of (a private field of the handle)', { given: { text: withEvent('attributes_of') }, want: ['7:7: event "attributes_of" of span "a" would become the method attributesOf, which span handles already have; rename the event'] }],
  ['an event named to_string (an Object method)', { given: { text: withEvent('to_string') }, want: ['7:7: event "to_string" of span "a" would become the method toString, which span handles already have; rename the event'] }],
  ['an event named value_of (an Object method)', { given: { text: withEvent('value_of') }, want: ['7:7: event "value_of" of span "a" would become the method valueOf, which span handles already have; rename the event'] }],
  ['an event named has_own_property, with attributes', { given: { text: withEvent('has_own_property', '          x: { type: int }\n') }, want: ['7:7: event "has_own_property" of span "a" would become the method hasOwnProperty, which span handles already have; rename the event'] }],
  [
    'a span named readonly with an optional event attribute (ReadonlyAttributes is imported)',
    { given: { text: manifest('  readonly:\n    events:\n      e:\n        attributes:\n          x: { type: int }\n') }, want: ['5:3: span "readonly" generates the TypeScript name ReadonlyAttributes, already used by the runtime import; rename it'] },
  ],
  ['a span named readonly, with no event at all', { given: { text: manifest('  readonly: {}\n') }, want: ['5:3: span "readonly" generates the TypeScript name ReadonlyAttributes, already used by the runtime import; rename it'] }],
  ['an environment named constructor', { given: { text: manifest('  a: {}\n', 'environments:\n  constructor: { sampling: 0.5 }\n  to_string:\n') }, want: 'compiles' }],
  ['a span named constructor, one named to_string', { given: { text: manifest('  constructor: {}\n  to_string:\n    attributes:\n      value_of: { type: int, required: true }\n') }, want: 'compiles' }],
  ['spans named like the module-level names (scope, run_span, span_kind, spans)', { given: { text: manifest('  scope: {}\n  run_span: {}\n  span_kind: {}\n  spans: {}\n  span_definition: {}\n') }, want: 'compiles' }],
  ['attributes named constructor and to_string', { given: { text: manifest('  a:\n    attributes:\n      constructor: { type: int }\n      to_string: { type: string }\n    events:\n      e:\n        attributes:\n          constructor: { type: int }\n') }, want: 'compiles' }],
  ['a manifest path holding */', { given: { text: manifest('  a:\n    description: one */ two\n'), source: 'a*/b/tracing.yaml' }, want: 'compiles' }],
  ['a manifest path holding a newline and a line separator', { given: { text: manifest('  a: {}\n'), source: 'a\nb\u2028/tracing.yaml' }, want: 'compiles' }],
  ['a service name, enum values and a description holding quotes, */ and newlines', { given: { text: 'version: 1\nservice:\n  name: "it\'s */ \\n"\nspans:\n  a:\n    description: "x */ y\\r\\nz"\n    attributes:\n      e: { type: enum, values: ["a\'", "*/", "\\n"] }\n' }, want: 'compiles' }],
];

describe('names in generated code', function () {
  this.timeout(120000);

  it('HANDLE_MEMBERS holds every member of a real TypedSpan and of Object.prototype', () => {
    const handle = new TypedSpan(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), () => ({}));
    const members = [...Object.getOwnPropertyNames(handle), ...Object.getOwnPropertyNames(TypedSpan.prototype), ...Object.getOwnPropertyNames(Object.prototype)];
    expect(members.filter((m) => !HANDLE_MEMBERS.has(m))).to.deep.equal([]);
  });

  const compiled: { title: string; files: Map<string, string> }[] = [];
  for (const [title, { given, want }] of CASES) {
    it(want === 'compiles' ? `generates ${title}` : `refuses ${title}`, () => {
      let files: Map<string, string> | undefined;
      let errors: string[] = [];
      try {
        files = generateForTypecheck(given.text, given.source !== undefined ? { source: given.source } : {});
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
        errors = error.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
      }
      if (want === 'compiles') {
        expect(errors).to.deep.equal([]);
        compiled.push({ title, files: files! });
      } else {
        expect(errors).to.deep.equal(want);
      }
    });
  }

  it('every manifest above that generates passes tsc --noEmit (strict, one program)', () => {
    expect(compiled.length).to.equal(CASES.filter(([, c]) => c.want === 'compiles').length);
    const errors = typecheck(compiled.map((c) => c.files));
    expect(Object.fromEntries(compiled.map((c, i) => [c.title, errors[i]]))).to.deep.equal(Object.fromEntries(compiled.map((c) => [c.title, []])));
  });

  it('keeps the manifest path out of comments it would end or split', () => {
    const files = generateForTypecheck(manifest('  a: {}\n'), { source: 'a*/b\n// x/tracing.yaml' });
    expect(files.get('spans.ts')!.split('\n')[0]).to.equal('// Code generated by spanwright from a*\\/b\\u000a// x/tracing.yaml. DO NOT EDIT.');
    expect(files.get('manifest.ts')).to.include("source: 'a*/b\\n// x/tracing.yaml'");
  });
});

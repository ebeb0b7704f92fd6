/**
 * Hostile and careless manifests: aliases, sizes, nesting, huge lines, line endings and
 * control characters. Each is refused at its line with exit 2 and nothing written, in
 * bounded time and output, and no manifest can split or forge an error line.
 */
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, ManifestError } from '../../generator';
import { LIMITS } from '../../generator/load';
import { manifest, runCli, tempDir } from './support';

/** Runs gen on `text` as tracing.yaml in a fresh directory; the path is shown as `tracing.yaml`. */
async function gen(text: string): Promise<{ code: number; stdout: string; stderr: string; wrote: boolean }> {
  const { dir, cleanup } = tempDir('spanwright-bounds-');
  try {
    const file = join(dir, 'tracing.yaml');
    writeFileSync(file, text);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    const run = await runCli(['gen', '--manifest', file, '--out', join(dir, 'generated')]);
    await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
    process.off('warning', onWarning);
    expect(warnings, 'Node warnings').to.deep.equal([]);
    const local = (s: string): string => s.split(`${dir}/`).join('');
    return { code: run.code, stdout: local(run.stdout), stderr: local(run.stderr), wrote: existsSync(join(dir, 'generated')) };
  } finally {
    cleanup();
  }
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;
const base = 'version: 1\nservice:\n  name: svc\n';

/** [title, { given: manifest text, want: the exact stderr }]; each exits 2 and writes nothing. */
const REFUSED: [string, { given: string; want: string }][] = [
  [
    'an alias to an anchor that is not set',
    {
      given: manifest('  a: *missing\n'),
      want: lines('tracing.yaml:5:6: error: invalid YAML: alias "*missing" has no anchor "&missing" before it', '  4 | spans:', '> 5 |   a: *missing', '    |      ^', '1 error in tracing.yaml; nothing written'),
    },
  ],
  [
    'an alias bomb (each level repeats the one before ten times)',
    {
      given: `${base}x: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nw: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
      want: lines(
        'tracing.yaml:7:33: error: invalid YAML: alias "*c" makes aliases repeat more than 10000 nodes (the limit)',
        '  6 | z: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
        '> 7 | w: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
        '    |                                 ^',
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    'an alias inside the node it names',
    {
      given: 'version: 1\nservice: &svc\n  name: svc\n  self: *svc\n',
      want: lines('tracing.yaml:4:9: error: invalid YAML: alias "*svc" lies inside the node it names, which would make it endless', '  3 |   name: svc', '> 4 |   self: *svc', '    |         ^', '1 error in tracing.yaml; nothing written'),
    },
  ],
  [
    'a mapping as a key (no Node warning, not at 1:1)',
    {
      given: `${base}? { a: 1 }\n: x\n`,
      want: lines('tracing.yaml:4:3: error: invalid YAML: a key must be a name, not a list, a mapping or an alias', '  3 |   name: svc', '> 4 | ? { a: 1 }', '    |   ^', '1 error in tracing.yaml; nothing written'),
    },
  ],
  [
    'an alias as a key',
    {
      given: `${base}x: &k key\n*k : 1\n`,
      want: lines('tracing.yaml:5:1: error: invalid YAML: a key must be a name, not a list, a mapping or an alias', '  4 | x: &k key', '> 5 | *k : 1', '    | ^', '1 error in tracing.yaml; nothing written'),
    },
  ],
  [
    'a %YAML 1.1 merge key (YAML 1.2 is read: "<<" is a key like any other)',
    {
      given: `%YAML 1.1\n---\n${base}environments:\n  base: &b { sampling: 0.5 }\n  prod:\n    <<: *b\n`,
      want: lines(
        'tracing.yaml:9:5: error: unknown field "<<" in environment "prod" (allowed: sampling, console, consoleFormat, rules)',
        '  8 |   prod:',
        '> 9 |     <<: *b',
        '    |     ^',
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    '3,000 nested flow lists (the frame is a window around the column)',
    {
      given: `${base}x: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
      want: lines(
        `tracing.yaml:4:${3 + LIMITS.depth}: error: invalid YAML: mappings and lists nested deeper than 64 levels (the limit)`,
        '  3 |   name: svc',
        `> 4 | …${'['.repeat(81)}…`,
        `    |  ${' '.repeat(40)}^`,
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    'an unclosed flow nesting of 200,000 levels (the parser would take many seconds)',
    {
      given: `${base}x: ${'{a: '.repeat(200_000)}\n`,
      want: lines(
        `tracing.yaml:4:${3 + 4 * 63 + 1}: error: invalid YAML: mappings and lists nested deeper than 64 levels (the limit)`,
        '  3 |   name: svc',
        `> 4 | …${`x: ${'{a: '.repeat(200_000)}`.slice(255 - 40, 255 + 41)}…`,
        `    |  ${' '.repeat(40)}^`,
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    '70 mappings nested by indentation',
    {
      given: `${base}x:\n${Array.from({ length: 70 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`,
      want: lines(
        // Line 5 + i holds k<i> in the mapping of depth i + 2: the 65th level is the one of k63.
        'tracing.yaml:68:65: error: invalid YAML: mappings and lists nested deeper than 64 levels (the limit)',
        `  67 | ${' '.repeat(63)}k62:`,
        `> 68 | ${' '.repeat(64)}k63:`,
        `     | ${' '.repeat(64)}^`,
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    'a name holding a newline and a forged error line (escaped, so it stays on its line)',
    {
      given: manifest('  "a\\ntracing.yaml:1:1: error: forged\\u001b[2K": {}\n'),
      want: lines(
        'tracing.yaml:5:3: error: span name "a\\ntracing.yaml:1:1: error: forged\\u001b[2K" must be snake_case (e.g. "a_tracing_yaml_1_1_error_forged_2_k")',
        '  4 | spans:',
        '> 5 |   "a\\ntracing.yaml:1:1: error: forged\\u001b[2K": {}',
        '    |   ^',
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    'a value holding raw control characters (shown as one character each in the frame)',
    {
      given: manifest('  a:\n    kind: "x\u0007\ty"\n'),
      want: lines(
        'tracing.yaml:6:11: error: "kind" of span "a" must be one of internal, server, client, producer, consumer; got "x\\u0007\\ty"',
        '  5 |   a:',
        '> 6 |     kind: "x\ufffd y"',
        '    |           ^',
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    'CRLF line endings',
    {
      given: manifest('  a:\n    kind: bad\n').replace(/\n/g, '\r\n'),
      want: lines(
        'tracing.yaml:6:11: error: "kind" of span "a" must be one of internal, server, client, producer, consumer; got "bad"',
        '  5 |   a:',
        '> 6 |     kind: bad',
        '    |           ^',
        '1 error in tracing.yaml; nothing written',
      ),
    },
  ],
  [
    'lone CR line endings (yaml reads one line; positions still land inside it)',
    {
      given: 'version: 1\rservice:\r  name: svc\rspans:\r  a: { kind: bad }\r',
      want: lines(
        'tracing.yaml:1:10: error: invalid YAML: Nested mappings are not allowed in compact mappings',
        '> 1 | version: 1',
        '    |          ^',
        'tracing.yaml:2:9: error: invalid YAML: Nested mappings are not allowed in compact mappings',
        '  1 | version: 1',
        '> 2 | service:',
        '    |         ^',
        'tracing.yaml:3:9: error: invalid YAML: Nested mappings are not allowed in compact mappings',
        '  2 | service:',
        '> 3 |   name: svc',
        '    |         ^',
        'tracing.yaml:4:7: error: invalid YAML: Nested mappings are not allowed in compact mappings',
        '  3 |   name: svc',
        '> 4 | spans:',
        '    |       ^',
        'tracing.yaml:5:19: error: invalid YAML: Unexpected scalar at node end',
        '  4 | spans:',
        '> 5 |   a: { kind: bad }',
        '    |                   ^',
        '5 errors in tracing.yaml; nothing written',
      ),
    },
  ],
];

describe('hostile manifests', function () {
  this.timeout(60000);

  for (const [title, { given, want }] of REFUSED) {
    it(`refuses ${title}`, async () => {
      const run = await gen(given);
      expect(run.stderr).to.equal(want);
      expect({ code: run.code, stdout: run.stdout, wrote: run.wrote }).to.deep.equal({ code: 2, stdout: '', wrote: false });
    });
  }

  it('allows anchors and aliases within the limit', async () => {
    const run = await gen(`${base}environments:\n  staging: &env { sampling: 0.5, console: true }\n  production: *env\nspans:\n  a: {}\n`);
    expect(run.code).to.equal(0);
  });

  it('20,000 undeclared parents on one line: 50 windowed frames, then a count; no out-of-memory', async () => {
    const parents = Array.from({ length: 20_000 }, (_, i) => `undeclared_parent_${i}`);
    const run = await gen(manifest(`  a:\n    parents: [${parents.join(', ')}]\n`));
    expect(run.code).to.equal(2);
    const out = run.stderr.split('\n');
    expect(out.slice(0, 4)).to.deep.equal([
      'tracing.yaml:6:15: error: parent "undeclared_parent_0" of span "a" is not a declared span',
      '  5 |   a:',
      `> 6 |     parents: [${parents.join(', ').slice(0, 81 - '    parents: ['.length)}…`,
      '    |               ^',
    ]);
    expect(out.filter((l) => l.startsWith('tracing.yaml:'))).to.have.length(50);
    expect(out.slice(-3)).to.deep.equal(['… and 19950 more errors', '20000 errors in tracing.yaml; nothing written', '']);
    expect(run.stderr.length).to.be.below(20_000);
  });

  it('refuses a manifest over the size limit, naming the limit', () => {
    const text = `${manifest('  a: {}\n')}#${'x'.repeat(LIMITS.bytes)}\n`;
    expect(() => generate(text)).to.throw(ManifestError, `tracing.yaml:1:1: error: the manifest is ${text.length} bytes, over the limit of 4 MiB (4194304 bytes)`);
  });
});

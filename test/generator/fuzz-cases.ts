/**
 * Mutated manifests for the fuzz test: seeded, so that a failing case can be made again
 * from its seed and index. Each case starts from tracing.yaml or a test fixture and takes
 * one to three mutations: byte flips, line deletions and copies, aliases and alias bombs,
 * deep nesting, huge lines, tabs, a BOM, CRLF or lone CR endings, binary, YAML tokens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { random } from '../support/random';

const ROOT = resolve(__dirname, '..', '..');

/** The manifests the mutations start from. */
export function seedManifests(): string[] {
  const fixtures = join(ROOT, 'test', 'fixtures');
  const dirs = readdirSync(fixtures, { withFileTypes: true }).filter((d) => d.isDirectory());
  return [readFileSync(join(ROOT, 'tracing.yaml'), 'utf8'), ...dirs.map((d) => readFileSync(join(fixtures, d.name, 'tracing.yaml'), 'utf8')).sort()];
}


type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;

/** Line breaks kept: lines joined back with what separated them. */
function splitLines(text: string): string[] {
  return text.split('\n');
}

const TOKENS = ['- ', ': ', '? ', '{', '}', '[', ']', ',', '"', "'", '#', '&a ', '*a', '*b', '!!str ', '!tag ', '!!binary ', '|', '>', '---\n', '...\n', '%YAML 1.1\n', '<<: *a\n', '@', '`', '\\', '\t', '\0', '\u2028', '\ufeff', '~', 'null', '0x1F', '.inf', '1e309'];

/** Names that generated code could trip over. */
const NAMES = ['constructor', 'to_string', 'value_of', 'recording', 'attributes_of', 'readonly', 'typed', 'raw', 'emit_event', 'scope', 'spans', 'run_span', '__proto__', 'has_own_property', 'prototype', 'default', 'class', 'span_definition'];

export type Mutation = (text: string, rng: Rng) => string;

export const MUTATIONS: Record<string, Mutation> = {
  byteFlip: (text, rng) => {
    if (text.length === 0) return text;
    const at = int(rng, text.length);
    return text.slice(0, at) + String.fromCharCode(int(rng, 256)) + text.slice(at + 1);
  },
  deleteLine: (text, rng) => {
    const lines = splitLines(text);
    lines.splice(int(rng, lines.length), 1 + int(rng, 3));
    return lines.join('\n');
  },
  duplicateLine: (text, rng) => {
    const lines = splitLines(text);
    const at = int(rng, lines.length);
    lines.splice(int(rng, lines.length), 0, lines[at]!);
    return lines.join('\n');
  },
  swapLines: (text, rng) => {
    const lines = splitLines(text);
    const a = int(rng, lines.length);
    const b = int(rng, lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return lines.join('\n');
  },
  insertToken: (text, rng) => {
    const at = int(rng, text.length + 1);
    return text.slice(0, at) + pick(rng, TOKENS) + text.slice(at);
  },
  truncate: (text, rng) => text.slice(0, int(rng, text.length + 1)),
  renameToHazard: (text, rng) => {
    const lines = splitLines(text);
    const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+[a-z_]+:/.test(l));
    if (keyed.length === 0) return text;
    const [line, i] = pick(rng, keyed);
    lines[i] = line.replace(/^(\s+)[a-z_]+:/, `$1${pick(rng, NAMES)}:`);
    return lines.join('\n');
  },
  anchorAndAlias: (text, rng) => {
    const lines = splitLines(text);
    const values = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[a-z_]+:\s*\S/.test(l) && !l.trim().startsWith('#'));
    if (values.length < 2) return text;
    const [first, i] = pick(rng, values);
    const [second, j] = pick(rng, values);
    lines[i] = first.replace(/^(\s*[a-z_]+:\s*)/, '$1&a ');
    lines[j] = second.replace(/^(\s*[a-z_]+:\s*).*$/, rng() < 0.7 ? '$1*a' : '$1*missing');
    return lines.join('\n');
  },
  aliasBomb: (text, rng) => {
    const width = 2 + int(rng, 9);
    const levels = 2 + int(rng, 8);
    const out = [`b0: &b0 [${Array.from({ length: width }, () => 'x').join(', ')}]`];
    for (let l = 1; l < levels; l++) out.push(`b${l}: &b${l} [${Array.from({ length: width }, () => `*b${l - 1}`).join(', ')}]`);
    return `${text}\n${out.join('\n')}\n`;
  },
  deepFlow: (text, rng) => {
    const depth = pick(rng, [10, 63, 64, 65, 100, 1000, 20_000]);
    const [open, close] = pick(rng, [['[', ']'], ['{a: ', '}'], ['[{a: ', '}]']] as const);
    const balanced = rng() < 0.5;
    return `${text}\ndeep: ${open.repeat(depth)}${balanced ? close.repeat(depth) : ''}\n`;
  },
  deepBlock: (text, rng) => {
    const depth = pick(rng, [10, 62, 63, 64, 65, 200]);
    if (rng() < 0.5) return `${text}\ndeep:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;
    return `${text}\ndeep:\n  ${'- '.repeat(depth)}x\n`;
  },
  hugeLine: (text, rng) => {
    const n = pick(rng, [100, 1000, 3000]);
    const kind = int(rng, 3);
    if (kind === 0) return text.replace(/^spans:\n/m, `spans:\n  huge:\n    parents: [${Array.from({ length: n }, (_, i) => `no_such_parent_${i}`).join(', ')}]\n`);
    if (kind === 1) return text.replace(/^spans:\n/m, `spans:\n  huge:\n    description: ${'x'.repeat(n * 30)}\n`);
    return `${text}\n${'k: v, '.repeat(n)}\n`;
  },
  tabs: (text, rng) => (rng() < 0.5 ? text.replace(/^ {2}/gm, '\t') : text.replace(/ /g, () => (rng() < 0.05 ? '\t' : ' '))),
  bom: (text) => `\ufeff${text}`,
  crlf: (text) => text.replace(/\n/g, '\r\n'),
  loneCr: (text, rng) => text.replace(/\n/g, () => (rng() < 0.3 ? '\r' : '\n')),
  binary: (text, rng) => {
    const bytes = Array.from({ length: 1 + int(rng, 200) }, () => String.fromCharCode(int(rng, 256))).join('');
    return rng() < 0.3 ? bytes : text.slice(0, int(rng, text.length)) + bytes;
  },
  controlChars: (text, rng) => {
    const at = int(rng, text.length + 1);
    return text.slice(0, at) + pick(rng, ['\u001b[2K', '\r', '\u0000', '\u0085', '\u2028', '\u202e', '\nfile:1:1: error: forged\n']) + text.slice(at);
  },
};

const NAMES_OF_MUTATIONS = Object.keys(MUTATIONS);

export interface FuzzCase {
  readonly index: number;
  readonly mutations: readonly string[];
  readonly text: string;
}

/** Case `index` of the run with `seed`: the same pair always gives the same text. */
export function fuzzCase(seeds: readonly string[], seed: number, index: number): FuzzCase {
  const rng = random(seed * 1_000_003 + index);
  let text = pick(rng, seeds);
  const mutations: string[] = [];
  const count = 1 + int(rng, 3);
  for (let i = 0; i < count; i++) {
    const name = pick(rng, NAMES_OF_MUTATIONS);
    mutations.push(name);
    text = MUTATIONS[name]!(text, rng);
  }
  return { index, mutations, text };
}

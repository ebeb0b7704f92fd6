/**
 * What `spanwright init` does (cli/init.ts reads its arguments): starts tracing in a user's
 * project. Writes a starter `tracing.yaml` (its `$schema` line pointing at the installed schema,
 * the service named after package.json, the instrumentations its dependencies call for, one
 * example span), adds the `gen` and `gen:check` scripts to package.json (never replacing a
 * script of those names), and prints the preload line for the project's module type. Refuses to
 * overwrite a manifest.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const MANIFEST = 'tracing.yaml';
const SCHEMA = join('schema', 'tracing.schema.json');

/** The scripts init adds: name → command. */
export const INIT_SCRIPTS: ReadonlyArray<readonly [string, string]> = [
  ['gen', 'spanwright gen'],
  ['gen:check', 'spanwright gen --check'],
];

interface PackageJson {
  name?: unknown;
  type?: unknown;
  main?: unknown;
  scripts?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

/** package.json as read: the parsed object and how the file is laid out, to write it back alike. */
interface PackageFile {
  readonly path: string;
  readonly text: string;
  readonly json: PackageJson;
  readonly indent: string;
  readonly eol: string;
  readonly finalNewline: boolean;
}

/** Where init prints, and the directory paths are shown from. */
export interface InitIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

/**
 * Starts tracing in `dirOption` (relative to `ctx.cwd`; default: it). Returns 0 when written;
 * 2, with nothing written, when tracing.yaml already exists, the folder does not, or
 * package.json is not valid JSON.
 */
export function initProject(ctx: InitIO, dirOption: string | undefined): number {
  const cwd = resolve(ctx.cwd);
  const dir = resolve(cwd, dirOption ?? '.');
  const say = (line: string): void => ctx.stdout(`spanwright: ${line}\n`);
  const shown = (file: string): string => {
    const rel = relative(cwd, file).split(sep).join('/');
    return rel === '' || rel.startsWith('../') ? file : rel;
  };

  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(dir)) {
    ctx.stderr(`spanwright: ${shown(dir)}: no such directory; nothing written\n`);
    return 2;
  }
  if (existsSync(manifestPath)) {
    ctx.stderr(`spanwright: ${shown(manifestPath)} already exists; nothing written\n`);
    return 2;
  }
  let pkg: PackageFile | undefined;
  try {
    pkg = readPackage(join(dir, 'package.json'));
  } catch (error) {
    ctx.stderr(`spanwright: ${shown(join(dir, 'package.json'))} is not valid JSON (${(error as Error).message}); nothing written\n`);
    return 2;
  }

  const deps = dependencyNames(pkg?.json);
  const instrumentation = chooseInstrumentation(deps);
  const name = serviceName(pkg?.json.name, dir);
  // `wx`: created here or not at all, so a manifest that appeared meanwhile is not overwritten.
  writeFileSync(manifestPath, starterManifest({ schema: schemaReference(dir), name, instrumentation }), { encoding: 'utf8', flag: 'wx' });
  say(`wrote ${shown(manifestPath)} (service ${name}; instrumentation: ${instrumentation.filter((i) => i.on).map((i) => i.name).join(', ')})`);

  if (pkg === undefined) {
    say(`no package.json in ${dir === cwd ? 'this directory' : shown(dir)}; scripts not added (after npm init, add "gen": "spanwright gen" and "gen:check": "spanwright gen --check")`);
  } else {
    addScripts(pkg, say, shown(pkg.path));
  }

  const main = pkg?.json.main;
  const entry = typeof main === 'string' && /\.[cm]?js$/.test(main) ? main.replace(/^\.\//, '') : 'dist/main.js';
  const esm = pkg?.json.type === 'module' ? !entry.endsWith('.cjs') : entry.endsWith('.mjs');
  const cd = dir === cwd ? '' : `cd ${shown(dir)} && `;
  ctx.stdout(
    [
      'Next:',
      `  ${cd}npx spanwright gen    # writes generated/: spans.ts, manifest.ts, bootstrap.ts, TRACING.md`,
      `  preload the bootstrap, so that tracing starts before koa, knex and http load (${esm ? 'ES module' : 'CommonJS'}):`,
      `    node ${esm ? '--import' : '--require'} ./dist/generated/bootstrap.js ${entry}`,
      '    node --import tsx --import ./generated/bootstrap.ts src/main.ts    # TypeScript through tsx',
      '',
    ].join('\n'),
  );
  return 0;
}

/** Reads package.json; undefined when there is none, throws on a file that is not a JSON object. */
function readPackage(path: string): PackageFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const json = JSON.parse(text) as unknown;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return { path, text, json: json as PackageJson, indent, eol: text.includes('\r\n') ? '\r\n' : '\n', finalNewline: /\n$/.test(text) };
}

function dependencyNames(pkg: PackageJson | undefined): Set<string> {
  const names = new Set<string>();
  for (const field of [pkg?.dependencies, pkg?.devDependencies, pkg?.peerDependencies, pkg?.optionalDependencies]) {
    if (field !== null && typeof field === 'object') for (const name of Object.keys(field)) names.add(name);
  }
  return names;
}

interface InstrumentationChoice {
  readonly name: string;
  readonly on: boolean;
  readonly comment: string;
}

/** http always (every server needs it); the others when the package they patch is a dependency. */
function chooseInstrumentation(deps: ReadonlySet<string>): InstrumentationChoice[] {
  return [
    { name: 'http', on: true, comment: 'incoming and outgoing HTTP spans' },
    { name: 'koa', on: deps.has('koa'), comment: 'server spans named by Koa route' },
    { name: 'knex', on: deps.has('knex'), comment: 'a span per Knex query' },
    { name: 'fetch', on: deps.has('undici'), comment: 'client spans of fetch() (global or undici)' },
    { name: 'pino', on: deps.has('pino'), comment: 'trace ids on pino log records' },
  ];
}

/**
 * service.name from the package name: `@acme/Orders API` → `acme-orders-api`; the folder's
 * name when there is no package name; `my-service` when neither gives anything.
 */
export function serviceName(packageName: unknown, dir: string): string {
  const clean = (text: string): string =>
    text
      .toLowerCase()
      .replace(/^@/, '')
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '');
  return (typeof packageName === 'string' ? clean(packageName) : '') || clean(dir.split(/[\\/]/).pop() ?? '') || 'my-service';
}

/**
 * The `$schema` path, relative to the manifest's folder: the project's installed
 * `node_modules/spanwright` when there is one (the path stays right across upgrades and
 * package managers), else the schema of the spanwright that runs this command.
 */
function schemaReference(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const installed = join(at, 'node_modules', 'spanwright', SCHEMA);
    if (existsSync(installed)) return modulePath(relative(dir, installed));
    if (dirname(at) === at) break;
  }
  return modulePath(relative(dir, join(ownPackageRoot(), SCHEMA)));
}

function modulePath(rel: string): string {
  const posix = rel.split(sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

/** The folder of the spanwright package this code belongs to (source or built). */
function ownPackageRoot(): string {
  for (let at = __dirname; dirname(at) !== at; at = dirname(at)) {
    try {
      if ((JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')) as { name?: unknown }).name === 'spanwright') return at;
    } catch {
      // no (readable) package.json here
    }
  }
  return resolve(__dirname, '..');
}

export function starterManifest(options: { schema: string; name: string; instrumentation: readonly InstrumentationChoice[] }): string {
  const instrumentation = options.instrumentation.map((i) => `  ${i.on ? '' : '# '}${i.name}: true`.padEnd(18) + ` # ${i.comment}`);
  return [
    `# yaml-language-server: $schema=${options.schema}`,
    '# The tracing of this service: `npx spanwright gen` turns it into typed span helpers',
    '# (generated/spans.ts) and the OpenTelemetry bootstrap (generated/bootstrap.ts).',
    'version: 1',
    'service:',
    `  name: ${JSON.stringify(options.name)}   # default OTEL_SERVICE_NAME`,
    'environments:               # picked by OTEL_ENVIRONMENT (default: development)',
    '  development: { sampling: 1.0, console: true }',
    '  staging: { sampling: 0.5 }',
    '  production: { sampling: 0.1 }',
    'instrumentation:',
    ...instrumentation,
    'spans:',
    '  # An example to rename: spans.exampleOperation({ itemCount: 3 }, (span) => { …; span.itemProcessed(); })',
    '  example_operation:',
    '    description: One unit of work of this service',
    '    attributes:',
    '      item_count: { type: int, required: true }',
    '    events:',
    '      item_processed: {}',
    '',
  ].join('\n');
}

/** Adds the missing scripts, keeping every existing one; rewrites package.json only if it adds one. */
function addScripts(pkg: PackageFile, say: (line: string) => void, shownPath: string): void {
  const scripts = pkg.json.scripts;
  if (scripts !== undefined && (scripts === null || typeof scripts !== 'object' || Array.isArray(scripts))) {
    say(`${shownPath} "scripts" is not an object; scripts not added`);
    return;
  }
  const have = (scripts ?? {}) as Record<string, unknown>;
  const added: Array<readonly [string, string]> = [];
  for (const [name, command] of INIT_SCRIPTS) {
    if (!Object.hasOwn(have, name)) added.push([name, command]);
    else if (have[name] === command) say(`${shownPath} already has the "${name}" script`);
    else say(`${shownPath} already has a "${name}" script (${JSON.stringify(have[name])}); left it as it is; run npx ${command} instead`);
  }
  if (added.length === 0) return;
  writeAtomically(pkg.path, withScripts(pkg, added));
  say(`added ${added.map(([name]) => `"${name}"`).join(' and ')} to the scripts of ${shownPath}`);
}

/**
 * package.json's text with `added` appended to its scripts (a `scripts` object made at the end
 * when there is none): inserted into the text, so every other byte, the key order and the
 * layout stay as they were; a one-line file stays one line. Falls back to re-serialising only if the insertion did not parse
 * to the intended object.
 */
export function withScripts(pkg: PackageFile, added: ReadonlyArray<readonly [string, string]>): string {
  const { text } = pkg;
  const want = { ...pkg.json, scripts: { ...((pkg.json.scripts ?? {}) as object), ...Object.fromEntries(added) } };
  // One line (as JSON.stringify writes it): stays one line.
  if (!text.trimEnd().includes('\n')) return `${JSON.stringify(want)}${pkg.finalNewline ? pkg.eol : ''}`;
  const { rootClose, scriptsOpen, scriptsClose } = locateObjects(text);
  const { indent, eol } = pkg;
  const entry = ([name, command]: readonly [string, string]): string => `${JSON.stringify(name)}: ${JSON.stringify(command)}`;
  let result: string;
  if (scriptsOpen !== undefined && scriptsClose !== undefined) {
    const inner = text.slice(scriptsOpen + 1, scriptsClose);
    const last = scriptsOpen + 1 + inner.trimEnd().length;
    if (inner.trim() === '') {
      const keyIndent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', scriptsOpen) + 1))![0];
      result = `${text.slice(0, scriptsOpen + 1)}${added.map((e) => `${eol}${keyIndent}${indent}${entry(e)}`).join(',')}${eol}${keyIndent}${text.slice(scriptsClose)}`;
    } else if (!inner.includes('\n')) {
      result = `${text.slice(0, last)}${added.map((e) => `, ${entry(e)}`).join('')}${text.slice(last)}`;
    } else {
      const lastLine = text.slice(text.lastIndexOf('\n', last - 1) + 1, last);
      const entryIndent = /^[ \t]*/.exec(lastLine)![0];
      result = `${text.slice(0, last)}${added.map((e) => `,${eol}${entryIndent}${entry(e)}`).join('')}${text.slice(last)}`;
    }
  } else {
    const before = text.slice(0, rootClose).trimEnd();
    const comma = before.endsWith('{') ? '' : ',';
    const block = `"scripts": {${added.map((e) => `${eol}${indent}${indent}${entry(e)}`).join(',')}${eol}${indent}}`;
    result = `${before}${comma}${eol}${indent}${block}${eol}${text.slice(rootClose)}`;
  }
  try {
    if (JSON.stringify(JSON.parse(result)) === JSON.stringify(want)) return result;
  } catch {
    // fall through to a rewrite
  }
  const rewritten = JSON.stringify(want, null, indent).split('\n').join(eol);
  return pkg.finalNewline ? `${rewritten}${eol}` : rewritten;
}

const COLON = /\s*:/y;

/** Offsets of the root object's closing brace and of the top-level `scripts` object's braces. */
function locateObjects(text: string): { rootClose: number; scriptsOpen?: number; scriptsClose?: number } {
  let depth = 0;
  let rootClose = text.lastIndexOf('}');
  let scriptsOpen: number | undefined;
  let scriptsClose: number | undefined;
  let lastKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      COLON.lastIndex = j + 1;
      if (depth === 1 && COLON.test(text)) lastKey = JSON.parse(text.slice(i, j + 1)) as string;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 2 && c === '{' && lastKey === 'scripts' && scriptsOpen === undefined) scriptsOpen = i;
    } else if (c === '}' || c === ']') {
      if (depth === 2 && scriptsOpen !== undefined && scriptsClose === undefined) scriptsClose = i;
      depth--;
      if (depth === 0) rootClose = i;
    } else if (c === ',' && depth === 1) {
      lastKey = undefined;
    }
  }
  return { rootClose, ...(scriptsOpen !== undefined ? { scriptsOpen } : {}), ...(scriptsClose !== undefined ? { scriptsClose } : {}) };
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, 'utf8');
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

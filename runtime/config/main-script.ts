/**
 * The service's main script, as far as the runtime can tell it: whether it is an ES module,
 * and the preload command that starts tracing for it. No SDK dependency: the helpers use it.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';

/**
 * Whether the main script is an ES module: `.mjs` / `.mts`, or `.js` / `.ts` under a package.json
 * with `"type": "module"`. Only then do its `import`s bypass require() and need the loader hook.
 */
export function isEsmEntry(entry: string | undefined): boolean {
  if (entry === undefined) return false;
  const ext = extname(entry);
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext === '.cjs' || ext === '.cts') return false;
  for (let dir = dirname(resolve(entry)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module';
    } catch {
      // no (readable) package.json here: look further up
    }
    if (dirname(dir) === dir) return false;
  }
}

/**
 * The command that runs `entry` with the bootstrap preloaded, as the docs lay a project out:
 * TypeScript run through tsx imports `generated/bootstrap.ts` after tsx's loader; compiled JavaScript preloads
 * `dist/generated/bootstrap.js` with `--import` for an ES module, `--require` otherwise.
 */
export function preloadCommand(entry: string | undefined, cwd: string = process.cwd()): string {
  if (entry === undefined) return 'node --require ./dist/generated/bootstrap.js … (ESM: --import)';
  const shown = relative(cwd, entry).split('\\').join('/') || entry;
  if (/\.[mc]?ts$/.test(entry)) return `node --import tsx --import ./generated/bootstrap.ts ${shown}`;
  return `node ${isEsmEntry(entry) ? '--import' : '--require'} ./dist/generated/bootstrap.js ${shown}`;
}

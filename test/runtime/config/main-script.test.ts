/**
 * `SPANWRIGHT_ESM_HOOK=auto` (the default) registers the import-in-the-middle loader hook only
 * for a service whose main script is an ES module; this is how the runtime tells.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEsmEntry } from '../../../runtime/config/main-script';

describe('runtime: is the main script an ES module (ESM hook auto)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'spanwright-esm-'));
    mkdirSync(join(dir, 'esm', 'src'), { recursive: true });
    writeFileSync(join(dir, 'esm', 'package.json'), JSON.stringify({ type: 'module' }));
    mkdirSync(join(dir, 'cjs', 'src'), { recursive: true });
    writeFileSync(join(dir, 'cjs', 'package.json'), JSON.stringify({ name: 'plain' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => string | undefined, boolean]> = [
    ['.mjs, whatever the package says', () => join(dir, 'cjs', 'src', 'main.mjs'), true],
    ['.mts', () => join(dir, 'cjs', 'src', 'main.mts'), true],
    ['.cjs, whatever the package says', () => join(dir, 'esm', 'src', 'main.cjs'), false],
    ['.js under "type": "module" (nearest package.json, two levels up)', () => join(dir, 'esm', 'src', 'main.js'), true],
    ['.ts under "type": "module"', () => join(dir, 'esm', 'src', 'main.ts'), true],
    ['.js under a package.json without "type"', () => join(dir, 'cjs', 'src', 'main.js'), false],
    ["this repository's service (CommonJS)", () => join(__dirname, '..', '..', '..', 'dist', 'service', 'main.js'), false],
    ['no main script (node -e, the REPL)', () => undefined, false],
  ];
  for (const [title, entry, want] of cases) {
    it(`${want ? 'yes' : 'no'}: ${title}`, () => {
      expect(isEsmEntry(entry())).to.equal(want);
    });
  }
});

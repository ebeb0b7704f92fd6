/**
 * The import rules of .dependency-cruiser.cjs (`npm run deps`): they pass on this tree, and they do
 * fire: a small tree with an upward import, a cycle and a generator reaching into the runtime's
 * internals is refused rule by rule.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string, paths: readonly string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [DEPCRUISE, ...paths, '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('import rules (npm run deps)', function () {
  this.timeout(60_000);

  it('this tree keeps them: no cycle, no upward import', () => {
    const { status, out } = cruise(ROOT, ['runtime', 'generator', 'service', 'bench']);
    expect(out).to.include('no dependency violations found');
    expect(status).to.equal(0);
  });

  it('a tree that breaks them is refused, each break by its rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanwright-deps-'));
    try {
      const files: Record<string, string> = {
        'tsconfig.json': '{ "compilerOptions": { "module": "node16", "moduleResolution": "node16" } }\n',
        // config/ reaching up into sdk/, which imports it back: an upward import and a cycle.
        'runtime/config/resolve.ts': "import { start } from '../sdk/start';\nexport const resolve = (): unknown => start;\n",
        'runtime/sdk/start.ts': "import { resolve } from '../config/resolve';\nexport const start = (): unknown => resolve;\n",
        'runtime/index.ts': "export { start } from './sdk/start';\n",
        // The generator past the runtime's entries.
        'generator/model.ts': "import { resolve } from '../runtime/config/resolve';\nexport const model = resolve;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      const { status, out } = cruise(dir, ['runtime', 'generator']);
      expect(status).to.not.equal(0);
      expect(out).to.match(/error no-circular: runtime\/config\/resolve\.ts → \s*runtime\/sdk\/start\.ts →\s*runtime\/config\/resolve\.ts/);
      expect(out).to.match(/error runtime-config-imports-down: runtime\/config\/resolve\.ts → runtime\/sdk\/start\.ts/);
      expect(out).to.match(/error generator-uses-runtime-entries: generator\/model\.ts → runtime\/config\/resolve\.ts/);
      expect(out).to.not.include('runtime-sdk-imports-down');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

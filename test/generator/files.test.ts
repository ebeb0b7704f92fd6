/**
 * What gen reads and writes: the manifest must be a regular file, the output a
 * directory; writes are all or nothing, and temporary files of a killed run are
 * removed on the next one.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifest, runCli, tempDir } from './support';

const VALID = manifest('  a:\n    attributes:\n      n: { type: int }\n');
const GENERATED = ['TRACING.md', 'bootstrap.ts', 'manifest.ts', 'spans.ts'];

/** A pid no process has: one that just ran and exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' }).pid!;
}

describe('gen: files', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('spanwright-files-'));
    file = join(dir, 'tracing.yaml');
    writeFileSync(file, VALID);
  });
  afterEach(() => cleanup());

  /** [title, { given: how the paths are set up → [manifest, out], want: exact stderr }]. */
  const REFUSED: [string, { given: () => [string, string]; want: (m: string, out: string) => string }][] = [
    ['--out naming a file', { given: () => (writeFileSync(join(dir, 'out.txt'), 'keep'), [file, join(dir, 'out.txt')]), want: (_, out) => `spanwright: cannot write ${out}: it is not a directory\n` }],
    [
      '--out under a file',
      { given: () => (writeFileSync(join(dir, 'out.txt'), 'keep'), [file, join(dir, 'out.txt', 'generated')]), want: (_, out) => `spanwright: cannot write ${out}: it, or a directory above it, is not a directory\n` },
    ],
    ['a FIFO as the manifest (reading it would block forever)', { given: () => (execFileSync('mkfifo', [join(dir, 'fifo.yaml')]), [join(dir, 'fifo.yaml'), join(dir, 'generated')]), want: (m) => `spanwright: cannot read manifest ${m}: it is not a regular file (a FIFO)\n` }],
    ['a directory as the manifest', { given: () => (mkdirSync(join(dir, 'conf.yaml')), [join(dir, 'conf.yaml'), join(dir, 'generated')]), want: (m) => `spanwright: cannot read manifest ${m}: it is a directory\n` }],
    [
      'a manifest over the size limit',
      { given: () => (writeFileSync(join(dir, 'big.yaml'), `${VALID}#${'x'.repeat(5 * 1024 * 1024)}\n`), [join(dir, 'big.yaml'), join(dir, 'generated')]), want: (m) => `spanwright: cannot read manifest ${m}: it is ${VALID.length + 5 * 1024 * 1024 + 2} bytes, over the limit of 4 MiB (4194304 bytes)\n` },
    ],
    ['a manifest path with a newline', { given: () => [join(dir, 'no\nfile:1:1: error: x.yaml'), join(dir, 'generated')], want: () => `spanwright: cannot read manifest ${dir}/no\\nfile:1:1: error: x.yaml: no such file\n` }],
  ];
  for (const [title, { given, want }] of REFUSED) {
    it(`exits 2 on ${title}, naming the path, and writes nothing`, async () => {
      const [m, out] = given();
      const before = readdirSync(dir).sort();
      const run = await runCli(['gen', '--manifest', m, '--out', out]);
      expect(run).to.deep.equal({ code: 2, stdout: '', stderr: want(m, out) });
      expect(readdirSync(dir).sort()).to.deep.equal(before);
    });
  }

  it('writes all files or none: when one cannot be written, the old files all stay', async () => {
    const out = join(dir, 'generated');
    expect((await runCli(['gen', '--manifest', file, '--out', out])).code).to.equal(0);
    const before = Object.fromEntries(GENERATED.map((n) => [n, readFileSync(join(out, n), 'utf8')]));
    writeFileSync(file, VALID.replace('n: { type: int }', 'count: { type: int }'));
    // spans.ts is written last; a directory where its temporary file goes makes that write fail.
    const blocker = join(out, `spans.ts.${process.pid}.tmp`);
    mkdirSync(blocker);
    const run = await runCli(['gen', '--manifest', file, '--out', out]);
    expect(run).to.deep.equal({ code: 2, stdout: '', stderr: `spanwright: cannot write ${blocker}: it is a directory\n` });
    expect(Object.fromEntries(GENERATED.map((n) => [n, readFileSync(join(out, n), 'utf8')]))).to.deep.equal(before);
    expect(readdirSync(out).sort()).to.deep.equal([...GENERATED, `spans.ts.${process.pid}.tmp`].sort());
  });

  it('removes temporary files a killed run left behind, and only ours', async () => {
    const out = join(dir, 'generated');
    expect((await runCli(['gen', '--manifest', file, '--out', out])).code).to.equal(0);
    const dead = deadPid();
    const stale = [`spans.ts.${dead}.tmp`, `manifest.ts.${dead}.tmp`];
    const kept = [`spans.ts.${process.ppid}.tmp`, `notes.ts.${dead}.tmp`, 'spans.ts.tmp'];
    for (const name of [...stale, ...kept]) writeFileSync(join(out, name), 'half a file');
    const run = await runCli(['gen', '--manifest', file, '--out', out]);
    expect(run.code).to.equal(0);
    expect(readdirSync(out).sort()).to.deep.equal([...GENERATED, ...kept].sort());
  });

  it('--check writes nothing, stale temporary files included', async () => {
    const out = join(dir, 'generated');
    expect((await runCli(['gen', '--manifest', file, '--out', out])).code).to.equal(0);
    const stale = `spans.ts.${deadPid()}.tmp`;
    writeFileSync(join(out, stale), 'half');
    expect((await runCli(['gen', '--check', '--manifest', file, '--out', out])).code).to.equal(0);
    expect(existsSync(join(out, stale))).to.equal(true);
  });
});

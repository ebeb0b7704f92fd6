import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDiffCommand } from '../../../generator/cli/diff';
import { runMigrateCommand } from '../../../generator/cli/migrate';

const FIXTURE = join(__dirname, '..', 'changes', 'fixtures', 'project');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: typeof runDiffCommand, argv: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await command(argv, { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spanwright-diff-'));
  dirs.push(dir);
  return dir;
}

/** A copy of the fixture project, so write mode and git never touch the repository. */
function project(): string {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=spanwright', '-c', 'user.email=test@example.com', ...args], { cwd, stdio: 'pipe' });
}

after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const RENAME_CHANGES = [
  '  breaking  span "calculate_prediction" renamed to "compute_prediction" (helper spans.calculatePrediction → spans.computePrediction)',
  '  breaking  attribute "player_count" of span "compute_prediction" renamed to "players"',
  '  breaking  attribute "players" of span "compute_prediction": key changed from app.player_count to app.players',
  '  breaking  attribute "confidence" of event "prediction_generated" of span "compute_prediction" renamed to "certainty"',
  '  breaking  attribute "certainty" of event "prediction_generated" of span "compute_prediction": key changed from app.confidence to app.certainty',
];

describe('spanwright diff', () => {
  it('lists the changes between two files and exits 1 when something breaks', async () => {
    const result = await run(runDiffCommand, ['tracing.old.yaml', 'tracing.yaml'], FIXTURE);
    expect(result).to.deep.equal({
      code: 1,
      stdout: [
        'spanwright diff: 5 changes (5 breaking) from tracing.old.yaml to tracing.yaml',
        ...RENAME_CHANGES,
        '',
      ].join('\n'),
      stderr:
        'spanwright diff: 5 breaking changes: dashboards, alerts and call sites relying on the old names break. ' +
        'Pass --allow-breaking if this is intended; run spanwright migrate to update call sites of renamed helpers.\n',
    });
  });

  it('follows renamed_from on an event from YAML: a rename of the method, not a removal and an addition', async () => {
    const dir = tempDir();
    const manifest = (event: string, hint: string): string =>
      [
        'version: 1',
        'service: { name: svc }',
        'spans:',
        '  calculate_prediction:',
        '    events:',
        `      ${event}:`,
        hint,
        '        attributes:',
        '          confidence: { type: double, required: true }',
        '',
      ].join('\n');
    writeFileSync(join(dir, 'old.yaml'), manifest('prediction_generated', ''));
    writeFileSync(join(dir, 'new.yaml'), manifest('prediction_made', '        renamed_from: prediction_generated'));
    const result = await run(runDiffCommand, ['old.yaml', 'new.yaml'], dir);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal(
      [
        'spanwright diff: 1 change (1 breaking) from old.yaml to new.yaml',
        '  breaking  event "prediction_generated" of span "calculate_prediction" renamed to "prediction_made" (method span.predictionGenerated → span.predictionMade)',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 with --allow-breaking, and new defaults to tracing.yaml', async () => {
    const result = await run(runDiffCommand, ['tracing.old.yaml', '--allow-breaking'], FIXTURE);
    expect(result.code).to.equal(0);
    expect(result.stderr).to.equal('');
    expect(result.stdout.split('\n')[0]).to.equal('spanwright diff: 5 changes (5 breaking) from tracing.old.yaml to tracing.yaml');
  });

  it('exits 0 when nothing breaks', async () => {
    const dir = project();
    writeFileSync(join(dir, 'v2.yaml'), readFileSync(join(dir, 'tracing.old.yaml'), 'utf8') + '  audit:\n    kind: producer\n');
    expect(await run(runDiffCommand, ['tracing.old.yaml', 'v2.yaml'], dir)).to.deep.equal({
      code: 0,
      stdout: 'spanwright diff: 1 change (0 breaking) from tracing.old.yaml to v2.yaml\n  ok        span "audit" added\n',
      stderr: '',
    });
    expect(await run(runDiffCommand, ['v2.yaml', 'v2.yaml'], dir)).to.deep.equal({
      code: 0,
      stdout: 'spanwright diff: no changes from v2.yaml to v2.yaml\n',
      stderr: '',
    });
  });

  it('--json prints the changes as data', async () => {
    const result = await run(runDiffCommand, ['tracing.old.yaml', '--json'], FIXTURE);
    expect(result.code).to.equal(1);
    const json = JSON.parse(result.stdout) as { old: string; new: string; breaking: number; changes: unknown[] };
    expect(json.old).to.equal('tracing.old.yaml');
    expect(json.new).to.equal('tracing.yaml');
    expect(json.breaking).to.equal(5);
    expect(json.changes[0]).to.deep.equal({
      level: 'span',
      path: 'spans.compute_prediction',
      kind: 'renamed',
      breaking: true,
      message:
        'span "calculate_prediction" renamed to "compute_prediction" (helper spans.calculatePrediction → spans.computePrediction)',
    });
  });

  const badInput: [string, string[], string][] = [
    [
      'no <old>',
      [],
      'spanwright diff: missing <old>\nusage: spanwright diff <old> [new] [--allow-breaking] [--json]   (old/new: a file or git:<ref>; new defaults to tracing.yaml)\n',
    ],
    [
      'an unknown option',
      ['a.yaml', '--frobnicate'],
      "spanwright diff: Unknown option '--frobnicate'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--frobnicate\"\nusage: spanwright diff <old> [new] [--allow-breaking] [--json]   (old/new: a file or git:<ref>; new defaults to tracing.yaml)\n",
    ],
    ['a missing file', ['nope.yaml'], 'spanwright diff: nope.yaml: no such file\n'],
    ['a malformed git spec', ['git:'], 'spanwright diff: git:: expected git:<ref> or git:<ref>:<path>, e.g. git:HEAD or git:main:tracing.yaml\n'],
  ];
  for (const [title, argv, stderr] of badInput) {
    it(`exits 2 on ${title}`, async () => {
      expect(await run(runDiffCommand, argv, FIXTURE)).to.deep.equal({ code: 2, stdout: '', stderr });
    });
  }

  it('exits 2 on an invalid manifest, with every problem at its line', async () => {
    const dir = project();
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nservice:\n  name: x\nspans:\n  Bad-Name: {}\n');
    const result = await run(runDiffCommand, ['bad.yaml'], dir);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.match(/^bad\.yaml:5:3: error: /);
  });

  describe('git:<ref>', () => {
    it('diffs the manifest as committed at the ref against the working file', async () => {
      const dir = project();
      cpSync(join(dir, 'tracing.old.yaml'), join(dir, 'committed.yaml'));
      git(dir, 'init', '-q');
      git(dir, 'add', 'committed.yaml');
      git(dir, 'commit', '-q', '-m', 'old manifest');
      cpSync(join(dir, 'tracing.yaml'), join(dir, 'committed.yaml'));
      const result = await run(runDiffCommand, ['git:HEAD', 'committed.yaml'], dir);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal(
        ['spanwright diff: 5 changes (5 breaking) from git:HEAD:committed.yaml to committed.yaml', ...RENAME_CHANGES, ''].join('\n'),
      );
      const explicit = await run(runDiffCommand, ['git:HEAD:committed.yaml', 'tracing.old.yaml'], dir);
      expect(explicit).to.deep.equal({
        code: 0,
        stdout: 'spanwright diff: no changes from git:HEAD:committed.yaml to tracing.old.yaml\n',
        stderr: '',
      });
    });

    it('says so when the ref is unknown or the file is not committed there', async () => {
      const dir = project();
      git(dir, 'init', '-q');
      git(dir, 'add', 'tracing.yaml');
      git(dir, 'commit', '-q', '-m', 'manifest');
      expect((await run(runDiffCommand, ['git:no-such-ref'], dir)).stderr).to.equal(
        'spanwright diff: git:no-such-ref: unknown ref "no-such-ref"\n',
      );
      expect((await run(runDiffCommand, ['git:HEAD', 'tracing.old.yaml'], dir)).stderr).to.equal(
        'spanwright diff: git:HEAD: tracing.old.yaml is not committed at HEAD\n',
      );
    });

    it('says so outside a git repository', async () => {
      const dir = project();
      const result = await run(runDiffCommand, ['git:HEAD'], dir);
      expect(result).to.deep.equal({
        code: 2,
        stdout: '',
        stderr: `spanwright diff: git:HEAD: ${dir} is not inside a git repository\n`,
      });
    });
  });
});

const EDITS = [
  '  src/kept.ts:1:15  CalculatePredictionSpan → ComputePredictionSpan',
  '  src/kept.ts:4:39  CalculatePredictionSpan → ComputePredictionSpan',
  '  src/kept.ts:6:30  confidence → certainty',
  '  src/kept.ts:7:24  playerCount → players',
  '  src/predict.ts:1:22  CalculatePredictionSpan → ComputePredictionSpan',
  '  src/predict.ts:1:52  CalculatePredictionPredictionGeneratedEventAttributes → ComputePredictionPredictionGeneratedEventAttributes',
  '  src/predict.ts:4:16  spans.calculatePrediction → spans.computePrediction',
  '  src/predict.ts:4:38  playerCount → players',
  '  src/predict.ts:5:26  playerCount → players',
  '  src/predict.ts:6:20  confidence → certainty',
  '  src/predict.ts:11:25  CalculatePredictionSpan → ComputePredictionSpan',
  '  src/predict.ts:11:57  CalculatePredictionPredictionGeneratedEventAttributes → ComputePredictionPredictionGeneratedEventAttributes',
  '  src/predict.ts:12:32  confidence → certainty',
  '  src/predict.ts:12:50  confidence → certainty',
];

const MIGRATED = `import { spans, type ComputePredictionSpan, type ComputePredictionPredictionGeneratedEventAttributes } from './spans';

export function predict(playerCount: number): number {
  return spans.computePrediction({ players: playerCount, modelVersion: 'v1' }, (span) => {
    span.setAttributes({ 'players': playerCount + 1 });
    report(span, { certainty: 0.5 });
    return playerCount * 2;
  });
}

function report(handle: ComputePredictionSpan, event: ComputePredictionPredictionGeneratedEventAttributes): void {
  handle.predictionGenerated({ certainty: event.certainty });
}

// Not the generated helpers: left alone.
export function unrelated(other: { calculatePrediction(attributes: { playerCount: number }): void }): void {
  other.calculatePrediction({ playerCount: 1 });
}
`;

const KEPT_MIGRATED = `import type { ComputePredictionSpan } from './spans';

// A handle kept in a variable: found through its type while the old helpers are in place.
export function later(kept: { handle: ComputePredictionSpan }): void {
  const span = kept.handle;
  span.predictionGenerated({ certainty: 1 });
  span.setAttributes({ players: 2 });
}
`;

describe('spanwright migrate', () => {
  it('lists the edits without writing (dry run), from the renamed_from hints of the manifest', async () => {
    const dir = project();
    const before = readFileSync(join(dir, 'src', 'predict.ts'), 'utf8');
    expect(await run(runMigrateCommand, [], dir)).to.deep.equal({
      code: 0,
      stdout: [
        'spanwright migrate: 3 renames; would make 14 edits in 2 files:',
        ...EDITS,
        'dry run: nothing written; pass --write to apply',
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(readFileSync(join(dir, 'src', 'predict.ts'), 'utf8')).to.equal(before);
  });

  it('--write rewrites the call sites; the generated file and unrelated code stay as they were', async () => {
    const dir = project();
    const generated = readFileSync(join(dir, 'src', 'spans.ts'), 'utf8');
    const stats = readFileSync(join(dir, 'src', 'stats.ts'), 'utf8');
    const result = await run(runMigrateCommand, ['--from', 'tracing.old.yaml', '--write'], dir);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.equal(['spanwright migrate: 3 renames; made 14 edits in 2 files:', ...EDITS, ''].join('\n'));
    expect(readFileSync(join(dir, 'src', 'predict.ts'), 'utf8')).to.equal(MIGRATED);
    expect(readFileSync(join(dir, 'src', 'kept.ts'), 'utf8')).to.equal(KEPT_MIGRATED);
    expect(readFileSync(join(dir, 'src', 'spans.ts'), 'utf8')).to.equal(generated);
    expect(readFileSync(join(dir, 'src', 'stats.ts'), 'utf8')).to.equal(stats);
    // A second run finds nothing left to rewrite.
    expect((await run(runMigrateCommand, ['--from', 'tracing.old.yaml'], dir)).stdout).to.equal(
      'spanwright migrate: 3 renames; no call sites to rewrite\n',
    );
  });

  it('takes the renames from a committed manifest with --from git:HEAD, and only the files given', async () => {
    const dir = project();
    cpSync(join(dir, 'tracing.old.yaml'), join(dir, 'tracing.yaml'));
    git(dir, 'init', '-q');
    git(dir, 'add', 'tracing.yaml');
    git(dir, 'commit', '-q', '-m', 'old manifest');
    cpSync(join(FIXTURE, 'tracing.yaml'), join(dir, 'tracing.yaml'));
    const result = await run(runMigrateCommand, ['--from', 'git:HEAD', 'src/stats.ts'], dir);
    expect(result).to.deep.equal({ code: 0, stdout: 'spanwright migrate: 3 renames; no call sites to rewrite\n', stderr: '' });
    const all = await run(runMigrateCommand, ['--from', 'git:HEAD'], dir);
    expect(all.stdout.split('\n').slice(0, -2)).to.deep.equal(['spanwright migrate: 3 renames; would make 14 edits in 2 files:', ...EDITS]);
  });

  it('has nothing to do without renames', async () => {
    const result = await run(runMigrateCommand, ['--manifest', 'tracing.old.yaml'], FIXTURE);
    expect(result).to.deep.equal({
      code: 0,
      stdout: 'spanwright migrate: no renames in the renamed_from hints of tracing.old.yaml; nothing to do\n',
      stderr: '',
    });
  });

  it('exits 2 on a missing manifest', async () => {
    expect(await run(runMigrateCommand, ['--manifest', 'missing.yaml'], FIXTURE)).to.deep.equal({
      code: 2,
      stdout: '',
      stderr: 'spanwright migrate: missing.yaml: no such file\n',
    });
  });
});

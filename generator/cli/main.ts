/**
 * The command line: `spanwright gen [--manifest <file>] [--out <dir>] [--check]`.
 * Exit codes: 0 written or up to date, 1 drift under --check, 2 invalid manifest
 * or a usage mistake.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatDiagnostics, ManifestError, printable } from './diagnostics';
import { runDevCommand } from './dev-command';
import { runDiffCommand } from './diff';
import { runDocsCommand } from './docs-command';
import { runDoctorCommand } from './doctor-command';
import { runInitCommand } from './init-command';
import { changedFiles, FileError, genOptions, readIfExists, readManifestFile, regenerateCommand, writeFiles } from './files';
import { generate } from './generate';
import { runLiveCheckCommand } from './live-check-command';
import { runMigrateCommand } from './migrate';

export const USAGE = 'usage: spanwright gen [--manifest <file>] [--out <dir>] [--check] | spanwright --help | spanwright --version';

const HELP = `${USAGE}

Turns the tracing manifest into typed span helpers and the OpenTelemetry bootstrap.

Commands:
  gen                 generate <out>/spans.ts, manifest.ts, bootstrap.ts and TRACING.md
  init                start a project: tracing.yaml, gen scripts, the preload line (spanwright init --help)
  doctor              show what the bootstrap would set up here, and what looks wrong
  docs                write TRACING.md from the manifest          (spanwright docs --help)
  diff <old> [new]    compare two manifests, flag breaking changes (spanwright diff --help)
  migrate             rewrite call sites after renames            (spanwright migrate --help)
  dev                 OTLP receiver + web trace viewer on :16686  (spanwright dev --help)
  live-check          check received OTLP against the manifest  (spanwright live-check --help)

Options:
  --manifest <file>   the manifest (default: tracing.yaml)
  --out <dir>         the output directory (default: generated)
  --check             write nothing; exit 1 if the generated files are not up to date
  -h, --help          show this help
  -v, --version       show the version

Exit codes:
  0  files written, or already up to date
  1  --check: generated files differ from the manifest
  2  invalid manifest (every problem as <file>:<line>:<col>: error: <message>) or bad arguments
`;

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function version(): string {
  for (const up of ['..', '../..']) {
    const text = readIfExists(join(__dirname, up, 'package.json'));
    if (text === undefined) continue;
    const pkg = JSON.parse(text) as { name?: string; version?: string };
    if (pkg.name === 'spanwright' && pkg.version !== undefined) return pkg.version;
  }
  return 'unknown';
}

function usageError(io: CliIO, message: string): number {
  io.stderr(`spanwright: ${printable(message)}\n${USAGE}\n`);
  return 2;
}

/** Commands with their own options and usage, handed the arguments after their name. */
const SUBCOMMANDS: Record<string, (argv: readonly string[], io: CliIO) => Promise<number>> = {
  diff: runDiffCommand,
  docs: runDocsCommand,
  migrate: runMigrateCommand,
  doctor: runDoctorCommand,
  init: runInitCommand,
  dev: runDevCommand,
  'live-check': runLiveCheckCommand,
};

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const subcommand = argv[0] !== undefined && Object.hasOwn(SUBCOMMANDS, argv[0]) ? SUBCOMMANDS[argv[0]] : undefined;
  if (subcommand !== undefined) return subcommand(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        manifest: { type: 'string' },
        out: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    // parseArgs says e.g. "Unknown option '--foo'"; keep its words, drop the hint about positionals.
    const text = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error);
    return usageError(io, text.charAt(0).toLowerCase() + text.slice(1));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(HELP);
    return 0;
  }
  if (values.version === true) {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === undefined) return usageError(io, 'missing command');
  if (command !== 'gen') return usageError(io, `unknown command '${command}'`);
  if (rest.length > 0) return usageError(io, `unexpected argument '${rest[0]}'`);
  for (const name of ['manifest', 'out'] as const) {
    if (values[name] === '') return usageError(io, `option '--${name}' needs a value`);
  }
  return gen(io, values.manifest ?? 'tracing.yaml', values.out ?? 'generated', values.check === true);
}

function gen(io: CliIO, manifest: string, outDir: string, check: boolean): number {
  let text: string;
  try {
    text = readManifestFile(manifest);
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    io.stderr(`spanwright: cannot read manifest ${printable(manifest)}: ${error.reason}\n`);
    return 2;
  }
  let files: Map<string, string>;
  try {
    files = generate(text, genOptions(manifest, outDir));
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    io.stderr(formatDiagnostics(error.file, error.text, error.diagnostics));
    const n = error.diagnostics.length;
    io.stderr(`${n} error${n === 1 ? '' : 's'} in ${printable(manifest)}; nothing written\n`);
    return 2;
  }
  const shown = (name: string): string => printable(relative(process.cwd(), join(outDir, name)).split('\\').join('/'));
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    io.stderr(`spanwright: cannot write ${printable(outDir)}: it is not a directory\n`);
    return 2;
  }
  if (check) {
    const stale = changedFiles(outDir, files);
    if (stale.length === 0) {
      io.stdout(`spanwright: ${printable(outDir)} is up to date with ${printable(manifest)}\n`);
      return 0;
    }
    io.stderr(`spanwright: generated files differ from ${printable(manifest)}:\n${stale.map((n) => `  ${shown(n)}\n`).join('')}run ${regenerateCommand(manifest, outDir, process.cwd())}\n`);
    return 1;
  }
  let written: string[];
  try {
    written = writeFiles(outDir, files);
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    // writeFiles renames nothing unless every file was written: the old files are all still there.
    io.stderr(`spanwright: cannot write ${printable(error.path)}: ${error.reason}\n`);
    return 2;
  }
  if (written.length === 0) io.stdout(`spanwright: ${printable(outDir)} is up to date with ${printable(manifest)}\n`);
  else io.stdout(written.map((n) => `spanwright: wrote ${shown(n)}\n`).join(''));
  return 0;
}

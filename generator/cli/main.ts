/**
 * The command line: `spanwright <verb> …`, `spanwright --help`, `spanwright --version`.
 * Every verb is declared in its own module of this folder (command.ts is the framework); this
 * one dispatches, and generates the top-level help from those declarations. Only the
 * declarations are loaded here: each verb loads what does its work when it runs.
 *
 * Exit codes: those of the verb; 2 for an unknown verb or option (the message and the usage line).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { printable } from '../diagnostics';
import { columns, commandContext, exitCodeLines, optionLines, parseOptions, runVerb, usageLine, verbHelp, type CommandIO, type VerbDefinition } from './command';
import { dev } from './dev';
import { diff } from './diff';
import { docs } from './docs';
import { doctor } from './doctor';
import { gen } from './gen';
import { init } from './init';
import { liveCheck } from './live-check';
import { migrate } from './migrate';

/** Every verb, in the order the help lists them. */
export const VERBS: readonly VerbDefinition[] = [gen, init, doctor, docs, diff, migrate, dev, liveCheck];

/** The top-level usage line; `gen`'s argument mistakes print it too (its options may come before it). */
export const USAGE = `${usageLine(gen)} | spanwright --help | spanwright --version`;

/** What callers of `main` have long passed; `CommandIO` (cwd, env, a model loader) is accepted too. */
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const TOP_OPTIONS = { version: { type: 'boolean', short: 'v', help: 'show the version' } } as const;

/** `spanwright --help`: the usage, every verb with its summary, then gen's options and exit codes. */
export function topLevelHelp(): string {
  return [
    USAGE,
    '',
    'Turns the tracing manifest into typed span helpers and the OpenTelemetry bootstrap.',
    '',
    'Commands:',
    ...columns(VERBS.map((verb) => [`${verb.name}${verb.args === undefined ? '' : ` ${verb.args}`}`, `${verb.summary} (spanwright ${verb.name} --help)`])),
    '',
    'Options (of gen; they may also come before it):',
    ...optionLines(gen.options, [['-v, --version', TOP_OPTIONS.version.help]]),
    '',
    'Exit codes of gen (spanwright <command> --help: those of the others):',
    ...exitCodeLines(gen),
    '',
  ].join('\n');
}

function version(): string {
  for (const up of ['../..', '../../..']) {
    let text: string;
    try {
      text = readFileSync(join(__dirname, up, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    const pkg = JSON.parse(text) as { name?: string; version?: string };
    if (pkg.name === 'spanwright' && pkg.version !== undefined) return pkg.version;
  }
  return 'unknown';
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CommandIO = {}): Promise<number> {
  const verb = VERBS.find((candidate) => candidate !== gen && candidate.name === argv[0]);
  if (verb !== undefined) return runVerb(verb, argv.slice(1), io);

  // Anything else is gen's or the top level's: one parse, as gen's options may precede it.
  const ctx = commandContext(io, (c, message) => {
    c.stderr(`spanwright: ${printable(message)}\n${USAGE}\n`);
    return 2;
  });
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...parseOptions(gen.options), ...parseOptions(TOP_OPTIONS), help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    // parseArgs says e.g. "Unknown option '--foo'"; keep its words, drop the hint about positionals.
    const text = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error);
    return ctx.usageError(text.charAt(0).toLowerCase() + text.slice(1));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true) {
    ctx.stdout(command === 'gen' ? verbHelp(gen, USAGE) : topLevelHelp());
    return 0;
  }
  if (values.version === true) {
    ctx.stdout(`${version()}\n`);
    return 0;
  }
  if (command === undefined) return ctx.usageError('missing command');
  if (command !== 'gen') return ctx.usageError(`unknown command '${command}'`);
  if (rest.length > 0) return ctx.usageError(`unexpected argument '${rest[0]}'`);
  return gen.run({ values: values as Parameters<typeof gen.run>[0]['values'], positionals: [] }, ctx);
}

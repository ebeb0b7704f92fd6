/**
 * The one framework of every verb (`spanwright gen`, `init`, `doctor`, …). A verb is declared
 * once, as a `VerbDefinition`: name, one-line summary, positional arguments, options (their
 * node:util parseArgs type plus the help text), exit codes and `run`. Its usage line, its
 * `--help` and the top-level help (main.ts) are all generated from that declaration, and
 * argument mistakes are reported the same way everywhere (the message, the usage line, exit 2).
 *
 * A definition module imports nothing heavy: `run` loads the modules that do the work when the
 * verb runs, so `spanwright --help` or `spanwright dev` never loads ts-morph.
 */
import { parseArgs } from 'node:util';
import type { ModelLoader } from '../changes/git-source';

/** What a test (or another tool) may pass instead of the process's own. */
export interface CommandIO {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly loadModel?: ModelLoader;
}

export interface CommandContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly loadModel: ModelLoader;
  /** Reports an argument mistake as this verb reports it (message, usage line) and returns 2. */
  readonly usageError: (message: string) => number;
}

/** One option: its parseArgs type (and short form), how usage and help show its value, its help text. */
export interface OptionDefinition {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value as usage and help show it: `<file>`, or a default such as `4317`. */
  readonly value?: string;
  readonly help: string;
}

export type OptionDefinitions = Readonly<Record<string, OptionDefinition>>;

/** What parseArgs gives for `O`: a string or boolean per option, absent when not given. */
export type OptionValues<O extends OptionDefinitions> = { readonly [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface VerbArgs<O extends OptionDefinitions> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
}

export interface VerbDefinition<O extends OptionDefinitions = OptionDefinitions> {
  /** As in `spanwright <name>`. */
  readonly name: string;
  /** One line, lower case, for the top-level list of commands. */
  readonly summary: string;
  /** The positional arguments as usage shows them (`<old> [new]`); none are accepted without it. */
  readonly args?: string;
  /** Said after the options on the usage line: `(defaults: tracing.yaml, generated)`. */
  readonly usageNote?: string;
  readonly options: O;
  /** Exit code → what it means, as `--help` lists them. */
  readonly exitCodes: ReadonlyArray<readonly [number, string]>;
  /**
   * Does the verb's work on already parsed arguments; returns the exit code. It requires the
   * modules that do the work when it runs (a method: any verb is a `VerbDefinition`).
   */
  run(args: VerbArgs<O>, ctx: CommandContext): Promise<number>;
}

/** Declares a verb; `const` keeps each option's `type` literal, so `run` sees typed values. */
export function defineVerb<const O extends OptionDefinitions>(definition: VerbDefinition<O>): VerbDefinition<O> {
  return definition;
}

/** `-h, --help` of every verb (and of the top level). */
export const HELP_OPTION: OptionDefinition = { type: 'boolean', short: 'h', help: 'show this help' };

/** parseArgs's `options` for a verb's definitions. */
export function parseOptions(options: OptionDefinitions): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => [name, option.short === undefined ? { type: option.type } : { type: option.type, short: option.short }]),
  );
}

const WIDTH = 132;

function flag(name: string, option: OptionDefinition): string {
  return `--${name}${option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''}`;
}

/**
 * `usage: spanwright <name> [args] [--option <value>]…   (note)`, wrapped before WIDTH
 * columns under the first option.
 */
export function usageLine(verb: VerbDefinition): string {
  const head = `usage: spanwright ${verb.name} `;
  const words = [...(verb.args === undefined ? [] : [verb.args]), ...Object.entries(verb.options).map(([name, option]) => `[${flag(name, option)}]`)];
  const lines: string[] = [];
  let line = head.trimEnd();
  for (const word of words) {
    if (line.length + 1 + word.length > WIDTH && line.trim() !== head.trim()) {
      lines.push(line);
      line = ' '.repeat(head.length - 1);
    }
    line += ` ${word}`;
  }
  if (verb.usageNote !== undefined) {
    const note = `   ${verb.usageNote}`;
    if (line.length + note.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(head.length - 1);
    }
    line += note;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Two-column lines: `  <left padded>  <right>`, the left column at least 18 wide. */
export function columns(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(18, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/** The lines that list options (with `-h, --help` last) for a help text. */
export function optionLines(options: OptionDefinitions, extra: ReadonlyArray<readonly [string, string]> = []): string[] {
  return columns([
    ...Object.entries(options).map(([name, option]): [string, string] => [`${option.short === undefined ? '' : `-${option.short}, `}${flag(name, option)}`, option.help]),
    ['-h, --help', HELP_OPTION.help],
    ...extra,
  ]);
}

export function exitCodeLines(verb: VerbDefinition): string[] {
  return verb.exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}`);
}

/** `spanwright <verb> --help`. */
export function verbHelp(verb: VerbDefinition, usage = usageLine(verb)): string {
  const summary = `${verb.summary.charAt(0).toUpperCase()}${verb.summary.slice(1)}.`;
  return [usage, '', summary, '', 'Options:', ...optionLines(verb.options), '', 'Exit codes:', ...exitCodeLines(verb), ''].join('\n');
}

/** The manifest pipeline's loader, required on first use: a verb that reads no manifest never loads it. */
const defaultModelLoader: ModelLoader = (label, text) => (require('../changes/git-source') as typeof import('../changes/git-source')).defaultModelLoader(label, text);

/** The context a verb runs in: the process's own I/O unless `io` gives others. */
export function commandContext(io: CommandIO, usageError: (ctx: CommandContext, message: string) => number): CommandContext {
  const ctx: CommandContext = {
    stdout: io.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => void process.stderr.write(text)),
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    loadModel: io.loadModel ?? defaultModelLoader,
    usageError: (message) => usageError(ctx, message),
  };
  return ctx;
}

/**
 * Runs a verb on the arguments after its name: prints `--help` (exit 0), reports an argument
 * mistake as `spanwright <name>: <message>` and the usage line (exit 2), or runs it.
 */
export async function runVerb<O extends OptionDefinitions>(verb: VerbDefinition<O>, argv: readonly string[], io: CommandIO = {}): Promise<number> {
  const usage = usageLine(verb);
  const ctx = commandContext(io, (c, message) => {
    c.stderr(`spanwright ${verb.name}: ${message}\n${usage}\n`);
    return 2;
  });
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: verb.args !== undefined, strict: true, options: { ...parseOptions(verb.options), help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return ctx.usageError((error as Error).message);
  }
  if (parsed.values.help === true) {
    ctx.stdout(verbHelp(verb, usage));
    return 0;
  }
  return verb.run({ values: parsed.values as OptionValues<O>, positionals: parsed.positionals }, ctx);
}

/**
 * What every subcommand (docs, diff, migrate, doctor) shares: its I/O (injectable for tests),
 * `--help`, and how an argument mistake is reported (the message, the usage line, exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { defaultModelLoader, type ModelLoader } from './git-source';

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
}

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Config<O extends Options> = { args: string[]; allowPositionals: boolean; options: O & typeof HELP };

export interface ParsedCommand<O extends Options> {
  readonly ctx: CommandContext;
  readonly values: ReturnType<typeof parseArgs<Config<O>>>['values'];
  readonly positionals: string[];
}

export interface CommandSpec<O extends Options> {
  /** The subcommand's name, as in `spanwright <name>`. */
  readonly name: string;
  readonly usage: string;
  readonly options: O;
  readonly allowPositionals?: boolean;
}

/** Prints `spanwright <name>: <message>` and the usage line; returns the exit code 2. */
export function usageError(ctx: CommandContext, spec: { readonly name: string; readonly usage: string }, message: string): number {
  ctx.stderr(`spanwright ${spec.name}: ${message}\n${spec.usage}\n`);
  return 2;
}

/**
 * Parses a subcommand's arguments. Returns the exit code when the command is
 * already done: 0 after printing `--help`, 2 after an argument mistake.
 */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: readonly string[], io: CommandIO = {}): ParsedCommand<O> | number {
  const ctx: CommandContext = {
    stdout: io.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => void process.stderr.write(text)),
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    loadModel: io.loadModel ?? defaultModelLoader,
  };
  let parsed: ReturnType<typeof parseArgs<Config<O>>>;
  try {
    parsed = parseArgs<Config<O>>({ args: [...argv], allowPositionals: spec.allowPositionals ?? false, options: { ...spec.options, ...HELP } });
  } catch (error) {
    return usageError(ctx, spec, (error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    ctx.stdout(`${spec.usage}\n`);
    return 0;
  }
  return { ctx, values: parsed.values, positionals: parsed.positionals };
}

/**
 * What `spanwright dev` and `spanwright live-check` share: port options, the manifest they
 * check against, a listen failure said in one line, and waiting for Ctrl-C / SIGTERM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ManifestModel } from '@spanwright/runtime';
import type { CommandContext } from './command';

/** A port option's value: a whole number from 0 (any free port) to 65535, or the message saying why not. */
export function parsePort(option: string, text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    return `option '--${option}' must be a port from 0 (any free port) to 65535, got ${JSON.stringify(text)}`;
  }
  return Number(text);
}

/** A positive whole number option (a limit), or the message saying why not. */
export function parseCount(option: string, text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) return `option '--${option}' must be a whole number of at least 1, got ${JSON.stringify(text)}`;
  return Number(text);
}

export interface LoadedManifest {
  readonly label: string;
  readonly model: ManifestModel;
}

/**
 * Loads the manifest to check against. `optional`: a missing default tracing.yaml is no
 * error (undefined). Prints every problem (`file:line:col: error: …`) and returns 2 when it
 * cannot be used.
 */
export async function loadManifest(
  command: string,
  ctx: CommandContext,
  given: string | undefined,
  optional: boolean,
): Promise<LoadedManifest | undefined | 2> {
  const spec = given ?? 'tracing.yaml';
  if (given === undefined && optional && !existsSync(resolve(ctx.cwd, spec))) return undefined;
  const { describeLoadError, readManifestSource } = require('../changes/git-source') as typeof import('../changes/git-source');
  try {
    const source = await readManifestSource(spec, { defaultPath: spec, cwd: ctx.cwd });
    return { label: source.label, model: ctx.loadModel(source.label, source.text) };
  } catch (error) {
    ctx.stderr(describeLoadError(command, error));
    return 2;
  }
}

/** One line for a listener that could not start (port in use, address not local, …). */
export function describeListenError(command: string, host: string, error: unknown): string {
  const err = error as NodeJS.ErrnoException & { port?: number };
  if (err.code === 'EADDRINUSE') {
    return `spanwright ${command}: port ${err.port ?? '?'} on ${host} is in use (another viewer or collector?); choose others with the --*-port options (0: any free port)\n`;
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return `spanwright ${command}: cannot listen on ${host}: not an address of this machine\n`;
  if (err.code === 'EACCES') return `spanwright ${command}: not allowed to listen on port ${err.port ?? '?'} of ${host}\n`;
  return `spanwright ${command}: cannot listen on ${host}: ${err.message}\n`;
}

/** Resolves with what stopped the wait: a signal, or `seconds` running out. */
export function waitForStop(seconds?: number): Promise<'SIGINT' | 'SIGTERM' | 'timeout'> {
  return new Promise((resolveStop) => {
    const finish = (why: 'SIGINT' | 'SIGTERM' | 'timeout'): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer !== undefined) clearTimeout(timer);
      resolveStop(why);
    };
    const onInt = (): void => finish('SIGINT');
    const onTerm = (): void => finish('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const timer = seconds === undefined ? undefined : setTimeout(() => finish('timeout'), seconds * 1000);
  });
}

/**
 * How the configuration reports an invalid value: one line naming the variable, the value given and
 * the value used instead, and the readers of a boolean or an integer that word it so.
 */
import { envValue, parseBoolean, parseInteger } from './env-values';

/** The warning sink the resolvers take (Warnings fits). */
export interface EnvWarnings {
  invalid(variable: string, given: string, expected: string, used: string): void;
  add(text: string): void;
}

/** Node keeps a timer's delay in a signed 32-bit integer and turns anything larger into 1 ms. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/** A value as the warnings show it: quoted, control characters escaped. */
export const quote = (value: string): string => JSON.stringify(value);

/** Collects the warnings of one resolution, each `spanwright: <variable>=<given> <what is wrong>; using <used>`. */
export class Warnings {
  readonly lines: string[] = [];

  invalid(variable: string, given: string, expected: string, used: string): void {
    this.lines.push(`spanwright: ${variable}=${quote(given)} ${expected}; using ${used}`);
  }

  add(text: string): void {
    this.lines.push(`spanwright: ${text}`);
  }
}

export function readBoolean(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: boolean,
  usedNote: string,
  warnings: EnvWarnings,
): boolean {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = parseBoolean(text);
  if (value === undefined) {
    warnings.invalid(name, text, 'is not true or false', `${fallback}${usedNote}`);
    return fallback;
  }
  return value;
}

export function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  warnings: EnvWarnings,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = parseInteger(text, min);
  if (value === undefined || value > max) {
    const expected = max < Number.MAX_SAFE_INTEGER ? `is not a whole number from ${min} to ${max}` : `is not a whole number of ${min} or more`;
    warnings.invalid(name, text, expected, String(fallback));
    return fallback;
  }
  return value;
}

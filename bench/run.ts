/**
 * `npm run bench [suite…]`: runs the named suites (default: all) one after
 * another, each in its own process; every suite writes
 * bench/results/<suite>.json and <suite>.md.
 *
 *   npm run bench                 # helpers, otlp, service, startup, gen
 *   npm run bench -- helpers gen  # a subset
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const suites = ['helpers', 'otlp', 'service', 'startup', 'gen'] as const;

function main(argv: string[]): number {
  const unknown = argv.filter((name) => !(suites as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite ${unknown.map((s) => `"${s}"`).join(', ')}; suites: ${suites.join(', ')}\n`);
    return 2;
  }
  const chosen = argv.length > 0 ? argv : suites.filter((s) => existsSync(join(__dirname, s, 'run.ts')));
  for (const suite of chosen) {
    process.stdout.write(`\n## bench ${suite}\n\n`);
    const { status } = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, suite, 'run.ts')], { stdio: 'inherit' });
    if (status !== 0) {
      process.stderr.write(`bench: suite ${suite} failed (exit ${status})\n`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));

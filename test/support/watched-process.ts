/** A child process whose output a test waits on: the CLI's long-running verbs, the test collector. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface WatchedProcess {
  readonly child: ChildProcess;
  /** Resolves with the first match in stdout + stderr so far or to come; rejects if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `command args` in `cwd` with only PATH and HOME from the environment; `label` names it in failures. */
export function spawnWatched(label: string, command: string, args: readonly string[], cwd: string): WatchedProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stdout + stderr);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (match) => {
            clearTimeout(timer);
            resolve(match);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${label} exited before printing ${pattern}:\n${stdout}\n${stderr}`));
        });
        check();
      }),
  };
}

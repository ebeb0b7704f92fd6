/** Runs a fixture in a child process with the test bootstrap loaded first, and watches its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import path from 'node:path';
import type { ManifestModel } from '../../runtime/manifest/model';

const ROOT = path.resolve(__dirname, '..', '..');
const BOOTSTRAP = path.join(__dirname, 'fixtures', 'bootstrap.ts');

export interface Child {
  readonly process: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout (or stderr) line matching, or rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or 128 + signal number if killed by one). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `preload`: modules required before the bootstrap (to test the early-load warning). */
export function startChild(fixture: string, manifest: ManifestModel, env: NodeJS.ProcessEnv, preload: readonly string[] = []): Child {
  const child = spawn(
    process.execPath,
    [
      '--require',
      'tsx/cjs',
      ...preload.flatMap((id) => ['--require', id]),
      '--require',
      BOOTSTRAP,
      path.join(__dirname, 'fixtures', fixture),
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SPANWRIGHT_TEST_MANIFEST: JSON.stringify(manifest),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: Array<{ pattern: RegExp; stream: 'stdout' | 'stderr'; resolve: (m: RegExpMatchArray) => void }> = [];
  const notify = (stream: 'stdout' | 'stderr') => (line: string) => {
    for (const w of [...waiters]) {
      if (w.stream !== stream) continue;
      const m = line.match(w.pattern);
      if (m !== null) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const collect = (sink: string[], onLine?: (line: string) => void) => {
    let partial = '';
    return (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        sink.push(line);
        onLine?.(line);
      }
    };
  };
  child.stdout!.on('data', collect(stdout, notify('stdout')));
  child.stderr!.on('data', collect(stderr, notify('stderr')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    stdout,
    stderr,
    exited,
    waitForLine(pattern, timeoutMs = 15_000, stream = 'stdout') {
      const seen = (stream === 'stdout' ? stdout : stderr).map((l) => l.match(pattern)).find((m) => m !== null);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${stream} line matching ${pattern} within ${timeoutMs} ms; stderr:\n${stderr.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          stream,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`child exited before printing ${pattern}; stderr:\n${stderr.join('\n')}`));
        });
      });
    },
  };
}

export async function get(port: number, urlPath: string, init?: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, init);
  return { status: res.status, body: await res.text() };
}

/** A GET on its own connection, closed after the answer (fetch would keep it alive and hold a closing server open). */
export function getOnce(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

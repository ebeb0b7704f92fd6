/**
 * `npm start` and `npm run demo` as a user runs them (the compiled
 * dist/service/start.js and demo.js), on free ports and a throw-away SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, waitForHealthy } from '../../../service/launcher';
import { assertBuilt, request } from './harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function run(script: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const chunks: string[] = [];
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'service', script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  return { child, output: () => chunks.join('') };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('npm start and npm run demo', function () {
  this.timeout(30_000);
  let dir: string;

  before(() => {
    assertBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'spanwright-launch-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('npm start serves the API and the upstream, and stops both on SIGTERM with exit 0', async () => {
    const [port, statsPort] = [await freePort(), await freePort()];
    const started = run('start.js', {
      PORT: String(port),
      STATS_PORT: String(statsPort),
      DATABASE_URL: `sqlite:${path.join(dir, 'start.db')}`,
      OTEL_EXPORTER_CONSOLE: 'false',
      LOG_LEVEL: 'warn',
    });
    try {
      await waitForHealthy(`http://127.0.0.1:${port}`, started.child);
      const upstream = await request(`http://127.0.0.1:${statsPort}`, 'GET', '/api/espn/players/1628369');
      expect(upstream.status).to.equal(200);
      expect(upstream.body.playerId).to.equal('1628369');
      const created = await request(
        `http://127.0.0.1:${port}`,
        'POST',
        '/api/v1/nba/predictions',
        JSON.stringify({ playerIds: ['1628369'], predictionType: 'points' }),
      );
      expect(created.status, created.text).to.equal(200);
      expect(created.body.predictions[0].value).to.equal(upstream.body.points);
    } finally {
      started.child.kill('SIGTERM');
    }
    expect(await exited(started.child), started.output()).to.equal(0);
    // Both children are gone: nothing listens on their ports any more.
    for (const p of [port, statsPort]) {
      const error = await fetch(`http://127.0.0.1:${p}/healthz`).then(() => undefined, (e: Error) => e);
      expect(error, `port ${p}`).to.be.instanceOf(Error);
    }
  });

  it('npm start fails with one clear line when the database cannot be prepared', async () => {
    const started = run('start.js', { DATABASE_URL: 'mysql://nobody@127.0.0.1/nothing', OTEL_EXPORTER_CONSOLE: 'false' });
    expect(await exited(started.child)).to.equal(1);
    expect(started.output()).to.include(
      'npm start: cannot prepare the database: DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got a value starting "mysql:")',
    );
    expect(started.output()).not.to.match(/\bat .+:\d+:\d+/);
  });

  it('npm run demo prints each request\'s trace as one tree across both processes and exits 0', async () => {
    const demo = run('demo.js', {});
    expect(await exited(demo.child), demo.output()).to.equal(0);
    const output = demo.output();
    for (const expected of [
      '(no trace: /healthz is listed in instrumentation.http.ignoreIncomingPaths)',
      'POST /api/v1/nba/predictions  server',
      'event cache_miss  {app.player_id="1628369"}',
      'event cache_hit  {app.player_id="1628369"}',
      'event prediction_generated  {',
      'apply_injury_adjustment  internal',
      'calculate_confidence  internal',
      '400 {"error":{"code":"invalid_value"',
      '404 {"error":{"code":"player_not_found"',
    ]) {
      expect(output, expected).to.include(expected);
    }
    // One tree a request: five traces, and the upstream's server spans inside the API's, under its client spans.
    expect(output.match(/^trace [0-9a-f]{32} {2}\d+ spans? {2}/gm), output).to.have.length(5);
    // (under the router span of @opentelemetry/instrumentation-koa, one level below the root)
    expect(output.match(/^ {4}│ {3}[├└]── GET {2}client {2}.+\n {4}│ {3}[│ ] {3}└── GET \/api\/espn\/players\/:id {2}server {2}.+ {2}\[stats-upstream\]\n {4}│ {3}[│ ] {7}└── router - \/api\/espn\/players\/:id {2}internal {2}/gm), output).to.have.length(2);
    expect(output).not.to.match(/^GET \/api\/espn/m);
  });

  it('npm run demo -- --ui leaves the viewer running with the demo\'s traces until SIGINT', async () => {
    const ui = spawn(process.execPath, [path.join(ROOT, 'dist', 'service', 'demo.js'), '--ui', '--ui-port', '0'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    ui.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      ui.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /the traces are in the viewer at (http:\S+)\n/.exec(output);
        if (match) resolve(match[1]!);
      });
      ui.once('exit', (code) => reject(new Error(`demo --ui exited ${code}: ${output}`)));
    });
    try {
      const list = (await (await fetch(`${url}/api/traces`)).json()) as { manifest: string; traces: Array<{ services: string[] }> };
      expect(list.manifest).to.equal('tracing.yaml');
      expect(list.traces, output).to.have.length(5);
      expect(list.traces.filter((t) => t.services.join() === 'sports-bet-ai-api,stats-upstream')).to.have.length(1);
    } finally {
      ui.kill('SIGINT');
    }
    expect(await exited(ui), output).to.equal(0);
  });
});

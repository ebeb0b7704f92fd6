/**
 * The viewer's figures for docs/viewer.md (not a test; run by hand):
 *
 *   npm run build && npx tsx test/integration/viewer/measure.ts
 *
 * 1. RSS of `spanwright dev` holding 10,000 synthetic traces of 10 spans (the default bound:
 *    10,000 traces / 100,000 spans), pushed as OTLP/protobuf in exports of 100 traces.
 * 2. The page's time to show a 500-span trace in Chromium: from navigation start to the last
 *    waterfall row in the DOM (the page's own `data-render-ms`, performance.now() based), median of 5.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { types } from '../../../generator/receiver/schema';
import { runCli } from './support';

const TRACES = 10_000;
const SPANS_PER_TRACE = 10;
const PER_EXPORT = 100;

function hex(n: number, bytes: number): Buffer {
  return Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
}

/** One synthetic trace: a server root, children and grandchildren, attributes like the service's. */
function traceSpans(traceNumber: number, count: number): object[] {
  const start = BigInt(Date.now()) * 1_000_000n + BigInt(traceNumber) * 1_000n;
  const traceId = hex(traceNumber + 1, 16);
  const spans: object[] = [];
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? undefined : Math.floor((i - 1) / 3);
    const spanStart = start + BigInt(i) * 100_000n;
    spans.push({
      traceId,
      spanId: hex(traceNumber * 1000 + i + 1, 8),
      parentSpanId: parent === undefined ? Buffer.alloc(0) : hex(traceNumber * 1000 + parent + 1, 8),
      name: i === 0 ? 'POST /api/v1/nba/predictions' : i % 3 === 0 ? 'calculate_prediction' : `select players ${i}`,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: spanStart.toString(),
      endTimeUnixNano: (spanStart + BigInt(count - i) * 90_000n).toString(),
      attributes: [
        { key: 'http.request.method', value: { stringValue: 'POST' } },
        { key: 'http.route', value: { stringValue: '/api/v1/nba/predictions' } },
        { key: 'app.player_count', value: { intValue: 2 } },
        { key: 'app.prediction_type', value: { stringValue: 'points' } },
        { key: 'db.query.text', value: { stringValue: 'select * from players where id in (?, ?)' } },
        { key: 'app.model_version', value: { stringValue: '2024.1' } },
      ],
      events: i % 3 === 0 ? [{ name: 'prediction_generated', timeUnixNano: spanStart.toString(), attributes: [{ key: 'app.confidence', value: { doubleValue: 0.75 } }] }] : [],
      status: { code: 0 },
    });
  }
  return spans;
}

function exportBody(spans: object[], service: string): Buffer {
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } }] },
        scopeSpans: [{ scope: { name: 'measure' }, spans }],
      },
    ],
  };
  return Buffer.from(types.ExportTraceServiceRequest.encode(types.ExportTraceServiceRequest.fromObject(request)).finish());
}

async function send(endpoint: string, body: Buffer): Promise<void> {
  const response = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  if (response.status !== 200) throw new Error(`export answered ${response.status}`);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  const dev = runCli(['dev', '--otlp-grpc-port', '0', '--otlp-http-port', '0', '--ui-port', '0']);
  const match = await dev.waitFor(/trace viewer at (http:\S+)\n[^]*OTEL_EXPORTER_OTLP_ENDPOINT=(http:\S+)\n/);
  const [ui, endpoint] = [match[1]!, match[2]!];
  const pid = dev.child.pid!;
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = rssMiB(pid);
    for (let first = 0; first < TRACES; first += PER_EXPORT) {
      const spans = [];
      for (let n = first; n < first + PER_EXPORT; n++) spans.push(...traceSpans(n, SPANS_PER_TRACE));
      await send(endpoint, exportBody(spans, 'synthetic'));
    }
    const stats = ((await (await fetch(`${ui}/api/traces?limit=0`)).json()) as { stats: object }).stats;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = rssMiB(pid);
    process.stdout.write(`RSS idle ${idle.toFixed(0)} MiB; holding ${JSON.stringify(stats)}: ${held.toFixed(0)} MiB\n`);

    const big = traceSpans(TRACES + 7, 500);
    await send(endpoint, exportBody(big, 'synthetic'));
    const traceId = (big[0] as { traceId: Buffer }).traceId.toString('hex');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const times: number[] = [];
      for (let run = 0; run < 6; run++) {
        await page.goto(`${ui}/traces/${traceId}`);
        await page.locator('.span-row').nth(499).waitFor({ state: 'attached' });
        await page.waitForFunction(() => (globalThis as any).document.documentElement.dataset.renderMs !== undefined);
        const [renderMs, rows] = await page.evaluate(() => {
          const doc = (globalThis as any).document;
          return [Number(doc.documentElement.dataset.renderMs), doc.querySelectorAll('.span-row').length];
        });
        if (rows !== 500) throw new Error(`${rows} rows`);
        if (run > 0) times.push(renderMs); // the first run warms the browser's caches
      }
      times.sort((a, b) => a - b);
      process.stdout.write(`500-span trace: navigation start to the last row ${times.join(', ')} ms (median ${times[Math.floor(times.length / 2)]} ms)\n`);
    } finally {
      await browser.close();
    }
  } finally {
    dev.child.kill('SIGTERM');
    await dev.exited;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`measure: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

/**
 * The viewer in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run),
 * driven by playwright-core, against `spanwright dev`'s server with the real service (API and
 * stats upstream as two processes, both exporting OTLP to it) and a runtime script.
 *
 * `UPDATE_SCREENSHOTS=1 npx mocha test/integration/viewer/browser.test.ts` also writes the screenshots of
 * docs/viewer.md (docs/images/viewer-list.png, viewer-waterfall.png).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { resolveManifest } from '../../../generator/generate';
import { buildTree, type ReceivedSpan, type SpanNode } from '../../../generator/receiver';
import { startDevServer, type DevServer } from '../../../generator/viewer';
import { emitSpans, eventually, ROOT, startServices, type Services } from './support';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** Span ids depth-first, children by start: the order a waterfall must show them in. */
function treeOrder(spans: readonly ReceivedSpan[]): Array<{ spanId: string; depth: number; name: string; service: string }> {
  const out: Array<{ spanId: string; depth: number; name: string; service: string }> = [];
  const walk = (node: SpanNode, depth: number): void => {
    out.push({ spanId: node.span.spanId, depth, name: node.span.name, service: node.span.serviceName });
    for (const child of node.children) walk(child, depth + 1);
  };
  for (const root of buildTree(spans)) walk(root, 0);
  return out;
}

async function rowsOf(page: Page): Promise<Array<{ spanId: string; depth: number; name: string; service: string }>> {
  return page.$$eval('.span-row', (rows) =>
    rows.map((row) => ({
      spanId: row.getAttribute('data-span-id') ?? '',
      depth: Number(row.getAttribute('data-depth')),
      name: row.querySelector('.span-name')?.textContent ?? '',
      service: row.querySelector('.service')?.textContent ?? '',
    })),
  );
}

describe('spanwright dev in Chromium', function () {
  this.timeout(120_000);
  let dir: string;
  let viewer: DevServer;
  let services: Services;
  let browser: Browser;
  let page: Page;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'spanwright-viewer-'));
    const manifestFile = path.join(ROOT, 'tracing.yaml');
    viewer = await startDevServer({
      manifest: resolveManifest(readFileSync(manifestFile, 'utf8'), { file: 'tracing.yaml' }),
      manifestLabel: 'tracing.yaml',
      grpcPort: 0,
      httpPort: 0,
      uiPort: 0,
    });
    // Both are awaited, whichever fails: a started service left unassigned would outlive the run.
    const [started, launched] = await Promise.allSettled([
      startServices(viewer.httpEndpoint, path.join(dir, 'predictions.db')),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }),
    ]);
    if (started.status === 'fulfilled') services = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  });

  after(async function () {
    await browser?.close();
    await services?.stop();
    await viewer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One POST; resolves with its trace id once both processes' spans of it arrived and stopped coming. */
  async function predict(playerIds: string[]): Promise<string> {
    const response = await fetch(`${services.apiUrl}/api/v1/nba/predictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ playerIds, predictionType: 'points' }),
    });
    expect(response.status).to.equal(200);
    const { traceId } = (await response.json()) as { traceId: string };
    let count = -1;
    let stableSince = Date.now();
    await eventually(() => {
      const trace = viewer.store.get(traceId);
      const spans = trace?.spans ?? [];
      if (spans.length !== count) {
        count = spans.length;
        stableSince = Date.now();
      }
      const hasRoot = spans.some((span) => span.parentSpanId === undefined && span.name === 'POST /api/v1/nba/predictions');
      return hasRoot && Date.now() - stableSince > 500;
    }, `trace ${traceId} to arrive whole`);
    return traceId;
  }

  let waterfallTrace: string;

  it('lists the trace and shows it as one waterfall: every span in tree order, both services', async function () {
    waterfallTrace = await predict(['1628369', '2544']);
    const spans = viewer.store.get(waterfallTrace)!.spans;
    const expected = treeOrder(spans);
    // The upstream's server spans are in the API's trace, under its client spans.
    const upstream = expected.filter((row) => row.service === 'stats-upstream');
    expect(upstream.map((row) => row.name)).to.deep.equal(['GET /api/espn/players/:id', 'router - /api/espn/players/:id', 'GET /api/espn/players/:id', 'router - /api/espn/players/:id']);
    expect(expected[0]).to.include({ name: 'POST /api/v1/nba/predictions', service: 'sports-bet-ai-api', depth: 0 });

    await page.goto(viewer.uiUrl);
    const row = page.locator(`tr.trace-row[data-trace-id="${waterfallTrace}"]`);
    await row.waitFor();
    expect(await row.locator('.root-name').textContent()).to.equal('POST /api/v1/nba/predictions');
    expect(await row.locator('.chip').allTextContents()).to.deep.equal(['sports-bet-ai-api', 'stats-upstream']);
    expect(await row.locator('td.num').first().textContent()).to.equal(String(spans.length));

    await row.click();
    await page.waitForURL(`**/traces/${waterfallTrace}`);
    await page.locator('.span-row').nth(spans.length - 1).waitFor();
    const shown = await rowsOf(page);
    expect(shown).to.deep.equal(expected);
    expect(new Set(shown.map((r) => r.service))).to.deep.equal(new Set(['sports-bet-ai-api', 'stats-upstream']));
    // Each upstream server span sits one level under the API's client span that called it.
    for (const [index, r] of shown.entries()) {
      if (r.service !== 'stats-upstream' || r.name !== 'GET /api/espn/players/:id') continue;
      const parent = shown[index - 1]!;
      expect(parent).to.include({ name: 'GET', service: 'sports-bet-ai-api', depth: r.depth - 1 });
      // and its Koa router span one level under it
      expect(shown[index + 1]).to.include({ name: 'router - /api/espn/players/:id', service: 'stats-upstream', depth: r.depth + 1 });
    }
  });

  it('shows a span\'s attributes, events and resource when it is clicked', async function () {
    await page.goto(`${viewer.uiUrl}/traces/${waterfallTrace}`);
    const calculate = page.locator('.span-row', { has: page.locator('.span-name', { hasText: /^calculate_prediction$/ }) });
    await calculate.click();
    const details = page.locator('.details');
    await details.waitFor();
    expect(await details.locator('h2').textContent()).to.equal('calculate_prediction');
    expect(await details.locator('.attributes tr[data-key="app.player_count"] td.value').textContent()).to.equal('2');
    expect(await details.locator('.attributes tr[data-key="app.prediction_type"] td.value').textContent()).to.equal('points');
    expect(await details.locator('.events b').allTextContents()).to.deep.equal(['prediction_generated', 'prediction_generated']);
    expect(await details.locator('.resource tr[data-key="service.name"] td.value').textContent()).to.equal('sports-bet-ai-api');
    expect(await details.locator('.findings').count()).to.equal(0); // the service conforms
    if (SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs', 'images', 'viewer-waterfall.png') });
    await calculate.click();
    expect(await page.locator('.details').count()).to.equal(0);
  });

  it('shows the conformance finding on a span with an undeclared attribute', async function () {
    const traceId = await emitSpans(viewer.httpEndpoint, 'undeclared', 'nonconforming-script');
    await eventually(() => viewer.store.get(traceId), `trace ${traceId} from emit-spans`);
    await page.goto(`${viewer.uiUrl}/traces/${traceId}`);
    const row = page.locator('.span-row').first();
    await row.waitFor();
    expect(await row.locator('.span-name').textContent()).to.equal('calculate_prediction');
    expect(await row.locator('.service').textContent()).to.equal('nonconforming-script');
    expect(await row.locator('.finding-mark').textContent()).to.equal('1 finding');
    await row.click();
    expect(await page.locator('.details .finding').allTextContents()).to.deep.equal([
      'undeclared-attributecalculate_prediction: attribute "app.unexpected_flag" is not declared',
    ]);

    await page.goto(viewer.uiUrl);
    const listed = page.locator(`tr.trace-row[data-trace-id="${traceId}"]`);
    await listed.waitFor();
    expect(await listed.locator('.badge.finding').textContent()).to.equal('1');
  });

  it('marks an ERROR span and shows its status, events and links', async function () {
    const traceId = 'a7c0ffee000000000000000000000001';
    const linked = 'a7c0ffee000000000000000000000002';
    const sent = await fetch(`${viewer.httpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
            scopeSpans: [
              {
                spans: [
                  { traceId, spanId: '00000000000000a1', name: 'POST /checkout', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000040000000' },
                  {
                    traceId,
                    spanId: '00000000000000a2',
                    parentSpanId: '00000000000000a1',
                    name: 'charge card',
                    kind: 3,
                    startTimeUnixNano: '1700000000010000000',
                    endTimeUnixNano: '1700000000030000000',
                    events: [{ name: 'declined', timeUnixNano: '1700000000029000000', attributes: [{ key: 'reason', value: { stringValue: 'expired' } }] }],
                    links: [{ traceId: linked, spanId: '00000000000000b1' }],
                    status: { code: 2, message: 'card declined' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(sent.status).to.equal(200);
    await page.goto(`${viewer.uiUrl}/traces/${traceId}`);
    const charge = page.locator('.span-row[data-span-id="00000000000000a2"]');
    await charge.waitFor();
    expect(await page.locator('.span-row.error').count()).to.equal(1);
    expect(await charge.locator('.error-mark').getAttribute('title')).to.equal('card declined');
    await charge.click();
    const details = page.locator('.details');
    expect(await details.locator('.status-error').textContent()).to.equal('ERROR: card declined');
    expect(await details.locator('.events .when').textContent()).to.equal('+29.0 ms');
    expect(await details.locator('.events tr[data-key="reason"] td.value').textContent()).to.equal('expired');
    expect(await details.locator('.links a').getAttribute('href')).to.equal(`/traces/${linked}`);
  });

  it('lists the newest trace first and takes new ones without a reload', async function () {
    await page.goto(viewer.uiUrl);
    await page.locator('tr.trace-row').first().waitFor();
    const before = await page.locator('tr.trace-row').count();
    const traceId = await predict(['1628369']);
    const first = page.locator('tr.trace-row').first();
    // No reload: the page polls the list.
    await page.waitForFunction(
      (id) => (globalThis as any).document.querySelector('tr.trace-row')?.getAttribute('data-trace-id') === id,
      traceId,
    );
    expect(await page.locator('tr.trace-row').count()).to.equal(before + 1);
    expect(await first.locator('.root-name').textContent()).to.equal('POST /api/v1/nba/predictions');
    if (SCREENSHOTS) {
      const box = (await page.locator('table.traces').boundingBox())!;
      await page.screenshot({ path: path.join(ROOT, 'docs', 'images', 'viewer-list.png'), clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 24) } });
    }
  });
});
